"""The dashboard: one page at ``/`` whose every view is drawn from an ``/api/...`` JSON twin.

The page (``templates/dashboard.html``) carries no data: its script (``static/dashboard.js``)
fetches the gap, the forecast, the sensitivity analysis and the provenance from the API and
draws them with Plotly. Plotly's JavaScript is served from the installed ``plotly`` Python
package (``/static/plotly.min.js``), so the dashboard works offline, with no CDN.
"""

from __future__ import annotations

import gzip
import hashlib
from functools import cache
from importlib import resources

from fastapi import APIRouter, Request, Response

from gapcast import __version__
from gapcast.errors import NotFoundError

STATIC_TYPES = {
    "dashboard.js": "text/javascript; charset=utf-8",
    "dashboard.css": "text/css; charset=utf-8",
    "sweep.js": "text/javascript; charset=utf-8",
}


@cache
def plotly_js() -> tuple[bytes, bytes, str]:
    """Return plotly.js from the installed package: raw, gzipped, and its ETag."""
    from plotly.offline import get_plotlyjs

    raw = get_plotlyjs().encode()
    return raw, gzip.compress(raw, 6, mtime=0), hashlib.sha256(raw).hexdigest()[:16]


def _file(*parts: str) -> bytes:
    return resources.files("gapcast.web").joinpath(*parts).read_bytes()


@cache
def dashboard_html() -> bytes:
    """Return the dashboard page (static: its data comes from the API)."""
    text = _file("templates", "dashboard.html").decode()
    return text.replace("{{version}}", __version__).encode()


def build_router() -> APIRouter:
    """Return the routes of the dashboard page and its static files."""
    router = APIRouter(include_in_schema=False)

    @router.get("/")
    def page() -> Response:
        return Response(dashboard_html(), media_type="text/html; charset=utf-8")

    @router.get("/static/plotly.min.js")
    def plotly(request: Request) -> Response:
        raw, packed, etag = plotly_js()
        headers = {
            "ETag": f'"{etag}"',
            "Cache-Control": "public, max-age=86400",
            "Vary": "Accept-Encoding",
        }
        if request.headers.get("if-none-match") == f'"{etag}"':
            return Response(status_code=304, headers=headers)
        if "gzip" in request.headers.get("accept-encoding", ""):
            headers["Content-Encoding"] = "gzip"
            return Response(packed, media_type="text/javascript", headers=headers)
        return Response(raw, media_type="text/javascript", headers=headers)

    @router.get("/static/{name}")
    def static(name: str) -> Response:
        if name not in STATIC_TYPES:
            raise NotFoundError(f"no static file '{name}'")
        return Response(
            _file("static", name),
            media_type=STATIC_TYPES[name],
            headers={"Cache-Control": "no-cache"},
        )

    return router
