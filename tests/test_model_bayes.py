"""The structural model's Bayesian fit: data assembly, priors, parameter recovery, CLI, cache."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from cli_helpers import run_cli
from forecast_data import make_forecast_db
from gapcast.errors import InsufficientDataError, ScenarioError
from gapcast.model import bayes, fitdata, recovery
from gapcast.model.params import Beta, LogNormal, Normal
from gapcast.usecases import scenarios as scenario_files

NAN = np.nan


def _releases(rows: list[tuple[str, float, str]]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "date": pd.to_datetime([r[0] for r in rows]),
            "value": [r[1] for r in rows],
            "se": [0.0] * len(rows),
            "side": [r[2] for r in rows],
        }
    )


def test_monthly_best_takes_each_months_best_release_of_each_side() -> None:
    rows = _releases(
        [
            ("2024-01-03", 100.0, "leader"),
            ("2024-01-20", 104.0, "leader"),
            ("2024-02-10", 90.0, "challenger"),
            ("2024-04-01", 103.0, "leader"),
            ("2024-06-01", 120.0, "leader"),  # after the as-of date: unseen
        ]
    )
    best = fitdata.monthly_best(rows, dt.date(2024, 4, 30))
    assert [str(m) for m in best.index] == ["2024-01", "2024-02", "2024-03", "2024-04"]
    np.testing.assert_array_equal(best["leader"].to_numpy(), [104.0, NAN, NAN, 103.0])
    np.testing.assert_array_equal(best["challenger"].to_numpy(), [NAN, 90.0, NAN, NAN])
    assert str(fitdata.start_month(best)) == "2024-02"


def test_frontier_class_drops_releases_far_below_the_sides_earlier_best() -> None:
    best = np.array([[100.0, 80.0], [94.0, NAN], [96.0, 70.0], [NAN, 79.0], [110.0, 90.0]])
    kept = fitdata.frontier_class(best, margin=5.0)
    # leader: 94 < 100 - 5 dropped; 96 >= 95 kept; challenger: 70 < 75 dropped, 79 kept
    expected = np.array([[100.0, 80.0], [NAN, NAN], [96.0, NAN], [NAN, 79.0], [110.0, 90.0]])
    np.testing.assert_array_equal(kept, expected)


def test_series_starts_where_both_sides_have_data_with_a_running_max_of_compute() -> None:
    rows = _releases(
        [
            ("2024-01-05", 100.0, "leader"),
            ("2024-03-05", 90.0, "challenger"),
            ("2024-04-05", 108.0, "leader"),
            ("2024-05-05", 95.0, "challenger"),
        ]
    )
    best = fitdata.monthly_best(rows, dt.date(2024, 5, 31))
    ln_r = np.array([[1.0, 0.5], [2.0, 0.5], [1.5, 0.7], [3.0, 0.6], [3.0, 1.0]])
    series = fitdata.series_from(best, ln_r, margin=5.0)
    assert series.start == dt.date(2024, 3, 1) and series.months == 3
    np.testing.assert_array_equal(series.initial, [108.0, 90.0])
    # the running maximum is taken over the whole history, before the start too
    np.testing.assert_array_equal(series.ln_research, [[2.0, 0.7], [3.0, 0.7], [3.0, 1.0]])


def test_cluster_history_sums_operational_clusters_and_names_a_missing_side() -> None:
    clusters = pd.DataFrame(
        {
            "country": ["A", "A", "B"],
            "date": pd.to_datetime(["2024-01-10", "2024-02-10", "2024-01-01"]),
            "end_date": pd.to_datetime([None, "2024-03-05", None]),
            "h100e": [100.0, 300.0, 50.0],
        }
    )
    months = pd.period_range("2024-01", "2024-03", freq="M")
    hist = fitdata.cluster_history(clusters, ("A", "B"), months)
    np.testing.assert_allclose(np.exp(hist), [[100.0, 50.0], [400.0, 50.0], [100.0, 50.0]])
    with pytest.raises(InsufficientDataError) as info:
        fitdata.cluster_history(clusters, ("A", "C"), months)
    assert str(info.value) == "no counted GPU-cluster compute for C in 2024-01"


def test_fit_data_rejects_too_little_data_and_bad_arrays(rng: np.random.Generator) -> None:
    design = recovery.synthetic_design(rng, cross_rows=12)
    cs = design.cross
    with pytest.raises(ValueError, match="cross-section: eci has missing or infinite values"):
        fitdata.CrossSection(np.full(12, NAN), cs.ln_flop, cs.year, cs.challenger, cs.other)
    with pytest.raises(ValueError, match="ln_flop has shape"):
        fitdata.CrossSection(cs.eci, cs.ln_flop[:3], cs.year, cs.challenger, cs.other)
    few = fitdata.CrossSection(cs.eci[:4], cs.ln_flop[:4], cs.year[:4], cs.other[:4], cs.other[:4])
    with pytest.raises(InsufficientDataError) as info:
        fitdata.FitData(design.as_of, design.labels, few, design.series)
    assert str(info.value) == (
        "the fit needs at least 10 AI models with an ECI score and a training-compute "
        "estimate; found 4 on or before 2025-12-31"
    )
    s = design.series
    no_challenger = s.release.copy()
    no_challenger[:, 1] = NAN
    blind = fitdata.StateSeries(s.start, no_challenger, s.release_se, s.ln_research, s.initial)
    with pytest.raises(InsufficientDataError, match="no frontier-class ECI release of challenger"):
        fitdata.FitData(design.as_of, design.labels, cs, blind)


def test_content_hash_follows_the_data(rng: np.random.Generator) -> None:
    design = recovery.synthetic_design(rng)
    a = recovery.simulate(design, recovery.TRUTH, 4, np.random.default_rng(1))
    b = recovery.simulate(design, recovery.TRUTH, 4, np.random.default_rng(1))
    c = recovery.simulate(design, recovery.TRUTH, 4, np.random.default_rng(2))
    assert a.content_hash() == b.content_hash() != c.content_hash()


def test_simulated_states_follow_the_dynamics_without_shocks() -> None:
    months = 6
    series = fitdata.StateSeries(
        dt.date(2024, 1, 1),
        np.zeros((months, 2)),
        np.zeros((months, 2)),
        np.column_stack([np.arange(months) * 0.5, np.zeros(months)]),
        np.array([100.0, 90.0]),
    )
    one = {k: np.array([v]) for k, v in recovery.TRUTH.items()}
    one.update(shock_scale=np.array([0.0]), initial_state_sd=np.array([0.0]))
    states = recovery.simulate_states(one, series, 1, np.random.default_rng(0))[0]
    lead, chal = [100.0], [90.0]
    for _ in range(months - 1):  # written out by hand from docs/model.md, L = 1
        gap = max(0.0, lead[-1] - chal[-1])
        lead.append(lead[-1] + 0.6 + 4.0 * 0.5)
        chal.append(chal[-1] + 0.5 + 0.15 * gap)
    np.testing.assert_allclose(states, np.column_stack([lead, chal]))


def test_prior_sd_matches_the_sampled_spread(rng: np.random.Generator) -> None:
    for prior in (
        Normal(mean=1.0, sd=2.0, source="t"),
        LogNormal(median=2.0, sigma=0.6, source="t"),
        Beta(a=2.0, b=9.0, source="t"),
    ):
        sampled = prior.sample(rng, 400_000).std()
        assert bayes.prior_sd(prior) == pytest.approx(sampled, rel=0.02)


def test_estimation_priors_reject_a_prior_outside_the_allowed_range() -> None:
    with pytest.raises(ScenarioError) as info:
        scenario_files.load("baseline", ["estimation.catch_up={dist: normal, mean: 0.1, sd: 0.1}"])
    assert str(info.value).startswith("estimation.catch_up: normal median 0.1")
    with pytest.raises(ScenarioError) as info:
        scenario_files.load("baseline", ["estimation.catch_up_lag_months=0"])
    assert str(info.value).startswith("estimation.catch_up_lag_months: 0 is not allowed")


def test_parameter_recovery_small() -> None:
    """Three data sets drawn at known λ and κ, refitted with short chains.

    The bounded version of ``benchmarks/bench_recovery.py`` (20 replications there). Each
    90% interval covers the truth with probability ~0.9, so at least 2 of 3 for each
    parameter fails by chance with probability ~3%; the seeds are fixed.
    """
    sc = scenario_files.load("baseline")
    design = recovery.synthetic_design(np.random.default_rng(11))
    sampler = bayes.NutsFit(sc.estimation, bayes.SamplerSettings(warmup=200, samples=200))
    hits = {"lambda": 0, "kappa": 0}
    for rep in range(3):
        data = recovery.simulate(
            design, recovery.TRUTH, sc.estimation.catch_up_lag_months, np.random.default_rng(rep)
        )
        post = sampler.run(data, seed=rep)
        for name in hits:
            s = post.summary(name)
            assert s is not None and s.r_hat is not None and s.r_hat < 1.1
            hits[name] += int(s.lo90 <= recovery.TRUTH[name] <= s.hi90)
        lam = post.summary("lambda")
        assert lam is not None and lam.status == "estimated"
    assert hits["lambda"] >= 2 and hits["kappa"] >= 2, hits


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return make_forecast_db(tmp_path_factory.mktemp("bayes") / "gapcast.duckdb")


def _fit_json(capsys: pytest.CaptureFixture[str], db: Path, *extra: str) -> Any:
    code, out, err = run_cli(
        capsys,
        "--db",
        str(db),
        "fit",
        "--set",
        "estimation.research_proxy=training_compute",
        "--warmup",
        "100",
        "--samples",
        "100",
        *extra,
    )
    assert (code, err) == (0, ""), err
    return out


def test_fit_command_reports_every_parameter_and_caches(
    db: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = json.loads(_fit_json(capsys, db, "--json"))
    names = [p["name"] for p in first["parameters"]]
    assert names[:9] == list(bayes.NAMES[:6]) + ["obs_sd", "state_leader", "state_challenger"]
    assert first["method"] == "NUTS" and first["draws"] == 200
    lam = first["parameters"][0]
    assert lam["meaning"].startswith("λ: ECI points per e-fold of research compute")
    assert lam["ci90"][0] < lam["mean"] < lam["ci90"][1] and lam["sd_ratio"] > 0
    assert any("24 AI models" in note for note in first["notes"])
    cached = list((db.parent / "posteriors").glob("*.npz"))
    assert len(cached) == 1
    again = json.loads(_fit_json(capsys, db, "--json"))
    assert again == first
    text = _fit_json(capsys, db)
    assert "sd ratio" in text and "lambda" in text and "R-hat" in text


def test_fit_command_errors(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run_cli(capsys, "--db", str(db), "fit", "--samples", "10")
    assert code == 2 and "Error: samples: 10 is out of range (allowed: 50 to 20,000)" in err
    code, _, err = run_cli(capsys, "--db", str(db), "fit")
    assert code == 1 and "Error: no counted GPU-cluster compute for United States in" in err


def test_prior_posterior_draws_every_parameter_from_its_prior(rng: np.random.Generator) -> None:
    sc = scenario_files.load("baseline")
    design = recovery.synthetic_design(rng)
    post = bayes.prior_posterior(design, sc.estimation, seed=3, size=20_000)
    assert post.method == "prior" and post.size == 20_000
    lam = post.samples["lambda"]
    assert lam.mean() == pytest.approx(4.0, abs=0.1) and lam.std() == pytest.approx(3.0, rel=0.03)
    kappa = post.samples["kappa"]
    assert np.quantile(kappa, 0.05) == pytest.approx(0.02, abs=0.005)
    assert np.quantile(kappa, 0.95) == pytest.approx(0.40, abs=0.02)
    # with no data the states spread around the start values by many ECI points
    assert post.samples["state_leader"].std() > 5.0
    arrays = bayes.model_arrays(design, ("state",))
    assert float(arrays["cross_weight"]) == 0.0 and float(arrays["state_weight"]) == 1.0


def test_training_history_is_a_running_max_and_skips_rows_without_country_or_date() -> None:
    models = pd.DataFrame(
        {
            "country": ["A", "A", None, "B", "A"],
            "date": pd.to_datetime(["2024-01-05", "2024-03-01", "2024-01-01", "2023-12-01", None]),
            "ln_flop": [50.0, 49.0, 99.0, 40.0, 98.0],
        }
    )
    months = pd.period_range("2024-01", "2024-03", freq="M")
    hist = fitdata.training_history(models, ("A", "B"), months)
    np.testing.assert_array_equal(hist, [[50.0, 40.0], [50.0, 40.0], [50.0, 40.0]])
    with pytest.raises(InsufficientDataError, match="no training-compute estimate of C"):
        fitdata.training_history(models, ("A", "C"), months)


def test_padding_to_a_larger_shape_changes_no_likelihood_and_no_as_of_state(
    rng: np.random.Generator,
) -> None:
    """The nested backtest pads every origin's data to one shape: the padded rows and months
    add only the prior density of the padded months' shocks, and the as-of states are the
    unpadded model's."""
    import jax.numpy as jnp
    import numpyro
    import numpyro.distributions as dist
    from numpyro import handlers
    from numpyro.infer.util import log_density

    numpyro.enable_x64()
    design = recovery.synthetic_design(rng, months=9, cross_rows=14)
    data = recovery.simulate(design, recovery.TRUTH, 3, np.random.default_rng(3))
    est = scenario_files.load("baseline").estimation
    assert est is not None
    table, lag = est.priors(), est.catch_up_lag_months
    plain = {k: jnp.asarray(v) for k, v in bayes.model_arrays(data).items()}
    padded = {k: jnp.asarray(v) for k, v in bayes.model_arrays(data, shape=(20, 13)).items()}
    assert padded["eci"].shape == (20,) and padded["d_ln_r"].shape == (12, 2)
    kwargs = {"priors": table, "lag": lag}
    trace = handlers.trace(handlers.seed(bayes._model, 0)).get_trace(plain, **kwargs)
    params = {
        k: s["value"] for k, s in trace.items() if s["type"] == "sample" and not s["is_observed"]
    }
    extra = jnp.asarray(np.random.default_rng(4).standard_t(5.0, size=(4, 2)))
    params_padded = {**params, "z": jnp.concatenate([params["z"], extra])}
    lp_plain, tr_plain = log_density(bayes._model, (plain,), kwargs, params)
    lp_padded, tr_padded = log_density(bayes._model, (padded,), kwargs, params_padded)
    prior_extra = dist.StudentT(params["shock_df"]).log_prob(extra).sum()
    assert float(lp_padded) == pytest.approx(float(lp_plain + prior_extra), rel=1e-12)
    for name in ("state_leader", "state_challenger"):
        assert float(tr_padded[name]["value"]) == float(tr_plain[name]["value"])
    with pytest.raises(ValueError, match="smaller than the data"):
        bayes.model_arrays(data, shape=(5, 13))
