"""Dependencies shared by the routes: the engine, the schema-version check, the caller."""
from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Engine

from familydoc_desktop import SCHEMA_VERSION
from familydoc_desktop.domain.wire_values import text_problem
from familydoc_desktop.sync.protocol import SCHEMA_HEADER
from sync_server.core.config import Settings
from sync_server.services import accounts
from sync_server.services.errors import Invalid, ServiceError

CLIENT_TOO_OLD = "客户端版本过旧，请升级家医签约助手后再同步"
SERVER_TOO_OLD = "服务器版本较旧，请联系管理员升级服务器"


class UpgradeRequired(ServiceError):
    status = 426


class ServerTooOld(ServiceError):
    status = 409


def get_engine(request: Request) -> Engine:
    return request.app.state.engine


def get_settings(request: Request) -> Settings:
    return request.app.state.settings


def check_schema(schema: Annotated[str | None, Header(alias=SCHEMA_HEADER)] = None) -> int:
    """The server accepts its own schema version and one behind (docs/sync.md)."""
    try:
        version = int(schema) if schema is not None else None
    except ValueError:
        version = None
    if version is None or version < SCHEMA_VERSION - 1:
        raise UpgradeRequired(CLIENT_TOO_OLD)
    if version > SCHEMA_VERSION:
        raise ServerTooOld(SERVER_TOO_OLD)
    return version


BAD_TEXT = "请求中含有控制字符或无法编码的字符，请核对后重试"


def clean_path_and_query(request: Request) -> None:
    """A NUL, control character or lone surrogate in a path parameter (a conflict or device
    id) or a query value is a 422 before any database sees it: PostgreSQL refuses NUL in text
    with an error that used to be a 500."""
    values = [*request.path_params.values(), *request.query_params.values(),
              *request.query_params.keys()]
    if any(isinstance(v, str) and text_problem(v) for v in values):
        raise Invalid(BAD_TEXT)


_bearer = HTTPBearer(auto_error=False, description="登录返回的令牌")


def current_principal(
    engine: Annotated[Engine, Depends(get_engine)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> accounts.Principal:
    return accounts.authenticate(engine, credentials.credentials if credentials else None)


EngineDep = Annotated[Engine, Depends(get_engine)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
PrincipalDep = Annotated[accounts.Principal, Depends(current_principal)]
