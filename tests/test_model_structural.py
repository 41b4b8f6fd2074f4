"""The structural model: a closed form, reproducibility, events, the headline interval and
the thesis experiment (common random numbers)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from forecast_data import inputs, scenario, with_sets
from gapcast.model import _structural_kernel as kern
from gapcast.model import engine, structural
from gapcast.model.headline import conditional_interval, summarize_events
from gapcast.model.posterior import NAMES, Posterior
from gapcast.scenario.files import validate_scenario


def fixed_posterior(inp: object, size: int = 50, **values: float) -> Posterior:
    """A posterior whose every row is the same (``values`` override the defaults)."""
    base = {
        "lambda": 4.0,
        "kappa": 0.0,
        "theta_leader": 0.5,
        "theta_challenger": 0.5,
        "shock_scale": 0.0,
        "shock_df": 5.0,
        "obs_sd": 0.0,
        "state_leader": inp.leader.frontier,  # type: ignore[attr-defined]
        "state_challenger": inp.challenger.frontier,  # type: ignore[attr-defined]
    }
    base.update(values)
    return Posterior(
        {n: np.full(size, float(base[n])) for n in NAMES},
        "NUTS",
        inp.as_of,  # type: ignore[attr-defined]
    )


def test_zero_shocks_give_the_closed_form() -> None:
    """With no shocks, kappa = 0, a constant share and a release each month, the observed
    frontier is F_b(t) = C_b(0) + (theta_b + lambda ln(g_b) / 12) t, rising from month 1."""
    sc = with_sets(
        scenario(),
        "groups.leader.compute.growth=2.5",
        "groups.challenger.compute.growth=4.0",
        "groups.leader.serving.demand_growth=2.5",  # drift 0: the share stays where it is
        "groups.challenger.serving.demand_growth=4.0",
    )
    inp = inputs()
    post = fixed_posterior(inp, theta_leader=0.4, theta_challenger=0.3, **{"lambda": 6.0})
    model = structural.StructuralModel(sc, inp, post)
    out, latent = model.paths(seed=1, draws=4)
    t = np.arange(sc.horizon_months + 1)
    lead = 150.0 + (0.4 + 6.0 * math.log(2.5) / 12) * t
    chal = 142.0 + (0.3 + 6.0 * math.log(4.0) / 12) * t
    for d in range(4):
        np.testing.assert_allclose(latent[d, :, 0], lead, rtol=0, atol=1e-9)
        np.testing.assert_allclose(latent[d, :, 1], chal, rtol=0, atol=1e-9)
        np.testing.assert_allclose(out[d, :, 1], chal, rtol=0, atol=1e-9)
    # the challenger gains 6 ln(4/2.5)/12 - 0.1 = 0.135 a month on an 8-point gap: ahead
    # from month ceil(8 / 0.135) = 60, which is past this 24-month horizon
    tot = structural.run(model, 200, 3)
    assert tot.first[-1] == 200


def test_catch_up_closes_the_gap_geometrically() -> None:
    """Equal own progress, no compute growth, L = 1: the gap shrinks by (1 - kappa) a month."""
    sc = with_sets(
        scenario(),
        "groups.leader.compute.growth=1.0",
        "groups.challenger.compute.growth=1.0",
        "groups.leader.serving.demand_growth=1.0",
        "groups.challenger.serving.demand_growth=1.0",
        "capability.catchup_lag_months=1",
    )
    inp = inputs()
    post = fixed_posterior(inp, kappa=0.1)
    _, latent = structural.StructuralModel(sc, inp, post).paths(seed=2, draws=2)
    gap = latent[0, :, 0] - latent[0, :, 1]
    np.testing.assert_allclose(gap, 8.0 * 0.9 ** np.arange(gap.shape[0]), rtol=1e-12)


def _noisy() -> tuple[structural.StructuralModel, object]:
    sc = with_sets(
        scenario(),
        "world.volatility=0.03",
        "groups.leader.releases.rate=0.5",
        "groups.challenger.releases.rate=0.4",
        "groups.challenger.serving.volatility=0.1",
        "groups.challenger.compute.growth={dist: uniform, low: 2, high: 3.5}",
        "capability.catchup_lag_months={dist: uniform, low: 2, high: 9}",
    )
    inp = inputs()
    rng = np.random.default_rng(0)
    s = 300
    post = Posterior(
        {
            "lambda": rng.normal(4, 1, s),
            "kappa": rng.uniform(0.0, 0.1, s),
            "theta_leader": rng.normal(0.5, 0.1, s),
            "theta_challenger": rng.normal(0.6, 0.1, s),
            "shock_scale": rng.uniform(0.3, 1.0, s),
            "shock_df": rng.uniform(2.5, 30, s),
            "obs_sd": rng.uniform(0.5, 2.0, s),
            "state_leader": rng.normal(150, 1, s),
            "state_challenger": rng.normal(142, 1, s),
        },
        "NUTS",
        inp.as_of,
    )
    return structural.StructuralModel(sc, inp, post), inp


def test_chunk_and_worker_invariance_is_bitwise() -> None:
    model, _ = _noisy()
    n = 5000
    ref = structural.run(model, n, 42, engine.EngineOptions(chunk=n, keep_draws=True))
    for chunk, workers in ((1000, 1), (777, 2), (3000, 3), (100_000, 2)):
        other = structural.run(
            model, n, 42, engine.EngineOptions(chunk=chunk, workers=workers, keep_draws=True)
        )
        for name in ("ahead", "first", "gap", "level", "lag", "sfirst", "outer", "first_ahead"):
            assert np.array_equal(getattr(ref, name), getattr(other, name)), (name, chunk)
    assert ref.draws == n and ref.first.sum() == n and ref.sfirst is not None
    assert ref.sfirst.sum() == n
    assert not np.array_equal(ref.gap, structural.run(model, n, 43).gap)


def test_paths_and_tallies_agree_on_both_events() -> None:
    model, _ = _noisy()
    n = 3000
    out, _ = model.paths(seed=8, draws=n)
    tot = structural.run(model, n, 8, engine.EngineOptions(chunk=1024, keep_draws=True))
    ahead = out[:, :, 1] > out[:, :, 0]
    np.testing.assert_array_equal(tot.ahead, ahead.sum(axis=0))
    first = np.where(ahead[:, 1:].any(axis=1), ahead[:, 1:].argmax(axis=1) + 1, -1)
    np.testing.assert_array_equal(tot.first_ahead, first)
    lead = out[:, :, 1] - out[:, :, 0] >= structural.MARGIN
    expected = np.full(n, -1)
    for d in range(n):
        run = 0
        for t in range(1, out.shape[1]):
            run = run + 1 if lead[d, t] else 0
            if run >= structural.RUN_MONTHS:
                expected[d] = t
                break
    np.testing.assert_array_equal(tot.sustained_first, expected)
    assert ((expected < 0) | (first <= expected - structural.RUN_MONTHS + 1)).all()
    # per-outer tallies add up to the pooled counts
    assert tot.outer is not None and tot.outer_n is not None
    k = tot.horizons.index(12)
    assert tot.outer[:, 0, k].sum() == ((first > 0) & (first <= 12)).sum()
    assert tot.outer_n.sum() == n


def test_student_t_table_matches_scipy() -> None:
    tab = structural.t_table()
    i, w = structural._df_index(np.array([3.7]))
    for z in (-4.0, -1.3, 0.0, 0.77, 2.5, 5.0):
        got = kern._student(z, tab, int(i[0]), float(w[0]))
        want = stats.t.ppf(stats.norm.cdf(z), 3.7)
        assert got == pytest.approx(want, rel=3e-3, abs=2e-3)


def test_interval_removes_binomial_noise() -> None:
    """Outer probabilities from Beta(2, 6), 200 paths each: the deconvolved 5-95% interval
    recovers Beta(2, 6)'s quantiles; equal probabilities give a near-point interval."""
    rng = np.random.default_rng(1)
    p = rng.beta(2, 6, 4000)
    n = np.full(4000, 200)
    counts = rng.binomial(200, p)
    pooled, (lo, hi), se = conditional_interval(counts, n)
    assert pooled == pytest.approx(0.25, abs=0.005)
    assert lo == pytest.approx(stats.beta.ppf(0.05, 2, 6), abs=0.015)
    assert hi == pytest.approx(stats.beta.ppf(0.95, 2, 6), abs=0.015)
    assert se == pytest.approx(np.std(counts / 200, ddof=1) / math.sqrt(4000), rel=1e-9)
    same = rng.binomial(200, 0.3, 4000)
    _, (lo2, hi2), _ = conditional_interval(same, n)
    assert hi2 - lo2 < 0.02  # binomial noise alone would give ~0.11


