"""Render a report (``gapcast.usecases.report.ReportData``) to one self-contained HTML page.

The narrative is generated from the numbers: this module picks the message for each case
(the gap's and the lag's fitted trends and the models' agreement come from
``gapcast.report.findings``, which owns every comparative word; there is a median crossing or
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

from gapcast import glossary
from gapcast.freshness import DataAge
from gapcast.measure import GapResult
from gapcast.report import figures, findings
from gapcast.report.claims_section import claims_section
from gapcast.report.i18n import Locale
from gapcast.report.sweep_section import sweep_section
from gapcast.report.track_record import headline_record, track_record_section
from gapcast.usecases.report import ReportData

HORIZONS = (12, 36, 60)
KEY_ASSUMPTIONS = (
    "groups.leader.serving.share",
    "groups.challenger.serving.share",
    "groups.leader.compute.growth",
    "groups.challenger.compute.growth",
    "groups.challenger.compute.share_adjust",
    "groups.challenger.serving.demand_growth",
    "capability.research_elasticity",
    "capability.catchup_rate",
    "capability.catchup_lag_months",
)


def _env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("gapcast.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


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
    note = findings.edge_text(lag.months, lag.ci[0], lag.ci[1], loc, censored=lag.censored)
    paragraphs = [loc.join(now, note) if note else now]
    paragraphs.append(loc.join(*findings.trend_findings(res.trend, res.lag_trend, loc)))
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
    trend, compute = rep.forecast.models.get("trend"), rep.forecast.models.get("structural")
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
    head = rep.forecast.headline
    if head is not None:
        sus = head.events["sustained"]
        paragraphs.insert(
            0,
            loc.t(
                "forecast.sustained",
                **values,
                margin=loc.num(head.margin, 0),
                run=head.run_months,
                s36=loc.pct(sus.p_within[36]) if 36 in sus.p_within else loc.t("n_a"),
                s60=loc.pct(sus.p_within[last]),
                i36=_prange(loc, sus.interval90.get(36)),
                i60=_prange(loc, sus.interval90.get(last)),
                tell=loc.t("forecast.can_tell" if head.data_can_tell else "forecast.cannot_tell"),
            ),
        )
    if trend is not None and compute is not None:
        pt, pc = trend.p_ahead_within[last], compute.p_ahead_within[last]
        paragraphs.append(findings.models_text(pt, pc, loc.horizon(last), loc))
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
    for name in ("structural", "trend"):
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


def _prange(loc: Any, iv: tuple[float, float] | None) -> str:
    """Return a probability interval in the language's words (``5% to 40%``)."""
    if iv is None:
        return str(loc.t("n_a"))
    return str(loc.t("range", lo=loc.pct(iv[0], 1), hi=loc.pct(iv[1], 1)))


def _param(loc: Locale, path: str) -> str:
    """Return a parameter's label in the report's language (its path where none exists)."""
    return glossary.label(path, loc.lang)


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
    dec: Any = None  # the compute model's gap decomposition is gone (issue 10b)
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
                    [glossary.part(k, loc.lang) for k in keys],
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
            "label": glossary.label(p, loc.lang),
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


def _months_left(months: float, loc: Locale) -> str:
    text = loc.months(months, 0)
    return "1 month" if loc.lang == "en" and round(months) == 1 else text


def age_notes(data: ReportData, loc: Locale) -> list[str]:
    """Return how old the data were when the report was generated, and what that means."""
    through = data.provenance.get("data_through")
    if not through:
        return []
    sel = data.forecast.selected
    age = DataAge(
        dt.date.fromisoformat(str(through)[:10]),
        data.generated,
        sel.as_of,
        tuple(sorted(sel.p_ahead_within)),
    )
    out = [loc.t("age.days", through=loc.date(age.last), days=f"{age.days:,}")]
    if age.stale:
        out.append(loc.t("age.stale"))
    passed = age.passed()
    if passed and max(passed.values()) >= 1:
        first = min(passed)
        out.append(
            loc.t(
                "age.passed",
                gone=loc.num(max(passed.values()), 0),
                as_of=loc.date(age.as_of),
                horizon=loc.horizon(first),
                left=_months_left(max(0.0, first - passed[first]), loc),
            )
        )
    return out


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
        out.extend(findings.trend_findings(res.trend, res.lag_trend, loc))
    sel = data.forecast.selected
    p = sel.p_ahead_within
    last = max(k for k in p)
    head = data.forecast.forecast.headline
    if head is not None:  # the headline: the sustained lead with its 90% interval
        sus = head.events["sustained"]
        out.append(
            loc.t(
                "summary.headline",
                challenger=challenger,
                margin=loc.num(head.margin, 0),
                run=head.run_months,
                s36=loc.pct(sus.p_within[36]) if 36 in sus.p_within else loc.t("n_a"),
                s60=loc.pct(sus.p_within[last]),
                i36=_prange(loc, sus.interval90.get(36)),
                i60=_prange(loc, sus.interval90.get(last)),
                p36=loc.pct(p[36]) if 36 in p else loc.t("n_a"),
                p60=loc.pct(p[last]),
                scenario=loc.scenario(data.scenario, data.forecast.scenario.title),
            )
        )
        out.extend(headline_record(data.track_record, challenger, loc))
        out.extend(age_notes(data, loc))
        return out
    out.append(
        loc.t(
            "summary.forecast",
            challenger=challenger,
            p36=loc.pct(p[36]) if 36 in p else loc.t("n_a"),
            p60=loc.pct(p[60] if 60 in p else p[last]),
            scenario=loc.scenario(data.scenario, data.forecast.scenario.title),
        )
    )
    spread = [m.p_ahead_within[last] for m in data.forecast.forecast.models.values()]
    spread += [r.selected.p_ahead_within.get(last, p[last]) for r in data.comparison]
    lo, hi = min(spread), max(spread)
    out.append(
        loc.t(
            "summary.spread",
            n=len(data.comparison),
            lo=loc.pct(lo, max(0, findings.decimals(100 * lo, 100 * hi) - 1)),
            hi=loc.pct(hi, max(0, findings.decimals(100 * lo, 100 * hi) - 1)),
            se=loc.num(100 * sel.p_ahead_within_se[last], 1),
        )
    )
    out.extend(age_notes(data, loc))
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
        "track_record": track_record_section(data.track_record, loc),
        "data": data_section(data, loc),
        "claims": claims_section(data.claims, data.missing.get("claims"), loc)
        if data.claims is not None or "claims" in data.missing
        else None,
    }
    context["summary"] = summary(data, loc)
    return _env().get_template("report.html.j2").render(**context)
