r"""Bayesian fit of the structural model (NumPyro NUTS on JAX, CPU, float64).

Two likelihoods share the compute elasticity ``λ`` (docs/model.md, "Estimation").

Cross-section (AI model ``i`` with an ECI score and a training-compute estimate):

.. math::

    \mathrm{ECI}_i = a(t_i) + \lambda\,(\ln F_i - \ln 10^{24}) + \delta\,[\text{challenger}]
                     + \eta\,[\text{other}] + \nu_i, \quad \nu_i \sim N(0, \sigma_x^2),
    \qquad a(t) = a_0 + a_1 (t - 2024) + a_2 (t - 2024)^2 .

State space (month ``t``, side ``b``; the contract of ``gapcast.model.posterior``):

.. math::

    C_b(t+1) &= C_b(t) + \theta_b + \lambda\,\Delta \ln \bar R_b(t+1)
               + \kappa \max(0, C_{1-b}(t+1-L) - C_b(t)) + \sigma z_{b,t},
               \quad z_{b,t} \sim t_\nu \\
    y_b(t) &\sim N\bigl(C_b(t),\ \mathrm{obs\_sd}^2 + \mathrm{se}_b(t)^2\bigr)

with ``C_b(start) ~ N(first frontier-class release, initial_state_sd²)`` and, before the
start, the other side's state taken as its start value. The shocks are sampled
non-centred (``z`` standard Student-t, scaled by ``σ``). ``λ`` in the cross-section is the
elasticity of capability to *training* compute at a given date; the state space uses it
for *research* compute, which holds if the largest training run is a constant share of
research compute (``T = φ R Δ``), so that ``Δ ln T = Δ ln R``.

JAX and NumPyro are imported inside the functions that need them, so importing this
module (and ``gapcast --help``) stays fast.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from gapcast.model.fitdata import FitData
from gapcast.model.params import Beta, Fixed, LogNormal, Normal, Uniform
from gapcast.model.posterior import NAMES, ParamSummary, Posterior
from gapcast.model.recovery import simulate_states
from gapcast.scenario.estimation import EstimationPriors, PriorDist

Array = NDArray[np.float64]
LN_FLOP_CENTRE = 24.0 * math.log(10.0)
"""``ln 1e24``: the cross-section's compute term is zero at 1e24 FLOP."""
YEAR_CENTRE = 2024.0
"""The cross-section's trend is centred at the start of 2024."""
PARTS = ("cross", "state")
"""The two likelihoods: the cross-section of AI models and the monthly state space."""
UNROLL = 1
"""Scan steps unrolled per loop iteration (unrolling only lengthens compilation here)."""
PRIOR_DRAWS = 20_000
"""Draws used to measure the prior spread of the latent states."""

WORDS = {
    "lambda": "λ: ECI points per e-fold of research compute (x2.3 = per 10x)",
    "kappa": "κ: share of the gap to the other side (L months back) closed per month",
    "theta_leader": "θ₀: leader's own ECI progress per month at constant compute",
    "theta_challenger": "θ₁: challenger's own ECI progress per month at constant compute",
    "shock_scale": "σ: scale of monthly capability shocks (ECI points)",
    "shock_df": "ν: degrees of freedom of the shocks (small = heavy tails)",
    "obs_sd": "release noise around the side's state (ECI points)",
    "state_leader": "leader's latent capability in the as-of month (ECI)",
    "state_challenger": "challenger's latent capability in the as-of month (ECI)",
    "initial_state_sd": "sd of each side's state at the start month (ECI points)",
    "cs_level": "cross-section: ECI of a 1e24-FLOP model at the start of 2024",
    "cs_slope": "cross-section: ECI points per year at fixed compute",
    "cs_curvature": "cross-section: change of that slope per year",
    "cs_challenger": "cross-section: challenger's offset at equal compute and date",
    "cs_other": "cross-section: other countries' offset at equal compute and date",
    "cs_noise": "cross-section: sd of a model around the relation",
}
"""Plain words for every parameter ``gapcast fit`` reports."""


