"""Shared fixtures: the data mirror, a seeded rng, stores, and a CLI runner."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from gapcast.store import Store

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def mirror_path() -> Path:
    """The offline mirror of the upstream data: $GAPCAST_DATA or ../shared/data."""
    return Path(os.environ.get("GAPCAST_DATA") or ROOT.parent / "shared" / "data")


@pytest.fixture(scope="session")
def mirror() -> Path:
    path = mirror_path()
    assert path.is_dir(), f"the data mirror is missing: {path}"
    return path


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(20251231)


@pytest.fixture
def store() -> Iterator[Store]:
    with Store.memory() as s:
        yield s


@pytest.fixture(scope="session")
def mirror_db(tmp_path_factory: pytest.TempPathFactory, mirror: Path) -> Path:
    """A store file with the whole mirror imported (built once per test session)."""
    from gapcast.usecases.data import import_paths

    path = tmp_path_factory.mktemp("mirror") / "gapcast.duckdb"
    with Store(path) as s:
        import_paths(s, [mirror])
    return path


@pytest.fixture(scope="session")
def reduced_track_record(mirror_db: Path) -> Any:
    """A nested backtest on the mirror, reduced: ECI and LMArena, origins from 2025-09,
    horizons 1 and 3 months, the structural model refitted at each origin with a tiny chain."""
    from gapcast.model.bayes import SamplerSettings
    from gapcast.usecases import trust_nested

    tiny = SamplerSettings(warmup=60, samples=60, chains=1)
    with Store(mirror_db, read_only=True) as store:
        return trust_nested.track_record(
            store, ["eci", "lmarena"], (1, 3), start="2025-09", sampler=tiny
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Iterator[None]:
    """Under ``GAPCAST_NO_SKIP=1`` (``.ci/run`` sets it), a skipped test fails instead."""
    outcome = yield
    report = outcome.get_result()  # type: ignore[attr-defined]
    if report.skipped and os.environ.get("GAPCAST_NO_SKIP") == "1":
        report.outcome = "failed"
        report.longrepr = f"{item.nodeid}: skipped, which CI does not allow ({report.longrepr})"
