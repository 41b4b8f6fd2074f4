"""``gapcast report``: one self-contained HTML report per language, from the numbers."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from gapcast.cli.common import LazyModule, open_store, print_wrote
from gapcast.defaults import DRAWS

if TYPE_CHECKING:
    from gapcast.usecases import report as use
else:
    use = LazyModule("gapcast.usecases.report")


def report(
    ctx: typer.Context,
    scenario: Annotated[
        str, typer.Option("--scenario", "-s", help="Scenario name or YAML file.")
    ] = "baseline",
    out: Annotated[Path, typer.Option("--out", help="Folder to write the report into.")] = Path(
        "out"
    ),
    lang: Annotated[
        str, typer.Option("--lang", help="Language: en, zh, ja, or all (one file each).")
    ] = "en",
    draws: Annotated[
        int, typer.Option("--draws", help="Monte Carlo draws per forecast model.")
    ] = DRAWS,
    seed: Annotated[int | None, typer.Option("--seed", help="Random seed.")] = None,
    pdf: Annotated[
        bool, typer.Option("--pdf", help="Also print each report to PDF (needs chromium).")
    ] = False,
    save: Annotated[
        bool, typer.Option("--save/--no-save", help="Store the forecast as a run (cited).")
    ] = True,
) -> None:
    """Write the report: the gap, how it moved, the forecast, its drivers, the data cited."""
    langs = use.languages(lang)
    with open_store(ctx) as store:
        data = use.build(store, scenario, draws=draws, seed=seed, save=save)
    for path in use.write(data, out, langs, pdf=pdf):
        print_wrote(path)


def register(app: typer.Typer) -> None:
    """Add ``gapcast report`` to the app."""
    app.command("report")(report)
