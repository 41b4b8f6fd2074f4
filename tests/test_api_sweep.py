"""``GET /api/sweep``: the shipped map, computed once and cached, equal to the use case."""

from __future__ import annotations

from pathlib import Path

import pytest

from api_helpers import TestClient
from forecast_data import make_forecast_db
from gapcast.api.app import create_app
from gapcast.store import Store
from gapcast.usecases import sweep as use


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_forecast_db(tmp_path_factory.mktemp("api-sweep") / "s.duckdb")


def test_shipped_map_is_served_and_cached(db: Path) -> None:
    app = create_app(db, token=None)
    with TestClient(app) as client:
        first = client.get("/api/sweep")
        assert first.status_code == 200, first.text
        misses = app.state.services.results.misses
        again = client.get("/api/sweep")
        assert app.state.services.results.misses == misses  # no second computation
        assert "/api/sweep" in client.get("/api/openapi.json").json()["paths"]
        assert again.content == first.content
    body = first.json()
    assert [a["path"] for a in body["axes"]] == [
        "groups.challenger.compute.growth",
        "groups.challenger.serving.share",
    ]
    assert body["shape"] == [7, 7]
    assert body["model"] == use.SHIPPED_MODEL and body["draws"] == use.SHIPPED_DRAWS
    assert body["groups"] == ["United States", "China"]
    with Store(db, read_only=True) as store:
        want = use.shipped(store).to_dict()
    assert body["p_within"] == want["p_within"]
    assert body["event"] == "sustained" and body["model"] == "structural"
    assert body["events"] == want["events"]
    assert "at least 2 ECI points for 3 consecutive months" in body["definition"]
    assert body["events"]["sustained"] == body["p_within"]
    for k in ("36", "60"):  # a sustained lead is a strict one first
        strict, sustained = body["events"]["strict"][k], body["events"]["sustained"][k]
        assert all(s <= t for s, t in zip(sustained, strict, strict=True))
    assert all(0.0 <= p <= 1.0 for ps in body["p_within"].values() for p in ps)
