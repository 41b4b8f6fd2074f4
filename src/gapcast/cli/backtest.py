"""``gapcast backtest``: the nested out-of-sample track record, every metric and horizon."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from gapcast.cli.common import LazyModule, console, open_store, print_json, print_notes
from gapcast.defaults import BACKTEST_HELD_OUT, BACKTEST_START, BACKTEST_TUNING
from gapcast.errors import RequestError

use = LazyModule("gapcast.usecases.trust_nested")
METRICS = (BACKTEST_TUNING, *BACKTEST_HELD_OUT)


def _split(text: str, name: str) -> list[str]:
    out = [x.strip() for x in text.split(",") if x.strip()]
    if not out:
        raise RequestError(name, f"'{text}' is empty")
    return out


def _horizons(text: str) -> list[int]:
    try:
        return [int(x) for x in _split(text, "horizons")]
    except ValueError:
        raise RequestError(
            "horizons", f"'{text}' is not a list of months (e.g. 1,3,6,12)"
        ) from None


def _f(x: float | None, digits: int = 2, sign: bool = False) -> str:
    if x is None:
        return "-"
    return f"{x:+.{digits}f}" if sign else f"{x:.{digits}f}"


def _cov(c: dict[str, Any]) -> str:
    return "-" if c["rate"] is None else f"{100 * c['rate']:.0f}"


def _ci(r: dict[str, Any]) -> str:
    lo, hi = r["skill_ci90"]
    return "" if lo is None else f"{lo:+.2f},{hi:+.2f}"


def table(rows: list[dict[str, Any]], title: str) -> Table:
    """Return one metric's and target's rows as a Rich table."""
    vs = sorted({f"{r['horizon']}m {r['baseline']}" for r in rows if r["baseline"]})
    vs.sort(key=lambda x: int(x.split("m")[0]))
    title += "\nskill vs the strongest baseline: " + ", ".join(vs)
    t = Table(
        title=title,
        title_justify="left",
        show_edge=False,
        pad_edge=False,
        box=None,
        padding=(0, 1, 0, 0),
    )
    cols = ("model", "h", "n", "CRPS", "log", "skill", "90% CI", "c50%", "c80%", "c95%", "n_eff")
    for col in (*cols, "PIT p"):
        t.add_column(col, justify="left" if col == "model" else "right", no_wrap=True)
    for r in rows:
        c = r["coverage"]
        t.add_row(
            r["model"],
            str(r["horizon"]),
            str(r["n"]),
            _f(r["crps"]),
            _f(r["log_score"], 1),
            _f(r["skill"], sign=True),
            _ci(r),
            _cov(c["50"]),
            _cov(c["80"]),
            _cov(c["95"]),
            f"{c['80']['n_eff']:.1f}",
            _f(r["pit_p"], 3),
        )
    return t


def _long(ctx: typer.Context, seed: int | None, histories: int, as_json: bool) -> None:
    result = use.long_horizons(open_store(ctx), seed, histories)
    doc = result.to_dict()
    if as_json:
        print_json(doc)
        return
    sim = doc["simulated"]
    console.print(
        f"[bold]Long horizons[/bold] · validated by the rolling-origin backtest up to "
        f"{doc['validated_horizons_months']} months; 36 and 60 months are checked here only"
    )
    console.print(
        f"Simulated histories: {sim['histories']} paths of the {sim['model']} model fitted on "
        f"{sim['fitted_on']} (window {sim['tuned']['window']:g}, common progress "
        f"{sim['tuned']['rho']:g}); refitted on each path's first {sim['history_months']} "
        "months, then scored on its own gap (coverage should match the level)"
    )
    for h, levels in sim["coverage"].items():
        cells = ", ".join(
            f"{lv}%: {100 * v['rate']:.0f}% [{100 * v['ci90'][0]:.0f}-{100 * v['ci90'][1]:.0f}]"
            for lv, v in levels.items()
        )
        console.print(f"  {h} months: {cells} · PIT p {sim['pit_p'][h]:.3f}")
    early = doc["earliest_history"]
    span = f"{early['origins'][0]} to {early['origins'][-1]}" if early["origins"] else "none"
    for t in ("gap", "lag"):
        rows = [r for r in early["scores"] if r["target"] == t]
        if rows:
            console.print(
                table(rows, f"{early['metric']} · {t} · origins {span} (untuned trend model)")
            )


def _events(doc: dict[str, Any]) -> None:
    """Print the event check and the structural posterior's drift across origins."""
    fitted = [t for t in doc["calibrated"]["per_origin"] if "structural.lambda" in t]
    if fitted:
        lam = [t["structural.lambda"] for t in fitted]
        kap = [t["structural.kappa"] for t in fitted]
        console.print(
            f"[bold]Structural posterior[/bold] refitted at {len(fitted)} origins "
            f"({fitted[0]['origin'][:7]} to {fitted[-1]['origin'][:7]}): mean λ "
            f"{min(lam):.2f} to {max(lam):.2f}, mean κ {min(kap):.3f} to {max(kap):.3f}"
        )
    rows = doc.get("event_check") or []
    if not rows:
        return
    t = Table(
        title="Event check: China ahead within h months, predicted at past origins vs what "
        "happened\nP(outcome): the probability the model gave to what happened on "
        "non-overlapping windows",
        title_justify="left",
        show_edge=False,
        pad_edge=False,
        box=None,
        padding=(0, 1, 0, 0),
    )
    for col in ("model", "event", "h", "origins", "mean P", "happened", "Brier", "P(outcome)"):
        t.add_column(col, justify="left" if col in ("model", "event") else "right")
    for r in rows:
        t.add_row(
            r["model"],
            r["event"],
            str(r["horizon"]),
            f"{r['origins']} ({r['first_origin'][:7]}..{r['last_origin'][:7]})",
            f"{100 * r['mean_p']:.0f}%",
            f"{100 * r['observed_rate']:.0f}%",
            f"{r['brier']:.3f}",
            f"{100 * r['p_of_outcome']:.1f}% of {r['disjoint_windows']}",
        )
    console.print(t)


