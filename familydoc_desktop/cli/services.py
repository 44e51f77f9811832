"""The other contracted services from the command line: two-way referral, long
prescriptions, drug shortages, health points, satisfaction surveys, health pushes."""
from __future__ import annotations

import argparse

from familydoc_desktop.cli import common
from familydoc_desktop.cli.common import CliError
from familydoc_desktop.domain import referral as referral_rules
from familydoc_desktop.domain.codes import ReferralDirection
from familydoc_desktop.store import residents, services


def _sub(sub, name: str, help_: str, func) -> argparse.ArgumentParser:  # noqa: ANN001
    p = sub.add_parser(name, help=help_, parents=[common.json_parent()])
    p.set_defaults(func=func)
    return p


def _group(sub, name: str, help_: str):  # noqa: ANN001, ANN202
    p = sub.add_parser(name, help=help_)
    return p.add_subparsers(dest=f"{name}_command", metavar="ACTION", required=True)


def register(sub) -> None:  # noqa: ANN001
    g = _group(sub, "referral", "双向转诊")
    p = _sub(g, "add", "登记转诊（转出）", cmd_referral_add)
    p.add_argument("resident", help="居民ID或身份证号")
    p.add_argument("--direction", required=True, choices=[str(d) for d in ReferralDirection],
                   help="up 上转（转往上级医院）/ down 下转（转回基层）")
    p.add_argument("--to", dest="unit", required=True, help="接收机构（可选列表中的或自行填写）")
    p.add_argument("--reason", required=True, help="转诊原因")
    p.add_argument("--urgent", action="store_true", help="紧急转诊")
    p.add_argument("--date", type=common.date_arg, help="转诊日期（默认今天）")
    p = _sub(g, "status", "转诊状态：已接收 / 已完成 / 已退回", cmd_referral_status)
    p.add_argument("id", help="转诊记录ID（或 referral list 中显示的末8位）")
    p.add_argument("--set", dest="status", required=True,
                   choices=["received", "completed", "returned"])
    p.add_argument("--date", type=common.date_arg, help="该步骤的日期（默认今天）")
    p = _sub(g, "list", "转诊记录（最新在前）", cmd_referral_list)
    p.add_argument("--open", action="store_true", help="只看未完成的（已转出、已接收）")
    p.add_argument("--units", action="store_true", help="列出本乡镇的接收机构")
    _register_prescription(sub)
    _register_shortage(sub)
    _register_points(sub)
    ssub = _group(sub, "survey", "满意度调查（签约居民，每题1—5分）")
    p = _sub(ssub, "add", "登记一份满意度调查", cmd_survey_add)
    p.add_argument("resident", help="居民ID或身份证号")
    p.add_argument("--score", required=True, type=int, action="append",
                   help="一题的评分1—5（每题一个 --score）")
    p.add_argument("--method", default="in_person", choices=["phone", "in_person"],
                   help="phone 电话 / in_person 面对面（默认）")
    p.add_argument("--date", type=common.date_arg, help="调查日期（默认今天）")
    _register_push(sub)


def _register_push(sub) -> None:  # noqa: ANN001
    from familydoc_desktop.domain.services import PUSH_CHANNELS

    g = _group(sub, "push", "健康信息推送（每位签约居民每年不少于12次）")
    p = _sub(g, "add", "登记一次健康信息推送（可同时推送给多位居民）", cmd_push_add)
    p.add_argument("resident", nargs="+", help="居民ID或身份证号（可写多个）")
    p.add_argument("--topic", required=True, help="推送主题，如“冬季高血压防护”")
    p.add_argument("--channel", required=True, choices=list(PUSH_CHANNELS),
                   help="推送方式：" + " / ".join(f"{k} {v}" for k, v in PUSH_CHANNELS.items()))
    p.add_argument("--date", type=common.date_arg, help="推送日期（默认今天）")


def _register_prescription(sub) -> None:  # noqa: ANN001
    g = _group(sub, "prescription", "长期处方（4—12周）")
    p = _sub(g, "add", "开具长期处方（签约的慢性病患者）", cmd_prescription_add)
    p.add_argument("resident", help="居民ID或身份证号")
    p.add_argument("--weeks", required=True, type=int, help="处方周数（4—12）")
    p.add_argument("--drug", action="append", required=True,
                   help="“药名 用法用量”，如 \"氨氯地平片 5mg 每日一次\"（可重复）")
    p.add_argument("--date", type=common.date_arg, help="处方日期（默认今天）")
    p = _sub(g, "list", "长期处方（最新在前）", cmd_prescription_list)
    p.add_argument("--active", action="store_true", help="只看今天仍在用药期内的")


