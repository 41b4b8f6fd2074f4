"""``gapcast sweep``: a map of P(challenger ahead) over varied assumptions, on Dask."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from gapcast.cli.common import (
    LazyModule,
    console,
    err_console,
    open_store,
    print_json,
    print_wrote,
)
from gapcast.defaults import SWEEP_CHUNK, SWEEP_DRAWS, SWEEP_WORKERS
from gapcast.errors import RequestError

if TYPE_CHECKING:
    from gapcast.usecases import sweep as use
else:
    use = LazyModule("gapcast.usecases.sweep")

TITLES = {
    "sustained": "P({challenger} leads by {margin:g}+ ECI points for {run} months within {k} "
    "months)",
    "strict": "P({challenger} ahead within {k} months)",
}
"""Table titles by event (sustained: the headline's event)."""


@contextmanager
def _progress(enabled: bool) -> Iterator[Callable[[int, int], None] | None]:
    """Yield a callback drawing a bar (stderr, a terminal only) of finished tasks."""
    if not enabled or not err_console.is_terminal:
        yield None
        return
    bar = Progress(
        TextColumn("sweeping"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("tasks"),
        TimeRemainingColumn(),
        console=err_console,
        transient=True,
    )
    task = bar.add_task("sweep", total=None)

    def tick(done: int, total: int) -> None:
        bar.update(task, completed=done, total=total)

    with bar:
        yield tick


def _table(report: use.SweepReport, event: str, within: int) -> Table:
    from gapcast.model.structural import MARGIN, RUN_MONTHS

    sweep = report.result.sweep
    title = TITLES[event].format(
        challenger=report.groups[1], margin=MARGIN, run=RUN_MONTHS, k=within
    )
    table = Table(
        title=title,
        title_justify="left",
        show_edge=False,
        pad_edge=False,
        box=None,
    )
    if len(sweep.axes) != 2:
        table.add_column("point")
        table.add_column("P", justify="right")
        for point, p in zip(sweep.points, report.result.events[event][within], strict=True):
            table.add_row(escape(", ".join(f"{k}={v}" for k, v in point)), f"{100 * p:.1f}%")
        return table
    x, y = sweep.axes
    z = report.result.surface(within, event)
    table.add_column(f"{y.path.rsplit('.', 1)[-1]} \\ {x.path.rsplit('.', 1)[-1]}")
    for v in x.values:
        table.add_column(f"{v:.3g}", justify="right")
    for j, v in enumerate(y.values):
        table.add_row(f"{v:.3g}", *(f"{100 * z[i, j]:.0f}%" for i in range(len(x.values))))
    return table


def register(app: typer.Typer) -> None:
    """Add ``gapcast sweep`` to the root app."""

    @app.command("sweep")
    def sweep_cmd(
        ctx: typer.Context,
        vary: Annotated[
            list[str],
            typer.Option(help="Vary a scenario path: PATH=LO:HI:N (repeat; two give a map)."),
        ],
        scenario: Annotated[
            str, typer.Option("--scenario", "-s", help="Scenario name or YAML file.")
        ] = "baseline",
        model: Annotated[
            str,
            typer.Option(
                help="structural (the headline's model: both events) or trend (strict event)."
            ),
        ] = "structural",
        draws: Annotated[int, typer.Option(help="Draws per point.")] = SWEEP_DRAWS,
        seed: Annotated[
            int | None, typer.Option(help="Random seed (the same at every point).")
        ] = None,
        sets: Annotated[
            list[str] | None,
            typer.Option("--set", help="Override a scenario field: path=value (repeatable)."),
        ] = None,
        as_of: Annotated[
            str | None, typer.Option("--as-of", help="Forecast from this date (YYYY-MM-DD).")
        ] = None,
        workers: Annotated[
            int,
            typer.Option(help="Worker processes of the local Dask cluster (0: this process)."),
        ] = SWEEP_WORKERS,
        scheduler: Annotated[
            str | None,
            typer.Option(
                help="Run on an existing Dask scheduler, tcp://HOST:PORT "
                "(default: $GAPCAST_DASK_SCHEDULER)."
            ),
        ] = None,
        chunk: Annotated[int, typer.Option(help="Draws per task.")] = SWEEP_CHUNK,
        plot: Annotated[
            Path | None, typer.Option(help="Write the map to a .png or .html file.")
        ] = None,
        save: Annotated[bool, typer.Option(help="Store the sweep as a run.")] = True,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Forecast at every point of a grid of assumptions; map P(ahead within 36 / 60 months).

        Each point is `gapcast forecast --set PATH=value` at the same seed: the structural
        model's sustained lead (the headline's event) and strict lead, or the trend model's
        strict lead. Runs on a local Dask cluster by default, or on an existing one
        (--scheduler). The map is identical, to the last digit, for any number of workers or
        --chunk.
        """
        if plot is not None and plot.suffix.lower() not in (".png", ".html"):
            raise RequestError("plot", f"'{plot.name}' must end in .png or .html")
        store = open_store(ctx)
        with _progress(not as_json) as progress:
            report = use.sweep(
                store,
                vary,
                scenario=scenario,
                model=model,
                draws=draws,
                seed=seed,
                overrides=sets or [],
                as_of=as_of,
                chunk=chunk,
                workers=workers,
                scheduler=scheduler,
                progress=progress,
                save=save,
            )
        if plot is not None:
            from gapcast.report import sweep_plots

            sweep_plots.write(report, plot)
        if as_json:
            print_json(report.to_dict())
            return
        ran = report.ran_on
        where = "this process" if ran["where"] == "serial" else f"{ran['workers']} Dask workers"
        console.print(
            f"[bold]Sweep[/bold] · {escape(report.scenario)} · {report.model} model · as of "
            f"{report.as_of} · {len(report.result.sweep.points)} points × "
            f"{report.result.sweep.draws:,} draws · {ran['tasks']} tasks on {where} · "
            f"{report.seconds:.1f} s"
            + (f" · run {report.run_id}" if report.run_id is not None else "")
        )
        for event in report.result.events:
            for k in report.result.events[event]:
                console.print(_table(report, event, k))
        if plot is not None:
            print_wrote(plot)
