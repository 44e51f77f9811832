"""Logging in and out: the token goes to the credential store, the server address, user name
and the organisations in scope to the device database. On the first login, records made
offline under the placeholder clinic ("本机卫生室") move to the real clinic, as ordinary
captured edits so they push."""
from __future__ import annotations

import json
import socket
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import text
from sqlmodel import select

from familydoc_desktop.domain.codes import OrgLevel, Role
from familydoc_desktop.domain.models import SYNCED_MODELS, Organisation
from familydoc_desktop.store import orgs as store_orgs
from familydoc_desktop.store.database import Database
from familydoc_desktop.store.settings import get_setting, set_setting
from familydoc_desktop.sync import apply, credentials
from familydoc_desktop.sync.engine import SyncEngine
from familydoc_desktop.sync.http import AuthExpired, Client, NetworkDown, SyncError
from familydoc_desktop.sync.protocol import LoginRequest, LoginResponse

NOT_LOGGED_IN = "尚未登录同步服务器，请先登录（familydoc login --server 地址 --username 用户名）"
DEVICE_CHANGED = ("本机数据库是从别处复制、移动或从备份恢复的，已换用新的设备编号，"
                  "请重新登录同步服务器（未上传的修改仍会上传）")
LOGIN_DEVICE = "login_device_id"  # the device id the stored token was issued to
LOGIN_ORG = "login_org_id"  # the organisation of the account this PC's data belongs with
LOGIN_ROLE = "login_role"  # the signed-in account's role (codes.Role), as the server said
# Roles that supervise clinics: they see the township screens (各村同步情况).
SUPERVISOR_ROLES = (Role.TOWNSHIP_STAFF, Role.COUNTY_ADMIN)
LOGIN_SCOPE = "login_scope_org_ids"  # JSON list: the organisations the last login could see


class NotLoggedIn(SyncError):
    pass


class ScopeMismatch(SyncError):
    """The account logging in belongs to another organisation than this PC's data. Nothing
    was stored, the token just issued was revoked and the PC took a new device id (the server
    bound the old one to that account): log in again with `force=True` once the doctor has
    agreed (the app asks; the CLI needs --force), or with the right account."""


@dataclass
class LoginResult:
    username: str
    role: str
    org_id: str
    home_org_id: str | None
    orgs: int
    rehomed: int  # records moved from the placeholder clinic to the real one
    clock_offset_seconds: float | None
    warnings: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return self.__dict__.copy()


@dataclass
class SessionInfo:
    server_url: str | None
    username: str | None
    ca_bundle: str | None
    token: str | None
    device_changed: bool = False  # the token belongs to the device id this copy replaced


def current(db: Database) -> SessionInfo:
    with db.session(capture=False) as s:
        server = get_setting(s, "server_url")
        user = get_setting(s, "username")
        ca = get_setting(s, "ca_bundle")
        issued_to = get_setting(s, LOGIN_DEVICE)
    token = credentials.load_token(server, user) if server and user else None
    changed = issued_to is not None and issued_to != db.device_id
    # The original PC's token: the server would refuse it for this device id anyway.
    return SessionInfo(server, user, ca, None if changed else token, changed)


def login(db: Database, server_url: str, username: str, password: str, *,
          ca_bundle: str | None = None, device_name: str | None = None,
          client: Client | None = None,
          on_wait: Callable[[str], None] | None = None, force: bool = False) -> LoginResult:
    """Log in. A busy server (503 with Retry-After) is waited on as it asks; `on_wait` gets
    the Chinese line that says so ("同步服务器正忙，2秒后自动重试……").

    An account whose organisation is not the one this PC's data belongs with (a township
    account on a village PC, another clinic's account) raises ScopeMismatch before anything
    is stored or pulled, unless `force`."""
    server_url = server_url.rstrip("/")
    client = client or Client(server_url, ca_bundle=ca_bundle)
    if on_wait is not None:
        client.on_wait = on_wait
    req = LoginRequest(username=username, password=password, device_id=db.device_id,
                       device_name=(device_name or socket.gethostname())[:100])
    resp = LoginResponse.model_validate_json(client.post("/auth/login", req.model_dump()))
    mismatch = None if force else scope_mismatch(db, resp)
    if mismatch is not None:
        _revoke(client, resp.token)
        # The server accepted this account only because it did not know this device id
        # (a bound device is refused another account): it now binds the id to the refused
        # account, so this PC takes a new one for the account it will really use.
        db.renew_device_id()
        raise ScopeMismatch(mismatch)
    try:
        credentials.save_token(server_url, resp.username, resp.token)
    except credentials.CredentialsUnavailable:
        # A token we cannot keep safely is revoked at once rather than left valid.
        _revoke(client, resp.token)
        raise
    with db.session() as s:
        widened = _scope_widened(s, resp)
        set_setting(s, "server_url", server_url)
        set_setting(s, "username", resp.username)
        set_setting(s, "ca_bundle", ca_bundle)
        set_setting(s, LOGIN_DEVICE, db.device_id)
        set_setting(s, LOGIN_ORG, resp.org_id)
        set_setting(s, LOGIN_ROLE, resp.role)
        set_setting(s, LOGIN_SCOPE, json.dumps(sorted(o.id for o in resp.orgs)))
        if widened:
            # The pull cursor only covers what the last account could see: the newly visible
            # organisations' older records lie behind it. Pull everything again from the
            # start (pending edits are kept and pushed, as after a server restore).
            apply._set_state(s.connection(), apply.CURSOR_KEY, "0")
        store_orgs.upsert_orgs(s, _org_rows(resp))
        home = _choose_home(s, resp)
        rehomed = rehome_placeholder(s, home.id) if home is not None else 0
    # USB transfer needs keys exchanged once over the network: now is that moment.
    from familydoc_desktop.sync import usb

    client.token = resp.token
    usb.register_keys(db, client)
    offset = client.clock_offset_ms
    result = LoginResult(resp.username, resp.role, resp.org_id, home.id if home else None,
                         len(resp.orgs), rehomed,
                         None if offset is None else round(offset / 1000, 3))
    return result


