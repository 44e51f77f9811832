"""Login, tokens, devices, the schema header and the lock-out after failed logins."""
from __future__ import annotations

from sqlalchemy import select, update

from tests.server.server_helpers import PASSWORD, SCHEMA
from sync_server import models
from sync_server.core.db import now_ms, write_tx

LOGIN = "/api/v1/auth/login"


def _login(world, username, password=PASSWORD, device_id="dev-x"):
    return world.client.post(LOGIN, headers=SCHEMA, json={
        "username": username, "password": password, "device_id": device_id})


def _security_events(world):
    with world.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(models.security_log.c.event, models.security_log.c.username,
                   models.security_log.c.detail).order_by(models.security_log.c.id))]


def test_login_returns_token_role_org_and_visible_orgs(world):
    r = _login(world, "town")
    assert r.status_code == 200
    body = r.json()
    assert body["role"] == "township_staff" and body["org_id"] == world.orgs["township"]
    assert {o["name"] for o in body["orgs"]} == {"township", "clinic_a", "clinic_b"}
    assert len(body["token"]) >= 40 and body["device_id"] == "dev-x"
    with world.engine.connect() as conn:  # only the hash is stored
        stored = conn.execute(select(models.token.c.token_hash)).scalars().all()
    assert body["token"] not in stored and len(stored) == 1


def test_wrong_password_is_401_and_logged_without_the_password(world):
    r = _login(world, "doc_a", password="not-the-password")
    assert r.status_code == 401
    assert r.json() == {"detail": "用户名或密码错误"}
    events = _security_events(world)
    assert events[-1][:2] == ("login_failed", "doc_a")
    assert all("not-the-password" not in str(e) for e in events)


def test_unknown_user_answers_like_a_wrong_password(world):
    assert _login(world, "nobody").json() == _login(world, "doc_a", password="x" * 9).json()


def test_lockout_after_five_failures_even_for_the_right_password(world):
    for _ in range(5):
        assert _login(world, "doc_a", password="wrong-pass").status_code == 401
    r = _login(world, "doc_a")
    assert r.status_code == 429
    assert r.json()["detail"] == "登录失败次数过多，请稍后再试"
    # When to come back, in the header (and the body, should a proxy drop headers).
    assert 25 <= int(r.headers["retry-after"]) <= 30 and r.json()["retry_after"] == int(
        r.headers["retry-after"])
    assert _login(world, "doc_b", device_id="dev-y").status_code == 200  # others unaffected
    # The window is a timestamp, not a sleep: once it has passed, the right password works.
    with write_tx(world.engine) as conn:
        conn.execute(update(models.login_throttle).values(locked_until=now_ms() - 1))
    assert _login(world, "doc_a").status_code == 200


def test_lock_window_grows_with_each_further_failure(world):
    def window():
        with world.engine.connect() as conn:
            return conn.execute(select(models.login_throttle.c.locked_until).where(
                models.login_throttle.c.username == "doc_a")).scalar_one()

    for _ in range(5):
        _login(world, "doc_a", password="wrong-pass")
    first = window() - now_ms()
    with write_tx(world.engine) as conn:
        conn.execute(update(models.login_throttle).values(locked_until=0))
    _login(world, "doc_a", password="wrong-pass")
    second = window() - now_ms()
    assert 20_000 < first <= 30_000 and 50_000 < second <= 60_000


def test_revoked_and_expired_tokens_get_401(world):
    headers = world.login("doc_a")
    assert world.client.get("/api/v1/orgs", headers=headers).status_code == 200
    with write_tx(world.engine) as conn:
        conn.execute(update(models.token).values(expires_at=now_ms() - 1))
    r = world.client.get("/api/v1/orgs", headers=headers)
    assert r.status_code == 401 and r.json()["detail"] == "登录已失效，请重新登录"

    headers = world.login("doc_b")
    with write_tx(world.engine) as conn:
        conn.execute(update(models.token).where(models.token.c.device_id == "dev-doc_b")
                     .values(revoked=True))
    assert world.client.get("/api/v1/orgs", headers=headers).status_code == 401


def test_unknown_and_missing_tokens_get_401(world):
    assert world.client.get("/api/v1/orgs", headers={
        **SCHEMA, "Authorization": "Bearer made-up"}).status_code == 401
    assert world.client.get("/api/v1/orgs", headers=SCHEMA).status_code == 401


def test_replayed_logout_token_is_401(world):
    headers = world.login("doc_a")
    assert world.client.post("/api/v1/auth/logout", headers=headers).status_code == 200
    assert world.client.post("/api/v1/auth/logout", headers=headers).status_code == 401
    assert world.client.get("/api/v1/sync/pull", headers=headers).status_code == 401


