"""Server epochs (models.server_epoch): restoring the database from a backup takes the
sequence back, so seq numbers that clinic PCs already hold are handed out again for other
changes. A new epoch marks that: `familydoc-server restore` starts one, and so does a device
whose pull cursor is ahead of the counter in the epoch it knows (a restore made some other
way: a copied file, pg_restore by hand, a virtual machine snapshot). PCs compare the epoch
with the one they remember and resync (familydoc_desktop/sync/resync.py)."""
from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, insert, select

from sync_server import models
from sync_server.core.db import current_seq, now_ms, read_tx, sequenced_tx
from sync_server.services.accounts import Principal, log_event

if TYPE_CHECKING:  # imported where used: pydantic costs ~0.1 s of every command's start
    from familydoc_desktop.sync.protocol import EpochEntry, ServerEpoch


def history(conn: Connection) -> list[EpochEntry]:
    from familydoc_desktop.sync.protocol import EpochEntry

    e = models.server_epoch
    return [EpochEntry(epoch=row.epoch, base_seq=row.base_seq, reason=row.reason)
            for row in conn.execute(select(e.c.epoch, e.c.base_seq, e.c.reason)
                                    .order_by(e.c.id))]


def current(conn: Connection) -> str | None:
    e = models.server_epoch
    return conn.execute(select(e.c.epoch).order_by(e.c.id.desc()).limit(1)).scalar()


def start(conn: Connection, reason: str, base_seq: int | None = None) -> str:
    """A new epoch from `base_seq` (default: the counter now). Call inside a transaction that
    holds the sequence lock, so no push commits between reading the counter and this."""
    epoch = str(uuid.uuid4())
    conn.execute(insert(models.server_epoch).values(
        epoch=epoch, base_seq=current_seq(conn) if base_seq is None else base_seq,
        reason=reason, created_at=now_ms()))
    return epoch


def after_restore(engine: Engine) -> str:
    """The restore command's last step: devices must not trust seq numbers above here."""
    with sequenced_tx(engine) as (conn, _seq):
        epoch = start(conn, "restore")
        log_event(conn, "server_restored", detail=f"epoch {epoch}")
    return epoch


def state(engine: Engine, who: Principal, since: int | None = None,
          known: str | None = None) -> ServerEpoch:
    """The epoch answer for a device. `since` is its pull cursor and `known` the epoch it
    believes it is in (None: it has not met epochs yet): a cursor ahead of the counter in
    that same epoch means the database went back without the restore command, so a new
    epoch starts and every PC resyncs, not just this one."""
    with read_tx(engine) as conn:
        now = current(conn)
        seq = current_seq(conn)
    if now is None:  # a database emptied by hand (the migration starts the first epoch)
        with sequenced_tx(engine) as (conn, _lock):
            now = current(conn) or start(conn, "created")
    if since is not None and since > seq and known in (None, now):
        with sequenced_tx(engine) as (conn, lock):
            # Under the sequence lock: another device may have started it meanwhile.
            if current(conn) == now and since > lock.value:
                new = start(conn, "regression", lock.value)
                log_event(conn, "sequence_regression", username=who.username,
                          account_id=who.account_id, device_id=who.device_id,
                          org_id=who.org_id,
                          detail=f"cursor {since} > seq {lock.value}, epoch {new}")
    d = models.device
    with read_tx(engine) as conn:
        last = conn.execute(select(d.c.last_mutation_id)
                            .where(d.c.id == who.device_id)).scalar()
        entries = history(conn)
        seq = current_seq(conn)
    from familydoc_desktop.sync.protocol import ServerEpoch

    return ServerEpoch(epoch=entries[-1].epoch, max_seq=seq, history=entries,
                       device_last_mutation_id=int(last or 0), server_time_ms=now_ms())