def account_role(db: Database) -> str | None:
    """The role of the account this PC last signed in with (None: never signed in). A PC
    signed in before the role was kept: the level of the account's organisation says it
    (a township account is township staff, a county account county staff)."""
    with db.session(capture=False) as s:
        if not get_setting(s, "username"):
            return None
        role = get_setting(s, LOGIN_ROLE)
        if role:
            return role
        org_id = get_setting(s, LOGIN_ORG)
        org = s.get(Organisation, org_id) if org_id else None
        level = org.level if org is not None else None
    return {OrgLevel.TOWNSHIP: Role.TOWNSHIP_STAFF, OrgLevel.COUNTY: Role.COUNTY_ADMIN,
            OrgLevel.CLINIC: Role.VILLAGE_DOCTOR}.get(level)


def supervises(db: Database) -> bool:
    """Whether the signed-in account is township or county staff (the township screens)."""
    return account_role(db) in SUPERVISOR_ROLES


def _scope_widened(session, resp: LoginResponse) -> bool:  # noqa: ANN001
    """True when this account sees an organisation the PC's earlier pulls did not cover.
    Before the scope was kept (older PCs), the PC covered the organisations it holds
    residents of and its own clinic."""
    if int(apply.state_in(session.connection(), apply.CURSOR_KEY, "0")) == 0:
        return False  # nothing pulled yet: the first pull starts from the beginning anyway
    kept = get_setting(session, LOGIN_SCOPE)
    if kept is not None:
        before = set(json.loads(kept))
    else:
        before = {r[0] for r in session.connection().execute(text(
            "SELECT DISTINCT org_id FROM resident WHERE org_id IS NOT NULL"))}
        before |= {get_setting(session, LOGIN_ORG), get_setting(session, "home_org_id")}
    return any(o.id not in before for o in resp.orgs)


def _revoke(client: Client, token: str) -> None:
    """A token we will not keep is revoked at once rather than left valid."""
    client.token = token
    try:
        client.post("/auth/logout")
    except SyncError:
        pass
    client.token = None


def scope_mismatch(db: Database, resp: LoginResponse) -> str | None:
    """Why this account does not belong with this PC's data (Chinese), or None when it does
    (same organisation as the last account, or nothing here belongs to anyone yet)."""
    scope = {o.id: o for o in resp.orgs}
    account_org = scope.get(resp.org_id)
    account_name = account_org.name if account_org is not None else resp.org_id
    with db.session(capture=False) as s:
        placeholder = s.exec(select(Organisation.id).where(
            Organisation.code == store_orgs.PLACEHOLDER_CODE)).first()
        local_id = get_setting(s, LOGIN_ORG) or get_setting(s, "home_org_id")
        if local_id == placeholder:
            local_id = None
        local = s.get(Organisation, local_id) if local_id else None
        held = [r[0] for r in s.connection().execute(text(
            "SELECT DISTINCT org_id FROM resident WHERE org_id IS NOT NULL"))]
        names = {o.id: o.name for o in s.exec(select(Organisation))}
    foreign = [o for o in held if o != placeholder and o not in scope]
    if local_id is None and not foreign:
        return None  # a new PC, or one that only holds its own offline records
    if local_id == resp.org_id and not foreign:
        return None
    here = (local.name if local is not None else None) or \
        "、".join(sorted(names.get(o, o) for o in foreign)[:3])
    if local_id is not None and local_id in scope and not foreign:
        # An account above this PC's clinic: fine on a PC that already holds the clinics it
        # sees (a township PC); on a village PC it would bring the other villages.
        others = sum(1 for o in resp.orgs if o.level == OrgLevel.CLINIC
                     and o.id != local_id and o.id not in held)
        if not others:
            return None
        return (f"本机是“{here}”的电脑，账号 {resp.username} 属于“{account_name}”，"
                f"可见 {len(resp.orgs)} 个机构；登录后会把另外 {others} 个卫生室的居民数据"
                f"下载到本机")
    return (f"本机的数据属于“{here}”，账号 {resp.username} 属于“{account_name}”。"
            f"用此账号登录后，本机对这些居民的修改会被服务器拒绝而无法上传，"
            f"并会把“{account_name}”的数据下载到本机")


