"""Query and small data-entry commands: search, due, ledger, resident add, visit add,
contract sign. ID numbers and phones are masked in text and JSON unless --unmask."""
from __future__ import annotations

import argparse
from dataclasses import asdict
from datetime import date

from familydoc_desktop.cli import common
from familydoc_desktop.cli.common import CliError
from familydoc_desktop.domain.codes import (
    VISIT_KIND_ZH, CheckupConclusion, Colour, Condition, ContractStatus, Sex, VisitKind,
    VisitMethod, label, visit_class_label)
from familydoc_desktop.domain.checkup import checkup_bmi
from familydoc_desktop.domain.idcard import mask_id, mask_phone
from familydoc_desktop.domain.services import SERVICE_KIND_ZH
from familydoc_desktop.store import audit, contracts, due, ledger, orgs, residents, search, visits


# The due list calls the yearly follow-up of every signed resident `annual_followup`; it is
# recorded as a visit of kind general (年度随访).
ANNUAL_ALIAS = "annual_followup"


def _sub(sub, name: str, help_: str, func) -> argparse.ArgumentParser:
    p = sub.add_parser(name, help=help_, parents=[common.json_parent()])
    p.set_defaults(func=func)
    return p


def register(sub) -> None:  # noqa: ANN001
    p = _sub(sub, "search", "查找居民（姓名、拼音首字母、身份证或电话尾号）", cmd_search)
    p.add_argument("text", nargs="?", default="")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--village", help="村（居）区划代码")
    p.add_argument("--unmask", action="store_true", help="显示完整的身份证号和电话（会记录审计日志）")

    p = _sub(sub, "due", "待办清单（随访、查床、80岁以上老人访视、续签）", cmd_due)
    p.add_argument("--on", type=common.date_arg, help="日期（默认今天）")
    p.add_argument("--kind", action="append", choices=due.KINDS, help="只看某类待办（可重复）")
    p.add_argument("--horizon", type=common.days_arg, default=0, help="包含未来N天内到期的")

    p = _sub(sub, "ledger", "红黄绿三色管理台账", cmd_ledger)
    p.add_argument("--colour", choices=[str(c) for c in Colour])
    p.add_argument("--on", type=common.date_arg, help="查看该日的台账（当日已记录的颜色，默认今天）")
    p.add_argument("--reevaluate", action="store_true", help="先重新评估全部居民")

    res = sub.add_parser("resident", help="居民档案")
    rsub = res.add_subparsers(dest="resident_command", metavar="ACTION", required=True)
    p = _sub(rsub, "add", "登记居民", cmd_resident_add)
    p.add_argument("--name", required=True)
    p.add_argument("--id-number")
    p.add_argument("--sex", help="男/女")
    p.add_argument("--birth-date")
    p.add_argument("--phone")
    p.add_argument("--address")
    p.add_argument("--village", help="村（居）区划代码（12位）")
    p.add_argument("--diagnosis", action="append", default=[],
                   help="疾病:诊断日期，如 hypertension:2020-01-01（可重复）")

    p = _sub(rsub, "show", "显示一位居民的完整档案（签约、随访、家庭病床、台账记录；会记录审计日志）",
             cmd_resident_show)
    p.add_argument("resident", help="居民ID或身份证号")
    p.add_argument("--unmask", action="store_true", help="显示完整的身份证号和电话（会记录审计日志）")

    from familydoc_desktop.cli.duplicates import add_merge_parser
    add_merge_parser(rsub, _sub)

    vis = sub.add_parser("visit", help="随访")
    vsub = vis.add_subparsers(dest="visit_command", metavar="ACTION", required=True)
    p = _sub(vsub, "add", "登记随访", cmd_visit_add)
    p.add_argument("resident", help="居民ID或身份证号")
    p.add_argument("--kind", required=True, choices=[*VISIT_KIND_ZH, ANNUAL_ALIAS],
                   help="随访类型；annual_followup 即 general（签约居民年度随访），checkup 为健康体检")
    p.add_argument("--date", type=common.date_arg, default=None)
    p.add_argument("--method", required=True, choices=["clinic", "home", "phone"])
    p.add_argument("--sbp", type=int)
    p.add_argument("--dbp", type=int)
    p.add_argument("--glucose", type=float)
    p.add_argument("--heart-rate", type=int, help="心率（次/分）")
    p.add_argument("--weight", type=float, help="体重（kg）")
    p.add_argument("--height", type=float, help="身高（cm）")
    p.add_argument("--note", help="备注")
    chk = p.add_argument_group("健康体检（--kind checkup）")
    chk.add_argument("--conclusion", choices=[str(c) for c in CheckupConclusion],
                     help="健康评价：normal 体检无异常，abnormal 有异常")
    chk.add_argument("--findings", help="体检主要结果（有异常时写明异常）")
    chk.add_argument("--lifestyle", help="生活方式（吸烟、饮酒、运动、饮食）")
    chk.add_argument("--advice", help="健康指导")
    p.add_argument("--class", dest="visit_class", help="本次随访分类（不填则按录入值建议）")
    mental = p.add_argument_group("严重精神障碍随访（--kind severe_mental）")
    mental.add_argument("--risk-level", type=int, choices=range(6), help="危险性评估 0-5 级")
    mental.add_argument("--symptoms", choices=["none", "some", "obvious"], help="精神症状")
    mental.add_argument("--insight", choices=["full", "partial", "none"], help="自知力")
    mental.add_argument("--social-function", choices=["good", "fair", "poor"], help="社会功能")
    mental.add_argument("--severe-adverse", action="store_true", help="严重药物不良反应")
    mental.add_argument("--severe-physical", action="store_true", help="严重躯体疾病")

    con = sub.add_parser("contract", help="签约")
    csub = con.add_subparsers(dest="contract_command", metavar="ACTION", required=True)
    p = _sub(csub, "sign", "签约", cmd_contract_sign)
    p.add_argument("resident", help="居民ID或身份证号")
    p.add_argument("--start", type=common.date_arg, default=None)
    p.add_argument("--years", type=int, default=1)
    p.add_argument("--consent-by", default="resident", choices=["resident", "guardian"])
    p.add_argument("--guardian")
    p.add_argument("--package", action="append", default=[], help="服务包代码（可重复）")
    p.add_argument("--fee-preset")
    p = _sub(csub, "print", "把签约服务协议书打印为 PDF（A4）", cmd_contract_print)
    p.add_argument("contract", help="协议ID或协议书上的协议编号")
    p.add_argument("--output", required=True, help="PDF 文件路径（文件夹须已存在）")


