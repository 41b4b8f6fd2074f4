"""Generate the CLI reference (docs/cli.md) from the commands' own ``--help``.

``make docs`` writes it; a test checks the committed file matches, so the reference
cannot drift from the code.
"""

from __future__ import annotations

from typing import Any

import typer.main
from typer.testing import CliRunner


def _paths(command: Any, path: list[str]) -> list[list[str]]:
    found = [path]
    if hasattr(command, "commands"):  # a group
        for name in sorted(command.commands):
            found.extend(_paths(command.commands[name], [*path, name]))
    return found


def render() -> str:
    """Return docs/cli.md: every command's ``--help``, commands in alphabetical order."""
    from gapcast.cli import app

    runner = CliRunner()
    env = {"COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
    parts = ["# CLI reference", "", "Generated from `--help` by `make docs`; do not edit.", ""]
    for path in _paths(typer.main.get_command(app), []):
        result = runner.invoke(app, [*path, "--help"], env=env, prog_name="gapcast")
        lines = [line.rstrip() for line in result.output.strip("\n").splitlines()]
        parts += [f"## `{' '.join(['gapcast', *path])}`", "", "```", *lines, "```", ""]
    return "\n".join(parts)


if __name__ == "__main__":
    print(render(), end="")
