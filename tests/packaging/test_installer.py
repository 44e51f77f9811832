"""The Windows installer script compiles (Debian's makensis) over a bundle of the real layout,
with the icon made from resources/icons/app.svg, and the frozen smoke test's selfcheck passes
on this machine's own install."""
from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _make_icon(out: Path) -> bytes:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    subprocess.run([sys.executable, str(ROOT / "build_scripts" / "make_icon.py"), str(out)],
                   check=True, timeout=120, env=env, capture_output=True)
    return out.read_bytes()


def test_icon_is_a_windows_icon_with_every_size(tmp_path):
    data = _make_icon(tmp_path / "app.ico")
    reserved, kind, count = struct.unpack_from("<HHH", data)
    assert (reserved, kind) == (0, 1) and count >= 5
    sizes = []
    for i in range(count):
        w, _h, _c, _r, _planes, bits, length, offset = struct.unpack_from("<BBBBHHII", data,
                                                                          6 + 16 * i)
        assert bits == 32 and data[offset:offset + 8] == b"\x89PNG\r\n\x1a\n"
        assert offset + length <= len(data)
        sizes.append(w or 256)
    assert {16, 32, 48, 256} <= set(sizes)


@pytest.mark.skipif(shutil.which("makensis") is None,
                    reason="makensis not installed (Debian: apt-get install nsis; the README's "
                           "test command installs it)")
def test_installer_script_compiles(tmp_path):
    bundle = tmp_path / "FamilyDoc"
    (bundle / "_internal").mkdir(parents=True)
    for name in ("FamilyDoc.exe", "familydoc-cli.exe", "_internal/base_library.zip"):
        (bundle / name).write_bytes(b"MZ" + b"\0" * 64)
    icon = tmp_path / "app.ico"
    _make_icon(icon)
    out = tmp_path / "FamilyDoc-9.8.7-setup.exe"
    proc = subprocess.run(["makensis", "-V2", "-WX", "-DVERSION=9.8.7", f"-DSRCDIR={bundle}",
                           f"-DICON={icon}", f"-DOUTFILE={out}",
                           str(ROOT / "build_scripts" / "familydoc.nsi")],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert out.read_bytes()[:2] == b"MZ"  # a Windows program
    # The version the no-downgrade check compares is stamped into the program's resources.
    assert "9.8.7".encode("utf-16-le") in out.read_bytes()


def test_selfcheck_opens_the_window_with_chinese_and_saves_a_screenshot(tmp_path):
    shot = tmp_path / "shot.png"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path / "home"),
               XDG_CONFIG_HOME=str(tmp_path / "config"), PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "familydoc_desktop.cli.main", "--data-dir",
                           str(tmp_path / "data"), "--json", "selfcheck", "--screenshot",
                           str(shot)], capture_output=True, text=True, timeout=170, env=env)
    assert proc.returncode == 0, proc.stderr[-2000:] + proc.stdout[-2000:]
    report = json.loads(proc.stdout)
    checks = {c["name"]: c for c in report["checks"]}
    assert report["ok"] and set(checks) == {"cjk_font", "translations", "resources", "database",
                                            "screenshot", "window"}
    assert "取消" in checks["translations"]["detail"]
    assert checks["window"]["detail"].startswith("家医签约助手")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 10_000