def _resident(s, key: str):  # noqa: ANN001
    r = residents.get_resident(s, key) or residents.find_by_id_number(s, key)
    if r is None:
        raise CliError(f"找不到居民：{key}")
    return r


def cmd_search(args) -> int:  # noqa: ANN001
    db = common.db_from(args, create=False)
    with db.session() as s:
        f = search.ResidentFilter(village_code=args.village) if args.village else None
        rows = search.search_residents(s, args.text, filters=f, limit=args.limit)
        total = search.count_residents(s, args.text, filters=f)
        data = []
        for r in rows:
            d = asdict(r)
            if not args.unmask:
                d["id_number"] = mask_id(r.id_number) if r.id_number else None
                d["phone"] = mask_phone(r.phone) if r.phone else None
            data.append(d)
        if args.unmask and rows:
            actor = audit.current_actor(s)  # the account logged in on this PC
            for r in rows:
                audit.log(s, actor, "view_unmasked", "resident", r.id)

    def text() -> str:
        lines = [f"共 {total} 人，显示 {len(data)} 人"]
        for d in data:
            lines.append("  ".join(str(x) for x in (
                d["name"], label(Sex, d["sex"]), d["age"] if d["age"] is not None else "-",
                d["id_number"] or "（无身份证）", d["phone"] or "-",
                label(ContractStatus, d["contract_status"]) if d["contract_status"] else "未签约",
                label(Colour, d["colour"]))).rstrip())
        return "\n".join(lines)
    common.emit(args, data, text)
    return 0


