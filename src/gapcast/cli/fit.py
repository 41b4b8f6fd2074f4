"""``gapcast fit``: the structural model's Bayesian fit (posterior, diagnostics, data used)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from gapcast.cli.common import console, open_store, print_json, print_notes
from gapcast.errors import RequestError


def _num(value: float | None, digits: int = 2) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def register(app: typer.Typer) -> None:
    """Add ``fit`` to the root command."""

    @app.command("fit")
    def fit_cmd(
        ctx: typer.Context,
        scenario: Annotated[
            str, typer.Option("--scenario", "-s", help="Scenario whose priors are used.")
        ] = "baseline",
        sets: Annotated[
            list[str] | None,
            typer.Option("--set", help="Override a scenario field: path=value (repeatable)."),
        ] = None,
        as_of: Annotated[
            str | None,
            typer.Option("--as-of", help="Fit on data released on or before this date."),
        ] = None,
        seed: Annotated[int | None, typer.Option(help="Sampler seed.")] = None,
        warmup: Annotated[int, typer.Option(help="NUTS warm-up iterations per chain.")] = 500,
        samples: Annotated[int, typer.Option(help="NUTS draws kept per chain.")] = 500,
        refit: Annotated[
            bool, typer.Option("--refit", help="Ignore a cached posterior and sample again.")
        ] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Estimate the structural model (NUTS): each parameter's posterior next to its prior."""
        from gapcast.model.bayes import SamplerSettings
        from gapcast.usecases import estimate
        from gapcast.usecases import scenarios as scenario_files

        for name, value in (("warmup", warmup), ("samples", samples)):
            if not 50 <= value <= 20_000:
                raise RequestError(name, f"{value} is out of range (allowed: 50 to 20,000)")
        if seed is not None and seed < 0:
            raise RequestError("seed", f"{seed} is negative (allowed: 0 or more)")
        sc = scenario_files.load(scenario, sets or [])
        post = estimate.posterior(
            open_store(ctx),
            sc,
            as_of,
            seed=estimate.DEFAULT_SEED if seed is None else seed,
            settings=SamplerSettings(warmup=warmup, samples=samples),
            refit=refit,
        )
        report = estimate.posterior_report(post)
        if as_json:
            print_json(report)
            return
        console.print(
            f"[bold]Structural model[/bold] · {post.method}, {post.size:,} draws, as of "
            f"{post.as_of.isoformat()} · divergences {post.divergences}"
        )
        table = Table(show_edge=False, pad_edge=False, box=None)
        for col, just in (
            ("parameter", "left"),
            ("mean", "right"),
            ("90% interval", "left"),
            ("R-hat", "right"),
            ("ESS", "right"),
            ("sd ratio", "right"),
            ("label", "left"),
        ):
            table.add_column(col, justify=just, no_wrap=True)  # type: ignore[arg-type]
        for row in report["parameters"]:
            lo, hi = row["ci90"]
            table.add_row(
                escape(row["name"]),
                f"{row['mean']:.3f}",
                f"[{lo:.3f}, {hi:.3f}]",
                _num(row["r_hat"], 3),
                _num(row["ess"], 0),
                _num(row["sd_ratio"], 2),
                row["status"],
            )
        console.print(table)
        for row in report["parameters"]:
            console.print(f"  {escape(row['name'])}: {escape(row['meaning'])}", soft_wrap=True)
        console.print(
            "[dim]sd ratio: posterior sd / prior sd. 'estimated': the data narrowed the prior "
            "(ratio below 0.7); 'prior': the posterior is mostly the prior.[/dim]"
        )
        print_notes(post.notes)
