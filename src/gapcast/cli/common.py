"""What every CLI command module shares: the store option state and the consoles."""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.console import Console
from rich.markup import escape

if TYPE_CHECKING:
    from gapcast.store import Store

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


class LazyModule:
    """A module imported on first attribute access (keeps ``gapcast --help`` fast).

    The command modules name their use case modules through it, so building the Typer app
    imports no NumPy, pandas, Numba or SciPy; option defaults come from ``gapcast.defaults``.
    """

    def __init__(self, name: str) -> None:
        self._name = name

    def __getattr__(self, attr: str) -> Any:
        return getattr(importlib.import_module(self._name), attr)


@dataclass
class State:
    """Options of the root command, passed to subcommands through the Typer context."""

    db: Path | None = None


def open_store(ctx: typer.Context) -> Store:
    """Open the store named by ``--db``, ``$GAPCAST_DB`` or the default location."""
    from gapcast.usecases import open_store as _open

    state = ctx.find_root().obj
    return _open(state.db if isinstance(state, State) else None)


def print_json(payload: Any) -> None:
    """Print a JSON document on stdout (no Rich markup, stable key order)."""
    typer.echo(json.dumps(payload, indent=2, default=str, ensure_ascii=False))


def print_notes(notes: Iterable[str]) -> None:
    """Print a result's notes, dimmed, one per line."""
    for note in notes:
        console.print(f"[dim]- {escape(note)}[/dim]", soft_wrap=True)


def print_wrote(path: Path | str) -> None:
    """Say where a file was written (the path as it is, never read as markup)."""
    console.print(f"wrote {path}", soft_wrap=True, markup=False)
