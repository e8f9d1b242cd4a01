"""Versioned clinical knowledge kept as data: site groupings, rules, treatments, figures.

Each table lives in one TOML file beside this module and is read once. The ruleset version and the
SHA-256 over every knowledge file are stamped on each assessment, so a stored assessment says
exactly which knowledge produced it.
"""

from __future__ import annotations

import hashlib
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

RULESET_VERSION = "2026.11.0"
_HERE = Path(__file__).parent
_FILES = ("sites.toml", "rules.toml", "treatments.toml", "prognosis.toml", "sources.toml")


@cache
def load(name: str) -> dict[str, Any]:
    """One knowledge table by file stem, e.g. `load("sites")`."""
    with (_HERE / f"{name}.toml").open("rb") as handle:
        return tomllib.load(handle)


@cache
def ruleset() -> dict[str, str]:
    digest = hashlib.sha256()
    for file in _FILES:
        path = _HERE / file
        if path.exists():
            digest.update(file.encode())
            digest.update(path.read_bytes())
    return {"version": RULESET_VERSION, "sha256": digest.hexdigest()}


def site_table(score: str) -> dict[str, Any]:
    """The primary-site grouping table of one score (see sites.toml)."""
    table: dict[str, Any] = load("sites")[score]
    return table
