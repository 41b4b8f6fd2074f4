"""Scenario files: find, list, read and parse the YAML scenarios (the I/O side of scenarios).

A scenario is named (``baseline``: ``gapcast/scenarios/baseline.yaml``, shipped with the
package) or given as a path to a ``.yaml`` file. ``extends: NAME`` in a file is looked up among
the named scenarios, or relative to the file's folder. Fields written ``calibrated`` take their
values from ``calibration.json``: the user's own (``gapcast calibrate --write`` writes it,
atomically, in ``gapcast.paths.state_dir()``), else the one shipped beside the scenarios
(see ``gapcast.evaluate.calibration``). Nothing is written inside the package.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import yaml

from gapcast.errors import NotFoundError, ScenarioError
from gapcast.evaluate.calibration import PRIORS, Calibration
from gapcast.paths import atomic_write_text, state_dir
from gapcast.scenario.files import Scenario, parse_scenario

SCENARIO_DIR = Path(str(files("gapcast") / "scenarios"))
"""The shipped scenarios (package data: ``gapcast/scenarios/``, read through importlib)."""
SHIPPED_CALIBRATION = SCENARIO_DIR / "calibration.json"
"""The calibrated values shipped with the package (read only)."""


def calibration_file() -> Path:
    """Return where ``gapcast calibrate --write`` writes (the user's state folder)."""
    return state_dir() / "calibration.json"


def active_calibration() -> Path:
    """Return the calibration file in use: the user's, else the shipped one."""
    own = calibration_file()
    return own if own.is_file() else SHIPPED_CALIBRATION


def load_calibration(path: Path | None = None) -> Calibration | None:
    """Return the calibration file's contents, or ``None`` when there is none."""
    path = active_calibration() if path is None else path
    if not path.is_file():
        return None
    try:
        return Calibration.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, AttributeError, TypeError) as err:
        raise ScenarioError("calibration", f"{_display(path)} is not valid ({err})") from None


def write_calibration(calibration: Calibration, path: Path | None = None) -> Path:
    """Write the calibration file atomically (pretty JSON, stable key order).

    A reader sees the previous file or the new one, never a truncated one.
    """
    text = json.dumps(calibration.to_dict(), indent=2, sort_keys=True, ensure_ascii=False)
    return atomic_write_text(calibration_file() if path is None else path, text + "\n")


@dataclass(frozen=True)
class ScenarioInfo:
    """A shipped scenario: its name, title, description and file."""

    name: str
    title: str
    description: str
    file: str
    extends: str | None

    def to_dict(self) -> dict[str, Any]:
        """Return the listing row."""
        return {
            "name": self.name,
            "title": self.title,
            "description": self.description,
            "file": self.file,
            "extends": self.extends,
        }


def names(directory: Path = SCENARIO_DIR) -> list[str]:
    """Return the names of the scenarios in ``directory``, sorted (``baseline`` first)."""
    found = sorted(p.stem for p in directory.glob("*.yaml"))
    return sorted(found, key=lambda n: (n != "baseline", n))


def locate(name_or_path: str, directory: Path = SCENARIO_DIR) -> Path:
    """Return the file of a named scenario or a path; ``NotFoundError`` if there is none."""
    candidate = Path(name_or_path)
    if candidate.suffix in (".yaml", ".yml") or candidate.parent != Path("."):
        if candidate.is_file():
            return candidate
        raise NotFoundError(f"no scenario file {name_or_path}")
    path = directory / f"{name_or_path}.yaml"
    if path.is_file():
        return path
    raise NotFoundError(
        f"no scenario '{name_or_path}'", hint=f"available: {', '.join(names(directory))}"
    )


def _resolver(base: Path, directory: Path) -> Any:
    def resolve(parent: str) -> tuple[str, str]:
        for folder in (base, directory):
            path = folder / f"{parent}.yaml"
            if path.is_file():
                return path.read_text(), str(path)
        if Path(parent).is_file():
            return Path(parent).read_text(), parent
        raise ScenarioError(
            "extends", f"{parent!r} is not a scenario; available: {', '.join(names(directory))}"
        )

    return resolve


def load(
    name_or_path: str,
    overrides: Sequence[str] = (),
    *,
    directory: Path = SCENARIO_DIR,
    calibrated: Mapping[str, object] | None = None,
) -> Scenario:
    """Read and parse a scenario with its ``extends`` chain and ``--set`` overrides.

    ``calibrated`` replaces the calibration file's values (``PRIORS`` gives the uncalibrated
    ones, which is what ``gapcast calibrate`` starts from); without a file, the uncalibrated
    ones are used and the scenario's ``calibration`` field says so.
    """
    path = locate(name_or_path, directory)
    note = ""
    if calibrated is None:
        cal = load_calibration()
        if cal is not None:
            calibrated, note = cal.values, cal.note()
    elif calibrated is PRIORS:
        note = "uncalibrated priors (gapcast.evaluate.calibration.PRIORS)"
    return parse_scenario(
        path.read_text(),
        file=_display(path),
        resolve=_resolver(path.parent, directory),
        overrides=overrides,
        calibrated=calibrated,
        calibration_note=note,
    )


def info(name_or_path: str, directory: Path = SCENARIO_DIR) -> ScenarioInfo:
    """Return a scenario's listing row (it is also validated)."""
    path = locate(name_or_path, directory)
    scenario = load(name_or_path, directory=directory)
    raw = yaml.safe_load(path.read_text()) or {}
    return ScenarioInfo(
        scenario.name,
        scenario.title,
        " ".join(scenario.description.split()),
        _display(path),
        raw.get("extends"),
    )


def listing(directory: Path = SCENARIO_DIR) -> list[ScenarioInfo]:
    """Return every shipped scenario."""
    return [info(name, directory) for name in names(directory)]


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(SCENARIO_DIR.parent))
    except ValueError:
        return str(path)
