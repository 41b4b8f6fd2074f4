"""What a forecast derives from the data alone is measured once per data hash.

A dashboard slider asks for many forecasts of the same data with different assumptions.
After the first, a forecast given the store's tables reads no table again (the fitted
posterior's cache entry is found by the data hash), measures its inputs once, and reuses
the trend baseline when no assumption of the trend changed and the prior draws when no
prior changed; every number is the same as a forecast computed from scratch.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from forecast_data import make_forecast_db
from gapcast.model._outcomes import GAP_BINS, LEVEL_BINS
from gapcast.model.results import hist_quantile, hist_quantiles
from gapcast.store import Store
from gapcast.usecases import estimate, forecast_inputs
from gapcast.usecases import forecast as use
from gapcast.usecases import scenarios as scenario_files
from gapcast.usecases.forecast_inputs import Tables, build_inputs


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_forecast_db(tmp_path_factory.mktemp("memo") / "f.duckdb")


class CountingStore(Store):
    """A store copy that counts its table reads."""

    reads = 0

    def table(self, name: str) -> pd.DataFrame:
        type(self).reads += 1
        return super().table(name)


def canonical(report: use.ForecastReport) -> str:
    return json.dumps(report.to_dict(), sort_keys=True, default=str)


def clear() -> None:
    forecast_inputs._INPUTS.clear()
    use._TREND.clear()
    use._PRIORS.clear()
    estimate._FIT_KEYS.clear()
    estimate._LOADED.clear()


def test_a_repeated_forecast_reads_no_table(db: Path) -> None:
    clear()
    store = CountingStore.open(db)
    tables = Tables.load(store)
    use.forecast(store, draws=300, seed=1, save=False, tables=tables)
    CountingStore.reads = 0
    sets = ["groups.challenger.compute.growth=0.6"]
    use.forecast(store, draws=300, seed=2, overrides=sets, save=False, tables=tables)
    assert CountingStore.reads == 0


def test_memoised_forecasts_equal_fresh_ones(db: Path) -> None:
    sets = ["groups.challenger.compute.growth=0.55"]
    with Store(db, read_only=True) as store:
        clear()
        fresh = use.forecast(store, draws=400, seed=9, overrides=sets, save=False)
        tables = Tables.load(store)
        use.forecast(store, draws=400, seed=9, save=False, tables=tables)
        assert len(use._TREND) == 1
        again = use.forecast(store, draws=400, seed=9, overrides=sets, save=False, tables=tables)
        assert len(use._TREND) == 1  # the trend baseline was reused
        assert len(use._PRIORS) == 1  # and the prior draws (no fit here)
    assert canonical(again) == canonical(fresh)


def test_the_trend_is_rerun_when_its_assumptions_change(db: Path) -> None:
    with Store(db, read_only=True) as store:
        clear()
        tables = Tables.load(store)
        one = use.forecast(store, draws=300, seed=4, save=False, tables=tables)
        sets = ["trend.common_progress=0.9"]
        two = use.forecast(store, draws=300, seed=4, overrides=sets, save=False, tables=tables)
    assert len(use._TREND) == 2
    assert one.forecast.models["trend"].to_dict() != two.forecast.models["trend"].to_dict()


def test_inputs_are_measured_once_per_data_hash_and_shared_read_only(db: Path) -> None:
    clear()
    scenario = scenario_files.load("baseline")
    with Store(db, read_only=True) as store:
        tables = Tables.load(store)
    assert tables.key is not None
    first = build_inputs(tables, scenario)
    assert build_inputs(tables, scenario) is first
    with pytest.raises(ValueError, match="read-only"):
        first.leader.history[0] = 0.0
    # Other data (tables without the hash, or with another) are measured afresh.
    unkeyed = Tables(tables.scores, tables.models, tables.compute)
    assert build_inputs(unkeyed, scenario) is not first
    other = Tables(tables.scores, tables.models, tables.compute, "another-hash")
    assert build_inputs(other, scenario) is not first


@pytest.mark.parametrize("bins", [GAP_BINS, LEVEL_BINS])
def test_hist_quantiles_are_hist_quantile_row_by_row(bins: Any) -> None:
    rng = np.random.default_rng(0)
    rows = np.zeros((6, bins.n))
    for r in range(5):
        at = rng.integers(0, bins.n, 40)
        np.add.at(rows[r], at, rng.random(40))
    rows[5, -1] = 1.0  # all mass in the last bin
    qs = (0.05, 0.25, 0.5, 0.75, 0.95)
    got = hist_quantiles(rows, bins, qs)
    for r in range(rows.shape[0]):
        for j, q in enumerate(qs):
            assert got[r, j] == hist_quantile(rows[r], bins, q)


def test_a_refinement_in_small_chunks_equals_one_in_one_chunk(db: Path) -> None:
    """The API refines a slider answer in chunks of ``REFINE_CHUNK`` draws.

    The same numbers as one chunk, to the last digit.
    """
    from gapcast.api.provisional import REFINE_CHUNK

    draws = 3 * REFINE_CHUNK + 7
    with Store(db, read_only=True) as store:
        clear()
        whole = use.forecast(store, draws=draws, seed=3, save=False)
        clear()
        parts = use.forecast(store, draws=draws, seed=3, save=False, chunk=REFINE_CHUNK)
    assert canonical(parts) == canonical(whole)
