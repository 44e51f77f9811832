"""ASGI middleware: a request body limit checked before anything parses the body, and the
server clock on every response (the client measures its clock offset from it)."""
from __future__ import annotations

import json

from sync_server.core.db import now_ms

SERVER_TIME_HEADER = b"x-familydoc-server-time-ms"


async def _send_json(send, status: int, detail: str) -> None:  # noqa: ANN001
    body = json.dumps({"detail": detail}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


class BodyLimit:
    def __init__(self, app, max_bytes: int) -> None:  # noqa: ANN001
        self.app = app
        self.max_bytes = max_bytes

    def _message(self) -> str:
        return f"请求数据过大（上限 {self.max_bytes / 1024 / 1024:g} MB），请分批同步"

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = dict(scope.get("headers") or ())
        length = headers.get(b"content-length")
        if length is not None:
            try:
                too_big = int(length) > self.max_bytes
            except ValueError:
                return await _send_json(send, 400, "Content-Length 无效")
            if too_big:
                return await _send_json(send, 413, self._message())
            return await self.app(scope, receive, send)
        # No declared length (chunked): read up to the limit, then replay to the app.
        messages, size = [], 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                break
            size += len(message.get("body", b""))
            if size > self.max_bytes:
                return await _send_json(send, 413, self._message())
            if not message.get("more_body"):
                break

        async def replay():  # noqa: ANN202
            return messages.pop(0) if messages else await receive()

        return await self.app(scope, replay, send)


class ServerTime:
    def __init__(self, app) -> None:  # noqa: ANN001
        self.app = app

    async def __call__(self, scope, receive, send) -> None:  # noqa: ANN001
        if scope["type"] != "http":
            return await self.app(scope, receive, send)

        async def stamped(message) -> None:  # noqa: ANN001
            if message["type"] == "http.response.start":
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"],
                                      (SERVER_TIME_HEADER, str(now_ms()).encode())]
            await send(message)

        return await self.app(scope, receive, stamped)
