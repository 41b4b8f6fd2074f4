"""Scenarios: every assumption of a forecast, parsed once into a frozen, validated object.

A scenario is a YAML mapping (``scenarios/*.yaml``). It may ``extends:`` another scenario:
the parent is loaded first and the child's mappings are merged into it key by key (a child
list, such as ``shocks``, replaces the parent's). ``--set path=value`` overrides are applied
after that and validated like the file: a number sets a ``fixed`` distribution, a YAML
mapping (``{dist: beta, a: 2, b: 5, source: ...}``) sets any other.

The schema itself is ``gapcast.scenario.fields`` (re-exported here); this module parses
text and mappings; reading files is the pipeline's job (``gapcast.usecases.scenarios``).
Errors are ``ScenarioError`` naming the field path, the bad value and what is allowed, e.g.
``groups.challenger.serving.share.sd: -0.1 is not allowed; must be > 0``.

Calibrated values
-----------------
A field may be written ``calibrated`` (``trend.common_progress``): its value is then
taken from the backtest calibration (``gapcast calibrate`` writes ``scenarios/
calibration.json``; ``gapcast.evaluate.calibration``), passed to ``parse_scenario`` as
``calibrated`` (path to value) after ``extends`` and overrides are applied. The calibration's
provenance is recorded in the scenario's ``calibration`` field, so a stored run keeps the
values it used.
"""

from __future__ import annotations

import copy
import functools
import json
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from gapcast.errors import ScenarioError
from gapcast.model.params import DIST_NAMES, Beta, Fixed, LogNormal, Normal, Triangular, Uniform
from gapcast.scenario.fields import (
    ROLES,
    CapabilitySpec,
    ComputeSpec,
    Fitted,
    Groups,
    GroupSpec,
    GrowthChange,
    ReleaseSpec,
    Scenario,
    ServingSpec,
    Shock,
    TrendSpec,
    WorldSpec,
)

# ---- parsing ------------------------------------------------------------------------------

Resolver = Callable[[str], tuple[str, str]]
"""Maps an ``extends`` name to ``(yaml text, file name)``; raises ``ScenarioError``."""


CALIBRATED = "calibrated"
"""The word that marks a field whose value comes from the backtest calibration."""

UNCALIBRATED: dict[str, Any] = {
    "trend.common_progress": 0.0,
    "ensemble.compute_weight": 0.5,
    "capability.efficiency_half_life_months": {
        "dist": "lognormal",
        "interval90": [12.0, 120.0],
        "source": (
            "Uncalibrated prior (before backtests): between a fast fade (a year) and a "
            "near-permanent offset (ten years)."
        ),
    },
}
"""The values of ``calibrated`` fields before calibration (what ``gapcast calibrate`` starts
from, and what a scenario parsed without a calibration gets)."""
UNCALIBRATED_NOTE = "uncalibrated priors (no calibration given)"


def parse_scenario(
    text: str,
    *,
    file: str | None = None,
    resolve: Resolver | None = None,
    overrides: Sequence[str] = (),
    calibrated: Mapping[str, Any] | None = None,
    calibration_note: str = "",
) -> Scenario:
    """Parse scenario YAML text (with ``extends`` and ``--set`` overrides) into a ``Scenario``.

    Fields written ``calibrated`` take their value from ``calibrated`` (path to value, see
    ``fill_calibrated``); ``calibration_note`` records where those values came from. Without
    ``calibrated`` they take the uncalibrated values (``UNCALIBRATED``), and the note says so.
    """
    raw = load_mapping(text, file=file, resolve=resolve)
    for item in overrides:
        raw = apply_override(raw, item)
    if calibrated is None:
        calibrated, calibration_note = UNCALIBRATED, calibration_note or UNCALIBRATED_NOTE
    raw = fill_calibrated(raw, calibrated, calibration_note, file=file)
    paths = tuple(item.partition("=")[0].strip() for item in overrides)
    return validate_scenario(raw, file=file, overridden=paths)


