"""The pure indicator tally (domain/report_tally.py): rows in, the report out, whatever form the
dates come in and whatever rows a reader left in."""
import gc
from datetime import date

import pytest

from familydoc_desktop.domain.report_tally import Rows, gc_paused, tally, window

ON, START, END = date(2026, 6, 30), date(2026, 1, 1), date(2026, 6, 30)


def _rows(as_text: bool) -> Rows:
    d = (lambda x: x.isoformat() if x else x) if as_text else (lambda x: x)  # noqa: E731
    return Rows(
        resident=[("r1", "v1", d(date(1940, 5, 1)), None, "female"),
                  ("r2", "v2", d(date(1990, 1, 1)), None, "male"),
                  ("r3", "v1", d(date(1950, 1, 1)), d(date(2026, 3, 1)), "male")],  # died
        diagnosis=[("r1", "hypertension", d(date(2020, 1, 1)), None)],
        contract=[("c1", "r1", "t1", "s1", "active", d(date(2026, 1, 1)), d(date(2026, 12, 31)),
                   100, 200, 300),
                  ("c0", "r2", "t1", "s1", "active", d(date(2025, 2, 1)), d(date(2026, 1, 31)),
                   1, 1, 1),  # ended in the period, not renewed
                  ("c2", "r2", "t2", "s2", "terminated", d(date(2026, 3, 1)), d(date(2027, 2, 28)),
                   5, 5, 5)],
        contract_package=[("c1", 50, None)],
        ledger_assessment=[("a", "r1", "red", d(date(2026, 2, 1))),
                           ("b", "r1", "green", d(date(2026, 5, 1))),
                           ("c", "r1", "yellow", d(date(2026, 7, 5)))],  # after `on`
        followup_visit=[("v1", "r1", "hypertension", "clinic", d(date(2026, 2, 1)), 150, 95, None),
                        ("v2", "r1", "hypertension", "clinic", d(date(2026, 5, 1)), 130, 80, None),
                        ("v3", "r1", "hypertension", "home", d(date(2026, 6, 1)), 170, 99, None)],
        superseded=[("v3",), ("",), (None,)],  # v3 was replaced (its correction is elsewhere)
        health_points=[("r1", d(date(2026, 3, 1)), 10), ("r1", d(date(2026, 4, 1)), -4)],
        satisfaction_survey=[("r1", d(date(2026, 3, 1)), 5), ("r2", d(date(2026, 3, 1)), 2)],
        labels={"v1": "一村", "v2": "二村"})


def test_counts_from_rows():
    v = tally(_rows(False), on=ON, start=START, end=END, by=None).total.values
    assert (v["on_file"], v["signed"], v["key_population"]) == (2, 1, 1)
    assert (v["renewal_due"], v["renewed"]) == (1, 1)  # r2's later (terminated) contract
    assert (v["ledger_green"], v["ledger_red"], v["ledger_yellow"]) == (1, 0, 0)
    assert (v["aged_80_signed"], v["aged_80_visited"]) == (1, 1)
    # v3 is superseded: the last counted visit is v2 (controlled), two visits in two quarters
    assert (v["hypertension_managed"], v["hypertension_standard"],
            v["hypertension_controlled"]) == (1, 1, 1)
    assert (v["points_earned"], v["points_redeemed"]) == (10, 4)
    assert (v["survey_count"], v["survey_satisfied"]) == (2, 1)
    assert (v["fee_public_health"], v["fee_insurance"], v["fee_personal"]) == (1.0, 2.5, 3.0)


def test_iso_text_dates_give_the_same_report():
    for by in (None, "village", "team", "doctor"):
        a = tally(_rows(False), on=ON, start=START, end=END, by=by).to_json()
        b = tally(_rows(True), on=ON, start=START, end=END, by=by).to_json()
        assert a == b


def test_groups_and_labels():
    report = tally(_rows(False), on=ON, start=START, end=END, by="village")
    assert [(r.label, r.values["on_file"]) for r in report.rows] == [
        ("合计", 2), ("一村", 1), ("二村", 1)]
    team = tally(_rows(False), on=ON, start=START, end=END, by="team")
    # grouping by team follows the latest contract started by the report date (r2: t2)
    assert {r.key: r.values["on_file"] for r in team.rows[1:]} == {"t1": 1, "t2": 1}


def test_window_covers_the_80_plus_year_and_the_period():
    assert window(date(2026, 3, 31), date(2025, 1, 1), date(2025, 12, 31))["visits_from"] == "2025-01-01"
    assert window(ON, date(2026, 4, 1), END)["visits_from"] == "2026-01-01"


