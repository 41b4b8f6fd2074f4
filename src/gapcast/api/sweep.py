"""``GET /api/sweep``: the shipped map of P(challenger's sustained lead) over two assumptions.

The map (``gapcast.usecases.sweep.SHIPPED_VARY`` on the shipped scenario, bounded draws) is
computed in the server's process the first time it is asked for, in one engine slot, and
cached by the data hash and the scenario files; every later request is a cache hit. Larger
maps are for ``gapcast sweep`` on a Dask cluster, not for a request.
"""

# No ``from __future__ import annotations``: FastAPI reads the response model.

from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, Field

from gapcast.api.routes import ServicesDep, cached_tables, inputs_key
from gapcast.usecases import sweep as sweep_use


class AxisOut(BaseModel):
    """One varied assumption: the scenario path and its values (grid order)."""

    path: str
    values: list[float]


class SweepOut(BaseModel):
    """A map of P(challenger ahead within k months) over a grid of two assumptions."""

    scenario: str
    model: str = Field(description="The forecasting model run at each point.")
    as_of: str
    groups: list[str] = Field(description="Leader, challenger.")
    kind: str
    axes: list[AxisOut]
    shape: list[int] = Field(description="Values per axis; p_within lists are row-major.")
    draws: int = Field(description="Monte Carlo draws at each point (the same at every point).")
    seed: int
    event: str = Field(
        description="The mapped event: sustained (the headline's, structural model) or strict."
    )
    definition: str = Field(description="The mapped event in plain words.")
    p_within: dict[str, list[float]] = Field(
        description="Months -> P(event at some month within them), one per point, first axis "
        "slowest."
    )
    events: dict[str, dict[str, list[float]]] = Field(
        description="Event (strict, sustained) -> months -> P(event within them) per point."
    )
    data_hash: str
    version: str


def build_router() -> APIRouter:
    """Return the ``/api/sweep`` router."""
    router = APIRouter(prefix="/api", tags=["trust"])

    @router.get("/sweep", response_model=SweepOut)
    def sweep(services: ServicesDep) -> Any:
        """Return the shipped map: China's compute growth × its serving share (structural model).

        ``p_within`` is the headline's sustained lead; ``events`` also has the strict lead.
        """

        def compute() -> dict[str, Any]:
            with services.engine, services.provider.read() as store:
                tables = cached_tables(services, store)
                return sweep_use.shipped(store, tables).to_dict()

        key = ("sweep", services.provider.data_hash(), inputs_key(services))
        found, _ = services.results.get_or_compute(key, compute)
        return found

    return router


__all__ = ["SweepOut", "build_router"]