def test_events_summary_shapes() -> None:
    outer = np.zeros((4, 2, 2), np.int64)
    outer[:, 0, 1] = [1, 2, 3, 4]
    outer[:, 1, 1] = [0, 1, 1, 2]
    ev = summarize_events(outer, np.full(4, 10), (12, 24))
    assert ev["strict"].p_within[24] == pytest.approx(0.25)
    assert ev["sustained"].p_within[24] == pytest.approx(0.1)
    assert ev["strict"].p_within[12] == 0.0


def test_china_share_path_lowers_the_probability_monotonically() -> None:
    """With lambda fixed at 5 and common random numbers, P(ahead within 60) falls as China's
    serving-share path is held higher, 0.5 -> 0.9."""
    base = with_sets(
        scenario(),
        "horizon_months=60",
        "world.volatility=0.02",
        "groups.leader.releases.rate=0.5",
        "groups.challenger.releases.rate=0.5",
        "groups.challenger.serving.share=0.7",
        "capability.catchup_lag_months=6",
    )
    inp = inputs()
    rng = np.random.default_rng(3)
    s = 200
    post = Posterior(
        {
            "lambda": np.full(s, 5.0),
            "kappa": rng.uniform(0.0, 0.05, s),
            "theta_leader": rng.normal(0.5, 0.1, s),
            "theta_challenger": rng.normal(0.5, 0.1, s),
            "shock_scale": rng.uniform(0.5, 1.0, s),
            "shock_df": np.full(s, 6.0),
            "obs_sd": np.full(s, 1.0),
            "state_leader": np.full(s, 150.0),
            "state_challenger": np.full(s, 145.0),
        },
        "NUTS",
        inp.as_of,
    )
    p = []
    for share in (0.5, 0.6, 0.7, 0.8, 0.9):
        model = structural.StructuralModel(base, inp, post, hold={"challenger": share})
        tot = structural.run(model, 4000, 7)
        p.append(np.cumsum(tot.first[:-1])[60] / tot.draws)
    assert all(a > b for a, b in zip(p, p[1:], strict=False)), p
    # with lambda = 0 the share path cannot matter: every run is identical (CRN)
    zero = Posterior({**post.samples, "lambda": np.zeros(s)}, "NUTS", inp.as_of)
    flat = [
        structural.run(
            structural.StructuralModel(base, inp, zero, hold={"challenger": v}), 1000, 7
        ).first
        for v in (0.5, 0.9)
    ]
    np.testing.assert_array_equal(flat[0], flat[1])


