"""Contracts (签约服务协议): sign, renew, terminate, expire, and the package catalogue.

Fees are the yearly amounts per signed resident (domain.md "Fees per signed resident per
year") from the regional preset, kept in fen; personalised packages add their own split.
"""
from __future__ import annotations

import json
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

from sqlmodel import Session, select

from familydoc_desktop.domain.codes import ConsentBy, ContractStatus, PackageKind, TerminationReason
from familydoc_desktop.domain.contracts import (
    ContractFees, FeeSplit, contract_end, contract_fees, fee_split, personalised_price_split, renewal_start, status_on, validate_signing,
    validate_termination,
)
from familydoc_desktop.domain.dates import parse_date
from familydoc_desktop.domain.errors import ContractError, DomainError
from familydoc_desktop.domain.models import Contract, ContractPackage, ServicePackage, Team
from familydoc_desktop import resources
from familydoc_desktop.rulesets import load_ruleset
from familydoc_desktop.store import orgs
from familydoc_desktop.store.residents import require_resident

CATALOGUE = resources.path("packages", "catalogue.json")
OPEN_STATUSES = (ContractStatus.ACTIVE, ContractStatus.PENDING)


def _fen(yuan: Decimal) -> int:
    return int((Decimal(yuan) * 100).to_integral_value())


def _consent(value) -> ConsentBy | None:
    if value is None:
        return None
    if value not in set(ConsentBy):
        raise ContractError("consent", f"知情同意方只能是本人或监护人，当前为 {value}")
    return ConsentBy(value)


def _open_contract(session: Session, resident_id: str, start: date,
                   exclude_id: str | None = None) -> Contract | None:
    """An active/pending contract whose term is not over by `start` (the one-at-a-time rule)."""
    for c in session.exec(select(Contract).where(
            Contract.resident_id == resident_id, Contract.deleted == False,  # noqa: E712
            Contract.status.in_(OPEN_STATUSES))):
        if c.id != exclude_id and c.end_date >= start:
            return c
    return None


def _package_rows(session: Session, contract: Contract, package_ids, preset: dict,
                  personal_share) -> list[ContractPackage]:
    rows = []
    wanted = list(dict.fromkeys(package_ids or ()))
    basic = session.exec(select(ServicePackage).where(
        ServicePackage.kind == PackageKind.BASIC, ServicePackage.deleted == False)).first()  # noqa: E712
    if basic is not None and basic.id not in wanted:
        wanted.insert(0, basic.id)  # every signed resident has the basic package (seed 003 §2)
    rules = preset.get("personalised") or {}
    share = Decimal(str(personal_share if personal_share is not None
                        else rules.get("personal_share_min", "0.40")))
    cap = Decimal(str(rules.get("insurance_cap", "40")))
    for pid in wanted:
        pkg = session.get(ServicePackage, pid)
        if pkg is None or pkg.deleted:
            raise ContractError("package_unknown", "所选服务包不存在，请刷新服务包目录")
        if pkg.kind == PackageKind.PERSONALISED:
            split = personalised_price_split(Decimal(pkg.price_fen) / 100, share, cap)
            rows.append(ContractPackage(org_id=contract.org_id, contract_id=contract.id,
                                        package_id=pkg.id, price_fen=pkg.price_fen,
                                        insurance_fen=_fen(split.insurance),
                                        personal_fen=_fen(split.personal)))
        else:
            rows.append(ContractPackage(org_id=contract.org_id, contract_id=contract.id,
                                        package_id=pkg.id, price_fen=pkg.price_fen))
    return rows


def sign_contract(session: Session, *, resident_id: str, start, years: int, consent_by,
                  guardian_name: str | None = None, team_id: str | None = None,
                  doctor_id: str | None = None, package_ids=(), fee_preset: str | None = None,
                  household_id: str | None = None, signed_at: datetime | None = None,
                  personal_share=None, today: date | None = None,
                  previous_id: str | None = None) -> Contract:
    """Sign a 1/2/3-year contract with informed consent; one open contract per resident."""
    resident = require_resident(session, resident_id)
    today = today or date.today()
    start = parse_date(start)
    end = validate_signing(start, years, _consent(consent_by), guardian_name)
    status = status_on(start, end, None, False, today)
    if status == ContractStatus.EXPIRED:
        raise ContractError("contract_past", f"协议期（至 {end.isoformat()}）已过，不能签约")
    if _open_contract(session, resident.id, start, exclude_id=previous_id) is not None:
        raise ContractError("contract_open", "该居民已有有效签约")
    if team_id is not None:
        team = session.get(Team, team_id)
        if team is None or team.deleted:
            raise ContractError("team_unknown", "找不到该家庭医生团队")
    else:
        team = orgs.ensure_default_team(session, resident.org_id)
    preset_name = (fee_preset or _default_preset(session)).strip().removesuffix(".json")
    preset = load_fee_preset(preset_name)
    fees = fee_split(preset)
    contract = Contract(
        org_id=resident.org_id, resident_id=resident.id,
        household_id=household_id or resident.household_id, team_id=team.id,
        doctor_id=doctor_id or team.leader_id, start_date=start, end_date=end, term_years=years,
        status=status, consent_by=consent_by,
        guardian_name=(guardian_name or "").strip() or None,
        signed_at=signed_at or datetime.now(timezone.utc), previous_id=previous_id,
        fee_public_health_fen=_fen(fees.public_health), fee_insurance_fen=_fen(fees.insurance),
        fee_personal_fen=_fen(fees.personal), fee_preset=preset_name)
    rows = _package_rows(session, contract, package_ids, preset, personal_share)
    session.add(contract)
    session.add_all(rows)
    session.flush()
    _reevaluate(session, resident.id, today)
    return contract


