"""The next pull page, built while the current one travels (issue 14).

A PC asks for page N+1 only when page N has arrived, and until then the server idled: on a
2 Mbit/s village line every page cost the time to build it (a quarter to a third of a second
for 10,000 records) on top of the time to send it, and the line stood still meanwhile (with
Linux restarting a TCP connection's congestion window after such a pause). So when the server
answers a page that says `more`, it starts building the page after it, for the same caller
with the same parameters from the cursor it has just given (and the limit the PC said it will
ask next, `next_limit`), on a small thread pool; the request
that then comes for it takes the bytes built (waiting for them if they are still being built)
instead of building them again.

Why a page built a moment early is as right as one built on request: sequence numbers become
visible in commit order (core.db.Sequence), so everything a later build would add has a higher
sequence number and comes in a later page; a record changed in between is sent in the early
page as it was, and again, as it is, in a later one (the PC applies pages in order: the newer
version wins). That is what a PC that asked a moment earlier would have got.

What may take a page built ahead: only a request with the same token (its hash), device and
parameters, after that request's own authentication (deps.current_principal) — a token revoked
meanwhile gets its 401, never the page. Pages are kept at most TTL seconds, at most ENTRIES at
a time and MAX_BYTES in all (compressed); only the zstd pages of the ordinary pull (no table,
no buckets) are built ahead. A server with several workers builds ahead in each: a request
that lands on another worker is built there, as before.
"""
from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass

TTL = 30.0  # seconds a page built ahead waits for its request
ENTRIES = 16  # pages built ahead kept (or being built) at a time
MAX_BYTES = 32 * 1024 * 1024  # their bytes, compressed
WAIT = 120.0  # seconds a request waits for a page still being built


@dataclass(frozen=True)
class Built:
    body: bytes
    more: bool
    next_since: int


class ReadAhead:
    """Pages built ahead, keyed by everything that makes a page (the caller's token hash
    and device, the layout, own, schema, cursor and limit: routes/sync.py `pull_changes`).
    Thread-safe; one per app."""

    def __init__(self, workers: int = 2) -> None:
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix="pull-ahead")
        self._lock = threading.Lock()
        self._pages: OrderedDict[Hashable, tuple[float, Future]] = OrderedDict()
        self.built = self.taken = 0  # for tests and the log

    def take(self, key: Hashable) -> Built | None:
        """The page built ahead for `key` (waiting for it if it is being built), or None:
        none was, it failed, or it is too old."""
        with self._lock:
            found = self._pages.pop(key, None)
            self._evict()  # pages built for PCs that never came back for them
        if found is None:
            return None
        started, future = found
        if time.monotonic() - started > TTL:
            return None
        if future.cancel():  # still queued behind other PCs' pages: build it on request
            return None
        try:
            page = future.result(timeout=WAIT)
        except Exception:  # noqa: BLE001  (the request builds it itself and says what failed)
            return None
        self.taken += 1
        return page

    def offer(self, key: Hashable, build: Callable[[], Built]) -> bool:
        """Start building `key`'s page unless it is already there or the store is full."""
        with self._lock:
            self._evict()
            if key in self._pages or len(self._pages) >= ENTRIES \
                    or self._bytes() >= MAX_BYTES:
                return False
            self._pages[key] = (time.monotonic(), self._pool.submit(build))
            self.built += 1
        return True

    def _evict(self) -> None:
        now = time.monotonic()
        for key in [k for k, (started, _) in self._pages.items() if now - started > TTL]:
            del self._pages[key]

    def _bytes(self) -> int:
        total = 0
        for _, future in self._pages.values():
            if future.done() and future.exception() is None:
                total += len(future.result().body)
        return total

    def drain(self, timeout: float = WAIT) -> None:
        """Wait until every page being built is built (tests; a server about to stop)."""
        with self._lock:
            futures = [future for _, future in self._pages.values()]
        for future in futures:
            try:
                future.result(timeout=timeout)
            except Exception:  # noqa: BLE001  (take() says None for it)
                pass

    def close(self) -> None:
        with self._lock:
            self._pages.clear()
        self._pool.shutdown(wait=False, cancel_futures=True)
