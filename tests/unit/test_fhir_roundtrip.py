"""Case -> FHIR -> case gives the same case and the same assessment: for every public vector,
every demo case, and (property) any valid case built from the case model's own fields.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from oncospine.assessment import assess
from oncospine.case import Case, load_case, validate_case
from oncospine.errors import CaseValidationError
from oncospine.fhir import bundle_from_assessment, case_from_bundle
from oncospine.fhir.fields import CaseField, case_fields, item_fields

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "src" / "oncospine" / "examples").glob("*.yaml"))
VECTORS = sorted((ROOT.parent / "shared" / "vectors" / "cases").glob("*.json"))
NOW = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


def case_of(path: Path) -> Case:
    if path.suffix == ".json":
        return validate_case(json.loads(path.read_text("utf-8"))["case"])
    return load_case(path)


def through_fhir(case: Case) -> tuple[Case, Any]:
    bundle = json.loads(json.dumps(bundle_from_assessment(case, assess(case, now=NOW))))
    result = case_from_bundle(bundle, now=NOW)
    return validate_case(result.case), result


def test_the_public_vectors_are_all_here():
    assert len(VECTORS) >= 20 and len(EXAMPLES) == 8


@pytest.mark.parametrize("path", EXAMPLES + VECTORS, ids=lambda p: p.stem)
def test_a_case_comes_back_unchanged_with_the_same_assessment(path):
    case = case_of(path)
    again, result = through_fhir(case)
    assert again == case
    assert result.unmapped == []
    assert assess(again, now=NOW) == assess(case, now=NOW)


# ------------------------------------------------------------------ property: any valid case

ZONES = st.sampled_from([UTC, timezone(timedelta(hours=2)), timezone(timedelta(hours=-5,
                                                                                minutes=-30))])
TIMES = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 1, 1),
                     timezones=ZONES).map(lambda d: d.replace(microsecond=0).isoformat())
BOUNDS = {"patient.age_years": (0, 120), "status.ecog": (0, 5), "disease.vertebral_metastases":
          (0, 33), "disease.extraspinal_bone_metastases": (0, 1000), "lesions.wbb_sectors": (1, 12)}


def value_strategy(spec: CaseField) -> st.SearchStrategy[Any]:
    kind = spec.kind.removeprefix("list_")
    if kind == "bool":
        base: st.SearchStrategy[Any] = st.booleans()
    elif kind == "int" and spec.path == "status.kps":
        base = st.integers(0, 10).map(lambda n: n * 10)
    elif kind == "int":
        low, high = BOUNDS.get(spec.path, (0, 100))
        base = st.integers(low, high)
    elif kind == "float":
        base = st.floats(0, 60, allow_nan=False).map(lambda x: round(x, 2))
    elif kind == "code":
        base = st.sampled_from(spec.allowed)
    elif kind == "str":
        base = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")),
                       min_size=1, max_size=12).filter(str.strip)
    else:
        base = TIMES
    if spec.is_list:
        return st.lists(base, max_size=4, unique=True)
    return base


def section(fields: dict[str, CaseField]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional={
        spec.name: value_strategy(spec) for spec in fields.values()})


@st.composite
def cases(draw: st.DrawFn) -> Case:
    data: dict[str, Any] = {"format": "oncospine-case/1"}
    grouped: dict[str, dict[str, CaseField]] = {}
    for path, spec in case_fields().items():
        grouped.setdefault(spec.section if "." in path else "", {})[path] = spec
    for name, fields in grouped.items():
        if name == "":
            data.update(draw(section(fields)))
        else:
            data[name] = draw(section(fields))
    data["lesions"] = draw(st.none() | st.lists(section(item_fields("lesions")), max_size=3))
    data["imaging"] = draw(st.none() | st.lists(section(item_fields("imaging")), max_size=2))
    return repaired(data)


def repaired(data: dict[str, Any]) -> Case:
    """Drop the fields a consistency rule rejects (two fields that contradict each other), so
    that nearly every drawn case is valid without filtering."""
    for _ in range(10):
        try:
            return validate_case(data)
        except CaseValidationError as exc:
            for issue in exc.issues:
                *parents, last = [int(p) if p.isdigit() else p for p in issue.path.split(".")]
                node: Any = data
                for part in parents:
                    node = node[part]
                if last not in node:  # "give the level of a lesion that extends_to another"
                    last = "extends_to"
                node.pop(last, None)
    assume(False)
    raise AssertionError("unreachable")  # pragma: no cover


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_any_valid_case_survives_fhir_unchanged(case):
    again, result = through_fhir(case)
    assert again == case
    assert result.unmapped == []
