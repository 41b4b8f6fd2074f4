"""``gapcast --help`` starts fast: building the CLI imports no numerical library.

Timings are measured by ``benchmarks/bench_cli.py``; this test checks the cause instead (what
is imported), which does not depend on the machine's speed.
"""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("numpy", "pandas", "scipy", "numba", "duckdb", "jax", "matplotlib", "plotly")


def test_the_cli_app_imports_no_numerical_library() -> None:
    code = (
        "import sys\n"
        "from typer.main import get_command\n"
        "from gapcast.cli import app\n"
        "get_command(app)\n"  # every command and its option defaults, as --help builds them
        f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""
