"""The ``/api`` routes: thin adapters over ``gapcast.usecases`` (no measuring or forecasting).

Every route validates its request (FastAPI answers 422 naming the field), calls one
pipeline use case, and returns a wire schema. Results are cached by everything that
determines them, the data hash included; a forecast's cache status is in the
``X-Gapcast-Cache`` header (``hit`` or ``miss``), never in the body, so a cached answer is
byte-for-byte the answer it repeats.

Data import over HTTP (``POST /api/data/import``) exists only when the server has a bearer
token (``GAPCAST_API_TOKEN``); without one the route answers 404. With one, a request
without ``Authorization: Bearer ...`` gets 401 and a wrong token 403.
"""

# No ``from __future__ import annotations``: FastAPI reads the request model built per app.

import datetime as dt
import hmac
import json
from contextlib import nullcontext
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Response

from gapcast import __version__
from gapcast.api import analysis_schemas as analysis
from gapcast.api import convert, jobs, provisional, schemas
from gapcast.api.deps import ApiSettings, Services, get_services, read_store
from gapcast.errors import AuthError, NotAvailableError, NotFoundError, RequestError
from gapcast.model import engine
from gapcast.store import Store
from gapcast.usecases import data as data_use
from gapcast.usecases import forecast as forecast_use
from gapcast.usecases import measure as measure_use
from gapcast.usecases import report as report_use
from gapcast.usecases import scenarios as scenario_files
from gapcast.usecases import trust
from gapcast.usecases.forecast_inputs import Tables

JSON = "application/json"
MAX_GAP_DRAWS = 10_000

_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": schemas.ErrorOut, "description": "Not found"},
    422: {"model": schemas.ErrorOut, "description": "A request field is not allowed"},
    503: {"model": schemas.ErrorOut, "description": "Not available (yet, or the store is busy)"},
}

StoreDep = Annotated[Store, Depends(read_store)]
ServicesDep = Annotated[Services, Depends(get_services)]


def _json_bytes(model: Any) -> bytes:
    return str(model.model_dump_json()).encode()


def _clean_json(payload: Any) -> bytes:
    return json.dumps(convert.clean(payload), allow_nan=False).encode()


def cached_tables(services: Services, store: Store) -> Tables:
    """Return the forecast's resolved tables, read and resolved once per data hash."""
    key = ("tables", store.data_hash())
    tables, _ = services.results.get_or_compute(key, lambda: Tables.load(store))
    return tables  # type: ignore[no-any-return]


def _shipped(name: str) -> str:
    if name not in scenario_files.names():
        raise NotFoundError(
            f"no scenario '{name}'", hint=f"available: {', '.join(scenario_files.names())}"
        )
    return name


def inputs_key(services: Services) -> str:
    """Return the key of every input of a result besides the data and the request.

    The content key of the scenario files, the calibration and the code version
    (``jobs.inputs_key``), and the fitted posteriors cached next to the store
    (``StoreProvider.fits_key``): a fit written while the server runs is used from the
    next request on, never hidden behind a cached prior-based answer.
    """
    return f"{jobs.inputs_key()}-{services.provider.fits_key()}"


def _check_token(settings: ApiSettings, authorization: str | None) -> None:
    if settings.token is None:
        raise NotFoundError(
            "data import over HTTP is disabled on this server",
            hint="start the server with GAPCAST_API_TOKEN set to enable it",
        )
    scheme, _, given = (authorization or "").partition(" ")
    if not authorization or scheme.lower() != "bearer" or not given.strip():
        raise AuthError(
            "this route needs a bearer token", hint="send Authorization: Bearer <token>"
        )
    if not hmac.compare_digest(given.strip().encode(), settings.token.encode()):
        raise AuthError("the bearer token is not valid", forbidden=True)


