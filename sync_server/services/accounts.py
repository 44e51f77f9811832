"""Organisations, accounts, devices, tokens: login with throttling, token checks, revocation."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING

from sqlalchemy import Connection, Engine, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from familydoc_desktop.domain.codes import OrgLevel, Role
from sync_server import models
from sync_server.core import scope, security
from sync_server.core.config import Settings
from sync_server.core.db import now_ms, read_tx, write_tx
from sync_server.services.errors import (
    SESSION_EXPIRED, Busy, Forbidden, Invalid, NotFound, TooManyAttempts, Unauthorized,
)

if TYPE_CHECKING:  # imported where used: pydantic costs ~0.1 s of every command's start
    from familydoc_desktop.sync.protocol import LoginRequest, LoginResponse, OrgOut

LEVEL_RANK = {OrgLevel.COUNTY: 0, OrgLevel.TOWNSHIP: 1, OrgLevel.CLINIC: 2}
ROLE_LEVELS = {
    Role.VILLAGE_DOCTOR: {OrgLevel.CLINIC},
    Role.TOWNSHIP_STAFF: {OrgLevel.TOWNSHIP},
    Role.COUNTY_ADMIN: {OrgLevel.COUNTY},
    Role.IT_ADMIN: set(OrgLevel),
}
ADMIN_ROLES = {Role.IT_ADMIN, Role.COUNTY_ADMIN}
DAY_MS = 86_400_000
BAD_LOGIN = "用户名或密码错误"
LOCKED = "登录失败次数过多，请稍后再试"
BUSY = "同时登录的人数较多，服务器正忙，请稍后再试"
ANY_USER = ""  # login_throttle.username of the per-address row


def new_id() -> str:
    # Imported when first needed: the desktop's table models (sqlmodel) cost a quarter of a
    # second to import, which every `familydoc-server` command would pay.
    from familydoc_desktop.domain.models.base import new_id as make

    return make()


@dataclass(frozen=True)
class Principal:
    """Who is calling: the account behind a valid token and the device it was issued to."""

    account_id: str
    username: str
    role: str
    org_id: str
    device_id: str
    token_hash: str


def log_event(conn: Connection, event: str, *, username: str | None = None,
              account_id: str | None = None, device_id: str | None = None,
              org_id: str | None = None, client: str | None = None,
              detail: str | None = None) -> None:
    """One security_log row. Never a password, never personal data."""
    conn.execute(insert(models.security_log).values(
        at=now_ms(), event=event, username=username, account_id=account_id,
        device_id=device_id, org_id=org_id, client=(client or "")[:64] or None,
        detail=(detail or "")[:500] or None))


# --- organisations -------------------------------------------------------------------------

def org_out(row) -> OrgOut:  # noqa: ANN001
    from familydoc_desktop.sync.protocol import OrgOut

    return OrgOut(id=row.id, code=row.code, name=row.name, level=row.level,
                  parent_id=row.parent_id)


def org_by_code(conn: Connection, code: str):  # noqa: ANN201
    return conn.execute(select(models.org).where(models.org.c.code == code)).first()


def add_org(conn: Connection, code: str, name: str, level: str,
            parent_code: str | None = None) -> OrgOut:
    if not re.fullmatch(r"\d{12}", code or ""):
        raise Invalid(f"机构代码必须是12位数字（统计用区划代码）：{code}")
    if not (name or "").strip():
        raise Invalid("机构名称不能为空")
    if level not in LEVEL_RANK:
        raise Invalid(f"机构级别无效：{level}（可选 county、township、clinic）")
    if org_by_code(conn, code) is not None:
        raise Invalid(f"机构代码已存在：{code}")
    parent_id = None
    if parent_code:
        parent = org_by_code(conn, parent_code)
        if parent is None:
            raise NotFound(f"上级机构不存在：{parent_code}")
        if LEVEL_RANK[OrgLevel(level)] <= LEVEL_RANK[OrgLevel(parent.level)]:
            raise Invalid("机构级别必须低于上级机构")
        parent_id = parent.id
    org_id = new_id()
    conn.execute(insert(models.org).values(id=org_id, code=code, name=name.strip(),
                                           level=level, parent_id=parent_id))
    from familydoc_desktop.sync.protocol import OrgOut

    return OrgOut(id=org_id, code=code, name=name.strip(), level=level, parent_id=parent_id)


def visible_orgs(conn: Connection, org_id: str) -> list[OrgOut]:
    """The account's org and every org below it (names only, no records)."""
    ids = scope.subtree(conn, org_id)
    rows = conn.execute(select(models.org).where(models.org.c.id.in_(ids))
                        .order_by(models.org.c.code))
    return [org_out(r) for r in rows]


