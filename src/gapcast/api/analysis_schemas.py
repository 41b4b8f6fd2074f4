"""Wire schemas of the analysis routes: compare, backtest, sensitivity and what-if.

Kept apart from ``schemas.py`` (shared by several developers) so the heavy routes have
real response models instead of ``dict[str, Any]``. Fields that other parts of gapcast
are still reshaping (the backtest's score rows) are typed as far as they are stable and
allow more (``extra="allow"``).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    model_config = ConfigDict(extra="allow")


class CompareRowOut(_Open):
    """One scenario's summary (``p<k>`` and ``se<k>`` per horizon ``k`` besides these)."""

    scenario: str
    model: str
    horizon: int
    gap_median: float | None
    gap_q05: float | None
    gap_q95: float | None
    lag_median: float | None
    median_crossing: str | None
    run_id: int | None = None


class CompareOut(_Open):
    """Scenarios forecast side by side with the same seed and data."""

    model: str
    draws: int
    seed: int
    data_hash: str
    rows: list[CompareRowOut]


class SobolIndexOut(_Open):
    """First- and total-order Sobol index of one parameter, with 95% intervals."""

    path: str
    first: float | None
    first_ci: list[float | None]
    total: float | None
    total_ci: list[float | None]


class SensitivityOut(_Open):
    """Sobol indices of P(ahead within a horizon) for each uncertain parameter."""

    scenario: str
    model: str
    output: str
    indices: list[SobolIndexOut]
    outputs: dict[str, Any]
    parameters: list[Any]
    evaluations: int
    seed: int
    data_hash: str
    version: str
    notes: list[str]


class WhatifPointOut(BaseModel):
    """One evaluated value of the assumption and its probability."""

    value: float | None
    p: float | None


class WhatifOut(_Open):
    """The value of one assumption at which P(ahead within ``within``) reaches ``target``."""

    path: str
    model: str
    target: float
    within: int
    range: list[float | None]
    reached: bool
    value: float | None
    p_at_value: float | None
    p_at_range: list[float | None]
    grid: list[WhatifPointOut]
    evaluations: int
    message: str
    notes: list[str]


class BacktestScoreOut(_Open):
    """Scores of one model at one horizon (more metrics may follow)."""

    model: str
    horizon: int
    crps: float | None = None


class BacktestOut(_Open):
    """The backtest record: scores per model and horizon over the origins."""

    metric: str
    origins: list[str]
    horizons: list[int]
    scores: list[BacktestScoreOut] = Field(description="One row per model and horizon.")


class ThesisEventOut(_Open):
    """One event (strict or sustained lead) at one held serving share."""

    p: float = Field(description="P(event within the months asked for).")
    interval90: list[float] = Field(description="Its 90% interval over parameter uncertainty.")
    mc_se: float = Field(description="Monte Carlo error of ``p``.")
    change: float = Field(description="``p`` minus ``p`` at the first share (same draws).")


class ThesisRowOut(_Open):
    """The events at one held serving share."""

    share: float
    strict: ThesisEventOut
    sustained: ThesisEventOut


class ThesisOut(_Open):
    """The thesis experiment: one side's serving share held at each value."""

    scenario: str
    side: str
    label: str
    within_months: int
    as_of: str
    rows: list[ThesisRowOut]
    lambda_: dict[str, Any] = Field(alias="lambda", description="λ: mean, ci90, status.")
    data_can_tell: bool
    message: str
    posterior: str = Field(description="prior, or the fit's method (NUTS).")
    draws: int
    seed: int
