"""``gapcast forecast``, ``scenarios`` and ``runs``: the forecast stage's commands."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from gapcast.cli.common import (
    LazyModule,
    console,
    err_console,
    open_store,
    print_json,
    print_wrote,
)
from gapcast.defaults import DRAWS
from gapcast.environment import differences, environment
from gapcast.errors import RequestError

if TYPE_CHECKING:
    from gapcast.scenario import files as scenario_format
    from gapcast.usecases import forecast as use
    from gapcast.usecases import scenarios as scenario_files
else:
    scenario_format = LazyModule("gapcast.scenario.files")
    use = LazyModule("gapcast.usecases.forecast")
    scenario_files = LazyModule("gapcast.usecases.scenarios")

WIDE = 170
"""Width the comparison table is laid out for (wider than a default 80-column pipe)."""
PROGRESS_MIN_DRAWS = 400_000
"""Show a progress bar (on stderr) when a run simulates at least this many draws."""

scenarios_app = typer.Typer(help="List and show the shipped scenarios.", no_args_is_help=True)
runs_app = typer.Typer(help="List, show and verify stored forecast runs.", no_args_is_help=True)


@contextmanager
def _progress(enabled: bool) -> Iterator[use.StartProgress | None]:
    """Yield a progress starter; the bar (stderr) appears only for long runs."""
    if not enabled:
        yield None
        return
    bars: list[Progress] = []

    def start(total: int) -> use.Progress:
        if total < PROGRESS_MIN_DRAWS:
            return lambda n: None
        if not bars:
            bars.append(
                Progress(
                    TextColumn("simulating"),
                    BarColumn(),
                    TextColumn("{task.completed:,}/{task.total:,} draws"),
                    TimeRemainingColumn(),
                    console=err_console,
                    transient=True,
                )
            )
            bars[0].start()
        task = bars[0].add_task("forecast", total=total)
        return lambda n: bars[0].advance(task, n)

    try:
        yield start
    finally:
        for bar in bars:
            bar.stop()


def _pct(p: float, se: float | None = None) -> str:
    text = f"{100 * p:.1f}%"
    return f"{text} ±{100 * se:.1f}" if se is not None else text


def render_headline(head: dict[str, Any], challenger: str) -> None:
    """Print the headline: both events with their 90% intervals, and what λ says."""
    horizons = list(head["p_within"])
    table = Table(show_edge=False, pad_edge=False, box=None)
    table.add_column(f"P({challenger} ahead within) [90% interval]", justify="left")
    for k in horizons:
        table.add_column(f"{k} mo", justify="right")
    for label, ev in (("[bold]sustained[/bold] (headline)", head), ("strict", head["strict"])):
        table.add_row(
            label,
            *(
                f"{_pct(ev['p_within'][k])} [{_pct(ev['interval90'][k][0])}, "
                f"{_pct(ev['interval90'][k][1])}]"
                for k in horizons
            ),
        )
    console.print(table)
    console.print(f"[dim]sustained: {escape(head['definition'])}[/dim]")
    console.print(
        f"[dim]90% interval: parameter and scenario uncertainty ({escape(head['interval_method'])})"
        f"; Monte Carlo error of the sustained point estimate: "
        + ", ".join(f"{k} mo ±{100 * head['mc_se'][k]:.1f}" for k in horizons)
        + "[/dim]"
    )
    lam = head["lambda"]
    console.print(
        f"research-compute elasticity λ: mean {lam['mean']:.2f}, 90% interval "
        f"[{lam['ci90'][0]:.2f}, {lam['ci90'][1]:.2f}] ({lam['status']}; posterior: "
        f"{head['posterior']})"
    )
    if head["posterior"] == "prior":
        console.print(
            "[yellow]No fit of this data yet: the parameters come from their priors. Run "
            "`gapcast fit` (about a minute) and forecast again.[/yellow]"
        )
    elif not head["data_can_tell"]:
        console.print(
            "[yellow]The data cannot tell whether research compute drives progress: λ's "
            "interval includes 0 or λ is not estimated from the data.[/yellow]"
        )


def render_track_record(store: Any, challenger: str) -> None:
    """Print what the stored nested backtest says of the headline model's event forecasts."""
    from gapcast.report.i18n import Locale
    from gapcast.report.track_record import headline_record
    from gapcast.usecases import trust_nested

    lines = headline_record(trust_nested.latest(store), challenger, Locale("en"))
    for i, line in enumerate(lines):
        style = "yellow" if i == 1 else "dim"
        console.print(f"[{style}]{escape(line)}[/{style}]", soft_wrap=True)


