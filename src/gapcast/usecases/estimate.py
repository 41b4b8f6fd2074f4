"""Estimate the structural model from the store (``gapcast fit``) and cache the posterior.

``fit_data`` builds ``FitData`` as of a date, from data released by then only:

- cross-section: ``forecast_inputs.fit_rows`` (every AI model with an ECI score and a
  training-compute estimate, its best score, dated by release);
- releases: every ECI score of each side's AI models released on or before the date;
- research compute: the counted Epoch GPU-cluster rows operational at each month's end
  (``research_proxy: clusters``), or the running maximum of the side's training compute
  (``training_compute``).

``posterior`` returns the fitted ``Posterior``, from a cache when the same data, priors,
sampler settings and code were fitted before. The cache lives next to the store, in
``<store folder>/posteriors/<key>.npz`` (written to a temporary file and renamed, so a
reader never sees half a file); an in-memory store has no cache folder and always fits.
JAX's compiled programs are kept in ``<store folder>/jax-cache`` (compiling the sampler
is most of a first fit's time).

``cached_posterior`` (what a forecast calls: it never fits) memoises which cache file
belongs to a data hash, priors, seed and sampler settings, and the posterior read from a
file by its path, size and modification time, so a repeated forecast reads neither the
tables nor the file again, and a new fit is seen at once. ``fits_key`` names the state of
the cache folder, for result caches that must change when a fit is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from gapcast import __version__, measure
from gapcast.errors import GapcastError, ScenarioError
from gapcast.frames import Tabular
from gapcast.freshness import check_as_of, data_end
from gapcast.model import bayes, fitdata, recovery
from gapcast.model.fitdata import (
    FitData,
    cluster_history,
    cross_section,
    monthly_best,
    series_from,
    start_month,
    training_history,
)
from gapcast.model.posterior import NAMES, ParamSummary, Posterior
from gapcast.scenario.estimation import EstimationPriors
from gapcast.scenario.files import Scenario
from gapcast.store import Store
from gapcast.usecases.forecast_inputs import (
    COMPUTE_SOURCE,
    Tables,
    fit_rows,
    latest_date,
    parse_as_of,
    releases,
)
from gapcast.usecases.memo import Memo

DEFAULT_SEED = 20240601
"""Seed of the sampler when none is given."""
CACHE_DIR = "posteriors"
COMPILE_CACHE_DIR = "jax-cache"


def _clusters(compute: pd.DataFrame) -> pd.DataFrame:
    rows = compute.loc[
        (compute["source"] == COMPUTE_SOURCE) & compute["counted"].fillna(False).astype(bool)
    ]
    return rows[["country", "date", "end_date", "h100e"]]


def _training(tables: Tables, end: dt.date) -> pd.DataFrame:
    flops = measure.metric_rows(
        tables.scores,
        tables.models,
        measure.Selection(measure.TRAINING_COMPUTE),
        pd.Timestamp(end),
    )
    return pd.DataFrame(
        {
            "country": flops["country"],
            "date": pd.to_datetime(flops["date"]),
            "ln_flop": flops["value"].astype(float) * np.log(10.0),
        }
    )


def priors_of(scenario: Scenario) -> EstimationPriors:
    """Return the scenario's ``estimation`` section, or say that it has none."""
    if scenario.estimation is None:
        raise ScenarioError("estimation", f"scenario '{scenario.name}' has no priors to fit with")
    return scenario.estimation


def fit_data(tables: Tables, scenario: Scenario, as_of: dt.date | None = None) -> FitData:
    """Build the fit's data from the store's tables, as of ``as_of`` (default: latest)."""
    if as_of is not None:
        check_as_of(as_of, data_end(tables.scores, tables.models))
    end = as_of or latest_date(tables, scenario.metric)
    est = priors_of(scenario)
    labels = (scenario.groups.leader.label, scenario.groups.challenger.label)
    rows = fit_rows(tables, labels[0], labels[1], end, scenario.metric)
    best = monthly_best(releases(tables, labels, end, scenario.metric), end)
    months = pd.PeriodIndex(best.index)
    if est.research_proxy == "clusters":
        start = start_month(best)
        research = np.full((len(months), 2), np.nan)
        keep = months >= start
        research[keep] = cluster_history(_clusters(tables.compute), labels, months[keep])
        research[~keep] = research[keep][0]
    else:
        research = training_history(_training(tables, end), labels, months)
    series = series_from(best, research, est.frontier_margin)
    return FitData(
        end, labels, cross_section(rows), series, est.research_proxy, est.frontier_margin
    )


