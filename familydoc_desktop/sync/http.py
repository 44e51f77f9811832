"""The one HTTP client of the desktop app: base URL, schema header, bearer token, TLS checks,
timeouts, a bounded retry policy, and server errors turned into Chinese messages.

Responses are read raw so the compressed size on the wire can be counted (benchmarks), then
decompressed here; pydantic parses the JSON straight from bytes.
"""
from __future__ import annotations

import http.client
import json
import random
import time
import zlib
from typing import Any, Callable

import requests
import urllib3
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from familydoc_desktop import SCHEMA_VERSION, __version__
from familydoc_desktop.sync.protocol import SCHEMA_HEADER

try:  # zstd pull pages (about 2/3 of gzip's bytes); without the package, gzip as before
    import zstandard
except ImportError:
    zstandard = None
ACCEPT_ENCODING = "zstd, gzip" if zstandard is not None else "gzip"

API_PREFIX = "/api/v1"
# (connect, read) seconds: the largest pull page (20,000 rows) takes a few seconds to build
# on a busy township PC.
TIMEOUT = (10.0, 120.0)
RATE_MIN_BYTES = 64 * 1024  # a smaller answer says little about the line's speed

# What the server sends (the second name is what this client read before: no server sent it).
SERVER_TIME_HEADERS = ("X-FamilyDoc-Server-Time-Ms", "X-Server-Time-Ms")

NETWORK_DOWN = "无法连接同步服务器，数据已保存在本机，网络恢复后会自动同步"
TLS_FAILED = "无法验证同步服务器的证书（可能是证书配置错误或网络被劫持），已停止同步；数据已保存在本机"
AUTH_EXPIRED = "登录已失效，请重新登录"
SERVER_ERROR = "同步服务器出错（{status}），数据已保存在本机，请稍后再试或联系管理员"
SERVER_BUSY = "同步服务器正忙（同时登录或同步的电脑较多），请{wait}后再试；数据已保存在本机"
BUSY_WAITING = "同步服务器正忙，{wait}后自动重试……"
LOCKED_WAIT = "{detail}（请{wait}后再试）"
# A busy server (503 with Retry-After) is waited on, as it asks, this many times, at most
# this long each; then the user is told.
BUSY_RETRIES = 3
BUSY_MAX_WAIT_SECONDS = 30


