"""Bounds on what a request may ask, and caches that follow what decides a result.

Each test here failed before its fix: a recalibration was served stale until restart,
``set=`` expanded YAML aliases (170 bytes became 358 KB), ``shocks`` and request bodies
were unbounded, the token-guarded import read any server path and unzipped members of
any size, and heavy routes computed inside the request.
"""

from __future__ import annotations

import io
import json
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from api_helpers import TestClient
from gapcast.api import create_app
from gapcast.api.jobs import JobQueue
from gapcast.errors import DataError
from gapcast.evaluate.calibration import Calibration
from gapcast.store import Store
from gapcast.usecases import data as data_use
from gapcast.usecases import scenarios as scenario_files
from gapcast.usecases.data import import_paths

pytestmark = pytest.mark.mirror

FIXTURES = Path(__file__).resolve().parent / "fixtures"
SMALL = (
    "epoch/eci.csv",
    "epoch/notable_ai_models.csv",
    "epoch/ml_hardware.csv",
    "epoch/gpu_clusters.csv",
    "org_country.csv",
)
"""Mirror files enough for a forecast (a small store, quick to build)."""

BOMB = "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: [*c,*c,*c,*c,*c,*c,*c,*c,*c]"  # noqa: E501


@pytest.fixture(scope="module")
def small_db(tmp_path_factory: pytest.TempPathFactory, mirror: Path) -> Path:
    path = tmp_path_factory.mktemp("limits") / "small.duckdb"
    with Store(path) as store:
        import_paths(store, [mirror / name for name in SMALL])
    return path


