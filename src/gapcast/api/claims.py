"""``GET /api/claims``: every claim beside gapcast's value on the claim's own rules.

The JSON twin of ``gapcast claims --json`` and of the dashboard's claims panel. Results
are cached per data hash, draws and seed (the store is read-only here: prices are recorded
with ``gapcast claims record`` / ``fetch``).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field

from gapcast.api import convert
from gapcast.api.deps import Services, get_services
from gapcast.api.schemas import ErrorOut
from gapcast.usecases import claims as use

MAX_CLAIM_DRAWS = 20_000


class _Out(BaseModel):
    model_config = ConfigDict(extra="ignore")


class TheirValueOut(_Out):
    """The claim's own figure: its value, stated range, unit and when it was seen."""

    value: float | None = Field(description="The figure; null where only a bound is stated.")
    low: float | None
    high: float | None
    unit: str | None
    as_seen: dt.date | None
    from_: str = Field(alias="from", description="claims file, or '<market> price'.")


class OurValueOut(_Out):
    """gapcast's value on the claim's rules, and which model or measurement produced it."""

    value: float | None
    interval90: list[float] | None = None
    mc_se: float | None = None
    unit: str | None = None
    model: str = Field(description="trend (forecast model) or measured (re-measurement).")
    resolves_on: str = Field(description="What the value resolves on, in one line.")
    variants: dict[str, float | None] | None = Field(
        None, description="The same measurement under other rules (which models, snapshot)."
    )
    mapping: dict[str, dict[str, Any]] | None = Field(
        None, description="A claim with no metric: the answer under each metric and model."
    )
    basis: dict[str, Any] | None = None


class ClaimOut(_Out):
    """One claim beside gapcast's value."""

    id: str
    kind: str
    publisher: str | None
    title: str | None
    url: str | None
    metric: str
    leader: str | None
    challenger: str | None
    event: str
    deadline: dt.date | None
    resolution: str | None
    status: Literal["forecast", "re-measured", "not computed"]
    reason: str = Field(description="Why a claim was not computed.")
    theirs: TheirValueOut
    ours: OurValueOut | None
    difference: float | None = None
    large: bool = False
    why: str = Field("", description="Where a large difference comes from, from the numbers.")
    why_facts: dict[str, Any] | None = Field(
        None, description="The numbers behind ``why`` (models compared, closest rule, ...)."
    )


class ClaimsOut(_Out):
    """Every claim in the store (``gapcast claims --json``)."""

    as_of: dt.date | None = Field(
        description="Data end the forecasts start from; null without claims."
    )
    draws: int
    seed: int
    forecast_model: str
    claims: list[ClaimOut]
    notes: list[str]


def build_router() -> APIRouter:
    """Return the claims router (mounted under ``/api``)."""
    router = APIRouter(prefix="/api", tags=["claims"])

    @router.get(
        "/claims",
        response_model=ClaimsOut,
        responses={404: {"model": ErrorOut}, 422: {"model": ErrorOut}},
    )
    def claims(
        services: Annotated[Services, Depends(get_services)],
        draws: Annotated[int, Query(ge=100, le=MAX_CLAIM_DRAWS)] = use.CLAIMS_DRAWS,
        seed: Annotated[int | None, Query(ge=0, le=2**32 - 1)] = None,
    ) -> Any:
        """Return each market, expert and published figure beside gapcast's value.

        A store without claims answers an empty list, with a note saying how to import them.
        """

        def compute() -> dict[str, Any]:
            with services.engine, services.provider.read() as store:
                return use.evaluate(store, draws=draws, seed=seed, empty_ok=True).to_dict()

        key = ("claims", services.provider.data_hash(), draws, seed)
        found, _ = services.results.get_or_compute(key, compute)
        return convert.clean(found)

    return router