def list_orgs(conn: Connection) -> list[dict]:
    """Every organisation with its parent's code and how many accounts and devices it has
    (for IT staff: the codes a clinic's login needs, without psql)."""
    o, parent = models.org, models.org.alias("parent")
    users = (select(func.count()).select_from(models.account)
             .where(models.account.c.org_id == o.c.id).scalar_subquery())
    devices = (select(func.count()).select_from(models.device)
               .where(models.device.c.org_id == o.c.id).scalar_subquery())
    rows = conn.execute(
        select(o.c.code, o.c.name, o.c.level, parent.c.code.label("parent"),
               users.label("users"), devices.label("devices"))
        .select_from(o.outerjoin(parent, parent.c.id == o.c.parent_id)).order_by(o.c.code))
    return [dict(r._mapping) for r in rows]


# --- accounts --------------------------------------------------------------------------------

def add_user(conn: Connection, username: str, org_code: str, role: str, password: str) -> str:
    username = (username or "").strip()
    if not username or len(username) > 64:
        raise Invalid("用户名不能为空，且不超过64个字符")
    if role not in ROLE_LEVELS:
        raise Invalid(f"角色无效：{role}（可选 {'、'.join(r.value for r in Role)}）")
    if len(password or "") < security.MIN_PASSWORD_LENGTH:
        raise Invalid(f"密码至少{security.MIN_PASSWORD_LENGTH}个字符")
    org = org_by_code(conn, org_code)
    if org is None:
        raise NotFound(f"机构不存在：{org_code}")
    if org.level not in ROLE_LEVELS[Role(role)]:
        raise Invalid(f"角色 {role} 不能属于{org.level}级机构")
    if conn.execute(select(models.account.c.id)
                    .where(models.account.c.username == username)).first():
        raise Invalid(f"用户名已存在：{username}")
    account_id = new_id()
    conn.execute(insert(models.account).values(
        id=account_id, username=username, password_hash=security.hash_password(password),
        role=role, org_id=org.id, active=True, created_at=now_ms()))
    return account_id


def list_users(conn: Connection) -> list[dict]:
    """Accounts with their clinic and, while a login lock-out runs, when it ends (ms)."""
    a, o = models.account, models.org
    # Locked from some address: the latest end of the account's lock windows.
    t = (select(models.login_throttle.c.username,
                func.max(models.login_throttle.c.locked_until).label("locked_until"))
         .group_by(models.login_throttle.c.username).subquery())
    now = now_ms()
    query = (select(a.c.username, a.c.role, a.c.active, a.c.created_at, o.c.code.label("org"),
                    o.c.name.label("org_name"), t.c.locked_until)
             .join(o, o.c.id == a.c.org_id).outerjoin(t, t.c.username == a.c.username)
             .order_by(o.c.code, a.c.username))
    out = []
    for r in conn.execute(query):
        row = dict(r._mapping)
        row["locked_until"] = row["locked_until"] if (row["locked_until"] or 0) > now else None
        out.append(row)
    return out


def unlock_user(conn: Connection, username: str, by: str | None = None) -> None:
    """End a login lock-out now, from every address (the doctor called the township, IT
    checked it was them)."""
    _account(conn, username)
    conn.execute(update(models.login_throttle)
                 .where(models.login_throttle.c.username == username.strip())
                 .values(failures=0, locked_until=0))
    log_event(conn, "login_unlocked", username=by, detail=username)


def recent_events(conn: Connection, limit: int = 50, event: str | None = None) -> list[dict]:
    """The security log, newest first (logins, lock-outs, refusals out of scope, revocations)."""
    log = models.security_log
    query = select(log).order_by(log.c.id.desc()).limit(limit)
    if event:
        query = query.where(log.c.event == event)
    return [dict(r._mapping) for r in conn.execute(query)]


def _account(conn: Connection, username: str):  # noqa: ANN202
    row = conn.execute(select(models.account.c.id, models.account.c.org_id)
                       .where(models.account.c.username == (username or "").strip())).first()
    if row is None:
        raise NotFound(f"用户不存在：{username}")
    return row


def _revoke_tokens(conn: Connection, account_id: str) -> None:
    conn.execute(update(models.token).where(models.token.c.account_id == account_id)
                 .values(revoked=True))


