"""Linux build only: a smaller libicudata for the bundle (Qt's ICU data, 32 MB of 150).

Qt Core (PySide6's Linux wheels) links ICU and uses it for collation (QCollator), locale-aware
case mapping (QLocale::toUpper/toLower), non-UTF text codecs (QStringConverter) and, as a
fallback, time zones. Qt does its own line and word breaking, number formats and locale names
(its own CLDR tables), so most of ICU's data is never read by this app: the locale data of
~800 locales (units, currencies, language/region/zone names, collation, number spelling),
transliteration, the word-break dictionaries (Thai, Khmer, Lao, Burmese, CJK) and ~190
legacy code pages.

libicudata.so.73 exports one symbol, ``icudt73_dat``: ICU's "common data" package (a header,
a sorted table of contents, then the items). This keeps every item except those listed above
(locale data stays for root, zh* and en*; code pages stay for the Chinese encodings) and
links the new package into a library of the same name with the system C compiler. Without a
C compiler the build keeps the full library (and says so).

    python build_scripts/trim_icu.py IN/libicudata.so.73 OUT/libicudata.so.73
"""
from __future__ import annotations

import re
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

# Locale-data trees: only these locales' files stay (plus pool.res/res_index.res, the tree's
# shared strings and index, and anything that is not a locale file).
LOCALE_TREES = ("", "coll/", "curr/", "lang/", "region/", "unit/", "zone/", "rbnf/", "brkitr/")
KEEP_LOCALE = re.compile(r"^(root|zh|zh_.*|en|en_.*|pool|res_index)\.res$")
# Chinese code pages (GB18030, GBK/Windows-936, EUC-CN, Big5, EUC-TW, HKSCS) stay.
KEEP_CNV = re.compile(r"^(gb18030|windows-936.*|ibm-1383_.*|ibm-1386_.*|ibm-5478_.*|"
                      r"ibm-1373_.*|ibm-950_.*|windows-950.*|ibm-1375_.*|ibm-964_.*|euc-tw.*|"
                      r"icu-internal-.*|cnvalias)\.(cnv|icu)$")
LOCALE_FILE = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9_]*)?\.res$")


def keep(name: str) -> bool:
    """name: the item's path inside the package, e.g. 'coll/de.res' or 'ibm-1047_P100-1995.cnv'."""
    folder, _, base = name.rpartition("/")
    folder = folder + "/" if folder else ""
    if folder == "translit/":
        return False
    if base.endswith(".dict"):  # word-break dictionaries (Qt breaks text itself)
        return False
    if base.endswith(".cnv"):
        return bool(KEEP_CNV.match(base))
    if folder in LOCALE_TREES and (LOCALE_FILE.match(base) or base in ("pool.res", "res_index.res")):
        return bool(KEEP_LOCALE.match(base))
    return True


def read_package(blob: bytes) -> tuple[bytes, list[tuple[str, bytes]]]:
    """Split ICU common data into (header, [(full item name, item bytes)])."""
    header_size, magic1, magic2 = struct.unpack_from("<HBB", blob, 0)
    if (magic1, magic2) != (0xDA, 0x27):
        raise ValueError("not ICU data")
    (count,) = struct.unpack_from("<I", blob, header_size)
    toc = [struct.unpack_from("<II", blob, header_size + 4 + 8 * i) for i in range(count)]
    items = []
    for i, (name_off, data_off) in enumerate(toc):
        start = header_size + name_off
        name = blob[start:blob.index(b"\0", start)].decode("ascii")
        end = header_size + toc[i + 1][1] if i + 1 < count else len(blob)
        items.append((name, blob[header_size + data_off:end]))
    return blob[:header_size], items


def write_package(header: bytes, items: list[tuple[str, bytes]]) -> bytes:
    """Inverse of read_package (the items keep their sorted order; each starts 16-aligned)."""
    toc_size = 4 + 8 * len(items)
    names = b""
    name_offsets = []
    for name, _ in items:
        name_offsets.append(toc_size + len(names))
        names += name.encode("ascii") + b"\0"
    data_start = toc_size + len(names)
    data_start += -(len(header) + data_start) % 16
    body = bytearray()
    data_offsets = []
    for _, data in items:
        data_offsets.append(data_start + len(body))
        body += data + b"\0" * (-len(data) % 16)
    toc = struct.pack("<I", len(items)) + b"".join(
        struct.pack("<II", n, d) for n, d in zip(name_offsets, data_offsets))
    out = header + toc + names
    out += b"\0" * (len(header) + data_start - len(out))
    return bytes(out + body)


def _symbol(lib: Path) -> tuple[str, int, int]:
    """(name, file offset, size) of the icudtNN_dat symbol."""
    nm = subprocess.run(["nm", "-DS", "--defined-only", str(lib)], check=True,
                        capture_output=True, text=True).stdout
    for line in nm.splitlines():
        parts = line.split()
        if len(parts) == 4 and re.fullmatch(r"icudt\d+_dat", parts[3]):
            addr, size = int(parts[0], 16), int(parts[1], 16)
            break
    else:
        raise ValueError(f"no icudt*_dat in {lib}")
    # Map the address to a file offset through the section that holds it.
    sections = subprocess.run(["readelf", "-SW", str(lib)], check=True, capture_output=True,
                              text=True).stdout
    for m in re.finditer(r"\]\s+\S+\s+\S+\s+([0-9a-f]{8,})\s+([0-9a-f]{6,})\s+([0-9a-f]{6,})",
                         sections):
        sec_addr, sec_off, sec_size = (int(g, 16) for g in m.groups())
        if sec_addr <= addr < sec_addr + sec_size:
            return parts[3], addr - sec_addr + sec_off, size
    raise ValueError(f"no section holds {parts[3]}")


def trim(src: Path, dst: Path) -> tuple[int, int]:
    """Write the trimmed library to dst; returns (old, new) data size in bytes."""
    symbol, offset, size = _symbol(src)
    blob = src.read_bytes()[offset:offset + size]
    header, items = read_package(blob)
    kept = [(name, data) for name, data in items if keep(name.split("/", 1)[1])]
    new = write_package(header, kept)
    soname = src.name
    with tempfile.TemporaryDirectory() as tmp:
        dat = Path(tmp) / "icudt.dat"
        dat.write_bytes(new)
        asm = Path(tmp) / "icudata.S"
        asm.write_text(f"""\t.section .rodata
\t.globl {symbol}
\t.type {symbol}, @object
\t.balign 16
{symbol}:
\t.incbin "{dat}"
\t.size {symbol}, .-{symbol}
\t.section .note.GNU-stack,"",@progbits
""")
        cc = shutil.which("cc") or shutil.which("gcc")
        if not cc:
            raise FileNotFoundError("no C compiler (cc/gcc)")
        dst.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run([cc, "-shared", "-nostdlib", "-Wl,-soname," + soname,
                        "-Wl,-z,noexecstack", "-s", "-o", str(dst), str(asm)], check=True)
    return len(blob), len(new)


if __name__ == "__main__":
    old, new = trim(Path(sys.argv[1]), Path(sys.argv[2]))
    print(f"ICU data {old:,} -> {new:,} bytes")
