"""Hybrid logical clock (Kulkarni et al.): orders edits across devices whose PC clocks are
wrong, and never runs backwards on one device.

A timestamp is the string ``PPPPPPPPPPPPP-CCCC-NODE``: 13-digit physical milliseconds, a
4-digit counter and the node id, so plain string comparison is clock order.

The clock rules against bad PC clocks (docs/sync.md, "Clocks"):
- parsing is strict: anything but that shape, or a time outside 1970-2200, is an `HlcError`;
- a clock never follows a remote stamp more than `FOLLOW_AHEAD_MS` (24 h) beyond its own
  wall clock, or beyond the server's time when the PC's clock is behind it (a record stamped
  in 2038 must not move a PC's clock years ahead);
- the server refuses edits stamped more than `REFUSE_AHEAD_MS` (48 h) ahead of its time, so a
  PC whose wall clock is right never stamps an edit the server refuses;
- a clock whose last stamp is more than `RESTART_AHEAD_MS` ahead of the wall clock restarts
  from the wall clock only when the wall clock agrees with the server's (`should_restart`):
  a PC put right after running a year ahead, not one whose clock fell back to 1970.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

from familydoc_desktop.domain.errors import DomainError

MAX_COUNTER = 9999
HOUR_MS = 3_600_000
FOLLOW_AHEAD_MS = 24 * HOUR_MS  # a remote stamp is followed at most this far past the wall
REFUSE_AHEAD_MS = 48 * HOUR_MS  # the server refuses edits stamped further ahead of its time
RESTART_AHEAD_MS = 48 * HOUR_MS  # a last stamp this far ahead of a right wall clock restarts
AGREE_MS = 5 * 60_000  # a wall clock within this of the server's agrees with it
MAX_MILLIS = int(datetime(2201, 1, 1, tzinfo=timezone.utc).timestamp() * 1000) - 1
MAX_NODE = 21  # the whole stamp fits the 40 characters every hlc column holds
_SHAPE = re.compile(r"([0-9]{13})-([0-9]{4})-([0-9A-Za-z_-]{1,%d})" % MAX_NODE, re.ASCII)


class HlcError(DomainError):
    """A clock stamp that is not ``13 digits-4 digits-node`` or lies outside 1970-2200."""


@dataclass(frozen=True, order=True)
class Timestamp:
    millis: int
    counter: int
    node: str

    def __str__(self) -> str:
        return f"{self.millis:013d}-{self.counter:04d}-{self.node}"

    @classmethod
    def parse(cls, text: str) -> "Timestamp":
        """Strict: the exact shape `__str__` writes (ASCII digits, a node of letters, digits,
        '_' or '-', at most 40 characters in all) and a time up to the end of 2200."""
        match = _SHAPE.fullmatch(text) if isinstance(text, str) else None
        if match is None:
            raise HlcError("hlc_invalid", "不是有效的混合逻辑时钟（应为 13 位毫秒-4 位计数-设备）")
        millis = int(match.group(1))
        if millis > MAX_MILLIS:
            raise HlcError("hlc_out_of_range", "不是有效的混合逻辑时钟：时间超出 1970–2200 年的范围")
        return cls(millis, int(match.group(2)), match.group(3))


def node_for(device_id: str) -> str:
    """The clock node of a device: the last 12 hex digits of its id (a UUID's 36 characters
    would not fit an hlc column)."""
    return device_id.replace("-", "")[-12:]


def should_restart(last: Timestamp, wall_ms: int, offset_ms: int | None) -> bool:
    """Restart the clock from the wall clock? Only when the last stamp is more than
    RESTART_AHEAD_MS ahead of the wall clock AND the wall clock agrees with the server's
    (`offset_ms` = server − wall, measured just now; None: not known). A clock that fell back
    (dead CMOS battery: 1970) disagrees with the server and keeps counting from its last
    stamp, so it never runs backwards."""
    if offset_ms is None or abs(offset_ms) > AGREE_MS:
        return False
    return last.millis > wall_ms + RESTART_AHEAD_MS


class Clock:
    """One device's clock. `wall` is passed in (milliseconds) so the rules stay testable."""

    def __init__(self, node: str, last: Timestamp | None = None) -> None:
        self.node = node
        self.last = last or Timestamp(0, 0, node)

    def now(self, wall_ms: int) -> Timestamp:
        if wall_ms > self.last.millis:
            ts = Timestamp(wall_ms, 0, self.node)
        else:
            ts = self._bump(self.last.millis, self.last.counter)
        self.last = ts
        return ts

    def observe(self, remote: Timestamp, wall_ms: int, server_ms: int | None = None
                ) -> Timestamp:
        """Merge a timestamp received from elsewhere, so later local edits order after it.
        A remote stamp is followed at most FOLLOW_AHEAD_MS past the wall clock, or past the
        server's time (`server_ms`, the answer's) when that is later: a PC whose clock runs
        behind still orders its edits after what it has seen, and nothing it stamps goes
        beyond what the server accepts."""
        limit = max(wall_ms, server_ms or 0) + FOLLOW_AHEAD_MS
        if remote.millis > limit:
            remote = Timestamp(limit, 0, remote.node)
        top = max(wall_ms, self.last.millis, remote.millis)
        if top == self.last.millis == remote.millis:
            ts = self._bump(top, max(self.last.counter, remote.counter))
        elif top == self.last.millis:
            ts = self._bump(top, self.last.counter)
        elif top == remote.millis:
            ts = self._bump(top, remote.counter)
        else:
            ts = Timestamp(top, 0, self.node)
        self.last = ts
        return ts

    def restart(self) -> None:
        """Forget the last stamp: the next one comes from the wall clock (see should_restart;
        the caller re-stamps what was stamped ahead)."""
        self.last = Timestamp(0, 0, self.node)

    def _bump(self, millis: int, counter: int) -> Timestamp:
        if counter >= MAX_COUNTER:  # counter exhausted: borrow a millisecond
            return Timestamp(millis + 1, 0, self.node)
        return Timestamp(millis, counter + 1, self.node)


def clamp(ts: Timestamp, server_ms: int, max_ahead_ms: int) -> tuple[Timestamp, bool]:
    """Server side: a timestamp further ahead of server time than allowed is pulled back.
    Returns the timestamp to use and whether it was clamped (to be reported)."""
    limit = server_ms + max_ahead_ms
    if ts.millis <= limit:
        return ts, False
    return Timestamp(limit, ts.counter, ts.node), True


def refused_ahead(ts: Timestamp, server_ms: int) -> bool:
    """Server side: stamped further ahead of the server's time than any PC clock credibly is
    (the server refuses the edit, `clock_ahead`; the PC re-stamps it once its date is right)."""
    return ts.millis > server_ms + REFUSE_AHEAD_MS
