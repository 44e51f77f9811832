"""The other contracted services from the command line: two-way referral (more follow)."""
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
