"""Synthetic inputs, scenarios and stores for the forecast tests (no data mirror needed)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gapcast.model.fit import TERMS, CapabilityFit
from gapcast.model.inputs import ForecastInputs, GroupData, StepHistory
from gapcast.scenario.files import Scenario, parse_scenario
from gapcast.schema import conform
from gapcast.sources.base import Parsed
from gapcast.store import FileImport, Store
from gapcast.usecases.scenarios import SCENARIO_DIR
from measure_data import CN, models, scores

AS_OF = dt.date(2025, 12, 31)


def fixed_fit(
    beta: float = 9.0, gamma: float = 10.0, delta: float = 0.0, se: float = 0.0
) -> CapabilityFit:
    """A capability fit with given coefficients (``se`` on each, independent)."""
    terms = TERMS[:4]
    est = np.array([0.0, beta, gamma, delta])
    cov = np.diag([1.0, se**2, se**2, se**2]) if se > 0 else np.zeros((4, 4))
    return CapabilityFit(
        terms, est, cov, 5.0, 100, 0.8, 96, {"leader": 50, "challenger": 50, "other": 0}, {}
    )


def group(
    label: str,
    frontier: float,
    *,
    steps: tuple[float, ...] = (2.0, 3.0, 1.0, 4.0),
    share: float = 0.5,
    since: float = 0.0,
    history: int = 24,
    slope: float = 1.0,
) -> GroupData:
    """A group whose monthly history rises by ``slope`` a month up to ``frontier``."""
    hist = frontier - slope * np.arange(history, 0, -1, dtype=np.float64)
    return GroupData(
        label, frontier, hist, StepHistory(np.array(steps), 24.0), since, share, share * 1e6
    )


def inputs(
    leader: GroupData | None = None,
    challenger: GroupData | None = None,
    fit: CapabilityFit | None = None,
) -> ForecastInputs:
    """Inputs with a US leader at 150 and a Chinese challenger at 142 by default."""
    return ForecastInputs(
        AS_OF,
        "eci",
        leader or group("United States", 150.0, share=0.75),
        challenger or group("China", 142.0, share=0.09),
        fit or fixed_fit(se=0.5),
    )


def fixed(value: float) -> dict[str, Any]:
    return {"value": value, "source": "test"}


def group_spec(label: str, **over: Any) -> dict[str, Any]:
    spec = {
        "label": label,
        "compute": {"share_adjust": fixed(1.0), "growth": fixed(2.5)},
        "serving": {"share": fixed(0.4), "demand_growth": fixed(3.0), "volatility": fixed(0.0)},
        "releases": {"rate": fixed(50.0)},
    }
    for path, value in over.items():
        node = spec
        *parents, last = path.split("__")
        for p in parents:
            node = node[p]
        node[last] = value
    return spec


def scenario_mapping(**top: Any) -> dict[str, Any]:
    """A zero-variance scenario mapping (every quantity fixed); ``top`` replaces sections."""
    raw: dict[str, Any] = {
        "name": "test",
        "horizon_months": 24,
        "groups": {"leader": group_spec("United States"), "challenger": group_spec("China")},
        "world": {"stock_h100e": fixed(16e6), "volatility": fixed(0.0)},
        "capability": {
            "research_elasticity": fixed(4.0),
            "catchup_rate": fixed(0.0),
            "catchup_lag_months": fixed(6.0),
            "progress_leader": fixed(0.5),
            "progress_challenger": fixed(0.5),
            "shock_scale": fixed(0.0),
            "shock_df": fixed(5.0),
            "release_noise": fixed(0.0),
        },
    }
    raw.update(top)
    return raw


def scenario(**top: Any) -> Scenario:
    from gapcast.scenario.files import validate_scenario

    return validate_scenario(scenario_mapping(**top))


def with_sets(base: Scenario, *sets: str) -> Scenario:
    from gapcast.scenario.files import apply_override, validate_scenario

    raw = base.model_dump(mode="json")
    for item in sets:
        raw = apply_override(raw, item)
    return validate_scenario(raw)


def baseline_text() -> str:
    return (SCENARIO_DIR / "baseline.yaml").read_text()


def baseline() -> Scenario:
    return parse_scenario(baseline_text())


# ---- a synthetic store ----------------------------------------------------------------------


def _eci_records() -> list[dict[str, Any]]:
    """US and Chinese ECI models 2023-2025 with training compute.

    ``ECI = 9 log10 C + 10 (year - 2023) - 100 (+1 for China)`` plus a small wobble; compute
    varies around each group's trend so the fit's terms are identifiable.
    """
    out: list[dict[str, Any]] = []
    wobble = (0.3, -0.2, 0.1, -0.3, 0.2, 0.0, -0.1, 0.25, -0.25, 0.15, -0.05, 0.05)
    for i in range(12):
        day = pd.Timestamp("2023-01-15") + pd.DateOffset(months=3 * i)
        year = 2023 + (day.day_of_year - 1) / 365.25 + day.year - 2023
        for who, country, flop, offset in (
            ("us", "United States", 25.0 + 0.1 * i + wobble[i], 0.0),
            ("cn", CN, 24.0 + 0.1 * i - wobble[(i + 5) % 12], 1.0),
        ):
            value = 9.0 * flop + 10.0 * (year - 2023) - 100.0 + offset + (i % 3 - 1) * 0.2
            out.append(
                {
                    "model": f"{who}-{i}",
                    "value": value,
                    "date": day.date().isoformat(),
                    "country": country,
                    "organization": "Lab",
                    "flop": 10**flop,
                }
            )
    return out


def compute_rows() -> pd.DataFrame:
    rows = [
        {"name": "us-1", "country": "United States", "date": "2024-01-01", "h100e": 800_000.0},
        {"name": "cn-1", "country": CN, "date": "2024-01-01", "h100e": 100_000.0},
        {"name": "de-1", "country": "Germany", "date": "2024-01-01", "h100e": 100_000.0},
    ]
    frame = pd.DataFrame(
        [
            {
                **r,
                "owner": None,
                "end_date": pd.NaT,
                "status": "existing",
                "certainty": None,
                "counted": True,
                "source": "epoch_gpu_clusters",
                "file": "gpu_clusters.csv",
                "row": i + 2,
            }
            for i, r in enumerate(rows)
        ]
    )
    frame["date"] = pd.to_datetime(frame["date"])
    frame["end_date"] = pd.to_datetime(frame["end_date"])
    return conform(frame, "compute")


def make_forecast_db(path: Path) -> Path:
    """A store with synthetic ECI scores, training compute and GPU-cluster compute."""
    records = _eci_records()
    score_table = scores([{k: v for k, v in r.items() if k != "flop"} for r in records])
    model_table = models(
        [
            {"model_id": r["model"], "date": r["date"], "flop": r["flop"], "country": r["country"]}
            for r in records
        ]
    )
    parsed = Parsed(
        "test",
        "synthetic.csv",
        {"scores": score_table, "models": model_table, "compute": compute_rows()},
    )
    with Store(path) as store:
        store.import_files([FileImport(parsed, "1" * 64, "test")])
    return path
