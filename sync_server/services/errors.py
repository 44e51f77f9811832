"""Errors the services raise; the app turns each into {"detail": <Chinese message>} with its
HTTP status, and the CLI prints the message."""
from __future__ import annotations


class ServiceError(Exception):
    status = 400

    def __init__(self, detail: str, **extra: object) -> None:
        super().__init__(detail)
        self.detail = detail
        # Further fields of the error body beside "detail" (e.g. the refused mutation_id).
        self.extra = extra

    def body(self) -> dict:
        return {"detail": self.detail, **self.extra}

    def headers(self) -> dict[str, str] | None:
        """HTTP headers of the answer: Retry-After when the error carries `retry_after`."""
        retry_after = self.extra.get("retry_after")
        return {"Retry-After": str(retry_after)} if isinstance(retry_after, int) else None


class Invalid(ServiceError):
    status = 422


class Unauthorized(ServiceError):
    status = 401


class Forbidden(ServiceError):
    status = 403


class NotFound(ServiceError):
    status = 404


class AlreadyDone(ServiceError):
    status = 409


class TooManyAttempts(ServiceError):
    """429; with retry_after=<seconds until the lock ends> (also the Retry-After header)."""

    status = 429


class Busy(ServiceError):
    """503 at once, with Retry-After: more logins at once than the server verifies."""

    status = 503


class ClockAhead(Invalid):
    """422 {"code": "clock_ahead", "mutation_ids": [...]}: edits stamped further ahead of the
    server's time than any PC clock can credibly be. The PC sets exactly those aside."""

    CODE = "clock_ahead"

    def __init__(self, detail: str, mutation_ids: list[int]) -> None:
        super().__init__(detail, code=self.CODE, mutation_ids=mutation_ids,
                         mutation_id=mutation_ids[0])


SESSION_EXPIRED = "登录已失效，请重新登录"
