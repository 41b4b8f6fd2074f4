"""The nested backtest on the data mirror, reduced (a few origins): ECI tunes, LMArena held out."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from gapcast.evaluate.history import known_at, month_of
from gapcast.store import Store
from gapcast.usecases import trust_nested
from gapcast.usecases.forecast_inputs import Tables

pytestmark = pytest.mark.mirror


def test_reduced_nested_backtest_on_the_mirror(mirror_db: Path) -> None:
    with Store(mirror_db, read_only=True) as store:
        tables = Tables.load(store)
        result = trust_nested.track_record(
            store, ["eci", "lmarena", "gpqa_diamond"], (1, 3), start="2025-05", tables=tables
        )
        datas, _ = trust_nested.load_data(tables, ["lmarena"])
    doc = result.to_dict()
    assert doc["origins"]["eci"][0] == "2025-05"
    assert set(doc["held_out"]) == {"lmarena", "gpqa_diamond"}
    rows = {(r["metric"], r["target"], r["model"], r["horizon"]): r for r in doc["scores"]}
    for metric in ("eci", "lmarena", "gpqa_diamond"):
        r = rows[(metric, "gap", "trend", 1)]
        assert 1 <= r["coverage"]["80"]["n_eff"] <= r["n"]
        assert r["baseline"] in ("no_change", "drift", "local_trend")
        assert np.isfinite(r["crps"]) and 0 <= r["pit_p"] <= 1
    # one tuned window and rho per origin month, chosen on ECI, shared by the held-out metrics
    assert [t["origin"][:7] for t in doc["calibrated"]["per_origin"]][0] == "2025-05"
    # the ECI frontiers as known at an origin end at that origin's month
    eci = datas["eci"]
    known = known_at(eci, month_of(eci.end) - 3)
    assert known.both and known.months[-1] == month_of(eci.end) - 3
