"""``gapcast gap``: the gap between two groups on one metric, now and over time."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.table import Table

from gapcast.cli.common import console, open_store, print_json, print_notes, print_wrote
from gapcast.report import findings
from gapcast.report.i18n import Locale

if TYPE_CHECKING:
    from gapcast.measure.results import Interval
    from gapcast.usecases import measure as use


def _num(value: float | None, digits: int = 1, sign: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{value:+.{digits}f}" if sign else f"{value:.{digits}f}"


def _ci(interval: Interval, digits: int = 1) -> str:
    lo, hi = interval
    if lo is None or hi is None:
        return ""
    return f"[{lo:.{digits}f}, {hi:.{digits}f}]"


def _digits(report: use.GapReport) -> int:
    score = report.result.leader.score
    return 3 if score is not None and abs(score) < 10 else 1


def render(report: use.GapReport) -> None:
    """Print the short readable summary of a gap report."""
    res, info = report.result, report.info
    digits = _digits(report)
    settings = res.settings
    where = ""
    if "category" in settings:
        style = "on" if settings.get("style_control") else "off"
        snap = res.leader.snapshot or res.challenger.snapshot
        where = f" · category {settings['category']}, style control {style}" + (
            f", snapshot {snap.isoformat()}" if snap else ""
        )
    console.print(
        f"[bold]{info.title}[/bold]: {res.leader.group} vs "
        f"{res.challenger.group}, as of {res.as_of.isoformat()}{where}"
    )
    table = Table(show_edge=False, pad_edge=False, box=None)
    for column, justify in (
        ("", "left"),
        ("model", "left"),
        ("released", "left"),
        ("score", "right"),
        ("95% interval", "left"),
    ):
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for side in (res.leader, res.challenger):
        table.add_row(
            side.group,
            side.model or "n/a",
            side.date.isoformat() if side.date else "",
            _num(side.score, digits),
            _ci(side.score_ci, digits),
        )
    console.print(table)
    facts = Table(show_edge=False, pad_edge=False, box=None)
    facts.add_column("", justify="left")
    facts.add_column("value", justify="right")
    facts.add_column("95% interval", justify="left")
    facts.add_column("note", justify="left")
    facts.add_row(
        f"gap ({info.unit})", _num(res.gap_points, digits), _ci(res.gap_points_ci, digits), ""
    )
    if res.relative_gap_pct is not None:
        facts.add_row(
            "relative gap (%)", _num(res.relative_gap_pct), _ci(res.relative_gap_pct_ci), ""
        )
    lag, fwd = res.lag, res.lag_forward
    facts.add_row(
        "lag, backward (months)",
        ("≥ " if lag.censored else "") + _num(lag.months),
        _ci(lag.ci),
        "primary",
    )
    at = (
        f"how long {res.challenger.group} took to reach the level of {fwd.at.isoformat()}"
        if fwd.at and fwd.at != res.as_of
        else ""
    )
    facts.add_row(
        "lag, forward (months)", ("≥ " if fwd.censored else "") + _num(fwd.months), _ci(fwd.ci), at
    )
    for name, unit, trend in (
        ("gap", "points", res.trend),
        ("lag", "months", res.lag_trend),
    ):
        lo, hi = trend.ci
        d = findings.decimals(lo, hi)
        facts.add_row(
            f"{name} trend ({unit} per year)",
            _num(trend.slope_per_year, d, sign=True),
            _ci(trend.ci, d),
            f"{findings.WORDS[findings.direction(trend.slope_per_year, trend.ci)]}; straight line, "
            f"last 12 months, n={trend.n}",
        )
    summary = res.lag_summary
    facts.add_row(
        "mean lag (months)",
        _num(summary.mean),
        _ci(summary.mean_ci),
        f"since {summary.since.isoformat() if summary.since else '?'}; "
        f"min {_num(summary.min)}, max {_num(summary.max)}",
    )
    console.print(facts)
    if res.match is not None:
        m = res.match
        ref = f"{m.reference} ({_num(m.reference_score, digits)})"
        if m.model:
            console.print(
                f"First {res.challenger.group} model at or above {ref}: {m.model}, "
                f"{m.date.isoformat() if m.date else '?'}, {_num(m.months_after)} months later."
            )
        else:
            console.print(f"No {res.challenger.group} model at or above {ref} yet.")
    loc = Locale("en")
    for sentence in findings.trend_findings(res.trend, res.lag_trend, loc):
        console.print(sentence, soft_wrap=True, markup=False)
    one_sided = [
        name
        for name, value, (lo, hi) in (
            ("scores", res.leader.score, res.leader.score_ci),
            ("scores", res.challenger.score, res.challenger.score_ci),
            ("lag", lag.months, lag.ci),
        )
        if findings.position(value, lo, hi) == "top"
    ]
    if lag.censored:
        console.print(f"Lag: {findings.phrase('en', 'edge.censored')}", soft_wrap=True)
    elif one_sided:
        names = " and ".join(dict.fromkeys(one_sided))
        console.print(
            f"Intervals of the {names}: {findings.phrase('en', 'edge.top')}",
            soft_wrap=True,
            markup=False,
        )
    print_notes(report.age.notes())
    draws = res.uncertainty.get("draws", 0)
    preliminary = "included" if settings.get("include_preliminary") else "excluded"
    console.print(
        f"[dim]{draws} draws, seed {report.request.get('seed')}; preliminary entries "
        f"{preliminary}. {info.credit}[/dim]"
    )


def gap(
    ctx: typer.Context,
    metric: Annotated[
        str,
        typer.Option(
            "--metric", help="eci, lmarena, training_compute or a benchmark (gpqa_diamond, ...)."
        ),
    ] = "eci",
    leader: Annotated[
        list[str] | None,
        typer.Option(
            "--leader", help="Leader group; repeat for several (default: United States, or closed)."
        ),
    ] = None,
    challenger: Annotated[
        list[str] | None,
        typer.Option(
            "--challenger", help="Challenger group; repeat for several (default: China, or open)."
        ),
    ] = None,
    group_by: Annotated[
        str, typer.Option("--group-by", help="country, accessibility or organization.")
    ] = "country",
    countries: Annotated[
        str,
        typer.Option("--countries", help="Models of several countries: primary (default) or all."),
    ] = "primary",
    since: Annotated[
        str | None, typer.Option("--since", help="First date of the series (YYYY-MM-DD).")
    ] = None,
    as_of: Annotated[
        str | None, typer.Option("--as-of", help="Use only data released on or before this date.")
    ] = None,
    category: Annotated[
        str | None, typer.Option("--category", help="LMArena category (default overall).")
    ] = None,
    style_control: Annotated[
        bool,
        typer.Option("--style-control", help="LMArena ratings with style control (default off)."),
    ] = False,
    include_preliminary: Annotated[
        bool,
        typer.Option(
            "--include-preliminary", help="Count unverified, preview and anonymous entries."
        ),
    ] = False,
    match: Annotated[
        str | None,
        typer.Option(
            "--match", help="Report when the challenger first matched this model's score."
        ),
    ] = None,
    freq: Annotated[str, typer.Option("--freq", help="Series: monthly or daily.")] = "monthly",
    draws: Annotated[int, typer.Option("--draws", help="Uncertainty draws.")] = 1000,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Write the figure: FILE.png or FILE.html.")
    ] = None,
) -> None:
    """Measure the gap between two groups: points, percent and months of lag."""
    if plot is not None and plot.suffix.lower() not in (".png", ".html"):
        from gapcast.errors import RequestError

        raise RequestError("plot", f"'{plot.name}' must end in .png or .html")
    from gapcast.usecases import measure as use

    with open_store(ctx) as store:
        report = use.gap(
            store,
            metric,
            leader,
            challenger,
            group_by,
            since,
            as_of,
            category,
            style_control,
            include_preliminary,
            draws,
            seed,
            countries=countries,
            match=match,
            freq=freq,
        )
    if plot is not None:
        use.gap_figure(report, plot)
    if as_json:
        print_json(report.to_dict())
        return
    render(report)
    if plot is not None:
        print_wrote(plot)


def register(app: typer.Typer) -> None:
    """Add ``gapcast gap`` to the app."""
    app.command("gap")(gap)
