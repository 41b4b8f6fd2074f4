"""The HTTP API in-process (TestClient) on the real data mirror: every route, errors, token."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from api_helpers import FIXTURES, TestClient, copy_with_run, finished
from gapcast.api import create_app
from gapcast.api.analysis_schemas import ThesisOut
from gapcast.api.schemas import ErrorOut, ForecastOut, GapOut, ScenarioOut
from gapcast.store import Store
from gapcast.usecases import forecast as forecast_use
from gapcast.usecases import measure as measure_use

pytestmark = pytest.mark.mirror


@pytest.fixture(scope="module")
def api_db(tmp_path_factory: pytest.TempPathFactory, mirror_db: Path) -> Path:
    return copy_with_run(mirror_db, tmp_path_factory.mktemp("api") / "api.duckdb")


@pytest.fixture(scope="module")
def client(api_db: Path) -> Iterator[TestClient]:
    app = create_app(api_db, token=None, max_draws=50_000, default_draws=2000)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def assert_error(response: Any, status: int, kind: str, field: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    ErrorOut.model_validate(body)
    assert body["error"] == kind
    assert body["message"]
    assert "Traceback" not in response.text
    if field is not None:
        assert body["field"] == field
    return body


# ---- meta, provenance, status -------------------------------------------------------


def test_health_names_the_data_and_the_optional_features(client: TestClient) -> None:
    body = client.get("/api/health").json()
    assert body["status"] == "ok"
    assert len(body["data_hash"]) == 16
    assert body["features"] == {"import": False}


def test_sources_give_every_file_with_its_licence(client: TestClient, api_db: Path) -> None:
    body = client.get("/api/sources").json()
    with Store(api_db, read_only=True) as store:
        imports = store.imports()
    assert len(body["files"]) == len(imports)
    assert sum(s["files"] for s in body["sources"]) == len(imports)
    eci = next(s for s in body["sources"] if s["source"] == "epoch_eci")
    assert eci["license"] == "CC-BY-4.0"
    assert eci["homepage"].startswith("https://epoch.ai")
    assert body["data_through"] == "2025-12-31"
    assert any("Epoch AI" in c for c in body["credits"])


def test_status_counts_the_tables(client: TestClient) -> None:
    body = client.get("/api/status").json()
    assert body["tables"]["models"] > 1000
    assert body["tables"]["scores"] > 100_000


# ---- models -------------------------------------------------------------------------


def test_models_are_paginated(client: TestClient) -> None:
    first = client.get("/api/models", params={"limit": 5}).json()
    second = client.get("/api/models", params={"limit": 5, "offset": 5}).json()
    assert first["total"] == second["total"] > 10
    assert len(first["items"]) == len(second["items"]) == 5
    ids = {m["model_id"] for m in first["items"]} & {m["model_id"] for m in second["items"]}
    assert not ids
    beyond = client.get("/api/models", params={"offset": first["total"]}).json()
    assert beyond["items"] == []


def test_models_filter_by_country_and_rank_by_metric(client: TestClient) -> None:
    body = client.get(
        "/api/models", params={"country": "China", "metric": "eci", "limit": 500}
    ).json()
    assert body["total"] == len(body["items"]) > 10
    assert {m["country"] for m in body["items"]} == {"China"}
    scores = [m["score"] for m in body["items"]]
    assert scores == sorted(scores, reverse=True)
    opened = client.get("/api/models", params={"accessibility": "open", "limit": 50}).json()
    assert {m["accessibility"] for m in opened["items"]} == {"open"}


def test_models_reject_bad_fields_by_name(client: TestClient) -> None:
    assert_error(client.get("/api/models?limit=0"), 422, "request_error", "limit")
    assert_error(
        client.get("/api/models?accessibility=half"), 422, "request_error", "accessibility"
    )
    body = assert_error(client.get("/api/models?metric=nope"), 404, "not_found")
    assert "eci" in body["hint"]


# ---- gap ------------------------------------------------------------------------------


def test_gap_is_the_pipelines_gap(client: TestClient, api_db: Path) -> None:
    response = client.get("/api/gap")
    assert response.status_code == 200
    body = GapOut.model_validate(response.json())
    with Store(api_db, read_only=True) as store:
        expected = measure_use.gap(store).to_dict()
    assert body.leader.group == "United States" and body.challenger.group == "China"
    assert body.gap_points == expected["gap_points"]
    assert body.lag_months == expected["lag_months"]
    assert body.leader.model == expected["leader"]["model"]
    assert len(body.series) == len(expected["series"])


def test_gap_by_accessibility_and_as_of(client: TestClient) -> None:
    body = client.get("/api/gap", params={"group_by": "accessibility"}).json()
    assert (body["leader"]["group"], body["challenger"]["group"]) == ("closed", "open")
    past = client.get("/api/gap", params={"as_of": "2024-06-30"}).json()
    assert past["as_of"] <= "2024-06-30"
    assert all(row["date"] <= "2024-06-30" for row in past["series"])


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("metric=bogus", "metric"),
        ("as_of=2024-13-01", "as_of"),
        ("draws=10001", "draws"),
        ("group_by=planet", "group_by"),
        ("seed=-1", "seed"),
        ("since=2025-01-01&as_of=2024-01-01", "since"),
        ("leader=Atlantis", "leader"),
    ],
)
def test_gap_names_the_bad_field(client: TestClient, query: str, field: str) -> None:
    assert_error(client.get(f"/api/gap?{query}"), 422, "request_error", field)


# ---- scenarios and forecasts --------------------------------------------------------


def test_scenarios_list_and_show(client: TestClient) -> None:
    names = [s["name"] for s in client.get("/api/scenarios").json()]
    assert names[0] == "baseline" and "serving-bound" in names
    body = ScenarioOut.model_validate(client.get("/api/scenarios/baseline").json())
    share = next(p for p in body.parameters if p.path == "groups.challenger.serving.share")
    assert share.dist == "beta"
    assert share.lo90 is not None and share.median is not None and share.hi90 is not None
    assert 0 < share.lo90 < share.median < share.hi90 < 1
    assert body.groups == {"leader": "United States", "challenger": "China"}
    assert_error(client.get("/api/scenarios/nope"), 404, "not_found")
    assert_error(client.get("/api/scenarios/..%2Fetc"), 404, "not_found")
    assert_error(client.get("/api/scenarios/baseline.yaml"), 404, "not_found")


def test_forecast_is_cached_and_reproducible(client: TestClient, api_db: Path) -> None:
    request = {"scenario": "baseline", "draws": 3000, "seed": 11}
    first = client.post("/api/forecast", json=request)
    again = client.post("/api/forecast", json=request)
    assert first.status_code == again.status_code == 200
    assert first.headers["x-gapcast-cache"] == "miss"
    assert again.headers["x-gapcast-cache"] == "hit"
    assert first.content == again.content
    body = ForecastOut.model_validate(first.json())
    assert set(body.p_ahead_within) == {"12", "36", "60"}
    assert len(body.months) == body.horizon_months + 1
    by = body.models["structural"].p_ahead_by
    head = body.headline
    assert head is not None and head["event"] == "sustained" and head["model"] == "structural"
    for k in ("12", "36", "60"):
        assert head["interval90"][k][0] <= head["interval90"][k][1]
        assert head["p_within"][k] <= head["strict"]["p_within"][k]
    assert all(a <= b + 1e-12 for a, b in zip(by, by[1:], strict=False))
    with Store(api_db, read_only=True) as store:
        direct = forecast_use.forecast(store, "baseline", draws=3000, seed=11, save=False)
    assert body.p_ahead_within == direct.to_dict()["p_ahead_within"]
    other = client.post("/api/forecast", json={**request, "seed": 12})
    assert other.headers["x-gapcast-cache"] == "miss"


def test_forecast_overrides_change_the_answer(client: TestClient) -> None:
    base = client.post("/api/forecast", json={"draws": 3000, "seed": 3}).json()
    low = client.post(
        "/api/forecast",
        json={"draws": 3000, "seed": 3, "overrides": {"groups.challenger.serving.share": 0.1}},
    ).json()
    assert low["scenario_hash"] != base["scenario_hash"]
    assert low["overrides"] == ["groups.challenger.serving.share=0.1"]
    assert (
        low["models"]["structural"]["p_ahead_within"]["60"]
        > (base["models"]["structural"]["p_ahead_within"]["60"])
    )


def test_forecast_get_twin_answers_like_the_post(client: TestClient) -> None:
    posted = client.post(
        "/api/forecast",
        json={"draws": 2000, "seed": 5, "overrides": {"capability.catchup_lag_months": 3}},
    )
    got = client.get(
        "/api/forecast",
        params={"draws": 2000, "seed": 5, "set": "capability.catchup_lag_months=3"},
    )
    assert got.headers.get("x-gapcast-cache") == "hit", (got.status_code, got.text[:300])
    assert got.content == posted.content


def test_forecast_with_a_compute_shock(client: TestClient) -> None:
    shock = {"group": "challenger", "date": "2026-06", "factor": {"value": 3, "source": "test"}}
    body = client.post(
        "/api/forecast", json={"draws": 2000, "seed": 5, "overrides": {"shocks": [shock]}}
    ).json()
    plain = client.post("/api/forecast", json={"draws": 2000, "seed": 5}).json()
    assert (
        body["models"]["structural"]["p_ahead_within"]["60"]
        > (plain["models"]["structural"]["p_ahead_within"]["60"])
    )


@pytest.mark.parametrize(
    ("request_body", "status", "kind", "field"),
    [
        ({"draws": 50_001}, 422, "request_error", "draws"),
        ({"draws": 0}, 422, "request_error", "draws"),
        ({"horizon": 500}, 422, "request_error", "horizon"),
        ({"model": "oracle"}, 422, "request_error", "model"),
        ({"colour": "red"}, 422, "request_error", "colour"),
        ({"scenario": "nope"}, 404, "not_found", None),
        (
            {"overrides": {"groups.challenger.serving.share": 3}},
            422,
            "scenario_error",
            "groups.challenger.serving.share",
        ),
        ({"overrides": {"nope.x": 1}}, 422, "scenario_error", "nope"),
        ({"as_of": "1990-01-01"}, 422, "insufficient_data", None),
    ],
)
def test_forecast_rejects_bad_requests(
    client: TestClient, request_body: dict[str, Any], status: int, kind: str, field: str | None
) -> None:
    request = {"draws": 1000, **request_body}
    assert_error(client.post("/api/forecast", json=request), status, kind, field)


def test_malformed_json_names_the_body(client: TestClient) -> None:
    response = client.post(
        "/api/forecast", content=b"{not json", headers={"content-type": "application/json"}
    )
    body = assert_error(response, 422, "request_error")
    assert body["field"].startswith("body")


def test_concurrent_requests_share_the_store(client: TestClient) -> None:
    def call(i: int) -> int:
        if i % 2:
            return client.get("/api/gap", params={"metric": "gpqa_diamond"}).status_code
        return client.post("/api/forecast", json={"draws": 1000, "seed": 100 + i}).status_code

    with ThreadPoolExecutor(max_workers=6) as pool:
        assert set(pool.map(call, range(12))) == {200}


# ---- trust, runs ------------------------------------------------------------------------


def test_compare_gives_every_shipped_scenario_with_the_same_seed(client: TestClient) -> None:
    body = client.get("/api/compare", params={"draws": 2000, "seed": 5}).json()
    names = [row["scenario"] for row in body["rows"]]
    assert names[0] == "baseline" and {"serving-bound", "export-controls-loosen"} <= set(names)
    single = client.get(
        "/api/forecast", params={"scenario": "serving-bound", "draws": 2000, "seed": 5}
    )
    row = body["rows"][names.index("serving-bound")]
    assert row["p60"] == single.json()["p_ahead_within"]["60"]  # the same forecast
    two = client.get(
        "/api/compare", params=[("scenario", "baseline"), ("scenario", "node-doubling")]
    )
    assert [r["scenario"] for r in two.json()["rows"]] == ["baseline", "node-doubling"]
    assert_error(client.get("/api/compare", params={"scenario": "nope"}), 404, "not_found")


def test_whatif_finds_the_value_or_says_it_is_out_of_reach(client: TestClient) -> None:
    params = {"vary": "groups.challenger.compute.growth", "model": "structural", "target": 0.8}
    body = finished(client, client.get("/api/whatif", params=params)).json()
    assert body["reached"] and body["range"][0] < body["value"] < body["range"][1], body["message"]
    assert abs(body["p_at_value"] - 0.8) < 0.01 and "% chance of being ahead" in body["message"]
    far = finished(
        client, client.get("/api/whatif", params={**params, "target": 0.99, "lo": 1.5, "hi": 2.0})
    )
    assert far.json()["reached"] is False and far.json()["range"] == [1.5, 2.0]
    assert_error(
        finished(client, client.get("/api/whatif", params={**params, "lo": 1.5})),
        422,
        "request_error",
        "hi",
    )
    unknown = finished(
        client, client.get("/api/whatif", params={**params, "vary": "groups.nobody.x"})
    )
    assert "groups.nobody" in assert_error(unknown, 422, "scenario_error")["message"]
    assert_error(
        finished(client, client.get("/api/whatif", params={**params, "target": 1.5})),
        422,
        "request_error",
    )


def test_backtest_scores_every_model_against_persistence(client: TestClient) -> None:
    body = finished(client, client.get("/api/backtest", params={"metric": "eci"})).json()
    assert len(body["origins"]) >= 12 and body["horizons"] == [3, 6, 12]
    models = {s["model"] for s in body["scores"]}
    assert {"trend", "compute", "ensemble", "persistence", "linear"} <= models
    for row in body["scores"]:
        assert row["crps"] >= 0 and 0 <= row["brier"] <= 1 and 0 <= row["coverage80"] <= 1
    assert (
        finished(client, client.get("/api/backtest", params={"metric": "eci"})).json() == body
    )  # cached
    assert_error(
        finished(client, client.get("/api/backtest", params={"metric": "gpqa"})),
        422,
        "request_error",
    )


def test_sensitivity_gives_sobol_indices_with_intervals(client: TestClient) -> None:
    body = finished(
        client, client.get("/api/sensitivity", params={"scenario": "serving-bound"})
    ).json()
    assert body["scenario"] == "serving-bound" and len(body["indices"]) >= 10
    paths = {row["path"] for row in body["indices"]}
    assert "groups.challenger.serving.share" in paths
    for row in body["indices"]:
        assert row["first_ci"][0] <= row["first"] <= row["first_ci"][1]
        assert row["total_ci"][0] <= row["total"] <= row["total_ci"][1]
    compute = finished(
        client,
        client.get("/api/sensitivity", params={"scenario": "baseline", "model": "structural"}),
    )
    assert compute.json()["model"] == "structural"
    assert "posterior.row" in {row["path"] for row in compute.json()["indices"]}
    assert_error(
        finished(client, client.get("/api/sensitivity", params={"scenario": "nope"})),
        404,
        "not_found",
    )


def test_a_forecast_says_how_old_the_data_are(client: TestClient) -> None:
    body = client.get("/api/forecast", params={"draws": 500, "seed": 11}).json()
    age = body["data_age"]
    assert age["data_through"] == body["as_of"]
    assert age["today"] == dt.date.today().isoformat()
    assert age["notes"][0].startswith(f"Data through {body['as_of']}: ")
    assert set(age["months_passed"]) <= set(body["p_ahead_within"])


def test_thesis_holds_the_share_with_common_random_numbers(client: TestClient) -> None:
    params = {"shares": "0.5,0.9", "draws": 2000}
    first = client.get("/api/thesis", params=params)
    assert first.status_code == 202  # a background job, like the other heavy analyses
    assert first.json()["kind"] == "thesis"
    body = finished(client, first).json()
    ThesisOut.model_validate(body)
    assert [r["share"] for r in body["rows"]] == [0.5, 0.9]
    assert body["side"] == "challenger" and body["within_months"] == 60
    assert body["data_can_tell"] is False and "cannot tell" in body["message"]
    assert body["lambda"]["status"] == "prior"
    again = client.get("/api/thesis", params=params)
    assert again.status_code == 200 and again.json() == body
    assert_error(
        client.get("/api/thesis", params={"shares": "0.5,x"}), 422, "request_error", "shares"
    )
    assert_error(
        client.get("/api/thesis", params={"shares": "0.5,1.2"}), 422, "request_error", "shares"
    )
    assert_error(client.get("/api/thesis", params={"scenario": "nope"}), 404, "not_found")


def test_runs_list_and_show(client: TestClient) -> None:
    page = client.get("/api/runs").json()
    assert page["total"] >= 1
    run = page["items"][0]
    shown = client.get(f"/api/runs/{run['id']}").json()
    assert shown["scenario"] == "baseline" and shown["seed"] == 7
    assert "forecast" in shown["results"]
    assert_error(client.get("/api/runs/999999"), 404, "not_found")
    assert_error(client.get("/api/runs/0"), 422, "request_error", "run_id")


# ---- errors and the dashboard ------------------------------------------------------


def test_unknown_routes_and_methods_get_the_one_error_body(client: TestClient) -> None:
    body = assert_error(client.get("/api/nothing"), 404, "not_found")
    assert "GET /api/nothing" in body["message"]
    assert_error(client.delete("/api/health"), 405, "method_not_allowed")


def test_an_unexpected_error_is_a_500_without_a_traceback(api_db: Path) -> None:
    app = create_app(api_db, token=None)

    def boom() -> None:
        raise RuntimeError("secret internals")

    app.add_api_route("/api/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as c:
        response = c.get("/api/boom")
    body = assert_error(response, 500, "internal_error")
    assert "secret" not in json.dumps(body)


def test_openapi_documents_the_error_body(client: TestClient) -> None:
    schema = client.get("/api/openapi.json").json()
    forecast = schema["paths"]["/api/forecast"]["post"]
    ref = forecast["responses"]["422"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/ErrorOut")
    draws = schema["components"]["schemas"]["ForecastRequest"]["properties"]["draws"]
    assert draws["maximum"] == 50_000


def test_dashboard_and_its_offline_assets(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    for needle in ('src="/static/plotly.min.js"', 'for="scenario"', 'id="provenance"'):
        assert needle in page.text
    js = client.get("/static/plotly.min.js", headers={"accept-encoding": "identity"})
    assert js.status_code == 200 and b"plotly" in js.content[:500].lower()
    assert len(js.content) > 1_000_000
    assert client.get("/static/dashboard.js").status_code == 200
    assert_error(client.get("/static/secret.py"), 404, "not_found")


# ---- import over HTTP (token-guarded) -------------------------------------------------


def test_import_is_absent_without_a_token(client: TestClient) -> None:
    body = assert_error(
        client.post("/api/data/import", json={"paths": [str(FIXTURES)]}), 404, "not_found"
    )
    assert "GAPCAST_API_TOKEN" in body["hint"]


def test_import_needs_the_right_token(tmp_path: Path) -> None:
    db = tmp_path / "fresh.duckdb"
    Store(db).close()
    app = create_app(db, token="s3cret", import_root=FIXTURES)
    paths = {"paths": [str(FIXTURES / "epoch" / "eci.csv"), str(FIXTURES / "org_country.csv")]}
    with TestClient(app, raise_server_exceptions=False) as c:
        missing = c.post("/api/data/import", json=paths)
        assert_error(missing, 401, "unauthorized")
        assert missing.headers["www-authenticate"] == "Bearer"
        wrong = c.post("/api/data/import", json=paths, headers={"Authorization": "Bearer nope"})
        assert_error(wrong, 403, "forbidden")
        before = c.get("/api/health").json()["data_hash"]
        ok = c.post("/api/data/import", json=paths, headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200, ok.text
        assert {f["source"] for f in ok.json()["files"]} == {"epoch_eci", "org_country"}
        assert ok.json()["data_hash"] != before
        assert c.get("/api/health").json()["data_hash"] == ok.json()["data_hash"]
        bad = c.post(
            "/api/data/import",
            json={"paths": [str(FIXTURES / "bad" / "missing_column" / "eci.csv")]},
            headers={"Authorization": "Bearer s3cret"},
        )
        body = assert_error(bad, 422, "data_error")
        assert body["file"].endswith("eci.csv")
        assert c.get("/api/health").json()["data_hash"] == ok.json()["data_hash"]


def test_a_missing_store_is_503_with_a_hint(tmp_path: Path) -> None:
    app = create_app(tmp_path / "none.duckdb", token=None)
    with TestClient(app, raise_server_exceptions=False) as c:
        body = assert_error(c.get("/api/sources"), 503, "not_available")
        assert "gapcast" in body["hint"]
        assert c.get("/api/health").json()["data_hash"] is None
