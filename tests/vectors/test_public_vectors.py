"""The public test vectors of the shared spec, checked in-process.

Each vector is {"note", "case", "expect"}; the expectation keys mean what `shared/vectors/check.py`
says they mean (dotted paths, `option:ID`, `missing_inputs:contains`, `error:field`). Here they
run against `assess(validate_case(...))` instead of the installed command.

References: shared vectors/README.md and vectors/check.py.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from oncospine.assessment import assess
from oncospine.case import validate_case
from oncospine.errors import CaseValidationError

VECTORS = Path(__file__).resolve().parents[3] / "shared" / "vectors" / "cases"
if not VECTORS.is_dir():  # the shared spec sits beside the repository; CI must never skip it
    raise RuntimeError(f"public vectors folder {VECTORS} not found: check out shared/ beside "
                       "the repository")

FILES = sorted(VECTORS.glob("*.json"))
MISSING = "<absent>"
ROLES = {"recommended", "consider", "discuss", "not_recommended"}


def dig(doc: Any, path: str) -> Any:
    """The value at a dotted path; list items by index; MISSING when the path is absent."""
    cur = doc
    for part in path.split("."):
        if isinstance(cur, list):
            try:
                cur = cur[int(part)]
            except (ValueError, IndexError):
                return MISSING
        elif isinstance(cur, dict) and part in cur:
            cur = cur[part]
        else:
            return MISSING
    return cur


def option_roles(doc: dict[str, Any], ids: set[str]) -> list[str]:
    """Roles of every entry with one of these ids in plan.options, workup, triage.actions."""
    roles = []
    for path in ("plan.options", "workup", "triage.actions"):
        entries = dig(doc, path)
        if isinstance(entries, list):
            roles += [e.get("role", "recommended") for e in entries
                      if isinstance(e, dict) and e.get("id") in ids]
    return roles


def problems_with(vector: dict[str, Any]) -> list[str]:
    expect = vector["expect"]
    if "error:field" in expect:
        field = expect["error:field"]
        try:
            validate_case(vector["case"])
        except CaseValidationError as exc:
            text = exc.summary() + json.dumps(exc.to_dict(), ensure_ascii=False)
            return [] if field in text else [f"rejection does not name {field!r}"]
        return ["expected rejection, but the case validated"]
    doc = json.loads(json.dumps(assess(validate_case(vector["case"]))))  # as the CLI prints it
    problems = []
    for key, want in expect.items():
        if key.startswith("option:"):
            ids = set(key[len("option:"):].split("|"))
            roles = option_roles(doc, ids)
            if want == "absent_or_not_recommended":
                bad = [r for r in roles if r != "not_recommended"]
                if bad:
                    problems.append(f"{key}: expected absent or not_recommended, got {bad}")
            elif not any(r in want.split("|") for r in roles):
                problems.append(f"{key}: expected {want}, got {roles or 'absent'}")
        elif key == "missing_inputs:contains":
            if want not in (doc.get("missing_inputs") or []):
                problems.append(f"missing_inputs lacks {want!r}")
        else:
            got = dig(doc, key)
            if got != want:
                problems.append(f"{key}: expected {want!r}, got {got!r}")
    return problems


def test_the_vectors_folder_holds_vectors():
    assert FILES, f"no *.json vectors in {VECTORS}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_a_vector_has_a_case_and_known_expectation_keys(path):
    vector = json.loads(path.read_text("utf-8"))
    assert {"case", "expect"} <= set(vector)
    assert vector["expect"], "a vector expects something"
    for key, want in vector["expect"].items():
        if key.startswith("option:") and want != "absent_or_not_recommended":
            assert set(want.split("|")) <= ROLES, (key, want)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_the_assessment_meets_every_expectation_of_the_public_vector(path):
    vector = json.loads(path.read_text("utf-8"))
    problems = problems_with(vector)
    assert not problems, f"{path.name} ({vector.get('note', '')}): " + "; ".join(problems)


# ---------------------------------------------------------------- the checker itself


def test_the_checker_reports_a_wrong_expectation():
    vector = json.loads(FILES[0].read_text("utf-8"))
    vector["expect"] = {"format": "something-else"}
    assert problems_with(vector) == [
        "format: expected 'something-else', got 'oncospine-assessment/1'"]


def test_the_checker_reports_an_absent_path():
    vector = json.loads(FILES[0].read_text("utf-8"))
    vector["expect"] = {"triage.no_such_field": 1}
    assert problems_with(vector) == [
        "triage.no_such_field: expected 1, got '<absent>'"]


def test_the_checker_accepts_a_rejection_that_names_the_field():
    vector = {"case": {"format": "oncospine-case/1", "status": {"ecog": 9}},
              "expect": {"error:field": "status.ecog"}}
    assert problems_with(vector) == []


def test_the_checker_reports_a_case_that_should_have_been_rejected():
    vector = {"case": {"format": "oncospine-case/1"}, "expect": {"error:field": "status.ecog"}}
    assert problems_with(vector) == ["expected rejection, but the case validated"]