@dataclass(frozen=True)
class SamplerSettings:
    """How NUTS runs: chains, warm-up and kept draws per chain, step-size target."""

    warmup: int = 500
    samples: int = 500
    chains: int = 2
    target_accept: float = 0.9
    max_tree_depth: int = 8
    chain_method: str = "sequential"
    """``sequential`` (one compiled program, chains one after the other; as fast as
    ``vectorized`` here, and needs no extra host devices) or ``vectorized``."""


def _numpyro_dist(prior: PriorDist) -> Any:
    import numpyro.distributions as dist  # type: ignore[import-untyped]

    if isinstance(prior, Normal):
        return dist.Normal(prior.mean, prior.sd)
    if isinstance(prior, LogNormal):
        return dist.LogNormal(math.log(prior.median), prior.sigma)
    if isinstance(prior, Beta):
        return dist.Beta(prior.a, prior.b)
    if isinstance(prior, Uniform):
        return dist.Uniform(prior.low, prior.high)
    raise TypeError(f"no sampler prior for {prior.describe()}")


def prior_sd(prior: PriorDist) -> float:
    """Return the standard deviation of a prior (0 for a fixed value)."""
    if isinstance(prior, Fixed):
        return 0.0
    if isinstance(prior, Normal):
        return float(prior.sd)
    if isinstance(prior, LogNormal):
        s2 = prior.sigma**2
        return float(prior.median * math.sqrt(math.exp(s2) * (math.exp(s2) - 1.0)))
    if isinstance(prior, Beta):
        a, b = prior.a, prior.b
        return float(math.sqrt(a * b / ((a + b) ** 2 * (a + b + 1.0))))
    return float((prior.high - prior.low) / math.sqrt(12.0))


def model_arrays(
    data: FitData, parts: tuple[str, ...] = PARTS, shape: tuple[int, int] | None = None
) -> dict[str, Array]:
    """Return the fit's data as the model's array arguments.

    ``parts`` names the likelihoods used (``cross``, ``state``); leaving one out (masked)
    shows what the other alone says. ``shape`` = ``(rows, months)`` pads the cross-section
    with masked rows and the monthly series with months after the as-of month that observe
    nothing (no release, no research-compute change), so fits of data sets of different
    sizes share one compiled sampler (the nested backtest refits at every origin). The
    padded months' shocks are drawn from their prior and touch no likelihood, so the
    posterior of every parameter and of the as-of states is the same as without padding.
    """
    cs, series = data.cross, data.series
    seen = np.isfinite(series.release)
    d_ln_r = np.diff(series.ln_research, axis=0)
    rows, months = shape or (cs.size, series.months)
    if rows < cs.size or months < series.months:
        raise ValueError(
            f"shape {(rows, months)} is smaller than the data ({cs.size}, {series.months})"
        )

    def pad(x: Array, n: int) -> Array:
        widths = [(0, n - x.shape[0])] + [(0, 0)] * (x.ndim - 1)
        return np.pad(np.asarray(x, np.float64), widths)

    return {
        "cross_weight": np.array(1.0 if "cross" in parts else 0.0),
        "state_weight": np.array(1.0 if "state" in parts else 0.0),
        "eci": pad(cs.eci, rows),
        "ln_flop": pad(cs.ln_flop - LN_FLOP_CENTRE, rows),
        "x": pad(cs.year - YEAR_CENTRE, rows),
        "challenger": pad(cs.challenger, rows),
        "other": pad(cs.other, rows),
        "row_seen": pad(np.ones(cs.size), rows),
        "initial": series.initial,
        "d_ln_r": pad(d_ln_r, months - 1),
        "release": pad(np.where(seen, series.release, 0.0), months),
        "release_se": pad(np.where(seen, series.release_se, 0.0), months),
        "seen": pad(seen.astype(np.float64), months),
        "last": np.array(series.months - 1, np.int64),
    }


