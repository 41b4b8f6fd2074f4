"""The trust commands: ``sensitivity``, ``whatif``, ``score`` (``backtest`` is ``cli.backtest``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from gapcast import glossary
from gapcast.cli.common import (
    LazyModule,
    console,
    open_store,
    print_json,
    print_notes,
    print_wrote,
)
from gapcast.defaults import SOBOL_BASE, SOBOL_INNER, WHATIF_DRAWS
from gapcast.errors import RequestError

if TYPE_CHECKING:
    from gapcast.usecases import trust as use
else:
    use = LazyModule("gapcast.usecases.trust")

LABELS = {"trend": "trend", "compute": "compute", "ensemble": "ensemble"}


def _num(x: float | None, digits: int = 2) -> str:
    return "-" if x is None else f"{x:.{digits}f}"


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


def _horizons(text: str) -> list[int]:
    try:
        out = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise RequestError("horizons", f"'{text}' is not a list of months (e.g. 3,6,12)") from None
    if not out:
        raise RequestError("horizons", "give at least one horizon (e.g. 3,6,12)")
    return out


def _png(plot: Path | None) -> None:
    if plot is not None and plot.suffix.lower() != ".png":
        raise RequestError("plot", f"'{plot.name}' must end in .png")


def score_table(rows: list[dict[str, Any]], title: str) -> Table:
    """Return the scores per model and horizon as a Rich table."""
    table = Table(title=title, title_justify="left", show_edge=False, pad_edge=False, box=None)
    for col in (
        "model",
        "h",
        "n",
        "CRPS",
        "skill",
        "Brier",
        "cov50",
        "cov80",
        "cov95",
        "PIT mean",
    ):
        table.add_column(col, justify="left" if col == "model" else "right")
    for r in rows:
        table.add_row(
            r["model"],
            str(r["horizon"]),
            str(r["n"]),
            _num(r["crps"]),
            "-" if r["skill"] is None else f"{r['skill']:+.2f}",
            _num(r["brier"], 3),
            _pct(r["coverage50"]),
            _pct(r["coverage80"]),
            _pct(r["coverage95"]),
            _num(r["pit_mean"]),
        )
    return table


def register(app: typer.Typer) -> None:
    """Add the trust commands to the root app."""

    @app.command("sensitivity")
    def sensitivity_cmd(
        ctx: typer.Context,
        scenario: Annotated[
            str, typer.Option("--scenario", "-s", help="Scenario name or YAML file.")
        ] = "baseline",
        model: Annotated[str, typer.Option(help="structural or trend.")] = "structural",
        base: Annotated[int, typer.Option(help="Sobol base samples N (a power of two).")] = (
            SOBOL_BASE
        ),
        inner: Annotated[int, typer.Option(help="Inner draws of the noise per sample.")] = (
            SOBOL_INNER
        ),
        seed: Annotated[int | None, typer.Option(help="Random seed.")] = None,
        sets: Annotated[
            list[str] | None,
            typer.Option("--set", help="Override a scenario field: path=value (repeatable)."),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
        plot: Annotated[Path | None, typer.Option(help="Write the indices as bars (.png).")] = None,
        top: Annotated[int, typer.Option(help="Parameters shown.")] = 10,
        save: Annotated[bool, typer.Option("--save/--no-save", help="Store the run.")] = True,
    ) -> None:
        """Sobol indices of P(ahead within 36 and 60 months) for every uncertain parameter."""
        _png(plot)
        result = use.sensitivity(
            open_store(ctx), scenario, model, base, inner, seed, overrides=sets or [], save=save
        )
        if plot is not None:
            from gapcast.report import trust_plots

            trust_plots.sensitivity_png(result, plot)
        if as_json:
            print_json(result.to_dict())
            return
        console.print(
            f"[bold]Sensitivity[/bold] · {result.scenario} · {model} · Sobol, N = {result.base:,}"
            f" ({result.evaluations:,} parameter sets × {result.inner} inner draws) · "
            f"{result.seconds:.1f} s"
        )
        for out in result.outputs:
            table = Table(
                title=f"P(ahead within {out.name} months): mean {out.mean:.3f}, sd "
                f"{out.variance**0.5:.3f}, MC noise share {out.noise_share:.3f}",
                title_justify="left",
                show_edge=False,
                pad_edge=False,
                box=None,
            )
            for col in ("parameter", "first order [95% CI]", "total order [95% CI]"):
                table.add_column(col, justify="left" if col == "parameter" else "right")
            for i in out.indices[:top]:
                table.add_row(
                    glossary.label(i.name),
                    f"{i.first:.3f} [{i.first - i.first_conf:.3f}, {i.first + i.first_conf:.3f}]",
                    f"{i.total:.3f} [{i.total - i.total_conf:.3f}, {i.total + i.total_conf:.3f}]",
                )
            console.print(table)
        print_notes(result.notes)
        if plot is not None:
            print_wrote(plot)

    @app.command("whatif")
    def whatif_cmd(
        ctx: typer.Context,
        vary: Annotated[
            str, typer.Option(help="Scenario path to vary (e.g. groups.challenger.serving.share).")
        ],
        scenario: Annotated[
            str, typer.Option("--scenario", "-s", help="Scenario name or YAML file.")
        ] = "baseline",
        target: Annotated[float, typer.Option(help="Probability to reach.")] = 0.5,
        within: Annotated[int, typer.Option(help="Months: P(ahead at some month within).")] = 60,
        value_range: Annotated[
            tuple[float, float] | None,
            typer.Option("--range", help="LO HI searched (default: the 1st-99th percentiles)."),
        ] = None,
        model: Annotated[str, typer.Option(help="structural or trend.")] = "structural",
        draws: Annotated[int, typer.Option(help="Draws per model and trial.")] = WHATIF_DRAWS,
        seed: Annotated[int | None, typer.Option(help="Random seed.")] = None,
        sets: Annotated[
            list[str] | None,
            typer.Option("--set", help="Override a scenario field: path=value (repeatable)."),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Find the value of one parameter at which the probability reaches a target."""
        result = use.whatif(
            open_store(ctx),
            scenario,
            vary,
            target,
            within,
            value_range,
            model,
            draws,
            seed,
            sets or [],
        )
        if as_json:
            print_json(result.to_dict())
            return
        console.print(f"[bold]What would it take[/bold] · {escape(scenario)} · {model}")
        console.print(escape(result.message()), soft_wrap=True)
        grid = ", ".join(f"{x:.4g}: {p:.3f}" for x, p in result.grid)
        console.print(f"[dim]P on the search grid: {escape(grid)}[/dim]", soft_wrap=True)
        print_notes(result.notes)

    @app.command("score")
    def score_cmd(
        ctx: typer.Context,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Score stored forecast runs against the data imported since they were made."""
        record = use.score(open_store(ctx))
        if as_json:
            print_json(record.to_dict())
            return
        console.print(
            f"[bold]Track record[/bold] · data to {record.data_end.isoformat()} "
            f"({record.data_hash}) · {len(record.runs)} stored forecasts"
        )
        table = Table(show_edge=False, pad_edge=False, box=None)
        for col in ("run", "scenario", "as of", "model", "months", "QS", "cov50", "cov90", "Brier"):
            table.add_column(col, justify="left" if col in ("scenario", "model") else "right")
        for r in record.runs:
            for m in r.models:
                table.add_row(
                    str(r.run_id),
                    r.scenario,
                    r.as_of.isoformat(),
                    m.model,
                    str(m.months),
                    _num(m.quantile_score),
                    _pct(m.coverage50),
                    _pct(m.coverage90),
                    _num(m.brier_ahead, 3),
                )
        console.print(table)
        if not any(r.months for r in record.runs):
            console.print("nothing realised yet: import newer data, then score again")
        print_notes(record.notes)
