"""Named crash points for the kill tests: with FAMILYDOC_SYNC_CRASH_AT="mid_page:2" the
process SIGKILLs itself the 2nd time it reaches `mid_page` (":N" defaults to 1). Points:
after_push_sent (the server has the batch, the outbox is not yet acknowledged),
mid_page (rows written, transaction not committed), after_page_applied (page committed).
Unset (always, outside tests) it costs one dict lookup."""
from __future__ import annotations

import os
import signal

ENV = "FAMILYDOC_SYNC_CRASH_AT"
_seen: dict[str, int] = {}


def point(name: str) -> None:
    spec = os.environ.get(ENV)
    if not spec:
        return
    target, _, nth = spec.partition(":")
    if target != name:
        return
    _seen[name] = _seen.get(name, 0) + 1
    if _seen[name] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