def test_yearly_follow_up_and_65_checkup_rates_by_hand():
    on, start = date(2026, 12, 3), date(2026, 1, 1)

    def contract(cid, rid, status="active"):
        return (cid, rid, "t1", "s1", status, date(2026, 1, 1), date(2026, 12, 31), 0, 0, 0)
    rows = Rows(
        resident=[("a", "v1", date(1950, 1, 1), None, "female"),  # 76
                  ("b", "v1", date(1961, 12, 4), None, "male"),  # 64 until tomorrow
                  ("c", "v1", date(1955, 1, 1), None, "male"),  # 71
                  ("d", "v1", date(1945, 1, 1), None, "female"),  # 81
                  ("e", "v1", date(1950, 1, 1), None, "female"),  # not signed
                  ("f", "v1", date(1980, 1, 1), None, "male")],  # contract terminated
        contract=[contract("ca", "a"), contract("cb", "b"), contract("cc", "c"),
                  contract("cd", "d"), contract("cf", "f", "terminated")],
        followup_visit=[
            ("1", "a", "checkup", "clinic", date(2026, 3, 1), 130, 80, None),
            ("2", "b", "checkup", "clinic", date(2026, 5, 1), 130, 80, None),  # under 65
            ("3", "b", "general", "home", date(2026, 6, 1), None, None, None),
            ("4", "c", "checkup", "clinic", date(2025, 12, 20), 130, 80, None),  # last year
            ("5", "c", "hypertension", "phone", date(2026, 2, 1), 130, 80, None),
            ("6", "d", "checkup", "clinic", date(2026, 4, 1), 190, 80, None),
            ("7", "d", "checkup", "clinic", date(2026, 4, 2), 130, 80, None),  # corrects 6
            ("8", "e", "checkup", "clinic", date(2026, 2, 1), 130, 80, None),
            ("9", "f", "general", "clinic", date(2026, 2, 1), None, None, None)],
        superseded=[("6",)])
    v = tally(rows, on=on, start=start, end=on, by=None).total.values
    assert v["signed"] == 4  # a b c d
    # followed up in the period: b (general), c (hypertension, by phone); a check-up is not one
    assert (v["annual_followup_done"], v["annual_followup_rate"]) == (2, 50.0)
    # 65+ signed: a c d; a check-up this period: a, d (its correction counts once)
    assert (v["aged_65_signed"], v["checkup_65_done"], v["checkup_65_rate"]) == (3, 2, 66.7)
    # d's clinic check-up is not the 80+ yearly visit
    assert (v["aged_80_signed"], v["aged_80_visited"]) == (1, 0)
    # The period decides: only June on, a's and d's check-ups fall outside.
    v = tally(rows, on=on, start=date(2026, 6, 1), end=on, by=None).total.values
    assert (v["annual_followup_done"], v["checkup_65_done"], v["checkup_65_rate"]) == (1, 0, 0.0)


def test_health_pushes_in_the_calendar_year_of_signed_residents():
    """r1 (signed) 12 pushes this year -> counted; r2 (not signed on ON) 12 -> not; pushes
    of last year and after ON do not count. 1 of 1 signed: 100 %."""
    rows = _rows(False)
    rows.health_push = ([("r1", date(2026, 1, 1) + i * (date(2026, 1, 15) - date(2026, 1, 1)))
                         for i in range(11)] + [("r1", ON), ("r1", date(2026, 7, 1)),
                                                ("r1", date(2025, 12, 31))]
                        + [("r2", date(2026, 2, 1))] * 12)
    v = tally(rows, on=ON, start=START, end=END, by=None).total.values
    assert (v["signed"], v["health_push_12"], v["health_push_12_rate"]) == (1, 1, 100.0)
    rows.health_push = rows.health_push[1:]  # one fewer this year: 11
    v = tally(rows, on=ON, start=START, end=END, by=None).total.values
    assert (v["health_push_12"], v["health_push_12_rate"]) == (0, 0.0)
    assert window(ON, START, END)["year_from"] == "2026-01-01"


def test_residents_counted_by_kind_per_group():
    """The residents on file are counted by kind (group, signed, populations, age band):
    residents sharing a birth date and a kind in one village count one each; a group whose
    only resident died shows only when an event counts there; fees stay per group."""
    born = date(1940, 3, 1)  # 86 on ON: aged 65 and 80
    rows = Rows(
        resident=[("a", "v1", born, None, "female"), ("b", "v1", born, None, "male"),
                  ("c", "v2", born, None, "male"), ("d", "v3", born, date(2026, 1, 5), "male"),
                  ("e", "v4", born, date(2026, 1, 5), "female"),
                  ("f", "v1", date(2027, 1, 1), None, "male")],  # born after ON: not on file
        contract=[(f"c{r}", r, "t1", "s1", "active", date(2026, 1, 1), date(2026, 12, 31),
                   100, 0, 0) for r in "abc"],
        referral=[("d", "up", "sent", date(2026, 1, 3), None)],  # d died after it
        labels={"v1": "一村", "v2": "二村", "v3": "三村", "v4": "四村"})
    report = tally(rows, on=ON, start=START, end=END, by="village")
    got = {r.label: (r.values["on_file"], r.values["signed"], r.values["aged_80_signed"],
                     r.values["pop_aged_80"], r.values["fee_public_health"],
                     r.values["referral_up"]) for r in report.rows}
    assert got == {"合计": (3, 3, 3, 3, 3.0, 1), "一村": (2, 2, 2, 2, 2.0, 0),
                   "二村": (1, 1, 1, 1, 1.0, 0), "三村": (0, 0, 0, 0, 0.0, 1)}


def test_gc_paused_restores_the_collector_as_it_was():
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), gc_paused():
        raise ValueError
    assert gc.isenabled()
    gc.disable()  # the PC's window collects on its own timer (ui/app.py): left off
    try:
        tally(_rows(False), on=ON, start=START, end=END, by=None)
        assert not gc.isenabled()
    finally:
        gc.enable()