def set_user_active(conn: Connection, username: str, active: bool, by: str | None = None) -> None:
    """Disable (a doctor who left) or enable an account. Disabling ends every session at
    once: the account's tokens are revoked, so each PC must log in again."""
    row = _account(conn, username)
    conn.execute(update(models.account).where(models.account.c.id == row.id)
                 .values(active=active))
    if not active:
        _revoke_tokens(conn, row.id)
    log_event(conn, "user_enabled" if active else "user_disabled", username=by,
              account_id=row.id, org_id=row.org_id, detail=username)


def set_password(conn: Connection, username: str, password: str, by: str | None = None) -> None:
    """A new password (argon2id); every session of the account ends, as after a disable."""
    if len(password or "") < security.MIN_PASSWORD_LENGTH:
        raise Invalid(f"密码至少{security.MIN_PASSWORD_LENGTH}个字符")
    row = _account(conn, username)
    conn.execute(update(models.account).where(models.account.c.id == row.id)
                 .values(password_hash=security.hash_password(password)))
    _revoke_tokens(conn, row.id)
    conn.execute(update(models.login_throttle)
                 .where(models.login_throttle.c.username == username.strip())
                 .values(failures=0, locked_until=0))
    log_event(conn, "password_set", username=by, account_id=row.id, org_id=row.org_id,
              detail=username)


def _throttle_rows(settings: Settings, username: str,
                   client: str | None) -> list[tuple[str, str, int]]:
    """(username, client, limit) of the lock-out rows an attempt counts on, in lock order."""
    rows = {(username, client or ""): settings.lockout_after}
    if client:  # every username tried from this address: a spray of made-up names
        rows[(ANY_USER, client)] = settings.client_lockout_after
    return sorted((u, c, limit) for (u, c), limit in rows.items())


def _claim_attempt(conn: Connection, settings: Settings, username: str, client: str | None,
                   now: int, log: dict) -> int:
    """Count a login attempt BEFORE its password is checked. Returns 0 if it may go on, else
    the milliseconds until the lock that refuses it ends.

    The attempt counts on two rows: (username, source address) and (every username, source
    address). A lock on the first keeps this address from that account only, so a stranger
    guessing a doctor's password cannot lock the doctor out of a PC elsewhere; the second
    stops one address from trying many made-up or real usernames. Unknown usernames count
    exactly as known ones: the answers never tell which exist.

    The rows are locked for the rest of this short transaction (FOR UPDATE on PostgreSQL, in
    one order; on SQLite the write transaction's BEGIN IMMEDIATE holds the database write
    lock), so parallel attempts queue here one by one and each sees the count of the ones
    before it. At the limit the attempt that reaches it sets the lock window itself, so while
    it (and the ones before it) are still being verified every further attempt is refused:
    at most `lockout_after` passwords are ever tried per window, however many requests
    arrive at once. A successful login resets the counts afterwards."""
    t = models.login_throttle
    insert_ = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    keys = _throttle_rows(settings, username, client)
    conn.execute(insert_(t).values([dict(username=u, client=c, failures=0, locked_until=0,
                                         last_at=now) for u, c, _ in keys])
                 .on_conflict_do_nothing(index_elements=[t.c.username, t.c.client]))
    found = {}
    for u, c, _ in keys:  # one at a time, in order: two attempts never lock crosswise
        found[(u, c)] = conn.execute(
            select(t.c.failures, t.c.locked_until, t.c.last_at)
            .where(t.c.username == u, t.c.client == c).with_for_update()).one()
    locked = max(row.locked_until for row in found.values())
    if locked > now:
        return locked - now
    forget_before = now - settings.lockout_forget_seconds * 1000
    for u, c, limit in keys:
        row = found[(u, c)]
        failures = (0 if row.last_at < forget_before else row.failures) + 1
        locked_until = 0
        if failures >= limit:
            # The lock grows with every attempt past the limit; nobody sleeps in a worker.
            seconds = min(settings.lockout_base_seconds * 2 ** (failures - limit),
                          settings.lockout_max_seconds)
            locked_until = now + seconds * 1000
            what = "同一地址尝试多个用户名" if u == ANY_USER else "同一地址同一用户名"
            log_event(conn, "login_lockout", username=username, client=client,
                      detail=f"{what}第{failures}次连续尝试，锁定{seconds}秒", **log)
        conn.execute(update(t).where(t.c.username == u, t.c.client == c)
                     .values(failures=failures, locked_until=locked_until, last_at=now))
    if now % 100 == 0:  # now and then: forget quiet rows (made-up usernames pile up)
        conn.execute(t.delete().where(t.c.last_at < forget_before, t.c.locked_until < now))
    return 0


