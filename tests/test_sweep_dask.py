"""Sweeps on real Dask clusters give the serial result to the last digit: a LocalCluster of 2
worker processes, ``dask scheduler`` + ``dask worker`` processes on 127.0.0.1, and a cluster
losing a worker in the middle of a sweep.

No test waits for a time: they wait on futures, events and the scheduler's file.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import cloudpickle
import numpy as np
import pytest
from distributed import Client, Event, LocalCluster

from gapcast.evaluate import sweep as sw
from gapcast.usecases import sweep as use
from sweep_data import dask_processes, model_forecast, small_sweep

# the gate below runs on the workers, which cannot import this test module
cloudpickle.register_pickle_by_value(sys.modules[__name__])


def same(a: sw.SweepResult, b: sw.SweepResult) -> bool:
    """Bit-identical probabilities and tallies."""
    return a.events == b.events and all(
        x.keys() == y.keys() and all(np.array_equal(x[k], y[k]) for k in x)
        for x, y in zip(a.tallies, b.tallies, strict=True)
    )


def test_local_cluster_of_two_processes_equals_serial() -> None:
    s, fc = small_sweep(), model_forecast()
    serial = sw.run_serial(s, fc, chunk=s.draws)
    seen: list[tuple[int, int]] = []
    result, ran_on = use.execute(
        s, fc, chunk=170, workers=2, scheduler="", progress=lambda d, n: seen.append((d, n))
    )
    assert ran_on["where"] == "local" and ran_on["workers"] == 2
    assert ran_on["tasks"] == 6 * 4
    assert same(result, serial)
    done = [d for d, _ in seen]  # results come in batches as tasks finish
    assert seen[-1] == (24, 24) and done == sorted(set(done)) and done[0] >= 1


def test_scheduler_and_worker_processes_equal_serial(tmp_path: Path) -> None:
    s, fc = small_sweep(), model_forecast()
    serial = sw.run_serial(s, fc, chunk=97)
    with dask_processes(tmp_path, workers=1) as (address, _):
        assert address.startswith("tcp://127.0.0.1:")
        result, ran_on = use.execute(s, fc, chunk=250, scheduler=address)
    assert ran_on["where"] == address
    assert same(result, serial)


@dataclass(frozen=True)
class Gated:
    """The forecast, except that tasks past the first point report and wait for ``go``."""

    inner: sw.ModelForecast
    ungated: sw.Point
    started: str

    def __call__(self, point: sw.Point, first: int, n: int) -> sw.Tally:
        if point != self.ungated:
            Path(self.started, f"{os.getpid()}-{point}-{first}").touch()
            Event("gapcast-test-go").wait()
        return self.inner(point, first, n)

    @property
    def events(self) -> tuple[str, ...]:
        return self.inner.events

    def probabilities(
        self, point: sw.Point, tally: sw.Tally, within: Sequence[int]
    ) -> dict[str, dict[int, float]]:
        return self.inner.probabilities(point, tally, within)


def test_a_worker_killed_mid_sweep_changes_nothing(tmp_path: Path) -> None:
    """Both workers are inside a task when one is killed; its task runs on the other."""
    s, fc = small_sweep(), model_forecast()
    serial = sw.run_serial(s, fc, chunk=s.draws)
    started = tmp_path / "started"
    started.mkdir()
    gated = Gated(fc, s.points[0], str(started))
    with (
        dask_processes(tmp_path, workers=2) as (address, workers),
        Client(address) as client,
    ):
        client.wait_for_workers(2)
        pids = {proc.pid for proc in workers}
        assert set(client.run(os.getpid).values()) == pids
        go = Event("gapcast-test-go", client=client)
        with ThreadPoolExecutor(1) as pool:
            running = pool.submit(use.execute, s, gated, chunk=300, client=client)
            # each worker has one thread: two gated tasks started means both are busy
            blocked: set[int] = set()
            while len(blocked) < 2:
                if running.done():  # a failure before both workers are busy: raise it
                    running.result()
                    raise AssertionError("the sweep finished before both workers were busy")
                blocked = {int(p.name.split("-")[0]) for p in started.iterdir()}
                threading.Event().wait(0.05)
            victim = next(iter(blocked))
            os.kill(victim, signal.SIGKILL)
            next(w for w in workers if w.pid == victim).wait()
            go.set()
            result, _ = running.result()
        assert len(client.scheduler_info()["workers"]) == 1
    runs = [p.name.split("-", 1) for p in started.iterdir()]
    lost = {task for pid, task in runs if int(pid) == victim}
    retried = {task for pid, task in runs if int(pid) != victim}
    assert len(lost) == 1 and lost <= retried  # the killed worker's task ran again elsewhere
    assert same(result, serial)


@pytest.fixture(autouse=True)
def _quiet_dask() -> None:
    logging.getLogger("distributed").setLevel(logging.ERROR)


def test_cluster_is_reusable_through_a_client() -> None:
    """``execute(client=...)`` runs on a cluster the caller manages (as the API could)."""
    s, fc = small_sweep(draws=200), model_forecast(draws=200)
    with (
        LocalCluster(
            n_workers=1, threads_per_worker=1, processes=False, dashboard_address=":0"
        ) as cluster,
        Client(cluster) as client,
    ):
        a, _ = use.execute(s, fc, chunk=64, client=client)
        b, _ = use.execute(s, fc, chunk=200, client=client)
    assert same(a, b)
