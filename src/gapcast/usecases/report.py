"""The report use case, and the data provenance the report and the API cite.

``build(store, scenario)`` measures the current gap (``pipeline.measure.gap``), forecasts
the scenario (``pipeline.forecast.forecast``), adds the sensitivity analysis and the
backtest record (``pipeline.trust``), and the provenance of the data; ``write``
renders it (``gapcast.report.render``) to one self-contained HTML file per language.
"""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from gapcast import __version__
from gapcast.defaults import DRAWS, GAP_DRAWS, SOBOL_BASE, SOBOL_INNER, TRUST_DRAWS
from gapcast.errors import GapcastError, NotAvailableError, RequestError
from gapcast.scenario.files import scenario_table
from gapcast.sources import REGISTRY
from gapcast.store import Store
from gapcast.usecases import claims as claims_use
from gapcast.usecases import forecast as forecasting
from gapcast.usecases import measure, trust_nested
from gapcast.usecases import scenarios as scenario_files
from gapcast.usecases import sweep as sweep_use
from gapcast.usecases import trust as trust_use

LANGS = ("en", "zh", "ja")
REPORT_DRAWS = DRAWS
CLAIMS_DRAWS = claims_use.CLAIMS_DRAWS
CREDITS = {
    "epoch": "Data: Epoch AI (epoch.ai), CC BY 4.0",
    "lmarena": "Data: LMArena (lmarena.ai); licence unspecified",
}


def _day(value: Any) -> str | None:
    if value is None or pd.isna(value):
        return None
    return pd.Timestamp(value).date().isoformat()


def provenance(store: Store) -> dict[str, Any]:
    """Return where the data came from: per source and per file, with licences and dates.

    Sources carry their registry title and homepage; ``data_through`` is the latest date
    any imported row carries; ``credits`` the credit lines the publishers ask for.
    """
    imports = store.imports()
    merged = imports.merge(store.date_ranges(), on=["source", "file"], how="left")
    files = [
        {
            "source": row["source"],
            "file": row["file"],
            "rows": int(row["rows"]),
            "sha256": row["sha256"],
            "license": row["license"],
            "url": row["url"] if isinstance(row["url"], str) else None,
            "first": _day(row["first"]),
            "last": _day(row["last"]),
            "imported_at": str(row["imported_at"]),
        }
        for row in merged.to_dict(orient="records")
    ]
    sources = []
    for name, group in merged.groupby("source", sort=True):
        known = REGISTRY.get(str(name))
        firsts = group["first"].dropna()
        lasts = group["last"].dropna()
        sources.append(
            {
                "source": str(name),
                "title": known.title if known is not None else str(name),
                "license": str(group["license"].iloc[0]),
                "homepage": known.homepage if known is not None else None,
                "files": int(len(group)),
                "rows": int(group["rows"].sum()),
                "first": _day(firsts.min()) if len(firsts) else None,
                "last": _day(lasts.max()) if len(lasts) else None,
                "imported_at": str(group["imported_at"].max()),
            }
        )
    lasts = merged["last"].dropna()
    prefixes = sorted({str(s).split("_")[0] for s in merged["source"]})
    return {
        "data_hash": store.data_hash(),
        "data_through": _day(lasts.max()) if len(lasts) else None,
        "version": __version__,
        "credits": [CREDITS[p] for p in prefixes if p in CREDITS],
        "sources": sources,
        "files": files,
    }


@dataclass(frozen=True)
class ReportData:
    """Everything a report shows, computed once and rendered in any language."""

    scenario: str
    gap: measure.GapReport
    forecast: forecasting.ForecastReport
    assumptions: list[dict[str, str]]
    provenance: dict[str, Any]
    sensitivity: dict[str, Any] | None = None
    backtest: dict[str, Any] | None = None
    track_record: dict[str, Any] | None = None
    """The newest stored nested backtest (``gapcast backtest``), if any."""
    comparison: list[forecasting.ForecastReport] = field(default_factory=list)
    """Every shipped scenario forecast with the report's seed and draws."""
    missing: dict[str, str] = field(default_factory=dict)
    """Why the sensitivity analysis or the backtest is absent (``{"backtest": reason}``)."""
    sweep: Any = None
    """The shipped map (``gapcast.usecases.sweep.SweepReport``), or None (``missing``)."""
    generated: dt.date = field(default_factory=lambda: dt.datetime.now(dt.UTC).date())
    version: str = __version__
    claims: dict[str, Any] | None = None
    """Claims beside gapcast's numbers (``usecases.claims``); ``None`` when none are stored."""


def _optional(
    name: str, compute: Callable[[], Any], missing: dict[str, str]
) -> dict[str, Any] | None:
    """Return ``compute().to_dict()``, or record why it could not be computed."""
    try:
        out: dict[str, Any] = compute().to_dict()
    except GapcastError as err:  # too little history, or a metric the backtest does not cover
        missing[name] = err.message
        return None
    return out


