"""The measure use case: the gap between two groups on one metric, from the store.

``gap(store, ...)`` loads the canonical tables, resolves models and countries
(``gapcast.resolve``), checks the request, and measures with ``gapcast.measure``. The CLI
(``gapcast gap``) and the API call it; ``gap_figure`` writes its figure.
``frontier_points(store, ...)`` stops before measuring: the checked points of both groups,
which the forecast stage turns into monthly frontiers and frontier steps.

Request fields are checked here, once: a bad value raises ``RequestError(field, ...)``
naming the field and the allowed values.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

from gapcast import measure, names
from gapcast.errors import InsufficientDataError, NotFoundError, RequestError
from gapcast.frames import Tabular
from gapcast.freshness import DataAge, check_as_of, data_end
from gapcast.measure import GapResult
from gapcast.resolve import Resolved, resolve
from gapcast.store import Store

MAX_DRAWS = 100_000
FREQUENCIES = ("monthly", "daily")
EPOCH_CREDIT = "Data: Epoch AI (CC BY 4.0)"
LMARENA_CREDIT = "Data: LMArena (lmarena.ai)"

_SCALES: dict[str, tuple[float, str]] = {
    "fraction": (100.0, "percentage points"),
    "percent": (1.0, "percentage points"),
    "minutes": (1.0, "minutes"),
    "elo": (1.0, "rating points"),
    "points": (1.0, "points"),
    "unknown": (1.0, "points"),
}
"""Benchmark scale -> (factor applied to scores, unit of the gap)."""


@dataclass(frozen=True)
class MetricInfo:
    """How a metric is shown: title, unit of a gap, factor applied, data credit."""

    title: str
    unit: str
    factor: float
    credit: str
    relative: bool = True


@dataclass(frozen=True)
class GapReport(Tabular):
    """A measured gap with the request that produced it and where its data came from."""

    result: GapResult
    info: MetricInfo
    request: dict[str, Any] = field(default_factory=dict)
    data_hash: str = ""

    @property
    def age(self) -> DataAge:
        """How old the data are (their last date for this metric, against today)."""
        through = self.request.get("data_through") or self.result.as_of.isoformat()
        return DataAge(date.fromisoformat(str(through)), date.today(), self.result.as_of)

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON-ready report: the result, its settings, unit and credit.

        ``findings`` are the sentences of ``gapcast.report.findings`` (English) on how the
        gap and the lag moved; ``data_age`` says how old the data are.
        """
        from gapcast.report.findings import gap_findings

        out = self.result.to_dict()
        out["settings"] = {**self.request, **out["settings"]}
        out.update(
            {
                "title": self.info.title,
                "unit": self.info.unit,
                "scale_factor": self.info.factor,
                "credit": self.info.credit,
                "data_hash": self.data_hash,
                "findings": gap_findings(self.result),
                "data_age": self.age.to_dict(),
            }
        )
        return out


@cache
def _benchmark_specs() -> dict[str, tuple[str, str]]:
    from gapcast.sources.epoch_benchmarks import benchmarks

    return {spec.metric: (spec.title, spec.scale) for spec in benchmarks().values()}


def metric_info(metric: str) -> MetricInfo:
    """Return how a metric is titled, scaled and credited."""
    if metric == "eci":
        return MetricInfo("Epoch Capabilities Index (ECI)", "ECI points", 1.0, EPOCH_CREDIT)
    if metric == "lmarena":
        return MetricInfo("LMArena text rating", "rating points", 1.0, LMARENA_CREDIT)
    if metric == measure.TRAINING_COMPUTE:
        return MetricInfo(
            "Training compute (log10 FLOP)",
            "orders of magnitude (log10 FLOP)",
            1.0,
            EPOCH_CREDIT,
            relative=False,
        )
    title, scale = _benchmark_specs().get(metric, (metric, "unknown"))
    factor, unit = _SCALES.get(scale, (1.0, "points"))
    return MetricInfo(title, unit, factor, EPOCH_CREDIT)


def _date(field_name: str, value: str | date | pd.Timestamp | None) -> pd.Timestamp | None:
    if value is None or value == "":
        return None
    try:
        stamp = pd.Timestamp(value)
    except (TypeError, ValueError):
        stamp = None
    if stamp is None or pd.isna(stamp):
        raise RequestError(field_name, f"'{value}' is not a date (use YYYY-MM-DD)")
    return stamp.normalize()


def _one_of(field_name: str, value: str, allowed: Sequence[str]) -> str:
    if value not in allowed:
        raise RequestError(field_name, f"'{value}' is not allowed (allowed: {', '.join(allowed)})")
    return value


