"""Deterministic identifiers for synthetic data: UUIDv7-shaped record ids from a seeded
random source, and valid GB 11643 resident ID numbers."""
from __future__ import annotations

import random
from datetime import date

from familydoc_desktop.domain.idcard import check_digit


class IdMaker:
    """UUIDv7-shaped ids (48-bit milliseconds, version 7, variant 10, random bits) whose
    timestamps rise by one millisecond per id: the same seed gives the same ids, and the ids
    keep the time order that makes SQLite inserts cheap."""

    def __init__(self, rng: random.Random, start_ms: int) -> None:
        self._rng = rng
        self._ms = start_ms

    def __call__(self) -> str:
        self._ms += 1
        value = ((self._ms & 0xFFFFFFFFFFFF) << 80) | (0x7 << 76) \
            | (self._rng.getrandbits(12) << 64) | (0b10 << 62) | self._rng.getrandbits(62)
        h = f"{value:032x}"
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


class IdNumbers:
    """Unique valid 18-character ID numbers: area + birth date + sequence (odd = male)."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: set[str] = set()

    def make(self, area: str, born: date, male: bool) -> str:
        for _ in range(200):
            seq = self._rng.randrange(0, 500) * 2 + (1 if male else 0)
            first17 = f"{area}{born:%Y%m%d}{seq:03d}"
            if first17 not in self._used:
                self._used.add(first17)
                return first17 + check_digit(first17)
        raise RuntimeError("同一地区同一出生日期的身份证号已用尽")
