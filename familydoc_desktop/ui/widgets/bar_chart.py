"""A small horizontal bar chart drawn with QPainter (QtCharts is not in PySide6-Essentials):
one row per category (a village), one bar per series, or the series stacked (the ledger's
red/yellow/green), an optional target line across the rows, the value at the end of each bar.

Bars are drawn without antialiasing in their exact colour, so a test can grab the widget and
check the pixels (`bar_rect`, `target_x` give where they are)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

ROW_HEIGHT = 26
BAR_GAP = 6  # between rows
TITLE_HEIGHT = 28
AXIS_HEIGHT = 22
LEGEND_HEIGHT = 22
TARGET_COLOUR = "#8E44AD"  # purple: never one of the bars' colours (blue, red/yellow/green)
GRID_COLOUR = "#DDDDDD"
TEXT_COLOUR = "#333333"
EMPTY = "—"


@dataclass(frozen=True)
class Series:
    name: str
    colour: str  # "#RRGGBB"
    values: Sequence[float | int | None]


def nice_maximum(value: float) -> float:
    """The axis end for counts: 1, 2, 2.5 or 5 times a power of ten, at least `value`."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value:
            return step * power
    return 10 * power


class BarChart(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = ""
        self.categories: list[str] = []
        self.series: list[Series] = []
        self.stacked = False
        self.maximum = 1.0
        self.target: float | None = None
        self.target_label = ""
        self.percent = True
        self.empty_text = ""
        self._plot: QRectF | None = None  # plot_rect, until the data or the size change
        self._plot_width = -1
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumWidth(360)
        self.setAutoFillBackground(True)

    # -- data -----------------------------------------------------------------------------
    def set_data(self, title: str, categories: Sequence[str], series: Sequence[Series], *,
                 stacked: bool = False, percent: bool = True, target: float | None = None,
                 target_label: str = "", empty_text: str = "") -> None:
        """Percentages run to 100 (or the target/largest value if higher); counts to a round
        number above the largest row (the stacked total)."""
        self.title = title
        self.categories = list(categories)
        self.series = list(series)
        self.stacked = stacked
        self.percent = percent
        self.target = target
        self.target_label = target_label
        self.empty_text = empty_text
        top = max([self._row_total(i) for i in range(len(self.categories))] or [0.0])
        if percent:
            self.maximum = max(100.0, top, target or 0.0)
        else:
            self.maximum = nice_maximum(max(top, target or 0.0))
        self._plot = None
        self.setFixedHeight(self.sizeHint().height())
        self.update()

    def resizeEvent(self, event) -> None:  # noqa: ANN001
        self._plot = None
        super().resizeEvent(event)

    def _row_total(self, row: int) -> float:
        values = [s.values[row] for s in self.series if row < len(s.values)]
        numbers = [float(v) for v in values if v is not None]
        if not numbers:
            return 0.0
        return sum(numbers) if self.stacked else max(numbers)

    # -- geometry (shared by paintEvent and tests) -----------------------------------------
    def sizeHint(self) -> QSize:
        rows = max(len(self.categories), 1)
        return QSize(640, TITLE_HEIGHT + LEGEND_HEIGHT + rows * (ROW_HEIGHT + BAR_GAP)
                     + AXIS_HEIGHT + 8)

    def _metrics(self) -> QFontMetrics:
        return QFontMetrics(self.font())

    def plot_rect(self) -> QRectF:
        if self._plot is None or self._plot_width != self.width():
            self._plot = self._measure_plot()
            self._plot_width = self.width()
        return QRectF(self._plot)

    def _measure_plot(self) -> QRectF:
        fm = self._metrics()
        label_w = max([fm.horizontalAdvance(c) for c in self.categories] or [0]) + 16
        value_w = fm.horizontalAdvance("100.0%") + 16 if self.percent else \
            fm.horizontalAdvance(f"{int(self.maximum):,}") + 16
        left = min(max(label_w, 60), self.width() // 3)
        top = TITLE_HEIGHT + LEGEND_HEIGHT
        height = max(len(self.categories), 1) * (ROW_HEIGHT + BAR_GAP)
        return QRectF(left, top, max(self.width() - left - value_w, 40), height)

    def _x(self, value: float) -> float:
        plot = self.plot_rect()
        return plot.left() + plot.width() * max(0.0, min(value, self.maximum)) / self.maximum

    def row_rect(self, row: int) -> QRectF:
        plot = self.plot_rect()
        y = plot.top() + row * (ROW_HEIGHT + BAR_GAP) + BAR_GAP / 2
        return QRectF(plot.left(), y, plot.width(), ROW_HEIGHT)

    def bar_rect(self, row: int, series: int) -> QRectF | None:
        """Where a value is drawn (None: no value, nothing drawn)."""
        value = self.series[series].values[row] if row < len(self.series[series].values) \
            else None
        if value is None:
            return None
        band = self.row_rect(row)
        if self.stacked:
            before = sum(float(s.values[row] or 0) for s in self.series[:series])
            x0, x1 = self._x(before), self._x(before + float(value))
            return QRectF(x0, band.top() + 3, x1 - x0, band.height() - 6)
        n = len(self.series)
        h = (band.height() - 6) / n
        return QRectF(band.left(), band.top() + 3 + series * h, self._x(float(value)) - band.left(),
                      h)

    def target_x(self) -> float | None:
        return None if self.target is None else self._x(self.target)

    # -- painting -------------------------------------------------------------------------
    def paintEvent(self, _event: QPaintEvent) -> None:
        p = QPainter(self)
        try:
            self._paint(p)
        finally:
            p.end()

    def _paint(self, p: QPainter) -> None:
        fm = self._metrics()
        text = QColor(TEXT_COLOUR)
        title_font = self.font()
        title_font.setBold(True)
        p.setFont(title_font)
        p.setPen(text)
        p.drawText(QRectF(8, 0, self.width() - 16, TITLE_HEIGHT),
                   Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.title)
        p.setFont(self.font())
        self._paint_legend(p, fm)
        plot = self.plot_rect()
        if not self.categories:
            p.drawText(plot, Qt.AlignmentFlag.AlignCenter, self.empty_text)
            return
        # Grid and axis labels.
        ticks = 4
        p.setPen(QPen(QColor(GRID_COLOUR), 1))
        for i in range(ticks + 1):
            x = plot.left() + plot.width() * i / ticks
            p.drawLine(QPointF(x, plot.top()), QPointF(x, plot.bottom()))
        p.setPen(text)
        for i in range(ticks + 1):
            value = self.maximum * i / ticks
            x = plot.left() + plot.width() * i / ticks
            label = f"{value:g}%" if self.percent else f"{value:,.0f}"
            w = fm.horizontalAdvance(label)
            p.drawText(QPointF(x - w / 2, plot.bottom() + fm.ascent() + 4), label)
        # Rows: the label, the bars, the value.
        for row, name in enumerate(self.categories):
            band = self.row_rect(row)
            p.setPen(text)
            p.drawText(QRectF(4, band.top(), plot.left() - 12, band.height()),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                       fm.elidedText(name, Qt.TextElideMode.ElideRight, int(plot.left() - 12)))
            p.setPen(Qt.PenStyle.NoPen)
            for i, series in enumerate(self.series):
                rect = self.bar_rect(row, i)
                if rect is not None and rect.width() > 0:
                    p.fillRect(rect, QColor(series.colour))
            p.setPen(text)
            values = [s.values[row] for s in self.series]
            if self.stacked:
                total = sum(float(v or 0) for v in values)
                shown = f"{total:,.0f}" if any(v is not None for v in values) else EMPTY
                end = self._x(total)
            else:
                numbers = [v for v in values if v is not None]
                shown = " / ".join(self._fmt(v) for v in values) if numbers else EMPTY
                end = self._x(max(float(v) for v in numbers)) if numbers else plot.left()
            p.drawText(QRectF(end + 4, band.top(), self.width() - end - 4, band.height()),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, shown)
        # The target, over the bars.
        tx = self.target_x()
        if tx is not None:
            p.setPen(QPen(QColor(TARGET_COLOUR), 2))
            p.drawLine(QPointF(tx, plot.top()), QPointF(tx, plot.bottom()))

    def _fmt(self, value: float | int) -> str:
        return f"{float(value):.1f}%" if self.percent else f"{value:,}"

    def _paint_legend(self, p: QPainter, fm: QFontMetrics) -> None:
        entries = [(s.colour, s.name) for s in self.series if s.name]
        if self.target is not None and self.target_label:
            entries.append((TARGET_COLOUR, self.target_label))
        x, y = 8.0, TITLE_HEIGHT + (LEGEND_HEIGHT - 12) / 2
        for colour, name in entries:
            p.fillRect(QRectF(x, y, 12, 12), QColor(colour))
            p.setPen(QColor(TEXT_COLOUR))
            p.drawText(QPointF(x + 16, y + 11), name)
            x += 16 + fm.horizontalAdvance(name) + 18
