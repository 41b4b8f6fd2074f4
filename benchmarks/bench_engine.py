"""Benchmark the compute model: the engine against plain NumPy and plain Python, one process.

Runs the baseline scenario's compute model (United States vs China, inputs shaped like the
real data as of 2025-12) for 1,000,000 draws x 60 months with

(a) the engine (``gapcast.model.engine``: Numba kernels fused per draw, ``prange`` over
    slices of draws, integer tallies; parameters sampled by counter-based streams);
(b) a straightforward NumPy version of the same equations: one vectorised step per month
    over all draws, ``numpy.random.Generator`` for every random number, ``np.quantile`` for
    the fan chart (written plainly below, no tuning; it computes no lags, which the engine
    does, so the comparison flatters it a little);
(c) a per-draw pure-Python loop over the same equations on a subsample;

and prints draw-months per second, the ratios, and the peak memory (maximum resident set
size) of a separate process that runs the engine for 10,000,000 draws. Targets on two cores:
(a) >= 60 million draw-months/s, >= 4x (b), peak memory < 1.5 GB for 10M draws.

Usage: ``python benchmarks/bench_engine.py [--draws N] [--python-draws N] [--skip-memory]``.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import subprocess
import sys
import time
from pathlib import Path

import numba
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
MONTHS = 60
SEED = 2026


def build_model() -> object:
    """The baseline scenario's compute model on inputs shaped like the real data."""
    from gapcast.model.compute import ComputeModel

    from gapcast.model.fit import TERMS, CapabilityFit
    from gapcast.model.inputs import ForecastInputs, GroupData, StepHistory
    from gapcast.scenario.files import parse_scenario
    from gapcast.usecases.scenarios import SCENARIO_DIR

    scenario = parse_scenario((SCENARIO_DIR / "baseline.yaml").read_text())
    # `gapcast fit` on the mirror: beta 9.6 (se 1.0), gamma 10.9 (1.4), delta 1.4 (1.9)
    cov = np.diag([23.7**2, 1.03**2, 1.44**2, 1.95**2])
    cov[1, 2] = cov[2, 1] = -0.6 * 1.03 * 1.44
    fit = CapabilityFit(
        TERMS[:4],
        np.array([-128.1, 9.6, 10.9, 1.4]),
        cov,
        7.6,
        85,
        0.8,
        81,
        {"leader": 47, "challenger": 30, "other": 8},
        {},
    )
    us = GroupData(
        "United States",
        154.25,
        np.linspace(126.2, 153.4, 35),
        StepHistory(
            np.array([2.19, 0.53, 1.12, 6.66, 6.27, 2.14, 2.12, 0.99, 1.83, 0.28, 3.09, 0.88]), 24.0
        ),
        0.36,
        0.753,
    )
    cn = GroupData(
        "China",
        146.53,
        np.linspace(112.0, 145.6, 30),
        StepHistory(np.array([7.25, 0.67, 3.70, 3.70, 6.68, 2.28, 3.45, 0.97]), 24.0),
        0.69,
        0.0863,
    )
    return ComputeModel(
        scenario, ForecastInputs(__import__("datetime").date(2025, 12, 22), "eci", us, cn, fit)
    )


def run_engine(model: object, draws: int) -> tuple[float, float]:
    """Time the engine; return (seconds, P(ahead within 60))."""
    from gapcast.model import engine
    from gapcast.model.results import Distributions

    engine.run(model, 20_000, SEED)  # compile / load the cached kernels
    best = math.inf
    for _ in range(3):
        start = time.perf_counter()
        totals = engine.run(model, draws, SEED)
        best = min(best, time.perf_counter() - start)
    return best, float(Distributions.from_totals(totals).within()[MONTHS])


