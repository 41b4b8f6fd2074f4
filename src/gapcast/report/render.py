"""Render a report (``gapcast.usecases.report.ReportData``) to one self-contained HTML page.

The narrative is generated from the numbers: this module picks the message for each case
(the gap narrowed or widened; the models agree or not; there is a median crossing or
not), fills it with numbers formatted for the language (``gapcast.report.i18n``), and the
Jinja2 template (``report/templates/report.html.j2``) lays the sections out around inline
SVG figures (``gapcast.report.figures``). No language model runs at any point.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import jinja2
from markupsafe import Markup

from gapcast.measure import GapResult
from gapcast.report import figures
from gapcast.report.i18n import Locale
from gapcast.report.sweep_section import sweep_section
from gapcast.usecases.report import ReportData

HORIZONS = (12, 36, 60)
KEY_ASSUMPTIONS = (
    "groups.leader.serving.share",
    "groups.challenger.serving.share",
    "groups.leader.compute.growth",
    "groups.challenger.compute.growth",
    "groups.challenger.compute.share_adjust",
    "world.diffusion_lag_months",
    "groups.challenger.algorithms.lag_months",
)
STEADY_POINTS = 0.5
"""A change of the gap smaller than this (in the metric's points) reads as "about unchanged"."""
DISAGREE = 0.15
"""Trend and compute probabilities further apart than this read as "the models disagree"."""


def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("gapcast.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _year_ago(result: GapResult) -> Any:
    """Return the series row nearest to one year before the as-of date (or None)."""
    target = result.as_of - dt.timedelta(days=365)
    rows = [
        r for r in result.series if r.gap_points is not None and abs((r.date - target).days) <= 45
    ]
    return min(rows, key=lambda r: abs((r.date - target).days)) if rows else None


def gap_section(data: ReportData, loc: Locale) -> dict[str, Any]:
    """Return the narrative of the current gap and of how it moved over the past year."""
    res = data.gap.result
    leader, challenger = loc.group(res.leader.group), loc.group(res.challenger.group)
    metric = (
        loc.t(f"metric.{res.metric}") if loc.has(f"metric.{res.metric}") else data.gap.info.title
    )
    d = 1
    sides = []
    for role, side in (("leader", res.leader), ("challenger", res.challenger)):
        sides.append(
            {
                "role": role,
                "group": loc.group_name(side.group),
                "model": side.model or loc.t("n_a"),
                "date": loc.date(side.date),
                "score": loc.num(side.score, d),
                "ci": loc.range(side.score_ci[0], side.score_ci[1], d),
            }
        )
    gap = res.gap_points
    lag = res.lag
    values = {
        "leader": leader,
        "challenger": challenger,
        "metric": metric,
        "as_of": loc.date(res.as_of),
        "gap": loc.num(gap, d),
        "gap_ci": loc.range(res.gap_points_ci[0], res.gap_points_ci[1], d),
        "rel": loc.num(res.relative_gap_pct, 1),
        "lag": loc.months(lag.months),
        "lag_ci": loc.range(lag.ci[0], lag.ci[1], 1),
        "leader_model": res.leader.model or "",
        "challenger_model": res.challenger.model or "",
    }
    if gap is None:
        now = loc.t("gap.none", **values)
    elif gap > 0:
        now = loc.join(
            loc.t("gap.now_behind", **values),
            loc.t("gap.lag_censored" if lag.censored else "gap.lag", **values),
        )
    else:
        now = loc.t("gap.now_ahead", **{**values, "gap": loc.num(-gap, d)})
    paragraphs = [now]
    then = _year_ago(res)
    if then is not None and gap is not None:
        change = gap - float(then.gap_points)
        key = (
            "past.steady"
            if abs(change) < STEADY_POINTS
            else "past.narrowed"
            if change < 0
            else "past.widened"
        )
        paragraphs.append(
            loc.t(
                key,
                **values,
                then=loc.month(then.date),
                gap_then=loc.num(then.gap_points, d),
                change=loc.num(abs(change), d),
                lag_then=loc.months(then.lag_months),
            )
        )
    trend = res.trend
    if trend.slope_per_year is not None:
        lo, hi = trend.ci
        zero = lo is not None and hi is not None and lo <= 0 <= hi
        paragraphs.append(
            loc.t(
                "past.trend_unclear" if zero else "past.trend",
                slope=loc.num(trend.slope_per_year, d, sign=True),
                ci=loc.range(lo, hi, d),
            )
        )
    paragraphs.append(_steps_text(res, loc, leader, challenger))
    return {
        "sides": sides,
        "paragraphs": paragraphs,
        "unit": data.gap.info.unit,
        "metric": metric,
        "credit": data.gap.info.credit,
        "figure": Markup(figures.frontier_svg(res, loc, loc.t("fig.points_axis", metric=metric))),
    }


def _times(loc: Locale, n: int) -> str:
    return loc.t("times_one") if n == 1 else loc.t("times_two") if n == 2 else loc.t("times", n=n)


def _steps_text(res: GapResult, loc: Locale, leader: str, challenger: str) -> str:
    since = res.as_of - dt.timedelta(days=365)
    parts = {}
    for role, group in (("leader", leader), ("challenger", challenger)):
        steps = [
            s
            for s in res.steps
            if s.side == role and s.date is not None and s.date > since and s.previous is not None
        ]
        if not steps:
            parts[role] = loc.t("steps.none", group=group)
            continue
        last = steps[-1]
        parts[role] = loc.t(
            "steps.some",
            group=group,
            times=_times(loc, len(steps)),
            model=last.model or loc.t("n_a"),
            month=loc.month(last.date),
        )
    return loc.t("past.steps", leader_part=parts["leader"], challenger_part=parts["challenger"])


def forecast_section(data: ReportData, loc: Locale) -> dict[str, Any]:
    """Return the forecast's narrative, its probability table and its figure."""
    rep = data.forecast
    sel = rep.selected
    leader, challenger = loc.group(sel.groups[0]), loc.group(sel.groups[1])
    horizons = [k for k in HORIZONS if k in sel.p_ahead_within]
    last = horizons[-1] if horizons else sel.horizon
    trend, compute = rep.forecast.models.get("trend"), rep.forecast.models.get("compute")
    values = {
        "leader": leader,
        "challenger": challenger,
        "scenario": loc.scenario(rep.scenario.name, rep.scenario.title),
        "horizon": loc.horizon(last),
    }
    probs = {k: loc.pct(sel.p_ahead_within[k]) for k in horizons}
    paragraphs = [
        loc.t(
            "forecast.headline",
            **values,
            p36=probs.get(36, loc.t("n_a")),
            p60=probs.get(last, loc.t("n_a")),
            model=loc.t(f"model.{rep.model}"),
            se=loc.num(100 * max(sel.p_ahead_within_se.values()), 1),
        )
    ]
    if trend is not None and compute is not None:
        pt, pc = trend.p_ahead_within[last], compute.p_ahead_within[last]
        key = "forecast.disagree" if abs(pt - pc) > DISAGREE else "forecast.agree"
        paragraphs.append(
            loc.t(
                key,
                **values,
                p_trend=loc.pct(pt),
                p_compute=loc.pct(pc),
                weight=loc.num(rep.forecast.compute_weight, 2),
            )
        )
    crossing = sel.median_crossing_date
    paragraphs.append(
        loc.t("forecast.crossing", **values, month=loc.month(crossing))
        if crossing
        else loc.t("forecast.no_crossing", **values)
    )
    q = sel.gap_quantiles.get(last)
    lq = sel.lag_quantiles.get(last)
    if q is not None and lq is not None:
        paragraphs.append(
            loc.t(
                "forecast.gap_at",
                **values,
                gap=loc.num(q["q50"]),
                gap_ci=loc.range(q["q05"], q["q95"]),
                lag=loc.months(lq["q50"]),
                lag_ci=loc.range(lq["q05"], lq["q95"]),
            )
        )
    rows = []
    for name in ("ensemble", "trend", "compute"):
        f = rep.forecast.models.get(name)
        if f is None:
            continue
        rows.append(
            {
                "model": loc.t(f"model.{name}"),
                "main": name == rep.model,
                "cells": [
                    f"{loc.pct(f.p_ahead_within[k], 1)} ± "
                    f"{loc.num(100 * f.p_ahead_within_se[k], 1)}"
                    for k in horizons
                ],
            }
        )
    return {
        "paragraphs": paragraphs,
        "rows": rows,
        "horizons": [loc.horizon(k) for k in horizons],
        "figure": Markup(figures.forecast_svg(rep, loc)),
        "run": {
            "id": rep.run_id,
            "seed": rep.seed,
            "draws": f"{rep.draws:,}",
            "scenario_hash": rep.scenario.content_hash(),
            "data_hash": rep.data_hash,
            "version": rep.version,
            "as_of": loc.date(sel.as_of),
            "scenario": rep.scenario.name,
        },
    }


def _top_indices(sensitivity: dict[str, Any]) -> list[tuple[str, float, float | None]]:
    out = [
        (str(row["path"]), float(row["total"]), row.get("first"))
        for row in sensitivity["indices"]
        if row.get("total") is not None and math.isfinite(row["total"])
    ]
    return sorted(out, key=lambda r: -r[1])[:8]


def comparison_section(data: ReportData, loc: Locale) -> list[dict[str, Any]]:
    """Return one row per shipped scenario: P(ahead) within each horizon, and compute alone."""
    rows = []
    for rep in data.comparison:
        f, compute = rep.selected, rep.forecast.models.get("compute")
        horizons = [k for k in HORIZONS if k in f.p_ahead_within]
        rows.append(
            {
                "scenario": loc.scenario(rep.scenario.name, rep.scenario.title),
                "main": rep.scenario.name == data.scenario,
                "cells": [loc.pct(f.p_ahead_within[k], 1) for k in horizons],
                "compute": loc.pct(compute.p_ahead_within[horizons[-1]], 1) if compute else "–",
            }
        )
    return rows


def _param(loc: Locale, path: str) -> str:
    """Return a parameter's label in the report's language (its path where none exists)."""
    return loc.t(f"param.{path}") if loc.has(f"param.{path}") else path


def drivers_section(data: ReportData, loc: Locale) -> dict[str, Any]:
    """Return what matters most: Sobol indices when present; the gap's decomposition; inputs."""
    out: dict[str, Any] = {"paragraphs": [], "figure": None, "sensitivity": False}
    if data.sensitivity:
        top = _top_indices(data.sensitivity)
        if top:
            out["sensitivity"] = True
            names = [_param(loc, t[0]) for t in top]
            out["paragraphs"].append(
                loc.t("drivers.sobol", first=names[0], total=loc.num(top[0][1], 2))
            )
            out["figure"] = Markup(
                figures.bars_svg("sobol", names, [t[1] for t in top], None, loc.t("fig.sobol_axis"))
            )
    dec = data.forecast.forecast.decomposition
    if dec is not None:
        parts = dec.parts
        keys = [k for k in ("compute", "algorithms", "group_term", "residual") if k in parts]
        out["paragraphs"].append(
            loc.t(
                "drivers.decomposition",
                gap=loc.num(dec.measured),
                **{k: loc.num(parts[k]["median"], 1, sign=True) for k in keys},
            )
        )
        if out["figure"] is None:
            out["figure"] = Markup(
                figures.bars_svg(
                    "decomposition",
                    [loc.t(f"part.{k}") for k in keys],
                    [parts[k]["median"] for k in keys],
                    [(parts[k]["q05"], parts[k]["q95"]) for k in keys],
                    loc.t("fig.points_gap"),
                )
            )
    if not out["sensitivity"]:
        out["paragraphs"].append(loc.t("drivers.no_sobol", reason=data.missing["sensitivity"]))
    rows = {r["path"]: r for r in data.assumptions}
    out["assumptions"] = [
        {
            "label": loc.t(f"param.{p}"),
            "path": p,
            "value": rows[p]["value"],
            "source": rows[p]["source"],
        }
        for p in KEY_ASSUMPTIONS
        if p in rows
    ]
    return out


def backtest_section(data: ReportData, loc: Locale) -> dict[str, Any]:
    """Return the backtest record's table, or the note that there is none yet."""
    scores = (data.backtest or {}).get("scores") or []
    rows = [
        {
            "model": loc.t(f"model.{s['model']}"),
            "horizon": loc.months(float(s["horizon"]), 0),
            "crps": loc.num(s.get("crps"), 2),
            "skill": "–" if s["model"] == "persistence" else loc.num(s.get("skill"), 2, sign=True),
            "brier": loc.num(s.get("brier"), 3),
            "coverage80": loc.pct(s.get("coverage80")),
        }
        for s in scores
    ]
    if not rows:
        return {"rows": [], "text": loc.t("backtest.none", reason=data.missing["backtest"])}
    ens = [s for s in scores if s["model"] == "ensemble"]

    def by_horizon(key: str, fmt: Callable[[float], str]) -> str:
        return loc.list(f"{fmt(s[key])} ({loc.months(float(s['horizon']), 0)})" for s in ens)

    each = loc.t(
        "backtest.ensemble",
        coverage=by_horizon("coverage80", loc.pct),
        skill=by_horizon("skill", lambda v: loc.num(v, 2, sign=True)),
    )
    return {
        "rows": rows,
        "text": loc.join(loc.t("backtest.intro"), each) if ens else loc.t("backtest.intro"),
    }


def data_section(data: ReportData, loc: Locale) -> dict[str, Any]:
    """Return the data cited: sources with licences, dates and links."""
    prov = data.provenance
    sources = [
        {
            "title": s["title"],
            "license": s["license"],
            "homepage": s["homepage"],
            "files": f"{s['files']:,}",
            "rows": f"{s['rows']:,}",
            "dates": f"{loc.date(s['first']) if s['first'] else ''} – "
            f"{loc.date(s['last']) if s['last'] else ''}",
        }
        for s in prov["sources"]
    ]
    return {
        "sources": sources,
        "credits": prov["credits"],
        "data_hash": prov["data_hash"],
        "through": loc.date(prov["data_through"]) if prov["data_through"] else loc.t("n_a"),
    }


def summary(data: ReportData, loc: Locale) -> list[str]:
    """Return the key findings: the gap now, its change over the year, the probability."""
    res = data.gap.result
    leader, challenger = loc.group(res.leader.group), loc.group(res.challenger.group)
    metric = loc.t(f"metric.{res.metric}") if loc.has(f"metric.{res.metric}") else res.metric
    out = []
    gap = res.gap_points
    if gap is not None:
        values = {
            "leader": leader,
            "challenger": challenger,
            "metric": metric,
            "gap_ci": loc.range(res.gap_points_ci[0], res.gap_points_ci[1]),
            "lag": loc.months(res.lag.months),
        }
        out.append(
            loc.t("summary.gap", gap=loc.num(gap), **values)
            if gap > 0
            else loc.t("summary.gap_ahead", gap=loc.num(-gap), **values)
        )
        then = _year_ago(res)
        if then is not None:
            change = gap - float(then.gap_points)
            key = (
                "summary.steady"
                if abs(change) < STEADY_POINTS
                else "summary.narrowed"
                if change < 0
                else "summary.widened"
            )
            out.append(loc.t(key, change=loc.num(abs(change))))
    sel = data.forecast.selected
    p = sel.p_ahead_within
    last = max(k for k in p)
    out.append(
        loc.t(
            "summary.forecast",
            challenger=challenger,
            p36=loc.pct(p[36]) if 36 in p else loc.t("n_a"),
            p60=loc.pct(p[60] if 60 in p else p[last]),
            scenario=loc.scenario(data.scenario, data.forecast.scenario.title),
        )
    )
    return out


def render_html(data: ReportData, lang: str) -> str:
    """Return the report as one self-contained HTML page in ``lang`` (en, zh, ja)."""
    loc = Locale(lang)
    res = data.gap.result
    title = loc.t(
        "title", leader=loc.group(res.leader.group), challenger=loc.group(res.challenger.group)
    )
    context = {
        "lang": lang,
        "t": loc.t,
        "title": title,
        "loc": loc,
        "subtitle": loc.t(
            "subtitle",
            scenario=loc.scenario(data.scenario, data.forecast.scenario.title),
            as_of=loc.date(res.as_of),
            generated=loc.date(data.generated),
            version=data.version,
        ),
        "gap": gap_section(data, loc),
        "forecast": forecast_section(data, loc),
        "comparison": comparison_section(data, loc),
        "drivers": drivers_section(data, loc),
        "sweep": sweep_section(data.sweep, data.missing.get("sweep"), loc),
        "backtest": backtest_section(data, loc),
        "data": data_section(data, loc),
    }
    context["summary"] = summary(data, loc)
    return _env().get_template("report.html.j2").render(**context)