def _register_shortage(sub) -> None:  # noqa: ANN001
    g = _group(sub, "shortage", "缺药登记")
    p = _sub(g, "add", "登记居民需要而本机构缺少的药品", cmd_shortage_add)
    p.add_argument("resident", help="居民ID或身份证号")
    p.add_argument("--drug", required=True, help="药品名称")
    p.add_argument("--spec", help="规格")
    p.add_argument("--note", help="备注")
    p.add_argument("--date", type=common.date_arg, help="登记日期（默认今天）")
    p = _sub(g, "resolve", "缺药已解决", cmd_shortage_resolve)
    p.add_argument("id", help="缺药登记ID（或 shortage list 中显示的末8位）")
    p.add_argument("--how", help="解决办法，如“已采购”“医共体调配”")
    p.add_argument("--date", type=common.date_arg, help="解决日期（默认今天）")
    p = _sub(g, "list", "缺药登记（乡镇可见各卫生室缺什么药）", cmd_shortage_list)
    p.add_argument("--open", action="store_true", help="只看未解决的")


def _register_points(sub) -> None:  # noqa: ANN001
    g = _group(sub, "points", "健康积分")
    p = _sub(g, "add", "按积分规则记分（参加体检、按时随访、健康讲座等）", cmd_points_add)
    p.add_argument("resident", help="居民ID或身份证号")
    p.add_argument("--points", required=True, type=int, help="分数")
    p.add_argument("--reason", required=True, help="积分规则的代码或名称，见 points rules")
    p.add_argument("--date", type=common.date_arg, help="日期（默认今天）")
    p = _sub(g, "redeem", "兑换健康服务或健康用品", cmd_points_redeem)
    p.add_argument("resident", help="居民ID或身份证号")
    p.add_argument("--points", required=True, type=int, help="兑换的分数")
    p.add_argument("--for", dest="for_what", required=True, help="兑换的服务或用品")
    p.add_argument("--date", type=common.date_arg, help="日期（默认今天）")
    p = _sub(g, "balance", "积分余额", cmd_points_balance)
    p.add_argument("resident", help="居民ID或身份证号")
    _sub(g, "rules", "积分规则", cmd_points_rules)


def resident_of(s, key: str):  # noqa: ANN001, ANN201
    r = residents.get_resident(s, key) or residents.find_by_id_number(s, key)
    if r is None:
        raise CliError(f"找不到居民：{key}")
    return r


def _referral_json(row, name: str | None = None) -> dict:  # noqa: ANN001
    return {"id": row.id, "resident_id": row.resident_id, "name": name,
            "direction": row.direction, "receiving_unit": row.receiving_unit,
            "reason": row.reason, "urgent": row.urgent, "status": row.status,
            "referral_date": row.referral_date, "received_on": row.received_on,
            "completed_on": row.completed_on, "returned_on": row.returned_on}


def cmd_referral_add(args) -> int:  # noqa: ANN001
    db = common.db_from(args)
    with db.session() as s:
        r = resident_of(s, args.resident)
        row = services.add_referral(s, resident_id=r.id, direction=args.direction,
                                    receiving_unit=args.unit, reason=args.reason,
                                    urgent=args.urgent, referral_date=args.date)
        data = _referral_json(row, r.name)
    common.emit(args, data, lambda: (
        f"已登记{'紧急' if data['urgent'] else ''}"
        f"{referral_rules.DIRECTION_ZH[data['direction']]}：{data['name']} → "
        f"{data['receiving_unit']}（{data['referral_date']}），编号 {data['id'][-8:]}"))
    return 0


def cmd_referral_status(args) -> int:  # noqa: ANN001
    db = common.db_from(args, create=False)
    with db.session() as s:
        row = services.set_referral_status(s, args.id, args.status, on=args.date)
        data = _referral_json(row)
    common.emit(args, data, lambda: (
        f"转诊 {data['id'][-8:]} 已改为{referral_rules.STATUS_ZH[data['status']]}"))
    return 0