def _model(
    arrays: Mapping[str, Any],
    priors: Mapping[str, PriorDist],
    lag: int,
) -> None:
    import jax
    import jax.numpy as jnp
    import numpyro
    import numpyro.distributions as dist

    p: dict[str, Any] = {}
    for name, prior in priors.items():
        if isinstance(prior, Fixed):
            p[name] = jnp.asarray(float(prior.value))
        else:
            p[name] = numpyro.sample(name, _numpyro_dist(prior))
    lam = p["lambda"]

    x = arrays["x"]
    mu = (
        p["cs_level"]
        + p["cs_slope"] * x
        + p["cs_curvature"] * x**2
        + lam * arrays["ln_flop"]
        + p["cs_challenger"] * arrays["challenger"]
        + p["cs_other"] * arrays["other"]
    )
    with numpyro.handlers.mask(mask=(arrays["cross_weight"] > 0.5) & (arrays["row_seen"] > 0.5)):
        numpyro.sample("cross_obs", dist.Normal(mu, p["cs_noise"]), obs=arrays["eci"])

    d_ln_r = arrays["d_ln_r"]
    c0 = numpyro.sample("c0", dist.Normal(arrays["initial"], p["initial_state_sd"]).to_event(1))
    z = numpyro.sample("z", dist.StudentT(p["shock_df"]).expand(d_ln_r.shape).to_event(2))
    theta = jnp.stack([p["theta_leader"], p["theta_challenger"]])

    def step(buf: Any, inputs: Any) -> tuple[Any, Any]:
        d, zt = inputs
        c = buf[0]
        other = buf[lag - 1][::-1]
        gap = jnp.maximum(0.0, other - c)
        new = c + theta + lam * d + p["kappa"] * gap + p["shock_scale"] * zt
        return jnp.concatenate([new[None], buf[:-1]], axis=0), new

    _, path = jax.lax.scan(step, jnp.tile(c0, (lag, 1)), (d_ln_r, z), unroll=UNROLL)
    states = jnp.concatenate([c0[None], path], axis=0)
    numpyro.deterministic("state_leader", states[arrays["last"], 0])
    numpyro.deterministic("state_challenger", states[arrays["last"], 1])

    scale = jnp.sqrt(p["obs_sd"] ** 2 + arrays["release_se"] ** 2)
    with numpyro.handlers.mask(mask=(arrays["seen"] > 0.5) & (arrays["state_weight"] > 0.5)):
        numpyro.sample("release_obs", dist.Normal(states, scale), obs=arrays["release"])


class NutsFit:
    """A NUTS sampler for one set of priors, reusable across data sets of the same shape.

    The data are jit arguments (``jit_model_args``), so a second ``run`` on data of the same
    shape (parameter recovery) reuses the compiled sampler.
    """

    def __init__(self, priors: EstimationPriors, settings: SamplerSettings | None = None) -> None:
        from functools import partial

        import numpyro
        from numpyro.infer import MCMC, NUTS, init_to_median  # type: ignore[import-untyped]

        numpyro.enable_x64()
        self.priors = priors
        self.settings = settings or SamplerSettings()
        self._table = priors.priors()
        cfg = self.settings
        kernel = NUTS(
            partial(_model, priors=self._table, lag=priors.catch_up_lag_months),
            target_accept_prob=cfg.target_accept,
            max_tree_depth=cfg.max_tree_depth,
            init_strategy=init_to_median(num_samples=15),
        )
        self._mcmc = MCMC(
            kernel,
            num_warmup=cfg.warmup,
            num_samples=cfg.samples,
            num_chains=cfg.chains,
            chain_method=cfg.chain_method,
            progress_bar=False,
            jit_model_args=True,
        )

    def run(
        self,
        data: FitData,
        *,
        seed: int,
        parts: tuple[str, ...] = PARTS,
        shape: tuple[int, int] | None = None,
    ) -> Posterior:
        """Sample the posterior of ``data``; see ``fit_posterior``.

        ``parts`` drops a likelihood for experiments (``("state",)``: the state space alone);
        ``shape`` pads the data (``model_arrays``) so runs on data of different sizes reuse
        the compiled sampler.
        """
        import jax
        from numpyro.diagnostics import effective_sample_size, split_gelman_rubin  # type: ignore[import-untyped]

        cfg, table = self.settings, self._table
        started = time.perf_counter()
        arrays = {k: jax.numpy.asarray(v) for k, v in model_arrays(data, parts, shape).items()}
        self._mcmc.run(jax.random.PRNGKey(seed), arrays)
        grouped = {
            k: np.asarray(v, np.float64)
            for k, v in self._mcmc.get_samples(group_by_chain=True).items()
        }
        divergences = int(np.asarray(self._mcmc.get_extra_fields()["diverging"]).sum())
        elapsed = time.perf_counter() - started
        draws = cfg.chains * cfg.samples

        def flat(name: str) -> Array:
            if name in grouped:
                return grouped[name].reshape(draws)
            return np.full(draws, float(table[name].value))  # type: ignore[union-attr]

        prior_sds = _prior_sds(data, self.priors, seed)
        summaries = []
        for name in (*NAMES, *(n for n in table if n not in NAMES)):
            if name not in grouped:
                continue
            chains = grouped[name]
            values = chains.reshape(draws)
            lo, hi = np.quantile(values, [0.05, 0.95])
            summaries.append(
                ParamSummary(
                    name=name,
                    mean=float(values.mean()),
                    sd=float(values.std(ddof=1)),
                    lo90=float(lo),
                    hi90=float(hi),
                    prior_sd=prior_sds[name],
                    r_hat=float(split_gelman_rubin(chains)),
                    ess=float(effective_sample_size(chains)),
                )
            )
        notes = (
            f"NUTS: {cfg.chains} chains x ({cfg.warmup} warm-up + {cfg.samples} draws), "
            f"{cfg.chain_method}, target acceptance {cfg.target_accept}, float64, "
            f"{elapsed:.1f} s",
            f"catch-up lag L = {self.priors.catch_up_lag_months} months (a scenario "
            "assumption, not estimated)",
            *data.describe(),
            *(() if parts == PARTS else (f"likelihoods used: {', '.join(parts)} only",)),
        )
        return Posterior(
            samples={name: flat(name) for name in NAMES},
            method="NUTS",
            as_of=data.as_of,
            summaries=tuple(summaries),
            divergences=divergences,
            notes=notes,
        )


