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
    status = 429


SESSION_EXPIRED = "登录已失效，请重新登录"
