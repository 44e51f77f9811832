"""Home clinic, placeholder clinic, org upsert, default team, settings."""
import pytest
from sqlmodel import select

from familydoc_desktop.domain.errors import DomainError
from familydoc_desktop.domain.models import Organisation, Team, TeamMember
from familydoc_desktop.store import orgs, settings
from familydoc_desktop.store.database import Database


def test_placeholder_clinic_created_once(tmp_path):
    db = Database(tmp_path / "p.db")
    with db.session() as s:
        a = orgs.ensure_local_clinic(s)
        assert (a.name, a.code, a.level) == ("本机卫生室", "000000000000", "clinic")
    with db.session() as s:
        assert orgs.ensure_local_clinic(s).id == a.id == orgs.home_clinic(s).id
        assert len(s.exec(select(Organisation)).all()) == 1


def test_home_clinic_follows_setting(db):
    with db.session() as s:
        assert orgs.home_clinic(s).id == db.clinic_id
        assert settings.get_setting(s, "home_org_id") == db.clinic_id


def test_upsert_orgs_parents_first_and_update(db):
    tree = [
        {"id": "c1", "code": "220102001002", "name": "二村卫生室", "level": "clinic", "parent_id": "t1"},
        {"id": "t1", "code": "220102001000", "name": "某镇卫生院", "level": "township", "parent_id": "k1"},
        {"id": "k1", "code": "220102000000", "name": "某县卫健委", "level": "county", "parent_id": None},
    ]
    with db.session() as s:
        assert orgs.upsert_orgs(s, tree) == 3
        orgs.upsert_orgs(s, [{**tree[0], "name": "二村卫生室（新）"}])
        assert s.get(Organisation, "c1").name == "二村卫生室（新）"
        assert {o.code for o in orgs.clinics_in_scope(s)} == {"220102001001", "220102001002"}
        with pytest.raises(DomainError, match="不是村卫生室"):
            orgs.set_home_clinic(s, "t1")
        orgs.set_home_clinic(s, "c1")
        assert orgs.home_clinic(s).id == "c1"


def test_default_team_created_once_with_leader(db):
    with db.session() as s:
        team = orgs.ensure_default_team(s, db.clinic_id)
        assert orgs.ensure_default_team(s, db.clinic_id).id == team.id
        assert orgs.team_leader(s, team.id).name == "本机医生"
        assert len(s.exec(select(Team)).all()) == 1
        assert s.exec(select(TeamMember)).one().role == "leader"


def test_settings_defaults_set_and_clear(db):
    with db.session() as s:
        assert settings.get_setting(s, "region_preset") == "fees_jilin"
        settings.set_setting(s, "region_preset", "fees_yueyang")
    with db.session() as s:
        assert settings.get_setting(s, "region_preset") == "fees_yueyang"
        settings.set_setting(s, "region_preset", None)
        assert settings.get_setting(s, "region_preset") == "fees_jilin"
        assert settings.get_setting(s, "server_url", "x") == "x"
