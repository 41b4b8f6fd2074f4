"""Wire schemas of the HTTP API: what goes over the network, kept apart from the core.

The core's result objects (``GapResult``, ``ForecastReport``, ...) are frozen dataclasses
with a ``to_dict``; these pydantic models describe the JSON the API sends and receives, so
the OpenAPI schema documents every field, and a change inside the core cannot silently
change the wire format (a test validates real responses against these models).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, create_model

Interval = list[float | None]
"""A two-element ``[low, high]`` interval; ``null`` ends where there is none."""

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,99}$"
OVERRIDE_PATTERN = r"^[a-z_][a-z0-9_]*(\.[a-z0-9_]+){0,7}$"


class _Out(BaseModel):
    model_config = ConfigDict(extra="ignore")


# ---- errors and health ---------------------------------------------------------------


class ErrorOut(_Out):
    """The one JSON error body of every failed request."""

    error: str = Field(description="Kind of error: request_error, not_found, data_error, ...")
    message: str = Field(description="What went wrong, for a person to read.")
    hint: str | None = Field(None, description="How to fix it, where known.")
    field: str | None = Field(None, description="The request field at fault, if one is.")
    file: str | None = None
    row: int | None = None
    column: str | None = None


class HealthOut(_Out):
    """The server is up; which store and data it serves."""

    status: Literal["ok"]
    version: str
    data_hash: str | None
    features: dict[str, bool] = Field(
        description="Which optional routes work here: import (only with a configured token)."
    )


# ---- data: provenance, status, models ------------------------------------------------


class FileOut(_Out):
    """One imported file with its provenance."""

    source: str
    file: str
    rows: int
    sha256: str
    license: str | None
    url: str | None
    first: dt.date | None = Field(None, description="Earliest date its rows carry.")
    last: dt.date | None = Field(None, description="Latest date its rows carry.")
    imported_at: str


class SourceOut(_Out):
    """One upstream dataset: title, licence, homepage and what was imported from it."""

    source: str
    title: str
    license: str | None
    homepage: str | None
    files: int
    rows: int
    first: dt.date | None
    last: dt.date | None
    imported_at: str | None


class ProvenanceOut(_Out):
    """Where the data came from: sources, licences, files and the data's as-of date."""

    data_hash: str
    data_through: dt.date | None = Field(description="Latest date any imported row carries.")
    version: str
    credits: list[str]
    sources: list[SourceOut]
    files: list[FileOut]


class StatusOut(_Out):
    """What the store holds (``gapcast data status``)."""

    data_hash: str
    sources: list[FileOut]
    tables: dict[str, int]
    unresolved: list[dict[str, Any]]


class ModelOut(_Out):
    """One resolved model."""

    model_id: str
    name: str
    organization: str | None
    country: str | None
    accessibility: str | None
    release_date: dt.date | None
    training_compute_flop: float | None
    source: str
    score: float | None = Field(None, description="Best score on the requested metric.")


class ModelsPage(_Out):
    """A page of models."""

    total: int
    limit: int
    offset: int
    metric: str | None
    items: list[ModelOut]


# ---- gap ----------------------------------------------------------------------------


class FrontierOut(_Out):
    """One side's frontier at the as-of date."""

    group: str
    model: str | None
    version: str | None
    date: dt.date | None
    score: float | None
    score_ci: Interval
    n_models: int
    snapshot: dt.date | None = None


class LagOut(_Out):
    """A lag in months by one method."""

    at: dt.date | None
    months: float | None
    ci: Interval
    censored: bool
    censored_share_of_draws: float | None
    method: str


class LagSummaryOut(_Out):
    """Mean, minimum and maximum lag over the series."""

    since: dt.date | None
    until: dt.date | None
    mean: float | None
    mean_ci: Interval
    min: float | None
    max: float | None
    censored_dates: int
    method: str


class TrendOut(_Out):
    """Linear trend per year over a trailing window."""

    quantity: str
    slope_per_year: float | None
    ci: Interval
    n: int
    start: dt.date | None
    end: dt.date | None
    method: str


class MatchOut(_Out):
    """When the challenger first matched a reference model."""

    reference: str
    reference_version: str | None
    reference_score: float
    reference_date: dt.date | None
    model: str | None
    version: str | None
    date: dt.date | None
    score: float | None
    months_after: float | None
    method: str


