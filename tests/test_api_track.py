"""``GET /api/track-record``: the stored nested backtest, or a note that says how to make one."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from api_helpers import TestClient
from forecast_data import make_forecast_db
from gapcast.api import create_app
from gapcast.store import Store
from gapcast.usecases import trust_nested


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_forecast_db(tmp_path_factory.mktemp("track") / "t.duckdb")


def client(db: Path) -> Iterator[TestClient]:
    with TestClient(create_app(db, token=None), raise_server_exceptions=False) as c:
        yield c


def test_track_record_missing_then_stored(db: Path) -> None:
    for c in client(db):
        r = c.get("/api/track-record")
        assert r.status_code == 200
        body = r.json()
        assert body["stored"] is False
        assert body["message"] == "no nested backtest is stored yet"
        assert "gapcast backtest" in body["hint"]
    with Store(db) as store:
        result = trust_nested.track_record(store, ["eci"], (1, 3), 3, "2025-03")
        run_id = trust_nested.save(store, result)
    for c in client(db):
        doc = c.get("/api/track-record").json()
        assert doc["stored"] is True and doc["model"] == "trend" and doc["tuning_metric"] == "eci"
        assert doc["settings"]["seed"] == 3 and doc["origins"]["eci"][0] == "2025-03"
        assert [r["horizon"] for r in doc["scores"] if r["model"] == "trend"] == [1, 3, 1, 3]
        page = c.get("/").text
        assert 'src="/static/track_record.js"' in page and 'id="track-record-body"' in page
        js = c.get("/static/track_record.js")
        assert js.status_code == 200 and "/api/track-record" in js.text
    assert run_id >= 1
