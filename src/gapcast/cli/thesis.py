"""``gapcast thesis``: hold a side's serving share at given values and compare P(ahead)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from gapcast.cli.common import console, open_store, print_json


def _pct(p: float) -> str:
    return f"{100 * p:.1f}%"


def register(app: typer.Typer) -> None:
    """Add ``thesis`` to the root app."""

    @app.command("thesis")
    def thesis(
        ctx: typer.Context,
        scenario: Annotated[str, typer.Option("--scenario", "-s", help="Scenario name.")] = (
            "baseline"
        ),
        side: Annotated[
            str, typer.Option(help="Whose serving share is held: leader or challenger.")
        ] = "challenger",
        shares: Annotated[
            str, typer.Option(help="Serving shares to hold, comma-separated.")
        ] = "0.5,0.6,0.7,0.8,0.9",
        within: Annotated[int, typer.Option(help="Horizon in months.")] = 60,
        draws: Annotated[int, typer.Option(help="Monte Carlo draws per share.")] = 20_000,
        seed: Annotated[int | None, typer.Option(help="Random seed.")] = None,
        as_of: Annotated[
            str | None, typer.Option("--as-of", help="Use data up to this date (YYYY-MM-DD).")
        ] = None,
        json_out: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    ) -> None:
        """Hold a side's serving-share path at each value (common random numbers)."""
        from gapcast.errors import RequestError
        from gapcast.usecases.thesis import thesis as run

        try:
            values = [float(x) for x in shares.split(",") if x.strip()]
        except ValueError:
            raise RequestError("shares", f"'{shares}' is not a list of numbers") from None
        report = run(open_store(ctx), scenario, side, values, within, draws, seed, as_of)
        if json_out:
            print_json(report.to_dict())
            return
        console.print(
            f"[bold]Thesis[/bold]: {report.scenario} · {report.label}'s serving share held "
            f"for {within} months · as of {report.as_of.isoformat()} · same seed and draws"
        )
        table = Table(show_edge=False, pad_edge=False, box=None)
        table.add_column("serving share", justify="right")
        table.add_column(f"sustained P≤{within} [90%]", justify="right")
        table.add_column("change", justify="right")
        table.add_column(f"strict P≤{within} [90%]", justify="right")
        table.add_column("change", justify="right")
        for row in report.rows:
            cells = []
            for name in ("sustained", "strict"):
                ev = row[name]
                lo, hi = ev["interval90"]
                cells += [
                    f"{_pct(ev['p'])} [{_pct(lo)}, {_pct(hi)}]",
                    f"{100 * ev['change']:+.1f} pts",
                ]
            table.add_row(f"{row['share']:.2f}", *cells)
        console.print(table)
        lam = report.lam
        console.print(
            f"λ (ECI points per ln research compute): mean {lam['mean']:.2f}, 90% interval "
            f"[{lam['ci90'][0]:.2f}, {lam['ci90'][1]:.2f}] ({lam['status']}; posterior: "
            f"{report.method})"
        )
        console.print(
            report.message if report.data_can_tell else f"[yellow]{report.message}[/yellow]"
        )
        console.print(
            f"[dim]{report.draws:,} draws per share · seed {report.seed} · intervals: parameter "
            "and scenario uncertainty of each row's probability[/dim]"
        )
