"""zstd for pull pages, negotiated by Accept-Encoding (clients without it get gzip).

Two settings, both with level 6's window (2 MiB, what every zstd decoder takes: older PCs
decode these frames unchanged), on a first-sync page of the 60,000-resident demo township
(10,000 records, 3.75 MB of JSON):
  * FAST (the default): the lazy2 match finder, a 6-byte minimum match and three searches
    (between zstd's levels 7 and 9): 37.5 bytes a record in ~18 ms;
  * SMALL (`pack=small`, which a PC asks for once it has measured a slow line,
    sync/engine.py): the btopt match finder of levels 16-17 with short searches: 35.8 bytes
    a record in ~111 ms. On a 2 Mbit/s line a page takes 1.5 s to send and the next one is
    built meanwhile (api/readahead.py), so the time is hidden and 5 % fewer bytes are 5 %
    less waiting; on a fast line it was the slowest step of a first sync (issue 14).
Level 6: 40.2 bytes in 16 ms; level 19: 34.9 bytes in ~590 ms (docs/sync.md "Figures")."""
from __future__ import annotations

try:
    import zstandard
except ImportError:  # an installation without it still serves gzip
    zstandard = None

WINDOW_LOG = 21  # 2 MiB, as level 6 uses for a page this size; decoders allow 8 MiB and more
FAST = None if zstandard is None else zstandard.ZstdCompressionParameters(
    window_log=WINDOW_LOG, chain_log=19, hash_log=20, search_log=3, min_match=6,
    target_length=16, strategy=zstandard.STRATEGY_LAZY2, write_content_size=True,
    write_checksum=False)
SMALL = None if zstandard is None else zstandard.ZstdCompressionParameters(
    window_log=WINDOW_LOG, chain_log=18, hash_log=17, search_log=2, min_match=5,
    target_length=48, strategy=zstandard.STRATEGY_BTOPT, write_content_size=True,
    write_checksum=False)


def accepts_zstd(accept_encoding: str) -> bool:
    if zstandard is None:
        return False
    for part in accept_encoding.lower().split(","):
        name, _, params = part.strip().partition(";")
        if name.strip() == "zstd":
            return params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00", "q=0.000")
    return False


def zstd(body: bytes, small: bool = False) -> bytes:
    # One compressor per page: ZstdCompressor objects are not to be shared between threads.
    return zstandard.ZstdCompressor(compression_params=SMALL if small else FAST).compress(body)
