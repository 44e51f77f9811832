"""Health-information pushes (健康信息推送, seed 001 item 1: >= 12 a year per signed resident):
the list of signed residents still short of 12 this year (a lazy list over an indexed store
query, filtered by village and key population), and the form recording one push to the
selected residents, to everyone the list shows, or to one resident from the record."""
from __future__ import annotations

import json
from datetime import date

from PySide6.QtWidgets import (
    QAbstractItemView, QCheckBox, QComboBox, QDialog, QDialogButtonBox, QHBoxLayout, QLabel,
    QPushButton, QVBoxLayout, QWidget,
)

from familydoc_desktop.domain.codes import Population
from familydoc_desktop.domain.services import PUSH_CHANNELS, PUSHES_PER_YEAR
from familydoc_desktop.store import services
from familydoc_desktop.ui import labels, villages
from familydoc_desktop.ui.context import AppContext
from familydoc_desktop.ui.models.rows_table import ROW_ROLE, Column, PagedRowsModel
from familydoc_desktop.ui.screens.service_dialogs import ServiceDialog
from familydoc_desktop.ui.taskman import failure_text
from familydoc_desktop.ui.widgets.common import date_edit, fit_columns, from_qdate, table_view


def push_topics() -> list[str]:
    from familydoc_desktop import resources
    with resources.path("lists", "push_topics.json").open(encoding="utf-8") as fh:
        return list(json.load(fh).get("topics", []))


class PushDialog(ServiceDialog):
    """One push (topic, channel, day) to one resident or a group at once. A large group (a
    township's whole list: tens of thousands of rows) is written on the DB worker under the
    progress dialog, the form waiting with Save disabled."""

    table = "health_push"
    BACKGROUND_FROM = 1000  # residents

    def __init__(self, ctx: AppContext, resident_ids: list[str], who: str,
                 parent: QWidget | None = None) -> None:
        super().__init__(ctx, "", parent)
        self.resident_ids = list(resident_ids)
        self.setWindowTitle(self.tr("Health information push"))
        self.who_label = QLabel(who, self)
        self.who_label.setWordWrap(True)
        self.mark_label = QLabel(labels.public_health_mark("health_push"), self)
        self.mark_label.setObjectName("publicHealthMark")
        self.mark_label.setStyleSheet("color: #1565c0; font-weight: bold;")
        self.topic_combo = QComboBox(self)
        self.topic_combo.setEditable(True)
        self.topic_combo.addItems(push_topics())
        self.topic_combo.setCurrentIndex(-1)
        self.topic_combo.lineEdit().setMaxLength(200)
        self.topic_combo.lineEdit().setPlaceholderText(self.tr("Choose or type the topic"))
        self.channel_combo = QComboBox(self)
        for code in PUSH_CHANNELS:
            self.channel_combo.addItem(labels.push_channel_label(code), code)
        self.date_edit = date_edit(date.today(), self)
        self.form.addRow(self.tr("To"), self.who_label)
        self.form.addRow(self.tr("Service"), self.mark_label)
        self.form.addRow(self.tr("Topic *"), self.topic_combo)
        self.form.addRow(self.tr("Channel"), self.channel_combo)
        self.form.addRow(self.tr("Date"), self.date_edit)
        self.finish(self.tr("Record push"), self.tr("Cancel"), self.topic_combo,
                    self.channel_combo, self.date_edit)
        self.save_button = self.findChild(QDialogButtonBox).button(
            QDialogButtonBox.StandardButton.Save)

    def _values(self) -> dict:
        return {"resident_ids": self.resident_ids, "topic": self.topic_combo.currentText(),
                "channel": self.channel_combo.currentData(),
                "on_date": from_qdate(self.date_edit.date())}

    def store(self, session):  # noqa: ANN001, ANN201
        return services.add_pushes(session, **self._values())

    def save(self) -> bool:
        if len(self.resident_ids) < self.BACKGROUND_FROM:
            return super().save()
        from familydoc_desktop.domain import services as rules
        from familydoc_desktop.domain.errors import DomainError
        from familydoc_desktop.ui.widgets.common import show_error
        values = self._values()
        show_error(self.error, None)
        try:  # what can be refused at once is, before the long write starts
            rules.check_topic(values["topic"])
            rules.check_channel(values["channel"])
            rules.check_push_date(values["on_date"], date.today())
        except DomainError as exc:
            show_error(self.error, failure_text(exc))
            return False
        self.save_button.setEnabled(False)

        def work(_p):  # noqa: ANN001, ANN202
            with self.ctx.db.session() as s:
                return services.push_to_group(s, **values)

        def done(count: int) -> None:
            self.saved = count
            self.ctx.notify(self.table)
            self.dirty = False
            QDialog.accept(self)

        def failed(exc: BaseException) -> None:
            self.save_button.setEnabled(True)
            show_error(self.error, failure_text(exc))

        self.ctx.task(work, success=done, failure=failed, parent=self,
                      label=self.tr("Recording the push for %1 residents…").replace(
                          "%1", str(len(self.resident_ids))), cancellable=False)
        return False


