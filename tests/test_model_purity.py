"""The model core is pure: importing it pulls in no store, CLI, web or plotting library."""

from __future__ import annotations

import subprocess
import sys


def test_model_core_imports_no_adapters() -> None:
    code = (
        "import sys, gapcast.model, gapcast.model.engine, gapcast.model.structural, "
        "gapcast.model.trend, gapcast.model.fit, gapcast.scenario.files, gapcast.model.headline, "
        "gapcast.model.results, gapcast.model.params, gapcast.evaluate.backtest, "
        "gapcast.evaluate.scoring, gapcast.evaluate.calibration, gapcast.evaluate.sensitivity, "
        "gapcast.evaluate.whatif, gapcast.model.bayes, "
        "gapcast.model.fitdata, gapcast.model.recovery, gapcast.evaluate.nested, "
        "gapcast.evaluate.track, gapcast.evaluate.long_horizon, gapcast.evaluate.sweep\n"
        "bad = [m for m in ('duckdb', 'typer', 'fastapi', 'matplotlib', 'plotly', 'rich', "
        "'gapcast.store', 'gapcast.cli', 'gapcast.usecases', 'gapcast.api') "
        "if m in sys.modules]\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
