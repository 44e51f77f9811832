"""A pregnancy without an end no longer counts forever, in the store's queries too."""
from datetime import date, timedelta

from familydoc_desktop.domain.models import Diagnosis
from familydoc_desktop.store import residents, search


def test_pregnancy_end_derived_on_write_and_in_queries(db):
    today = date.today()
    with db.session() as s:
        a = residents.create_resident(s, org_id=db.clinic_id, name="孕妇甲", sex="female",
                                      birth_date=date(1995, 1, 1))
        dx = residents.add_diagnosis(s, a.id, "pregnancy", today - timedelta(days=30))
        assert dx.end_date == today - timedelta(days=30) + timedelta(days=322)
        # A row from an older PC or the server without an end, started long ago.
        b = residents.create_resident(s, org_id=db.clinic_id, name="孕妇乙", sex="female",
                                      birth_date=date(1990, 1, 1))
        s.add(Diagnosis(org_id=db.clinic_id, resident_id=b.id, condition="pregnancy",
                        start_date=today - timedelta(days=800), end_date=None))
        s.flush()
        pregnant = search.ResidentFilter(population="pregnant")
        names = {r.name for r in search.search_residents(s, "", filters=pregnant, on=today)}
        assert names == {"孕妇甲"}
        assert search.count_residents(s, "", filters=pregnant, on=today) == 1
        older = today - timedelta(days=700)
        assert {r.name for r in search.search_residents(s, "", filters=pregnant, on=older)} \
            == {"孕妇乙"}


def test_future_diagnosis_refused_by_the_store(db):
    import pytest
    from familydoc_desktop.domain.errors import DomainError
    with db.session() as s:
        r = residents.create_resident(s, org_id=db.clinic_id, name="青年", sex="male",
                                      birth_date=date(2004, 1, 1))
        with pytest.raises(DomainError):
            residents.add_diagnosis(s, r.id, "hypertension", date.today() + timedelta(days=1))
