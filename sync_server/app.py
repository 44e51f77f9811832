"""The FastAPI application: `create_app(settings)`; `app_from_env()` for uvicorn workers."""
from __future__ import annotations

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from familydoc_desktop import SCHEMA_VERSION, __version__
from sync_server.api.deps import check_schema
from sync_server.api.middleware import BodyLimit, ServerTime
from sync_server.api.routes import admin, auth, health, orgs, sync
from sync_server.core.config import Settings
from sync_server.core.db import make_engine, migrate
from sync_server.services.errors import ServiceError, Unauthorized

API_PREFIX = "/api/v1"

# Pydantic error types in words a user can act on.
_ERROR_WORDS = {
    "missing": "缺少字段", "extra_forbidden": "不允许的字段", "json_invalid": "不是有效的 JSON",
    "int_parsing": "应为整数", "int_type": "应为整数", "int_from_float": "应为整数",
    "string_type": "应为文本", "bool_type": "应为布尔值", "bool_parsing": "应为布尔值",
    "dict_type": "应为对象", "list_type": "应为数组", "model_attributes_type": "应为对象",
    "literal_error": "取值无效", "string_too_long": "过长", "string_too_short": "过短",
    "too_long": "条目过多", "greater_than": "数值过小", "greater_than_equal": "数值过小",
    "less_than_equal": "数值过大", "float_parsing": "应为数字", "float_type": "应为数字",
    "json_type": "应为 JSON",
}


def _validation_detail(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
        words = _ERROR_WORDS.get(err.get("type", ""), err.get("msg", "格式错误"))
        if err.get("type") == "json_invalid":
            return "请求体不是有效的 JSON"
        parts.append(f"{loc}：{words}" if loc else words)
    return "请求格式错误：" + "；".join(parts)


def create_app(settings: Settings | None = None, *, run_migrations: bool = True) -> FastAPI:
    settings = settings or Settings.from_env()
    engine = make_engine(settings.database_url)
    if run_migrations:
        migrate(engine)

    app = FastAPI(title="家医签约助手同步服务 FamilyDoc sync server", version=__version__,
                  openapi_url="/openapi.json")
    app.state.engine = engine
    app.state.settings = settings

    @app.exception_handler(ServiceError)
    async def _service_error(_request: Request, exc: ServiceError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthorized) else None
        return JSONResponse({"detail": exc.detail}, status_code=exc.status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"detail": _validation_detail(exc)}, status_code=422)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        words = {404: "接口不存在", 405: "不支持的请求方法"}
        detail = words.get(exc.status_code, exc.detail)
        return JSONResponse({"detail": detail}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    api = APIRouter(prefix=API_PREFIX)
    api.include_router(health.router)
    versioned = APIRouter(dependencies=[Depends(check_schema)])
    for module in (auth, sync, orgs, admin):
        versioned.include_router(module.router)
    api.include_router(versioned)
    app.include_router(api)

    # Outermost first: the body limit runs before anything reads the body.
    # Level 5: nearly the size of level 9 at a third of the CPU (measured on pull pages).
    app.add_middleware(GZipMiddleware, minimum_size=settings.gzip_minimum_bytes,
                       compresslevel=5)
    app.add_middleware(ServerTime)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    return app


def app_from_env() -> FastAPI:
    """Factory for `uvicorn --factory` / several workers: settings from the environment;
    the CLI has already migrated the database."""
    return create_app(Settings.from_env(), run_migrations=False)


__all__ = ["API_PREFIX", "SCHEMA_VERSION", "app_from_env", "create_app"]
