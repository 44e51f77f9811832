"""Store fixtures: a fresh device database with a home clinic. Add fixtures here; keep it small."""
import pytest

from familydoc_desktop.domain.models import Organisation
from familydoc_desktop.store import orgs
from familydoc_desktop.store.database import Database

CLINIC_CODE = "220102001001"


def _with_clinic(database: Database) -> Database:
    with database.session() as s:
        clinic = Organisation(code=CLINIC_CODE, name="测试村卫生室", level="clinic")
        s.add(clinic)
        s.flush()
        orgs.set_home_clinic(s, clinic.id)
    database.clinic_id = clinic.id
    return database


@pytest.fixture
def db(tmp_path):
    database = _with_clinic(Database(tmp_path / "t.db"))
    yield database
    database.close()


@pytest.fixture
def cli_db(tmp_path):
    """Like `db`, but where `familydoc --data-dir <cli_db.path.parent>` finds it."""
    (tmp_path / "cli").mkdir()
    database = _with_clinic(Database(tmp_path / "cli" / "familydoc.db"))
    yield database
    database.close()