def render(report: use.ForecastReport) -> None:
    """Print a forecast: the headline, the baseline, gap and lag, crossing."""
    sel = report.selected
    leader, challenger = sel.groups
    console.print(
        f"[bold]Forecast[/bold]: {report.scenario.name} · {report.model} · "
        f"{leader} vs {challenger} on {report.scenario.metric.upper()}, as of "
        f"{sel.as_of.isoformat()}"
    )
    head = report.forecast.headline
    if head is not None:
        render_headline(head.to_dict(), challenger)
    horizons = sorted(sel.p_ahead_within)
    table = Table(show_edge=False, pad_edge=False, box=None)
    table.add_column(f"P({challenger} ahead at some month within)", justify="left")
    for k in horizons:
        table.add_column(f"{k} mo", justify="right")
    for name, f in report.forecast.models.items():
        label = f"{name} (strict)" if name == "structural" else f"{name} (baseline, strict)"
        table.add_row(label, *(_pct(f.p_ahead_within[k]) for k in horizons))
    console.print(table)
    q = Table(show_edge=False, pad_edge=False, box=None)
    q.add_column(f"{report.model} at horizon", justify="left")
    for k in horizons:
        q.add_column(f"{k} mo", justify="right")
    q.add_row(
        "gap, points (median [5%, 95%])",
        *(
            f"{sel.gap_quantiles[k]['q50']:.1f} [{sel.gap_quantiles[k]['q05']:.1f}, "
            f"{sel.gap_quantiles[k]['q95']:.1f}]"
            for k in horizons
        ),
    )
    q.add_row(
        "lag, months (median [5%, 95%])",
        *(
            f"{sel.lag_quantiles[k]['q50']:.1f} [{sel.lag_quantiles[k]['q05']:.1f}, "
            f"{sel.lag_quantiles[k]['q95']:.1f}]"
            for k in horizons
        ),
    )
    console.print(q)
    crossing = sel.median_crossing_date
    console.print(
        "median crossing: "
        + (
            crossing.strftime("%Y-%m")
            if crossing
            else f"none within {sel.horizon} months (P < 50%)"
        )
    )
    for note in report.data_age().notes():
        console.print(f"[dim]- {escape(note)}[/dim]", soft_wrap=True)
    run = f"run {report.run_id} · " if report.run_id is not None else ""
    console.print(
        f"[dim]{run}seed {report.seed} · {report.draws:,} draws per model · data "
        f"{report.data_hash} · scenario {report.scenario.content_hash()}[/dim]"
    )


def render_compare(reports: list[use.ForecastReport]) -> None:
    """Print scenarios side by side."""
    rows = use.comparison_rows(reports)
    first = reports[0].selected
    horizons = sorted(first.p_ahead_within)
    last = horizons[-1]
    wide = Console(width=max(console.width, WIDE), highlight=False)
    wide.print(
        f"[bold]Scenarios[/bold] · {reports[0].model} · {first.groups[0]} vs "
        f"{first.groups[1]}, as of {first.as_of.isoformat()} · same seed and data"
    )
    table = Table(show_edge=False, pad_edge=False, box=None)
    table.add_column("scenario", justify="left", no_wrap=True)
    sustained = f"sustained_p{last}" in rows[0]
    if sustained:
        for k in horizons:
            table.add_column(f"sustained P≤{k}mo [90%]", justify="right", no_wrap=True)
    strict = [last] if sustained else horizons
    for k in strict:
        table.add_column(f"strict P≤{k}mo", justify="right", no_wrap=True)
    extra = [m for m in ("trend",) if f"{m}_p{last}" in rows[0]]
    for m in extra:
        table.add_column(f"{m} P≤{last}", justify="right", no_wrap=True)
    table.add_column(f"gap@{last} [5-95%]", justify="right", no_wrap=True)
    table.add_column(f"lag@{last}", justify="right", no_wrap=True)
    table.add_column("crossing", justify="right", no_wrap=True)
    for row in rows:
        table.add_row(
            row["scenario"],
            *(
                f"{_pct(row[f'sustained_p{k}'])} [{_pct(row[f'sustained_lo{k}'])}, "
                f"{_pct(row[f'sustained_hi{k}'])}]"
                for k in (horizons if sustained else [])
            ),
            *(_pct(row[f"p{k}"]) for k in strict),
            *(_pct(row[f"{m}_p{last}"]) for m in extra),
            f"{row['gap_median']:.1f} [{row['gap_q05']:.1f}, {row['gap_q95']:.1f}]",
            f"{row['lag_median']:.1f}",
            (row["median_crossing"] or "-")[:7],
        )
    wide.print(table)