class SeriesRowOut(_Out):
    """One date of the gap series."""

    date: dt.date
    leader: float | None
    challenger: float | None
    leader_model: str | None
    challenger_model: str | None
    gap_points: float | None
    gap_points_ci: Interval
    relative_gap_pct: float | None
    lag_months: float | None
    lag_months_ci: Interval
    lag_censored: bool
    lag_forward_months: float | None
    lag_forward_months_ci: Interval
    lag_forward_censored: bool
    snapshot: dt.date | None = None


class StepOut(_Out):
    """A model that raised its group's frontier."""

    side: str
    group: str
    date: dt.date | None
    model: str | None
    version: str | None
    score: float | None
    previous: float | None


class GapOut(_Out):
    """The gap between two groups on one metric (``gapcast gap --json``)."""

    metric: str
    title: str
    unit: str
    scale_factor: float
    credit: str
    data_hash: str
    as_of: dt.date
    settings: dict[str, Any]
    leader: FrontierOut
    challenger: FrontierOut
    gap_points: float | None
    gap_points_ci: Interval
    relative_gap_pct: float | None
    relative_gap_pct_ci: Interval
    lag_months: float | None
    lag_months_ci: Interval
    lag_censored: bool
    lag_forward_months: float | None
    lag_forward_months_ci: Interval
    lag_forward_censored: bool
    lag_forward_at: dt.date | None
    methods: dict[str, str | None]
    lag: LagOut
    lag_forward: LagOut
    lag_summary: LagSummaryOut
    trend: TrendOut
    lag_trend: TrendOut
    match: MatchOut | None
    uncertainty: dict[str, Any]
    series: list[SeriesRowOut]
    steps: list[StepOut]
    findings: dict[str, Any] | None = Field(
        None,
        description="How the gap and the lag moved: fitted-trend directions and the sentences "
        "of gapcast.report.findings (English).",
    )
    data_age: dict[str, Any] | None = Field(
        None, description="How old the data are and which forecast horizons have partly passed."
    )


# ---- scenarios ----------------------------------------------------------------------


class ScenarioSummaryOut(_Out):
    """A shipped scenario in the listing."""

    name: str
    title: str
    description: str
    file: str
    extends: str | None


class ScenarioFieldOut(_Out):
    """One setting of a scenario with its source."""

    path: str
    value: str
    source: str


class ParameterOut(_Out):
    """An uncertain parameter as numbers: its median, 90% interval and support."""

    path: str
    dist: str
    median: float | None
    lo90: float | None
    hi90: float | None
    support: Interval
    source: str


class ScenarioOut(_Out):
    """Every assumption of a scenario (``gapcast scenarios show --json``)."""

    name: str
    title: str
    description: str
    hash: str
    metric: str
    horizon_months: int
    groups: dict[str, str]
    fields: list[ScenarioFieldOut]
    parameters: list[ParameterOut]
    shocks: list[dict[str, Any]]
    growth_changes: list[dict[str, Any]]


# ---- forecast -----------------------------------------------------------------------


class ForecastRequestBase(BaseModel):
    """A forecast request: a scenario, overrides, and the Monte Carlo settings."""

    model_config = ConfigDict(extra="forbid")

    scenario: str = Field(
        "baseline",
        pattern=NAME_PATTERN,
        description="A shipped scenario name (GET /api/scenarios).",
    )
    model: Literal["structural", "trend"] = Field(
        "structural",
        description="structural (the headline; the trend baseline runs beside it) or trend.",
    )
    horizon: int | None = Field(
        None, ge=1, le=120, description="Months ahead (default: the scenario's horizon)."
    )
    seed: int | None = Field(
        None, ge=0, le=2**32 - 1, description="Random seed (default: the pipeline's)."
    )
    overrides: dict[str, Any] = Field(
        default_factory=dict,
        max_length=32,
        description=(
            "Scenario field path -> value, as `--set path=value` on the command line: a "
            "number fixes a distribution; a mapping gives any distribution "
            '({"dist": "beta", "interval90": [0.5, 0.9]}); lists replace lists (shocks).'
        ),
        json_schema_extra={"propertyNames": {"pattern": OVERRIDE_PATTERN}},
    )
    as_of: dt.date | None = Field(
        None, description="Forecast from this date with data up to it (default: latest)."
    )
    mc_error: float | None = Field(
        None,
        ge=0.001,
        le=0.1,
        description=(
            "Answer at once with only the draws this Monte Carlo standard error of a "
            "probability needs (`provisional: true`), and refine in the background."
        ),
    )


