"""The reader's routes (glossary, freshness, offline docs) and the headline's own engine slot."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from api_helpers import TestClient, finished
from gapcast.api import create_app

pytestmark = pytest.mark.mirror


class Refuses:
    """A semaphore a route must not take (it raises instead of blocking)."""

    def __enter__(self) -> None:
        raise AssertionError("this route took a slot it must not take")

    def __exit__(self, *exc: object) -> None:  # pragma: no cover - never entered
        return None


@pytest.fixture(scope="module")
def client(mirror_db: Path) -> Iterator[TestClient]:
    app = create_app(mirror_db, token=None, default_draws=2000)
    with TestClient(app, raise_server_exceptions=True) as c:
        yield c


def test_the_glossary_names_every_parameter_in_each_language(client: TestClient) -> None:
    en = client.get("/api/glossary").json()
    assert en["params"]["groups.challenger.serving.share"] == (
        "Challenger: share of compute serving users"
    )
    assert en["parts"]["group_term"] == en["terms"]["persistent_offset"] == "persistent offset"
    zh = client.get("/api/glossary", params={"lang": "zh"}).json()
    assert zh["parts"]["group_term"] == "持续性偏差"
    assert client.get("/api/glossary", params={"lang": "fr"}).status_code == 422


def test_freshness_says_how_old_the_mirror_is(client: TestClient) -> None:
    body = client.get("/api/freshness").json()
    assert body["data_through"] == "2025-12-31"
    assert body["days_old"] >= 0 and set(body["months_passed"]) <= {"12", "36", "60"}


def test_gap_carries_findings_and_refuses_an_as_of_after_the_data(client: TestClient) -> None:
    body = client.get("/api/gap", params={"draws": 100}).json()
    assert body["findings"]["gap_trend"]["direction"] == "unclear"
    assert body["findings"]["lag_trend"]["direction"] == "widening"
    assert body["findings"]["together"] == "one_clear"
    assert body["data_age"]["data_through"] == "2025-12-31"
    late = client.get("/api/gap", params={"as_of": "2026-11-29"})
    assert late.status_code == 422
    assert late.json()["message"] == ("as_of: 2026-11-29 is after the data's last date, 2025-12-31")


def test_api_docs_work_offline(client: TestClient) -> None:
    page = client.get("/api/docs")
    assert page.status_code == 200 and "/api/docs/static/swagger-ui-bundle.js" in page.text
    assert "cdn" not in page.text.casefold()
    js = client.get("/api/docs/static/swagger-ui-bundle.js")
    assert js.status_code == 200 and len(js.content) > 100_000
    assert client.get("/api/docs/static/../../etc/passwd").status_code == 404


def test_a_panel_script_in_its_own_file_is_served(client: TestClient) -> None:
    assert client.get("/static/dashboard.js").status_code == 200
    assert client.get("/static/nothing-here.js").status_code == 404
    assert client.get("/static/.hidden.js").status_code == 404


def test_the_forecast_never_takes_the_side_analyses_slot(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    services: Any = client.app.state.services  # type: ignore[attr-defined]
    monkeypatch.setattr(services, "heavy", Refuses())
    body = client.post("/api/forecast", json={"scenario": "baseline", "draws": 1000}).json()
    assert 0 <= body["p_ahead_within"]["60"] <= 1

    from gapcast.usecases import trust

    class Small:
        def to_dict(self) -> dict[str, Any]:
            return {"indices": []}

    monkeypatch.setattr(services, "heavy", __import__("threading").Semaphore(1))
    monkeypatch.setattr(services, "engine", Refuses())
    monkeypatch.setattr(trust, "sensitivity", lambda *a, **k: Small())
    answer = finished(client, client.get("/api/sensitivity", params={"scenario": "serving-bound"}))
    assert answer.json() == {"indices": []}
