"""Hybrid logical clock (Kulkarni et al.): orders edits across devices whose PC clocks are
wrong, and never runs backwards on one device.

A timestamp is the string ``PPPPPPPPPPPPP-CCCC-NODE``: 13-digit physical milliseconds, a
4-digit counter and the node id, so plain string comparison is clock order.
"""
from __future__ import annotations

from dataclasses import dataclass

MAX_COUNTER = 9999


@dataclass(frozen=True, order=True)
class Timestamp:
    millis: int
    counter: int
    node: str

    def __str__(self) -> str:
        return f"{self.millis:013d}-{self.counter:04d}-{self.node}"

    @classmethod
    def parse(cls, text: str) -> "Timestamp":
        millis, counter, node = text.split("-", 2)
        if len(millis) != 13 or len(counter) != 4:
            raise ValueError(f"not an HLC timestamp: {text!r}")
        return cls(int(millis), int(counter), node)


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

    def observe(self, remote: Timestamp, wall_ms: int) -> Timestamp:
        """Merge a timestamp received from elsewhere, so later local edits order after it."""
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
