"""The ``gapcast`` command line: Typer commands, one module per pipeline stage.

Errors are mapped to ``Error: <message>`` on stderr and an exit code in one place,
``main``; commands never print tracebacks for a ``GapcastError``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from gapcast.cli import (
    backtest,
    claims,
    data,
    fit,
    forecast,
    gap,
    report,
    serve,
    sweep,
    thesis,
    trust,
)
from gapcast.cli.common import State, err_console
from gapcast.errors import GapcastError

app = typer.Typer(
    name="gapcast",
    help="Measure and forecast the AI capability gap between two groups.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


@app.callback()
def _root(
    ctx: typer.Context,
    db: Annotated[
        Path | None,
        typer.Option("--db", help="Store file (default: $GAPCAST_DB or the XDG data folder)."),
    ] = None,
) -> None:
    ctx.obj = State(db=db)


app.add_typer(data.app, name="data")
data.register(app)
gap.register(app)
forecast.register(app)
thesis.register(app)
fit.register(app)
trust.register(app)
backtest.register(app)
sweep.register(app)
report.register(app)
claims.register(app)
serve.register(app)


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; map gapcast errors to one stderr line and an exit code.

    Usage errors (unknown option, bad value) are Typer's own: a usage line and exit 2.
    """
    try:
        app(args=argv, prog_name="gapcast")
    except GapcastError as err:
        err_console.print(f"Error: {err.message}", markup=False, highlight=False, soft_wrap=True)
        if err.hint:
            err_console.print(f"Hint: {err.hint}", markup=False, highlight=False, soft_wrap=True)
        sys.exit(err.exit_code)