def load_fee_preset(name: str) -> dict:
    """The shipped fee rule set `name`; a ContractError (Chinese) for an unknown name or a
    rule set of another kind."""
    from familydoc_desktop.domain.contracts import require_fee_ruleset
    from familydoc_desktop.rulesets import list_rulesets

    stem = (name or "").strip().removesuffix(".json")
    try:
        ruleset = load_ruleset(stem)
    except (FileNotFoundError, ValueError):
        known = "、".join(list_rulesets("fees"))
        raise ContractError("fee_preset", f"找不到收费标准“{name}”（可选：{known}）") from None
    return dict(require_fee_ruleset(stem, ruleset))


def _default_preset(session: Session) -> str:
    from familydoc_desktop.store.settings import get_setting
    return get_setting(session, "region_preset") or "fees_jilin"


def _reevaluate(session: Session, resident_id: str, on: date) -> None:
    from familydoc_desktop.store import ledger  # ledger reads contracts: import at call time
    ledger.evaluate_resident(session, resident_id, on=on)


def _require(session: Session, contract_id: str) -> Contract:
    contract = session.get(Contract, contract_id)
    if contract is None or contract.deleted:
        raise ContractError("contract_unknown", "找不到该签约协议")
    return contract


def renew_contract(session: Session, contract_id: str, *, years: int, consent_by,
                   start=None, guardian_name: str | None = None, team_id: str | None = None,
                   doctor_id: str | None = None, package_ids=None, fee_preset: str | None = None,
                   signed_at: datetime | None = None, today: date | None = None) -> Contract:
    """续签: the new term starts the day after the old one ends (unless given); the old
    contract is marked renewed and the new one points back at it."""
    old = _require(session, contract_id)
    if old.status not in (ContractStatus.ACTIVE, ContractStatus.EXPIRED):
        raise ContractError("renew_status",
                            f"只有履约中或已到期的协议可以续签（当前：{_status_zh(old.status)}）")
    if package_ids is None:
        package_ids = [p.package_id for p in packages_of(session, old.id)]
    new = sign_contract(
        session, resident_id=old.resident_id,
        start=parse_date(start) if start else renewal_start(old.end_date), years=years,
        consent_by=consent_by, guardian_name=guardian_name, team_id=team_id or old.team_id,
        doctor_id=doctor_id or old.doctor_id, package_ids=package_ids,
        fee_preset=fee_preset or old.fee_preset, household_id=old.household_id,
        signed_at=signed_at, today=today, previous_id=old.id)
    old.status = ContractStatus.RENEWED
    session.add(old)
    session.flush()
    return new


def _status_zh(status: str) -> str:
    from familydoc_desktop.domain.codes import ContractStatus, label
    return label(ContractStatus, status)


def terminate_contract(session: Session, contract_id: str, *, reason, on, consent_by,
                       note: str | None = None) -> Contract:
    contract = _require(session, contract_id)
    if contract.status not in OPEN_STATUSES:
        raise ContractError("terminate_status",
                            f"该协议已{_status_zh(contract.status)}，不能解约")
    if reason is not None and reason not in set(TerminationReason):
        raise ContractError("termination_reason", f"未知的解约原因：{reason}")
    on = parse_date(on)
    validate_termination(TerminationReason(reason) if reason else None, _consent(consent_by),
                         note, on, contract.start_date, contract.end_date)
    contract.status = ContractStatus.TERMINATED
    contract.terminated_on = on
    contract.termination_reason = reason
    contract.termination_note = (note or "").strip() or None
    session.add(contract)
    session.flush()
    _reevaluate(session, contract.resident_id, on)
    return contract


def active_contract(session: Session, resident_id: str, on: date | None = None) -> Contract | None:
    """The contract in force on `on` (a renewed one still runs to its end date)."""
    on = on or date.today()
    for c in contracts_for(session, resident_id):
        if c.status == ContractStatus.TERMINATED and c.terminated_on and c.terminated_on <= on:
            continue
        if status_on(c.start_date, c.end_date, c.terminated_on, False, on) == ContractStatus.ACTIVE:
            return c
    return None