def test_device_of_another_account_is_refused_with_403(world):
    world.login("doc_a", device_id="pc-1")
    r = _login(world, "doc_b", device_id="pc-1")
    assert r.status_code == 403
    assert "其他账号" in r.json()["detail"]
    assert _security_events(world)[-1][0] == "login_device_refused"
    assert _login(world, "doc_a", device_id="pc-1").status_code == 200  # owner still fine


def test_revoking_a_device_kills_its_tokens_and_blocks_login(world):
    doc = world.login("doc_a")
    it = world.login("it")
    devices = world.client.get("/api/v1/admin/devices", headers=it).json()
    assert {d["id"] for d in devices} == {"dev-doc_a", "dev-it"}
    r = world.client.post("/api/v1/admin/devices/dev-doc_a/revoke", headers=it)
    assert r.status_code == 200
    assert world.client.get("/api/v1/orgs", headers=doc).status_code == 401
    assert _login(world, "doc_a", device_id="dev-doc_a").status_code == 403


def test_schema_header_missing_old_new_and_bad(world):
    headers = world.login("doc_a")
    auth = {"Authorization": headers["Authorization"]}
    r = world.client.get("/api/v1/orgs", headers=auth)
    assert r.status_code == 426
    assert r.json()["detail"] == "客户端版本过旧，请升级家医签约助手后再同步"
    int_schema = int(SCHEMA["X-FamilyDoc-Schema"])
    old = world.client.get("/api/v1/orgs", headers={**auth, "X-FamilyDoc-Schema": str(int_schema - 2)})
    assert old.status_code == 426
    behind = world.client.get("/api/v1/orgs", headers={**auth, "X-FamilyDoc-Schema": str(int_schema - 1)})
    assert behind.status_code == 200  # one version behind is still served
    new = world.client.get("/api/v1/orgs", headers={**auth, "X-FamilyDoc-Schema": str(int_schema + 1)})
    assert new.status_code == 409 and new.json()["detail"] == "服务器版本较旧，请联系管理员升级服务器"
    assert world.client.get("/api/v1/orgs", headers={**auth, "X-FamilyDoc-Schema": "x"}).status_code == 426
    r = world.client.post(LOGIN, json={"username": "doc_a", "password": PASSWORD,
                                       "device_id": "d"})
    assert r.status_code == 426


def test_health_needs_nothing_and_reports_server_time(world):
    r = world.client.get("/api/v1/health")
    body = r.json()
    assert r.status_code == 200 and body["status"] == "ok" and body["schema_version"] >= 1
    assert abs(body["server_time_ms"] - now_ms()) < 60_000
    assert int(r.headers["x-familydoc-server-time-ms"]) >= body["server_time_ms"]


def test_openapi_schema_lists_the_endpoints(world):
    r = world.client.get("/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for path in ("/api/v1/auth/login", "/api/v1/sync/push", "/api/v1/sync/pull",
                 "/api/v1/sync/digest", "/api/v1/sync/conflicts",
                 "/api/v1/sync/conflicts/{conflict_id}/resolve", "/api/v1/orgs",
                 "/api/v1/admin/devices", "/api/v1/health"):
        assert path in paths, path


# --- parallel attempts (QA: 30 simultaneous logins gave 29x401 + 200, never a 429) ----------

def _burst(world, passwords, monkeypatch):
    """Every password tried at the same instant from its own thread, through the service
    function and the app's engine (TestClient is not thread-safe). argon2 is slow on purpose
    in production: here verification takes 0.2 s, so every attempt is in flight at once."""
    import threading
    import time

    from familydoc_desktop.sync.protocol import LoginRequest
    from sync_server.core import security
    from sync_server.core.config import Settings
    from sync_server.services import accounts
    from sync_server.services.errors import ServiceError

    real = security.verify_password

    def slow(password_hash, password):  # noqa: ANN001, ANN202
        time.sleep(0.2)
        return real(password_hash, password)

    monkeypatch.setattr(security, "verify_password", slow)
    settings = Settings(database_url=str(world.engine.url))
    start = threading.Barrier(len(passwords))
    outcomes: list = [None] * len(passwords)

    def attempt(i: int) -> None:
        req = LoginRequest(username="doc_a", password=passwords[i], device_id="dev-x")
        start.wait()
        try:
            # From the test client's address: the lock-out is per (username, address).
            accounts.login(world.engine, settings, req, client="testclient")
            outcomes[i] = 200
        except ServiceError as exc:
            outcomes[i] = exc.status
        except BaseException as exc:  # noqa: BLE001
            outcomes[i] = exc

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(len(passwords))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    monkeypatch.setattr(security, "verify_password", real)
    assert all(isinstance(o, int) for o in outcomes), outcomes
    return outcomes


