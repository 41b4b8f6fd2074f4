"""The thesis as an experiment: whether a side's serving share decides the race.

``thesis(store, ...)`` holds one side's serving share at each of several values for every
month of the horizon (``StructuralModel(hold=...)``) and runs the structural model with the
same seed, so every run sees the same parameter draws, shocks and releases (common random
numbers): the differences between rows are the effect of the share path alone. It reports
P(ahead within the horizon) per value for both events, the change from the first value, and
λ's 90% interval; where that interval includes 0 (or λ is not estimated from the data),
every output says the data cannot tell.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from gapcast.errors import RequestError
from gapcast.model import engine, structural
from gapcast.model.headline import summarize_events
from gapcast.scenario.fields import ROLES
from gapcast.store import Store
from gapcast.usecases import scenarios as scenario_files
from gapcast.usecases.forecast import DEFAULT_SEED, MAX_DRAWS, posterior
from gapcast.usecases.forecast_inputs import Tables, build_inputs, parse_as_of

DEFAULT_SHARES = (0.5, 0.6, 0.7, 0.8, 0.9)
DEFAULT_DRAWS = 20_000
CANNOT_TELL = (
    "The data cannot tell: λ's 90% interval includes 0 or λ is not estimated from the data, "
    "so these differences follow from the priors, not from evidence."
)


@dataclass(frozen=True)
class ThesisReport:
    """P(ahead) per held serving share, with λ and whether the data can tell."""

    scenario: str
    side: str
    label: str
    within: int
    rows: list[dict[str, Any]]
    lam: dict[str, Any]
    data_can_tell: bool
    method: str
    draws: int
    seed: int
    as_of: dt.date

    @property
    def message(self) -> str:
        """What the experiment can say."""
        if not self.data_can_tell:
            return CANNOT_TELL
        return "λ is estimated and its 90% interval excludes 0."

    def to_dict(self) -> dict[str, Any]:
        """Return the JSON document (``gapcast thesis --json``, ``GET /api/thesis``)."""
        return {
            "scenario": self.scenario,
            "side": self.side,
            "label": self.label,
            "within_months": self.within,
            "as_of": self.as_of.isoformat(),
            "rows": self.rows,
            "lambda": self.lam,
            "data_can_tell": self.data_can_tell,
            "message": self.message,
            "posterior": self.method,
            "draws": self.draws,
            "seed": self.seed,
        }


def check(side: str, shares: Sequence[float], within: int, draws: int) -> None:
    """Raise ``RequestError`` naming the first request field out of range."""
    if side not in ROLES:
        raise RequestError("side", f"'{side}' is not allowed (allowed: {', '.join(ROLES)})")
    if not shares:
        raise RequestError("shares", "give at least one serving share")
    for v in shares:
        if not 0.0 < v < 1.0:
            raise RequestError("shares", f"{v} is out of range (allowed: between 0 and 1)")
    if not 1 <= draws <= MAX_DRAWS:
        raise RequestError("draws", f"{draws} is out of range (allowed: 1 to {MAX_DRAWS:,})")
    if not 1 <= within <= 240:
        raise RequestError("within", f"{within} is out of range (allowed: 1 to 240 months)")


def thesis(
    store: Store,
    scenario: str = "baseline",
    side: str = "challenger",
    shares: Sequence[float] = DEFAULT_SHARES,
    within: int = 60,
    draws: int = DEFAULT_DRAWS,
    seed: int | None = None,
    as_of: str | dt.date | None = None,
    overrides: Sequence[str] = (),
) -> ThesisReport:
    """Run the experiment (see the module docstring)."""
    check(side, shares, within, draws)
    seed_ = DEFAULT_SEED if seed is None else seed
    sc = scenario_files.load(scenario, [*overrides, f"horizon_months={within}"])
    when = parse_as_of(as_of)
    tables = Tables.load(store)
    inputs = build_inputs(tables, sc, when)
    post = posterior(store, sc, inputs, when, seed_, tables=tables)
    rows: list[dict[str, Any]] = []
    for v in shares:
        model = structural.StructuralModel(sc, inputs, post, hold={side: float(v)})
        totals = structural.run(model, draws, seed_, engine.EngineOptions())
        assert totals.outer is not None and totals.outer_n is not None
        events = summarize_events(totals.outer, totals.outer_n, totals.horizons)
        row: dict[str, Any] = {"share": float(v)}
        for name, ev in events.items():
            row[name] = {
                "p": ev.p_within[within],
                "interval90": list(ev.interval90[within]),
                "mc_se": ev.mc_se[within],
            }
        rows.append(row)
    for row in rows:
        for name in structural.EVENTS:
            row[name]["change"] = row[name]["p"] - rows[0][name]["p"]
    lam = structural.lambda_summary(post)
    label = inputs.leader.label if side == "leader" else inputs.challenger.label
    return ThesisReport(
        sc.name,
        side,
        label,
        within,
        rows,
        lam,
        structural.data_can_tell(lam),
        post.method,
        draws,
        seed_,
        inputs.as_of,
    )


__all__ = ["CANNOT_TELL", "DEFAULT_SHARES", "ThesisReport", "check", "thesis"]
