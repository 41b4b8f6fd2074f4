"""The sensitivity and what-if use cases (``gapcast sensitivity``, ``gapcast whatif``).

Both measure the inputs once (as of the latest data, or ``as_of``), build the scenario's
models, and evaluate P(challenger ahead within k months) many times with common random
numbers (``gapcast.evaluate.sensitivity``, ``gapcast.evaluate.whatif``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from gapcast import __version__
from gapcast.defaults import SOBOL_BASE, SOBOL_INNER, WHATIF_DRAWS
from gapcast.errors import RequestError
from gapcast.evaluate.sensitivity import ProbabilityOutput, SobolOutput, probability_sobol
from gapcast.evaluate.whatif import WhatIf, solve
from gapcast.model import engine
from gapcast.model.engine import Model
from gapcast.model.results import Distributions
from gapcast.model.structural import (
    EngineModel as ComputeModel,
)  # shim until issue 11 rewrites this
from gapcast.model.trend import TrendModel
from gapcast.scenario.files import Scenario, apply_override, validate_scenario
from gapcast.store import Store
from gapcast.usecases import scenarios as scenario_files
from gapcast.usecases.forecast_inputs import Tables, build_inputs, parse_as_of

MODELS = ("structural", "trend")
WITHIN = (36, 60)
DEFAULT_SEED = 2026


def _models(scenario: Scenario, store: Store, as_of: Any, model: str) -> dict[str, Model]:
    if model not in MODELS:
        raise RequestError("model", f"'{model}' is not allowed (allowed: {', '.join(MODELS)})")
    inputs = build_inputs(Tables.load(store), scenario, parse_as_of(as_of))
    out: dict[str, Model] = {}
    if model == "trend":
        out["trend"] = TrendModel(scenario, inputs)
    if model == "structural":
        out["structural"] = ComputeModel(scenario, inputs)
    return out


def _weights(scenario: Scenario, model: str) -> dict[str, float]:
    return {model: 1.0}


@dataclass(frozen=True)
class SensitivityResult:
    """Sobol indices of P(ahead within k) for each uncertain parameter of a scenario."""

    scenario: str
    model: str
    parameters: tuple[str, ...]
    outputs: tuple[SobolOutput, ...]
    base: int
    inner: int
    evaluations: int
    seed: int
    data_hash: str
    seconds: float
    calibration: str = ""
    notes: tuple[str, ...] = field(default=())

    def output(self, within: int) -> SobolOutput:
        """Return the indices of P(ahead within ``within`` months)."""
        return next(o for o in self.outputs if o.name == str(within))

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON document (``indices``: the longest horizon's, largest first)."""
        last = self.outputs[-1]
        return {
            "scenario": self.scenario,
            "model": self.model,
            "output": f"P(challenger ahead at some month within {last.name} months | parameters)",
            "indices": [i.to_dict() for i in last.indices],
            "outputs": {o.name: o.to_dict() for o in self.outputs},
            "parameters": list(self.parameters),
            "base_samples": self.base,
            "inner_draws": self.inner,
            "evaluations": self.evaluations,
            "seed": self.seed,
            "data_hash": self.data_hash,
            "version": __version__,
            "seconds": self.seconds,
            "calibration": self.calibration,
            "notes": list(self.notes),
        }


def sensitivity(
    store: Store,
    scenario: str = "baseline",
    model: str = "structural",
    base: int = SOBOL_BASE,
    inner: int = SOBOL_INNER,
    seed: int | None = None,
    within: Sequence[int] = WITHIN,
    overrides: Sequence[str] = (),
    as_of: Any = None,
    *,
    save: bool = False,
) -> SensitivityResult:
    """Sobol indices of P(ahead within each of ``within`` months) for a scenario.

    ``base`` is rounded up to a power of two; ``base (d + 2)`` parameter sets are each
    simulated ``inner`` times with the same noise (see ``gapcast.evaluate.sensitivity``).
    """
    ks = tuple(sorted(set(within)))
    if not ks or any(k < 1 for k in ks):
        raise RequestError("within", f"{list(within)} is not allowed (months, 1 or more)")
    if not 64 <= base <= 2**18:
        raise RequestError("base", f"{base} is out of range (allowed: 64 to {2**18:,})")
    if not 1 <= inner <= 1024:
        raise RequestError("inner", f"{inner} is out of range (allowed: 1 to 1024)")
    n = 1 << int(np.ceil(np.log2(base)))
    seed_ = DEFAULT_SEED if seed is None else seed
    sets = [*overrides, f"horizon_months={max(max(ks), 1)}"]
    sc = scenario_files.load(scenario, sets)
    models = _models(sc, store, as_of, model)
    space = (models.get("structural") or models["trend"]).space
    output = ProbabilityOutput(models, _weights(sc, model), ks, inner, seed_)
    start = time.perf_counter()
    names, outputs = probability_sobol(output, space, base=n, seed=seed_)
    seconds = time.perf_counter() - start
    notes = (
        "Output: the probability given the parameters, estimated with "
        f"{inner} inner draws of the noise (stock shocks, release months and scatter, trend "
        "jumps) that are the same for every parameter set (common random numbers).",
        "noise_share bounds the part of each output's variance that the inner Monte Carlo "
        "error can account for; indices below it are not distinguishable from zero.",
        "Fitted coefficients (beta, gamma, delta) enter as the independent factors of their "
        "joint distribution (beta; gamma given beta; delta given both).",
    )
    result = SensitivityResult(
        sc.name,
        model,
        tuple(names),
        outputs,
        n,
        inner,
        n * (len(names) + 2),
        seed_,
        store.data_hash(),
        seconds,
        sc.calibration,
        notes,
    )
    if save:
        store.save_run(
            kind="sensitivity",
            scenario=sc.name,
            scenario_hash=sc.content_hash(),
            data_hash=result.data_hash,
            seed=seed_,
            version=__version__,
            request={
                "model": model,
                "base": n,
                "inner": inner,
                "within": list(ks),
                "overrides": list(overrides),
            },
            results=result.to_dict(),
        )
    return result