def cmd_referral_list(args) -> int:  # noqa: ANN001
    db = common.db_from(args, create=False)
    with db.session() as s:
        if args.units:
            units = services.receiving_units(s)
            common.emit(args, {"units": units}, lambda: "\n".join(units))
            return 0
        data = [_referral_json(row, name)
                for row, name in services.referral_list(s, open_only=args.open)]

    def text() -> str:
        lines = [f"共 {len(data)} 条转诊记录"]
        for d in data:
            lines.append("  ".join((
                d["id"][-8:], str(d["referral_date"]), d["name"] or "",
                referral_rules.DIRECTION_ZH.get(d["direction"], d["direction"])
                + ("（紧急）" if d["urgent"] else ""),
                d["receiving_unit"], referral_rules.STATUS_ZH.get(d["status"], d["status"]),
                d["reason"] or "")))
        return "\n".join(lines)
    common.emit(args, data, text)
    return 0


def _rx_json(row, name: str | None = None) -> dict:  # noqa: ANN001
    return {"id": row.id, "resident_id": row.resident_id, "name": name,
            "start_date": row.start_date, "weeks": row.weeks, "refill_date": row.end_date,
            "drugs": row.drugs.split("；")}


def cmd_prescription_add(args) -> int:  # noqa: ANN001
    db = common.db_from(args)
    with db.session() as s:
        r = resident_of(s, args.resident)
        row = services.add_long_prescription(s, resident_id=r.id, weeks=args.weeks,
                                             drugs=args.drug, start_date=args.date)
        data = _rx_json(row, r.name)
    common.emit(args, data, lambda: (
        f"已开具长期处方：{data['name']} {data['weeks']}周，{data['refill_date']} 续方；"
        + "；".join(data["drugs"])))
    return 0


def cmd_prescription_list(args) -> int:  # noqa: ANN001
    from datetime import date

    db = common.db_from(args, create=False)
    with db.session() as s:
        data = [_rx_json(row, name) for row, name in services.prescription_list(
            s, active_on=date.today() if args.active else None)]

    def text() -> str:
        lines = [f"共 {len(data)} 张长期处方"]
        lines += ["  ".join((str(d["start_date"]), d["name"] or "", f"{d['weeks']}周",
                             f"{d['refill_date']} 续方", "；".join(d["drugs"]))) for d in data]
        return "\n".join(lines)
    common.emit(args, data, text)
    return 0


def _shortage_json(row, name: str | None = None, clinic: str | None = None) -> dict:  # noqa: ANN001
    return {"id": row.id, "resident_id": row.resident_id, "name": name, "clinic": clinic,
            "drug": row.drug_name, "specification": row.specification,
            "reported_on": row.reported_on, "resolved_on": row.resolved_on,
            "resolution": row.resolution, "note": row.note}


def cmd_shortage_add(args) -> int:  # noqa: ANN001
    db = common.db_from(args)
    with db.session() as s:
        r = resident_of(s, args.resident)
        row = services.add_drug_shortage(s, resident_id=r.id, drug_name=args.drug,
                                         specification=args.spec, note=args.note,
                                         reported_on=args.date)
        data = _shortage_json(row, r.name)
    common.emit(args, data, lambda: (
        f"已登记缺药：{data['name']} 需要 {data['drug']}，编号 {data['id'][-8:]}"))
    return 0


def cmd_shortage_resolve(args) -> int:  # noqa: ANN001
    db = common.db_from(args, create=False)
    with db.session() as s:
        row = services.resolve_drug_shortage(s, args.id, on=args.date, resolution=args.how)
        data = _shortage_json(row)
    common.emit(args, data, lambda: (
        f"缺药 {data['drug']}（{data['id'][-8:]}）已于 {data['resolved_on']} 解决"))
    return 0


