"""``gapcast claims``: markets, experts and published figures beside gapcast's numbers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from gapcast.cli.common import LazyModule, console, open_store, print_json, print_notes
from gapcast.defaults import CLAIMS_DRAWS
from gapcast.errors import RequestError

app = typer.Typer(
    help="Markets, experts and published measurements beside gapcast's numbers.",
    no_args_is_help=False,
    invoke_without_command=True,
)

use = LazyModule("gapcast.usecases.claims")


def _fmt(value: Any, unit: str | None) -> str:
    if value is None:
        return "-"
    if unit == "probability":
        return f"{100 * float(value):.0f}%"
    return f"{float(value):.3g}"


def _theirs(row: dict[str, Any]) -> str:
    t = row["theirs"]
    unit = t["unit"]
    if t["value"] is None and t["high"] is not None:
        return f"< {_fmt(t['high'], unit)}"
    text = _fmt(t["value"], unit)
    if t["low"] is not None and t["high"] is not None:
        text += f" ({_fmt(t['low'], unit)}-{_fmt(t['high'], unit)})"
    return text


def _ours(row: dict[str, Any]) -> str:
    ours = row["ours"]
    if ours is None:
        return "-"
    unit = row["theirs"]["unit"]
    text = _fmt(ours["value"], unit)
    interval = ours.get("interval90")
    if interval:
        text += f" ({_fmt(interval[0], unit)}-{_fmt(interval[1], unit)})"
    return text


def _diff(row: dict[str, Any]) -> str:
    diff = row.get("difference")
    if diff is None:
        return "-"
    if row["theirs"]["unit"] == "probability":
        return f"{100 * diff:+.0f} pts"
    return f"{diff:+.3g}"


def claims_table(report: dict[str, Any]) -> Table:
    """Return the claims report as a Rich table (one row per claim)."""
    table = Table(
        title=f"Claims beside gapcast (data to {report['as_of']}; forecasts: "
        f"{report['forecast_model']} model, {report['draws']:,} draws)",
        title_justify="left",
        show_lines=True,
    )
    for column in ("claim", "theirs", "gapcast (90%)", "diff", "resolves on / why"):
        table.add_column(column, overflow="fold")
    for row in report["claims"]:
        ours = row["ours"] or {}
        reading = escape(ours.get("resolves_on") or row.get("reason") or "")
        if row.get("why"):
            reading += f"\n[bold]why:[/bold] {escape(row['why'])}"
        table.add_row(
            f"{escape(row['id'])}\n[dim]{escape(row['status'])}"
            f"{' · ' + escape(ours['model']) if ours.get('model') else ''}[/dim]",
            _theirs(row),
            _ours(row),
            _diff(row),
            reading,
        )
    return table


@app.callback()
def claims(
    ctx: typer.Context,
    draws: Annotated[
        int, typer.Option("--draws", help="Monte Carlo draws per event.")
    ] = CLAIMS_DRAWS,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show every claim beside gapcast's value on the claim's own rules."""
    if ctx.invoked_subcommand is not None:
        return
    with open_store(ctx) as store:
        report = use.evaluate(store, draws=draws, seed=seed).to_dict()
    if as_json:
        print_json(report)
        return
    console.print(claims_table(report))
    print_notes(report["notes"])


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise RequestError("date", f"'{text}' is not a date (use YYYY-MM-DD)") from None


@app.command("record")
def record(
    ctx: typer.Context,
    claim_id: Annotated[str, typer.Argument(help="The claim's id (see `gapcast claims`).")],
    value: Annotated[float, typer.Argument(help="The price (0-1) or figure seen.")],
    date: Annotated[
        str | None, typer.Option("--date", help="Day the price was seen (default today).")
    ] = None,
    market: Annotated[
        str, typer.Option("--market", help="manifold, polymarket, kalshi, metaculus or manual.")
    ] = "manual",
    note: Annotated[str, typer.Option("--note", help="Where the price was seen.")] = "",
) -> None:
    """Record a price seen by hand (replaces one recorded the same day from the same market)."""
    seen = _date(date) or dt.datetime.now(dt.UTC).date()
    from gapcast.sources.claims import ClaimPrice

    price = ClaimPrice(claim_id, value, seen, market, "", note or "recorded by hand")
    with open_store(ctx) as store:
        result = use.record_price(store, price)
    console.print(
        f"{result.action} {escape(claim_id)}: {value:g} on {seen} ({escape(market)})",
        soft_wrap=True,
    )


@app.command("fetch")
def fetch(
    ctx: typer.Context,
    claim_id: Annotated[str, typer.Argument(help="The claim's id.")],
    market: Annotated[str, typer.Argument(help="manifold, polymarket, kalshi or metaculus.")],
    market_id: Annotated[str, typer.Argument(help="The market's slug, ticker or question id.")],
    base: Annotated[
        str | None, typer.Option("--base", help="Another API host (a mirror or a test server).")
    ] = None,
    token: Annotated[
        str | None,
        typer.Option("--token", envvar="METACULUS_TOKEN", help="Metaculus API token."),
    ] = None,
) -> None:
    """Fetch a market's current price from its public API and record it for a claim."""
    headers = {"Authorization": f"Token {token}"} if token and market == "metaculus" else None
    with open_store(ctx) as store:
        quote, result = use.fetch_price(
            store, claim_id, market, market_id, base=base, headers=headers
        )
    console.print(
        f"{result.action} {escape(claim_id)}: {quote.probability:.3f} from {escape(quote.url)}",
        soft_wrap=True,
    )


def register(root: typer.Typer) -> None:
    """Add ``gapcast claims`` to the root app."""
    root.add_typer(app, name="claims")
