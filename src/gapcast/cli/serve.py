"""``gapcast serve``: the HTTP API and the dashboard, on localhost by default."""

from __future__ import annotations

from typing import Annotated

import typer

from gapcast.cli.common import console


def serve(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option("--host", help="Address to bind (0.0.0.0 exposes it to the network).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="TCP port.", min=1, max=65535)] = 8000,
    log_level: Annotated[
        str, typer.Option("--log-level", help="uvicorn log level (info, warning, ...).")
    ] = "info",
) -> None:
    """Serve the API (/api, documented at /api/docs) and the dashboard (/)."""
    import uvicorn

    from gapcast.api import create_app
    from gapcast.cli.common import State

    state = ctx.find_root().obj
    db = state.db if isinstance(state, State) else None
    app = create_app(db, warmup=True)
    console.print(f"gapcast dashboard: http://{host}:{port}/  ·  API docs: /api/docs")
    uvicorn.run(app, host=host, port=port, log_level=log_level)


def register(app: typer.Typer) -> None:
    """Add ``gapcast serve`` to the app."""
    app.command("serve")(serve)