class SyncError(RuntimeError):
    """A sync failure worded for the user (Chinese). `status` is the HTTP status, if any;
    `payload` the server's JSON error body (e.g. the refused push's mutation_id)."""

    def __init__(self, message: str, status: int | None = None,
                 payload: dict | None = None, retry_after: int | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.payload = payload or {}
        self.retry_after = retry_after  # seconds, from the answer's Retry-After


class ServerBusy(SyncError):
    """503 with Retry-After (e.g. more logins at once than the server checks), still busy
    after waiting as asked: nothing local is lost, try again later."""


class NetworkDown(SyncError):
    """The server could not be reached (or the connection dropped): nothing local is lost."""


class AuthExpired(SyncError):
    """401: the token is revoked, expired or unknown; the user must log in again."""


class VersionMismatch(SyncError):
    """426 / 409: client and server speak different schema versions."""


class _Retry(Retry):
    def is_retry(self, method: str, status_code: int, has_retry_after: bool = False) -> bool:
        if status_code == 503 and has_retry_after:
            return False  # the server said when: Client.request waits that long, not 0.3 s
        return super().is_retry(method, status_code, has_retry_after)


def retry_policy() -> Retry:
    # Every endpoint is safe to repeat: pushes carry mutation ids (a repeat is a "duplicate"),
    # resolving a resolved conflict changes nothing. Gateway errors and dropped connects retry
    # a little with backoff; anything longer is the next sync's job, not a hung window.
    return _Retry(total=2, connect=2, read=1, status=2, backoff_factor=0.3,
                 status_forcelist=(502, 503, 504), allowed_methods=None,
                 raise_on_status=False,
                 # A locked login answers 429 with Retry-After: never sleep on it here.
                 respect_retry_after_header=False)


class Client:
    """JSON over HTTP(S) to one sync server. `ca_bundle` is a PEM path for a private CA; TLS
    verification is never switched off."""

    def __init__(self, server_url: str, *, token: str | None = None,
                 ca_bundle: str | None = None, timeout: tuple[float, float] = TIMEOUT,
                 session: requests.Session | None = None) -> None:
        self.base = server_url.rstrip("/")
        self.token = token
        self.verify: bool | str = ca_bundle or True
        self.timeout = timeout
        self.session = session or requests.Session()
        if session is None:
            adapter = HTTPAdapter(max_retries=retry_policy(), pool_maxsize=4)
            self.session.mount("http://", adapter)
            self.session.mount("https://", adapter)
        self.bytes_received = 0  # compressed body bytes, as they came over the wire
        # Bytes a second the last large answer came in at, from its first byte to its last
        # (the server builds an answer whole before it sends it: not counted), or None.
        self.line_rate: float | None = None
        self.server_time_ms: int | None = None
        self.clock_offset_ms: int | None = None  # server − local, at the last response
        self.now_ms: Callable[[], float] = lambda: time.time() * 1000  # local wall clock
        self.sleep: Callable[[float], None] = time.sleep
        # Told before each wait on a busy server (a Chinese line for the status bar / CLI).
        self.on_wait: Callable[[str], None] = lambda _message: None

    def url(self, path: str) -> str:
        return f"{self.base}{API_PREFIX}{path}"

    def headers(self) -> dict[str, str]:
        h = {SCHEMA_HEADER: str(SCHEMA_VERSION), "Accept-Encoding": ACCEPT_ENCODING,
             "User-Agent": f"FamilyDoc/{__version__}"}
        if self.token:
            h["Authorization"] = f"Bearer {self.token}"
        return h

    def get(self, path: str, params: dict | None = None) -> bytes:
        return self.request("GET", path, params=params)

    def post(self, path: str, body: Any = None) -> bytes:
        data = body if isinstance(body, (bytes, str)) or body is None else json.dumps(
            body, ensure_ascii=False, separators=(",", ":"))
        if isinstance(data, str):
            data = data.encode("utf-8")
        return self.request("POST", path, data=data)

    def request(self, method: str, path: str, *, params: dict | None = None,
                data: bytes | None = None) -> bytes:
        """Send one request; returns the decompressed body or raises a SyncError. A busy
        server's 503 with Retry-After is waited on as it asks (a little more, so PCs told
        the same do not all come back at once), BUSY_RETRIES times at most."""
        for attempt in range(BUSY_RETRIES + 1):
            try:
                return self._request_once(method, path, params=params, data=data)
            except ServerBusy as exc:
                wait = exc.retry_after
                if attempt == BUSY_RETRIES or wait is None or wait > BUSY_MAX_WAIT_SECONDS:
                    raise
                self.on_wait(BUSY_WAITING.format(wait=_wait_words(wait)))
                self.sleep(wait * (1 + random.random() / 4))
        raise AssertionError("unreachable")

    def _request_once(self, method: str, path: str, *, params: dict | None = None,
                      data: bytes | None = None) -> bytes:
        headers = self.headers()
        if data is not None:
            headers["Content-Type"] = "application/json"
        sent_ms = self.now_ms()
        try:
            resp = self.session.request(method, self.url(path), params=params, data=data,
                                        headers=headers, timeout=self.timeout,
                                        verify=self.verify, stream=True)
            started = time.monotonic()  # the server has begun to answer: the rest is the line
            raw = resp.raw.read(decode_content=False)
            self._note_rate(len(raw), time.monotonic() - started)
        except requests.exceptions.SSLError as exc:
            raise NetworkDown(TLS_FAILED) from exc
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout,
                requests.exceptions.ChunkedEncodingError, urllib3.exceptions.HTTPError,
                http.client.HTTPException, OSError) as exc:
            # Reading the raw body raises urllib3's own errors, not requests' wrappers.
            raise NetworkDown(NETWORK_DOWN) from exc
        self.bytes_received += len(raw)
        body = _decompress(raw, resp.headers.get("Content-Encoding", ""))
        self._note_clock(resp, body, sent_ms)
        if resp.status_code >= 400:
            raise error_for(resp.status_code, body, resp.headers.get("Retry-After"))
        return body

    def _note_rate(self, size: int, seconds: float) -> None:
        if size >= RATE_MIN_BYTES:
            self.line_rate = size / max(seconds, 1e-6)

    def _note_clock(self, resp: requests.Response, body: bytes, sent_ms: float) -> None:
        # Responses carry server_time_ms; the midpoint of the round trip is "now" locally.
        server_ms = _server_time(resp, body)
        if server_ms is not None:
            local_ms = (sent_ms + self.now_ms()) / 2
            self.server_time_ms = server_ms
            self.clock_offset_ms = int(server_ms - local_ms)

    def close(self) -> None:
        self.session.close()


