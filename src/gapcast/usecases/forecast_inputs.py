"""Build the forecast's measured inputs from the store: frontiers, steps, fit, compute shares.

Everything is measured as of one date (``as_of``): only models released, and compute
operational, on or before it are used, so a forecast "as of 2024-06-30" sees the data a
forecaster had then (up to Epoch re-fitting ECI scores; see the data MANIFEST).

- Frontiers, their monthly history and frontier steps come from ``gapcast.measure``
  (``make_points``, ``frontier``, ``monthly_frontiers``, ``frontier_steps``).
- The capability fit (``gapcast.model.fit``) uses every model with an ECI score and a
  training-compute estimate (``training_compute`` rows of the models table), one row per
  model (its best score), dated by release.
- Compute shares: the GPU-cluster rows (source ``epoch_gpu_clusters``) with ``counted``
  true and ``date <= as_of < end_date``, summed by country, over the world total. The
  cluster data covers only part of all AI compute (PRIORS 4.1: ~10-20%), so it gives each
  side's *share*; absolute levels come from the scenario's world stock.

Tables read from a store carry its data hash (``Tables.key``; a vintage's own hash for
``store.known_on(day)``), and ``build_inputs`` keeps what it measured from such tables in a
small memo keyed by that hash and by the few scenario fields it reads (metric, groups,
trend window): a dashboard slider that changes an assumption measures nothing again, and
an import (a new hash) is measured afresh.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from gapcast import measure
from gapcast.errors import InsufficientDataError, RequestError
from gapcast.freshness import check_as_of, data_end
from gapcast.model.fit import CapabilityFit, fit_capability
from gapcast.model.fitdata import monthly_best, release_months
from gapcast.model.inputs import ForecastInputs, GroupData, StepHistory
from gapcast.resolve import resolve
from gapcast.scenario.files import Scenario
from gapcast.store import Store
from gapcast.usecases.memo import Memo

COMPUTE_SOURCE = "epoch_gpu_clusters"
DAYS_PER_MONTH = 365.25 / 12


@dataclass(frozen=True)
class Tables:
    """Resolved scores and models (read and resolved once per use case).

    ``key`` is the data hash of the store (or vintage) they were read from; tables built
    by hand (tests, edited rows) have none, and nothing measured from them is memoised.
    """

    scores: pd.DataFrame
    models: pd.DataFrame
    compute: pd.DataFrame
    key: str | None = None

    @classmethod
    def load(cls, store: Store) -> Tables:
        """Read and resolve the store's tables."""
        resolved = resolve(
            store.table("models"), store.table("scores"), store.table("organizations")
        )
        return cls(resolved.scores, resolved.models, store.table("compute"), store.data_hash())


def parse_as_of(value: str | dt.date | None) -> dt.date | None:
    """Return the as-of date of a request, or ``None`` for the latest data."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise RequestError("as_of", f"'{value}' is not a date (use YYYY-MM-DD)") from None


def latest_date(tables: Tables, metric: str) -> dt.date:
    """Return the latest release date among a metric's scores."""
    rows = tables.scores.loc[tables.scores["metric"] == metric]
    latest = rows["release_date"].max()
    if pd.isna(latest):
        raise InsufficientDataError(
            f"{metric}: no dated scores in the store", hint="import data with `gapcast data import`"
        )
    return pd.Timestamp(latest).date()


def fit_rows(
    tables: Tables, leader: str, challenger: str, as_of: dt.date, metric: str = "eci"
) -> pd.DataFrame:
    """Return one row per model with a score and a training-compute estimate.

    Columns: ``model_id``, ``model``, ``value`` (best score), ``log10_flop``, ``date``,
    ``year`` (decimal), ``country``, ``group`` (``leader``, ``challenger`` or ``other``).
    """
    end = pd.Timestamp(as_of)
    scores = measure.metric_rows(tables.scores, tables.models, measure.Selection(metric), end)
    flops = measure.metric_rows(
        tables.scores, tables.models, measure.Selection(measure.TRAINING_COMPUTE), end
    )
    best = scores.sort_values(["value", "date"], ascending=[False, True]).drop_duplicates(
        "model_id"
    )
    flop = flops.drop_duplicates("model_id")[["model_id", "value"]].rename(
        columns={"value": "log10_flop"}
    )
    rows = best.merge(flop, on="model_id", how="inner")
    date = pd.to_datetime(rows["date"])
    rows = rows.assign(
        year=date.dt.year + (date.dt.day_of_year - 1) / 365.25,
        group=np.where(
            rows["country"] == leader,
            "leader",
            np.where(rows["country"] == challenger, "challenger", "other"),
        ),
    )
    return rows[
        ["model_id", "model", "value", "log10_flop", "date", "year", "country", "group"]
    ].reset_index(drop=True)


