"""A fit written while the server runs is used at once: result caches key on the fit.

The server starts with no fitted posterior next to its store, so forecasts draw the
structural model's parameters from the priors (``headline.posterior == "prior"``). A fit
is then written through ``gapcast.usecases.estimate`` (a small stand-in posterior, stored
as ``gapcast fit`` stores one), and the same requests must answer from it: the forecast,
the provisional slider answer and the thesis, without a restart.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from api_helpers import TestClient
from gapcast.api import create_app
from gapcast.model import structural
from gapcast.store import Store
from gapcast.usecases import estimate
from gapcast.usecases import scenarios as scenario_files
from gapcast.usecases.forecast_inputs import Tables, build_inputs

pytestmark = pytest.mark.mirror


@pytest.fixture
def db(tmp_path: Path, mirror_db: Path) -> Path:
    target = tmp_path / "store" / "gapcast.duckdb"
    target.parent.mkdir()
    shutil.copyfile(mirror_db, target)
    return target


@pytest.fixture
def client(db: Path) -> Iterator[TestClient]:
    app = create_app(db, token=None, max_draws=50_000, default_draws=1000, job_workers=0)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def write_fit(db: Path) -> Path:
    """Store a stand-in posterior (method ``NUTS``) as the baseline scenario's fit."""
    scenario = scenario_files.load("baseline")
    with Store(db, read_only=True) as store:
        inputs = build_inputs(Tables.load(store), scenario)
        prior = structural.prior_posterior(scenario, inputs, 500, np.random.default_rng(3))
        path = estimate.save_posterior(store, scenario, replace(prior, method="NUTS"))
    assert path is not None and path.is_file()
    return path


def headline(response: Any) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    out: dict[str, Any] = response.json()["headline"]
    return out


def test_a_forecast_uses_a_fit_written_after_the_server_started(
    client: TestClient, db: Path
) -> None:
    params = {"draws": 500, "seed": 5}
    before = client.get("/api/forecast", params=params)
    assert headline(before)["posterior"] == "prior"
    again = client.get("/api/forecast", params=params)
    assert again.headers["X-Gapcast-Cache"] == "hit"

    write_fit(db)
    after = client.get("/api/forecast", params=params)
    assert after.headers["X-Gapcast-Cache"] == "miss"
    assert headline(after)["posterior"] == "NUTS"


def test_a_slider_answer_uses_a_fit_written_after_the_server_started(
    client: TestClient, db: Path
) -> None:
    body = {
        "draws": 4000,
        "seed": 5,
        "mc_error": 0.02,
        "overrides": {"groups.challenger.compute.growth": 0.45},
    }
    before = client.post("/api/forecast", json=body)
    assert before.json()["provisional"]
    assert headline(before)["posterior"] == "prior"

    write_fit(db)
    after = client.post("/api/forecast", json=body)
    assert after.json()["provisional"]
    assert headline(after)["posterior"] == "NUTS"


def test_the_fits_key_changes_when_a_fit_is_written(db: Path) -> None:
    assert estimate.fits_key(db) == "none"
    path = write_fit(db)
    first = estimate.fits_key(db)
    assert first != "none"
    path.unlink()
    assert estimate.fits_key(db) == "none"
