"""USB transfer at the server (docs/sync.md "USB transfer"): a PC with no line brings its
pending changes on a stick (`familydoc bundle export`), IT imports them here exactly like a
push, and writes back what that PC has not pulled yet.

- `register`: at login (over the network, once) a device registers its two public keys and
  learns the server's (domain/bundle.py).
- `import_bundle`: checks the signature against the device's registered key, decrypts with the
  server's key, and applies the push through push.push as the device's account, so scope,
  validation, merge and idempotence are those of a network push: importing the same file twice
  changes nothing (mutation ids). The cursor it carries is kept for the return bundle, and
  the PC's sync-health report it carries becomes the device's latest (channel "usb").
- `export_bundle`: the pull pages since that cursor (or --since), sealed to the device and
  signed by the server, with the device's last applied mutation id (so the PC can clear its
  outbox of what the server has)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy import Connection, Engine, select, update

from familydoc_desktop.domain import bundle as fmt
from familydoc_desktop.sync.protocol import MAX_MUTATIONS_PER_PUSH as MAX_BATCH
from familydoc_desktop.sync.protocol import MAX_PULL_LIMIT, PushRequest, SyncHealthReport
from sync_server import models
from sync_server.core.db import now_ms, read_tx, write_tx
from sync_server.services import pull as pull_service
from sync_server.services import conflicts as conflicts_service
from sync_server.services import epoch as epoch_service
from sync_server.services import push as push_service
from sync_server.services import sync_health
from sync_server.services.accounts import Principal, log_event
from sync_server.services.errors import AlreadyDone, Forbidden, Invalid, NotFound, ServiceError

NOT_REGISTERED = ("设备 {device} 尚未登记U盘同步密钥：请让该电脑联网登录一次"
                  "（新版家医签约助手登录时自动登记），之后即可用U盘同步")
DEVICE_REFUSED = "设备 {device} 已被停用或其账号已停用，不能导入或导出它的U盘同步文件"
ORG_AMBIGUOUS = "机构 {org} 有 {n} 台登记了U盘同步的电脑，请用 --device 指定其中一台：{ids}"
ORG_NONE = "机构 {org} 没有登记了U盘同步的电脑"
MAX_RESOLUTIONS = 100_000


class BundleRefused(ServiceError):
    status = 422


def _server_keys(conn: Connection) -> fmt.KeyPair:
    k = models.server_key
    rows = dict(conn.execute(select(k.c.name, k.c.value)).all())
    if "sign" not in rows or "box" not in rows:
        pair = fmt.KeyPair.generate()
        conn.execute(k.delete().where(k.c.name.in_(["sign", "box"])))
        conn.execute(k.insert(), [{"name": "sign", "value": pair.sign},
                                  {"name": "box", "value": pair.box}])
        return pair
    return fmt.KeyPair(sign=rows["sign"], box=rows["box"])


def server_public_keys(engine: Engine) -> tuple[str, str]:
    with write_tx(engine) as conn:
        return _server_keys(conn).public()


def register(engine: Engine, who: Principal, sign_key: str, box_key: str) -> dict:
    """Store the calling device's public keys; answer with the server's."""
    for key in (sign_key, box_key):
        try:
            ok = len(fmt.unb64(key)) == 32
        except ValueError:
            ok = False
        if not ok:
            raise Invalid("U盘同步公钥格式不正确")
    with write_tx(engine) as conn:
        conn.execute(update(models.device).where(models.device.c.id == who.device_id)
                     .values(bundle_sign_key=sign_key, bundle_box_key=box_key))
        sign, box = _server_keys(conn).public()
        log_event(conn, "bundle_keys_registered", username=who.username,
                  account_id=who.account_id, device_id=who.device_id, org_id=who.org_id)
    return {"server_sign_key": sign, "server_box_key": box}


def _principal(conn: Connection, device_id: str, name: str) -> tuple[Principal, object]:
    d, a = models.device, models.account
    row = conn.execute(select(d, a.c.username, a.c.role, a.c.org_id.label("account_org"),
                              a.c.active).join(a, a.c.id == d.c.account_id)
                       .where(d.c.id == device_id)).first()
    if row is None or not row.bundle_sign_key:
        raise BundleRefused(fmt.UNKNOWN_DEVICE.format(name=name))
    if row.revoked or not row.active:
        raise Forbidden(DEVICE_REFUSED.format(device=device_id))
    who = Principal(account_id=row.account_id, username=row.username, role=row.role,
                    org_id=row.account_org, device_id=row.id, token_hash="usb-bundle")
    return who, row


@dataclass
class ImportResult:
    device_id: str
    username: str
    mutations: int
    applied: int
    duplicates: int
    conflicts: int
    resolutions: int  # the PC's offline conflict decisions applied by this import
    last_mutation_id: int
    cursor: int

    def as_dict(self) -> dict:
        return self.__dict__.copy()


def import_bundle(engine: Engine, path: Path) -> ImportResult:
    name = Path(path).name
    env = fmt.read_envelope(Path(path).read_bytes(), name)
    if env["direction"] != fmt.TO_SERVER:
        raise BundleRefused(fmt.WRONG_DIRECTION_SERVER.format(name=name))
    with write_tx(engine) as conn:
        who, row = _principal(conn, env["device_id"], name)
        keys = _server_keys(conn)
    try:
        fmt.verify(env, row.bundle_sign_key, name)
    except fmt.BundleError:
        with write_tx(engine) as conn:
            log_event(conn, "bundle_tampered", username=who.username, device_id=who.device_id,
                      org_id=who.org_id)
        raise
    payload = fmt.open_sealed(env, keys.box, name)
    try:
        push = payload["push"]
        mutations = push["mutations"]
        # A network push carries at most MAX_MUTATIONS_PER_PUSH: weeks offline, many more.
        batches = [PushRequest.model_validate({**push, "mutations": mutations[i:i + MAX_BATCH]})
                   for i in range(0, len(mutations), MAX_BATCH)]
        cursor = int(payload.get("cursor") or 0)
    except (KeyError, TypeError, ValueError) as exc:
        raise BundleRefused(fmt.NOT_A_BUNDLE.format(name=name)) from exc
    if push.get("device_id") != who.device_id:
        raise BundleRefused(fmt.TAMPERED.format(name=name))
    # A cursor ahead of the counter: the database went back without the restore command.
    epoch_service.state(engine, who, since=cursor)
    results = []
    for req in batches:
        results.extend(push_service.push(engine, who, req).results)
    resolved = _resolve(engine, who, payload.get("resolutions"), name)
    _record_health(engine, who, payload.get("health"))
    with write_tx(engine) as conn:
        conn.execute(update(models.device).where(models.device.c.id == who.device_id)
                     .values(usb_cursor=cursor, last_seen=now_ms()))
        last = conn.execute(select(models.device.c.last_mutation_id)
                            .where(models.device.c.id == who.device_id)).scalar_one()
        log_event(conn, "bundle_imported", username=who.username, account_id=who.account_id,
                  device_id=who.device_id, org_id=who.org_id,
                  detail=f"mutations={len(mutations)}")
    return ImportResult(
        device_id=who.device_id, username=who.username, mutations=len(mutations),
        applied=sum(r.status in ("applied", "merged") for r in results),
        duplicates=sum(r.status == "duplicate" for r in results),
        conflicts=sum(r.status == "conflict" for r in results), resolutions=resolved,
        last_mutation_id=last, cursor=cursor)


def _resolve(engine: Engine, who: Principal, raw: object, name: str) -> int:
    """Conflict decisions the PC made offline, applied as the network's POST .../resolve
    would, after the file's changes. One already decided (by this file imported before, or
    by someone else) or no longer in the device's scope is passed over, as the network
    client passes over a 404 or 409; out-of-scope ones are logged by conflicts.resolve."""
    if raw is None:
        return 0
    if not isinstance(raw, dict) or len(raw) > MAX_RESOLUTIONS or any(
            not isinstance(k, str) or not 0 < len(k) <= 36 or v not in ("local", "server")
            for k, v in raw.items()):
        raise BundleRefused(fmt.NOT_A_BUNDLE.format(name=name))
    done = 0
    for conflict_id, keep in raw.items():
        try:
            conflicts_service.resolve(engine, who, conflict_id, keep)
            done += 1
        except (NotFound, AlreadyDone):
            pass
    return done


def _record_health(engine: Engine, who: Principal, raw: object) -> None:
    """The PC's sync-health report from the bundle (files from before it was carried have
    none), kept as the device's latest with channel "usb". A report that does not validate
    is left out and logged: the changes are already applied, and they are what matters."""
    if raw is None:
        return
    try:
        body = SyncHealthReport.model_validate(raw)
        sync_health.record(engine, who, body, channel="usb")
    except (ValidationError, Forbidden):
        with write_tx(engine) as conn:
            log_event(conn, "bundle_report_invalid", username=who.username,
                      device_id=who.device_id, org_id=who.org_id)


def device_for_org(engine: Engine, org_code: str) -> str:
    d, o = models.device, models.org
    with read_tx(engine) as conn:
        org = conn.execute(select(o.c.id).where(o.c.code == org_code)).scalar()
        if org is None:
            raise NotFound(f"机构不存在：{org_code}")
        ids = conn.execute(select(d.c.id).where(d.c.org_id == org, d.c.revoked.is_(False),
                                                d.c.bundle_sign_key.is_not(None))
                           .order_by(d.c.last_seen.desc())).scalars().all()
    if not ids:
        raise NotFound(ORG_NONE.format(org=org_code))
    if len(ids) > 1:
        raise Invalid(ORG_AMBIGUOUS.format(org=org_code, n=len(ids), ids="、".join(ids)))
    return ids[0]


def export_bundle(engine: Engine, device_id: str, path: Path, *,
                  since: int | None = None) -> dict:
    """Write what `device_id` has not pulled (since its last imported bundle's cursor, or
    `since`) to `path`, sealed to that device. Returns a summary."""
    with write_tx(engine) as conn:
        who, row = _principal(conn, device_id, device_id)
        keys = _server_keys(conn)
    start = since if since is not None else int(row.usb_cursor or 0)
    pages, cursor, rows = [], start, 0
    while True:
        page = pull_service.pull(engine, who, since=cursor, limit=MAX_PULL_LIMIT)
        pages.append(page)
        rows += sum(len(t["rows"]) for t in page["tables"].values())
        if not page["more"]:
            break
        cursor = page["next_since"]
    with read_tx(engine) as conn:
        last = conn.execute(select(models.device.c.last_mutation_id)
                            .where(models.device.c.id == device_id)).scalar_one()
    # The server's epoch, so a PC that last met this server before a restore from backup
    # resyncs (sync/resync.py) instead of trusting sequence numbers the restore reused.
    payload = {"since": start, "pages": pages, "last_mutation_id": last,
               "server_time_ms": now_ms(),
               "epoch": epoch_service.state(engine, who).model_dump(mode="json")}
    data = fmt.seal(payload, direction=fmt.TO_DEVICE, device_id=device_id,
                    created_ms=now_ms(), recipient_box_public=row.bundle_box_key,
                    sender_sign_private=keys.sign)
    path = Path(path)
    tmp = path.with_name(path.name + ".partial")
    tmp.write_bytes(data)
    tmp.replace(path)
    with write_tx(engine) as conn:
        log_event(conn, "bundle_exported", username=who.username, device_id=device_id,
                  org_id=who.org_id, detail=f"since={start} rows={rows}")
    return {"device_id": device_id, "since": start, "rows": rows, "pages": len(pages),
            "last_mutation_id": last, "output": str(path), "bytes": len(data)}
