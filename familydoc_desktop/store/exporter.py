"""Export residents and the ledger to CSV (UTF-8 with BOM, so Excel on Windows reads the
Chinese) or .xlsx (openpyxl write-only, streamed). Every export writes an audit entry
(PIPL: who exported what); the entry holds counts, never personal data.

The resident columns are the importer's headers, so an exported .xlsx imports back unchanged.
"""
from __future__ import annotations

import csv
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Iterator

from sqlalchemy import text
from sqlmodel import Session

from familydoc_desktop.domain.codes import Colour, ContractStatus, Population, Sex, label
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.domain.idcard import mask_id, mask_phone
from familydoc_desktop.domain.wire_values import printable
from familydoc_desktop.store import audit, ledger, search

RESIDENT_COLUMNS = ("姓名", "性别", "出生日期", "身份证号", "联系电话", "现住址", "户号",
                    "与户主关系", "签约状态", "颜色")
LEDGER_COLUMNS = ("颜色", "姓名", "性别", "年龄", "重点人群", "原因", "变更日期", "人工调整")
PAGE = 500
FORMATS = ("csv", "xlsx")
UNSIGNED_ZH = "未签约"


@contextmanager
def _writer(path: Path, fmt: str, sheet: str) -> Iterator:
    """A function that appends one row, for CSV or a write-only workbook."""
    if fmt not in FORMATS:
        raise DomainError("export_format", f"导出格式只能是 csv 或 xlsx，当前为 {fmt}")
    # Never create folders: a typo in the folder must not make one at / or elsewhere.
    if not path.parent.is_dir():
        raise DomainError("export_folder", f"导出文件夹不存在：{path.parent}，请先选择已有的文件夹")
    if fmt == "csv":
        with path.open("w", encoding="utf-8-sig", newline="") as fh:
            yield _clean(csv.writer(fh).writerow)
        return
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet)
    yield _clean(ws.append)
    wb.save(path)


def _clean(write):  # noqa: ANN001, ANN202
    """Text cells with control characters or lone surrogates (in a database from before the
    sync checked values) shown as U+FFFD: an .xlsx cell refuses the first, UTF-8 the second."""
    def row(values) -> None:  # noqa: ANN001
        write([printable(v) if isinstance(v, str) else v for v in values])
    return row


def _relations(session: Session, ids: list[str]) -> dict[str, str | None]:
    names = {f"i{n}": v for n, v in enumerate(ids)}
    return dict(session.execute(text(
        "SELECT id, relation_to_head FROM resident WHERE id IN "
        f"({', '.join(':' + k for k in names)})"), names).all())


def export_residents(session: Session, path: str | Path, fmt: str = "csv", *,
                     filters: search.ResidentFilter | None = None, mask: bool = False,
                     actor: str | None = None, on: date | None = None) -> int:
    """Write the residents matching `filters` (all when None), ordered by name; ID numbers
    and phones masked with `mask`. Returns the number of residents written."""
    on = on or date.today()
    path = Path(path)
    ids = search.search_ids(session, "", filters=filters, limit=10 ** 9, on=on)
    with _writer(path, fmt, "居民") as write:
        write(RESIDENT_COLUMNS)
        for start in range(0, len(ids), PAGE):
            page = ids[start:start + PAGE]
            relations = _relations(session, page)
            for r in search.rows_for(session, page, on):
                id_number, phone = r.id_number or "", r.phone or ""
                if mask:
                    id_number = mask_id(id_number) if id_number else ""
                    phone = mask_phone(phone) if phone else ""
                born = r.birth_date if fmt == "xlsx" else (
                    r.birth_date.isoformat() if r.birth_date else "")
                write((r.name, label(Sex, r.sex), born, id_number, phone, r.address or "",
                       r.household_no or "", relations.get(r.id) or "",
                       label(ContractStatus, r.contract_status) if r.contract_status else UNSIGNED_ZH,
                       label(Colour, r.colour)))
    detail = f"导出居民{len(ids)}人，格式{fmt}" + ("，已脱敏" if mask else "")
    entry = audit.log(session, actor or audit.current_actor(session), "export", "resident", None, detail)
    audit.log_export_items(session, entry, "resident", ids)
    return len(ids)


def export_ledger(session: Session, path: str | Path, colour: str | None = None, *,
                  actor: str | None = None, on: date | None = None, fmt: str | None = None,
                  village_code: str | None = None) -> int:
    """The red-yellow-green ledger (red first); format as given, else from the suffix."""
    path = Path(path)
    fmt = (fmt or path.suffix.lower().lstrip(".") or "xlsx").lower()
    rows = ledger.ledger_rows(session, colour=colour, on=on, village_code=village_code)
    with _writer(path, fmt, "三色管理台账") as write:
        write(LEDGER_COLUMNS)
        for r in rows:
            write((label(Colour, r.colour), r.name, label(Sex, r.sex), r.age if r.age is not None else "",
                   "、".join(label(Population, p) for p in r.populations), "；".join(r.reasons),
                   r.changed_on.isoformat(), "是" if r.override else ""))
    entry = audit.log(session, actor or audit.current_actor(session), "export", "ledger_assessment", None,
                      f"导出三色管理台账{len(rows)}人" + (f"（{label(Colour, colour)}）" if colour else ""))
    audit.log_export_items(session, entry, "resident", [r.resident_id for r in rows])
    return len(rows)


def report_table(report) -> list[list]:  # noqa: ANN001
    """The indicator report as a sheet (domain/report.py: the server writes the same)."""
    from familydoc_desktop.domain.report import report_table as table

    return table(report)


def export_report(session: Session, report, path: str | Path, fmt: str | None = None, *,  # noqa: ANN001
                  actor: str | None = None) -> int:
    """Write the indicator report; returns the number of indicator rows written."""
    path = Path(path)
    fmt = (fmt or path.suffix.lower().lstrip(".") or "xlsx").lower()
    table = report_table(report)
    with _writer(path, fmt, "统计报表") as write:
        for row in table:
            write(row)
    audit.log(session, actor or audit.current_actor(session), "export", None, None,
              f"导出统计报表 {report.start.isoformat()}~{report.end.isoformat()}")
    return len(table) - 2
