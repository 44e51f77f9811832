"""The synthetic township: deterministic, realistic proportions, valid identities, and a
loader that writes it set-based without outbox entries."""
import uuid
from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select

from familydoc_desktop.demo import TABLE_ORDER, demo_orgs, generate_township
from familydoc_desktop.domain.dates import age_on
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.domain.idcard import parse_id
from familydoc_desktop.domain.models import OutboxEntry, Resident
from familydoc_desktop.domain.population import DiagnosisFact, PersonFacts, derive_populations
from familydoc_desktop.rulesets import load_ruleset
from familydoc_desktop.store import orgs, settings
from familydoc_desktop.store.bulk import load_demo
from familydoc_desktop.store.database import Database

TODAY = date(2026, 6, 30)


def generate(seed=7, residents=2000):
    clinics = [o["id"] for o in demo_orgs(seed, "220182105000", 2)[1:]]
    tables: dict[str, list] = {}
    order = []
    for table, rows in generate_township(residents=residents, seed=seed, clinic_ids=clinics,
                                         today=TODAY, ledger_ruleset=load_ruleset("ledger_default")):
        order.append(table)
        tables.setdefault(table, []).extend(rows)
    return tables, order


@pytest.fixture(scope="module")
def town():
    return generate()


def test_same_seed_same_rows_other_seed_other_rows(town):
    again, _ = generate()
    assert again == town[0]
    other, _ = generate(seed=8)
    assert other["resident"][0]["id"] != town[0]["resident"][0]["id"]


def test_batches_follow_table_order_within_each_block(town):
    _, order = town
    positions = [TABLE_ORDER.index(t) for t in order]
    blocks, current = [], []
    for p in positions:
        if current and p <= current[-1]:
            blocks.append(current)
            current = []
        current.append(p)
    blocks.append(current)
    assert all(b == sorted(b) for b in blocks)
    assert order.index("resident") < order.index("followup_visit")


def test_ids_are_unique_uuid7(town):
    ids = [r["id"] for rows in town[0].values() for r in rows]
    assert len(ids) == len(set(ids))
    assert {uuid.UUID(i).version for i in ids[:500]} == {7}


def test_age_pyramid_and_chronic_prevalence(town):
    res = town[0]["resident"]
    ages = [age_on(r["birth_date"], TODAY) for r in res]
    n = len(res)
    assert n == 2000
    assert 0.015 <= sum(a >= 80 for a in ages) / n <= 0.05
    assert 0.15 <= sum(a >= 65 for a in ages) / n <= 0.27
    adults = {r["id"] for r, a in zip(res, ages) if a >= 18}
    dx = town[0]["diagnosis"]
    ht = {d["resident_id"] for d in dx if d["condition"] == "hypertension"}
    dm = {d["resident_id"] for d in dx if d["condition"] == "diabetes"}
    assert ht <= adults and dm <= adults
    assert 0.14 <= len(ht) / len(adults) <= 0.23
    assert 0.045 <= len(dm) / len(adults) <= 0.10


def test_key_populations_and_signing(town):
    t = town[0]
    dx, mem = {}, {}
    for d in t["diagnosis"]:
        dx.setdefault(d["resident_id"], []).append(
            DiagnosisFact(d["condition"], d["start_date"], d["end_date"]))
    for m in t["population_membership"]:
        mem.setdefault(m["resident_id"], []).append(m["membership"])
    key = {r["id"] for r in t["resident"] if derive_populations(PersonFacts(
        r["birth_date"], r["sex"], tuple(dx.get(r["id"], ())), tuple(mem.get(r["id"], ()))),
        TODAY)}
    n = len(t["resident"])
    assert 0.33 <= len(key) / n <= 0.48
    active = {c["resident_id"] for c in t["contract"] if c["status"] == "active"}
    assert 0.62 <= len(active) / n <= 0.78
    assert len(active & key) / len(key) > len(active - key) / (n - len(key)) + 0.2
    statuses = Counter(c["status"] for c in t["contract"])
    assert {"active", "renewed", "expired", "terminated"} <= set(statuses)
    assert {c["term_years"] for c in t["contract"]} <= {1, 2, 3}
    ledger = {a["resident_id"] for a in t["ledger_assessment"]}
    assert ledger == active & key
    assert set(Counter(a["colour"] for a in t["ledger_assessment"])) == {"red", "yellow", "green"}


def test_identities_households_and_visits(town):
    t = town[0]
    for r in t["resident"]:
        if r["id_number"] is None:
            assert r["needs_id_match"]
            continue
        info = parse_id(r["id_number"], today=TODAY)
        assert (info.birth_date, str(info.sex)) == (r["birth_date"], r["sex"])
        assert 2 <= len(r["name"]) <= 3
    heads = {h["id"]: h["head_id"] for h in t["household"]}
    sizes = Counter(r["household_id"] for r in t["resident"])
    assert set(sizes.values()) <= set(range(1, 7))
    by_id = {r["id"]: r for r in t["resident"]}
    assert all(by_id[head]["relation_to_head"] == "户主" for head in heads.values())
    visits = Counter((v["resident_id"], v["kind"]) for v in t["followup_visit"])
    ht = [d["resident_id"] for d in t["diagnosis"] if d["condition"] == "hypertension"
          and (TODAY - d["start_date"]).days > 365]
    assert sum(visits[(r, "hypertension")] >= 3 for r in ht) / len(ht) > 0.85
    classes = Counter(v["visit_class"] for v in t["followup_visit"] if v["kind"] == "hypertension")
    assert 0.1 < classes["unsatisfactory"] / sum(classes.values()) < 0.5
    aged80 = [r for r in t["resident"] if age_on(r["birth_date"], TODAY) >= 80]
    visited = {v["resident_id"] for v in t["followup_visit"] if v["kind"] == "elderly_80"}
    assert 0.35 < len(visited) / len(aged80) < 0.75