def capability_fit(rows: pd.DataFrame, *, group_terms: bool = True) -> CapabilityFit:
    """Fit the capability relation on ``fit_rows``."""
    return fit_capability(
        rows["value"].to_numpy(np.float64),
        rows["log10_flop"].to_numpy(np.float64),
        rows["year"].to_numpy(np.float64),
        rows["group"].to_numpy().astype(str),
        group_terms=group_terms,
    )


def compute_shares(
    compute: pd.DataFrame,
    labels: tuple[str, str],
    as_of: dt.date,
) -> tuple[np.ndarray, np.ndarray]:
    """Return each group's share of the world's counted cluster H100e at ``as_of``, and H100e."""
    end = pd.Timestamp(as_of)
    rows = compute.loc[
        (compute["source"] == COMPUTE_SOURCE)
        & compute["counted"].fillna(False).astype(bool)
        & (compute["date"] <= end)
        & (compute["end_date"].isna() | (compute["end_date"] > end))
    ]
    total = float(rows["h100e"].sum())
    h100e = np.array([float(rows.loc[rows["country"] == label, "h100e"].sum()) for label in labels])
    if total <= 0 or (h100e <= 0).any():
        missing = [label for label, h in zip(labels, h100e, strict=True) if h <= 0]
        raise InsufficientDataError(
            f"no counted GPU-cluster compute for {', '.join(missing) or 'any group'} on "
            f"{as_of} (source {COMPUTE_SOURCE})",
            hint="import the Epoch GPU-cluster data (`gapcast data import`)",
        )
    return h100e / total, h100e


_INPUTS: Memo[ForecastInputs] = Memo(64)


def releases(tables: Tables, labels: tuple[str, str], end: dt.date, metric: str) -> pd.DataFrame:
    """Return every scored release of either side up to ``end``: date, value, se, side."""
    rows = measure.metric_rows(
        tables.scores, tables.models, measure.Selection(metric), pd.Timestamp(end)
    )
    side = np.where(
        rows["country"] == labels[0],
        "leader",
        np.where(rows["country"] == labels[1], "challenger", ""),
    )
    frame = pd.DataFrame(
        {
            "date": pd.to_datetime(rows["date"]),
            "value": rows["value"].astype(float),
            "se": rows["sd"].astype(float).fillna(0.0),
            "side": side,
        }
    )
    kept: pd.DataFrame = frame.loc[side != ""].reset_index(drop=True)
    return kept


def _release_months(
    tables: Tables, scenario: Scenario, labels: tuple[str, str], end: dt.date
) -> list[tuple[int, int] | None]:
    """Return each side's frontier-class release months (``fitdata.release_months``).

    As the structural fit counts them; ``None`` without an ``estimation`` section or releases.
    """
    if scenario.estimation is None:
        return [None, None]
    try:
        best = monthly_best(releases(tables, labels, end, scenario.metric), end)
        counts = release_months(best, scenario.estimation.frontier_margin)
    except InsufficientDataError:
        return [None, None]
    return [counts[0], counts[1]]


