"""The indicator report's shape and rules, shared by the desktop (store/report.py, counting on
the PC) and the sync server (sync_server/services/indicators.py, counting in SQL): the period
defaults, the report and its rows, fen to yuan, the order of the group rows, the JSON shape
and the sheet. What each indicator counts is in domain/indicators.py.
"""
from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Mapping

from familydoc_desktop.domain import indicators as ind

TOTAL_ZH = "合计"
FEE_CODES = ("fee_public_health", "fee_insurance", "fee_personal")  # counted in fen


def report_period(on: date | None = None, start: date | None = None,
                  end: date | None = None, *, today: date | None = None) -> tuple[date, date, date]:
    """(on, start, end): the report date defaults to today, the period to 1 January of on's
    year through on. Raises DomainError for a period that starts after it ends or ends after
    the report date."""
    on = on or today or date.today()
    start = start or date(on.year, 1, 1)
    end = end or on
    ind.check_period(start, end, on)
    return on, start, end


@dataclass
class ReportRow:
    key: str | None  # None for the total row
    label: str
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def values(self) -> dict[str, int | float | None]:
        return ind.with_rates(self.counts)


@dataclass
class Report:
    on: date
    start: date
    end: date
    by: str | None
    rows: list[ReportRow]  # the total first, then one per group by label

    @property
    def total(self) -> ReportRow:
        return self.rows[0]

    @classmethod
    def from_json(cls, data: Mapping) -> "Report":
        """A report back from its JSON (e.g. the server's GET /reports/indicators): the counts
        of every row; its rates are computed from them as in to_json, so the round trip is
        exact. Raises KeyError/ValueError/TypeError for something that is not a report."""
        rows = []
        for r in data["rows"]:
            counts: dict[str, int] = defaultdict(int)
            for code in ind.COUNT_CODES:
                value = r.get(code, 0)
                if not isinstance(value, (int, float)) or isinstance(value, bool):
                    raise TypeError(code)
                counts[code] = value
            rows.append(ReportRow(r.get("key"), str(r["label"]), counts))
        if not rows:
            raise ValueError("no rows")
        return cls(on=date.fromisoformat(data["on"]), start=date.fromisoformat(data["start"]),
                   end=date.fromisoformat(data["end"]), by=data.get("by"), rows=rows)

    def to_json(self) -> dict:
        return {"on": self.on.isoformat(), "start": self.start.isoformat(),
                "end": self.end.isoformat(), "by": self.by,
                "indicators": [{"code": i.code, "name": i.name_zh, "unit": i.unit}
                               for i in ind.INDICATORS],
                "rows": [{"key": r.key, "label": r.label, **r.values} for r in self.rows]}


def fees_to_yuan(row: ReportRow) -> None:
    """Fees are counted in fen; the report shows yuan (and their total)."""
    fen = [row.counts.get(k, 0) for k in FEE_CODES]
    row.counts["fee_total"] = sum(fen)
    for k in (*FEE_CODES, "fee_total"):
        row.counts[k] = round(row.counts.get(k, 0) / 100, 2)


def sorted_groups(groups: Iterable[ReportRow]) -> list[ReportRow]:
    """Named groups by label; the "none" group (key None) last."""
    return sorted(groups, key=lambda r: (r.key is None, r.label, r.key or ""))


def build_report(on: date, start: date, end: date, by: str | None,
                 group_counts: Mapping[str | None, Mapping[str, int]],
                 labels: Mapping[str | None, str]) -> Report:
    """The report from counts per group (fees in fen): the total is their sum (every count
    is added to the total and to its group alike); without `by`, only the total."""
    total = ReportRow(None, TOTAL_ZH)
    groups = []
    for key, counts in group_counts.items():
        row = ReportRow(key, labels.get(key, key or ""))
        for code, n in counts.items():
            row.counts[code] += n
            total.counts[code] += n
        groups.append(row)
    rows = [total, *(sorted_groups(groups) if by is not None else [])]
    for row in rows:
        fees_to_yuan(row)
    return Report(on=on, start=start, end=end, by=by, rows=rows)


def report_table(report: Report) -> list[list]:
    """The indicator report as a sheet: a title line, then one row per indicator with the
    total and one column per group; a rate nobody was counted under is "—"."""
    title = (f"家庭医生签约服务统计报表  统计期 {report.start.isoformat()} 至 {report.end.isoformat()}"
             f"  统计日期 {report.on.isoformat()}")
    head = ["指标", "单位", *(r.label for r in report.rows)]
    values = [r.values for r in report.rows]

    def cell(unit: str, value):  # noqa: ANN001, ANN202
        if value is None:
            return "—"
        return f"{value:.2f}" if unit == "元" else value

    body = [[i.name_zh, i.unit, *(cell(i.unit, v[i.code]) for v in values)]
            for i in ind.INDICATORS]
    return [[title], head, *body]


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * max(0, width - _width(text))
    return gap + text if right else text + gap


def format_table(table: list[list]) -> str:
    """Columns aligned for a terminal, counting a Chinese character as two cells."""
    title, *rows = table
    cells = [[str(c) for c in row] for row in rows]
    widths = [max(_width(row[i]) for row in cells) for i in range(len(cells[0]))]
    lines = [str(title[0])]
    for n, row in enumerate(cells):
        lines.append("  ".join(_pad(c, widths[i], right=i >= 2 and n > 0)
                               for i, c in enumerate(row)).rstrip())
    return "\n".join(lines)
