"""`familydoc [--json] duplicates` lists candidate pairs of duplicate residents;
`familydoc resident merge KEEP DROP [--yes]` merges DROP into KEEP (irreversible: it names
both and asks, or needs --yes when nobody is at the keyboard). ID numbers are masked."""
from __future__ import annotations

import sys

from familydoc_desktop.cli import common
from familydoc_desktop.cli.common import CliError
from familydoc_desktop.domain.codes import Sex, label
from familydoc_desktop.domain.idcard import mask_id
from familydoc_desktop.store import audit, merge, residents


def register(sub) -> None:  # noqa: ANN001
    p = sub.add_parser("duplicates", help="疑似重复居民（身份证号相同、或姓名出生日期和村相同）",
                       parents=[common.json_parent()])
    p.set_defaults(func=cmd_duplicates)


def add_merge_parser(rsub, make) -> None:  # noqa: ANN001
    """`resident merge`, added to the `resident` group by cli/query.py."""
    p = make(rsub, "merge", "把重复登记的居民合并到保留的一位（不可撤销）", cmd_merge)
    p.add_argument("keep", help="保留的居民（居民ID或身份证号）")
    p.add_argument("drop", help="并入后删除的居民（居民ID）")
    p.add_argument("--yes", action="store_true", help="不再询问，直接合并")


def _summary(r, counts: dict[str, int] | None = None) -> dict:  # noqa: ANN001
    data = {"id": r.id, "name": r.name, "sex": r.sex, "birth_date": r.birth_date,
            "id_number": mask_id(r.id_number) if r.id_number else None,
            "village_code": r.village_code, "needs_id_match": r.needs_id_match,
            "record_no": r.record_no}
    if counts is not None:
        data.update({"contracts": counts["contract"], "visits": counts["followup_visit"],
                     "ledger_rows": counts["ledger_assessment"]})
    return data


def describe(r) -> str:  # noqa: ANN001
    """名（性别，出生日期，身份证 尾号 / 无身份证号，ID 前8位）: names the patient."""
    number = f"身份证 {mask_id(r.id_number)}" if r.id_number else "无身份证号"
    born = r.birth_date.isoformat() if r.birth_date else "出生日期不详"
    return f"{r.name}（{label(Sex, r.sex)}，{born}，{number}，ID {r.id[:8]}…{r.id[-4:]}）"


def cmd_duplicates(args) -> int:  # noqa: ANN001
    db = common.db_from(args)
    with db.session() as s:
        found = merge.find_candidates(s)
        data = [{"kind": c.kind, "reason": c.reason,
                 "keep": _summary(c.keep, merge.record_counts(s, c.keep.id)),
                 "drop": _summary(c.drop, merge.record_counts(s, c.drop.id))} for c in found]
        lines = [f"{i}. {c.reason}\n   保留：{describe(c.keep)}\n   并入：{describe(c.drop)}"
                 f"\n   familydoc resident merge {c.keep.id} {c.drop.id}"
                 for i, c in enumerate(found, 1)]
    common.emit(args, data, "\n".join(lines) if lines else "没有疑似重复的居民")
    return 0


def _find(s, key: str):  # noqa: ANN001, ANN202
    r = residents.get_resident(s, key) or residents.find_by_id_number(s, key)
    if r is None:
        raise CliError(f"找不到居民：{key}（可能已被合并或删除）")
    return r


def cmd_merge(args) -> int:  # noqa: ANN001
    db = common.db_from(args)
    with db.session() as s:
        keep, drop = _find(s, args.keep), _find(s, args.drop)
        question = (f"将把 {describe(drop)} 并入 {describe(keep)}：签约、随访和台账记录全部归到"
                    f"保留的居民，并入的档案删除。合并不可撤销。")
        keep_id, drop_id = keep.id, drop.id
    if not args.yes:
        if not sys.stdin.isatty():
            raise CliError(question + "确认请加 --yes")
        print(question, file=sys.stderr)
        answer = input("确认合并？输入 y 确认，其他任意键取消：").strip().lower()
        if answer not in ("y", "yes", "是"):
            print("已取消，未做任何修改", file=sys.stderr)
            return 1
    with db.session() as s:
        result = merge.merge_residents(s, keep_id, drop_id, actor=audit.current_actor(s))
        kept = s.get(type(keep), keep_id)
        text = f"已合并：{describe(kept)}"
        if result.ended_contracts:
            text += f"；并入居民的在约协议已解约（{len(result.ended_contracts)}份，原因：重复建档合并）"
        text += "".join(f"\n注意：{w}" for w in result.warnings)
        data = {"keep": keep_id, "drop": drop_id, "filled": result.filled,
                "moved": result.moved, "ended_contracts": result.ended_contracts,
                "warnings": result.warnings}
    common.emit(args, data, text)
    return 0
