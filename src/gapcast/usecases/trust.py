"""The trust use cases: backtest, calibrate, sensitivity, what-if, and the track record.

``backtest`` scores forecasts made from past dates (``gapcast.evaluate.backtest``);
``calibrate`` sets the calibrated scenario values from it (``gapcast.evaluate.calibration``)
and can write ``scenarios/calibration.json``; ``sensitivity`` runs the Sobol analysis
(``gapcast.evaluate.sensitivity``); ``whatif`` solves for the value of one parameter at which
a probability reaches a target (``gapcast.evaluate.whatif``); ``score`` compares stored
forecast runs with the data imported since (``gapcast.usecases.track_record``). The CLI and
the API call these, never the model directly. Results are frozen dataclasses with
``to_dict()``; backtests, calibrations and sensitivity analyses are stored as runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from gapcast import __version__
from gapcast.defaults import TRUST_DRAWS, TRUST_START
from gapcast.errors import InsufficientDataError, RequestError
from gapcast.evaluate.backtest import BacktestResult, run_backtest
from gapcast.scenario.files import Scenario
from gapcast.store import Store
from gapcast.usecases import scenarios as scenario_files
from gapcast.usecases.forecast_inputs import Tables
from gapcast.usecases.track_record import TrackRecord, score
from gapcast.usecases.trust_origins import build_origins
from gapcast.usecases.trust_solve import sensitivity, whatif

METRICS = ("eci", "lmarena")
HORIZONS = (3, 6, 12)
START = TRUST_START
DEFAULT_DRAWS = TRUST_DRAWS
DEFAULT_SEED = 2026
MAX_DRAWS = 1_000_000
THRESHOLDS = {"eci": 5.0, "lmarena": 50.0}
"""Points within which the challenger counts as close: 5 ECI points; on LMArena 50 rating
points (about 5 ECI points at the fitted ~9 rating points per ECI point; a 57% win rate)."""

CAVEATS = (
    "Epoch re-fits ECI scores whenever it adds data: a forecast 'as of' a past date uses "
    "today's scores for the models released by then, not the scores published at the time "
    "(typical shifts ~1 point, occasionally several; see the data MANIFEST).",
    "The scenario's priors (compute growth, serving shares, world stock) are today's "
    "figures, applied at every origin; the compute shares are measured as of each origin.",
    "Origins overlap: a 12-month target is shared by up to 12 origins, so the effective "
    "number of independent checks is roughly (origins / horizon); read the coverage of a "
    "12-month interval as ~2 checks, not ~20.",
    "The calibrated values (trend.common_progress, ensemble.compute_weight, the residual "
    "half-life) were chosen on this same ECI history: the ECI scores of calibrated models "
    "are in-sample; LMArena is the out-of-sample check.",
)


def _check(metric: str, horizons: Sequence[int], draws: int, seed: int | None) -> None:
    if metric not in METRICS:
        raise RequestError("metric", f"'{metric}' is not allowed (allowed: {', '.join(METRICS)})")
    if not horizons or any(not 1 <= h <= 36 for h in horizons):
        raise RequestError("horizons", f"{list(horizons)} is not allowed (each 1 to 36 months)")
    if not 100 <= draws <= MAX_DRAWS:
        raise RequestError("draws", f"{draws} is out of range (allowed: 100 to {MAX_DRAWS:,})")
    if seed is not None and seed < 0:
        raise RequestError("seed", f"{seed} is negative (allowed: 0 or more)")


def _parse_start(start: str) -> str:
    try:
        return dt.date.fromisoformat(start + "-01" if len(start) == 7 else start).strftime("%Y-%m")
    except ValueError:
        raise RequestError("start", f"'{start}' is not a month (use YYYY-MM)") from None


def backtest(
    store: Store,
    metric: str = "eci",
    horizons: Sequence[int] = HORIZONS,
    draws: int = DEFAULT_DRAWS,
    seed: int | None = None,
    scenario: str = "baseline",
    start: str = START,
    *,
    save: bool = False,
    tables: Tables | None = None,
) -> BacktestResult:
    """Backtest the trend, compute and ensemble models and the naive baselines.

    Parameters
    ----------
    store
        The store with the imported data; with ``save`` the result is stored as a
        ``backtest`` run (the CLI does; the API reads a read-only store).
    metric
        ``eci`` or ``lmarena`` (gap in rating points within the target's snapshot).
    horizons
        Months ahead scored.
    draws, seed
        Monte Carlo draws per model and origin, and the seed (the same at every origin).
    scenario
        The scenario whose priors and calibrated values the models use.
    start
        First origin month (``YYYY-MM``).
    """
    hs = tuple(sorted(set(horizons)))
    _check(metric, hs, draws, seed)
    seed_ = DEFAULT_SEED if seed is None else seed
    first = _parse_start(start)
    tables = tables or Tables.load(store)
    sc = scenario_files.load(scenario, [f"horizon_months={max(hs)}"])
    origins, skipped = build_origins(tables, sc, metric=metric, horizons=hs, start=first)
    if not origins:
        raise InsufficientDataError(
            f"no backtest origin from {first} has an observed {metric} target",
            hint="import more data, or start earlier (--start)",
        )
    settings = _settings(sc, metric, draws, seed_, first, store)
    result = run_backtest(
        origins,
        sc,
        metric=metric,
        horizons=hs,
        draws=draws,
        seed=seed_,
        threshold=THRESHOLDS[metric],
        settings=settings,
        notes=[*CAVEATS, *skipped],
    )
    if save:
        store.save_run(
            kind="backtest",
            scenario=sc.name,
            scenario_hash=sc.content_hash(),
            data_hash=settings["data_hash"],
            seed=seed_,
            version=__version__,
            request={"metric": metric, "horizons": list(hs), "draws": draws, "start": first},
            results={"scores": [r.to_dict() for r in result.scores], "settings": settings},
        )
    return result


def _settings(
    sc: Scenario, metric: str, draws: int, seed: int, start: str, store: Store
) -> dict[str, Any]:
    return {
        "scenario": sc.name,
        "scenario_hash": sc.content_hash(),
        "calibration": sc.calibration,
        "common_progress": sc.trend.common_progress,
        "compute_weight": 0.5,  # shim: the ensemble weight is gone (issue 10b)
        "draws": draws,
        "seed": seed,
        "start": start,
        "data_hash": store.data_hash(),
        "version": __version__,
        "compute_model_scale": (
            "ECI points"
            if metric == "eci"
            else "the compute model's ECI gap change times the fitted LMArena rating per ECI "
            "point at each origin"
        ),
    }


__all__ = [
    "CAVEATS",
    "DEFAULT_DRAWS",
    "DEFAULT_SEED",
    "HORIZONS",
    "METRICS",
    "START",
    "THRESHOLDS",
    "TrackRecord",
    "backtest",
    "score",
    "sensitivity",
    "whatif",
]