@pytest.fixture
def client(small_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("GAPCAST_STATE_DIR", str(tmp_path / "state"))
    app = create_app(small_db, token="t0k", default_draws=400, job_workers=0, import_root=tmp_path)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_a_recalibration_is_served_without_a_restart(client: TestClient) -> None:
    params = {"model": "trend", "draws": 400}
    first = client.get("/api/forecast", params=params)
    assert first.status_code == 200, first.text
    assert client.get("/api/forecast", params=params).headers["x-gapcast-cache"] == "hit"
    shipped = scenario_files.load_calibration()
    assert shipped is not None
    values = {**shipped.values, "trend.common_progress": 0.1}
    written = scenario_files.write_calibration(Calibration(values, shipped.provenance))
    assert written.parent.name == "state"  # the user's folder, never the package
    again = client.get("/api/forecast", params=params)
    assert again.headers["x-gapcast-cache"] == "miss"
    assert again.json()["models"]["trend"] != first.json()["models"]["trend"]


def test_set_refuses_yaml_aliases(client: TestClient) -> None:
    assert len(BOMB) < 200
    response = client.get("/api/forecast", params={"set": f"description={BOMB}"})
    assert response.status_code == 422
    assert "anchors and aliases" in response.json()["message"]
    assert len(response.content) < 1000
    plain = client.get("/api/forecast", params={"set": "horizon_months=24", "model": "trend"})
    assert plain.status_code == 200, plain.text


def test_shocks_and_bodies_are_bounded(client: TestClient) -> None:
    shock = {"date": "2027-01", "group": "challenger", "factor": 1.1, "source": "test"}
    body = {"overrides": {"shocks": [shock] * 65}, "model": "trend", "draws": 100}
    response = client.post("/api/forecast", json=body)
    assert response.status_code == 422, response.text[:300]
    assert "shocks" in response.json()["message"]
    huge = client.post(
        "/api/forecast",
        content=b'{"overrides": {"x": "' + b"a" * 70_000 + b'"}}',
        headers={"content-type": "application/json"},
    )
    assert huge.status_code == 413
    assert huge.json()["field"] == "body"


def test_heavy_routes_answer_at_once_with_a_job(client: TestClient) -> None:
    for url in ("/api/backtest", "/api/sensitivity", "/api/whatif?vary=world.x.y"):
        response = client.get(url)
        assert response.status_code == 202
        job = response.json()
        assert job["status"] == "queued" and response.headers["location"] == job["status_url"]
        assert client.get(job["status_url"]).json()["id"] == job["id"]
        assert client.get(job["result_url"]).status_code == 202
        assert client.get(url).json()["id"] == job["id"]  # the same inputs: the same job
    assert client.get("/api/jobs/9-000000000000").status_code == 404


def test_http_import_reads_only_under_its_root(client: TestClient, tmp_path: Path) -> None:
    auth = {"Authorization": "Bearer t0k"}
    outside = client.post(
        "/api/data/import", json={"paths": [str(FIXTURES / "org_country.csv")]}, headers=auth
    )
    assert outside.status_code == 422 and outside.json()["field"] == "paths"
    (tmp_path / "link.csv").symlink_to(FIXTURES / "org_country.csv")
    linked = client.post(
        "/api/data/import", json={"paths": [str(tmp_path / "link.csv")]}, headers=auth
    )
    assert linked.status_code == 422 and "outside" in linked.json()["message"]
    relative = client.post("/api/data/import", json={"paths": ["../../etc"]}, headers=auth)
    assert relative.status_code == 422


def test_a_server_without_an_import_root_imports_nothing(small_db: Path) -> None:
    app = create_app(small_db, token="t0k", import_root=None, job_workers=0)
    with TestClient(app, raise_server_exceptions=False) as c:
        body = {"paths": [str(FIXTURES)]}
        response = c.post("/api/data/import", json=body, headers={"Authorization": "Bearer t0k"})
        assert response.status_code == 503 and "GAPCAST_IMPORT_ROOT" in response.json()["hint"]


def test_zip_members_and_files_have_size_caps(tmp_path: Path) -> None:
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("big.csv", "a,b\n" + "0,0\n" * 50_000)  # 200 KB from about 1 KB
    assert archive.stat().st_size < 5_000
    limits = data_use.Limits(max_member_bytes=100_000)
    with pytest.raises(DataError, match="archive member is larger than 100,000 bytes"):
        data_use.collect([archive], limits)
    with pytest.raises(DataError, match="larger than 100 bytes"):
        data_use.collect([archive], data_use.Limits(max_file_bytes=100))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("ok.csv", "a\n1\n")
    (tmp_path / "ok.zip").write_bytes(buffer.getvalue())
    files, _ = data_use.collect([tmp_path / "ok.zip"], limits)
    assert [f.raw for f in files] == [b"a\n1\n"]


def test_write_calibration_is_atomic(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "calibration.json"
    shipped = scenario_files.load_calibration(scenario_files.SHIPPED_CALIBRATION)
    assert shipped is not None
    scenario_files.write_calibration(shipped, target)
    before = target.read_bytes()

    def crash(fd: int) -> None:
        raise OSError("disk full")

    monkeypatch.setattr("os.fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        scenario_files.write_calibration(
            Calibration({**shipped.values, "trend.common_progress": 0.5}, {}), target
        )
    assert target.read_bytes() == before  # never truncated
    assert [p.name for p in tmp_path.iterdir()] == ["calibration.json"]
    assert json.loads(before)["values"] == shipped.values


def test_a_slider_answer_is_provisional_then_refined(small_db: Path) -> None:
    app = create_app(small_db, token=None, job_workers=1, import_root=None)
    params = {"model": "trend", "draws": 20_000, "mc_error": 0.01, "set": "horizon_months=36"}
    with TestClient(app, raise_server_exceptions=False) as c:
        quick = c.get("/api/forecast", params=params)
        assert quick.status_code == 200, quick.text
        body = quick.json()
        assert body["provisional"] is True and body["mc_error_target"] == 0.01
        assert body["draws"] == 2500  # 0.5 / sqrt(2500) = 0.01
        assert max(body["p_ahead_within_se"].values()) <= 0.01
        for _ in range(100_000):  # the refinement's work is bounded
            full = c.get("/api/forecast", params=params)
            if not full.json()["provisional"]:
                break
            time.sleep(0.05)
        assert full.json()["draws"] == 20_000 and full.json()["mc_error_target"] is None
        exact = c.get("/api/forecast", params={k: v for k, v in params.items() if k != "mc_error"})
        assert exact.content == full.content


def test_a_newer_refinement_supersedes_queued_ones() -> None:
    queue = JobQueue(workers=0)
    first = queue.submit("forecast", ("a",), lambda: b"a", supersede=True)
    second = queue.submit("forecast", ("b",), lambda: b"b", supersede=True)
    backtest = queue.submit("backtest", ("c",), lambda: b"c")
    assert (first.status, second.status, backtest.status) == ("superseded", "queued", "queued")
    again = queue.submit("forecast", ("a",), lambda: b"a", supersede=True)
    assert again.id != first.id and again.status == "queued"
    assert second.status == "superseded" and backtest.status == "queued"