def cmd_shortage_list(args) -> int:  # noqa: ANN001
    db = common.db_from(args, create=False)
    with db.session() as s:
        data = [_shortage_json(r.shortage, r.name, r.clinic)
                for r in services.shortage_list(s, open_only=args.open)]

    def text() -> str:
        still = sum(1 for d in data if d["resolved_on"] is None)
        lines = [f"共 {len(data)} 条缺药登记，未解决 {still} 条"]
        for d in data:
            state = f"{d['resolved_on']} 已解决" if d["resolved_on"] else "未解决"
            lines.append("  ".join(x for x in (
                d["id"][-8:], str(d["reported_on"]), d["clinic"] or "", d["name"] or "",
                d["drug"] + (f" {d['specification']}" if d["specification"] else ""), state,
                d["resolution"] or "") if x))
        return "\n".join(lines)
    common.emit(args, data, text)
    return 0


def cmd_points_add(args) -> int:  # noqa: ANN001
    db = common.db_from(args)
    with db.session() as s:
        r = resident_of(s, args.resident)
        row = services.earn_points(s, resident_id=r.id, points=args.points, reason=args.reason,
                                   on_date=args.date)
        data = {"id": row.id, "points": row.points, "reason": row.reason, "rule": row.rule,
                "balance": services.points_balance(s, r.id)}
    common.emit(args, data, lambda: (
        f"已记 {data['points']} 分（{data['reason']}），现有 {data['balance']} 分"))
    return 0


def cmd_points_redeem(args) -> int:  # noqa: ANN001
    db = common.db_from(args)
    with db.session() as s:
        r = resident_of(s, args.resident)
        row = services.redeem_points(s, resident_id=r.id, points=args.points,
                                     for_what=args.for_what, on_date=args.date)
        data = {"id": row.id, "points": row.points, "reason": row.reason,
                "balance": services.points_balance(s, r.id)}
    common.emit(args, data, lambda: (
        f"已兑换 {-data['points']} 分（{data['reason']}），现有 {data['balance']} 分"))
    return 0


def cmd_points_balance(args) -> int:  # noqa: ANN001
    db = common.db_from(args, create=False)
    with db.session() as s:
        r = resident_of(s, args.resident)
        balance = services.points_balance(s, r.id)
        name = r.name
    common.emit(args, {"balance": balance}, f"{name} 现有健康积分 {balance} 分")
    return 0


def cmd_points_rules(args) -> int:  # noqa: ANN001
    db = common.db_from(args)
    with db.session() as s:
        rules = list(services.points_rules(s).values())
    data = [{"code": r.code, "name": r.name, "points": r.points, "per_year": r.per_year}
            for r in rules]
    common.emit(args, data, lambda: "\n".join(
        f"{d['code']}  {d['name']}  每次最多{d['points']}分，每年{d['per_year']}次"
        for d in data))
    return 0


def cmd_survey_add(args) -> int:  # noqa: ANN001
    db = common.db_from(args)
    with db.session() as s:
        r = resident_of(s, args.resident)
        row = services.add_satisfaction(s, resident_id=r.id, scores=args.score,
                                        method=args.method, on_date=args.date)
        data = {"id": row.id, "score": row.score, "answers": [int(x) for x in
                                                               row.answers.split(",")],
                "method": row.method, "on_date": row.on_date}
    common.emit(args, data, lambda: f"已登记满意度调查：{data['score']}分")
    return 0


def cmd_push_add(args) -> int:  # noqa: ANN001
    from familydoc_desktop.domain.services import PUSH_CHANNELS

    db = common.db_from(args)
    with db.session() as s:
        people = [resident_of(s, key) for key in args.resident]
        names = {r.id: r.name for r in people}
        rows = services.add_pushes(s, resident_ids=[r.id for r in people], topic=args.topic,
                                   channel=args.channel, on_date=args.date)
        data = {"count": len(rows), "batch_id": rows[0].batch_id, "topic": rows[0].topic,
                "channel": rows[0].channel, "on_date": rows[0].on_date,
                "pushes": [{"id": p.id, "resident_id": p.resident_id,
                            "name": names.get(p.resident_id),
                            "pushes_this_year": services.pushes_this_year(
                                s, p.resident_id, p.on_date)} for p in rows]}
    common.emit(args, data, lambda: (
        f"已登记健康信息推送（{PUSH_CHANNELS[data['channel']]}，{data['on_date']}）：{data['topic']}，"
        f"共 {data['count']} 人\n" + "\n".join(
            f"  {p['name']}  今年第 {p['pushes_this_year']} 次" for p in data["pushes"])))
    return 0
