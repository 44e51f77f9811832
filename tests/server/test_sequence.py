"""Sequence numbers become visible in commit order: a reader pulling with a cursor while
several devices push at once never skips a row (the OpenSRP timestamp-cursor bug)."""
from __future__ import annotations

import threading
import time

from sqlalchemy import select

from familydoc_desktop.sync.protocol import Mutation, PushRequest
from tests.server.server_helpers import resident
from sync_server import models
from sync_server.services import pull, push
from sync_server.services.accounts import Principal


def test_concurrent_pushes_never_skip_a_pulling_cursor(world):
    for user in ("doc_a", "doc_a2"):
        world.login(user)
    with world.engine.connect() as conn:
        accounts = {r.username: r for r in conn.execute(select(models.account))}
    writers = [Principal(accounts[u].id, u, "village_doctor", world.orgs["clinic_a"],
                         f"dev-{u}", "-") for u in ("doc_a", "doc_a2")]
    reader = Principal(accounts["town"].id, "town", "township_staff", world.orgs["township"],
                       "dev-reader", "-")
    written: list[str] = []
    errors: list[BaseException] = []

    def write(who: Principal) -> None:
        try:
            for batch in range(12):
                muts = []
                for i in range(4):
                    rid, data = resident(world.orgs["clinic_a"])
                    muts.append(Mutation(mutation_id=batch * 4 + i + 1, table="resident",
                                         record_id=rid, op="insert", changes=data,
                                         hlc=world.hlc(who.device_id, counter=i)))
                push.push(world.engine, who, PushRequest(device_id=who.device_id,
                                                         client_time_ms=0, mutations=muts))
                written.extend(m.record_id for m in muts)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(w,)) for w in writers]
    for t in threads:
        t.start()
    seen: list[str] = []
    since = 0

    def drain() -> None:
        nonlocal since
        while True:
            page = pull.pull(world.engine, reader, since=since, limit=5)
            table = page["tables"].get("resident")
            seen.extend(row[0] for row in table["rows"]) if table else None
            since = page["next_since"]
            if not page["more"]:
                return

    while any(t.is_alive() for t in threads):
        drain()
        time.sleep(0.001)
    for t in threads:
        t.join()
    drain()
    assert not errors, errors
    assert len(written) == 96
    assert sorted(seen) == sorted(written)  # every row once, none skipped, none repeated