def register(app: typer.Typer) -> None:
    """Add the forecast commands to the root app."""

    @app.command("forecast")
    def forecast_cmd(
        ctx: typer.Context,
        names: Annotated[
            list[str] | None,
            typer.Argument(help="Scenario (or, with --compare, scenarios) by name or YAML file."),
        ] = None,
        scenario: Annotated[
            str | None, typer.Option("--scenario", "-s", help="Scenario name or YAML file.")
        ] = None,
        compare: Annotated[
            bool, typer.Option("--compare", help="Forecast the named scenarios side by side.")
        ] = False,
        model: Annotated[
            str, typer.Option(help="structural (headline, trend beside it) or trend.")
        ] = "structural",
        horizon: Annotated[int | None, typer.Option(help="Months ahead.")] = None,
        draws: Annotated[int, typer.Option(help="Monte Carlo draws per model.")] = DRAWS,
        seed: Annotated[int | None, typer.Option(help="Random seed.")] = None,
        sets: Annotated[
            list[str] | None,
            typer.Option("--set", help="Override a scenario field: path=value (repeatable)."),
        ] = None,
        as_of: Annotated[
            str | None,
            typer.Option(
                "--as-of", help="Forecast from this date (YYYY-MM-DD) with data up to it."
            ),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
        plot: Annotated[Path | None, typer.Option(help="Write a fan chart: .png or .html.")] = None,
        workers: Annotated[int, typer.Option(help="Worker threads (1: Numba threads).")] = 1,
        save: Annotated[bool, typer.Option("--save/--no-save", help="Store the run.")] = True,
    ) -> None:
        """Forecast the probability that the challenger gets ahead (and the gap)."""
        listed = list(names or [])
        if plot is not None and plot.suffix.lower() not in (".png", ".html"):
            raise RequestError("plot", f"'{plot.name}' must end in .png or .html")
        store = open_store(ctx)
        with _progress(not as_json) as progress:
            if compare:
                targets = listed + ([scenario] if scenario else [])
                reports = use.compare(
                    store,
                    targets or scenario_files.names(),
                    model,
                    horizon,
                    draws,
                    seed,
                    sets or [],
                    as_of,
                    save=save,
                    progress=progress,
                    workers=workers,
                )
            else:
                if len(listed) > 1 or (listed and scenario):
                    raise RequestError("scenario", "give one scenario, or use --compare")
                reports = [
                    use.forecast(
                        store,
                        scenario or (listed[0] if listed else "baseline"),
                        model,
                        horizon,
                        draws,
                        seed,
                        sets or [],
                        as_of,
                        save=save,
                        progress=progress,
                        workers=workers,
                    )
                ]
        if plot is not None:
            from gapcast.report import forecast_plots

            forecast_plots.write(reports, plot)
        if as_json:
            print_json(
                reports[0].to_dict()
                if not compare
                else {
                    "compare": use.comparison_rows(reports),
                    "scenarios": [r.to_dict() for r in reports],
                }
            )
            return
        if compare:
            render_compare(reports)
        else:
            render(reports[0])
            r = reports[0]
            # the stored nested backtest is of the United States vs China on ECI
            if r.forecast.headline is not None and tuple(r.selected.groups) == (
                "United States",
                "China",
            ):
                render_track_record(store, r.selected.groups[1])
        if plot is not None:
            print_wrote(plot)

    app.add_typer(scenarios_app, name="scenarios")
    app.add_typer(runs_app, name="runs")


@scenarios_app.command("list")
def scenarios_list(as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List the shipped scenarios."""
    items = scenario_files.listing()
    if as_json:
        print_json([i.to_dict() for i in items])
        return
    table = Table(show_edge=False, pad_edge=False, box=None)
    for col in ("name", "extends", "title"):
        table.add_column(col, justify="left")
    for i in items:
        table.add_row(i.name, i.extends or "", i.title)
    console.print(table)


@scenarios_app.command("show")
def scenarios_show(
    name: Annotated[str, typer.Argument(help="Scenario name or YAML file.")],
    sets: Annotated[list[str] | None, typer.Option("--set", help="Override: path=value.")] = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show every assumption of a scenario with its source."""
    scenario = scenario_files.load(name, sets or [])
    rows = scenario_format.scenario_table(scenario)
    if as_json:
        print_json(
            {
                "name": scenario.name,
                "title": scenario.title,
                "hash": scenario.content_hash(),
                "fields": rows,
            }
        )
        return
    console.print(
        f"[bold]{escape(scenario.name)}[/bold]: {escape(scenario.title)} "
        f"[dim](hash {scenario.content_hash()})[/dim]"
    )
    if scenario.description:
        console.print(escape(" ".join(scenario.description.split())))
    table = Table(show_edge=False, pad_edge=False, box=None, show_lines=False)
    table.add_column("field", justify="left", no_wrap=True)
    table.add_column("value", justify="left")
    table.add_column("source", justify="left")
    for row in rows:
        table.add_row(escape(row["path"]), escape(row["value"]), escape(row["source"]))
    console.print(table)


@runs_app.command("list")
def runs_list(ctx: typer.Context, as_json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """List stored forecast runs, newest first."""
    items = use.runs(open_store(ctx))
    if as_json:
        print_json(items)
        return
    table = Table(show_edge=False, pad_edge=False, box=None)
    for col in ("id", "scenario", "seed", "scenario_hash", "data_hash", "version", "created"):
        table.add_column(col, justify="left")
    for r in items:
        table.add_row(
            str(r["id"]),
            str(r["scenario"]),
            str(r["seed"]),
            str(r["scenario_hash"]),
            str(r["data_hash"]),
            str(r["version"]),
            str(r["created_at"])[:19],
        )
    console.print(table)


@runs_app.command("show")
def runs_show(
    ctx: typer.Context,
    run_id: Annotated[int, typer.Argument(help="Run id (see `gapcast runs list`).")],
    verify: Annotated[
        bool, typer.Option("--verify", help="Re-run it and check the results are identical.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Show a stored run (and, with --verify, reproduce it)."""
    store = open_store(ctx)
    stored = use.run(store, run_id)
    same: bool | None = None
    if verify:
        _, same = use.rerun(store, run_id)
    install = differences(stored.get("environment"), environment())
    if as_json:
        out: dict[str, Any] = dict(stored)
        if same is not None:
            out["reproduced"] = same
        out["install_differences"] = install
        print_json(out)
        return
    req = stored["request"]
    console.print(
        f"[bold]run {stored['id']}[/bold] · {stored['kind']} · scenario "
        f"{stored['scenario']} ({stored['scenario_hash']}) · data "
        f"{stored['data_hash']} · seed {stored['seed']} · version {stored['version']}"
        f" · {str(stored['created_at'])[:19]}"
    )
    console.print(
        f"request: model {req.get('model')}, draws {req.get('draws')}, as of "
        f"{req.get('as_of_used')}, overrides {req.get('overrides') or 'none'}"
    )
    models = stored["results"]["forecast"]["models"]
    for name, f in models.items():
        probs = ", ".join(f"≤{k} mo {_pct(v)}" for k, v in f["p_ahead_within"].items())
        console.print(f"{name}: P(ahead) {probs}")
    if install:
        console.print(
            "[yellow]this install differs from the run's; a re-run may differ in the last "
            "digits:[/yellow] " + escape("; ".join(install)),
            soft_wrap=True,
        )
    if same is not None:
        console.print("reproduced exactly" if same else "[red]re-run differs[/red]")
        if not same:
            raise typer.Exit(1)
