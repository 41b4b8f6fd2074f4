"""The ``estimation`` section of a scenario: priors of the structural model's Bayesian fit.

``gapcast fit`` (``gapcast.model.bayes``) estimates the structural model's parameters from
the data; this section says what is believed before the data, each prior with its source,
and the few choices of the fit that are assumptions rather than estimates (the catch-up lag
``L``, which releases count as frontier-class, how research compute is measured).

Priors may be ``normal``, ``lognormal``, ``beta``, ``uniform`` or ``fixed`` (a fixed value
is not estimated); the types and their ``interval90`` shorthand are those of
``gapcast.model.params``. Units are ECI points, months and natural logarithms (``λ`` is ECI
points per e-fold, i.e. per factor ``e ≈ 2.72``, of compute; ``λ · ln 10`` is per 10x).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Discriminator, Field, Tag

from gapcast.model.params import Beta, Fixed, LogNormal, Normal, Uniform, _tag

PriorDist = Fixed | Uniform | Normal | LogNormal | Beta
"""A distribution the sampler can use as a prior."""

_PRIOR_UNION = (
    Annotated[Fixed, Tag("fixed")]
    | Annotated[Uniform, Tag("uniform")]
    | Annotated[Normal, Tag("normal")]
    | Annotated[LogNormal, Tag("lognormal")]
    | Annotated[Beta, Tag("beta")]
)


def _within(lo: float, hi: float) -> Callable[[PriorDist], PriorDist]:
    def check(dist: PriorDist) -> PriorDist:
        low, high = dist.bounds()
        if low < lo or high > hi:
            raise ValueError(
                f"{dist.describe()} has values outside the allowed range [{lo:g}, {hi:g}]"
            )
        return dist

    return check


Prior = Annotated[
    _PRIOR_UNION,
    Discriminator(_tag),
]
PositivePrior = Annotated[Prior, AfterValidator(_within(0.0, float("inf")))]
SharePrior = Annotated[Prior, AfterValidator(_within(0.0, 1.0))]


class _Spec(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CrossSectionPriors(_Spec):
    """Priors of the cross-section ``ECI_i = a(t_i) + λ ln FLOP_i + δ [challenger] + η [other]``.

    ``a(t) = level + slope (t - 2024) + curvature (t - 2024)^2`` with ``t`` in years and
    ``ln FLOP`` centred at ``ln 1e24``.
    """

    level: Prior = Field(
        description="a(2024): ECI of a model trained with 1e24 FLOP released at the start of 2024."
    )
    slope: Prior = Field(description="ECI points per year at fixed compute (the trend's slope).")
    curvature: Prior = Field(description="ECI points per year squared (the trend's curvature).")
    challenger_offset: Prior = Field(
        description="delta: the challenger's ECI offset at equal compute and date."
    )
    other_offset: Prior = Field(
        description="eta: every other country's ECI offset at equal compute and date."
    )
    noise: PositivePrior = Field(
        description="Sd of a model's ECI around the cross-section relation (ECI points)."
    )


class EstimationPriors(_Spec):
    """Priors and choices of the structural model's Bayesian fit (``gapcast fit``)."""

    elasticity: Prior = Field(
        description=(
            "lambda: ECI points per e-fold of research compute (and of training compute in the "
            "cross-section); x ln 10 = points per 10x."
        )
    )
    catch_up: SharePrior = Field(
        description=(
            "kappa: share of the distance to the other side's state L months back closed per "
            "month (diffusion, open weights, distillation)."
        )
    )
    progress_leader: Prior = Field(
        description="theta_0: the leader's own ECI progress per month at constant research compute."
    )
    progress_challenger: Prior = Field(
        description="theta_1: the challenger's own ECI progress per month at constant research "
        "compute."
    )
    shock_scale: PositivePrior = Field(
        description="sigma: scale of the monthly Student-t capability shocks (ECI points)."
    )
    shock_df: PositivePrior = Field(
        description="Degrees of freedom of the Student-t shocks (small = heavy tails)."
    )
    release_noise: PositivePrior = Field(
        description=(
            "obs_sd: a frontier-class release's ECI noise around its side's state, beyond the "
            "reported standard error (ECI points)."
        )
    )
    initial_state_sd: PositivePrior = Field(
        description=(
            "Sd of each side's state at the start month around its first frontier-class release "
            "(ECI points)."
        )
    )
    cross_section: CrossSectionPriors
    catch_up_lag_months: int = Field(
        6,
        ge=1,
        le=24,
        description="L: months back at which the other side's state is caught up towards "
        "(an assumption, not estimated).",
    )
    frontier_margin: float = Field(
        5.0,
        gt=0.0,
        le=50.0,
        description=(
            "A month's best release of a side observes the side's state only if it is within "
            "this many ECI points of the side's best earlier release (frontier-class)."
        ),
    )
    research_proxy: Literal["clusters", "training_compute"] = Field(
        "clusters",
        description=(
            "History of ln research compute: 'clusters' = the side's counted GPU-cluster stock "
            "(serving share constant in the past), 'training_compute' = running maximum of the "
            "side's training compute."
        ),
    )

    def priors(self) -> dict[str, PriorDist]:
        """Return every prior by the fit's parameter name."""
        cs = self.cross_section
        return {
            "lambda": self.elasticity,
            "kappa": self.catch_up,
            "theta_leader": self.progress_leader,
            "theta_challenger": self.progress_challenger,
            "shock_scale": self.shock_scale,
            "shock_df": self.shock_df,
            "obs_sd": self.release_noise,
            "initial_state_sd": self.initial_state_sd,
            "cs_level": cs.level,
            "cs_slope": cs.slope,
            "cs_curvature": cs.curvature,
            "cs_challenger": cs.challenger_offset,
            "cs_other": cs.other_offset,
            "cs_noise": cs.noise,
        }

    def fingerprint(self) -> dict[str, Any]:
        """Return the section as plain JSON values (for cache keys)."""
        return self.model_dump(mode="json")


__all__ = ["CrossSectionPriors", "EstimationPriors", "PriorDist"]
