"""Run the CLI in-process the way a user would, capturing its exit code and output."""

from __future__ import annotations

import json
from typing import Any

import pytest

from gapcast.cli import main


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Return ``(exit code, stdout, stderr)`` of ``gapcast ARGS``."""
    try:
        main(list(args))
        code = 0
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def cli_json(capsys: pytest.CaptureFixture[str], *args: str) -> Any:
    """Return the JSON that ``gapcast ARGS --json`` prints, checking it ran cleanly."""
    code, out, err = run_cli(capsys, *args, "--json")
    assert (code, err) == (0, ""), err
    return json.loads(out)