def build_inputs(
    tables: Tables,
    scenario: Scenario,
    as_of: dt.date | None = None,
    *,
    frontier_metric: str | None = None,
    structural: ForecastInputs | None = None,
) -> ForecastInputs:
    """Measure everything the forecast models start from, as of ``as_of``.

    ``frontier_metric`` measures the frontiers, their history and steps on another metric
    (the LMArena backtest's trend model); the capability fit and the compute shares stay on
    the scenario's metric, and are taken from ``structural`` (inputs already measured as
    of the same date) when given.

    Inputs measured from tables with a ``key`` are memoised by that key and the scenario
    fields read here; their arrays are read-only, as they are shared.
    """
    if tables.key is None or structural is not None:
        return _measure_inputs(tables, scenario, as_of, frontier_metric, structural)
    key = (
        tables.key,
        as_of,
        frontier_metric,
        scenario.metric,
        scenario.groups.leader.label,
        scenario.groups.challenger.label,
        scenario.trend.window_months,
        scenario.estimation.frontier_margin if scenario.estimation is not None else None,
    )
    return _INPUTS.get_or_compute(
        key, lambda: _frozen(_measure_inputs(tables, scenario, as_of, frontier_metric, None))
    )


def _frozen(inputs: ForecastInputs) -> ForecastInputs:
    for group in inputs.groups:
        group.history.flags.writeable = False
        group.steps.sizes.flags.writeable = False
    inputs.fit.estimate.flags.writeable = False
    inputs.fit.cov.flags.writeable = False
    return inputs


def _measure_inputs(
    tables: Tables,
    scenario: Scenario,
    as_of: dt.date | None,
    frontier_metric: str | None,
    structural: ForecastInputs | None,
) -> ForecastInputs:
    metric = frontier_metric or scenario.metric
    if as_of is not None and frontier_metric is None:
        check_as_of(as_of, data_end(tables.scores, tables.models))
    end_date = as_of or latest_date(tables, metric)
    end = pd.Timestamp(end_date)
    labels = (scenario.groups.leader.label, scenario.groups.challenger.label)
    groups = measure.Groups("country", (labels[0],), (labels[1],))
    rows = measure.metric_rows(tables.scores, tables.models, measure.Selection(metric), end)
    points = measure.make_points(rows, groups, metric=metric, as_of=end)
    for side, label in zip(("leader", "challenger"), labels, strict=True):
        if points.n_models(side) == 0:
            raise InsufficientDataError(f"no {metric} scores for {label} on or before {end_date}")
    now = measure.frontier(points, pd.DatetimeIndex([end]))
    monthly = measure.monthly_frontiers(points)
    month_start = pd.Timestamp(end_date.year, end_date.month, 1)
    monthly = monthly.loc[monthly.index < month_start]
    steps = measure.frontier_steps(points)
    window = scenario.trend.window_months
    start = end - pd.DateOffset(months=window)
    if structural is not None:
        shares = np.array([g.compute_share for g in structural.groups])
        h100e = np.array([g.compute_h100e for g in structural.groups])
        fit = structural.fit
        months = [g.release_months for g in structural.groups]
    else:
        shares, h100e = compute_shares(tables.compute, labels, end_date)
        fit = capability_fit(fit_rows(tables, labels[0], labels[1], end_date, scenario.metric))
        months = _release_months(tables, scenario, labels, end_date)
    groups_data = []
    for i, side in enumerate(("leader", "challenger")):
        own = steps.loc[steps["side"] == side]
        first = pd.Timestamp(own["date"].min())
        real = own.loc[own["previous"].notna()]
        in_window = real.loc[(real["date"] > start) & (real["date"] <= end)]
        exposure = min(float(window), (end - first).days / DAYS_PER_MONTH)
        last = pd.Timestamp(own["date"].max())
        history = monthly[side].to_numpy(np.float64)
        history = history[np.isfinite(history)]
        groups_data.append(
            GroupData(
                label=labels[i],
                frontier=float(now[side].iloc[0]),
                history=np.maximum.accumulate(history) if history.size else history,
                steps=StepHistory(
                    in_window["step"].to_numpy(np.float64),
                    max(exposure, 1.0),
                    tuple(pd.Timestamp(d).date() for d in in_window["date"]),
                ),
                months_since_step=(end - last).days / DAYS_PER_MONTH,
                compute_share=float(shares[i]),
                compute_h100e=float(h100e[i]),
                release_months=months[i],
            )
        )
    return ForecastInputs(end_date, metric, groups_data[0], groups_data[1], fit)