def fill_calibrated(
    raw: Mapping[str, Any],
    values: Mapping[str, Any],
    note: str = "",
    *,
    file: str | None = None,
) -> dict[str, Any]:
    """Replace every ``calibrated`` value of a raw scenario mapping by ``values[path]``.

    A ``calibrated`` field without a value in ``values`` is a ``ScenarioError`` (run
    ``gapcast calibrate``). When anything was filled, the top-level ``calibration`` field is
    set to ``note``.
    """
    out: dict[str, Any] = json.loads(json.dumps(raw, default=str))
    filled = False

    def walk(node: Any, prefix: str) -> Any:
        nonlocal filled
        if isinstance(node, dict):
            return {k: walk(v, f"{prefix}.{k}" if prefix else str(k)) for k, v in node.items()}
        if isinstance(node, list):
            return [walk(v, f"{prefix}.{i}") for i, v in enumerate(node)]
        if node == CALIBRATED:
            if prefix not in values:
                known = ", ".join(sorted(values)) or "none (no calibration file)"
                raise ScenarioError(
                    prefix,
                    f"'{CALIBRATED}' but the calibration has no value for it; calibrated "
                    f"fields: {known}",
                    file=file,
                    hint="run `gapcast calibrate --write`, or give a value",
                )
            filled = True
            return json.loads(json.dumps(values[prefix]))
        return node

    result: dict[str, Any] = walk(out, "")
    if filled and note:
        result["calibration"] = note
    return result


@functools.lru_cache(maxsize=64)
def _parsed_yaml(text: str) -> Any:
    """Parse scenario YAML once per distinct text (callers get deep copies)."""
    return yaml.safe_load(text)