def cmd_resident_show(args) -> int:  # noqa: ANN001
    from familydoc_desktop.store import dossier

    db = common.db_from(args, create=False)
    with db.session() as s:
        data = dossier.resident_dossier(s, args.resident, actor=audit.current_actor(s),
                                        unmask=args.unmask)
    if data is None:
        raise CliError(f"找不到居民：{args.resident}")

    def text() -> str:
        p = data["resident"]
        lines = [f"{p['name']}  {label(Sex, p['sex'])}  {p['birth_date'] or '-'}  "
                 f"{p['id_number'] or '（无身份证）'}  {p['phone'] or '-'}  {p['address'] or ''}".rstrip(),
                 f"居民ID {p['id']}  档案编号 {p['record_no'] or '-'}"]
        lines.append(f"诊断 {len(data['diagnoses'])} 项")
        lines += [f"  {label(Condition, d['condition'])}  {d['start_date']}~{d['end_date'] or ''}"
                  for d in data["diagnoses"]]
        lines.append(f"签约 {len(data['contracts'])} 份")
        lines += [f"  {c['start_date']}~{c['end_date']}  {label(ContractStatus, c['status'])}  服务包 {len(c['packages'])} 个"
                  for c in data["contracts"]]
        lines.append(f"随访 {len(data['visits'])} 次")
        lines += [(f"  {v['visit_date']}  {label(VisitKind, v['kind'])}  {label(VisitMethod, v['method'])}"
                   f"  {visit_class_label(v['visit_class'])}".rstrip()
                   + (f"  【{v['label']}】" if v["label"] else ""))
                  for v in data["visits"]]
        lines.append(f"家庭病床 {len(data['sickbeds'])} 次")
        lines += [f"  {b['admitted_on']}~{b['discharged_on'] or '在床'}  查床 {len(b['rounds'])} 次"
                  for b in data["sickbeds"]]
        lines.append(f"三色台账记录 {len(data['ledger'])} 条")
        lines += [f"  {a['assessed_on']}  {label(Colour, a['colour'])}" + ("（人工调整）" if a["override"] else "")
                  for a in data["ledger"]]
        lines.append(f"转诊 {len(data['referrals'])} 次、其他签约服务 {len(data['services'])} 项")
        lines += [f"  {e['on']}  {SERVICE_KIND_ZH.get(e['kind'], e['kind'])}  {e['detail']}"
                  + (f"  【{e['label']}】" if e["label"] else "") for e in data["services"]]
        return "\n".join(lines)
    common.emit(args, data, text)
    return 0


def cmd_due(args) -> int:  # noqa: ANN001
    db = common.db_from(args, create=False)
    on = args.on or date.today()
    with db.session() as s:
        rows = due.due_list(s, on, kinds=args.kind, horizon_days=args.horizon)
    data = [asdict(r) for r in rows]

    def text() -> str:
        lines = [f"{on.isoformat()} 待办 {len(rows)} 项"]
        for r in rows:
            late = f"逾期{r.overdue_days}天" if r.overdue_days else "未逾期"
            lines.append(f"{due.KIND_ZH[r.kind]}  {r.name}  {r.due_date.isoformat()}  {late}  {r.detail}")
        return "\n".join(lines)
    common.emit(args, data, text)
    return 0


def cmd_ledger(args) -> int:  # noqa: ANN001
    on = args.on or date.today()
    if args.reevaluate and on != date.today():
        # An assessment is a record of the day it is made; a back-dated one would rewrite
        # the ledger's history.
        raise CliError("--reevaluate 按今天的情况重新评估，不能与其他日期的 --on 同用")
    db = common.db_from(args, create=False)
    with db.session() as s:
        if args.reevaluate:
            ledger.reevaluate_all(s, on)
        # --on: the ledger as it stood that day (colours recorded by then, ages that day).
        rows = ledger.ledger_rows(s, colour=args.colour, on=on, as_of=args.on)
        counts = ledger.ledger_counts(s, on=on, as_of=args.on)
    data = [asdict(r) for r in rows]

    def text() -> str:
        lines = ["  ".join(f"{label(Colour, c)} {n}" for c, n in counts.items())]
        for r in rows:
            mark = "（人工调整）" if r.override else ""
            lines.append(f"{label(Colour, r.colour)}{mark}  {r.name}  {r.age if r.age is not None else '-'}岁"
                         f"  {'；'.join(r.reasons)}  自 {r.changed_on.isoformat()}")
        return "\n".join(lines)
    common.emit(args, data, text)
    return 0


def cmd_resident_add(args) -> int:  # noqa: ANN001
    db = common.db_from(args)
    with db.session() as s:
        clinic = orgs.ensure_local_clinic(s)
        dx = []
        for item in args.diagnosis:
            condition, _, start = item.partition(":")
            if not start:
                raise CliError(f"诊断格式应为 疾病:日期，当前为 {item}")
            dx.append((condition, start))
        r = residents.create_resident(s, org_id=clinic.id, name=args.name, sex=args.sex,
                                      birth_date=args.birth_date, id_number=args.id_number,
                                      phone=args.phone, address=args.address,
                                      village_code=args.village,
                                      actor=audit.current_actor(s))
        for condition, start in dx:
            residents.add_diagnosis(s, r.id, condition, start)
        data = {"id": r.id, "name": r.name, "sex": r.sex, "birth_date": r.birth_date,
                "needs_id_match": r.needs_id_match, "record_no": r.record_no}
    common.emit(args, data, f"已登记：{r.name}（{r.id}）" + ("，无身份证号，待核对" if r.needs_id_match else ""))
    return 0


