"""CI never lets a test skip silently (the browser tests skipped when chromium was missing)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent


def _pytest(tmp_path: Path, **env: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "test_skipping.py").write_text(
        "import pytest\n\ndef test_skips() -> None:\n    pytest.skip('no browser')\n"
    )
    run_env = {k: v for k, v in os.environ.items() if k != "GAPCAST_NO_SKIP"}
    run_env.update(PYTHONPATH=f"{TESTS}{os.pathsep}{ROOT / 'src'}", **env)
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "conftest", "-p", "no:cacheprovider"]
        + ["--rootdir", str(tmp_path), "-c", os.devnull, str(tmp_path / "test_skipping.py")],
        capture_output=True,
        text=True,
        env=run_env,
        cwd=tmp_path,
        check=False,
    )


def test_a_skip_fails_under_ci(tmp_path: Path) -> None:
    ci = _pytest(tmp_path, GAPCAST_NO_SKIP="1")
    assert ci.returncode == 1 and "skipped, which CI does not allow" in ci.stdout
    local = _pytest(tmp_path)
    assert local.returncode == 0 and "1 skipped" in local.stdout


def test_ci_sets_it_and_the_browser_tests_never_skip() -> None:
    assert "export GAPCAST_NO_SKIP=1" in (ROOT / ".ci" / "run").read_text()
    assert "pytest.skip(" not in (TESTS / "test_browser.py").read_text()