def test_prior_posterior_follows_the_scenario() -> None:
    sc = validate_scenario(
        {
            **scenario().model_dump(mode="json"),
            "capability": {
                **scenario().model_dump(mode="json")["capability"],
                "research_elasticity": {"dist": "normal", "mean": 3.0, "sd": 1.0, "source": "t"},
            },
        }
    )
    post = structural.prior_posterior(sc, inputs(), 20_000, np.random.default_rng(0))
    assert post.method == "prior" and post.size == 20_000
    lam = post.samples["lambda"]
    assert lam.mean() == pytest.approx(3.0, abs=0.03) and lam.std() == pytest.approx(1.0, abs=0.03)
    summary = structural.lambda_summary(post)
    assert summary["status"] == "prior"
    assert not structural.data_can_tell(summary)
    assert structural.data_can_tell({"status": "estimated", "ci90": [0.5, 2.0]})
    assert not structural.data_can_tell({"status": "estimated", "ci90": [-0.5, 2.0]})


def _numpy_reference(model: structural.StructuralModel, n: int, seed: int) -> np.ndarray:
    """The equations of docs/model.md in plain NumPy (``Generator`` random numbers, SciPy's
    Student-t): observed frontiers, draws x months x 2. Scenario values are fixed here."""
    sc, inp, post = model.scenario, model.inputs, model.posterior
    rng = np.random.default_rng(seed)
    rows = rng.integers(0, post.size, n)
    par = {k: np.asarray(v)[rows] for k, v in post.samples.items()}
    h = sc.horizon_months
    lag = int(round(sc.capability.catchup_lag_months.quantile(0.5)))
    vol = sc.world.volatility.quantile(0.5)
    stock = sc.world.stock_h100e.quantile(0.5)
    lk, x, g, drift, ss, rel, c, f, lrb = ([] for _ in range(9))
    for b, role in enumerate(("leader", "challenger")):
        spec, gd = sc.group(role), inp.groups[b]
        lk.append(np.full(n, math.log(stock * gd.compute_share)))
        s0 = spec.serving.share.quantile(0.5)
        x.append(np.full(n, math.log(s0 / (1 - s0))))
        g.append(math.log(spec.compute.growth.quantile(0.5)) / 12)
        drift.append(math.log(spec.serving.demand_growth.quantile(0.5)) / 12 - g[b])
        ss.append(spec.serving.volatility.quantile(0.5))
        rel.append(1 - math.exp(-spec.releases.rate.quantile(0.5)))
        c.append(par[f"state_{role}"].copy())
        f.append(np.full(n, gd.frontier))
        lrb.append(lk[b] - np.log1p(np.exp(x[b])))
    out = np.empty((n, h + 1, 2))
    path = np.empty((h + 1, 2, n))
    for b in range(2):
        out[:, 0, b] = f[b]
        path[0, b] = c[b]
    for t in range(1, h + 1):
        u = t - lag
        other = [
            path[u, 1] if u >= 0 else np.full(n, inp.challenger.history[u]),
            path[u, 0] if u >= 0 else np.full(n, inp.leader.history[u]),
        ]
        for b, role in enumerate(("leader", "challenger")):
            lk[b] = lk[b] + g[b] + vol * rng.standard_normal(n)
            x[b] = x[b] + drift[b] + ss[b] * rng.standard_normal(n)
            lr = np.maximum(lrb[b], lk[b] - np.log1p(np.exp(x[b])))
            shock = par["shock_scale"] * stats.t.rvs(par["shock_df"], random_state=rng)
            c[b] = (
                c[b]
                + par[f"theta_{role}"]
                + par["lambda"] * (lr - lrb[b])
                + par["kappa"] * np.maximum(0.0, other[b] - c[b])
                + shock
            )
            lrb[b] = lr
            path[t, b] = c[b]
            seen = c[b] + par["obs_sd"] * rng.standard_normal(n)
            f[b] = np.where(rng.random(n) < rel[b], np.maximum(f[b], seen), f[b])
            out[:, t, b] = f[b]
    return out


