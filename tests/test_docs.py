"""Docs that cannot drift: the CLI reference, the settings table and the README."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import ROOT
from gapcast.cli.reference import render
from gapcast.settings import SETTINGS


def test_cli_reference_is_current() -> None:
    committed = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
    assert committed == render(), "docs/cli.md is stale: run `make docs`"


def test_every_setting_is_documented() -> None:
    text = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"`{setting.env}`" in text, setting.env


def test_readme_quickstart_is_the_two_commands() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    quickstart = text.split("## Quickstart", 1)[1].split("```")[1]
    assert quickstart.split() == ["make", "demo", "make", "test"]


@pytest.mark.mirror
def test_readme_library_example_runs(
    mirror_db: Path, mirror: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    code = text.split("```python", 1)[1].split("```", 1)[0]
    db = tmp_path / "gapcast.duckdb"
    shutil.copy(mirror_db, db)
    code = code.replace('"out/gapcast.duckdb"', repr(str(db)))
    code = code.replace('"../shared/data"', repr(str(mirror)))
    exec(compile(code, "README.md", "exec"), {})
    printed = capsys.readouterr().out
    for column in ("gap_lo95", "lag_months", "p_ahead", "p_lo90", "mc_error"):  # tables
        assert column in printed
    assert "structural (sustained)" in printed  # the headline's row, with its 90% interval