def fit_posterior(
    data: FitData,
    priors: EstimationPriors,
    *,
    seed: int,
    settings: SamplerSettings | None = None,
) -> Posterior:
    """Sample the structural model's posterior with NUTS.

    Parameters
    ----------
    data
        The cross-section and monthly series (``gapcast.model.fitdata``).
    priors
        The scenario's ``estimation`` section (priors, catch-up lag ``L``).
    seed
        Seed of the sampler (same data, priors, seed and settings give the same draws).
    settings
        Warm-up and sampling lengths, chains, target acceptance.

    Returns
    -------
    Posterior
        ``chains × samples`` joint draws of ``NAMES`` (fixed priors repeat their value),
        with a ``ParamSummary`` per parameter (R-hat, split; ESS; prior sd) and the number
        of divergent transitions after warm-up.
    """
    return NutsFit(priors, settings).run(data, seed=seed)


def _prior_sds(data: FitData, priors: EstimationPriors, seed: int) -> dict[str, float]:
    """Return every parameter's prior sd: exact for priors, simulated for the states."""
    table = priors.priors()
    out = {name: prior_sd(prior) for name, prior in table.items()}
    rng = np.random.default_rng(seed)
    draws = {name: prior.sample(rng, PRIOR_DRAWS) for name, prior in table.items()}
    states = simulate_states(draws, data.series, priors.catch_up_lag_months, rng)[:, -1]
    for b, name in enumerate(("state_leader", "state_challenger")):
        # Student-t shocks give the states' prior heavy tails: the robust sd (IQR / 1.349)
        # keeps a few extreme prior draws from making every posterior look "estimated".
        q25, q75 = np.quantile(states[:, b], [0.25, 0.75])
        out[name] = float((q75 - q25) / 1.349)
    return out


def prior_posterior(
    data: FitData, priors: EstimationPriors, *, seed: int, size: int = 2000
) -> Posterior:
    """Return draws from the priors alone (``method == "prior"``): the data-free reference."""
    rng = np.random.default_rng(seed)
    table = priors.priors()
    draws = {name: prior.sample(rng, size) for name, prior in table.items()}
    states = simulate_states(draws, data.series, priors.catch_up_lag_months, rng)[:, -1]
    draws["state_leader"], draws["state_challenger"] = states[:, 0], states[:, 1]
    return Posterior(
        samples={name: draws[name] for name in NAMES},
        method="prior",
        as_of=data.as_of,
        notes=("draws from the priors alone",),
    )