def resolve_contract_id(session: Session, key: str) -> str:
    """A contract by its id as printed on the agreement (协议编号, any case), or by a start of
    it (eight characters or more) that names exactly one contract."""
    key = (key or "").strip().lower()
    contract = session.get(Contract, key)
    if contract is not None and not contract.deleted:
        return contract.id
    if len(key) >= 8:
        found = list(session.exec(select(Contract.id).where(
            Contract.id.startswith(key, autoescape=True), Contract.deleted == False).limit(2)))  # noqa: E712
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise ContractError("contract_ambiguous", f"协议编号 {key} 对应多份协议，请给出完整的协议ID")
    raise ContractError("contract_unknown", f"找不到该签约协议：{key}")


def contracts_for(session: Session, resident_id: str) -> list[Contract]:
    """Newest first."""
    return list(session.exec(select(Contract).where(
        Contract.resident_id == resident_id, Contract.deleted == False)  # noqa: E712
        .order_by(Contract.start_date.desc(), Contract.id.desc())))


def packages_of(session: Session, contract_id: str) -> list[ContractPackage]:
    return list(session.exec(select(ContractPackage).where(
        ContractPackage.contract_id == contract_id, ContractPackage.deleted == False)))  # noqa: E712


def fees_of(session: Session, contract: Contract) -> ContractFees:
    """Every fee line of a contract (basic package by the contract's fee rule set, the
    personalised packages by their own shares) with their sums: what the agreement prints
    and the screens show."""
    basic = FeeSplit(Decimal(contract.fee_public_health_fen) / 100,
                     Decimal(contract.fee_insurance_fen) / 100,
                     Decimal(contract.fee_personal_fen) / 100)
    rows = []
    for cp in packages_of(session, contract.id):
        pkg = session.get(ServicePackage, cp.package_id)
        if pkg is None:
            continue
        rows.append({"name": pkg.name, "basic": pkg.kind == PackageKind.BASIC,
                     "price": Decimal(cp.price_fen) / 100,
                     "insurance": Decimal(cp.insurance_fen) / 100,
                     "personal": Decimal(cp.personal_fen) / 100,
                     "items": json.loads(pkg.items or "[]"),
                     "public_health": pkg.public_health})
    return contract_fees(basic, rows)


def expire_contracts(session: Session, on: date) -> int:
    """Active contracts whose end date has passed become expired (returns how many); pending
    renewals whose start has come become active."""
    expired = 0
    for c in session.exec(select(Contract).where(
            Contract.status == ContractStatus.ACTIVE, Contract.end_date < on,
            Contract.deleted == False)):  # noqa: E712
        c.status = ContractStatus.EXPIRED
        session.add(c)
        expired += 1
    for c in session.exec(select(Contract).where(
            Contract.status == ContractStatus.PENDING, Contract.start_date <= on,
            Contract.deleted == False)):  # noqa: E712
        c.status = ContractStatus.ACTIVE if c.end_date >= on else ContractStatus.EXPIRED
        session.add(c)
    session.flush()
    return expired


# ---- package catalogue ----------------------------------------------------------------------

def packages(session: Session, kind: str | None = None) -> list[ServicePackage]:
    q = select(ServicePackage).where(ServicePackage.deleted == False)  # noqa: E712
    if kind:
        q = q.where(ServicePackage.kind == kind)
    return list(session.exec(q.order_by(ServicePackage.kind, ServicePackage.code)))


def package_by_code(session: Session, code: str) -> ServicePackage | None:
    return session.exec(select(ServicePackage).where(
        ServicePackage.code == code, ServicePackage.deleted == False)).first()  # noqa: E712


def load_catalogue(path: Path = CATALOGUE) -> list[dict]:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)["packages"]


def seed_package_catalogue(session: Session, org_id: str, path: Path = CATALOGUE) -> list[ServicePackage]:
    """Add the catalogue's packages this clinic lacks (by code); returns those added."""
    have = {p.code for p in session.exec(select(ServicePackage).where(
        ServicePackage.org_id == org_id, ServicePackage.deleted == False))}  # noqa: E712
    added = []
    for item in load_catalogue(path):
        if item["code"] in have:
            continue
        if item["kind"] not in set(PackageKind):
            raise DomainError("package_kind", f"服务包类型无效：{item['kind']}")
        pkg = ServicePackage(org_id=org_id, code=item["code"], name=item["name"],
                             kind=item["kind"], category=item.get("category"),
                             tier=item.get("tier"), price_fen=_fen(Decimal(item["price"])),
                             public_health=bool(item.get("public_health")),
                             items=json.dumps(item.get("items", []), ensure_ascii=False))
        session.add(pkg)
        added.append(pkg)
    session.flush()
    return added


__all__ = ["active_contract", "contract_end", "contracts_for", "expire_contracts", "fees_of", "packages",
           "packages_of", "renew_contract", "seed_package_catalogue", "sign_contract",
           "terminate_contract"]
