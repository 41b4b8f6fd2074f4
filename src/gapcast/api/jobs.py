"""Background jobs: heavy analyses (backtest, sensitivity, what-if, thesis) over HTTP.

A heavy analysis takes from seconds to minutes, longer than a client should hold a
request open. Its route therefore answers at once: ``200`` with the result when a job
with the same key has finished, else ``202 Accepted`` with a job (``JobOut``) whose
``status_url`` the client polls (``GET /api/jobs/{id}``) until ``status`` is ``done``,
then fetches ``result_url``. A job's key is the content hash of everything that decides
its result (``inputs_key``): the data hash (the data's vintage), the scenario files, the
calibration in use, and the code version with the kernels' source hash, so a job is run
once per distinct input and an import or a recalibration starts a new one.

Jobs run in a small thread pool (``workers``; 0 queues them without running them, which
the fuzz test uses so that it never waits on a computation). Finished jobs are kept in a
bounded table, oldest first out.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from gapcast import __version__
from gapcast.api import analysis_schemas as analysis
from gapcast.api.schemas import ErrorOut
from gapcast.environment import kernel_hash
from gapcast.errors import GapcastError, NotFoundError
from gapcast.usecases import scenarios as scenario_files

JobStatus = Literal["queued", "running", "done", "failed", "superseded"]


@dataclass
class Job:
    """One background computation and, once finished, its result or error."""

    id: str
    kind: str
    key: Hashable
    status: JobStatus = "queued"
    submitted_at: float = field(default_factory=time.time)
    started_at: float | None = None
    finished_at: float | None = None
    result: Any = None
    error: dict[str, Any] | None = None
    error_status: int = 500

    def to_dict(self) -> dict[str, Any]:
        """Return the job's wire form (without its result)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "status": self.status,
            "submitted_at": self.submitted_at,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "status_url": f"/api/jobs/{self.id}",
            "result_url": f"/api/jobs/{self.id}/result",
            "error": self.error,
        }


class JobQueue:
    """Runs jobs in ``workers`` threads; one job per key; at most ``max_jobs`` kept."""

    def __init__(self, workers: int = 1, max_jobs: int = 256) -> None:
        self.workers = max(workers, 0)
        self.max_jobs = max(max_jobs, 1)
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._by_key: dict[Hashable, str] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._pool = ThreadPoolExecutor(self.workers) if self.workers else None

    def submit(
        self, kind: str, key: Hashable, compute: Callable[[], Any], *, supersede: bool = False
    ) -> Job:
        """Return the job of ``key``: the existing one unless it failed, else a new one.

        ``supersede`` drops the queued (not yet running) jobs of the same kind: a slider
        user wants only the latest position refined.
        """
        with self._lock:
            found = self._by_key.get(key)
            if found is not None and found in self._jobs:
                job = self._jobs[found]
                if job.status not in ("failed", "superseded"):
                    return job
            if supersede:
                for other in self._jobs.values():
                    if other.kind == kind and other.status == "queued":
                        other.status = "superseded"
            digest = hashlib.sha256(repr(key).encode()).hexdigest()[:12]
            job = Job(f"{next(self._ids)}-{digest}", kind, key)
            self._jobs[job.id] = job
            self._by_key[key] = job.id
            self._evict()
        if self._pool is not None:
            self._pool.submit(self._run, job, compute)
        return job

    def _evict(self) -> None:
        while len(self._jobs) > self.max_jobs:
            oldest = next(
                (i for i, j in self._jobs.items() if j.status in ("done", "failed", "superseded")),
                None,
            )
            if oldest is None:
                return
            job = self._jobs.pop(oldest)
            if self._by_key.get(job.key) == oldest:
                del self._by_key[job.key]

    def _run(self, job: Job, compute: Callable[[], Any]) -> None:
        with self._lock:
            if job.status != "queued":
                return
            job.status, job.started_at = "running", time.time()
        _lower_priority()
        try:
            job.result = compute()
            job.status = "done"
        except GapcastError as err:
            job.error, job.error_status, job.status = err.to_dict(), err.status_code, "failed"
        except Exception:  # a bug: reported in the job, never raised in a worker
            job.error = {"error": "internal_error", "message": "the job failed unexpectedly"}
            job.status = "failed"
        job.finished_at = time.time()

    def get(self, job_id: str) -> Job:
        """Return a job by id (``NotFoundError`` if unknown or evicted)."""
        with self._lock:
            job = self._jobs.get(job_id)
        if job is None:
            raise NotFoundError(
                f"no job '{job_id}'", hint="submit the analysis again; finished jobs expire"
            )
        return job

    def shutdown(self) -> None:
        """Stop accepting work; running jobs finish in their threads."""
        if self._pool is not None:
            self._pool.shutdown(wait=False, cancel_futures=True)


