"""Case helpers for the tests: build cases from small dicts, assess them, find options.

A module of its own (not conftest) so that test folders with their own conftest.py cannot
shadow it."""

from __future__ import annotations

import copy
from typing import Any

from oncospine.assessment import assess
from oncospine.case import Case, validate_case

BASE: dict[str, Any] = {"format": "oncospine-case/1", "assessed_at": "2026-11-20T09:30:00+00:00"}


def make_case(**parts: Any) -> Case:
    """A case from keyword parts, e.g. make_case(cancer={"history": "past"})."""
    data = copy.deepcopy(BASE)
    data.update(parts)
    return validate_case(data)


def run(**parts: Any) -> dict[str, Any]:
    return assess(make_case(**parts))


def option(assessment: dict[str, Any], option_id: str) -> dict[str, Any] | None:
    """The entry with this id in plan.options, workup or triage.actions (first found)."""
    for entry in (*assessment["plan"]["options"], *assessment["workup"],
                  *assessment["triage"]["actions"]):
        if entry["id"] == option_id:
            return entry
    return None


def role(assessment: dict[str, Any], option_id: str) -> str | None:
    entry = option(assessment, option_id)
    return entry["role"] if entry else None

