"""``gapcast data import|status|fetch`` and ``gapcast models``."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.table import Table

from gapcast.cli.common import LazyModule, console, open_store, print_json

if TYPE_CHECKING:
    import pandas as pd

    from gapcast.usecases import data as use
else:
    use = LazyModule("gapcast.usecases.data")

app = typer.Typer(help="Import, fetch and inspect the upstream datasets.", no_args_is_help=True)


def _import_table(report: use.ImportReport, title: str) -> Table:
    table = Table(title=title, title_justify="left")
    for column, justify in [
        ("source", "left"),
        ("file", "left"),
        ("rows", "right"),
        ("action", "left"),
        ("sha256", "left"),
        ("license", "left"),
    ]:
        table.add_column(column, justify=justify)  # type: ignore[arg-type]
    for r in report.results:
        table.add_row(r.source, r.file, f"{r.rows:,}", r.action, r.sha256[:12], r.license)
    return table


def _print_import(report: use.ImportReport, as_json: bool, title: str) -> None:
    if as_json:
        print_json(report.to_dict())
        return
    console.print(_import_table(report, title))
    changed = sum(r.action != "unchanged" for r in report.results)
    console.print(
        f"{len(report.results)} files, {changed} changed, "
        f"{len(report.results) - changed} unchanged."
    )
    if report.skipped:
        console.print(
            f"Skipped {len(report.skipped)} non-data files: "
            + ", ".join(Path(p).name for p in report.skipped)
        )


@app.command("import")
def import_(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to import.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Import files or folders; each file's source is recognised by name and content."""
    with open_store(ctx) as store:
        report = use.import_paths(store, paths)
    _print_import(report, as_json, "Imported")


@app.command()
def fetch(
    ctx: typer.Context,
    source: Annotated[str | None, typer.Option("--source", help="Only this source.")] = None,
    mirror: Annotated[
        str | None, typer.Option("--from", help="A mirror folder or base URL instead of upstream.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Download each source from its upstream URL (or a mirror) and import it."""
    with open_store(ctx) as store:
        report = use.fetch(store, source, mirror)
    _print_import(report, as_json, "Fetched and imported")


@app.command()
def status(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Show what the store holds, per source and file, and what could not be resolved."""
    with open_store(ctx) as store:
        info = use.status(store)
    if as_json:
        print_json(info)
        return
    table = Table(title=f"Store {info['db']} (data hash {info['data_hash']})", title_justify="left")
    table.add_column("source", no_wrap=True)
    table.add_column("file", no_wrap=True, overflow="ellipsis", max_width=36)
    table.add_column("rows", justify="right", no_wrap=True)
    table.add_column("dates", no_wrap=True)
    table.add_column("sha256", no_wrap=True)
    licenses: dict[str, str] = {}
    for s in info["sources"]:
        dates = f"{s['first'] or '?'} … {s['last'] or '?'}" if s["first"] or s["last"] else ""
        table.add_row(s["source"], s["file"], f"{s['rows']:,}", dates, s["sha256"][:8])
        licenses[s["source"]] = s["license"]
    console.print(table)
    if not info["sources"]:
        console.print("The store is empty: run `gapcast data import PATH` or `gapcast data fetch`.")
    for source, license in licenses.items():
        console.print(f"  {source}: licence {license}", markup=False)
    console.print("Rows per table: " + ", ".join(f"{k} {v:,}" for k, v in info["tables"].items()))
    _print_unresolved(info["unresolved"])


def _print_unresolved(unresolved: list[dict[str, Any]]) -> None:
    if not unresolved:
        console.print("Every organization and model resolved.")
        return
    for kind in ("organization", "model"):
        items = [u for u in unresolved if u["kind"] == kind]
        if not items:
            continue
        console.print(f"Unresolved {kind}s ({len(items)}), with the rows they cover:")
        console.print(
            "  " + "; ".join(f"{u['name']} ({u['source']}, {u['rows']})" for u in items),
            soft_wrap=True,
            markup=False,
        )


def register(root: typer.Typer) -> None:
    """Add the top-level ``models`` command to the root app."""

    @root.command("models")
    def models_(
        ctx: typer.Context,
        country: Annotated[str | None, typer.Option(help="Only this country.")] = None,
        accessibility: Annotated[str | None, typer.Option(help="open or closed weights.")] = None,
        metric: Annotated[
            str | None, typer.Option(help="Show each model's best score on this metric.")
        ] = None,
        search: Annotated[str | None, typer.Option(help="Name contains this text.")] = None,
        limit: Annotated[int, typer.Option(help="Rows to show in the table.")] = 40,
        as_json: Annotated[bool, typer.Option("--json", help="Print JSON (all rows).")] = False,
    ) -> None:
        """List the models in the store with country, accessibility and scores."""
        with open_store(ctx) as store:
            frame = use.models(
                store, country=country, accessibility=accessibility, metric=metric, search=search
            )
        if as_json:
            print_json(_records(frame))
            return
        table = Table(title=f"{len(frame):,} models", title_justify="left")
        shown = [c for c in frame.columns if c not in ("model_id", "source")]
        for column in shown:
            table.add_column(column)
        for values in frame.head(limit).to_dict(orient="records"):
            table.add_row(*(_cell(values[c]) for c in shown))
        console.print(table)


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    import pandas as pd

    return [
        {str(k): (None if pd.isna(v) else _plain(v)) for k, v in row.items()}
        for row in frame.to_dict(orient="records")
    ]


def _plain(value: Any) -> Any:
    import pandas as pd

    if isinstance(value, pd.Timestamp):
        return str(value.date())
    return value


def _cell(value: Any) -> str:
    import pandas as pd

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return str(value.date())
    if isinstance(value, float):
        return f"{value:.3g}" if abs(value) >= 1e6 else f"{value:.2f}"
    return str(value)
