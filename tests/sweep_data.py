"""A small sweep over the shipped baseline scenario on synthetic inputs (no store needed)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import gapcast
from forecast_data import baseline, inputs
from gapcast.evaluate import sweep as sw

GROWTH = "groups.challenger.compute.growth"
SHARE = "groups.challenger.serving.share"
SRC = str(Path(gapcast.__file__).resolve().parents[1])


def small_sweep(draws: int = 600) -> sw.Sweep:
    """A 3 × 2 grid of China's compute growth × serving share."""
    return sw.grid(
        [sw.Axis.parse(f"{GROWTH}=1.6:3.2:3"), sw.Axis.parse(f"{SHARE}=0.4:0.8:2")], draws, 7
    )


def model_forecast(
    model: str = "structural", horizon: int = 60, draws: int = 600
) -> sw.ModelForecast:
    """The structural model (priors) or the trend baseline on the baseline scenario and
    synthetic inputs, ``draws`` draws per point."""
    return sw.ModelForecast(
        baseline().model_dump(mode="json"),
        {"": inputs()},
        model,
        7,
        draws,
        {"": None},
        prior_size=1000,
        horizon=horizon,
    )


def _env() -> dict[str, str]:
    import os

    env = dict(os.environ)
    # the tests folder too: a test's helper class pickled by reference imports from there
    tests = str(Path(__file__).resolve().parent)
    env["PYTHONPATH"] = os.pathsep.join([SRC, tests, env.get("PYTHONPATH", "")])
    return env


@contextmanager
def dask_processes(tmp: Path, workers: int) -> Iterator[tuple[str, list[subprocess.Popen[Any]]]]:
    """Start ``dask scheduler`` and ``workers`` × ``dask worker`` as processes on 127.0.0.1.

    Yields the scheduler address and the worker processes; stops every process it started.
    Waits for the scheduler file (written once the scheduler listens), never for a time.
    """
    file = tmp / "scheduler.json"
    dask = [sys.executable, "-m", "dask"]
    procs: list[subprocess.Popen[Any]] = []
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL, "env": _env()}
    try:
        procs.append(
            subprocess.Popen(
                [
                    *dask,
                    "scheduler",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    "0",
                    "--no-dashboard",
                    "--scheduler-file",
                    str(file),
                ],
                **quiet,
            )
        )
        while not file.exists():
            if procs[0].poll() is not None:
                raise RuntimeError("dask scheduler exited")
            time.sleep(0.05)
        for _ in range(workers):
            procs.append(
                subprocess.Popen(
                    [
                        *dask,
                        "worker",
                        "--scheduler-file",
                        str(file),
                        "--nthreads",
                        "1",
                        "--no-nanny",
                        "--no-dashboard",
                        "--host",
                        "127.0.0.1",
                    ],
                    **quiet,
                )
            )
        import json

        address = str(json.loads(file.read_text())["address"])
        yield address, procs[1:]
    finally:
        for proc in reversed(procs):
            if proc.poll() is None:
                proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
