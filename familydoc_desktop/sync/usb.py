"""USB transfer on the PC (docs/sync.md "USB transfer"), for a clinic with no line for weeks.

- At every login (over the network) the PC makes its bundle keys once per device id and
  registers the public halves with the server, which answers with its own (`register_keys`).
- `export_bundle`: every pending change, the pull cursor and the sync-health report, sealed so only the server can
  read it, signed with this PC's key. The changes stay pending until the server's answer
  comes back (by USB or the network): exporting twice is harmless, the server drops what it
  already applied.
- `import_bundle`: the server's file for this PC: checked (signed by the server, addressed
  to this device), then applied like a pull: the outbox is cleared of what the server has
  applied, the pages go in through apply.apply_page, the cursor moves, and the conflict
  decisions made here that the server now reports resolved are no longer queued. Pages this PC already
  has are skipped, so importing the same file twice changes nothing.
Private keys live in sync_state, inside the encrypted database (store/engine.py)."""
from __future__ import annotations

import json
import logging
from pathlib import Path

from familydoc_desktop.domain import bundle as fmt
from familydoc_desktop.store import changes
from familydoc_desktop.store.database import Database
from familydoc_desktop.sync import apply, conflicts, health, outbox, resync
from familydoc_desktop.sync.http import Client, SyncError
from familydoc_desktop.sync.protocol import PullResponse, ServerEpoch

log = logging.getLogger(__name__)

KEYS = "usb_keys"  # {"device": id, "sign": private, "box": private, "server_sign", "server_box"}
NO_KEYS = ("本机还没有U盘同步密钥：请先在有网络时登录同步服务器一次"
           "（登录时自动与服务器交换密钥），之后断网也能用U盘同步")
RESTORED = ("乡镇的同步服务器已从备份恢复，这个文件里的数据不能直接导入。本机已把服务器缺少的 {n} 条"
            "修改重新排队：请重新写出本机修改（familydoc bundle export）交给乡镇导入，并请乡镇"
            "从头为本机导出：familydoc-server bundle export --device {device} --since 0")
GAP = ("U盘文件从游标 {since} 开始，而本机只同步到 {cursor}：中间的数据不在这个文件里，没有导入。"
       "请在服务器上重新导出：familydoc-server bundle export --device {device} --since {cursor}")


def _load(db: Database) -> dict | None:
    raw = apply.get_state(db, KEYS)
    keys = json.loads(raw) if raw else None
    return keys if keys and keys.get("device") == db.device_id else None


def register_keys(db: Database, client: Client) -> bool:
    """Make this device's keys (once per device id) and exchange public keys with the
    server. False (logged) when the server does not offer USB transfer (an older one)."""
    keys = _load(db)
    if keys is None:
        pair = fmt.KeyPair.generate()
        keys = {"device": db.device_id, "sign": pair.sign, "box": pair.box}
    sign_pub, box_pub = fmt.KeyPair(keys["sign"], keys["box"]).public()
    try:
        answer = json.loads(client.post("/bundle/register",
                                        {"sign_key": sign_pub, "box_key": box_pub}))
        keys.update(server_sign=answer["server_sign_key"], server_box=answer["server_box_key"])
    except SyncError as exc:
        log.warning("USB bundle keys not registered (status %s)", exc.status)
        return False
    except (ValueError, KeyError, TypeError):
        log.warning("USB bundle keys not registered (unexpected answer)")
        return False
    apply.set_state(db, KEYS, json.dumps(keys))
    return True


def _keys_or_fail(db: Database) -> dict:
    keys = _load(db)
    if keys is None or "server_box" not in keys:
        raise fmt.BundleError(NO_KEYS)
    return keys