def plain_params(model: object, n: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Draw every parameter with a Generator (quantile functions of uniforms)."""
    return {path: dist.ppf(rng.random(n)) for path, dist in model.space.items()}  # type: ignore[attr-defined]


def run_numpy(model: object, n: int) -> tuple[float, float]:
    """(b) The same equations, one vectorised step per month over all draws."""
    from gapcast.model.compute import H100_FLOPS, SECONDS_PER_MONTH

    start = time.perf_counter()
    rng = np.random.default_rng(SEED)
    p = plain_params(model, n, rng)
    inp = model.inputs  # type: ignore[attr-defined]
    mean, cov = inp.fit.joint(("beta", "gamma", "delta"))
    z = np.column_stack(
        [
            (p["capability.beta"] - mean[0]) / math.sqrt(cov[0, 0]),
            (p["capability.progress"] - mean[1]) / math.sqrt(cov[1, 1]),
            (p["capability.group_term"] - mean[2]) / math.sqrt(cov[2, 2]),
        ]
    )
    beta, gamma, delta = (mean + z @ np.linalg.cholesky(cov).T).T
    beta = np.maximum(beta, 1e-6)
    alpha = gamma / beta / 12
    logt = np.log10(
        p["training.run_share"]
        * p["training.run_months"]
        * p["training.utilization"]
        * H100_FLOPS
        * SECONDS_PER_MONTH
    )
    roles = ("leader", "challenger")
    share = [inp.leader.compute_share, inp.challenger.compute_share]
    f0 = [inp.leader.frontier, inp.challenger.frontier]
    since = [inp.leader.months_since_step, inp.challenger.months_since_step]
    lk, ld, g, h, smax, a, x, r, v = ([], [], [], [], [], [], [], [], [])
    lag_l = p["world.diffusion_lag_months"]
    for b, role in enumerate(roles):
        q = lambda name, role=role: p[f"groups.{role}.{name}"]  # noqa: E731
        lk.append(np.log(p["world.stock_h100e"] * share[b] * q("compute.share_adjust")))
        ld.append(lk[b] + np.log(q("serving.share")))
        g.append(np.log(q("compute.growth")) / 12)
        h.append(np.log(q("serving.demand_growth")) / 12)
        smax.append(q("serving.max_share"))
        a.append(q("algorithms.relative_rate") * alpha)
        x.append(-alpha * np.minimum(q("algorithms.lag_months"), lag_l))
        r.append(1 - np.exp(-q("releases.rate")))
    for b in range(2):
        s = np.minimum(smax[b], np.exp(ld[b] - lk[b]))
        dlogr = np.where(s < smax[b], (g[b] - s * h[b]) / (1 - s), g[b])
        slope = np.maximum(beta * (dlogr / math.log(10) + a[b]), 0)
        phat = beta * ((lk[b] + np.log1p(-s)) / math.log(10) + logt + x[b]) + (delta if b else 0)
        v.append(f0[b] + slope * since[b] - phat)
    q_decay = 0.5 ** (1 / p["capability.efficiency_half_life_months"])
    vol, noise = p["world.volatility"], p["capability.release_noise"]
    best = np.empty((MONTHS + 1, n))
    best[0] = np.maximum(x[0], x[1])
    level = [np.full(n, f0[0]), np.full(n, f0[1])]
    dec = np.ones(n)
    ahead_by = np.zeros(n, dtype=bool)
    p_ahead_at, p_within, fan = [0.0], [0.0], []
    cols = np.arange(n)
    for t in range(1, MONTHS + 1):
        dec = dec * q_decay
        own = []
        for b in range(2):
            lk[b] = lk[b] + g[b] + vol * rng.standard_normal(n)
            ld[b] = ld[b] + h[b]
            own.append(x[b] + a[b])
        best[t] = np.maximum(own[0], own[1])
        back = t - lag_l
        i = np.clip(np.floor(back), 0, t).astype(int)
        w = back - i
        inside = best[i, cols] * (1 - w) + best[np.minimum(i + 1, t), cols] * w
        diffused = np.where(back <= 0, best[0] + alpha * back, inside)
        for b in range(2):
            x[b] = np.maximum(own[b], diffused)
            s = np.minimum(smax[b], np.exp(ld[b] - lk[b]))
            pot = beta * ((lk[b] + np.log1p(-s)) / math.log(10) + logt + x[b]) + v[0]
            if b == 1:
                pot = pot + delta + (v[1] - v[0]) * dec
            pot = pot + noise * rng.standard_normal(n)
            release = rng.random(n) < r[b]
            level[b] = np.where(release, np.maximum(level[b], pot), level[b])
        ahead = level[1] > level[0]
        ahead_by |= ahead
        p_ahead_at.append(float(ahead.mean()))
        p_within.append(float(ahead_by.mean()))
        qs = (0.05, 0.25, 0.5, 0.75, 0.95)
        fan.append(
            (
                np.quantile(level[0], qs),
                np.quantile(level[1], qs),
                np.quantile(level[0] - level[1], qs),
            )
        )
    return time.perf_counter() - start, p_within[MONTHS]


def run_python(model: object, n: int) -> tuple[float, float]:
    """(c) A per-draw pure-Python loop over the same equations."""
    from gapcast.model.compute import H100_FLOPS, SECONDS_PER_MONTH

    rng = np.random.default_rng(SEED)
    p = plain_params(model, n, rng)
    inp = model.inputs  # type: ignore[attr-defined]
    mean, cov = inp.fit.joint(("beta", "gamma", "delta"))
    chol = np.linalg.cholesky(cov)
    sd = np.sqrt(np.diag(cov))
    rand = random.Random(SEED)
    ln10 = math.log(10)
    start = time.perf_counter()
    crossed = 0
    share = (inp.leader.compute_share, inp.challenger.compute_share)
    f0 = (inp.leader.frontier, inp.challenger.frontier)
    since = (inp.leader.months_since_step, inp.challenger.months_since_step)
    for d in range(n):
        z = [
            (p[f"capability.{k}"][d] - mean[j]) / sd[j]
            for j, k in enumerate(("beta", "progress", "group_term"))
        ]
        beta, gamma, delta = (
            mean[j] + sum(chol[j][i] * z[i] for i in range(j + 1)) for j in range(3)
        )
        beta = max(beta, 1e-6)
        alpha = gamma / beta / 12
        logt = math.log10(
            p["training.run_share"][d]
            * p["training.run_months"][d]
            * p["training.utilization"][d]
            * H100_FLOPS
            * SECONDS_PER_MONTH
        )
        lag_l = p["world.diffusion_lag_months"][d]
        st = []
        for b, role in enumerate(("leader", "challenger")):

            def q(name: str, role: str = role, d: int = d) -> float:
                return float(p[f"groups.{role}.{name}"][d])

            lk = math.log(p["world.stock_h100e"][d] * share[b] * q("compute.share_adjust"))
            ld = lk + math.log(q("serving.share"))
            g, h, smax = (
                math.log(q("compute.growth")) / 12,
                math.log(q("serving.demand_growth")) / 12,
                q("serving.max_share"),
            )
            a = q("algorithms.relative_rate") * alpha
            x = -alpha * min(q("algorithms.lag_months"), lag_l)
            s = min(smax, math.exp(ld - lk))
            dlogr = (g - s * h) / (1 - s) if s < smax else g
            slope = max(beta * (dlogr / ln10 + a), 0)
            phat = beta * ((lk + math.log1p(-s)) / ln10 + logt + x) + (delta if b else 0)
            st.append(
                [
                    lk,
                    ld,
                    g,
                    h,
                    smax,
                    a,
                    x,
                    1 - math.exp(-q("releases.rate")),
                    f0[b] + slope * since[b] - phat,
                    f0[b],
                ]
            )
        decay = 0.5 ** (1 / p["capability.efficiency_half_life_months"][d])
        vol, noise = p["world.volatility"][d], p["capability.release_noise"][d]
        best = [max(st[0][6], st[1][6])]
        dec = 1.0
        ahead = False
        for t in range(1, MONTHS + 1):
            dec *= decay
            own = []
            for b in range(2):
                st[b][0] += st[b][2] + vol * rand.gauss(0, 1)
                st[b][1] += st[b][3]
                own.append(st[b][6] + st[b][5])
            best.append(max(own))
            back = t - lag_l
            if back <= 0:
                diffused = best[0] + alpha * back
            else:
                i = int(back)
                w = back - i
                diffused = best[i] * (1 - w) + best[min(i + 1, t)] * w
            for b in range(2):
                lk, ld, _, _, smax, _, _, r, v, _ = st[b]
                st[b][6] = max(own[b], diffused)
                if rand.random() < r:
                    s = min(smax, math.exp(ld - lk))
                    pot = beta * ((lk + math.log1p(-s)) / ln10 + logt + st[b][6]) + st[0][8]
                    if b == 1:
                        pot += delta + (v - st[0][8]) * dec
                    st[b][9] = max(st[b][9], pot + noise * rand.gauss(0, 1))
            ahead = ahead or st[1][9] > st[0][9]
        crossed += ahead
    return time.perf_counter() - start, crossed / n


def peak_memory(draws: int) -> float:
    """Peak resident memory (MB) of a fresh process running the engine for ``draws``.

    Reads ``VmHWM`` (Linux), which ``exec`` resets; ``ru_maxrss`` would carry over the
    parent's peak through ``fork``.
    """
    folder = str(Path(__file__).resolve().parent)
    code = (
        f"import resource, sys; sys.path.insert(0, {folder!r})\n"
        "from bench_engine import build_model, SEED\n"
        "from gapcast.model import engine\n"
        f"m = build_model(); engine.run(m, {draws}, SEED)\n"
        "try:\n"
        "    hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
        "    print(int(hwm.split()[1]))\n"
        "except OSError:\n"
        "    print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env={**os.environ}
    )
    return int(out.stdout.strip().splitlines()[-1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--draws", type=int, default=1_000_000)
    parser.add_argument("--python-draws", type=int, default=2_000)
    parser.add_argument("--memory-draws", type=int, default=10_000_000)
    parser.add_argument("--skip-memory", action="store_true")
    args = parser.parse_args()
    model = build_model()
    print(
        f"compute model, baseline scenario, {MONTHS} months; {os.cpu_count()} CPUs, "
        f"Numba {numba.__version__} with {numba.get_num_threads()} threads "
        f"({numba.config.THREADING_LAYER} threading layer)"
    )
    dm = args.draws * MONTHS
    t_a, p_a = run_engine(model, args.draws)
    t_b, p_b = run_numpy(model, args.draws)
    t_c, p_c = run_python(model, args.python_draws)
    rate_a, rate_b = dm / t_a, dm / t_b
    rate_c = args.python_draws * MONTHS / t_c
    rows = [
        ("(a) engine (Numba, fused, prange)", args.draws, t_a, rate_a, p_a),
        ("(b) plain NumPy, one step per month", args.draws, t_b, rate_b, p_b),
        ("(c) pure Python per-draw loop", args.python_draws, t_c, rate_c, p_c),
    ]
    print(f"{'':38} {'draws':>10} {'seconds':>9} {'M draw-months/s':>16} {'P(ahead<=60)':>13}")
    for name, n, secs, rate, prob in rows:
        print(f"{name:38} {n:>10,} {secs:>9.3f} {rate / 1e6:>16.2f} {prob:>13.4f}")
    print(
        f"ratio (a)/(b): {rate_a / rate_b:.1f}x   (a)/(c): {rate_a / rate_c:,.0f}x   "
        f"target: (a) >= 60 M/s and >= 4x (b)"
    )
    if not args.skip_memory:
        mb = peak_memory(args.memory_draws)
        print(
            f"peak memory, engine, {args.memory_draws:,} draws: {mb:,.0f} MB "
            f"(max RSS of the whole process; target < 1,536 MB)"
        )


if __name__ == "__main__":
    main()
