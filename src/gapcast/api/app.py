"""The FastAPI application: ``create_app`` and the one error handler.

Every failed request gets the same JSON body, ``{"error", "message", "hint"?, "field"?}``
(``gapcast.api.schemas.ErrorOut``): a ``GapcastError`` supplies its own status and
``to_dict()``; a request that fails validation gets 422 naming the field, in the body
``RequestError`` would give; an unknown route or method gets 404 or 405; anything else
gets 500 with a generic message, and its traceback goes to the server log, never to the
client.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from gapcast import __version__
from gapcast.api import claims as claims_api
from gapcast.api import reader
from gapcast.api.deps import ApiSettings, Services, get_jobs
from gapcast.api.jobs import build_router as jobs_router
from gapcast.api.limits import BodyLimit
from gapcast.api.routes import build_router
from gapcast.api.sweep import build_router as sweep_router
from gapcast.api.thesis import build_router as thesis_router
from gapcast.api.track import build_router as track_router
from gapcast.defaults import DRAWS
from gapcast.errors import GapcastError, NotFoundError, RequestError
from gapcast.settings import api_token, default_db_path
from gapcast.settings import import_root as settings_import_root

log = logging.getLogger("gapcast.api")

_UNSET: Any = object()

DESCRIPTION = """
Measure and forecast the AI capability gap between two groups, from third-party benchmark
data (Epoch AI, LMArena) and stated, sourced assumptions. The same use cases as the
`gapcast` command line. Errors share one body: `{"error", "message", "hint", "field"}`.

`POST /api/data/import` exists only when the server was started with `GAPCAST_API_TOKEN`
set, and needs `Authorization: Bearer <token>` (401 without it, 403 with a wrong one; 404
when the server has no token).
"""


def _path(value: str | Path | None) -> Path | None:
    return None if value is None else Path(value)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    if len(parts) > 1 and parts[0] in ("query", "body", "path", "header", "cookie"):
        parts = parts[1:]
    return ".".join(parts) or "request"


def _shorten(value: Any, width: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= width else text[: width - 3] + "..."


def error_body(exc: Exception, where: str = "") -> tuple[int, dict[str, Any]]:
    """Return the status and the JSON error body for any exception a request raised.

    ``where`` (``"GET /api/x"``) names the request in the message of an unknown route.
    """
    if isinstance(exc, GapcastError):
        return exc.status_code, exc.to_dict()
    if isinstance(exc, RequestValidationError):
        errors = list(exc.errors())
        first = errors[0] if errors else {"loc": ("request",), "msg": "is not valid"}
        problem = str(first.get("msg", "is not valid"))
        if "input" in first and first.get("type") != "missing":
            problem += f" (got {_shorten(first['input'])})"
        if len(errors) > 1:
            problem += f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
        field = _field(tuple(first.get("loc", ())))
        if first.get("type") == "json_invalid":
            field = "body"
            ctx = first.get("ctx")
            reason = ctx.get("error", "parse error") if isinstance(ctx, dict) else "parse error"
            problem = f"is not valid JSON ({reason})"
        return 422, RequestError(field, problem).to_dict()
    if isinstance(exc, StarletteHTTPException):
        if exc.status_code == 404:
            message = f"no route {where}" if where and exc.detail == "Not Found" else exc.detail
            return 404, NotFoundError(
                str(message), hint="the API is documented at /api/docs"
            ).to_dict()
        if exc.status_code == 400 and "parsing the body" in str(exc.detail):
            return 422, RequestError("body", "could not be parsed (send JSON in UTF-8)").to_dict()
        if exc.status_code == 405:
            return 405, {"error": "method_not_allowed", "message": f"{where}: method not allowed"}
        return exc.status_code, {"error": "http_error", "message": str(exc.detail)}
    return 500, {
        "error": "internal_error",
        "message": "internal error; the server log has the details",
    }


async def handle_error(request: Request, exc: Exception) -> JSONResponse:
    """Map any exception to its status and the one error body (the one exception handler)."""
    status, body = error_body(exc, f"{request.method} {request.url.path}")
    if status >= 500 and not isinstance(exc, GapcastError):
        log.error("%s %s failed", request.method, request.url.path, exc_info=exc)
    headers = dict(getattr(exc, "headers", None) or {})
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    return JSONResponse(body, status_code=status, headers=headers or None)


def warm_up(services: Services) -> None:
    """Load the data and compile the engine with one small forecast (not cached, not stored).

    The first forecast of a process otherwise pays for reading and resolving the tables
    and for loading the engine's compiled kernels (seconds).
    """
    from gapcast.api.routes import cached_tables
    from gapcast.usecases import forecast

    try:
        with services.engine, services.provider.read() as store:
            forecast.forecast(
                store, "baseline", draws=1000, save=False, tables=cached_tables(services, store)
            )
    except Exception as err:  # a warm-up failure only costs time later
        log.warning("warm-up skipped: %s", err)


def create_app(
    db_path: str | Path | None = None,
    *,
    token: str | None = _UNSET,
    max_draws: int = 200_000,
    default_draws: int = DRAWS,
    cache_size: int = 256,
    engine_slots: int = 1,
    dashboard: bool = True,
    warmup: bool = False,
    import_root: str | Path | None = _UNSET,
    job_workers: int = 1,
    max_body_bytes: int = 64 * 1024,
) -> FastAPI:
    """Return the gapcast API (and the dashboard at ``/``) over the store at ``db_path``.

    Parameters
    ----------
    db_path
        The store file (default ``gapcast.settings.default_db_path()``).
    token
        Bearer token guarding data import over HTTP (default ``$GAPCAST_API_TOKEN``;
        ``None`` disables import over HTTP).
    max_draws, default_draws
        Bound and default of a forecast request's ``draws``.
    cache_size
        Forecast results kept in the in-process LRU cache.
    engine_slots
        Forecasts computed at once.
    dashboard
        Serve the dashboard page and its static files.
    warmup
        At startup, load the data and compile the engine in a background thread.
    import_root
        The only folder HTTP import reads under (default ``$GAPCAST_IMPORT_ROOT``, else
        ``$GAPCAST_DATA``; ``None``: HTTP import reads nothing).
    job_workers
        Background analyses run at once (0: queued, never run; for tests).
    max_body_bytes
        Largest request body accepted; a larger one gets 413.
    """
    settings = ApiSettings(
        db_path=Path(db_path) if db_path is not None else default_db_path(),
        token=api_token() if token is _UNSET else token,
        max_draws=max_draws,
        default_draws=default_draws,
        cache_size=cache_size,
        engine_slots=engine_slots,
        import_root=settings_import_root() if import_root is _UNSET else _path(import_root),
        job_workers=job_workers,
        max_body_bytes=max_body_bytes,
    )
    services = Services.create(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if warmup:
            threading.Thread(target=warm_up, args=(services,), daemon=True).start()
        yield
        services.jobs.shutdown()

    app = FastAPI(
        lifespan=lifespan,
        title="gapcast",
        version=__version__,
        description=DESCRIPTION,
        docs_url=None,  # served offline by gapcast.api.reader
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.services = services
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    for kind in (GapcastError, RequestValidationError, StarletteHTTPException, Exception):
        app.add_exception_handler(kind, handle_error)
    app.include_router(build_router(settings))
    app.include_router(thesis_router(settings))
    app.include_router(claims_api.build_router())
    app.include_router(jobs_router(get_jobs))
    app.include_router(track_router())
    app.include_router(reader.build_router())
    app.include_router(sweep_router())
    if dashboard:
        from gapcast.web import build_router as web_router

        app.include_router(web_router())
    return app