def _org_rows(resp: LoginResponse) -> list[dict]:
    # A clinic account sees its own subtree only: its parent township is not sent, so the
    # local parent link (a foreign key) is left empty rather than pointing nowhere.
    ids = {o.id for o in resp.orgs}
    return [{**o.model_dump(), "parent_id": o.parent_id if o.parent_id in ids else None}
            for o in resp.orgs]


def _choose_home(session, resp: LoginResponse) -> Organisation | None:  # noqa: ANN001
    """A clinic account works for its clinic. A township or county account keeps the
    clinic already chosen on this PC (if it is in scope), else has none yet."""
    own = session.get(Organisation, resp.org_id)
    if own is not None and own.level == OrgLevel.CLINIC:
        return store_orgs.set_home_clinic(session, own.id)
    current = get_setting(session, "home_org_id")
    visible = {o.id for o in resp.orgs}
    if current in visible:
        return session.get(Organisation, current)
    return None


def rehome_placeholder(session, home_id: str) -> int:  # noqa: ANN001
    """Move records of the offline placeholder clinic to `home_id`. Inserts still waiting in
    the outbox carry the placeholder id, which the server would refuse: they are rewritten
    in place; rows change through the ORM, so the move is itself a captured, pushed edit."""
    placeholder = session.exec(select(Organisation).where(
        Organisation.code == store_orgs.PLACEHOLDER_CODE)).first()
    if placeholder is None or placeholder.id == home_id:
        return 0
    moved = 0
    conn = session.connection()
    old_json = f'"org_id":"{placeholder.id}"'
    conn.execute(text("UPDATE sync_outbox SET changes = replace(changes, :old, :new) "
                      "WHERE instr(changes, :old) > 0"),
                 {"old": old_json, "new": f'"org_id":"{home_id}"'})
    for model in SYNCED_MODELS:
        for obj in session.exec(select(model).where(model.org_id == placeholder.id)):
            obj.org_id = home_id
            session.add(obj)
            moved += 1
    session.flush()
    if get_setting(session, "home_org_id") == placeholder.id:
        set_setting(session, "home_org_id", home_id)
    session.delete(placeholder)  # device-local reference row, not synced
    return moved


def logout(db: Database, client: Client | None = None) -> bool:
    """Revoke the token on the server when reachable, and forget it here either way.
    Returns whether the server was told."""
    info = current(db)
    told = False
    if info.server_url and info.token:
        client = client or Client(info.server_url, token=info.token, ca_bundle=info.ca_bundle)
        client.token = info.token
        try:
            client.post("/auth/logout")
            told = True
        except (NetworkDown, SyncError):
            told = False
    if info.server_url and info.username and not info.device_changed:
        # A copy's stored token is the original database's: not ours to forget.
        credentials.delete_token(info.server_url, info.username)
    return told


def forget_rejected_token(db: Database) -> None:
    """The server answered 401 (token revoked or expired, device revoked): the stored token
    is useless, so the app shows "not logged in" instead of a login that no longer works."""
    info = current(db)
    if info.server_url and info.username and not info.device_changed:
        credentials.delete_token(info.server_url, info.username)


def run_sync(db: Database, progress=None, **kwargs):  # noqa: ANN001, ANN003, ANN201
    """One sync round for the logged-in account (the CLI and the app both call this)."""
    engine = make_engine(db, **kwargs)
    try:
        return engine.run(progress)
    except AuthExpired:
        forget_rejected_token(db)
        raise
    finally:
        engine.client.close()


def make_engine(db: Database, **kwargs) -> SyncEngine:  # noqa: ANN003
    """A SyncEngine for the logged-in account (settings + credential store)."""
    info = current(db)
    if info.device_changed:
        raise NotLoggedIn(DEVICE_CHANGED)
    if not info.server_url or not info.username or not info.token:
        raise NotLoggedIn(NOT_LOGGED_IN)
    return SyncEngine(db, info.server_url, username=info.username, token=info.token,
                      ca_bundle=info.ca_bundle, **kwargs)


def make_client(db: Database) -> Client | None:
    """An authenticated client, or None when not logged in (work then queues offline)."""
    info = current(db)
    if not info.server_url or not info.token:
        return None
    return Client(info.server_url, token=info.token, ca_bundle=info.ca_bundle)