def test_kernel_matches_a_numpy_reference_in_distribution() -> None:
    """The Numba kernel and an independent NumPy version of the equations agree on
    P(ahead within 24), the gap's quantiles and the frontiers' means (Monte Carlo bounds)."""
    model, _ = _noisy()
    sc = with_sets(
        model.scenario,
        "groups.challenger.compute.growth=2.8",
        "capability.catchup_lag_months=4",
    )
    model = structural.StructuralModel(sc, model.inputs, model.posterior)
    n = 20_000
    ours = model.paths(seed=4, draws=n)[0]
    ref = _numpy_reference(model, n, seed=4)
    for paths in (ours, ref):
        assert (np.diff(paths, axis=1) >= 0).all()
    p = [((a[:, 1:25, 1] > a[:, 1:25, 0]).any(axis=1)).mean() for a in (ours, ref)]
    assert abs(p[0] - p[1]) < 4 * math.sqrt(2 * 0.25 / n), p
    gaps = [a[:, 24, 0] - a[:, 24, 1] for a in (ours, ref)]
    for q in (0.1, 0.5, 0.9):
        assert np.quantile(gaps[0], q) == pytest.approx(np.quantile(gaps[1], q), abs=0.15)
    for b in range(2):
        m0, m1 = ours[:, 24, b].mean(), ref[:, 24, b].mean()
        se = math.sqrt((ours[:, 24, b].var() + ref[:, 24, b].var()) / n)
        assert abs(m0 - m1) < 4 * se, (b, m0, m1)