def register(app: typer.Typer) -> None:
    """Add ``backtest`` to the root app."""

    @app.command("backtest")
    def backtest_cmd(
        ctx: typer.Context,
        metric: Annotated[
            str,
            typer.Option(
                help=f"Comma-separated metrics (ECI tunes; allowed: {', '.join(METRICS)})."
            ),
        ] = ",".join(METRICS),
        horizons: Annotated[str, typer.Option(help="Months ahead, comma-separated.")] = "1,3,6,12",
        target: Annotated[str, typer.Option(help="gap, lag or gap,lag.")] = "gap,lag",
        start: Annotated[str, typer.Option(help="First origin month (YYYY-MM).")] = BACKTEST_START,
        seed: Annotated[int | None, typer.Option(help="Random seed.")] = None,
        workers: Annotated[
            int, typer.Option(help="Worker processes (results do not depend on it).")
        ] = 1,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
        records: Annotated[
            bool, typer.Option("--records", help="With --json: every scored forecast too.")
        ] = False,
        save: Annotated[bool, typer.Option("--save/--no-save", help="Store the run.")] = True,
        long: Annotated[
            bool,
            typer.Option(
                "--long",
                help="Check the 36/60-month mechanics instead (simulated histories, "
                "training compute since 2018).",
            ),
        ] = False,
        histories: Annotated[int, typer.Option(help="With --long: simulated histories.")] = 200,
    ) -> None:
        """Score forecasts made from past dates, everything refitted at each origin."""
        if long:
            _long(ctx, seed, histories, as_json)
            return
        targets = _split(target, "target")
        for t in targets:
            if t not in ("gap", "lag"):
                raise RequestError("target", f"'{t}' is not allowed (allowed: gap, lag)")
        if workers < 1:
            raise RequestError("workers", f"{workers} is not allowed (at least 1)")
        store = open_store(ctx)
        result = use.track_record(
            store, _split(metric, "metric"), _horizons(horizons), seed, start, workers=workers
        )
        if save:
            use.save(store, result)
        doc = result.to_dict(records=records)
        if as_json:
            print_json(doc)
            return
        s = doc["settings"]
        console.print(
            f"[bold]Backtest[/bold] (nested, out of sample) · model under test: {doc['model']} · "
            f"tuned on {doc['tuning_metric'].upper()} at each origin · horizons "
            f"{', '.join(map(str, s['horizons']))} months · seed {s['seed']}"
        )
        for m, origins in doc["origins"].items():
            for t in targets:
                rows = [r for r in doc["scores"] if r["metric"] == m and r["target"] == t]
                if not rows:
                    continue
                held = "tuning metric" if m == doc["tuning_metric"] else "held out"
                span = f"{origins[0]} to {origins[-1]}" if origins else "no origin"
                unit = "months" if t == "lag" else doc["units"][m]
                console.print(table(rows, f"{m} · {t} ({escape(unit)}) · {held} · origins {span}"))
        console.print("[bold]Targets[/bold] (issue 11) for the model under test")
        for t in doc["targets"]:
            mark = {True: "met", False: "NOT met", None: "no data"}[t["met"]]
            extra = ""
            if "ci90" in t and t["ci90"][0] is not None:
                extra = f" [90%: {t['ci90'][0]:+.2f}, {t['ci90'][1]:+.2f}]"
            if "n_eff" in t:
                extra += f" (n_eff {t['n_eff']:.1f})"
            console.print(f"  {t['target']}: {_f(t['value'])}{extra} · {mark}")
        _events(doc)
        console.print(
            "[dim]rows count the origins where the trend model and every baseline forecast; "
            "skill: 1 - CRPS / CRPS of the strongest baseline on the same origins, 90% CI by "
            "circular block bootstrap (HAC Diebold-Mariano under two blocks of origins); "
            "c50/c80/c95: interval coverage; n_eff: effective independent checks of the row "
            "(from its PIT series); PIT p: KS test with n_eff.[/dim]",
            soft_wrap=True,
        )
        print_notes(use.CAVEATS)


__all__ = ["register", "table"]
