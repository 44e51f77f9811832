"""疑似重复居民: candidate pairs (an ID number registered on two PCs, or the same name, birth
date and village without an ID number), shown side by side; the merge names both residents
and asks (it cannot be undone), then runs on the DB worker (store/merge.py).

The list is paged like the ledger: the worker reads the first page and the count, the view
asks for more as it scrolls."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout, QGroupBox, QHBoxLayout, QLabel, QMessageBox, QPushButton, QVBoxLayout,
    QWidget,
)

from familydoc_desktop.domain.codes import Sex
from familydoc_desktop.domain.duplicates import ID_CLASH
from familydoc_desktop.domain.idcard import mask_id, mask_phone
from familydoc_desktop.store import merge
from familydoc_desktop.ui import labels
from familydoc_desktop.ui.context import AppContext
from familydoc_desktop.ui.models.rows_table import ROW_ROLE, Column, PagedRowsModel
from familydoc_desktop.ui.taskman import failure_text
from familydoc_desktop.ui.widgets.common import fit_columns, table_view
from familydoc_desktop.ui.widgets.stale import ReloadWhenStale


class DuplicatesScreen(ReloadWhenStale, QWidget):
    FIELDS = ("name", "sex", "birth_date", "id_number", "phone", "address", "village_code",
              "record_no", "registered_on", "contracts", "visits", "ledger_rows")

    def __init__(self, ctx: AppContext, main_window=None) -> None:  # noqa: ANN001
        super().__init__(main_window)
        self.ctx = ctx
        self.main = main_window
        self._stale = True
        self.swapped = False
        self._notice = ""  # what the last merge did, kept above the reloaded list's count
        self._villages: dict[str, str] | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 12, 16, 12)
        bar = QHBoxLayout()
        title = QLabel(self.tr("Possible duplicate residents"), self)
        title.setObjectName("heading")
        bar.addWidget(title)
        bar.addStretch(1)
        self.refresh_button = QPushButton(self.tr("Refresh"), self)
        self.refresh_button.clicked.connect(self.reload)
        bar.addWidget(self.refresh_button)
        layout.addLayout(bar)
        hint = QLabel(self.tr(
            "Residents registered twice: the same ID number entered on two PCs, or the same "
            "name, birth date and village without an ID number. The merged resident keeps "
            "every contract, visit and ledger record of both."), self)
        hint.setWordWrap(True)
        layout.addWidget(hint)
        self.model = PagedRowsModel([
            Column(self.tr("Why"), self.reason),
            Column(self.tr("Name"), lambda p: p.keep.name),
            Column(self.tr("Sex"), lambda p: labels.label(Sex, p.keep.sex)),
            Column(self.tr("Birth date"), lambda p: p.keep.birth_date),
            Column(self.tr("Kept: ID number"), lambda p: self.id_text(p.keep)),
            Column(self.tr("Merged: ID number"), lambda p: self.id_text(p.drop)),
            Column(self.tr("Village"), lambda p: self.village(p.keep.village_code)),
        ], self._page, self)
        self.view = table_view(self)
        self.view.setModel(self.model)
        fit_columns(self.view, (230, 80, 50, 100, 170, 170, 110))
        self.view.selectionModel().currentRowChanged.connect(lambda *_: self._show_pair())
        layout.addWidget(self.view, 1)

        sides = QHBoxLayout()
        self.keep_box, self.keep_values = self._side(self.tr("Kept"))
        self.drop_box, self.drop_values = self._side(self.tr("Merged into it, then removed"))
        sides.addWidget(self.keep_box, 1)
        sides.addWidget(self.drop_box, 1)
        layout.addLayout(sides)
        buttons = QHBoxLayout()
        self.swap_button = QPushButton(self.tr("Swap: keep the other one"), self)
        self.swap_button.clicked.connect(self.swap)
        self.merge_button = QPushButton(self.tr("Merge…"), self)
        self.merge_button.clicked.connect(self.merge_selected)
        self.open_keep_button = QPushButton(self.tr("Open kept record"), self)
        self.open_keep_button.clicked.connect(lambda: self.open_side(0))
        self.open_drop_button = QPushButton(self.tr("Open merged record"), self)
        self.open_drop_button.clicked.connect(lambda: self.open_side(1))
        buttons.addWidget(self.open_keep_button)
        buttons.addWidget(self.open_drop_button)
        buttons.addStretch(1)
        buttons.addWidget(self.swap_button)
        buttons.addWidget(self.merge_button)
        layout.addLayout(buttons)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        ctx.data_changed.connect(self._on_data_changed)
        ctx.reveal_changed.connect(lambda _on: (self.model.layoutChanged.emit(),
                                                self._show_pair()))
        self._show_pair()

    # ---- text ---------------------------------------------------------------------------
    def reason(self, pair) -> str:  # noqa: ANN001
        if pair.kind == ID_CLASH:
            return self.tr("Same ID number, registered on two PCs")
        return self.tr("Same name, birth date and village")

    def id_text(self, person) -> str:  # noqa: ANN001
        if not person.id_number:
            return self.tr("none (to be checked)") if person.needs_id_match else self.tr("none")
        return person.id_number if self.ctx.reveal else mask_id(person.id_number)

    def describe(self, person) -> str:  # noqa: ANN001
        """Name, sex, birth date and ID number: how the question names a resident."""
        born = person.birth_date.isoformat() if person.birth_date else self.tr("birth date unknown")
        return (self.tr("%1 (%2, %3, ID number %4)").replace("%1", person.name)
                .replace("%2", labels.label(Sex, person.sex)).replace("%3", born)
                .replace("%4", self.id_text(person)))

    def village(self, code: str | None) -> str:
        """The village's name, not its 12-digit code."""
        if not code:
            return ""
        if self._villages is None:
            from familydoc_desktop.ui.villages import villages
            with self.ctx.session() as s:
                self._villages = dict(villages(s))
        return self._villages.get(code, code)

    def _side(self, title: str) -> tuple[QGroupBox, dict[str, QLabel]]:
        box = QGroupBox(title, self)
        grid = QGridLayout(box)
        names = {"name": self.tr("Name"), "sex": self.tr("Sex"),
                 "birth_date": self.tr("Birth date"), "id_number": self.tr("ID number"),
                 "phone": self.tr("Phone"), "address": self.tr("Address"),
                 "village_code": self.tr("Village"), "record_no": self.tr("Health record no."),
                 "registered_on": self.tr("Registered on"), "contracts": self.tr("Contracts"),
                 "visits": self.tr("Follow-ups"), "ledger_rows": self.tr("Ledger records")}
        values = {}
        for i, key in enumerate(self.FIELDS):
            grid.addWidget(QLabel(names[key], box), i // 2, (i % 2) * 2)
            value = QLabel(box)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            grid.addWidget(value, i // 2, (i % 2) * 2 + 1)
            values[key] = value
        return box, values

    def _value(self, person, key: str) -> str:  # noqa: ANN001
        if key == "sex":
            return labels.label(Sex, person.sex)
        if key == "id_number":
            return self.id_text(person)
        if key == "phone":
            phone = person.phone or ""
            return phone if self.ctx.reveal or not phone else mask_phone(phone)
        if key == "village_code":
            return self.village(person.village_code)
        value = getattr(person, key)
        return "" if value is None else str(value)

    # ---- list ---------------------------------------------------------------------------
    def _page(self, offset: int, limit: int) -> list:
        with self.ctx.session() as s:
            return merge.candidate_rows(s, offset=offset, limit=limit)[0]

    def reload(self) -> None:
        self._stale = False
        self._villages = None  # a sync may have brought clinics
        limit = self.model.PAGE
        db = self.ctx.db

        def work(_p):  # noqa: ANN001, ANN202
            with db.session() as s:
                return merge.candidate_rows(s, limit=limit)

        self.status.setText(self.tr("Loading…"))
        self.ctx.task(work, success=self._loaded,
                      failure=lambda e: self.status.setText(failure_text(e)))

    def _loaded(self, result) -> None:  # noqa: ANN001
        rows, total = result
        self.model.set_first_page(rows, total)
        if rows:
            self.view.selectRow(0)
            text = self.tr("Possible duplicates: %1").replace("%1", str(total))
        else:
            text = self.tr("No possible duplicates.")
        self.status.setText(f"{self._notice} {text}".strip())
        self._notice = ""
        self._show_pair()

    def selected(self):  # noqa: ANN201
        """(kept, merged) of the selected pair as the doctor has arranged them, or None."""
        index = self.view.currentIndex()
        pair = index.data(ROW_ROLE) if index.isValid() else None
        if pair is None:
            return None
        return (pair.drop, pair.keep) if self.swapped else (pair.keep, pair.drop)

    def _show_pair(self) -> None:
        chosen = self.selected()
        for values, person in ((self.keep_values, chosen and chosen[0]),
                               (self.drop_values, chosen and chosen[1])):
            for key, lab in values.items():
                lab.setText(self._value(person, key) if person else "")
        for button in (self.merge_button, self.swap_button, self.open_keep_button,
                       self.open_drop_button):
            button.setEnabled(chosen is not None)

    def open_side(self, side: int) -> None:
        """The whole record of one of the two, to check before merging (0 kept, 1 merged)."""
        chosen = self.selected()
        if chosen is None:
            return
        from familydoc_desktop.ui.screens import resident_form
        resident_form.open_record(self.ctx, chosen[side].id, self)

    def swap(self) -> None:
        self.swapped = not self.swapped
        self._show_pair()

    # ---- merge --------------------------------------------------------------------------
    def merge_selected(self) -> None:
        chosen = self.selected()
        if chosen is None:
            return
        keep, drop = chosen
        answer = QMessageBox.question(
            self, self.tr("Merge residents"),
            self.tr("Merge %1 into %2?\n\nEvery contract, follow-up and ledger record of the "
                    "first goes to the second, and the first record is removed. If both have "
                    "a contract in force, the merged one's is ended. This cannot be undone.")
            .replace("%1", self.describe(drop)).replace("%2", self.describe(keep)),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No)
        if answer != QMessageBox.StandardButton.Yes:
            return
        db, actor = self.ctx.db, self.ctx.actor
        keep_id, drop_id = keep.id, drop.id

        def work(_p):  # noqa: ANN001, ANN202
            with db.session() as s:
                return merge.merge_residents(s, keep_id, drop_id, actor=actor)

        def done(result) -> None:  # noqa: ANN001
            self.swapped = False
            self.merge_button.setEnabled(True)
            self._notice = " ".join([self.tr("Merged into %1.").replace(
                "%1", self.describe(keep)), *result.warnings])
            self.status.setText(self._notice)
            self.ctx.notify("*")
            if self._stale:  # notify reloads a visible screen; else here
                self.reload()

        def failed(exc: BaseException) -> None:
            self.merge_button.setEnabled(True)
            self.status.setText(failure_text(exc))

        self.merge_button.setEnabled(False)
        self.ctx.task(work, success=done, failure=failed, label=self.tr("Merging…"),
                      parent=self, cancellable=False)