def test_parallel_wrong_passwords_get_429_after_the_limit(world, monkeypatch):
    outcomes = _burst(world, ["wrong-pass"] * 30, monkeypatch)
    # Only the first five attempts are ever verified; the other 25 are refused unverified.
    assert sorted(outcomes) == [401] * 5 + [429] * 25
    events = [e[0] for e in _security_events(world)]
    assert events.count("login_failed") == 5 and events.count("login_locked") == 25
    # The window holds for the right password too.
    r = _login(world, "doc_a")
    assert r.status_code == 429 and r.json()["detail"] == "登录失败次数过多，请稍后再试"


def test_right_password_12th_among_attempts_in_flight_gets_429(world, monkeypatch):
    """QA's case exactly: 30 attempts all in flight at once (none has finished verifying when
    the last one arrives), the right password 12th. Old code: 29x401 and a 200."""
    import threading

    from familydoc_desktop.sync.protocol import LoginRequest
    from sync_server.core import security
    from sync_server.core.config import Settings
    from sync_server.services import accounts
    from sync_server.services.errors import ServiceError

    real = security.verify_password
    release = threading.Event()
    progress = threading.Condition()
    arrived = [0]  # attempts that reached verification or got their answer

    def step() -> None:
        with progress:
            arrived[0] += 1
            progress.notify_all()

    def slow(password_hash, password):  # noqa: ANN001, ANN202
        step()
        release.wait(30)  # argon2 still busy until every attempt has arrived
        return real(password_hash, password)

    monkeypatch.setattr(security, "verify_password", slow)
    settings = Settings(database_url=str(world.engine.url))
    passwords = ["wrong-pass"] * 30
    passwords[11] = PASSWORD
    outcomes: list = [None] * 30

    def attempt(i: int) -> None:
        try:
            accounts.login(world.engine, settings, LoginRequest(
                username="doc_a", password=passwords[i], device_id="dev-x"))
            outcomes[i] = 200
        except ServiceError as exc:
            outcomes[i] = exc.status
            if exc.status == 429:
                step()
        except BaseException as exc:  # noqa: BLE001
            outcomes[i] = exc
            step()

    threads = []
    for i in range(30):  # in this order, each one in flight before the next starts
        threads.append(threading.Thread(target=attempt, args=(i,)))
        threads[-1].start()
        with progress:
            assert progress.wait_for(lambda n=i: arrived[0] > n, timeout=30), outcomes
    release.set()
    for t in threads:
        t.join(60)
    assert outcomes == [401] * 5 + [429] * 25
    events = [e[0] for e in _security_events(world)]
    assert events.count("login_failed") == 5 and "login" not in events


def test_unknown_user_is_counted_and_verified_like_a_known_one(world, monkeypatch):
    from sync_server.core import security

    calls = []
    real = security.verify_password
    monkeypatch.setattr(security, "verify_password",
                        lambda h, p: calls.append(h) or real(h, p))
    assert _login(world, "nobody").status_code == 401
    assert calls == [None]  # still checked against the dummy hash: same time as a real user
    for _ in range(4):
        assert _login(world, "nobody").status_code == 401
    assert _login(world, "nobody").status_code == 429
    assert len(calls) == 5  # a locked attempt verifies nothing


# --- lock-out per client, and the bounded cost of logins (issue 14) ---------------------------

def _client_at(world, address):
    from fastapi.testclient import TestClient

    return TestClient(world.client.app, client=(address, 50000))


def _login_from(client, username, password=PASSWORD, device_id="dev-x"):
    return client.post(LOGIN, headers=SCHEMA, json={
        "username": username, "password": password, "device_id": device_id})


def test_a_stranger_elsewhere_cannot_lock_the_doctor_out(world):
    stranger, clinic = _client_at(world, "203.0.113.9"), _client_at(world, "10.1.2.3")
    for _ in range(5):
        assert _login_from(stranger, "doc_a", "guess-guess").status_code == 401
    r = _login_from(stranger, "doc_a")  # even the right password, from there
    assert r.status_code == 429 and int(r.headers["retry-after"]) > 0
    # The doctor at the clinic's PC is not locked out.
    assert _login_from(clinic, "doc_a", device_id="dev-doc_a").status_code == 200
    with world.engine.connect() as conn:
        rows = conn.execute(select(models.security_log.c.event, models.security_log.c.client,
                                   models.security_log.c.detail)
                            .where(models.security_log.c.event == "login_lockout")).all()
    assert [(e, c) for e, c, _ in rows] == [("login_lockout", "203.0.113.9")]
    assert "同一地址同一用户名" in rows[0][2]
    stranger.close()
    clinic.close()