_CODE: list[str] = []


def _code_hash() -> str:
    """Return a hash of the fitting code's source (read once per process)."""
    if not _CODE:
        code = hashlib.sha256()
        for module in (bayes.__file__, fitdata.__file__, recovery.__file__, __file__):
            code.update(Path(module).read_bytes())
        _CODE.append(code.hexdigest())
    return _CODE[0]


def cache_key(data: FitData, scenario: Scenario, seed: int, settings: bayes.SamplerSettings) -> str:
    """Return the cache key: a hash of the data, the priors, the sampler and the code."""
    payload = {
        "data": data.content_hash(),
        "priors": priors_of(scenario).fingerprint(),
        "seed": seed,
        "settings": asdict(settings),
        "code": _code_hash(),
        "version": __version__,
    }
    text = json.dumps(payload, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def _cache_path(store: Store, key: str) -> Path | None:
    if store.path == ":memory:":
        return None
    return Path(store.path).parent / CACHE_DIR / f"{key}.npz"


def _save(path: Path, post: Posterior) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    meta = {
        "method": post.method,
        "as_of": post.as_of.isoformat(),
        "divergences": post.divergences,
        "notes": list(post.notes),
        "summaries": [asdict(s) for s in post.summaries],
    }
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            arrays: dict[str, Any] = {
                f"s_{k}": np.asarray(v, np.float64) for k, v in post.samples.items()
            }
            np.savez(handle, meta=np.array(json.dumps(meta)), **arrays)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _load(path: Path) -> Posterior | None:
    try:
        with np.load(path, allow_pickle=False) as archive:
            meta: dict[str, Any] = json.loads(str(archive["meta"]))
            samples = {
                k[2:]: archive[k].astype(np.float64) for k in archive.files if k.startswith("s_")
            }
        return Posterior(
            samples=samples,
            method=meta["method"],
            as_of=dt.date.fromisoformat(meta["as_of"]),
            summaries=tuple(ParamSummary(**s) for s in meta["summaries"]),
            divergences=int(meta["divergences"]),
            notes=tuple(meta["notes"]),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None  # an unreadable cache entry is refitted and overwritten


def compile_cache(store: Store) -> Path | None:
    """Return the folder of JAX's compiled samplers next to the store (None: in memory)."""
    if store.path == ":memory:":
        return None
    return Path(store.path).parent / COMPILE_CACHE_DIR


def use_compile_cache(folder: Path | None) -> None:
    """Keep JAX's compiled sampler in ``folder`` (None: nowhere).

    A later fit of data of the same shape, in any process, loads it instead of compiling
    again (about 10-20 s on 2 cores).
    """
    if folder is None:
        return
    import jax

    folder.mkdir(parents=True, exist_ok=True)
    jax.config.update("jax_compilation_cache_dir", str(folder))  # type: ignore[no-untyped-call]
    jax.config.update("jax_persistent_cache_min_compile_time_secs", 0.5)  # type: ignore[no-untyped-call]


def posterior(
    store: Store,
    scenario: Scenario,
    as_of: str | dt.date | None = None,
    *,
    seed: int = DEFAULT_SEED,
    settings: bayes.SamplerSettings | None = None,
    refit: bool = False,
) -> Posterior:
    """Return the structural model's posterior as of ``as_of`` (cached by content).

    The first call for given data, priors, seed, sampler settings and code fits (NUTS);
    later calls read the cached draws. ``refit`` ignores the cache.
    """
    cfg = settings or bayes.SamplerSettings()
    tables = Tables.load(store)
    data = fit_data(tables, scenario, parse_as_of(as_of))
    key = cache_key(data, scenario, seed, cfg)
    path = _cache_path(store, key)
    if path is not None and path.exists() and not refit:
        cached = _load(path)
        if cached is not None:
            return cached
    use_compile_cache(compile_cache(store))
    post = bayes.fit_posterior(data, priors_of(scenario), seed=seed, settings=cfg)
    if path is not None:
        _save(path, post)
    return post


def save_posterior(
    store: Store,
    scenario: Scenario,
    post: Posterior,
    as_of: str | dt.date | None = None,
    *,
    seed: int = DEFAULT_SEED,
    settings: bayes.SamplerSettings | None = None,
) -> Path | None:
    """Store ``post`` as the cached fit of this data, scenario, seed and settings.

    What ``posterior`` does after a fit (a posterior obtained elsewhere, e.g. a test's or
    another machine's, is then used by every forecast of this data). Returns the file, or
    None for an in-memory store (no cache folder).
    """
    cfg = settings or bayes.SamplerSettings()
    data = fit_data(Tables.load(store), scenario, parse_as_of(as_of))
    path = _cache_path(store, cache_key(data, scenario, seed, cfg))
    if path is not None:
        _save(path, post)
    return path


_FIT_KEYS: Memo[str | None] = Memo(64)
_LOADED: Memo[Posterior | None] = Memo(8)


def cached_posterior(
    store: Store,
    scenario: Scenario,
    as_of: str | dt.date | None = None,
    *,
    seed: int = DEFAULT_SEED,
    settings: bayes.SamplerSettings | None = None,
    tables: Tables | None = None,
) -> Posterior | None:
    """Return the posterior ``posterior`` would return, if it is cached; never fit.

    None when no fit of this data, these priors and this code is cached, or when the data
    cannot be fitted at all (``gapcast fit`` says why). ``tables`` are the store's tables
    when the caller has them already read (they must be the store's own, not a vintage's).
    """
    if store.path == ":memory:":
        return None
    cfg = settings or bayes.SamplerSettings()
    day = parse_as_of(as_of)

    def key_of() -> str | None:
        try:
            data = fit_data(tables if tables is not None else Tables.load(store), scenario, day)
        except GapcastError:
            return None
        return cache_key(data, scenario, seed, cfg)

    data_key = store.data_hash() if tables is None else tables.key
    if data_key is None:
        key = key_of()
    else:
        request = (
            data_key,
            day,
            scenario.metric,
            scenario.groups.leader.label,
            scenario.groups.challenger.label,
            json.dumps(priors_of(scenario).fingerprint(), sort_keys=True, default=str)
            if scenario.estimation is not None
            else None,
            seed,
            json.dumps(asdict(cfg), sort_keys=True),
        )
        key = _FIT_KEYS.get_or_compute(request, key_of)
    path = None if key is None else _cache_path(store, key)
    if path is None:
        return None
    try:
        st = path.stat()
    except OSError:
        return None
    return _LOADED.get_or_compute((str(path), st.st_mtime_ns, st.st_size), lambda: _load(path))


def fits_key(store_path: str | Path) -> str:
    """Return a short hash of the cached fits next to a store file, or ``none``.

    It hashes their names, sizes and modification times, so it changes when a fit is
    written or removed.

    Result caches that may depend on a fitted posterior (forecasts, sweeps, the thesis)
    include it in their keys, so a server started before ``gapcast fit`` serves the fit
    from the next request on.
    """
    if str(store_path) == ":memory:":
        return "none"
    folder = Path(store_path).parent / CACHE_DIR
    entries: list[str] = []
    try:
        with os.scandir(folder) as found:
            for entry in found:
                if entry.name.endswith(".npz") and entry.is_file():
                    st = entry.stat()
                    entries.append(f"{entry.name}:{st.st_size}:{st.st_mtime_ns}")
    except OSError:
        return "none"
    if not entries:
        return "none"
    return hashlib.sha256("\n".join(sorted(entries)).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class FitReport(Tabular):
    """The structural model's posterior as the library returns it (``gapcast.fit``)."""

    posterior: Posterior
    scenario: str

    def to_dict(self) -> dict[str, Any]:
        """Return ``gapcast fit --json`` with the scenario whose priors were used."""
        return {"scenario": self.scenario, **posterior_report(self.posterior)}


def fit(
    store: Store,
    scenario: str = "baseline",
    as_of: str | dt.date | None = None,
    *,
    seed: int = DEFAULT_SEED,
    settings: bayes.SamplerSettings | None = None,
    refit: bool = False,
) -> FitReport:
    """Estimate the structural model (``gapcast fit``): cached by content, NUTS otherwise."""
    from gapcast.usecases import scenarios as scenario_files

    sc = scenario_files.load(scenario)
    post = posterior(store, sc, as_of, seed=seed, settings=settings, refit=refit)
    return FitReport(post, sc.name)


def posterior_report(post: Posterior) -> dict[str, Any]:
    """Return ``gapcast fit --json``: every parameter's posterior, diagnostics and notes."""
    return {
        "method": post.method,
        "as_of": post.as_of.isoformat(),
        "draws": post.size,
        "divergences": post.divergences,
        "parameters": [
            {**s.to_dict(), "meaning": bayes.WORDS.get(s.name, s.name), "contract": s.name in NAMES}
            for s in post.summaries
        ],
        "notes": list(post.notes),
    }
