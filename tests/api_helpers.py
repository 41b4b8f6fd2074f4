"""What the API, fuzz and browser tests share: a store copy with a run, a quiet TestClient."""

from __future__ import annotations

import shutil
import warnings
from pathlib import Path
from typing import Any

from starlette.exceptions import StarletteDeprecationWarning

with warnings.catch_warnings():
    # starlette.testclient warns at import that it prefers the httpx2 package.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

from gapcast.store import Store

FIXTURES = Path(__file__).resolve().parent / "fixtures"

__all__ = ["FIXTURES", "TestClient", "copy_with_run", "error_keys"]


def copy_with_run(source: Path, target: Path) -> Path:
    """Copy a store file and add one stored forecast run (small, seeded) to the copy."""
    from gapcast.usecases import forecast

    shutil.copyfile(source, target)
    with Store(target) as store:
        forecast.forecast(store, "baseline", draws=2000, seed=7, save=True)
    return target


def error_keys(body: dict[str, Any]) -> set[str]:
    """Return the keys of an error body that are not optional."""
    return {k for k in body if k in ("error", "message")}


def finished(client: Any, response: Any) -> Any:
    """Follow a background job (202) to its result: poll until it is done, then fetch it.

    The job's work is bounded; the poll count only stops a broken server from looping
    forever.
    """
    import time

    for _ in range(100_000):
        if response.status_code != 202:
            return response
        job = response.json()
        status = client.get(job["status_url"])
        if status.json()["status"] in ("done", "failed"):
            return client.get(job["result_url"])
        time.sleep(0.05)
    raise AssertionError("the job never finished")
