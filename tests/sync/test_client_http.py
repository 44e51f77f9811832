"""The HTTP client: TLS settings reach requests, errors become Chinese messages, gzip bodies
are decoded and counted as they came over the wire."""
from __future__ import annotations

import gzip
import io
import json

import pytest
import requests
from urllib3.response import HTTPResponse

from familydoc_desktop import SCHEMA_VERSION
from familydoc_desktop.sync import http
from tests.sync.sync_live import free_port


def _response(status: int, body: bytes, headers: dict | None = None) -> requests.Response:
    resp = requests.Response()
    resp.status_code = status
    resp.headers.update(headers or {})
    resp.raw = HTTPResponse(body=io.BytesIO(body), headers=headers or {}, status=status,
                            preload_content=False, decode_content=False)
    return resp


class Recorder(requests.Session):
    def __init__(self, response: requests.Response) -> None:
        super().__init__()
        self.response = response
        self.calls: list[dict] = []

    def request(self, method, url, **kwargs):  # noqa: ANN001, ANN003, ANN201
        self.calls.append({"method": method, "url": url, **kwargs})
        return self.response


def test_tls_verification_is_on_by_default():
    rec = Recorder(_response(200, b'{"status":"ok"}'))
    http.Client("https://sync.example.cn", session=rec).get("/health")
    assert rec.calls[0]["verify"] is True


def test_ca_bundle_setting_is_passed_to_requests(tmp_path):
    bundle = tmp_path / "township-ca.pem"
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    rec = Recorder(_response(200, b"{}"))
    client = http.Client("https://sync.example.cn/", ca_bundle=str(bundle), session=rec)
    client.post("/sync/push", {"x": 1})
    call = rec.calls[0]
    assert call["verify"] == str(bundle)
    assert call["url"] == "https://sync.example.cn/api/v1/sync/push"
    assert call["headers"]["X-FamilyDoc-Schema"] == str(SCHEMA_VERSION)
    assert call["timeout"] == http.TIMEOUT


def test_bearer_token_header_only_when_logged_in():
    rec = Recorder(_response(200, b"{}"))
    client = http.Client("http://127.0.0.1:1", session=rec)
    client.get("/orgs")
    assert "Authorization" not in rec.calls[0]["headers"]
    client.token = "tok"
    client.get("/orgs")
    assert rec.calls[1]["headers"]["Authorization"] == "Bearer tok"


def test_gzip_body_is_decoded_and_wire_bytes_counted():
    payload = json.dumps({"rows": ["王秀英"] * 500, "server_time_ms": 1_700_000_000_000},
                         ensure_ascii=False).encode()
    packed = gzip.compress(payload)
    rec = Recorder(_response(200, packed, {"Content-Encoding": "gzip"}))
    client = http.Client("http://x", session=rec)
    assert client.get("/sync/pull") == payload
    assert client.bytes_received == len(packed) < len(payload)
    assert client.server_time_ms == 1_700_000_000_000
    assert client.clock_offset_ms is not None


def test_zstd_is_asked_for_decoded_and_counted():
    import zstandard

    payload = json.dumps({"rows": ["王秀英"] * 500, "server_time_ms": 1_700_000_000_000},
                         ensure_ascii=False).encode()
    packed = zstandard.ZstdCompressor(level=6).compress(payload)
    rec = Recorder(_response(200, packed, {"Content-Encoding": "zstd"}))
    client = http.Client("http://x", session=rec)
    assert client.get("/sync/pull") == payload
    assert rec.calls[0]["headers"]["Accept-Encoding"] == "zstd, gzip"
    assert client.bytes_received == len(packed) < len(payload)
    # A body cut short or garbled on the line: the network's fault, nothing applied.
    rec.response = _response(200, b"\x28\xb5\x2f\xfd" + b"\x00" * 7, {"Content-Encoding": "zstd"})
    with pytest.raises(http.NetworkDown):
        client.get("/sync/pull")
    rec.response = _response(200, packed[:-5], {"Content-Encoding": "zstd"})
    with pytest.raises(http.NetworkDown):
        client.get("/sync/pull")


def test_dead_network_gives_the_chinese_message():
    client = http.Client(f"http://127.0.0.1:{free_port()}", timeout=(1, 1))
    with pytest.raises(http.NetworkDown) as err:
        client.get("/health")
    assert str(err.value) == "无法连接同步服务器，数据已保存在本机，网络恢复后会自动同步"


def test_tls_failure_is_not_reported_as_a_plain_network_error():
    class Broken(requests.Session):
        def request(self, *a, **k):  # noqa: ANN002, ANN003, ANN201
            raise requests.exceptions.SSLError("certificate verify failed")

    with pytest.raises(http.NetworkDown) as err:
        http.Client("https://x", session=Broken()).get("/health")
    assert "证书" in str(err.value)


@pytest.mark.parametrize("status,cls,text", [
    (401, http.AuthExpired, "登录已失效，请重新登录"),
    (426, http.VersionMismatch, "客户端版本过旧，请升级家医签约助手后再同步"),
    (403, http.SyncError, "无权访问该机构的数据"),
    (429, http.SyncError, "登录失败次数过多，请稍后再试"),
])
def test_server_detail_is_shown(status, cls, text):
    body = json.dumps({"detail": text}, ensure_ascii=False).encode()
    rec = Recorder(_response(status, body))
    with pytest.raises(cls) as err:
        http.Client("http://x", session=rec).get("/sync/pull")
    assert str(err.value) == text and err.value.status == status


