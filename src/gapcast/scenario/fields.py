"""The scenario schema: frozen pydantic models, one per section of a scenario file.

Parsing (``extends``, ``--set``, error messages) is ``gapcast.scenario.files``; this module
declares each field once, with its type, allowed range and help text (docs/scenarios.md
documents every field; a test checks it).

Units
-----
Growth rates and demand growth are annual multipliers (``2.5`` = 2.5x per year); the stock is
in H100-equivalents; months are calendar months; capability is on the metric's scale (ECI
points). The group roles are ``leader`` (index 0 on the groups axis) and ``challenger``
(index 1).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)

from gapcast.model.params import Beta, Fixed, LogNormal, Normal, Triangular, Uniform, _tag
from gapcast.scenario.estimation import EstimationPriors

ROLES = ("leader", "challenger")


class Fitted(BaseModel):
    """Estimated from the data by ``gapcast fit`` (with its sampling uncertainty)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    dist: Literal["fitted"] = "fitted"

    def describe(self) -> str:
        """Return ``fitted from the data``."""
        return "fitted from the data"


def _fitted_tag(value: Any) -> str | None:
    if value == "fitted":
        return "fitted"
    return _tag(value)


def _fitted_before(value: Any) -> Any:
    return {"dist": "fitted"} if value == "fitted" else value


_DIST_UNION = (
    Annotated[Fixed, Tag("fixed")]
    | Annotated[Uniform, Tag("uniform")]
    | Annotated[Normal, Tag("normal")]
    | Annotated[LogNormal, Tag("lognormal")]
    | Annotated[Beta, Tag("beta")]
    | Annotated[Triangular, Tag("triangular")]
)
Dist = Annotated[_DIST_UNION, Discriminator(_tag)]
FittedOrDist = Annotated[
    _DIST_UNION | Annotated[Fitted, Tag("fitted")],
    Discriminator(_fitted_tag),
    BeforeValidator(_fitted_before),
]
AnyDist = Fixed | Uniform | Normal | LogNormal | Beta | Triangular


def _bounded(lo: float, hi: float, *, open_lo: bool = False) -> Callable[[AnyDist], AnyDist]:
    def check(dist: AnyDist) -> AnyDist:
        low, high = dist.bounds()
        touches = open_lo and low == lo and not isinstance(dist, LogNormal | Beta)
        if low < lo or high > hi or touches:
            lo_s = f"> {lo:g}" if open_lo else f">= {lo:g}"
            allowed = f"{lo_s} and <= {hi:g}" if hi != float("inf") else lo_s
            raise ValueError(
                f"{dist.describe()} has values outside the allowed range; must be {allowed}"
            )
        return dist

    return check


Positive = Annotated[Dist, AfterValidator(_bounded(0.0, float("inf"), open_lo=True))]
NonNegative = Annotated[Dist, AfterValidator(_bounded(0.0, float("inf")))]
Share = Annotated[Dist, AfterValidator(_bounded(0.0, 1.0))]


