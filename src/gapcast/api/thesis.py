"""``GET /api/thesis``: the thesis experiment (``gapcast.usecases.thesis``) over HTTP."""

# No ``from __future__ import annotations``: FastAPI reads the query types built per app.

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

from gapcast.api import convert, schemas
from gapcast.api.deps import ApiSettings, Services, get_services
from gapcast.api.routes import _ERRORS, _scenario_files, _shipped
from gapcast.errors import RequestError
from gapcast.usecases import thesis as thesis_use

ServicesDep = Annotated[Services, Depends(get_services)]


def build_router(settings: ApiSettings) -> APIRouter:
    """Return the router of ``/api/thesis``."""
    router = APIRouter(prefix="/api", responses=_ERRORS)

    @router.get("/thesis", response_model=dict[str, Any], tags=["forecast"])
    def thesis(
        services: ServicesDep,
        scenario: Annotated[str, Query(pattern=schemas.NAME_PATTERN)] = "baseline",
        side: Literal["leader", "challenger"] = "challenger",
        shares: Annotated[
            str,
            Query(
                max_length=200,
                description="Serving shares to hold, comma-separated (each in (0, 1)).",
            ),
        ] = "0.5,0.6,0.7,0.8,0.9",
        within: Annotated[int, Query(ge=1, le=120)] = 60,
        draws: Annotated[int, Query(ge=1, le=settings.max_draws)] = min(
            thesis_use.DEFAULT_DRAWS, settings.max_draws
        ),
        seed: Annotated[int | None, Query(ge=0, le=2**32 - 1)] = None,
    ) -> Any:
        """Hold a side's serving-share path at each value (common random numbers).

        Returns P(ahead within ``within``) per value for the strict and sustained events,
        the change from the first value, λ's 90% interval, and whether the data can tell.
        """
        name = _shipped(scenario)
        try:
            values = tuple(float(x) for x in shares.split(",") if x.strip())
        except ValueError:
            raise RequestError("shares", f"'{shares}' is not a list of numbers") from None

        def compute() -> dict[str, Any]:
            with services.engine, services.provider.read() as store:
                return thesis_use.thesis(store, name, side, values, within, draws, seed).to_dict()

        key = (
            "thesis",
            services.provider.data_hash(),
            _scenario_files(),
            (name, side, values, within, draws, seed),
        )
        found, _ = services.results.get_or_compute(key, compute)
        return convert.clean(found)

    return router


__all__ = ["build_router"]