def test_server_crash_never_shows_a_traceback():
    rec = Recorder(_response(500, b"Internal Server Error"))
    with pytest.raises(http.SyncError) as err:
        http.Client("http://x", session=rec).get("/sync/pull")
    assert "500" in str(err.value) and "数据已保存在本机" in str(err.value)


def test_locked_login_is_not_retried_or_slept_on():
    policy = http.retry_policy()
    assert not policy.respect_retry_after_header
    assert 429 not in policy.status_forcelist


# --- a busy server's Retry-After (issue 14) -----------------------------------------------

class Sequence(requests.Session):
    """Answers with the given responses in turn (the last one from then on)."""

    def __init__(self, *responses: requests.Response) -> None:
        super().__init__()
        self.responses = list(responses)
        self.calls = 0

    def request(self, method, url, **kwargs):  # noqa: ANN001, ANN003, ANN201
        self.calls += 1
        return self.responses.pop(0) if len(self.responses) > 1 else self.responses[0]


def _busy(seconds: str = "2") -> requests.Response:
    body = json.dumps({"detail": "同时登录的人数较多，服务器正忙，请稍后再试",
                       "retry_after": 2}, ensure_ascii=False).encode()
    return _response(503, body, {"Retry-After": seconds})


def _waiting_client(session) -> tuple[http.Client, list, list]:  # noqa: ANN001
    client = http.Client("http://x", session=session)
    slept, told = [], []
    client.sleep = slept.append
    client.on_wait = told.append
    return client, slept, told


def test_a_busy_server_is_waited_on_as_it_asks_then_served():
    client, slept, told = _waiting_client(
        Sequence(_busy(), _busy(), _response(200, b'{"token":"t"}')))
    assert client.post("/auth/login", {"username": "doc_a"}) == b'{"token":"t"}'
    assert len(slept) == 2 and all(2 <= s <= 2.5 for s in slept)  # Retry-After, a little more
    assert told == ["同步服务器正忙，2秒后自动重试……"] * 2


def test_a_server_still_busy_after_waiting_tells_the_doctor_in_chinese():
    session = Sequence(_busy())
    client, slept, _ = _waiting_client(session)
    with pytest.raises(http.ServerBusy) as err:
        client.post("/auth/login", {"username": "doc_a"})
    assert len(slept) == http.BUSY_RETRIES and session.calls == http.BUSY_RETRIES + 1
    assert str(err.value) == ("同步服务器正忙（同时登录或同步的电脑较多），请2秒后再试；"
                              "数据已保存在本机")
    assert err.value.status == 503 and err.value.retry_after == 2


def test_a_long_retry_after_is_not_slept_on_in_a_window():
    session = Sequence(_busy("600"))
    client, slept, _ = _waiting_client(session)
    with pytest.raises(http.ServerBusy) as err:
        client.get("/sync/pull")
    assert slept == [] and session.calls == 1 and "10分钟" in str(err.value)


def test_a_locked_login_says_how_long_and_is_not_retried():
    body = json.dumps({"detail": "登录失败次数过多，请稍后再试", "retry_after": 120},
                      ensure_ascii=False).encode()
    session = Sequence(_response(429, body, {"Retry-After": "120"}))
    client, slept, _ = _waiting_client(session)
    with pytest.raises(http.SyncError) as err:
        client.post("/auth/login", {"username": "doc_a"})
    assert str(err.value) == "登录失败次数过多，请2分钟后再试"
    assert err.value.retry_after == 120 and slept == [] and session.calls == 1


def test_urllib3_leaves_a_503_with_retry_after_to_the_client():
    policy = http.retry_policy()
    assert not policy.is_retry("POST", 503, has_retry_after=True)
    assert policy.is_retry("POST", 503, has_retry_after=False)  # a gateway's bare 503
    assert policy.new().is_retry("GET", 502)
    assert not policy.new().is_retry("POST", 503, has_retry_after=True)


def test_the_clock_is_read_from_the_servers_time_header_before_the_body():
    # A pull page built ahead (sync_server/api/readahead.py) carries the time it was built;
    # the header the server stamps on every answer is the time of the answer.
    from sync_server.api.middleware import SERVER_TIME_HEADER

    body = json.dumps({"server_time_ms": 1_700_000_000_000}).encode()
    rec = Recorder(_response(200, body, {SERVER_TIME_HEADER.decode(): "1700000005000"}))
    client = http.Client("http://x", session=rec)
    client.get("/sync/pull")
    assert client.server_time_ms == 1_700_000_005_000


def test_the_line_rate_is_measured_on_large_answers_only():
    import zstandard

    big = zstandard.ZstdCompressor(level=1).compress(bytes(range(256)) * 1024)  # ~256 KB out?
    assert len(big) < http.RATE_MIN_BYTES  # repetitive: small on the wire
    rec = Recorder(_response(200, big, {"Content-Encoding": "zstd"}))
    client = http.Client("http://x", session=rec)
    client.get("/sync/pull")
    assert client.line_rate is None
    import os

    noise = os.urandom(http.RATE_MIN_BYTES + 10)
    rec.response = _response(200, noise)
    client.get("/sync/pull")
    assert client.line_rate is not None and client.line_rate > 0