def test_a_spray_of_usernames_from_one_address_is_locked_out_there(world):
    sprayer, other = _client_at(world, "198.51.100.7"), _client_at(world, "10.1.2.3")
    for i in range(30):  # 30 made-up usernames, each tried once: the per-address limit
        assert _login_from(sprayer, f"user{i}", "guess-guess").status_code == 401
    known = _login_from(sprayer, "doc_b")  # a real account, right password
    unknown = _login_from(sprayer, "nobody-at-all")
    # Locked from that address, alike for a real and a made-up username.
    assert known.status_code == unknown.status_code == 429
    assert known.json()["detail"] == unknown.json()["detail"]
    assert _login_from(other, "doc_b", device_id="dev-doc_b").status_code == 200
    events = [e for e, *_ in _security_events(world)]
    assert events.count("login_lockout") == 1 and events.count("login_locked") == 2
    sprayer.close()
    other.close()


def test_failures_are_forgotten_after_a_quiet_day(world):
    for _ in range(4):
        assert _login(world, "doc_a", password="wrong-pass").status_code == 401
    with write_tx(world.engine) as conn:  # the four failures were a day ago
        conn.execute(update(models.login_throttle).values(last_at=now_ms() - 86_401_000))
    for _ in range(4):  # four more today: not five in a row
        assert _login(world, "doc_a", password="wrong-pass").status_code == 401
    assert _login(world, "doc_a").status_code == 200


def test_a_login_beyond_the_concurrency_limit_is_503_at_once(world):
    """The gate is full (every slot verifying a password): the next login is answered 503
    with Retry-After at once, before any database write or password check."""
    import time

    gate = world.client.app.state.login_gate
    taken = 0
    while gate.try_enter():
        taken += 1
    assert taken == gate.limit >= 1
    try:
        started = time.perf_counter()
        r = _login(world, "doc_a")
        elapsed = time.perf_counter() - started
    finally:
        for _ in range(taken):
            gate.leave()
    assert r.status_code == 503 and r.headers["retry-after"] == "2"
    assert r.json()["detail"] == "同时登录的人数较多，服务器正忙，请稍后再试"
    assert elapsed < 0.5
    with world.engine.connect() as conn:  # nothing counted, nothing written
        assert conn.execute(select(models.login_throttle)).all() == []
    assert _security_events(world) == []
    assert _login(world, "doc_a").status_code == 200  # a slot free again: served


def test_a_login_flood_stays_bounded(world, monkeypatch):
    """60 parallel logins with fresh usernames through a gate of 2: never more than 2
    password checks at once; the rest answered 503 at once, not queued."""
    import threading
    import time

    from familydoc_desktop.sync.protocol import LoginRequest
    from sync_server.core import security
    from sync_server.core.config import Settings
    from sync_server.services import accounts
    from sync_server.services.errors import ServiceError

    real = security.verify_password
    in_flight, peak = [0], [0]
    lock = threading.Lock()

    def slow(password_hash, password):  # noqa: ANN001, ANN202
        with lock:
            in_flight[0] += 1
            peak[0] = max(peak[0], in_flight[0])
        time.sleep(0.3)
        with lock:
            in_flight[0] -= 1
        return real(password_hash, password)

    monkeypatch.setattr(security, "verify_password", slow)
    settings = Settings(database_url=str(world.engine.url), login_concurrency=2)
    gate = security.VerifyGate(settings.login_concurrency)
    start = threading.Barrier(60)
    outcomes: list = [None] * 60
    answered_in: list = [0.0] * 60

    def attempt(i: int) -> None:
        req = LoginRequest(username=f"fresh{i}", password="guess-guess", device_id=f"d{i}")
        start.wait()
        began = time.perf_counter()
        try:
            accounts.login(world.engine, settings, req, client=f"10.0.0.{i}", gate=gate)
            outcomes[i] = 200
        except ServiceError as exc:
            outcomes[i] = (exc.status, exc.headers())
        answered_in[i] = time.perf_counter() - began

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(60)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert peak[0] <= 2
    busy = [i for i, o in enumerate(outcomes) if o == (503, {"Retry-After": "2"})]
    checked = [i for i, o in enumerate(outcomes) if o == (401, None)]
    assert len(busy) + len(checked) == 60 and 2 <= len(checked) <= 10, outcomes
    assert max(answered_in[i] for i in busy) < 0.25  # at once, not after the others
