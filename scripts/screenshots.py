"""Save a screenshot of every main screen, on a demo township, into docs/screenshots/ at
1366x768 (the common village-clinic laptop screen). Runs headless:

    QT_QPA_PLATFORM=offscreen python scripts/screenshots.py [--residents 6000] [--lang zh_CN]
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "docs" / "screenshots"
SIZE = (1366, 768)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--residents", type=int, default=6000)
    parser.add_argument("--lang", default="zh_CN")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()

    from familydoc_desktop.store import bulk, search
    from familydoc_desktop.store.database import Database
    from familydoc_desktop.ui.app import build_window, make_application

    app = make_application(lang=args.lang)
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(Path(tmp) / "familydoc.db")
        bulk.load_demo(db, residents=args.residents, seed=7)
        ctx, window = build_window(db)
        window.resize(*SIZE)
        window.show()

        def settle() -> None:
            for _ in range(5):
                app.processEvents()
            ctx.tasks.wait_idle()
            for _ in range(5):
                app.processEvents()

        def shoot(widget, name: str) -> None:  # noqa: ANN001
            settle()
            path = args.out / f"{name}.png"
            widget.grab().save(str(path))
            print(path.relative_to(ROOT) if path.is_relative_to(ROOT) else path)

        for key in ("home", "residents", "ledger", "sickbeds", "services", "reports",
                    "import_export", "sync", "settings"):
            window.show_screen(key)
            shoot(window, key)
        services_screen = window.show_screen("services")
        for index, name in enumerate(("services_referrals", "services_prescriptions",
                                      "services_shortages", "services_points",
                                      "services_pushes", "services_surveys")):
            services_screen.tabs.setCurrentIndex(index)
            shoot(window, name)
        pushes = services_screen.pushes
        services_screen.tabs.setCurrentWidget(pushes)
        pushes.village_combo.setCurrentIndex(1)  # one village's signed residents short of 12
        settle()
        view = pushes.view
        view.selectRow(0)
        view.selectionModel().select(pushes.model.index(2, 0), view.selectionModel()
                                     .SelectionFlag.Select | view.selectionModel()
                                     .SelectionFlag.Rows)
        shoot(window, "services_pushes_village")

        # Dialogs of the day, on a real resident of the demo township.
        with ctx.session() as s:
            rows = search.search_residents(
                s, "", filters=search.ResidentFilter(population="hypertension",
                                                     contract_status="active"), limit=1)
        rid = rows[0].id
        from familydoc_desktop.ui.screens.contract_wizard import ContractWizard
        from familydoc_desktop.ui.screens.followup_form import FollowupForm
        from familydoc_desktop.ui.screens.login_dialog import LoginDialog
        from familydoc_desktop.ui.screens.resident_form import ResidentForm

        form = ResidentForm(ctx, rid, window)
        form.show()
        shoot(form, "resident_form")
        form.dirty = False
        form.close()

        new = ResidentForm(ctx, None, window)
        new.show()
        new.id_edit.setText("11010519491231002X")
        shoot(new, "resident_new")
        new.dirty = False
        new.close()

        with ctx.session() as s:
            unsigned = search.search_residents(
                s, "", filters=search.ResidentFilter(contract_status=search.UNSIGNED), limit=1)
        wizard = ContractWizard(ctx, unsigned[0].id if unsigned else rid, parent=window)
        wizard.show()
        shoot(wizard, "contract_wizard_1")
        wizard.next()
        shoot(wizard, "contract_wizard_2")
        wizard.next()
        shoot(wizard, "contract_wizard_3")
        wizard.next()
        shoot(wizard, "contract_wizard_4")
        wizard.reject()

        visit = FollowupForm(ctx, rid, "hypertension", window)
        visit.show()
        visit.fields["sbp"].setText("182")
        visit.fields["dbp"].setText("104")
        shoot(visit, "followup_hypertension")
        visit.dirty = False
        visit.close()

        with ctx.session() as s:
            old = search.search_residents(
                s, "", filters=search.ResidentFilter(population="aged_80"), limit=1)
        if old:
            elderly = FollowupForm(ctx, old[0].id, "elderly_80", window)
            elderly.show()
            shoot(elderly, "followup_elderly_80")
            elderly.dirty = False
            elderly.close()

        with ctx.session() as s:
            aged = search.search_residents(
                s, "", filters=search.ResidentFilter(population="aged_65",
                                                     contract_status="active"), limit=1)
        if aged:
            chk = FollowupForm(ctx, aged[0].id, "checkup", window)
            chk.show()
            for key, value in (("sbp", "146"), ("dbp", "88"), ("heart_rate", "76"),
                               ("weight", "68.5"), ("height", "165"), ("fasting_glucose", "6.4")):
                chk.fields[key].setText(value)
            chk.lifestyle_edit.setText("吸烟30年，每日约10支；偶尔饮酒；每日散步")
            chk.findings_edit.setPlainText("血压偏高；空腹血糖受损（6.4 mmol/L）；心肺未见异常")
            chk.conclusion_combo.setCurrentIndex(chk.conclusion_combo.findData("abnormal"))
            chk.advice_edit.setText("戒烟限酒，低盐饮食；三个月后复查血糖")
            shoot(chk, "followup_checkup")
            chk.dirty = False
            chk.close()

        with ctx.session() as s:
            mental = search.search_residents(
                s, "", filters=search.ResidentFilter(population="severe_mental"), limit=1)
        if mental:
            form = FollowupForm(ctx, mental[0].id, "severe_mental", window)
            form.show()
            form.risk_combo.setCurrentIndex(form.risk_combo.findData(3))
            shoot(form, "followup_severe_mental")
            form.dirty = False
            form.close()

        from familydoc_desktop.ui.screens.prescription_dialog import PrescriptionDialog
        from familydoc_desktop.ui.screens.referral_dialog import ReferralDialog
        from familydoc_desktop.ui.screens.service_dialogs import PointsDialog, ShortageDialog
        for cls, name in ((ReferralDialog, "referral_dialog"),
                          (PrescriptionDialog, "prescription_dialog"),
                          (ShortageDialog, "shortage_dialog"), (PointsDialog, "points_dialog")):
            dialog = cls(ctx, rid, window)
            dialog.show()
            shoot(dialog, name)
            dialog.dirty = False
            dialog.close()

        from familydoc_desktop.ui.screens.pushes import PushDialog
        settle()
        push = PushDialog(ctx, [r.id for r in pushes.selected_rows()], pushes.village_combo
                          .currentText() + "：" + "、".join(r.name for r in pushes.selected_rows()),
                          window)
        push.topic_combo.setCurrentIndex(0)
        push.show()
        shoot(push, "push_dialog")
        push.dirty = False
        push.close()
        _seed_duplicates(ctx)
        window.show_screen("duplicates")
        shoot(window, "duplicates")

        login = LoginDialog(ctx, window)
        login.show()
        shoot(login, "login_dialog")
        login.close()
        window.sync.stop()
        window.close()
        ctx.tasks.wait_idle()
        db.close()
    return 0


def _seed_duplicates(ctx) -> None:  # noqa: ANN001
    """Two second registrations of demo residents: one as sync leaves an ID number entered
    on two PCs (the later copy flagged, the pair remembered), one made without the number."""
    import json

    from sqlmodel import select

    from familydoc_desktop.domain.models import Resident, SyncState
    from familydoc_desktop.store import merge, residents

    with ctx.session() as s:
        found = s.exec(select(Resident).where(Resident.id_number.is_not(None),
                                              Resident.village_code.is_not(None),
                                              Resident.deleted == False)  # noqa: E712
                       .order_by(Resident.id).limit(2)).all()
        pairs = {}
        for i, r in enumerate(found):
            copy = residents.create_resident(
                s, org_id=r.org_id, name=r.name, sex=r.sex, birth_date=r.birth_date,
                village_code=r.village_code, phone=r.phone, address=r.address)
            if i == 0:
                pairs[copy.id] = r.id
        s.merge(SyncState(key=merge.CLASH_KEY, value=json.dumps(pairs)))


if __name__ == "__main__":
    sys.exit(main())
