"""The model core is pure: importing it pulls in no store, CLI, web or plotting library."""

from __future__ import annotations

import subprocess
import sys


def test_model_core_imports_no_adapters() -> None:
    code = (
        "import sys, gapcast.model, gapcast.model.engine, gapcast.model.compute, "
        "gapcast.model.trend, gapcast.model.fit, gapcast.model.scenarios, "
        "gapcast.model.results, gapcast.model.params, gapcast.model.backtest, "
        "gapcast.model.scoring, gapcast.model.calibration, gapcast.model.sensitivity, "
        "gapcast.model.whatif, gapcast.model.half_life\n"
        "bad = [m for m in ('duckdb', 'typer', 'fastapi', 'matplotlib', 'plotly', 'rich', "
        "'gapcast.store', 'gapcast.cli', 'gapcast.pipeline', 'gapcast.api') "
        "if m in sys.modules]\n"
        "print(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
