"""The FastAPI application: `create_app(settings)`; `app_from_env()` for uvicorn workers."""
from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from familydoc_desktop import SCHEMA_VERSION, __version__
from familydoc_desktop.sync.protocol import BAD_TEXT_ERROR
from sync_server.api import readahead
from sync_server.api.deps import check_schema, clean_path_and_query
from sync_server.api.middleware import BodyLimit, ServerTime
from sync_server.api.routes import (
    admin, audit, auth, bundle, health, orgs, reports_indicators, reports_sync, sync,
)
from sync_server.core import security
from sync_server.core.config import Settings
from sync_server.core.db import make_engine, migrate
from sync_server.services.errors import ServiceError, Unauthorized

API_PREFIX = "/api/v1"

# Pydantic error types in words a user can act on. Unlisted types get a generic Chinese word,
# never pydantic's English message.
_ERROR_WORDS = {
    "missing": "缺少字段", "extra_forbidden": "不允许的字段", "json_invalid": "不是有效的 JSON",
    "int_parsing": "应为整数", "int_type": "应为整数", "int_from_float": "应为整数",
    "int_parsing_size": "数值过大",
    "string_type": "应为文本", "string_unicode": "应为文本", "bool_type": "应为布尔值",
    "bool_parsing": "应为布尔值",
    "dict_type": "应为对象", "list_type": "应为数组", "model_attributes_type": "应为对象",
    "model_type": "应为对象",
    "literal_error": "取值无效", "enum": "取值无效", "value_error": "取值无效",
    "string_too_long": "过长", "string_too_short": "过短", "string_pattern_mismatch": "格式不正确",
    "too_long": "条目过多", "too_short": "条目过少",
    "greater_than": "数值过小", "greater_than_equal": "数值过小",
    "less_than": "数值过大", "less_than_equal": "数值过大",
    "float_parsing": "应为数字", "float_type": "应为数字", "finite_number": "应为有限的数字",
    "json_type": "应为 JSON",
    BAD_TEXT_ERROR: "含有控制字符或无法编码的字符",
}
_UNKNOWN_ERROR = "格式错误"
BAD_JSON = "请求体不是有效的 JSON"
SERVER_ERROR = "服务器内部错误，请稍后再试或联系管理员"


def _validation_detail(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = list(err.get("loc", ()))
        if where and where[0] in ("body", "query", "path", "header"):
            where = where[1:]  # where the field came from: no help to the user
        loc = ".".join(str(p) for p in where)
        words = _ERROR_WORDS.get(err.get("type", ""), _UNKNOWN_ERROR)
        if err.get("type") == "json_invalid":
            return BAD_JSON
        parts.append(f"{loc}：{words}" if loc else words)
    return "请求格式错误：" + "；".join(parts)


class _App(FastAPI):
    """The server clock goes on outside everything, Starlette's own error middleware too, so
    every response carries it: the body-limit 413, a 500, a 404 alike."""

    def build_middleware_stack(self):  # noqa: ANN201
        return ServerTime(super().build_middleware_stack())


def create_app(settings: Settings | None = None, *, run_migrations: bool = True) -> FastAPI:
    settings = settings or Settings.from_env()
    engine = make_engine(settings.database_url)
    if run_migrations:
        migrate(engine)

    app = _App(title="家医签约助手同步服务 FamilyDoc sync server", version=__version__,
               openapi_url="/openapi.json")
    app.state.engine = engine
    app.state.settings = settings
    app.state.login_gate = security.VerifyGate(settings.login_concurrency)
    app.state.read_ahead = readahead.ReadAhead()  # the next pull page (api/readahead.py)
    security.dummy_hash()  # the first unknown-user login must not pay for it

    @app.exception_handler(ServiceError)
    async def _service_error(_request: Request, exc: ServiceError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthorized) \
            else exc.headers()
        return JSONResponse(exc.body(), status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _validation_detail(exc)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 400:
            # FastAPI's "There was an error parsing the body": a body json.loads cannot
            # read for other reasons than a syntax error (invalid UTF-8, nesting too deep).
            # Malformed JSON like any other: 422 in Chinese.
            return JSONResponse({"detail": BAD_JSON}, status_code=422)
        words = {404: "接口不存在", 405: "不支持的请求方法"}
        detail = words.get(exc.status_code, f"请求无法处理（{exc.status_code}）")
        return JSONResponse({"detail": detail}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def _server_error(_request: Request, _exc: Exception) -> JSONResponse:
        # A bug, not bad input: still JSON in Chinese (Starlette logs the traceback).
        return JSONResponse({"detail": SERVER_ERROR}, status_code=500)

    api = APIRouter(prefix=API_PREFIX)
    api.include_router(health.router)
    versioned = APIRouter(dependencies=[Depends(check_schema), Depends(clean_path_and_query)])
    for module in (auth, sync, orgs, admin, audit, bundle, reports_sync, reports_indicators):
        versioned.include_router(module.router)
    api.include_router(versioned)
    app.include_router(api)

    # Added last = outermost: the body limit runs before anything reads the body (only the
    # server-time stamp, which never reads it, wraps it: see _App).
    # Level 5: nearly the size of level 9 at a third of the CPU (measured on pull pages).
    app.add_middleware(GZipMiddleware, minimum_size=settings.gzip_minimum_bytes,
                       compresslevel=5)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    return app


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` / several workers: settings from the environment;
    the CLI has already migrated the database."""
    return create_app(Settings.from_env(), run_migrations=False)


__all__ = ["API_PREFIX", "SCHEMA_VERSION", "app_from_env", "create_app"]
