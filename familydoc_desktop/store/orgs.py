"""Organisations in scope, the device's home clinic, and a default team so a contract can be
signed offline before the server has sent the real team list."""
from __future__ import annotations

from sqlmodel import Session, select

from familydoc_desktop.domain.codes import OrgLevel, TeamRole
from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.domain.models import Organisation, Staff, Team, TeamMember
from familydoc_desktop.store.settings import get_setting, set_setting

PLACEHOLDER_CODE = "000000000000"
PLACEHOLDER_NAME = "本机卫生室"
DEFAULT_TEAM_NAME = "家庭医生团队"
DEFAULT_DOCTOR_NAME = "本机医生"
_LEVEL_ORDER = {OrgLevel.COUNTY: 0, OrgLevel.TOWNSHIP: 1, OrgLevel.CLINIC: 2}


def home_clinic(session: Session) -> Organisation:
    """The clinic this PC works for (setting home_org_id, set by login or demo data);
    falls back to ensure_local_clinic when none is set yet."""
    org_id = get_setting(session, "home_org_id")
    org = session.get(Organisation, org_id) if org_id else None
    return org if org is not None else ensure_local_clinic(session)


def ensure_local_clinic(session: Session) -> Organisation:
    """The home clinic; a placeholder "本机卫生室" is created when no clinic exists at all."""
    org_id = get_setting(session, "home_org_id")
    org = session.get(Organisation, org_id) if org_id else None
    if org is None:
        org = session.exec(select(Organisation).where(Organisation.level == OrgLevel.CLINIC)
                           .order_by(Organisation.code)).first()
    if org is None:
        org = Organisation(code=PLACEHOLDER_CODE, name=PLACEHOLDER_NAME, level=OrgLevel.CLINIC)
        session.add(org)
        session.flush()
    if org_id != org.id:
        set_setting(session, "home_org_id", org.id)
    return org


def set_home_clinic(session: Session, org_id: str) -> Organisation:
    org = session.get(Organisation, org_id)
    if org is None:
        raise DomainError("org_unknown", "找不到该机构，请先同步机构列表")
    if org.level != OrgLevel.CLINIC:
        raise DomainError("org_level", f"“{org.name}”不是村卫生室，不能作为本机所属机构")
    set_setting(session, "home_org_id", org.id)
    return org


def upsert_orgs(session: Session, orgs: list[dict]) -> int:
    """Insert or update organisations (dicts with id, code, name, level, parent_id) from the
    server; parents are written first so the parent foreign key holds. Returns rows written."""
    def depth(o: dict) -> int:
        return _LEVEL_ORDER.get(o.get("level"), 3)

    written = 0
    for data in sorted(orgs, key=depth):
        level = data.get("level")
        if level not in set(OrgLevel):
            raise DomainError("org_level", f"未知的机构级别：{level}")
        org = session.get(Organisation, data["id"]) if data.get("id") else None
        if org is None:
            org = session.exec(select(Organisation)
                               .where(Organisation.code == data["code"])).first()
        if org is None:
            org = Organisation(id=data["id"]) if data.get("id") else Organisation()
        for field in ("code", "name", "level", "parent_id"):
            if field in data:
                setattr(org, field, data[field])
        session.add(org)
        session.flush()
        written += 1
    return written


def clinics_in_scope(session: Session) -> list[Organisation]:
    """Every clinic this device knows: the server only sends what the account may see."""
    return list(session.exec(select(Organisation).where(Organisation.level == OrgLevel.CLINIC)
                             .order_by(Organisation.code)))


def ensure_default_team(session: Session, org_id: str) -> Team:
    """The clinic's first team; when it has none, a team led by a placeholder village doctor."""
    team = session.exec(select(Team).where(Team.org_id == org_id, Team.deleted == False)  # noqa: E712
                        .order_by(Team.id)).first()
    if team is not None:
        return team
    doctor = Staff(org_id=org_id, name=DEFAULT_DOCTOR_NAME, role=TeamRole.VILLAGE_DOCTOR)
    session.add(doctor)
    session.flush()
    team = Team(org_id=org_id, name=DEFAULT_TEAM_NAME, leader_id=doctor.id)
    session.add(team)
    session.flush()
    session.add(TeamMember(org_id=org_id, team_id=team.id, staff_id=doctor.id,
                           role=TeamRole.LEADER))
    session.flush()
    return team


def team_leader(session: Session, team_id: str) -> Staff | None:
    team = session.get(Team, team_id)
    return session.get(Staff, team.leader_id) if team and team.leader_id else None