def _decompress(raw: bytes, encoding: str) -> bytes:
    if "zstd" in encoding.lower() and raw:
        if zstandard is None:
            raise SyncError("同步服务器发来的数据无法解压（zstd），请升级家医签约助手")
        reader = zstandard.ZstdDecompressor().decompressobj()
        try:
            body = reader.decompress(raw)
        except zstandard.ZstdError as exc:
            raise NetworkDown(NETWORK_DOWN) from exc
        if not reader.eof:  # cut short on the line: never half a page
            raise NetworkDown(NETWORK_DOWN)
        return body
    if "gzip" in encoding.lower() and raw:
        return zlib.decompress(raw, 16 + zlib.MAX_WBITS)
    if "deflate" in encoding.lower() and raw:
        return zlib.decompress(raw)
    return raw


def _server_time(resp: requests.Response, body: bytes) -> int | None:
    # The server stamps every answer as it starts it (sync_server/api/middleware.py); the
    # time in a pull page's body is when the page was built (a page built ahead:
    # sync_server/api/readahead.py), so the header comes first.
    for name in SERVER_TIME_HEADERS:
        header = resp.headers.get(name)
        if header and header.isdigit():
            return int(header)
    # Bodies are JSON objects; the field sits near the end of a pull page, so look from there.
    key = b'"server_time_ms":'
    at = body.rfind(key)
    if at < 0:
        return None
    digits = bytearray()
    for ch in body[at + len(key):at + len(key) + 24]:
        if 48 <= ch <= 57:
            digits.append(ch)
        elif digits or ch not in b" ":
            break
    return int(digits) if digits else None


def _retry_after(header: str | None) -> int | None:
    """Retry-After in seconds (the delta form; an HTTP date is not worth trusting a PC clock)."""
    if header and header.strip().isdigit() and header.strip().isascii():
        return int(header.strip())
    return None


def _wait_words(seconds: int) -> str:
    if seconds < 90:
        return f"{max(seconds, 1)}秒"
    return f"{-(-seconds // 60)}分钟"


def error_for(status: int, body: bytes, retry_after: str | None = None) -> SyncError:
    """The server's Chinese `detail`, or a Chinese message for the status."""
    wait = _retry_after(retry_after)
    detail, payload = None, {}
    try:
        parsed = json.loads(body or b"null")
        if isinstance(parsed, dict):
            payload = parsed
            if isinstance(parsed.get("detail"), str):
                detail = parsed["detail"]
    except ValueError:
        pass
    if status == 401:
        return AuthExpired(detail or AUTH_EXPIRED, status)
    if status in (409, 426):
        return VersionMismatch(detail or "客户端与服务器版本不一致，请升级后再同步", status)
    if status == 403:
        return SyncError(detail or "无权访问该机构的数据", status, payload)
    if status == 413:
        return SyncError(detail or "提交的数据过大", status)
    if status == 429:
        message = detail or "请求过于频繁，请稍后再试"
        if wait and "稍后" in message:
            message = message.replace("稍后", f"{_wait_words(wait)}后", 1)
        elif wait:
            message = LOCKED_WAIT.format(detail=message, wait=_wait_words(wait))
        return SyncError(message, status, payload, retry_after=wait)
    if status == 503 and wait is not None:
        return ServerBusy(SERVER_BUSY.format(wait=_wait_words(wait)), status, payload,
                          retry_after=wait)
    if status >= 500:
        return SyncError(SERVER_ERROR.format(status=status), status)
    # The body's fields ride along (a 422 `clock_ahead` names the refused mutations).
    return SyncError(detail or f"同步请求被服务器拒绝（{status}）", status, payload)