def _space_key(path: str) -> str:
    parts = path.split(".")
    if parts[0] in ("shocks", "growth_changes") and len(parts) >= 2:
        return ".".join(parts[:2])
    return path


def whatif(
    store: Store,
    scenario: str,
    vary: str,
    target: float = 0.5,
    within: int = 60,
    value_range: tuple[float, float] | None = None,
    model: str = "structural",
    draws: int = WHATIF_DRAWS,
    seed: int | None = None,
    overrides: Sequence[str] = (),
    as_of: Any = None,
) -> WhatIf:
    """Find the value of ``vary`` at which P(ahead within ``within``) reaches ``target``.

    ``vary`` is a scenario path set to a fixed number (``--set vary=x``) at each trial;
    ``value_range`` defaults to the 1st and 99th percentiles of its distribution in the
    scenario.
    """
    if not 0.0 < target < 1.0:
        raise RequestError("target", f"{target} is not allowed (a probability in (0, 1))")
    if within < 1:
        raise RequestError("within", f"{within} is not allowed (months, 1 or more)")
    if not 100 <= draws <= 10_000_000:
        raise RequestError("draws", f"{draws} is out of range (allowed: 100 to 10,000,000)")
    seed_ = DEFAULT_SEED if seed is None else seed
    sets = [*overrides, f"horizon_months={within}"]
    sc = scenario_files.load(scenario, sets)
    apply_override(sc.model_dump(mode="json"), f"{vary}=0")  # checks the path
    models = _models(sc, store, as_of, model)
    space = (models.get("structural") or models["trend"]).space
    notes: list[str] = []
    if value_range is None:
        dist = space.get(_space_key(vary))
        if dist is None:
            raise RequestError(
                "range", f"{vary} has no distribution in the scenario; give --range LO HI"
            )
        lo, hi = (float(x) for x in dist.ppf(np.array([0.01, 0.99])))
        if not hi > lo:
            raise RequestError("range", f"{vary} is fixed in the scenario; give --range LO HI")
        notes.append(f"range: the 1st and 99th percentiles of {vary}'s distribution")
    else:
        lo, hi = value_range
        if not hi > lo:
            raise RequestError("range", f"[{lo}, {hi}] is empty (LO must be below HI)")
    raw = sc.model_dump(mode="json")
    weights = _weights(sc, model)
    inputs_of = {name: m.inputs for name, m in models.items()}  # type: ignore[attr-defined]

    def prob(x: float) -> float:
        trial = validate_scenario(apply_override(raw, f"{vary}={x!r}"), overridden=(vary,))
        total = 0.0
        for name, w in weights.items():
            cls = TrendModel if name == "trend" else ComputeModel
            mc = cls(trial, inputs_of[name])
            dist = Distributions.from_totals(engine.run(mc, draws, seed_))
            total += w * float(dist.within()[within])
        return total

    result = solve(prob, target, lo, hi, path=vary, within=within, model=model)
    notes.append(
        f"{draws:,} draws per model and trial, seed {seed_}: every trial sees the same draws "
        "of everything else (common random numbers)"
    )
    notes.append(f"scenario {sc.name}" + (f"; {sc.calibration}" if sc.calibration else ""))
    return replace(result, notes=tuple(notes))


__all__ = ["SOBOL_BASE", "SOBOL_INNER", "SensitivityResult", "sensitivity", "whatif"]