def _labels(
    field_name: str, given: str | Sequence[str] | None, default: str | None, group_by: str
) -> tuple[str, ...]:
    if given is None or (not isinstance(given, str) and len(given) == 0):
        if default is None:
            raise RequestError(
                field_name, f"required with group_by '{group_by}' (name one or more organizations)"
            )
        given = default
    labels = [given] if isinstance(given, str) else list(given)
    if group_by == "country":
        labels = [names.normalize_country(label) or label for label in labels]
    out = tuple(label.strip() for label in labels if label.strip())
    if not out:
        raise RequestError(field_name, "is empty")
    return out


def _check_present(
    field_name: str, labels: tuple[str, ...], present: list[str], group_by: str, metric: str
) -> None:
    known = {p.casefold() for p in present}
    for label in labels:
        if label.casefold() not in known:
            shown = ", ".join(present[:40]) + (" ..." if len(present) > 40 else "")
            raise RequestError(
                field_name, f"no {group_by} '{label}' in the {metric} data (present: {shown})"
            )


@dataclass(frozen=True, eq=False)
class Prepared:
    """A checked request turned into frontier points, with the rows they came from."""

    points: measure.Points
    rows: pd.DataFrame
    info: MetricInfo
    request: dict[str, Any]
    since: pd.Timestamp | None


def frontier_points(
    store: Store,
    metric: str = "eci",
    leader: str | Sequence[str] | None = None,
    challenger: str | Sequence[str] | None = None,
    group_by: str = "country",
    as_of: str | date | None = None,
    category: str | None = None,
    style_control: bool = False,
    include_preliminary: bool = False,
    *,
    countries: str = "primary",
    resolved: Resolved | None = None,
) -> measure.Points:
    """Return the checked frontier points of two groups on one metric, as of a date.

    What the forecast stage starts from: pass the result to ``measure.monthly_frontiers``
    and ``measure.frontier_steps``. Fields and defaults as in ``gap``; ``resolved`` reuses
    an already resolved store (``gapcast.usecases.data.resolved``).
    """
    return _prepare(
        store,
        metric,
        leader,
        challenger,
        group_by,
        None,
        as_of,
        category,
        style_control,
        include_preliminary,
        countries,
        resolved,
    ).points


def _prepare(
    store: Store,
    metric: str,
    leader: str | Sequence[str] | None,
    challenger: str | Sequence[str] | None,
    group_by: str,
    since: str | date | None,
    as_of: str | date | None,
    category: str | None,
    style_control: bool,
    include_preliminary: bool,
    countries: str,
    resolved: Resolved | None = None,
) -> Prepared:
    _one_of("group_by", group_by, measure.GROUP_BY)
    _one_of("countries", countries, measure.COUNTRY_RULES)
    start, end = _date("since", since), _date("as_of", as_of)
    if start is not None and end is not None and start > end:
        raise RequestError("since", f"{start.date()} is after as_of {end.date()}")
    if end is not None:  # each file in the version imported by then (vintages)
        store = store.known_on(end.date())
    if resolved is None:
        resolved = resolve(
            store.table("models"), store.table("scores"), store.table("organizations")
        )
    scores, models = resolved.scores, resolved.models
    _one_of("metric", metric, measure.known_metrics(scores))
    snapshots = measure.is_snapshot_metric(scores, metric)
    if not snapshots and category is not None:
        raise RequestError("category", f"only LMArena metrics have categories, not {metric}")
    if not snapshots and style_control:
        raise RequestError("style_control", f"only LMArena metrics have it, not {metric}")
    if category is not None:
        _one_of("category", category, measure.categories(scores, metric))
    default_leader, default_challenger = measure.DEFAULT_SIDES.get(group_by, (None, None))
    groups = measure.Groups(
        group_by,  # type: ignore[arg-type]
        _labels("leader", leader, default_leader, group_by),
        _labels("challenger", challenger, default_challenger, group_by),
        countries,  # type: ignore[arg-type]
    )
    selection = measure.Selection(metric, category, style_control, include_preliminary)
    data_through = data_end(scores, models)
    if end is None:
        end = _latest(scores, models, metric)
    else:
        check_as_of(end.date(), data_through)
    everything = measure.metric_rows(scores, models, selection, pd.Timestamp.max.normalize())
    present = measure.group_values(everything, groups)
    _check_present("leader", groups.leader, present, group_by, metric)
    _check_present("challenger", groups.challenger, present, group_by, metric)
    rows = measure.metric_rows(scores, models, selection, end)
    info = metric_info(metric)
    if info.factor != 1.0:
        rows = rows.assign(value=rows["value"] * info.factor, sd=rows["sd"] * info.factor)
    points = measure.make_points(
        rows, groups, metric=metric, as_of=end, settings=selection.settings(snapshots)
    )
    request = {
        "metric": metric,
        "group_by": group_by,
        "leader": list(groups.leader),
        "challenger": list(groups.challenger),
        "countries": countries,
        "since": start.date().isoformat() if start is not None else None,
        "as_of": end.date().isoformat(),
        "data_through": data_through.isoformat(),
    }
    return Prepared(points, rows, info, request, start)