class PushesTab(QWidget):
    """Signed residents and their pushes this year, those short of 12 first."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.village_combo = QComboBox(self)
        self.village_combo.addItem(self.tr("All villages"), None)
        with ctx.session() as s:
            for code, name in villages.villages(s):
                self.village_combo.addItem(name, code)
        self.population_combo = QComboBox(self)
        self.population_combo.addItem(self.tr("Every signed resident"), None)
        for pop in Population:
            self.population_combo.addItem(labels.label(Population, pop), str(pop))
        self.short_check = QCheckBox(self.tr("Only those short of %1 this year")
                                     .replace("%1", str(PUSHES_PER_YEAR)), self)
        self.short_check.setChecked(True)
        for signal in (self.village_combo.currentIndexChanged,
                       self.population_combo.currentIndexChanged):
            signal.connect(lambda _i: self.reload())
        self.short_check.toggled.connect(lambda _c: self.reload())
        self.count_label = QLabel(self)
        # Every push is health education, a basic public health service (seed 001 item 5).
        self.mark_label = QLabel(labels.public_health_mark("health_push"), self)
        self.mark_label.setStyleSheet("color: #1565c0; font-weight: bold;")
        self.selected_button = QPushButton(self.tr("Push to selected…"), self)
        self.selected_button.clicked.connect(lambda _c=False: self.push_selected())
        self.all_button = QPushButton(self.tr("Push to everyone listed…"), self)
        self.all_button.clicked.connect(lambda _c=False: self.push_listed())
        for w in (self.mark_label, self.village_combo, self.population_combo, self.short_check,
                  self.count_label):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.selected_button)
        bar.addWidget(self.all_button)
        layout.addLayout(bar)
        self.model = PagedRowsModel([
            Column(self.tr("Resident"), lambda r: r.name),
            Column(self.tr("Village"), lambda r: self.village_names.get(
                r.village_code or "", r.village_code)),
            Column(self.tr("Pushes this year"), lambda r: r.pushes, align_right=True),
            Column(self.tr("Still owed"), lambda r: r.short or "", align_right=True,
                   colour=lambda r: "#c62828" if r.short else "#2e7d32"),
        ], self._page, self)
        self.village_names = {self.village_combo.itemData(i): self.village_combo.itemText(i)
                              for i in range(1, self.village_combo.count())}
        self.view = table_view(self)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setModel(self.model)
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._buttons())
        fit_columns(self.view, (140, 120, 110))
        layout.addWidget(self.view, 1)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self._buttons()

    def filters(self) -> dict:
        return {"village_code": self.village_combo.currentData(),
                "population": self.population_combo.currentData(),
                "short_only": self.short_check.isChecked()}

    def _page(self, offset: int, limit: int) -> list:
        with self.ctx.session() as s:
            return services.push_due_list(s, offset=offset, limit=limit, **self.filters())

    def reload(self) -> None:
        filters, limit = self.filters(), self.model.PAGE

        def work(_p):  # noqa: ANN001, ANN202
            with self.ctx.db.session() as s:
                return (services.push_due_list(s, limit=limit, **filters),
                        services.push_due_count(s, **filters))

        self.status.setText(self.tr("Loading…"))
        self.ctx.task(work, success=self._loaded,
                      failure=lambda e: self.status.setText(failure_text(e)))

    def _loaded(self, result) -> None:  # noqa: ANN001
        rows, total = result
        self.model.set_first_page(rows, total)
        year = date.today().year
        if self.short_check.isChecked():
            text = self.tr("%1 signed residents have had fewer than %2 pushes in %3")
        else:
            text = self.tr("%1 signed residents; pushes each had in %3 (at least %2 a year)")
        self.count_label.setText(text.replace("%1", str(total))
                                 .replace("%2", str(PUSHES_PER_YEAR)).replace("%3", str(year)))
        self.status.setText("" if total else self.tr("Nobody to list."))
        self._buttons()

    def selected_rows(self) -> list:
        rows = [i.data(ROW_ROLE) for i in self.view.selectionModel().selectedRows()]
        return [r for r in rows if r is not None]

    def _buttons(self) -> None:
        self.selected_button.setEnabled(bool(self.selected_rows()))
        self.all_button.setEnabled(self.model.total > 0)

    def push_selected(self) -> PushDialog | None:
        rows = self.selected_rows()
        if not rows:
            return None
        names = "、".join(r.name for r in rows[:5])
        who = names if len(rows) <= 5 else self.tr("%1 and %2 others").replace(
            "%1", names).replace("%2", str(len(rows) - 5))
        return self._push([r.id for r in rows], who)

    def push_listed(self) -> PushDialog | None:
        with self.ctx.session() as s:
            ids = services.push_due_ids(s, **self.filters())
        if not ids:
            return None
        group = " · ".join(x for x in (self.village_combo.currentText(),
                                        self.population_combo.currentText(),
                                        self.short_check.text() if self.short_check.isChecked()
                                        else "") if x)
        return self._push(ids, self.tr("%1 residents (%2)").replace("%1", str(len(ids)))
                          .replace("%2", group))

    def _push(self, ids: list[str], who: str) -> PushDialog:
        dialog = PushDialog(self.ctx, ids, who, self)
        dialog.exec()
        return dialog
