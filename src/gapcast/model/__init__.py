"""The forecast model core: Monte Carlo engine, trend and compute models, scenarios, fit.

Pure NumPy/Numba/SciPy and pydantic: no I/O, no store, CLI, web or plotting imports (a test
checks it). Arrays of simulated values are laid out **draws × months × groups** (group 0 the
leader, 1 the challenger; month 0 the as-of month).

Typical use::

    from gapcast.model import ComputeModel, TrendModel, run, summarize, Distributions
    model = ComputeModel(scenario, inputs)          # inputs: ForecastInputs (measured)
    totals = run(model, draws=100_000, seed=1)      # identical for any chunk / worker count
    forecast = summarize(Distributions.from_totals(totals), model="compute",
                         as_of=inputs.as_of, groups=model.groups, base=model.base)
    forecast.p_ahead_within[36], forecast.p_ahead_within_se[36]

See docs/model.md for the equations and the modelling choices.
"""

from gapcast.model.backtest import BacktestResult, Origin, ScoreRow, run_backtest
from gapcast.model.calibration import Calibration
from gapcast.model.compute import ComputeModel, compute_space, fitted_release_rate
from gapcast.model.engine import (
    BLOCK,
    Draws,
    EngineOptions,
    Model,
    RunTotals,
    draw_params,
    run,
    simulate_paths,
)
from gapcast.model.fit import CapabilityFit, Coefficient, fit_capability
from gapcast.model.inputs import ForecastInputs, GroupData, StepHistory, month_date, month_index
from gapcast.model.params import (
    Beta,
    Fixed,
    Gamma,
    LogNormal,
    Normal,
    ParamSpace,
    Triangular,
    Uniform,
    sample_matrix,
    sample_space,
)
from gapcast.model.results import (
    HORIZONS,
    QUANTILES,
    Decomposition,
    Distributions,
    Forecast,
    ModelForecast,
    mix,
    summarize,
)
from gapcast.model.scenarios import (
    Scenario,
    apply_override,
    documented_fields,
    parse_scenario,
    scenario_table,
    validate_scenario,
)
from gapcast.model.sensitivity import SobolIndex, SobolOutput, sobol
from gapcast.model.trend import TrendModel, step_history, with_common_progress
from gapcast.model.whatif import WhatIf, solve

__all__ = [
    "BLOCK",
    "HORIZONS",
    "QUANTILES",
    "BacktestResult",
    "Beta",
    "Calibration",
    "CapabilityFit",
    "Coefficient",
    "ComputeModel",
    "Decomposition",
    "Distributions",
    "Draws",
    "EngineOptions",
    "Fixed",
    "Forecast",
    "ForecastInputs",
    "Gamma",
    "GroupData",
    "LogNormal",
    "Model",
    "ModelForecast",
    "Normal",
    "Origin",
    "ParamSpace",
    "RunTotals",
    "Scenario",
    "ScoreRow",
    "SobolIndex",
    "SobolOutput",
    "StepHistory",
    "TrendModel",
    "Triangular",
    "Uniform",
    "WhatIf",
    "apply_override",
    "compute_space",
    "documented_fields",
    "draw_params",
    "fit_capability",
    "fitted_release_rate",
    "mix",
    "month_date",
    "month_index",
    "parse_scenario",
    "run",
    "run_backtest",
    "sample_matrix",
    "sample_space",
    "scenario_table",
    "simulate_paths",
    "sobol",
    "solve",
    "step_history",
    "summarize",
    "validate_scenario",
    "with_common_progress",
]