def gap(
    store: Store,
    metric: str = "eci",
    leader: str | Sequence[str] | None = None,
    challenger: str | Sequence[str] | None = None,
    group_by: str = "country",
    since: str | date | None = None,
    as_of: str | date | None = None,
    category: str | None = None,
    style_control: bool = False,
    include_preliminary: bool = False,
    draws: int = 1000,
    seed: int | None = None,
    *,
    countries: str = "primary",
    match: str | None = None,
    freq: str = "monthly",
) -> GapReport:
    """Measure the gap between a leader and a challenger group on one metric.

    Parameters
    ----------
    store
        The store to read (``models``, ``scores``, ``organizations``).
    metric
        ``eci`` (default), ``lmarena``, ``training_compute`` or a benchmark metric.
    leader, challenger
        Group labels; several labels form one group. Defaults per ``group_by``:
        ``United States`` / ``China``; ``closed`` / ``open``; none for ``organization``.
    group_by
        ``country``, ``accessibility`` or ``organization``.
    since
        First date of the series (default: first date both groups have a model).
    as_of
        Use only data released or snapshotted on or before this date (default: the latest
        date in the metric's data).
    category, style_control
        LMArena only: category (default ``overall``) and style control (default off).
    include_preliminary
        Count unverified, preview and anonymous entries (default no).
    draws, seed
        Number of uncertainty draws and the seed (default ``measure.DEFAULT_SEED``).
    countries
        ``primary`` or ``all``: how models of several countries count.
    match
        A model: report when the challenger first matched its score.
    freq
        ``monthly`` or ``daily`` series.

    Raises
    ------
    RequestError
        A request field with a value that is not allowed.
    NotFoundError
        ``match`` names no model of the metric.
    InsufficientDataError
        The groups have no model in common time.
    """
    _one_of("freq", freq, FREQUENCIES)
    if not 0 <= draws <= MAX_DRAWS:
        raise RequestError("draws", f"{draws} is out of range (allowed: 0 to {MAX_DRAWS})")
    if seed is not None and seed < 0:
        raise RequestError("seed", f"{seed} is negative (allowed: 0 or more)")
    prep = _prepare(
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
        countries,
    )
    points = prep.points
    reference = _reference(prep.rows, match, metric, points.snapshots) if match else None
    result = measure.measure_gap(
        points,
        rng=measure.rng_from_seed(seed),
        draws=draws,
        since=prep.since,
        freq=freq,  # type: ignore[arg-type]
        reference=reference,
        relative=prep.info.relative,
    )
    request = {
        **prep.request,
        "freq": freq,
        "draws": draws,
        "seed": measure.DEFAULT_SEED if seed is None else seed,
        "match": match,
    }
    return GapReport(result, prep.info, request, store.data_hash())


def _latest(scores: pd.DataFrame, models: pd.DataFrame, metric: str) -> pd.Timestamp:
    if metric == measure.TRAINING_COMPUTE:
        dates = models.loc[models["training_compute_flop"].notna(), "release_date"]
    else:
        rows = scores.loc[scores["metric"] == metric]
        dates = rows["as_of"].fillna(rows["release_date"])
    latest = dates.max()
    if pd.isna(latest):
        raise InsufficientDataError(
            f"{metric}: no dated scores in the store", hint="import data with `gapcast data import`"
        )
    return pd.Timestamp(latest).normalize()


def _reference(rows: pd.DataFrame, name: str, metric: str, snapshots: bool) -> measure.Reference:
    if snapshots and len(rows):
        rows = rows.loc[rows["snapshot"] == rows["snapshot"].max()]
    found = measure.find_reference(rows, name)
    if found is None:
        candidates = sorted({str(m) for m in rows["model"].dropna().unique()})
        close = difflib.get_close_matches(name, candidates, n=5, cutoff=0.5)
        raise NotFoundError(
            f"no model '{name}' with a {metric} score",
            hint=("did you mean: " + ", ".join(close)) if close else None,
        )
    return found


def gap_figure(report: GapReport, path: str | Path) -> Path:
    """Write the gap figure: ``.png`` (matplotlib) or ``.html`` (plotly, self-contained)."""
    target = Path(path)
    suffix = target.suffix.lower()
    if suffix not in (".png", ".html"):
        raise RequestError("plot", f"'{target.name}' must end in .png or .html")
    from gapcast.report import plots

    write = plots.gap_figure_png if suffix == ".png" else plots.gap_figure_html
    write(
        report.result,
        target,
        title=report.info.title,
        unit=report.info.unit,
        credit=report.info.credit,
    )
    return target
