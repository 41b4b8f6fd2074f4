"""Routes for a reader: the glossary, how old the data are, and offline API docs.

``/api/glossary`` serves ``gapcast.glossary`` in one language (the dashboard labels every
parameter from it); ``/api/freshness`` says how old the data are and which forecast horizons
have partly passed (``gapcast.freshness``); ``/api/docs`` is Swagger UI served from the
installed ``swagger-ui-bundle`` package, so the docs work with no network.
"""

from __future__ import annotations

import datetime as dt
import mimetypes
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from fastapi.responses import HTMLResponse

from gapcast import glossary
from gapcast.api.deps import read_store
from gapcast.errors import NotFoundError
from gapcast.freshness import DataAge, data_end
from gapcast.store import Store

HORIZONS = (12, 36, 60)

DOCS_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>gapcast API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/api/docs/static/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/api/docs/static/swagger-ui-bundle.js"></script>
<script src="/api/docs/static/docs-init.js"></script>
</body></html>
"""
DOCS_INIT = (
    "window.ui = SwaggerUIBundle({url: '/api/openapi.json', dom_id: '#swagger-ui', "
    "deepLinking: true, presets: [SwaggerUIBundle.presets.apis]});\n"
)
DOCS_FILES = ("swagger-ui.css", "swagger-ui-bundle.js")


def _swagger_dir() -> Path:
    try:
        import swagger_ui_bundle
    except ImportError:  # pragma: no cover - a dependency in pyproject
        raise NotFoundError("Swagger UI is not installed (pip install swagger-ui-bundle)") from None
    return Path(swagger_ui_bundle.swagger_ui_path)


def build_router() -> APIRouter:
    """Return the reader's routes."""
    router = APIRouter()

    @router.get("/api/glossary", tags=["reader"])
    def get_glossary(lang: Annotated[str, Query(pattern="^(en|zh|ja)$")] = "en") -> Any:
        """Return the words gapcast uses for each concept and parameter, in one language."""
        return glossary.to_dict(lang)

    @router.get("/api/freshness", tags=["reader"])
    def get_freshness(store: Annotated[Store, Depends(read_store)]) -> dict[str, Any]:
        """Return how old the data are, and the months of each horizon already passed."""
        last = data_end(store.table("scores"), store.table("models"))
        return DataAge(last, dt.date.today(), last, HORIZONS).to_dict()

    @router.get("/api/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(DOCS_PAGE)

    @router.get("/api/docs/static/{name}", include_in_schema=False)
    def docs_static(name: str) -> Response:
        if name == "docs-init.js":
            return Response(DOCS_INIT, media_type="text/javascript")
        if name not in DOCS_FILES:
            raise NotFoundError(f"no docs file '{name}'")
        path = _swagger_dir() / name
        kind = mimetypes.guess_type(name)[0] or "application/octet-stream"
        return Response(
            path.read_bytes(), media_type=kind, headers={"Cache-Control": "max-age=86400"}
        )

    return router