def export_bundle(db: Database, path: str | Path) -> dict:
    """Write every pending change (and the cursor) to `path`. Returns a summary."""
    keys = _keys_or_fail(db)
    with db.session(capture=False) as s:
        entries = outbox.read_batch(s, limit=10 ** 9)
    cursor = int(apply.get_state(db, apply.CURSOR_KEY, "0"))
    # The sync-health report travels with the changes, so the township's sync report shows
    # this PC like a networked one. Every pending change is in the file (pending 0 once it is
    # imported); the clock offset cannot be measured without a round trip.
    report = health.build(db, sync_ok=True, clock_offset_ms=None).model_copy(
        update={"pending": 0, "client_time_ms": None})
    payload = {"push": {"device_id": db.device_id, "client_time_ms": changes.wall_ms(),
                        "mutations": outbox.wire_batch(entries)},
               "cursor": cursor, "health": report.model_dump(mode="json"),
               # Conflict decisions made offline go the same way, applied after the changes.
               "resolutions": conflicts.pending_resolutions(db)}
    data = fmt.seal(payload, direction=fmt.TO_SERVER, device_id=db.device_id,
                    created_ms=int(changes.wall_ms()), recipient_box_public=keys["server_box"],
                    sender_sign_private=keys["sign"])
    path = Path(path)
    tmp = path.with_name(path.name + ".partial")
    tmp.write_bytes(data)
    tmp.replace(path)
    return {"output": str(path), "mutations": len(entries), "cursor": cursor,
            "resolutions": len(payload["resolutions"]), "bytes": len(data),
            "device_id": db.device_id}


def import_bundle(db: Database, path: str | Path) -> dict:
    """Apply the server's bundle for this PC like a pull. Returns a summary."""
    path = Path(path)
    name = path.name
    env = fmt.read_envelope(path.read_bytes(), name)
    if env["direction"] != fmt.TO_DEVICE:
        raise fmt.BundleError(fmt.WRONG_DIRECTION_DEVICE.format(name=name))
    keys = _keys_or_fail(db)
    fmt.verify(env, keys["server_sign"], name)  # tampered, or another server's
    if env["device_id"] != db.device_id:
        raise fmt.BundleError(fmt.FOREIGN_DEVICE.format(name=name))
    payload = fmt.open_sealed(env, keys["box"], name)
    try:
        pages = [PullResponse.model_validate(p) for p in payload["pages"]]
        since, last_mutation = int(payload["since"]), int(payload["last_mutation_id"])
    except (KeyError, TypeError, ValueError) as exc:
        raise fmt.BundleError(fmt.NOT_A_BUNDLE.format(name=name)) from exc
    plan = None
    if payload.get("epoch") is not None:  # files from servers before epochs have none
        try:
            answer = ServerEpoch.model_validate(payload["epoch"])
        except ValueError as exc:
            raise fmt.BundleError(fmt.NOT_A_BUNDLE.format(name=name)) from exc
        plan = resync.decide(db, answer)  # a restored server: edits requeued, cursor 0
    cursor = int(apply.get_state(db, apply.CURSOR_KEY, "0"))
    if since > cursor:
        if plan is not None:
            begun = resync.marker(db) or {}  # the same old file again: the first count
            n = plan.requeued + plan.whole_rows if not plan.resumed else \
                int(begun.get("requeued", 0)) + int(begun.get("whole_rows", 0))
            raise fmt.BundleError(RESTORED.format(n=n, device=db.device_id))
        raise fmt.BundleError(GAP.format(since=since, cursor=cursor, device=db.device_id))
    with db.session(capture=False) as s:
        acked = outbox.acknowledge(s, last_mutation)
    rows = n_conflicts = skipped = 0
    decided = set()  # conflicts the server reports resolved: decisions queued here are done
    named: set[str] = set()
    for page in pages:
        decided.update(c.id for c in page.conflicts if c.status == "resolved")
        if page.next_since <= cursor:  # already here (the same file imported again)
            skipped += 1
            continue
        for tp in page.tables.values():  # rows this PC already has at a newer state
            tp.rows = [r for r in tp.rows if r[1] is None or r[1] > cursor]
        result = apply.apply_page(db, page)
        rows += result.rows
        n_conflicts += result.conflicts
        named |= result.named_residents
        cursor = page.next_since
    settled = conflicts.forget_resolutions(db, decided)
    if plan is not None and pages and not pages[-1].more:
        resync.finish(db, plan)  # the whole server since 0 is here: in step again
    if named:
        # Records of residents merged elsewhere follow the merge, as after a network pull;
        # the edits wait in the outbox for the next bundle or sync.
        from familydoc_desktop.store import merge
        with db.session() as s:
            merge.follow_merges(s, among=named)
    with db.session(capture=False) as s:
        pending = outbox.pending_count(s)
    return {"rows": rows, "conflicts": n_conflicts, "acknowledged": acked,
            "resolutions_settled": settled, "skipped_pages": skipped, "cursor": cursor,
            "pending": pending}
