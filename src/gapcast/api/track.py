"""``GET /api/track-record``: the newest stored nested backtest (``gapcast backtest``).

The nested backtest refits every tuned value at every origin of six metrics and takes
minutes, so the API serves the run the CLI stored rather than computing one per request.
With none stored it answers ``{"stored": false, "message", "hint"}``.
"""

# No ``from __future__ import annotations``: FastAPI reads the annotations at runtime.

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from gapcast.api import convert
from gapcast.api.deps import read_store
from gapcast.store import Store
from gapcast.usecases import trust_nested


def build_router() -> APIRouter:
    """Return the track-record router (mounted under ``/api``)."""
    router = APIRouter(prefix="/api")

    @router.get("/track-record", response_model=dict[str, Any], tags=["trust"])
    def track_record(store: Annotated[Store, Depends(read_store)]) -> Any:
        """Return the newest stored nested backtest: out-of-sample scores with intervals.

        ``stored`` says whether there is one; without one, ``message`` and ``hint`` say how
        to make it (a 200, so the dashboard can say so without a failed request).
        """
        found = trust_nested.latest(store)
        if found is None:
            return {
                "stored": False,
                "message": "no nested backtest is stored yet",
                "hint": "run `gapcast backtest` (it stores its result) against this store",
            }
        return {"stored": True, **convert.clean(found)}

    return router


__all__ = ["build_router"]
