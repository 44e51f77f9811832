"""zstd for pull pages, negotiated by Accept-Encoding (clients without it get gzip).

The parameters are level 6's window (2 MiB, what every zstd decoder takes: older PCs decode
these frames unchanged) with the btopt match finder (zstd's levels 16-17), its searches kept
short: the 60,000-resident demo township's first sync 36.6 bytes a record instead of 40.8 at
level 6, for ~13 us of server CPU a record instead of ~2-4 (docs/sync.md "Figures")."""
from __future__ import annotations

try:
    import zstandard
except ImportError:  # an installation without it still serves gzip
    zstandard = None

WINDOW_LOG = 21  # 2 MiB, as level 6 uses for a page this size; decoders allow 8 MiB and more
PARAMS = None if zstandard is None else zstandard.ZstdCompressionParameters(
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


def zstd(body: bytes) -> bytes:
    # One compressor per page: ZstdCompressor objects are not to be shared between threads.
    return zstandard.ZstdCompressor(compression_params=PARAMS).compress(body)