def test_load_demo_writes_set_based_without_outbox_and_refuses_twice(tmp_path):
    db = Database(tmp_path / "d.db")
    seen = []
    counts = load_demo(db, residents=300, seed=2, today=TODAY,
                       progress=lambda done, total: seen.append((done, total)))
    with db.session() as s:
        assert s.execute(select(func.count()).select_from(Resident)).scalar() == 300
        assert counts["resident"] == 300
        assert s.execute(select(func.count()).select_from(OutboxEntry)).scalar() == 0
        home = orgs.home_clinic(s)
        assert home.level == "clinic" and len(home.code) == 12
        assert settings.get_setting(s, "home_org_id") == home.id
        r = s.exec(select(Resident).where(Resident.id_number.is_not(None))).first()[0]
        assert r.initials and r.id_rev == r.id_number[::-1]
    assert seen[-1] == (300, 300)
    with pytest.raises(DomainError, match="已有居民档案"):
        load_demo(db, residents=10, seed=3, today=TODAY)
    db.close()


@pytest.mark.parametrize("failure", [RuntimeError("disk full"), KeyboardInterrupt()])
def test_failed_demo_load_leaves_the_database_as_it_was(tmp_path, monkeypatch, failure):
    from familydoc_desktop.domain.models import Household, Organisation
    from familydoc_desktop.store import bulk

    db = Database(tmp_path / "d.db")
    real = bulk.generate_township

    def failing(**kw):
        for n, batch in enumerate(real(**kw)):
            yield batch
            if n == 12:  # well after the first residents, households and contracts
                raise failure

    monkeypatch.setattr(bulk, "generate_township", failing)
    with pytest.raises(type(failure)):
        load_demo(db, residents=3000, seed=2, today=TODAY)
    with db.session() as s:
        for model in (Organisation, Household, Resident, OutboxEntry):
            assert s.execute(select(func.count()).select_from(model)).scalar() == 0
        assert settings.get_setting(s, "home_org_id") is None
    monkeypatch.setattr(bulk, "generate_township", real)
    counts = load_demo(db, residents=300, seed=2, today=TODAY)  # a second try just works
    assert counts["resident"] == 300
    db.close()


def test_progress_is_reported_while_loading(tmp_path):
    db = Database(tmp_path / "d.db")
    seen = []
    load_demo(db, residents=5000, seed=2, today=TODAY, n_clinics=2,
              progress=lambda done, total: seen.append((done, total)))
    assert len(seen) >= 3 and seen == sorted(seen) and seen[-1] == (5000, 5000)
    db.close()


def test_no_diagnosis_in_the_future_or_before_birth(town):
    """Young adults used to get diagnoses dated years ahead (up to 2038)."""
    t = town[0]
    born = {r["id"]: r["birth_date"] for r in t["resident"]}
    assert t["diagnosis"]
    for d in t["diagnosis"]:
        assert d["start_date"] <= TODAY, d
        assert born[d["resident_id"]] is None or d["start_date"] >= born[d["resident_id"]], d
        if d["condition"] == "pregnancy":
            assert d["end_date"] is not None and d["end_date"] > d["start_date"]
    young = [d for d in t["diagnosis"] if d["condition"] in ("hypertension", "diabetes")
             and age_on(born[d["resident_id"]], TODAY) < 30]
    assert young  # the case that went wrong is in the sample


def test_checkups_of_the_signed_65_plus_are_valid_and_this_year(town):
    from familydoc_desktop.domain.checkup import validate_checkup
    from familydoc_desktop.domain.vitals import require_valid_vitals
    t = town[0]
    by_id = {r["id"]: r for r in t["resident"]}
    active = {c["resident_id"] for c in t["contract"] if c["status"] == "active"}
    aged = {rid for rid in active if age_on(by_id[rid]["birth_date"], TODAY) >= 65}
    checkups = [v for v in t["followup_visit"] if v["kind"] == "checkup"]
    seen = {v["resident_id"] for v in checkups}
    assert len(seen) == len(checkups) and seen <= aged
    assert 0.55 < len(seen) / len(aged) < 0.85
    for v in checkups:
        assert date(TODAY.year, 1, 1) <= v["visit_date"] <= TODAY and v["method"] != "phone"
        require_valid_vitals(sbp=v["sbp"], dbp=v["dbp"], heart_rate=v["heart_rate"],
                             weight=v["weight"], height=v["height"],
                             fasting_glucose=v["fasting_glucose"])
        validate_checkup(conclusion=v["conclusion"], findings=v["findings"],
                         lifestyle=v["lifestyle"], advice=v["health_advice"])
