"""gapcast: measure and forecast the AI capability gap between two groups.

The library is the same use cases the CLI and the API call::

    import gapcast

    with gapcast.open_store("gapcast.duckdb") as store:
        gapcast.import_paths(store, ["../shared/data"])
        print(gapcast.gap(store, "eci").result.gap_points)
        print(gapcast.forecast(store, "baseline", save=False).selected.p_ahead_within)

Names are loaded on first use, so ``import gapcast`` stays cheap and the pure cores
(``gapcast.measure``, ``gapcast.model``) never pull in the store.
"""

from __future__ import annotations

from gapcast._lazy import lazy_exports

__version__ = "0.1.0"

_EXPORTS = {
    "GapcastError": "gapcast.errors",
    "Store": "gapcast.store",
    "backtest": "gapcast.usecases.trust_nested",
    "compare": "gapcast.usecases.forecast",
    "fetch": "gapcast.usecases.data",
    "fit": "gapcast.usecases.estimate",
    "forecast": "gapcast.usecases.forecast",
    "gap": "gapcast.usecases.measure",
    "import_paths": "gapcast.usecases.data",
    "open_store": "gapcast.usecases",
    "score": "gapcast.usecases.trust",
    "sensitivity": "gapcast.usecases.trust",
    "status": "gapcast.usecases.data",
    "whatif": "gapcast.usecases.trust",
}

__all__ = sorted([*_EXPORTS, "__version__"])
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
