"""`pip install .` (not editable) gives a working app and server: the wheel carries
resources/ as the package familydoc_resources, and an installed copy run from outside the
repository finds its rule sets, catalogue, translations and icons through importlib.resources.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w",
                           str(out), str(ROOT)], capture_output=True, text=True, timeout=240)
    if proc.returncode != 0:
        pytest.fail(proc.stderr[-2000:])
    (found,) = out.glob("familydoc-*.whl")
    return found


def test_wheel_holds_every_resource_and_migration(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = [p for p in (ROOT / "resources").rglob("*")
               if p.is_file() and p.suffix in {".json", ".svg", ".qss", ".qm"}]
    assert len(shipped) >= 10
    missing = [str(p.relative_to(ROOT)) for p in shipped
               if "familydoc_resources/" + p.relative_to(ROOT / "resources").as_posix()
               not in names]
    assert not missing
    for folder in ("familydoc_desktop/store/migrations/versions", "sync_server/migrations/versions"):
        on_disk = {p.name for p in (ROOT / folder).glob("*.py")}
        assert on_disk and {f"{folder}/{n}" for n in on_disk} <= names


@pytest.mark.slow
def test_installed_wheel_runs_from_outside_the_repository(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True,
                   timeout=60)
    py = venv / "bin" / "python"
    site = Path(subprocess.check_output(
        [str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        text=True).strip())
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    subprocess.run([sys.executable, "-m", "pip", "--python", str(py), "install", "-q",
                    "--no-deps", str(wheel)], check=True, timeout=240, env=env, cwd=tmp_path)
    # Dependencies from this interpreter's site-packages, after the venv's own (a plain
    # path line: the editable install's finder there is not activated).
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    env.update(QT_QPA_PLATFORM="offscreen", FAMILYDOC_DATA_DIR=str(tmp_path / "data"),
               # The database key needs a credential store; outside the repository the test
               # suite's own (tests/keyring_backend.py) cannot be imported: keyrings.alt's
               # file store, in a folder of this test (never the data directory).
               PYTHON_KEYRING_BACKEND="keyrings.alt.file.PlaintextKeyring",
               XDG_DATA_HOME=str(tmp_path / "keyring-home"))
    bin_ = venv / "bin"

    def run(*argv: str) -> str:
        proc = subprocess.run([str(a) for a in argv], cwd=tmp_path, env=env,
                              capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr[-2000:]
        return proc.stdout

    assert "familydoc" in run(bin_ / "familydoc", "--version")
    assert "居民 200 人" in run(bin_ / "familydoc", "demo", "--residents", "200")
    hits = json.loads(run(bin_ / "familydoc", "--json", "search", "张"))
    assert hits and all("张" in h["name"] for h in hits)
    assert "COMMAND" in run(bin_ / "familydoc-server", "--help")
    where = json.loads(run(py, "-c", (
        "import json, familydoc_desktop, familydoc_desktop.resources as r, "
        "familydoc_desktop.rulesets as rs;"
        "print(json.dumps([familydoc_desktop.__file__, str(r.root()), rs.list_rulesets('fees')]))")))
    assert where[0].startswith(str(venv)) and where[1].startswith(str(venv))
    assert where[2] == ["fees_jilin", "fees_yueyang"]
    qm = Path(where[1]) / "translations" / "familydoc_zh_CN.qm"
    assert qm.is_file() and qm.stat().st_size > 1000