def _lower_priority() -> None:
    """Run this worker thread at the lowest CPU priority (Linux: per thread), if allowed.

    Background work (refining a provisional forecast, a backtest) then yields the cores
    to requests a user is waiting for.
    """
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)


_SIGNATURE_LOCK = threading.Lock()
_SIGNATURES: dict[tuple[Any, ...], str] = {}


def inputs_key() -> str:
    """Return a hash of the scenario files, the calibration in use and the code version.

    Read from the files' contents (re-hashed only when a file's size or time changes), so
    a recalibration or an edited scenario gives a new key while the server runs.
    """
    paths = sorted(scenario_files.SCENARIO_DIR.glob("*.yaml"))
    paths.append(scenario_files.active_calibration())
    stat: list[Any] = []
    for path in paths:
        try:
            st = path.stat()
            stat.append((str(path), st.st_size, st.st_mtime_ns))
        except OSError:
            stat.append((str(path), None))
    signature = tuple(stat)
    with _SIGNATURE_LOCK:
        found = _SIGNATURES.get(signature)
    if found is not None:
        return found
    digest = hashlib.sha256(f"{__version__}\n{kernel_hash()}\n".encode())
    for path in paths:
        digest.update(str(path.name).encode())
        digest.update(path.read_bytes() if path.is_file() else b"-")
    value = digest.hexdigest()[:16]
    with _SIGNATURE_LOCK:
        _SIGNATURES.clear()
        _SIGNATURES[signature] = value
    return value


# ---- routes ------------------------------------------------------------------------------


class JobOut(BaseModel):
    """A background job: poll ``status_url`` until ``status`` is done, then get ``result_url``."""

    model_config = ConfigDict(extra="ignore")

    id: str
    kind: str = Field(description="backtest, sensitivity, whatif or thesis.")
    status: JobStatus
    submitted_at: float = Field(description="Unix time the job was submitted.")
    started_at: float | None = None
    finished_at: float | None = None
    status_url: str
    result_url: str
    error: dict[str, Any] | None = Field(None, description="The error body, if it failed.")


JobId = Annotated[str, Path(pattern=r"^[0-9]{1,12}-[0-9a-f]{12}$")]

JOB_RESPONSES: dict[int | str, dict[str, Any]] = {
    202: {"model": JobOut, "description": "Accepted: running in the background; poll the job."},
}


def answer(job: Job) -> Response:
    """Return the result of a finished job (200), or the job to poll (202)."""
    if job.status == "done":
        return Response(job.result, media_type="application/json")
    if job.status == "failed" and job.error is not None:
        raise JobFailedError(job)
    return JSONResponse(job.to_dict(), status_code=202, headers={"Location": f"/api/jobs/{job.id}"})


class JobFailedError(GapcastError):
    """A background job that failed: its own error, with its status."""

    status_code = 422
    kind = "job_failed"

    def __init__(self, job: Job) -> None:
        error = job.error or {}
        super().__init__(str(error.get("message", "the job failed")), hint=error.get("hint"))
        self.body = error
        self.status_code = job.error_status

    def to_dict(self) -> dict[str, Any]:
        """Return the job's own error body."""
        return {**super().to_dict(), **self.body}


def build_router(get_queue: Callable[[Request], JobQueue]) -> APIRouter:
    """Return the ``/api/jobs`` router."""
    errors: dict[int | str, dict[str, Any]] = {
        404: {"model": ErrorOut, "description": "No such job (or it expired)"},
        422: {
            "model": ErrorOut,
            "description": "A request field is not allowed, or the job failed",
        },
        503: {"model": ErrorOut, "description": "Not available (the job failed on a busy store)"},
    }
    router = APIRouter(prefix="/api/jobs", tags=["jobs"], responses=errors)

    @router.get("/{id}", response_model=JobOut)
    def job_status(id: JobId, request: Request) -> JobOut:
        """Return a job's status (poll until ``done`` or ``failed``)."""
        return JobOut.model_validate(get_queue(request).get(id).to_dict())

    @router.get(
        "/{id}/result",
        response_model=analysis.BacktestOut
        | analysis.SensitivityOut
        | analysis.WhatifOut
        | analysis.ThesisOut,
        responses=JOB_RESPONSES,
    )
    def job_result(id: JobId, request: Request) -> Response:
        """Return a finished job's result (202 with the job while it runs)."""
        return answer(get_queue(request).get(id))

    return router