def _mental(args) -> dict | None:  # noqa: ANN001
    """The severe-mental assessment typed on the command line, None when nothing was."""
    given = {k: v for k, v in (("risk_level", args.risk_level), ("symptoms", args.symptoms),
                               ("insight", args.insight),
                               ("social_function", args.social_function)) if v is not None}
    if args.severe_adverse:
        given["severe_adverse_reaction"] = True
    if args.severe_physical:
        given["severe_physical_illness"] = True
    if given and args.kind != "severe_mental":
        raise common.CliError("危险性评估等选项只用于严重精神障碍随访（--kind severe_mental）")
    return given or None


def cmd_visit_add(args) -> int:  # noqa: ANN001
    db = common.db_from(args)
    with db.session() as s:
        r = _resident(s, args.resident)
        kind = str(VisitKind.GENERAL) if args.kind == ANNUAL_ALIAS else args.kind
        out = visits.record_followup(
            s, resident_id=r.id, kind=kind, visit_date=args.date or date.today(),
            method=args.method, sbp=args.sbp, dbp=args.dbp, fasting_glucose=args.glucose,
            heart_rate=args.heart_rate, weight=args.weight, height=args.height,
            visit_class=args.visit_class, mental=_mental(args), note=args.note,
            conclusion=args.conclusion, findings=args.findings, lifestyle=args.lifestyle,
            health_advice=args.advice)
        v = out.visit
        data = {"visit_id": v.id, "kind": v.kind, "visit_date": v.visit_date,
                "visit_class": v.visit_class,
                "conclusion": v.conclusion, "bmi": checkup_bmi(v.weight, v.height),
                "suggested_class": out.suggested_class,
                "next_visit_date": out.visit.next_visit_date,
                "urgent_reasons": out.urgent_reasons, "referral_prompt": out.referral_prompt,
                "warnings": out.warnings,
                "colour": out.assessment.colour if out.assessment else None}

    def text() -> str:
        if data["kind"] == VisitKind.CHECKUP:
            lines = [f"已登记健康体检：{label(CheckupConclusion, data['conclusion'])}"
                     + (f"，BMI {data['bmi']}" if data["bmi"] is not None else "")]
        else:
            lines = [f"已登记{VISIT_KIND_ZH[data['kind']]}"
                     + (f"：{visit_class_label(data['visit_class'])}" if data["visit_class"] else "")
                     + (f"，下次随访 {data['next_visit_date']}" if data["next_visit_date"] else "")]
        lines += [f"紧急转诊提示：{x}" for x in data["urgent_reasons"]]
        if data["referral_prompt"]:
            lines.append("提示：连续两次控制不满意，建议转诊")
        if data["suggested_class"] and data["suggested_class"] != data["visit_class"]:
            lines.append(f"系统建议分类：{visit_class_label(data['suggested_class'])}")
        lines += [f"注意：{w}" for w in data["warnings"]]
        if data["colour"]:
            lines.append(f"三色管理：{label(Colour, data['colour'])}")
        return "\n".join(lines)
    common.emit(args, data, text)
    return 0


def cmd_contract_sign(args) -> int:  # noqa: ANN001
    db = common.db_from(args)
    with db.session() as s:
        r = _resident(s, args.resident)
        clinic = orgs.ensure_local_clinic(s)
        if not contracts.packages(s):
            contracts.seed_package_catalogue(s, clinic.id)
        ids = []
        for code in args.package:
            pkg = contracts.package_by_code(s, code)
            if pkg is None:
                raise CliError(f"找不到服务包：{code}")
            ids.append(pkg.id)
        c = contracts.sign_contract(s, resident_id=r.id, start=args.start or date.today(),
                                    years=args.years, consent_by=args.consent_by,
                                    guardian_name=args.guardian, package_ids=ids,
                                    fee_preset=args.fee_preset)
        data = {"contract_id": c.id, "status": c.status, "start_date": c.start_date,
                "end_date": c.end_date,
                "fee_yuan": (c.fee_public_health_fen + c.fee_insurance_fen + c.fee_personal_fen) / 100}
    common.emit(args, data, f"已签约：{c.start_date.isoformat()} 至 {c.end_date.isoformat()}"
                            f"（{label(ContractStatus, c.status)}）")
    return 0


def cmd_contract_print(args) -> int:  # noqa: ANN001
    from familydoc_desktop.store import audit

    try:  # the agreement is laid out by Qt's text engine (the same as the app's print)
        from familydoc_desktop.ui import printing
    except ImportError:
        raise CliError("打印协议书需要图形界面组件（PySide6），本机未安装") from None
    db = common.db_from(args, create=False)
    try:
        with db.session() as s:
            actor = audit.current_actor(s)
        path = printing.agreement_pdf_headless(db, args.contract, args.output, actor=actor)
    finally:
        db.close()
    common.emit(args, {"output": str(path)}, f"已生成签约服务协议书：{path}")
    return 0
