"""Property-based fuzzing of the API against its own OpenAPI schema (schemathesis, in-process).

Every operation gets generated requests, valid ones (positive mode) and ones that break the
schema (negative mode); no request may produce a 5xx, and every response must match what
the schema documents for it (status, content type, body; the one error body included).
The app under test bounds forecasts at 2,000 draws, and runs no background job
(``job_workers=0``): the heavy routes answer 202 with a queued job, so the fuzzer never
waits on a full computation (before, backtest and sensitivity computed inside the request
and hit the fuzzer's read timeout on a busy machine). At least 1,000 cases run over every
route. The number of cases run is printed (``-s`` shows it) and written to
``test-artifacts/schemathesis.txt``.

The operations are parametrised here (one test id per operation) rather than with
``schema.parametrize()``, whose test ids are not unique under this pytest, which breaks
pytest-xdist.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from api_helpers import copy_with_run
from gapcast.api import create_app

pytestmark = pytest.mark.mirror

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
EXAMPLES = {GenerationMode.POSITIVE: 60, GenerationMode.NEGATIVE: 36}
MIN_CASES = 1000
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]
CASES: list[str] = []
"""``METHOD path`` of every generated case (counted in the summary)."""

# The app is built when the module is imported, over a store file that ``fuzz_store`` fills
# before the first case (the app opens its store per request, so it may appear later).
FOLDER = Path(tempfile.mkdtemp(prefix="gapcast-fuzz-"))
APP = create_app(
    FOLDER / "fuzz.duckdb",
    token="fuzz-token",
    max_draws=2000,
    default_draws=500,
    job_workers=0,
    import_root=FOLDER,
)
SCHEMA = schemathesis.openapi.from_asgi("/api/openapi.json", APP)
OPERATIONS = [result.ok() for result in SCHEMA.get_all_operations()]


@pytest.fixture(scope="module", autouse=True)
def fuzz_store(mirror_db: Path) -> Iterator[Path]:
    db = copy_with_run(mirror_db, FOLDER / "fuzz.duckdb")
    yield db
    shutil.rmtree(FOLDER, ignore_errors=True)


@pytest.fixture(scope="module", autouse=True)
def report_cases() -> Iterator[None]:
    yield
    by_route: dict[str, int] = {}
    for name in CASES:
        by_route[name] = by_route.get(name, 0) + 1
    lines = ", ".join(f"{k}: {v}" for k, v in sorted(by_route.items()))
    summary = f"schemathesis: {len(CASES)} cases over {len(by_route)} operations ({lines})"
    print("\n" + summary)
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "schemathesis.txt").write_text(summary + "\n")
    assert len(CASES) >= MIN_CASES
    assert len(by_route) == len(OPERATIONS)


def _has_inputs(operation: Any) -> bool:
    return any(
        len(part)
        for part in (operation.query, operation.path_parameters, operation.headers, operation.body)
    )


# Negative cases need something to break: operations without inputs get positive cases only.
PARAMS = [
    pytest.param(op, mode, id=f"{op.label} {mode.value}")
    for op in OPERATIONS
    for mode in EXAMPLES
    if mode is GenerationMode.POSITIVE or _has_inputs(op)
]


@pytest.mark.parametrize(("operation", "mode"), PARAMS)
def test_no_request_produces_a_server_error(operation: Any, mode: GenerationMode) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES[mode],
        deadline=None,
        suppress_health_check=list(HealthCheck),
        derandomize=True,
        database=None,
    )
    def run(case: Any) -> None:
        CASES.append(f"{case.method} {case.path}")
        case.call_and_validate(checks=CHECKS)

    run()
