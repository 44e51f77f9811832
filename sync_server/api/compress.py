"""zstd for pull pages, negotiated by Accept-Encoding (clients without it get gzip).

Level 6 of a column-by-column page: ~40 bytes a record for the demo township at ~5 us a
record of server CPU, less than gzip-5 of the row layout (67 bytes, ~8 us): docs/sync.md."""
from __future__ import annotations

try:
    import zstandard
except ImportError:  # an installation without it still serves gzip
    zstandard = None

LEVEL = 6


def accepts_zstd(accept_encoding: str) -> bool:
    if zstandard is None:
        return False
    for part in accept_encoding.lower().split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() == "zstd":
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def zstd(body: bytes) -> bytes:
    return zstandard.ZstdCompressor(level=LEVEL).compress(body)