def _stored(
    store: Store,
    kind: str,
    data_hash: str,
    scenario_hash: str | None,
    request: Callable[[dict[str, Any]], bool],
) -> dict[str, Any] | None:
    """Return the newest stored run of ``kind`` on the same data, version and scenario.

    The sensitivity analysis and the backtest take most of a report's time; a stored run
    with the same data hash, gapcast version (and scenario content, where given) and the
    same default request gives the same numbers, so the report cites it instead.
    """
    runs = store.runs(kind)
    for row in runs.itertuples():
        if row.data_hash != data_hash or row.version != __version__:
            continue
        if scenario_hash is not None and row.scenario_hash != scenario_hash:
            continue
        run = store.run(int(row.id))  # type: ignore[arg-type]
        if request(run["request"]):
            results: dict[str, Any] = run["results"]
            return results
    return None


def _default_sensitivity(request: dict[str, Any]) -> bool:
    return (
        request.get("model") == "ensemble"
        and not request.get("overrides")
        and request.get("base") == SOBOL_BASE
        and request.get("inner") == SOBOL_INNER
    )


def build(
    store: Store,
    scenario: str = "baseline",
    *,
    draws: int = REPORT_DRAWS,
    seed: int | None = None,
    save: bool = True,
) -> ReportData:
    """Compute what the report shows.

    Parameters
    ----------
    store
        The store with the imported data; the forecast is stored as a run unless
        ``save=False`` (the report then cites its run id).
    scenario
        A scenario name or YAML file; its groups and metric choose the gap measured.
    draws, seed
        Monte Carlo draws per model and the seed of the forecast (the sensitivity analysis
        and the backtest use their own defaults).
    """
    report = forecasting.forecast(store, scenario, "structural", None, draws, seed, save=save)
    sc = report.scenario
    gap = measure.gap(
        store,
        sc.metric,
        sc.groups.leader.label,
        sc.groups.challenger.label,
        "country",
        draws=GAP_DRAWS,
    )
    shipped = scenario_files.names()
    others = [name for name in shipped if name != scenario]  # the report's own is done
    rest = iter(
        forecasting.compare(store, others, "structural", draws=draws, seed=report.seed, save=False)
        if others
        else []
    )
    comparison = [report if name == scenario else next(rest) for name in shipped]
    missing: dict[str, str] = {}
    data_hash = store.data_hash()
    sensitivity = _stored(
        store, "sensitivity", data_hash, sc.content_hash(), _default_sensitivity
    ) or _optional(
        "sensitivity", lambda: trust_use.sensitivity(store, scenario, save=save), missing
    )
    backtest = _stored(
        store,
        "backtest",
        data_hash,
        None,
        lambda r: r.get("metric") == sc.metric and r.get("draws") == TRUST_DRAWS,
    ) or _optional("backtest", lambda: trust_use.backtest(store, sc.metric, save=save), missing)
    claims = _optional(
        "claims", lambda: claims_use.evaluate(store, draws=CLAIMS_DRAWS, seed=seed), missing
    )
    if claims is None and missing.get("claims", "").startswith("no claims in the store"):
        del missing["claims"]  # no claims imported: the section is left out, not "missing"
    try:
        sweep_map = sweep_use.shipped(store, scenario=scenario)
    except GapcastError as err:
        sweep_map = None
        missing["sweep"] = err.message
    return ReportData(
        scenario=sc.name,
        gap=gap,
        forecast=report,
        assumptions=scenario_table(sc),
        provenance=provenance(store),
        sensitivity=sensitivity,
        backtest=backtest,
        track_record=trust_nested.latest(store),
        comparison=comparison,
        missing=missing,
        claims=claims,
        sweep=sweep_map,
    )


def languages(lang: str) -> tuple[str, ...]:
    """Return the languages a ``--lang`` value names (``all`` for every one)."""
    if lang == "all":
        return LANGS
    if lang not in LANGS:
        raise RequestError("lang", f"'{lang}' is not allowed (allowed: {', '.join(LANGS)}, all)")
    return (lang,)


def write(
    data: ReportData, out: str | Path, langs: Sequence[str] = ("en",), *, pdf: bool = False
) -> list[Path]:
    """Render the report in each language to ``OUT/gapcast-report-SCENARIO-LANG.html``.

    With ``pdf``, each HTML file is also printed to PDF by a headless chromium.
    """
    from gapcast.report.render import render_html

    folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise RequestError("out", f"{folder} is a file, not a folder")
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for lang in langs:
        target = folder / f"gapcast-report-{data.scenario}-{lang}.html"
        target.write_text(render_html(data, lang), encoding="utf-8")
        written.append(target)
        if pdf:
            written.append(print_pdf(target))
    return written


def print_pdf(html: Path) -> Path:
    """Print an HTML file to PDF with a headless chromium (``chromium`` on the PATH)."""
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        raise NotAvailableError(
            "PDF output needs chromium on the PATH", hint="install chromium, or drop --pdf"
        )
    target = html.with_suffix(".pdf")
    args = [
        browser,
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-pdf-header-footer",
        f"--print-to-pdf={target}",
        html.resolve().as_uri(),
    ]
    try:
        subprocess.run(args, check=True, capture_output=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as err:
        raise GapcastError(f"{target}: chromium could not print the PDF ({err})") from None
    return target