def _reset_throttle(conn: Connection, settings: Settings, username: str,
                    client: str | None) -> None:
    t = models.login_throttle
    for u, c, _ in _throttle_rows(settings, username, client):
        conn.execute(update(t).where(t.c.username == u, t.c.client == c)
                     .values(failures=0, locked_until=0))


def login(engine: Engine, settings: Settings, req: LoginRequest,
          client: str | None = None, gate: security.VerifyGate | None = None) -> LoginResponse:
    """Log in. With a `gate`, at most gate.limit logins of this process run at once; one
    beyond that is answered 503 with Retry-After at once, before it costs a database write
    or an argon2 check."""
    if gate is not None and not gate.try_enter():
        raise Busy(BUSY, retry_after=settings.login_busy_retry_after)
    try:
        return _login(engine, settings, req, client)
    finally:
        if gate is not None:
            gate.leave()


def _login(engine: Engine, settings: Settings, req: LoginRequest,
           client: str | None) -> LoginResponse:
    now = now_ms()
    username = req.username.strip()
    # Each step commits on its own: a refusal must leave its log row and attempt count behind.
    with write_tx(engine) as conn:
        # The clock read once the rows are ours: a queued attempt's window starts when it
        # counts.
        wait_ms = _claim_attempt(conn, settings, username, client, now_ms(),
                                 {"device_id": req.device_id})
        if wait_ms:
            log_event(conn, "login_locked", username=username, device_id=req.device_id,
                      client=client)
    if wait_ms:
        raise TooManyAttempts(LOCKED, retry_after=-(-wait_ms // 1000))

    with read_tx(engine) as conn:
        acc = conn.execute(select(models.account)
                           .where(models.account.c.username == username)).first()
    # argon2 takes a while on purpose: verify outside any transaction, holding no lock. An
    # unknown username is verified against a dummy hash: the same time, the same answer.
    ok = security.verify_password(acc.password_hash if acc else None, req.password)
    failed = not ok or not acc.active
    if failed:  # already counted by _claim_attempt
        with write_tx(engine) as conn:
            log_event(conn, "login_failed", username=username, device_id=req.device_id,
                      client=client, detail="账号已停用" if acc and ok else "用户名或密码错误")
    if failed:
        raise Unauthorized(BAD_LOGIN)

    with write_tx(engine) as conn:
        _reset_throttle(conn, settings, username, client)
        dev = conn.execute(select(models.device)
                           .where(models.device.c.id == req.device_id)).first()
        refusal = None
        if dev is not None and dev.account_id != acc.id:
            refusal = "该设备已绑定其他账号，不能用此账号登录"
        elif dev is not None and dev.revoked:
            refusal = "该设备已被停用，请联系管理员"
        if refusal:
            log_event(conn, "login_device_refused", username=username, account_id=acc.id,
                      device_id=req.device_id, org_id=acc.org_id, client=client, detail=refusal)
        elif dev is None:
            conn.execute(insert(models.device).values(
                id=req.device_id, account_id=acc.id, org_id=acc.org_id,
                name=req.device_name or "", last_mutation_id=0, last_seen=now, revoked=False,
                created_at=now))
        else:
            conn.execute(update(models.device).where(models.device.c.id == req.device_id)
                         .values(name=req.device_name or dev.name, last_seen=now,
                                 org_id=acc.org_id))
        if not refusal:
            token = security.new_token()
            expires = now + settings.token_ttl_days * DAY_MS
            conn.execute(insert(models.token).values(
                token_hash=security.token_hash(token), device_id=req.device_id,
                account_id=acc.id, created_at=now, expires_at=expires, revoked=False))
            log_event(conn, "login", username=username, account_id=acc.id,
                      device_id=req.device_id, org_id=acc.org_id, client=client)
            orgs = visible_orgs(conn, acc.org_id)
    if refusal:
        raise Forbidden(refusal)
    from familydoc_desktop.sync.protocol import LoginResponse

    return LoginResponse(
        token=token,
        expires_at=datetime.fromtimestamp(expires / 1000, timezone.utc).isoformat(),
        device_id=req.device_id, username=username, role=acc.role, org_id=acc.org_id,
        orgs=orgs, server_time_ms=now_ms())


def authenticate(engine: Engine, token: str | None) -> Principal:
    """The principal behind a bearer token; 401 for unknown, revoked or expired tokens and for
    revoked devices or disabled accounts."""
    if not token:
        raise Unauthorized(SESSION_EXPIRED)
    digest = security.token_hash(token)
    t, d, a = models.token, models.device, models.account
    now = now_ms()
    with engine.connect() as conn:
        row = conn.execute(
            select(t.c.expires_at, t.c.revoked, d.c.id.label("device_id"),
                   d.c.revoked.label("device_revoked"), d.c.last_seen, a.c.id.label("account_id"),
                   a.c.username, a.c.role, a.c.org_id, a.c.active)
            .join(d, d.c.id == t.c.device_id).join(a, a.c.id == t.c.account_id)
            .where(t.c.token_hash == digest)).first()
        conn.rollback()
    if row is None or row.revoked or row.device_revoked or not row.active \
            or row.expires_at <= now:
        raise Unauthorized(SESSION_EXPIRED)
    if row.last_seen is None or now - row.last_seen > 60_000:  # at most one write a minute
        with write_tx(engine) as conn:
            conn.execute(update(d).where(d.c.id == row.device_id).values(last_seen=now))
    return Principal(account_id=row.account_id, username=row.username, role=row.role,
                     org_id=row.org_id, device_id=row.device_id, token_hash=digest)


def logout(engine: Engine, who: Principal) -> None:
    with write_tx(engine) as conn:
        conn.execute(update(models.token).where(models.token.c.token_hash == who.token_hash)
                     .values(revoked=True))
        log_event(conn, "logout", username=who.username, account_id=who.account_id,
                  device_id=who.device_id, org_id=who.org_id)


# --- devices ---------------------------------------------------------------------------------

def list_devices(conn: Connection, org_ids: set[str] | None = None) -> list[dict]:
    """Devices with their account; `org_ids` limits to devices of those orgs (None = all)."""
    d, a = models.device, models.account
    query = (select(d.c.id, d.c.name, d.c.org_id, d.c.last_mutation_id, d.c.last_seen,
                    d.c.revoked, d.c.created_at, a.c.username, a.c.role)
             .join(a, a.c.id == d.c.account_id).order_by(d.c.created_at))
    if org_ids is not None:
        query = query.where(d.c.org_id.in_(org_ids))
    return [dict(r._mapping) for r in conn.execute(query)]


def revoke_device(conn: Connection, device_id: str, org_ids: set[str] | None = None,
                  by: str | None = None) -> None:
    """Revoke a device and every token issued to it. Outside `org_ids` it does not exist."""
    d = models.device
    row = conn.execute(select(d.c.id, d.c.org_id).where(d.c.id == device_id)).first()
    if row is None or (org_ids is not None and row.org_id not in org_ids):
        raise NotFound(f"设备不存在：{device_id}")
    conn.execute(update(d).where(d.c.id == device_id).values(revoked=True))
    conn.execute(update(models.token).where(models.token.c.device_id == device_id)
                 .values(revoked=True))
    log_event(conn, "device_revoked", username=by, device_id=device_id, org_id=row.org_id)


def enable_device(conn: Connection, device_id: str, by: str | None = None) -> None:
    """Let a revoked device log in again (its old tokens stay revoked: it must log in), e.g.
    a PC revoked by mistake that still holds edits not yet uploaded."""
    d = models.device
    if conn.execute(select(d.c.id).where(d.c.id == device_id)).first() is None:
        raise NotFound(f"设备不存在：{device_id}")
    conn.execute(update(d).where(d.c.id == device_id).values(revoked=False))
    log_event(conn, "device_enabled", username=by, device_id=device_id)


def admin_scope(conn: Connection, who: Principal) -> set[str] | None:
    """Devices an admin may manage: all for IT, the org subtree for a county admin."""
    if who.role == Role.IT_ADMIN:
        return None
    if who.role == Role.COUNTY_ADMIN:
        return scope.subtree(conn, who.org_id)
    raise Forbidden("需要管理员权限")


def device_view_scope(conn: Connection, who: Principal) -> set[str] | None:
    """Devices an account may list: an admin's, plus township staff those of their
    township's clinics (which PCs are behind). A village doctor: none (403)."""
    if who.role == Role.TOWNSHIP_STAFF:
        return scope.subtree(conn, who.org_id)
    return admin_scope(conn, who)
