"""One resident's whole record (居民档案全览): the resident with diagnoses, contracts and their
packages, follow-up visits, sickbeds and their rounds, the ledger history, referrals and the
other services (prescriptions, points, surveys, health pushes, drug shortages). Visits and
services carry the 基本公共卫生服务 mark where domain/public_health.py says so. For IT staff
and tests (`familydoc resident show`); reading it is written to the access log as a view."""
from __future__ import annotations

from typing import Any

from sqlmodel import Session

from familydoc_desktop.domain.dates import age_on
from familydoc_desktop.domain.idcard import mask_id, mask_phone
from familydoc_desktop.domain.public_health import PUBLIC_HEALTH_MARK, public_health_mark
from familydoc_desktop.store import audit, contracts, ledger, residents, services, sickbeds
from familydoc_desktop.store import visits

# Search-only columns (reversed numbers, initials) and sync bookkeeping say nothing to a reader
# and would leak the number behind a mask.
_HIDDEN = frozenset({"id_rev", "phone_rev", "initials", "hlc", "server_seq", "deleted"})


def _row(obj) -> dict[str, Any]:  # noqa: ANN001
    return {k: v for k, v in obj.model_dump().items() if k not in _HIDDEN}


def resident_dossier(session: Session, key: str, *, actor: str, unmask: bool = False
                     ) -> dict[str, Any] | None:
    """The record of the resident with id or ID number `key`, None if there is none. ID
    number and phone are masked unless `unmask`; the view (or the reveal) is logged."""
    r = residents.get_resident(session, key) or residents.find_by_id_number(session, key)
    if r is None:
        return None
    audit.log(session, actor, "view_unmasked" if unmask else "view", "resident", r.id,
              "居民档案全览", org_id=r.org_id)
    person = _row(r)
    if not unmask:
        person["id_number"] = mask_id(r.id_number) if r.id_number else None
        person["phone"] = mask_phone(r.phone) if r.phone else None
    beds = []
    for bed in sickbeds.sickbeds_for(session, r.id):
        beds.append({**_row(bed), "rounds": [_row(x) for x in sickbeds.rounds_for(session, bed.id)]})
    def age(on):  # noqa: ANN001, ANN202
        return age_on(r.birth_date, on) if r.birth_date and r.birth_date <= on else None

    return {
        "resident": person,
        "diagnoses": [_row(d) for d in residents.diagnoses_for(session, r.id)],
        "contracts": [{**_row(c), "packages": [_row(p) for p in contracts.packages_of(session, c.id)]}
                      for c in contracts.contracts_for(session, r.id)],
        "visits": [{**_row(v), "label": public_health_mark(v.kind, age=age(v.visit_date))}
                   for v in visits.visits_for(session, r.id)],
        "sickbeds": beds,
        "ledger": [_row(a) for a in ledger.history(session, r.id)],
        "referrals": [_row(x) for x in services.referrals_for(session, r.id)],
        "services": [{"on": e.on, "kind": e.kind, "detail": e.detail,
                      "label": PUBLIC_HEALTH_MARK if e.public_health else ""}
                     for e in services.history_for(session, r.id)],
    }