def load_mapping(
    text: str,
    *,
    file: str | None = None,
    resolve: Resolver | None = None,
    _seen: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Return the raw mapping of scenario text with its ``extends`` chain merged in."""
    try:
        raw = copy.deepcopy(_parsed_yaml(text))
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else "(file)"
        raise ScenarioError(
            where, f"not valid YAML ({getattr(err, 'problem', err)})", file=file
        ) from None
    if not isinstance(raw, dict):
        raise ScenarioError(
            "(top)",
            f"{type(raw).__name__} is not allowed; a scenario is a mapping of fields",
            file=file,
        )
    parent = raw.pop("extends", None)
    if parent is None:
        return raw
    if not isinstance(parent, str) or not parent:
        raise ScenarioError(
            "extends", f"{parent!r} is not allowed; give a scenario name", file=file
        )
    if parent in _seen:
        chain = " -> ".join((*_seen, parent))
        raise ScenarioError("extends", f"{parent!r} extends itself ({chain})", file=file)
    if resolve is None:
        raise ScenarioError("extends", f"{parent!r} cannot be resolved here", file=file)
    parent_text, parent_file = resolve(parent)
    base = load_mapping(parent_text, file=parent_file, resolve=resolve, _seen=(*_seen, parent))
    return merge(base, raw)


def merge(base: Mapping[str, Any], child: Mapping[str, Any]) -> dict[str, Any]:
    """Merge ``child`` into ``base``: mappings key by key, anything else replaced."""
    out = dict(base)
    for key, value in child.items():
        if (
            isinstance(value, Mapping)
            and isinstance(out.get(key), Mapping)
            and "dist" not in value
            and "value" not in value
        ):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


MAX_OVERRIDE_CHARS = 4096
"""The longest value an override (``--set``, ``set=``) may have."""


def override_value(path: str, text: str) -> Any:
    """Parse an override's value: JSON, or plain YAML without anchors, aliases or tags.

    Aliases are refused because they expand: a 170-byte value with nested aliases
    becomes megabytes once copied into a scenario.
    """
    if len(text) > MAX_OVERRIDE_CHARS:
        raise ScenarioError(path, f"the value is longer than {MAX_OVERRIDE_CHARS:,} characters")
    try:
        return json.loads(text)
    except ValueError:
        pass
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise ScenarioError(path, "YAML anchors and aliases (& and *) are not allowed")
            if getattr(event, "tag", None) and not getattr(event, "implicit", True):
                raise ScenarioError(path, "YAML tags (!) are not allowed")
        return yaml.safe_load(text)
    except yaml.YAMLError:
        raise ScenarioError(path, f"{text[:80]!r} is not a YAML value") from None


def apply_override(raw: Mapping[str, Any], item: str) -> dict[str, Any]:
    """Return ``raw`` with one ``path=value`` override applied (checked against the schema)."""
    if "=" not in item:
        raise ScenarioError(item or "(override)", "is not allowed; write path=value")
    path, _, text = item.partition("=")
    path = path.strip()
    parts = path.split(".")
    field_type = _field_type(parts)
    value = override_value(path, text)
    if _is_dist_type(field_type) and isinstance(value, int | float) and not isinstance(value, bool):
        value = {"dist": "fixed", "value": value, "source": f"--set {path}"}
    elif _is_dist_type(field_type) and isinstance(value, dict):
        value = {"source": f"--set {path}", **value}
    out: dict[str, Any] = json.loads(json.dumps(raw, default=str))
    node: Any = out
    for i, part in enumerate(parts[:-1]):
        key: Any = int(part) if isinstance(node, list) else part
        if isinstance(node, dict) and key not in node:
            node[key] = {}  # a section the scenario leaves out (the schema checked the path)
        try:
            node = node[key]
        except (KeyError, IndexError, TypeError):
            raise ScenarioError(".".join(parts[: i + 1]), "is not set in this scenario") from None
    last: Any = int(parts[-1]) if isinstance(node, list) else parts[-1]
    node[last] = value
    return out


def with_values(scenario: Scenario, values: Mapping[str, Any]) -> Scenario:
    """Return ``scenario`` with fields replaced (dotted path to a YAML-ready value), validated."""
    raw: dict[str, Any] = scenario.model_dump(mode="json")
    for path, value in values.items():
        node: Any = raw
        parts = path.split(".")
        for part in parts[:-1]:
            node = node[int(part)] if isinstance(node, list) else node[part]
        last = parts[-1]
        node[int(last) if isinstance(node, list) else last] = json.loads(json.dumps(value))
    return validate_scenario(raw)


def validate_scenario(
    raw: Mapping[str, Any], *, file: str | None = None, overridden: Sequence[str] = ()
) -> Scenario:
    """Validate a raw mapping into a ``Scenario``; the first problem becomes a ScenarioError.

    A problem at or below an ``overridden`` path is reported without the file name (it
    came from ``--set``, not from the file).
    """
    try:
        return Scenario.model_validate(raw)
    except ValidationError as err:
        raise _scenario_error(err, file, overridden) from None


def _scenario_error(
    err: ValidationError, file: str | None, overridden: Sequence[str] = ()
) -> ScenarioError:
    errors = sorted(err.errors(), key=lambda e: e["type"] != "extra_forbidden")
    first = errors[0]
    path, model = _display_path(first["loc"])
    kind, value = first["type"], first.get("input")
    if kind == "extra_forbidden":
        allowed = ", ".join(model.model_fields) if model is not None else "?"
        problem = f"unknown field; allowed: {allowed}"
    elif kind == "missing":
        problem = "is missing (required)"
    elif kind in ("union_tag_invalid", "union_tag_not_found"):
        expected = str(first.get("ctx", ""))
        tags = tuple(t for t in (*DIST_NAMES, "fitted") if f"'{t}'" in expected) or DIST_NAMES
        if "fitted" in expected and "fitted" not in tags:
            tags = (*tags, "fitted")
        tag = value.get("dist") if isinstance(value, dict) else value
        path = f"{path}.dist" if isinstance(value, dict) else path
        problem = f"{tag!r} is not a distribution; allowed: {', '.join(tags)}"
    elif kind in ("float_parsing", "float_type", "int_parsing", "int_type"):
        problem = f"{value!r} is not a number"
    elif kind in ("greater_than", "greater_than_equal", "less_than", "less_than_equal"):
        ops = {
            "greater_than": ">",
            "greater_than_equal": ">=",
            "less_than": "<",
            "less_than_equal": "<=",
        }
        limit = next(iter(first.get("ctx", {}).values()), "?")
        problem = f"{value!r} is not allowed; must be {ops[kind]} {limit}"
    elif kind == "literal_error":
        problem = f"{value!r} is not allowed; allowed: {first.get('ctx', {}).get('expected')}"
    elif kind == "value_error":
        problem = str(first.get("ctx", {}).get("error", first["msg"]))
    else:
        problem = f"{value!r}: {first['msg']}"
    more = (
        f" (and {len(errors) - 1} more problem{'s' if len(errors) > 2 else ''})"
        if len(errors) > 1
        else ""
    )
    if any(path == o or path.startswith(o + ".") for o in overridden):
        file = None
    return ScenarioError(path or "(top)", problem + more, file=file)


def _display_path(loc: Sequence[int | str]) -> tuple[str, type[BaseModel] | None]:
    """Turn a pydantic error location into a field path, dropping union branch names."""
    parts: list[str] = []
    model: type[BaseModel] | None = Scenario
    parent: type[BaseModel] | None = Scenario
    expect_tag = False
    for item in loc:
        text = str(item)
        if expect_tag and (text in DIST_NAMES or text == "fitted"):
            model = _DIST_CLASSES.get(text)
            expect_tag = False
            continue
        expect_tag = False
        if "[" in text or "-" in text:
            continue
        parts.append(text)
        parent = model
        if model is not None and text in model.model_fields:
            annotation = model.model_fields[text].annotation
            model = _model_of(annotation)
            expect_tag = _is_dist_type(annotation)
        elif isinstance(item, int):
            continue
        else:
            model = None
    return ".".join(parts), parent


_DIST_CLASSES: dict[str, type[BaseModel]] = {
    "fixed": Fixed,
    "uniform": Uniform,
    "normal": Normal,
    "lognormal": LogNormal,
    "beta": Beta,
    "triangular": Triangular,
    "fitted": Fitted,
}


def _flatten(annotation: Any) -> list[Any]:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _flatten(get_args(annotation)[0])
    if origin is None:
        return [annotation]
    return [x for arg in get_args(annotation) for x in _flatten(arg)]


def _model_of(annotation: Any) -> type[BaseModel] | None:
    for arg in _flatten(annotation):
        if (
            isinstance(arg, type)
            and issubclass(arg, BaseModel)
            and arg not in _DIST_CLASSES.values()
        ):
            return arg
    return None


def _is_dist_type(annotation: Any) -> bool:
    return any(arg in _DIST_CLASSES.values() for arg in _flatten(annotation))


def _field_type(parts: Sequence[str]) -> Any:
    """Return the annotation at a dotted path, or raise a ScenarioError naming what is allowed."""
    model: type[BaseModel] | None = Scenario
    annotation: Any = Scenario
    sequence = False
    for i, part in enumerate(parts):
        here = ".".join(parts[: i + 1])
        if sequence:
            if not part.isdigit():
                raise ScenarioError(here, f"{part!r} is not allowed; give a list index")
            sequence = False
            continue
        if model is None:
            raise ScenarioError(here, "unknown field; this value has no sub-fields")
        if part not in model.model_fields:
            raise ScenarioError(here, f"unknown field; allowed: {', '.join(model.model_fields)}")
        annotation = model.model_fields[part].annotation
        sequence = get_origin(annotation) in (tuple, list)
        model = _model_of(annotation)
        if _is_dist_type(annotation) and not sequence:
            model = None
    return annotation


def documented_fields() -> dict[str, str]:
    """Return every scenario field path with its description (for docs and their test)."""
    out: dict[str, str] = {}

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, info in model.model_fields.items():
            path = f"{prefix}{name}"
            sub = _model_of(info.annotation)
            if sub is not None and not _is_dist_type(info.annotation):
                walk(sub, f"{path}.")
            else:
                out[path] = info.description or ""

    walk(Scenario, "")
    return out


def scenario_table(scenario: Scenario) -> list[dict[str, str]]:
    """Return every setting of a scenario as ``{path, value, source}`` rows, in file order."""
    rows: list[dict[str, str]] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, Fixed | Uniform | Normal | LogNormal | Beta | Triangular):
            rows.append(
                {"path": path, "value": value.describe(), "source": " ".join(value.source.split())}
            )
        elif isinstance(value, Fitted):
            rows.append(
                {
                    "path": path,
                    "value": value.describe(),
                    "source": "gapcast fit / the data's frontier steps",
                }
            )
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                walk(getattr(value, name), f"{path}.{name}" if path else name)
        elif isinstance(value, tuple):
            for i, item in enumerate(value):
                walk(item, f"{path}.{i}")
        elif value is None:
            return  # an optional value the scenario leaves to the fit (``capability``)
        elif path not in ("name", "title", "description"):
            rows.append({"path": path, "value": str(value), "source": ""})

    walk(scenario, "")
    return rows


__all__ = [
    "ROLES",
    "CapabilitySpec",
    "ComputeSpec",
    "Fitted",
    "GroupSpec",
    "Groups",
    "GrowthChange",
    "ReleaseSpec",
    "Resolver",
    "Scenario",
    "ServingSpec",
    "Shock",
    "TrendSpec",
    "WorldSpec",
    "CALIBRATED",
    "UNCALIBRATED",
    "UNCALIBRATED_NOTE",
    "apply_override",
    "documented_fields",
    "fill_calibrated",
    "load_mapping",
    "merge",
    "parse_scenario",
    "scenario_table",
    "validate_scenario",
    "with_values",
]
