r"""The track record of a nested backtest: scores per metric, target, model and horizon.

Every row of a (metric, target, horizon) counts only the **common origins**, where the
trend model and every baseline forecast (the stack forecasts on a subset of them, once it
has enough earlier records), so means compare like with like. The **strongest baseline**
is the baseline with the lowest mean CRPS on them (chosen after the fact, which favours
the baselines). Every model's skill is against it, on the origins both forecast,
with a 90% moving-block bootstrap interval (``gapcast.evaluate.skill``). Coverage carries
the row's effective n (from the PIT series, ``skill.pit_n_effective``) and a 90% Wilson
interval on it; the PIT's uniformity test uses the same effective n.

The issue's targets (``TARGETS``) are checked on the tuning metric's gap for the model
under test: 80% intervals covering 70–90% and 50% intervals 40–60% at 3, 6 and 12 months,
PIT not rejected at 5%, CRPS skill at least +0.10 at 6 and 12 months; on LMArena 80%
coverage at least 65% at 3, 6 and 12 months and skill at least 0 at 6 months.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from gapcast.evaluate import skill
from gapcast.evaluate.forecasters import BASELINES
from gapcast.evaluate.history import month_end
from gapcast.evaluate.nested import MODELS, NestedRun, Record

BASELINE_NAMES = tuple(b.name for b in BASELINES)


@dataclass(frozen=True)
class Row:
    """The scores of one model on one metric, target and horizon."""

    metric: str
    target: str
    model: str
    horizon: int
    n: int
    crps: float
    log_score: float
    brier_narrows: float
    brier_within: float | None
    coverage: dict[str, dict[str, Any]]
    pit_histogram: list[int]
    pit_n_eff: float
    pit_p: float
    baseline: str | None
    skill: float | None
    skill_ci90: tuple[float | None, float | None]
    skill_n: int

    def to_dict(self) -> dict[str, Any]:
        """Return the row as plain values."""
        out = dict(self.__dict__)
        out["skill_ci90"] = list(self.skill_ci90)
        return out


def _num(x: float) -> float | None:
    return None if not np.isfinite(x) else float(x)


def _strongest(by: dict[str, dict[int, Record]]) -> str | None:
    present = [b for b in BASELINE_NAMES if by.get(b)]
    if not present:
        return None
    common = set.intersection(*(set(by[b]) for b in present))
    if not common:
        return None
    means = {b: float(np.mean([by[b][o].scored.crps for o in common])) for b in present}
    return min(present, key=lambda b: (means[b], b))


def _common(by: dict[str, dict[int, Record]]) -> dict[str, dict[int, Record]]:
    """Keep the origins where the trend model and every baseline present forecast."""
    core = [m for m in ("trend", *BASELINE_NAMES) if by.get(m)]
    if not core:
        return by
    keep = set.intersection(*(set(by[m]) for m in core))
    return {m: {o: r for o, r in v.items() if o in keep} for m, v in by.items()}


def summarize(run: NestedRun) -> list[Row]:
    """Return a row per metric, target, model and horizon (module docstring)."""
    groups: dict[tuple[str, str, int], dict[str, dict[int, Record]]] = {}
    for r in run.records:
        groups.setdefault((r.metric, r.target, r.horizon), {}).setdefault(r.model, {})[r.origin] = r
    rows: list[Row] = []
    order = {m: i for i, m in enumerate((*MODELS, *BASELINE_NAMES))}
    for (metric, target, h), every in sorted(groups.items()):
        by = _common(every)
        best = _strongest(by)
        for model in sorted(by, key=lambda m: order.get(m, 99)):
            if not by[model]:
                continue
            recs = [by[model][o] for o in sorted(by[model])]
            sc = [r.scored for r in recs]
            pit = [s.pit for s in sc]
            pit_ne = skill.pit_n_effective(pit, h)
            cov = {
                f"{round(100 * lv)}": skill.coverage_summary([s.covered[i] for s in sc], pit_ne)
                for i, lv in enumerate(skill.LEVELS)
            }
            within = [s for s in sc if s.p_within is not None]
            sk: tuple[float, float, float] = (float("nan"),) * 3
            n_skill = 0
            if best is not None and model != best:
                common = sorted(set(by[model]) & set(by[best]))
                n_skill = len(common)
                if common:
                    seed = run.settings.seed + h
                    sk = skill.block_skill(
                        [by[model][o].scored.crps for o in common],
                        [by[best][o].scored.crps for o in common],
                        h,
                        seed,
                    )
            rows.append(
                Row(
                    metric,
                    target,
                    model,
                    h,
                    len(recs),
                    float(np.mean([s.crps for s in sc])),
                    float(np.mean([s.log for s in sc])),
                    float(np.mean([(s.p_narrows - s.narrows) ** 2 for s in sc])),
                    float(np.mean([(s.p_within - float(bool(s.within))) ** 2 for s in within]))  # type: ignore[operator]
                    if within
                    else None,
                    cov,
                    np.histogram(pit, bins=skill.PIT_BINS, range=(0, 1))[0].astype(int).tolist(),
                    pit_ne,
                    skill.pit_test(pit, pit_ne),
                    best,
                    _num(sk[0]),
                    (_num(sk[1]), _num(sk[2])),
                    n_skill,
                )
            )
    return rows


def _rate(row: Row, level: str) -> float:
    r = row.coverage[level]["rate"]
    return float("nan") if r is None else float(r)


def check_targets(rows: Sequence[Row], model: str, tuning: str = "eci") -> list[dict[str, Any]]:
    """Return the issue's targets (module docstring), each with its value and whether met."""
    at = {(r.metric, r.target, r.model, r.horizon): r for r in rows}
    out: list[dict[str, Any]] = []

    def add(what: str, value: float | None, ok: bool | None, **more: Any) -> None:
        out.append({"target": what, "value": value, "met": ok, **more})

    for h in (3, 6, 12):
        r = at.get((tuning, "gap", model, h))
        if r is None:
            add(f"{tuning} {h}m: 80% coverage in 70-90%", None, None)
            continue
        c80, c50 = _rate(r, "80"), _rate(r, "50")
        add(
            f"{tuning} {h}m: 80% coverage in 70-90%",
            c80,
            0.7 <= c80 <= 0.9,
            n_eff=r.coverage["80"]["n_eff"],
        )
        add(
            f"{tuning} {h}m: 50% coverage in 40-60%",
            c50,
            0.4 <= c50 <= 0.6,
            n_eff=r.coverage["50"]["n_eff"],
        )
        add(f"{tuning} {h}m: PIT uniform (p >= 0.05)", r.pit_p, r.pit_p >= 0.05, n_eff=r.pit_n_eff)
        if h in (6, 12):
            add(
                f"{tuning} {h}m: CRPS skill >= +0.10 vs {r.baseline}",
                r.skill,
                None if r.skill is None else r.skill >= 0.10,
                ci90=list(r.skill_ci90),
            )
    for h in (3, 6, 12):
        # a model fitted in the tuning metric's units (the structural model) cannot forecast
        # LMArena: its targets are then checked on the trend model, and say so
        r = at.get(("lmarena", "gap", model, h))
        who = ""
        if r is None and model != "trend":
            r, who = at.get(("lmarena", "gap", "trend", h)), " (trend model)"
        if r is None:
            add(f"lmarena {h}m: 80% coverage >= 65%", None, None)
            continue
        c80 = _rate(r, "80")
        add(
            f"lmarena {h}m: 80% coverage >= 65%{who}",
            c80,
            c80 >= 0.65,
            n_eff=r.coverage["80"]["n_eff"],
        )
        if h == 6:
            add(
                f"lmarena 6m: CRPS skill >= 0 vs {r.baseline}{who}",
                r.skill,
                None if r.skill is None else r.skill >= 0.0,
                ci90=list(r.skill_ci90),
            )
    return out


def tuned_table(run: NestedRun) -> list[dict[str, Any]]:
    """Return the trend model's tuned window and common progress at each origin."""
    return [{"origin": month_end(o).isoformat(), **dict(v)} for o, v in sorted(run.tuned.items())]


__all__ = ["BASELINE_NAMES", "Row", "check_targets", "summarize", "tuned_table"]