def _month(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    match = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?", text)
    try:
        if match is None:
            raise ValueError
        year, month, day = match.group(1), match.group(2), match.group(3) or "1"
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        raise ValueError(f"{text!r} is not a valid date; use YYYY-MM or YYYY-MM-DD") from None


Month = Annotated[dt.date, BeforeValidator(_month)]


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ComputeSpec(_Spec):
    """A group's compute stock ``K``: initial share and growth."""

    share_adjust: Positive = Field(
        description=(
            "Multiplier on the group's share of world compute measured in the GPU-cluster data "
            "(the data covers 10-20% of all compute and under-reports some countries)."
        )
    )
    growth: Positive = Field(description="Annual growth multiplier of the stock (2.5 = 2.5x/yr).")


class ServingSpec(_Spec):
    """The serving share ``s``: a logit random walk drifting with demand over compute growth.

    ``logit s(t+1) = logit s(t) + (ln demand_growth - ln g(t)) / 12 + volatility * e``; no
    cap: the logit keeps the share in (0, 1), and it falls whenever compute outgrows demand.
    """

    share: Share = Field(description="Serving share s(0) at the as-of date.")
    demand_growth: Positive = Field(
        description=(
            "Annual growth multiplier of the compute that serving demand needs (tokens served "
            "times compute per token); above the compute growth the share rises, below it falls."
        )
    )
    volatility: NonNegative = Field(
        description="Monthly sd of the shocks to logit s (the share's own noise around its drift)."
    )


class ReleaseSpec(_Spec):
    """Frontier releases: Poisson with rate ``r`` per month; each observes ``C`` with noise."""

    rate: FittedOrDist = Field(
        description=(
            "Frontier releases per month; 'fitted' = Gamma posterior from the data's "
            "frontier steps."
        )
    )


class GroupSpec(_Spec):
    """One side: its label in the data and its compute, serving share and releases."""

    label: str = Field(min_length=1, description="Group label in the data (a country).")
    compute: ComputeSpec
    serving: ServingSpec
    releases: ReleaseSpec


class Groups(_Spec):
    """The two sides: ``leader`` (index 0) and ``challenger`` (index 1)."""

    leader: GroupSpec
    challenger: GroupSpec


class WorldSpec(_Spec):
    """Quantities shared by both sides."""

    stock_h100e: Positive = Field(description="World installed AI compute at as-of (H100e).")
    volatility: NonNegative = Field(description="Monthly sd of log compute stock shocks.")


class CapabilitySpec(_Spec):
    """Scenario values for the structural model's estimated parameters (``model.posterior``).

    Empty by default: the forecast draws every parameter from the posterior fitted on the data
    (``gapcast fit``, priors in ``estimation``). A value given here is a scenario assumption that
    replaces that parameter's posterior draws (e.g. faster diffusion than the data show).
    """

    research_elasticity: Dist | None = Field(
        None,
        description=(
            "lambda: ECI points per unit of ln research compute (the running maximum of "
            "(1 - s) K); replaces the fitted posterior."
        ),
    )
    catchup_rate: Share | None = Field(
        None,
        description=(
            "kappa: monthly share of the distance to the other side's capability L months "
            "back that a side behind closes; replaces the fitted posterior."
        ),
    )
    catchup_lag_months: Positive | None = Field(
        None,
        description=(
            "L: months back at which the other side's capability is caught up to "
            "(default: the fit's estimation.catch_up_lag_months)."
        ),
    )
    progress_leader: Dist | None = Field(
        None,
        description="theta_0: the leader's own ECI points per month at constant research compute.",
    )
    progress_challenger: Dist | None = Field(
        None,
        description="theta_1: the challenger's own ECI points per month at constant research "
        "compute.",
    )
    shock_scale: NonNegative | None = Field(
        None, description="sigma: scale of the monthly capability shocks (ECI points)."
    )
    shock_df: Positive | None = Field(
        None, description="Degrees of freedom of the Student-t capability shocks."
    )
    release_noise: NonNegative | None = Field(
        None,
        description="sd of a release's measured ECI around the latent capability (ECI points).",
    )

    def overrides(self) -> dict[str, Any]:
        """Return the given values by posterior parameter name (``lambda``, ``kappa``, ...)."""
        names = {
            "research_elasticity": "lambda",
            "catchup_rate": "kappa",
            "progress_leader": "theta_leader",
            "progress_challenger": "theta_challenger",
            "shock_scale": "shock_scale",
            "shock_df": "shock_df",
            "release_noise": "obs_sd",
        }
        return {n: getattr(self, f) for f, n in names.items() if getattr(self, f) is not None}


class TrendSpec(_Spec):
    """The statistical baseline (compound Poisson frontier steps with common progress)."""

    window_months: int = Field(
        24, ge=6, le=240, description="History window for step rates and sizes."
    )
    common_progress: float = Field(
        0.0,
        ge=0.0,
        lt=1.0,
        description=(
            "rho: share of the challenger's progress that follows the leader's steps "
            "(0 = independent groups; `calibrated` by `gapcast calibrate`)."
        ),
    )


class Shock(_Spec):
    """A one-off change of a group's compute stock in a month."""

    group: Literal["leader", "challenger"] = Field(description="Whose stock changes.")
    date: Month = Field(description="Month of the change (YYYY-MM or YYYY-MM-DD).")
    factor: Positive | None = Field(None, description="Multiply the stock by this.")
    add_h100e: Dist | None = Field(None, description="Add this many H100e to the stock.")
    note: str = Field("", description="What the shock stands for.")

    @model_validator(mode="after")
    def _one(self) -> Shock:
        if (self.factor is None) == (self.add_h100e is None):
            raise ValueError("give exactly one of factor or add_h100e")
        return self


class GrowthChange(_Spec):
    """A change of a group's annual compute growth from a date (e.g. export controls)."""

    group: Literal["leader", "challenger"] = Field(description="Whose growth changes.")
    date: Month = Field(description="First month of the new growth (YYYY-MM or YYYY-MM-DD).")
    factor: Positive = Field(description="Multiply the annual growth multiplier by this.")
    note: str = Field("", description="What the change stands for.")


MAX_DATED_CHANGES = 64
"""The most shocks (and growth changes) a scenario may list: each costs engine work."""


class Scenario(_Spec):
    """Every assumption of a forecast."""

    name: str = Field(min_length=1, description="Scenario name (the file's stem).")
    title: str = Field("", description="One-line title.")
    description: str = Field("", description="What the scenario assumes, in words.")
    metric: Literal["eci"] = Field("eci", description="Capability scale (ECI).")
    horizon_months: int = Field(60, ge=1, le=240, description="Months simulated.")
    groups: Groups
    world: WorldSpec
    capability: CapabilitySpec = CapabilitySpec()
    trend: TrendSpec = TrendSpec()
    shocks: tuple[Shock, ...] = Field(
        (), max_length=MAX_DATED_CHANGES, description="Dated one-off compute changes."
    )
    growth_changes: tuple[GrowthChange, ...] = Field(
        (),
        max_length=MAX_DATED_CHANGES,
        description="Dated changes of compute growth (export-control decisions).",
    )
    estimation: EstimationPriors | None = Field(
        None,
        description=(
            "Priors of the structural model's Bayesian fit (gapcast fit); without them every "
            "capability value must be given."
        ),
    )
    calibration: str = Field(
        "",
        description=(
            "Provenance of the values written `calibrated` (filled in from "
            "scenarios/calibration.json; empty when none is)."
        ),
    )

    def content_hash(self) -> str:
        """Return a hash of everything the scenario says (16 hex digits)."""
        text = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()[:16]

    def group(self, role: str) -> GroupSpec:
        """Return the ``leader`` or ``challenger`` spec."""
        return self.groups.leader if role == "leader" else self.groups.challenger
