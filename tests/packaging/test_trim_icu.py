"""The Linux bundle's smaller ICU data (build_scripts/trim_icu.py): the package format survives
a rewrite, only unused items go, and Qt still collates Chinese names, maps case and finds the
Chinese code pages with the trimmed library in place of PySide6's."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "build_scripts"))
import trim_icu  # noqa: E402


def test_keeps_what_qt_reads_and_drops_other_locales():
    for name in ("coll/zh.res", "coll/root.res", "coll/ucadata.icu", "zh_Hans_CN.res", "en.res",
                 "root.res", "pool.res", "curr/pool.res", "uprops.icu", "ucase.icu", "nfc.nrm",
                 "cnvalias.icu", "gb18030.cnv", "windows-936-2000.cnv", "windows-950-2000.cnv",
                 "brkitr/line.brk", "zoneinfo64.res", "supplementalData.res"):
        assert trim_icu.keep(name), name
    for name in ("coll/de.res", "de.res", "unit/fr_CA.res", "zone/ja.res", "translit/el.res",
                 "brkitr/thaidict.dict", "brkitr/cjdict.dict", "ibm-1047_P100-1995.cnv",
                 "rbnf/ru.res"):
        assert not trim_icu.keep(name), name


def _package(items):
    header = bytes([0x20, 0, 0xDA, 0x27]) + b"\x14\0\0\0\0\0\2\0CmnD\1\0\0\0\3\0\0\0" + bytes(8)
    return trim_icu.write_package(header, items)


def test_package_round_trip_keeps_items_aligned():
    items = [("icudt73l/a.res", b"x" * 5), ("icudt73l/coll/b.res", b"y" * 33),
             ("icudt73l/z.icu", b"z" * 16)]
    blob = _package(items)
    header, back = trim_icu.read_package(blob)
    assert [(n, d.rstrip(b"\0")) for n, d in back] == items
    assert all((blob.index(d) % 16) == 0 for _, d in items)
    assert trim_icu.write_package(header, back) == blob


def _pyside_icu() -> Path | None:
    try:
        import PySide6
    except ImportError:
        return None
    found = sorted((Path(PySide6.__file__).parent / "Qt" / "lib").glob("libicudata.so.*"))
    return found[0] if found else None


QT_PROBE = """
from PySide6.QtCore import QCollator, QLocale, QStringDecoder
c = QCollator(QLocale("zh_CN"))
print(",".join(sorted(["张三", "李四", "王五", "阿明", "赵六"], key=c.sortKey)))
print(QLocale("tr_TR").toUpper("i"), QLocale("en_US").toLower("ÄBC"))
print(*(QStringDecoder(n).isValid() for n in ("GB18030", "GBK", "Big5")))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux") or _pyside_icu() is None
                    or not (shutil.which("cc") or shutil.which("gcc")),
                    reason="Linux PySide6 with its ICU and a C compiler")
def test_qt_works_with_the_trimmed_library(tmp_path):
    src = _pyside_icu()
    old, new = trim_icu.trim(src, tmp_path / src.name)
    assert new < old / 3
    env = dict(os.environ, LD_LIBRARY_PATH=str(tmp_path), QT_QPA_PLATFORM="offscreen")
    probe = [sys.executable, "-c", QT_PROBE]
    out = subprocess.run(probe, env=env, check=True, capture_output=True, text=True,
                         timeout=60).stdout.splitlines()
    assert out == ["阿明,李四,王五,张三,赵六", "İ äbc", "True True True"]
    # and it was the trimmed library that Qt loaded
    env["LD_DEBUG"] = "libs"
    trace = subprocess.run(probe, env=env, capture_output=True, text=True, timeout=60).stderr
    assert f"calling init: {tmp_path / src.name}" in trace
