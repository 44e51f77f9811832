"""The rules of duplicate residents: candidates, suggested keep, refusals, filled fields, the
contract a merge ends, merge chains."""
from datetime import date, datetime

from familydoc_desktop.domain import duplicates as d
from familydoc_desktop.domain.sync_policy import merge_may_edit

BORN = date(1949, 12, 31)


def p(id_, name="王秀英", sex="female", born=BORN, village="220102001001", number=None,
      created=None):
    return d.Person(id_, name, sex, born, village, number, created)


def test_likely_same_needs_name_birth_date_village_and_no_second_number():
    assert d.likely_same(p("a"), p("b"))
    assert d.likely_same(p("a", number="11010519491231002X"), p("b"))
    assert not d.likely_same(p("a", number="11010519491231002X"),
                             p("b", number="110105194912310046"))
    assert not d.likely_same(p("a"), p("b", name="王秀荣"))
    assert not d.likely_same(p("a"), p("b", born=date(1949, 12, 30)))
    assert not d.likely_same(p("a"), p("b", village="220102001002"))
    assert not d.likely_same(p("a", born=None), p("b", born=None))
    assert not d.likely_same(p("a"), p("a"))


def test_suggested_keep_holds_the_number_else_was_registered_first():
    early, late = datetime(2026, 1, 1), datetime(2026, 2, 1)
    keep, drop = d.suggest_keep(p("a", created=late), p("b", number="11010519491231002X"))
    assert (keep.id, drop.id) == ("b", "a")
    keep, drop = d.suggest_keep(p("a", created=late), p("b", created=early))
    assert (keep.id, drop.id) == ("b", "a")


def test_refusals():
    assert "自己" in d.merge_refusal(p("a"), p("a"))
    assert "身份证号不同" in d.merge_refusal(p("a", number="11010519491231002X"),
                                          p("b", number="110105194912310046"))
    assert "性别不同" in d.merge_refusal(p("a"), p("b", sex="male"))
    assert d.merge_refusal(p("a", number="11010519491231002X"), p("b")) is None


def test_the_kept_values_win_and_only_blanks_are_filled():
    keep = {"phone": "13800000001", "address": " ", "id_number": None, "note": None}
    drop = {"phone": "13900000002", "address": "东村3组", "id_number": "11010519491231002X",
            "note": ""}
    assert d.filled_fields(keep, drop) == {"address": "东村3组", "id_number": "11010519491231002X"}


def test_the_dropped_resident_s_overlapping_contract_is_ended():
    keep = [d.OpenContract("k", date(2026, 1, 1), date(2026, 12, 31))]
    overlapping = d.OpenContract("x", date(2026, 3, 1), date(2027, 2, 28))
    later = d.OpenContract("y", date(2027, 1, 1), date(2027, 12, 31))
    assert d.contracts_to_end(keep, [overlapping, later]) == ["x"]
    assert d.contracts_to_end([], [overlapping]) == []  # the kept resident takes it
    assert d.termination_day(date(2026, 6, 30), date(2026, 3, 1), date(2027, 2, 28)) == date(2026, 6, 30)
    assert d.termination_day(date(2026, 6, 30), date(2026, 9, 1), date(2027, 8, 31)) == date(2026, 9, 1)


def test_merge_chains_end_at_the_last_kept_resident_and_cycles_nowhere():
    assert d.final_target({"a": "b", "b": "c"}, "a") == "c"
    assert d.final_target({"a": "b"}, "c") is None
    assert d.final_target({"a": "b", "b": "a"}, "a") is None


def test_append_only_records_change_only_whose_they_are():
    assert merge_may_edit("followup_visit", "resident_id")
    assert merge_may_edit("ledger_assessment", "org_id")
    assert not merge_may_edit("followup_visit", "sbp")
    assert merge_may_edit("contract", "status")  # not append-only: the merge may end it
    assert not merge_may_edit("audit_log", "record_id")  # the access log keeps what it says