def build_router(settings: ApiSettings) -> APIRouter:
    """Return the ``/api`` router for one app (its request bounds come from ``settings``)."""
    router = APIRouter(prefix="/api", responses=_ERRORS)
    forecast_request = schemas.forecast_request_model(settings.max_draws, settings.default_draws)

    @router.get("/health", response_model=schemas.HealthOut, tags=["meta"])
    def health(services: ServicesDep) -> schemas.HealthOut:
        """Say the server is up, with its version and the data hash it serves."""
        try:
            data_hash: str | None = services.provider.data_hash()
        except Exception:  # the store may be missing: the server is still up
            data_hash = None
        features = {
            "import": services.settings.token is not None,
        }
        return schemas.HealthOut(
            status="ok", version=__version__, data_hash=data_hash, features=features
        )

    # ---- data --------------------------------------------------------------------

    @router.get("/sources", response_model=schemas.ProvenanceOut, tags=["data"])
    def sources(store: StoreDep, services: ServicesDep) -> Any:
        """Return where the data came from: sources, licences, files and date ranges."""
        key = ("sources", store.data_hash())
        found, _ = services.results.get_or_compute(key, lambda: report_use.provenance(store))
        return found

    @router.get("/status", response_model=schemas.StatusOut, tags=["data"])
    def status(store: StoreDep, services: ServicesDep) -> Any:
        """Return what the store holds, per file, and the names that could not be resolved."""
        key = ("status", store.data_hash())
        found, _ = services.results.get_or_compute(key, lambda: data_use.status(store))
        return convert.clean(found)

    @router.get("/models", response_model=schemas.ModelsPage, tags=["data"])
    def models(
        store: StoreDep,
        services: ServicesDep,
        country: Annotated[str | None, Query(max_length=100)] = None,
        accessibility: Literal["open", "closed"] | None = None,
        metric: Annotated[
            str | None, Query(max_length=100, description="Best score on this metric.")
        ] = None,
        search: Annotated[str | None, Query(max_length=200)] = None,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    ) -> schemas.ModelsPage:
        """List resolved models, filtered: newest first (best first with ``metric``)."""
        key = ("models", store.data_hash(), country, accessibility, metric, search)
        frame, _ = services.results.get_or_compute(
            key,
            lambda: data_use.models(
                store, country=country, accessibility=accessibility, metric=metric, search=search
            ),
        )
        page = frame.iloc[offset : offset + limit]
        return schemas.ModelsPage(
            total=len(frame),
            limit=limit,
            offset=offset,
            metric=metric,
            items=convert.model_rows(page, metric),
        )

    @router.post(
        "/data/import",
        response_model=schemas.ImportOut,
        tags=["data"],
        responses={
            401: {"model": schemas.ErrorOut, "description": "No bearer token"},
            403: {"model": schemas.ErrorOut, "description": "Wrong bearer token"},
        },
    )
    def import_data(
        body: schemas.ImportRequest,
        services: ServicesDep,
        authorization: Annotated[str | None, Header()] = None,
    ) -> schemas.ImportOut:
        """Import files and folders on the server (needs the server's bearer token)."""
        _check_token(services.settings, authorization)
        limits = data_use.Limits(
            root=services.settings.import_root,
            max_file_bytes=data_use.MAX_FILE_BYTES,
            max_member_bytes=data_use.MAX_MEMBER_BYTES,
        )
        if limits.root is None:
            raise NotAvailableError(
                "this server has no folder to import from",
                hint="start the server with GAPCAST_IMPORT_ROOT (or GAPCAST_DATA) set",
            )
        with services.provider.read() as store:
            prepared, skipped = data_use.prepare(store, body.paths, limits)
        results = services.provider.import_files(prepared)
        report = data_use.ImportReport(tuple(results), tuple(skipped))
        data_hash = services.provider.data_hash()
        return schemas.ImportOut.model_validate({**report.to_dict(), "data_hash": data_hash})

    # ---- gap -----------------------------------------------------------------------

    @router.get("/gap", response_model=schemas.GapOut, tags=["measure"])
    def gap(
        services: ServicesDep,
        metric: Annotated[str, Query(max_length=100)] = "eci",
        leader: Annotated[list[str] | None, Query(max_length=20)] = None,
        challenger: Annotated[list[str] | None, Query(max_length=20)] = None,
        group_by: Literal["country", "accessibility", "organization"] = "country",
        since: dt.date | None = None,
        as_of: dt.date | None = None,
        category: Annotated[str | None, Query(max_length=100)] = None,
        style_control: bool = False,
        include_preliminary: bool = False,
        countries: Literal["primary", "all"] = "primary",
        match: Annotated[str | None, Query(max_length=200)] = None,
        freq: Literal["monthly", "daily"] = "monthly",
        draws: Annotated[int, Query(ge=0, le=MAX_GAP_DRAWS)] = 1000,
        seed: Annotated[int | None, Query(ge=0, le=2**32 - 1)] = None,
    ) -> Response:
        """Measure the gap between a leader and a challenger: points, percent, months of lag."""
        request = (
            metric,
            tuple(leader or ()),
            tuple(challenger or ()),
            group_by,
            since,
            as_of,
            category,
            style_control,
            include_preliminary,
            countries,
            match,
            freq,
            draws,
            seed,
        )

        def compute() -> bytes:
            with services.provider.read() as store:
                report = measure_use.gap(
                    store,
                    metric,
                    leader or None,
                    challenger or None,
                    group_by,
                    since,
                    as_of,
                    category,
                    style_control,
                    include_preliminary,
                    draws,
                    seed,
                    countries=countries,
                    match=match,
                    freq=freq,
                )
            return _json_bytes(convert.gap_out(report))

        key = ("gap", services.provider.data_hash(), request)
        body, _ = services.results.get_or_compute(key, compute)
        return Response(body, media_type=JSON)

    # ---- scenarios and forecasts ----------------------------------------------------

    @router.get("/scenarios", response_model=list[schemas.ScenarioSummaryOut], tags=["forecast"])
    def scenarios() -> list[schemas.ScenarioSummaryOut]:
        """List the shipped scenarios."""
        return [schemas.ScenarioSummaryOut(**i.to_dict()) for i in scenario_files.listing()]

    @router.get("/scenarios/{name}", response_model=schemas.ScenarioOut, tags=["forecast"])
    def scenario(
        name: Annotated[str, Path(pattern=schemas.NAME_PATTERN)],
    ) -> schemas.ScenarioOut:
        """Show every assumption of a scenario with its source, and its parameters as numbers."""
        return convert.scenario_out(scenario_files.load(_shipped(name)))

    def run_forecast(
        services: Services,
        name: str,
        model: str,
        horizon: int | None,
        draws: int,
        seed: int | None,
        sets: list[str],
        as_of: dt.date | None,
        mc_error: float | None = None,
    ) -> Response:
        name = _shipped(name)
        seed_ = forecast_use.DEFAULT_SEED if seed is None else seed
        data_hash = services.provider.data_hash()
        # The request (with the scenario files' size and time) names the cache key of the
        # scenario's content, so a repeated request skips parsing the scenario.
        # Today's date too: the answer says how old the data are today (``data_age``).
        inputs = (inputs_key(services), dt.date.today())
        request = (name, inputs, tuple(sets), horizon, seed_, draws, model, as_of)
        key = services.request_keys.get((request, data_hash))
        if key is not None:
            found = services.forecasts.get(key)
            if found is not None:
                return Response(found, media_type=JSON, headers={"X-Gapcast-Cache": "hit"})
        horizon_set = [f"horizon_months={horizon}"] if horizon is not None else []
        scenario = scenario_files.load(name, sets + horizon_set)
        key = (
            "forecast",
            inputs,
            scenario.content_hash(),
            data_hash,
            seed_,
            draws,
            model,
            as_of,
            tuple(sets),
        )
        services.request_keys.put((request, data_hash), key)

        def compute(n: int = draws, mc_target: float | None = None, slot: bool = True) -> bytes:
            # A background refinement takes no engine slot: quick answers never queue
            # behind it (its thread runs at low priority). It runs in small chunks: the
            # engine's kernels hold the GIL while they run, and a low-priority thread
            # holding it would stall the quick answers; between chunks they get it.
            with services.engine if slot else nullcontext(), services.provider.read() as store:
                report = forecast_use.forecast(
                    store,
                    name,
                    model,
                    horizon,
                    n,
                    seed_,
                    sets,
                    as_of,
                    save=False,
                    chunk=engine.DEFAULT_CHUNK if slot else provisional.REFINE_CHUNK,
                    tables=cached_tables(services, store) if as_of is None else None,
                    loaded=scenario,
                )
            out = convert.forecast_out(report, sets)
            if mc_target is not None:
                out = out.model_copy(update={"provisional": True, "mc_error_target": mc_target})
            return _json_bytes(out)

        quick = draws if mc_error is None else min(draws, provisional.draws_for(mc_error))
        if quick < draws and services.forecasts.get(key) is None:
            # A quick answer now, within the Monte Carlo error asked for; the full answer
            # is computed in the background and served to the next identical request.
            services.jobs.submit(
                "forecast",
                key,
                lambda: services.forecasts.get_or_compute(key, lambda: compute(slot=False))[0],
                supersede=True,
            )
            content, cached = services.forecasts.get_or_compute(
                (*key, "provisional", quick), lambda: compute(quick, mc_error)
            )
            headers = {"X-Gapcast-Cache": "hit" if cached else "miss", "X-Gapcast-Provisional": "1"}
            return Response(content, media_type=JSON, headers=headers)
        content, cached = services.forecasts.get_or_compute(key, compute)
        return Response(
            content, media_type=JSON, headers={"X-Gapcast-Cache": "hit" if cached else "miss"}
        )

    @router.post("/forecast", response_model=schemas.ForecastOut, tags=["forecast"])
    def forecast(body: forecast_request, services: ServicesDep) -> Response:  # type: ignore[valid-type]
        """Forecast a scenario with overrides: P(challenger ahead), gap and lag quantiles.

        Forecasts made over HTTP are not stored as runs; the response carries the scenario
        hash, overrides, seed, draws, data hash and version that reproduce it.
        """
        req: Any = body
        sets = [f"{path}={json.dumps(value)}" for path, value in req.overrides.items()]
        return run_forecast(
            services,
            req.scenario,
            req.model,
            req.horizon,
            req.draws,
            req.seed,
            sets,
            req.as_of,
            req.mc_error,
        )

    @router.get("/forecast", response_model=schemas.ForecastOut, tags=["forecast"])
    def forecast_get(
        services: ServicesDep,
        scenario: Annotated[str, Query(pattern=schemas.NAME_PATTERN)] = "baseline",
        model: Literal["structural", "trend"] = "structural",
        horizon: Annotated[int | None, Query(ge=1, le=120)] = None,
        draws: Annotated[int, Query(ge=1, le=settings.max_draws)] = min(
            settings.default_draws, settings.max_draws
        ),
        seed: Annotated[int | None, Query(ge=0, le=2**32 - 1)] = None,
        set_: Annotated[
            list[str] | None,
            Query(alias="set", max_length=32, description="path=value, as `--set` (repeat)."),
        ] = None,
        as_of: dt.date | None = None,
        mc_error: Annotated[
            float | None, Query(ge=0.001, le=0.1, description=provisional.MC_ERROR_HELP)
        ] = None,
    ) -> Response:
        """Forecast as ``POST /api/forecast`` does, from a link (the dashboard's JSON twin)."""
        return run_forecast(
            services, scenario, model, horizon, draws, seed, list(set_ or []), as_of, mc_error
        )

    @router.get("/compare", response_model=analysis.CompareOut, tags=["forecast"])
    def compare(
        services: ServicesDep,
        scenario: Annotated[
            list[str] | None,
            Query(max_length=16, description="Scenario names (repeat); all shipped when absent."),
        ] = None,
        model: Literal["structural", "trend"] = "structural",
        draws: Annotated[int, Query(ge=1, le=settings.max_draws)] = min(
            settings.default_draws, settings.max_draws
        ),
        seed: Annotated[int | None, Query(ge=0, le=2**32 - 1)] = None,
    ) -> Any:
        """Forecast scenarios side by side with the same seed and data (``--compare``)."""
        names = [_shipped(n) for n in scenario] if scenario else scenario_files.names()
        seed_ = forecast_use.DEFAULT_SEED if seed is None else seed

        def compute() -> dict[str, Any]:
            with services.heavy, services.provider.read() as store:
                reports = forecast_use.compare(
                    store, names, model, draws=draws, seed=seed_, save=False
                )
            return {
                "model": model,
                "draws": draws,
                "seed": seed_,
                "data_hash": reports[0].data_hash,
                "rows": forecast_use.comparison_rows(reports),
            }

        key = (
            "compare",
            services.provider.data_hash(),
            inputs_key(services),
            tuple(names),
            model,
            draws,
            seed_,
        )
        found, _ = services.results.get_or_compute(key, compute)
        return convert.clean(found)

    # ---- trust -----------------------------------------------------------------------

    # Heavy analyses run as background jobs (gapcast.api.jobs): 200 with the result when
    # done, else 202 with the job to poll.

    @router.get(
        "/backtest",
        response_model=analysis.BacktestOut,
        tags=["trust"],
        responses=jobs.JOB_RESPONSES,
    )
    def backtest(
        services: ServicesDep,
        metric: Literal["eci", "lmarena"] = "eci",
    ) -> Response:
        """Return the backtest record: scores per model and horizon, coverage, reliability."""

        def compute() -> bytes:
            with services.heavy, services.provider.read() as store:
                return _clean_json(trust.backtest(store, metric).to_dict())

        key = ("backtest", services.provider.data_hash(), inputs_key(services), metric)
        return jobs.answer(services.jobs.submit("backtest", key, compute))

    @router.get(
        "/sensitivity",
        response_model=analysis.SensitivityOut,
        tags=["trust"],
        responses=jobs.JOB_RESPONSES,
    )
    def sensitivity(
        services: ServicesDep,
        scenario: Annotated[str, Query(pattern=schemas.NAME_PATTERN)] = "baseline",
        model: Literal["structural", "trend"] = "structural",
    ) -> Response:
        """Return Sobol indices of P(ahead within 36 and 60 months) for each uncertain parameter."""
        name = _shipped(scenario)

        def compute() -> bytes:
            with services.heavy, services.provider.read() as store:
                return _clean_json(trust.sensitivity(store, name, model).to_dict())

        key = ("sensitivity", services.provider.data_hash(), inputs_key(services), name, model)
        return jobs.answer(services.jobs.submit("sensitivity", key, compute))

    @router.get(
        "/whatif", response_model=analysis.WhatifOut, tags=["trust"], responses=jobs.JOB_RESPONSES
    )
    def whatif(
        services: ServicesDep,
        vary: Annotated[
            str,
            Query(
                pattern=r"^[a-z_]+(\.[a-z_0-9]+)+$",
                max_length=120,
                description="A scenario field path, as `--vary`.",
            ),
        ],
        scenario: Annotated[str, Query(pattern=schemas.NAME_PATTERN)] = "baseline",
        target: Annotated[float, Query(gt=0, lt=1)] = 0.5,
        within: Annotated[int, Query(ge=1, le=120)] = 60,
        lo: Annotated[float | None, Query(allow_inf_nan=False)] = None,
        hi: Annotated[float | None, Query(allow_inf_nan=False)] = None,
        model: Literal["structural", "trend"] = "structural",
    ) -> Response:
        """Find the value of one assumption at which P(ahead within ``within``) reaches ``target``.

        The range is ``[lo, hi]``, or the 1st to 99th percentile of the assumption's
        distribution in the scenario; the answer says when the target is out of reach.
        """
        name = _shipped(scenario)
        if (lo is None) != (hi is None):
            raise RequestError("hi" if hi is None else "lo", "give both lo and hi, or neither")
        value_range = None if lo is None or hi is None else (lo, hi)

        def compute() -> bytes:
            with services.heavy, services.provider.read() as store:
                answer = trust.whatif(store, name, vary, target, within, value_range, model)
            return _clean_json(answer.to_dict())

        request = (name, vary, target, within, value_range, model)
        key = ("whatif", services.provider.data_hash(), inputs_key(services), request)
        return jobs.answer(services.jobs.submit("whatif", key, compute))

    # ---- runs ------------------------------------------------------------------------

    @router.get("/runs", response_model=schemas.RunsPage, tags=["runs"])
    def runs(
        store: StoreDep,
        limit: Annotated[int, Query(ge=1, le=500)] = 50,
        offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
    ) -> schemas.RunsPage:
        """List stored forecast runs, newest first."""
        items = forecast_use.runs(store)
        page = [
            schemas.RunSummaryOut.model_validate(convert.clean(r))
            for r in items[offset : offset + limit]
        ]
        return schemas.RunsPage(total=len(items), limit=limit, offset=offset, items=page)

    @router.get("/runs/{run_id}", response_model=schemas.RunOut, tags=["runs"])
    def run(store: StoreDep, run_id: Annotated[int, Path(ge=1, le=2**31 - 1)]) -> schemas.RunOut:
        """Show one stored run with its request and results."""
        return schemas.RunOut.model_validate(convert.clean(forecast_use.run(store, run_id)))

    return router
