"""Installable and reproducible: private caches, recorded installs, store vintages.

Before: the Numba cache fell back to a shared, predictable temporary folder; runs
recorded gapcast's version only, so "re-run to the last digit" held only on the same
install, silently; an import replaced a file's rows and the earlier version was lost.
"""

from __future__ import annotations

import datetime as dt
import os
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cli_helpers import run_cli
from gapcast.environment import differences, environment, kernel_hash
from gapcast.model import _jit
from gapcast.paths import cache_dir, private_dir
from gapcast.sources.base import Parsed
from gapcast.store import FileImport, Store


def test_the_numba_cache_is_private_and_not_in_the_temp_folder(tmp_path: Path) -> None:
    assert _jit.CACHE_DIR, "kernels should be cached on disk"
    cache = Path(_jit.CACHE_DIR)
    assert cache.parent == cache_dir()
    assert not cache.is_relative_to(Path(tempfile.gettempdir()) / "gapcast-numba")
    assert cache.stat().st_mode & 0o077 == 0
    shared = tmp_path / "shared"
    shared.mkdir()
    os.chmod(shared, 0o777)
    assert _jit._cache_dir(shared) == ""  # a folder others can write is refused
    with pytest.raises(OSError, match="writable by other users"):
        private_dir(shared)


def _parsed(values: list[float]) -> Parsed:
    frame = pd.DataFrame(
        {
            "model_id": [f"m{i}" for i in range(len(values))],
            "metric": "eci",
            "value": values,
            "source": "demo",
            "file": "eci.csv",
            "row": range(2, len(values) + 2),
        }
    )
    return Parsed("demo", "eci.csv", {"scores": frame})


def test_runs_record_the_install_and_runs_show_names_what_differs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "runs.duckdb"
    now = environment()
    assert now["packages"]["numpy"] == np.__version__
    assert {"scipy", "numba", "jax"} <= set(now["packages"]) and now["kernel_hash"] == kernel_hash()
    elsewhere = {**now, "packages": {**now["packages"], "numpy": "1.0.0"}}
    results = {"forecast": {"models": {}}}
    with Store(db) as store:
        here = store.save_run(
            kind="forecast", scenario="baseline", scenario_hash="s", data_hash="d", seed=1,
            version="v", request={}, results=results,
        )  # fmt: skip
        there = store.save_run(
            kind="forecast", scenario="baseline", scenario_hash="s", data_hash="d", seed=1,
            version="v", request={}, results=results, environment=elsewhere,
        )  # fmt: skip
        assert store.run(here)["environment"] == now
    assert differences(now, now) == []
    code, out, _ = run_cli(capsys, "--db", str(db), "runs", "show", str(there))
    assert code == 0
    assert f"numpy: 1.0.0 then, {np.__version__} now" in " ".join(out.split())
    code, out, _ = run_cli(capsys, "--db", str(db), "runs", "show", str(here))
    assert "install differs" not in out


def test_the_store_keeps_each_version_and_as_of_selects_the_one_known_then(
    tmp_path: Path,
) -> None:
    db = tmp_path / "vintages.duckdb"
    jan, jun = dt.datetime(2025, 1, 10), dt.datetime(2025, 6, 10)
    with Store(db) as store:
        store.import_files([FileImport(_parsed([1.0, 2.0]), "v1", "x")], now=jan)
        store.import_files([FileImport(_parsed([1.5, 2.5, 3.5]), "v2", "x")], now=jun)
        assert store.vintages()["sha256"].tolist() == ["v1", "v2"]
        assert store.table("scores")["value"].tolist() == [1.5, 2.5, 3.5]
    with Store.open(db) as store:
        march = store.known_on(dt.date(2025, 3, 1))
        assert sorted(march.table("scores")["value"]) == [1.0, 2.0]
        assert sorted(store.known_on(dt.date(2025, 6, 10)).table("scores")["value"]) == [
            1.5,
            2.5,
            3.5,
        ]
        # Nothing older than the first import was kept: the first version stands in.
        assert sorted(store.known_on(dt.date(2020, 1, 1)).table("scores")["value"]) == [1.0, 2.0]
        assert march.data_hash() != store.data_hash()
        assert store.known_on(dt.date(2025, 7, 1)).data_hash() == store.data_hash()
