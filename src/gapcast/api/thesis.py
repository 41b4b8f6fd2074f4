"""``GET /api/thesis``: the thesis experiment (``gapcast.usecases.thesis``) as a background job.

Holding a serving share at five values runs the structural model five times, seconds to a
minute: like backtest, sensitivity and what-if, the route answers ``200`` with the result
when a job with the same key has finished, else ``202`` with the job to poll
(``gapcast.api.jobs``). The key is the content hash of everything that decides the result:
the data hash, the scenario files, the calibration, the code version with the kernels'
hash, the fitted posteriors next to the store (``routes.inputs_key``), and the request.
"""

# No ``from __future__ import annotations``: FastAPI reads the query types built per app.

import json
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query, Response

from gapcast.api import analysis_schemas as analysis
from gapcast.api import convert, jobs, schemas
from gapcast.api.deps import ApiSettings, Services, get_services
from gapcast.api.routes import _ERRORS, _shipped, inputs_key
from gapcast.errors import RequestError
from gapcast.usecases import thesis as thesis_use

ServicesDep = Annotated[Services, Depends(get_services)]


def build_router(settings: ApiSettings) -> APIRouter:
    """Return the router of ``/api/thesis``."""
    router = APIRouter(prefix="/api", responses=_ERRORS)

    @router.get(
        "/thesis",
        response_model=analysis.ThesisOut,
        tags=["forecast"],
        responses=jobs.JOB_RESPONSES,
    )
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
    ) -> Response:
        """Hold a side's serving-share path at each value (common random numbers).

        Returns P(ahead within ``within``) per value for the strict and sustained events,
        the change from the first value, λ's 90% interval, and whether the data can tell.
        """
        name = _shipped(scenario)
        try:
            values = tuple(float(x) for x in shares.split(",") if x.strip())
        except ValueError:
            raise RequestError("shares", f"'{shares}' is not a list of numbers") from None
        # A bad request is answered now (422), not by a failed job.
        thesis_use.check(side, values, within, draws)

        def compute() -> bytes:
            with services.heavy, services.provider.read() as store:
                report = thesis_use.thesis(store, name, side, values, within, draws, seed)
            return json.dumps(convert.clean(report.to_dict()), allow_nan=False).encode()

        key = (
            "thesis",
            services.provider.data_hash(),
            inputs_key(services),
            (name, side, values, within, draws, seed),
        )
        return jobs.answer(services.jobs.submit("thesis", key, compute))

    return router


__all__ = ["build_router"]