def forecast_request_model(max_draws: int, default_draws: int) -> type[ForecastRequestBase]:
    """Return the request model with ``draws`` bounded by the server's ``max_draws``."""
    return create_model(
        "ForecastRequest",
        __base__=ForecastRequestBase,
        draws=(
            int,
            Field(
                min(default_draws, max_draws),
                ge=1,
                le=max_draws,
                description=f"Monte Carlo draws per model (at most {max_draws:,}).",
            ),
        ),
    )


class CrossingOut(_Out):
    """The median crossing: the first month by which P(ahead) reaches 50%."""

    month: int
    date: dt.date


class FanOut(_Out):
    """Fan-chart quantiles per month (rows) and quantile (columns, named in ``quantiles``)."""

    quantiles: list[str]
    leader: list[list[float]]
    challenger: list[list[float]]
    gap: list[list[float]]


class ModelForecastOut(_Out):
    """One model's forecast (structural or trend)."""

    model: str
    draws: int
    p_ahead_within: dict[str, float]
    p_ahead_within_se: dict[str, float]
    p_sustained_within: dict[str, float] = Field(
        default_factory=dict, description="Sustained event (structural model only)."
    )
    p_ahead_at: list[float] = Field(description="P(challenger ahead at month t), t = 0..H.")
    p_ahead_by: list[float] = Field(description="P(ahead at some month 1..t), t = 0..H.")
    gap_quantiles: dict[str, dict[str, float]]
    lag_quantiles: dict[str, dict[str, float]]
    median_crossing: CrossingOut | None
    fan: FanOut


class HistoryOut(_Out):
    """A group's measured monthly frontier before the as-of date, and at it."""

    label: str
    dates: list[dt.date]
    values: list[float]


class ForecastOut(_Out):
    """A forecast: headline numbers of the model asked for, every model's detail, provenance."""

    scenario: str
    scenario_hash: str
    title: str
    model: str
    as_of: dt.date
    groups: dict[str, str]
    horizon_months: int
    p_ahead_within: dict[str, float]
    p_ahead_within_se: dict[str, float]
    gap_quantiles: dict[str, dict[str, float]]
    lag_quantiles: dict[str, dict[str, float]]
    median_crossing: CrossingOut | None
    months: list[dt.date] = Field(description="First day of month t = 0..H.")
    history: dict[str, HistoryOut]
    models: dict[str, ModelForecastOut]
    headline: dict[str, Any] | None = Field(
        None,
        description=(
            "The structural model's headline: sustained and strict events, P within 12/36/60 "
            "months with 90% intervals (parameter and scenario uncertainty), Monte Carlo "
            "error, λ and whether the data can tell."
        ),
    )
    draws: int
    seed: int
    overrides: list[str]
    data_hash: str
    version: str
    provisional: bool = Field(
        False,
        description=(
            "True for a quick answer with fewer draws (within `mc_error_target`); the full "
            "answer is being computed and a repeated request gets it."
        ),
    )
    mc_error_target: float | None = Field(
        None, description="The Monte Carlo standard error a provisional answer was sized for."
    )
    data_age: dict[str, Any] | None = Field(
        None,
        description="How old the data are today, which horizons have partly passed, and the "
        "notes that say so (`notes`, as `gapcast forecast` prints them).",
    )


# ---- trust, runs, import ------------------------------------------------------------


class RunSummaryOut(_Out):
    """A stored run."""

    id: int
    kind: str
    scenario: str | None
    scenario_hash: str | None
    data_hash: str
    seed: int | None
    version: str
    created_at: str


class RunsPage(_Out):
    """A page of stored runs, newest first."""

    total: int
    limit: int
    offset: int
    items: list[RunSummaryOut]


class RunOut(RunSummaryOut):
    """A stored run with its request and results."""

    request: dict[str, Any]
    results: dict[str, Any]
    environment: dict[str, Any] | None = Field(
        None, description="The install that made the run: package versions, kernel hash."
    )


class ImportRequest(BaseModel):
    """Files and folders on the server to import (all or nothing)."""

    model_config = ConfigDict(extra="forbid")

    paths: list[str] = Field(
        min_length=1, max_length=100, description="Paths on the server's file system."
    )


class ImportedFileOut(_Out):
    """What the import did to one file."""

    source: str
    file: str
    rows: int
    sha256: str
    license: str
    action: str


class ImportOut(_Out):
    """What an import did."""

    files: list[ImportedFileOut]
    skipped: list[str]
    data_hash: str
