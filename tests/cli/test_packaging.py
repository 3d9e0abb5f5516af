"""pyproject.toml's pins and requirements.lock agree, so `pip install '.[spark]'` gets what `./run` tests."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
LOCK = (ROOT / "requirements.lock").read_text()


def _pin(requirement: str) -> tuple[str, str] | None:
    """(normalised name, version) of `name[extras]==version`; None for vpcflow's own extras."""
    found = re.fullmatch(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(\S+)", requirement.strip())
    return (re.sub(r"[-_.]+", "-", found[1]).lower(), found[2]) if found else None


def _pins() -> dict[str, str]:
    requirements = PROJECT["dependencies"] + [r for extra in PROJECT["optional-dependencies"].values() for r in extra]
    own = [r for r in requirements if r.startswith("vpcflow[")]
    pins = [_pin(r) for r in requirements if r not in own]
    assert None not in pins, "every requirement of vpcflow is an exact pin"
    return dict(pins)


def test_every_pin_of_pyproject_is_in_the_lock_at_the_same_version():
    locked = dict(_pin(line) for line in LOCK.splitlines() if line and not line.startswith("#"))
    assert {name: (version, locked.get(name)) for name, version in _pins().items() if locked.get(name) != version} == {}


def test_the_lock_holds_no_urls():
    assert not [line for line in LOCK.splitlines() if "://" in line or " @ " in line]


def test_a_user_installs_spark_as_an_extra():
    assert [_pin(r)[0] for r in PROJECT["optional-dependencies"]["spark"]] == ["pyspark"]
    assert not any(r.startswith("pyspark") for r in PROJECT["dependencies"])
