"""``GET /api/track-record``: the newest stored nested backtest (``gapcast backtest``).

The nested backtest refits every tuned value at every origin of six metrics and takes
minutes, so the API serves the run the CLI stored rather than computing one per request.
"""

# No ``from __future__ import annotations``: FastAPI reads the annotations at runtime.

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from gapcast.api import convert
from gapcast.api.deps import read_store
from gapcast.errors import NotFoundError
from gapcast.store import Store
from gapcast.usecases import trust_nested


def build_router() -> APIRouter:
    """Return the track-record router (mounted under ``/api``)."""
    router = APIRouter(prefix="/api")

    @router.get("/track-record", response_model=dict[str, Any], tags=["trust"])
    def track_record(store: Annotated[Store, Depends(read_store)]) -> Any:
        """Return the newest stored nested backtest: out-of-sample scores with intervals."""
        found = trust_nested.latest(store)
        if found is None:
            raise NotFoundError(
                "no nested backtest is stored yet",
                hint="run `gapcast backtest` (it stores its result) against this store",
            )
        return convert.clean(found)

    return router


__all__ = ["build_router"]
