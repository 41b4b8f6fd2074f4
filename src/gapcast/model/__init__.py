"""The forecast model core: Monte Carlo engine, structural and trend models, fit, results.

Pure NumPy/Numba/SciPy and pydantic: no I/O, no store, CLI, web or plotting imports (a test
checks it). Arrays of simulated values are laid out **draws × months × groups** (group 0 the
leader, 1 the challenger; month 0 the as-of month).

Typical use::

    from gapcast.model import StructuralModel, Distributions, summarize
    from gapcast.model import structural
    model = StructuralModel(scenario, inputs, posterior)  # inputs: ForecastInputs (measured)
    totals = structural.run(model, draws=100_000, seed=1) # identical for any chunk / workers
    forecast = summarize(Distributions.from_totals(totals), model="structural",
                         as_of=inputs.as_of, groups=model.groups, base=model.base)
    forecast.p_ahead_within[36], forecast.p_sustained_within[36]

Names are imported from their modules on first use, so importing one module of the
package (``gapcast.scenario.files``, as the CLI does) does not load the rest.

See docs/model.md for the equations and the modelling choices.
"""

from __future__ import annotations

from gapcast._lazy import lazy_exports

_EXPORTS = {
    "BLOCK": "gapcast.model.engine",
    "Beta": "gapcast.model.params",
    "CapabilityFit": "gapcast.model.fit",
    "Coefficient": "gapcast.model.fit",
    "Distributions": "gapcast.model.results",
    "Draws": "gapcast.model.engine",
    "EngineOptions": "gapcast.model.engine",
    "Fixed": "gapcast.model.params",
    "Forecast": "gapcast.model.results",
    "ForecastInputs": "gapcast.model.inputs",
    "Gamma": "gapcast.model.params",
    "GroupData": "gapcast.model.inputs",
    "HORIZONS": "gapcast.model.results",
    "Headline": "gapcast.model.headline",
    "LogNormal": "gapcast.model.params",
    "Model": "gapcast.model.engine",
    "ModelForecast": "gapcast.model.results",
    "Normal": "gapcast.model.params",
    "ParamSpace": "gapcast.model.params",
    "QUANTILES": "gapcast.model.results",
    "RunTotals": "gapcast.model.engine",
    "StepHistory": "gapcast.model.inputs",
    "StructuralModel": "gapcast.model.structural",
    "TrendModel": "gapcast.model.trend",
    "Triangular": "gapcast.model.params",
    "Uniform": "gapcast.model.params",
    "draw_params": "gapcast.model.engine",
    "fit_capability": "gapcast.model.fit",
    "fitted_release_rate": "gapcast.model.trend",
    "month_date": "gapcast.model.inputs",
    "month_index": "gapcast.model.inputs",
    "prior_posterior": "gapcast.model.structural",
    "run": "gapcast.model.engine",
    "sample_matrix": "gapcast.model.params",
    "sample_space": "gapcast.model.params",
    "simulate_paths": "gapcast.model.engine",
    "step_history": "gapcast.model.trend",
    "summarize": "gapcast.model.results",
    "with_common_progress": "gapcast.model.trend",
}

__all__ = sorted(_EXPORTS)
__getattr__, __dir__ = lazy_exports(__name__, _EXPORTS, globals())
