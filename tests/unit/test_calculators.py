"""Single calculators (`oncospine score NAME --field value …`).

A calculator fills named case paths and runs the same score function as the full assessment, so
its result must equal the score `assess()` gives for the same inputs.

References: calculators.py docstring; shared spec case-format.md (ESCC grades are strings).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

import oncospine
from oncospine.assessment import assess
from oncospine.calculators import CALCULATORS, build_case, calculate
from oncospine.case import Case, load_case, validate_case
from oncospine.errors import CaseValidationError, UnknownNameError

EXAMPLES = Path(oncospine.__file__).parent / "examples"
VECTORS = Path(__file__).resolve().parents[3] / "shared" / "vectors" / "cases"
LESION_SCORES = {"sins", "escc", "wbb"}
SCORE_KEY = {"tokuhashi": "tokuhashi_revised", "tokuhashi-original": "tokuhashi_original",
             "modified-bauer": "modified_bauer"}
ASSESSED_AT = "2026-11-20T09:30:00+00:00"

SAMPLE_FIELDS: dict[str, dict[str, str]] = {
    "sins": {"level": "T12", "pain": "mechanical", "bone-lesion": "lytic",
             "alignment": "normal", "collapse": "under_50", "posterolateral": "unilateral"},
    "escc": {"level": "T12", "grade": "1c"},
    "tomita": {"primary-site": "kidney", "visceral": "removable", "vertebral": "1",
               "extraspinal": "0"},
    "tokuhashi": {"primary-site": "breast", "visceral": "none", "brain": "false",
                  "vertebral": "1", "extraspinal": "2", "ecog": "1", "frankel": "E"},
    "tokuhashi-original": {"primary-site": "breast", "visceral": "none", "vertebral": "2",
                           "extraspinal": "0", "kps": "70", "frankel": "D"},
    "bauer": {"primary-site": "breast", "visceral": "none", "brain": "false", "vertebral": "1",
              "extraspinal": "0", "fracture": "false"},
    "modified-bauer": {"primary-site": "lung_nsclc", "visceral": "unremovable",
                       "vertebral": "3", "extraspinal": "1"},
    "nesms": {"primary-site": "kidney", "visceral": "none", "vertebral": "1",
              "extraspinal": "0", "ambulatory": "independent", "albumin": "38"},
    "enneking": {"grade": "high", "extent": "extracompartmental", "metastasis": "false"},
    "wbb": {"level": "L2", "sectors": "4,5,6,7,8", "layers": "B,C,D"},
}


def score_key(name: str) -> str:
    return SCORE_KEY.get(name, name)


def comparable(result: dict[str, Any]) -> dict[str, Any]:
    """A score result without the labels only one side adds (calculator name, direction)."""
    return {k: v for k, v in result.items() if k not in ("score", "higher_means")}


def dig(data: Any, path: str) -> Any:
    cur = data
    for part in path.split("."):
        if isinstance(cur, list):
            index = int(part)
            cur = cur[index] if index < len(cur) else None
        elif isinstance(cur, dict):
            cur = cur.get(part)
        if cur is None:
            return None
    return cur


def as_option_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(str(item) for item in value)
    return str(value)


def fields_from_case(name: str, case: Case) -> dict[str, str]:
    options, _ = CALCULATORS[name]
    data = case.model_dump(mode="json")
    out = {}
    for flag, path in options.items():
        value = dig(data, path)
        if value is not None:
            out[flag] = as_option_text(value)
    return out


def real_cases() -> list[tuple[str, Case]]:
    cases = [(p.stem, load_case(p)) for p in sorted(EXAMPLES.glob("*.yaml"))]
    if VECTORS.is_dir():
        cases += [(p.stem, validate_case(json.loads(p.read_text("utf-8"))["case"]))
                  for p in sorted(VECTORS.glob("*.json"))]
    return cases


REAL_CASES = real_cases()


# ---------------------------------------------------------------- the catalogue


def test_every_score_of_the_assessment_has_a_calculator():
    names = {score_key(n) for n in CALCULATORS}
    assessed = set(assess(validate_case({"format": "oncospine-case/1"}))["scores"])
    assert names == assessed


def test_every_sample_covers_one_calculator():
    assert set(SAMPLE_FIELDS) == set(CALCULATORS)


@pytest.mark.parametrize("name", sorted(CALCULATORS))
def test_every_calculator_option_fills_a_real_case_field(name):
    options, _ = CALCULATORS[name]
    for flag, path in options.items():
        model: Any = Case
        for part in path.split("."):
            if part.isdigit():
                continue
            assert isinstance(model, type) and issubclass(model, BaseModel), (flag, path)
            assert part in model.model_fields, (flag, path)
            annotation = model.model_fields[part].annotation
            model = _model_in(annotation)


def _model_in(annotation: Any) -> Any:
    """The BaseModel class inside an annotation such as `list[Lesion] | None`, if any."""
    stack = [annotation]
    while stack:
        tp = stack.pop()
        if isinstance(tp, type) and issubclass(tp, BaseModel):
            return tp
        stack.extend(getattr(tp, "__args__", ()))
    return None


# ---------------------------------------------------------------- sameness with assess()


@pytest.mark.parametrize("name", sorted(CALCULATORS))
def test_a_calculator_gives_the_score_the_full_assessment_gives_for_its_inputs(name):
    fields = SAMPLE_FIELDS[name]
    result = calculate(name, fields)
    assert result["score"] == name
    full = assess(build_case(name, fields))["scores"][score_key(name)]
    assert comparable(result) == comparable(full)


@pytest.mark.parametrize("name", sorted(CALCULATORS))
def test_a_calculator_with_no_inputs_matches_the_assessment_of_the_same_empty_case(name):
    result = calculate(name, {})
    full = assess(build_case(name, {}))["scores"][score_key(name)]
    assert comparable(result) == comparable(full)


def test_the_sins_calculator_totals_the_worked_example_at_11():
    result = calculate("sins", SAMPLE_FIELDS["sins"])
    assert result["lesions"][0]["total"] == 11
    assert result["lesions"][0]["band"] == "indeterminate"


def _comparable_pairs() -> list[tuple[str, str, Case]]:
    """(calculator, label, case) for every real case the calculator can express.

    A lesion calculator always scores one lesion, so cases without lesions are left out; the
    prognostic scores also read `cancer.history` and the primary tumour, which no calculator
    option fills, so cases where the assessment calls them not applicable are left out.
    """
    pairs = []
    for label, case in REAL_CASES:
        scores = assess(case)["scores"]
        for name in sorted(CALCULATORS):
            if name in LESION_SCORES and not case.lesions:
                continue
            prognostic = name not in LESION_SCORES | {"enneking"}
            if prognostic and scores[score_key(name)].get("status") == "not_applicable":
                continue
            pairs.append((name, label, case))
    return pairs


PAIRS = _comparable_pairs()


@pytest.mark.parametrize(("name", "label", "case"), PAIRS,
                         ids=[f"{name}-{label}" for name, label, _ in PAIRS])
def test_a_calculator_fed_from_a_real_case_matches_that_cases_assessment(name, label, case):
    full = assess(case)["scores"][score_key(name)]
    result = calculate(name, fields_from_case(name, case))
    if "lesions" in full and "lesions" in result:
        # A calculator reads lesion 0 only.
        assert result["lesions"][:1] == full["lesions"][:1]
    else:
        assert comparable(result) == comparable(full)


def test_every_calculator_is_compared_with_at_least_one_real_case():
    assert {name for name, _, _ in PAIRS} == set(CALCULATORS)


# ---------------------------------------------------------------- value parsing


@pytest.mark.parametrize(("text", "expected"),
                         [("true", True), ("false", False), ("TRUE", True), ("yes", True),
                          ("no", False)])
def test_yes_no_words_become_booleans(text, expected):
    case = build_case("bauer", {"fracture": text})
    assert case.disease.pathological_fracture is expected


def test_a_comma_list_of_sectors_becomes_a_list_of_numbers():
    case = build_case("wbb", {"sectors": "5,6,7"})
    assert case.lesions is not None
    assert case.lesions[0].wbb_sectors == [5, 6, 7]


def test_a_comma_list_tolerates_spaces_and_trailing_commas():
    case = build_case("wbb", {"sectors": " 5, 6 ,7,", "layers": "A, B"})
    assert case.lesions is not None
    assert case.lesions[0].wbb_sectors == [5, 6, 7]
    assert case.lesions[0].wbb_layers == ["A", "B"]


@pytest.mark.parametrize("grade", ["0", "1a", "1b", "1c", "2", "3"])
def test_an_escc_grade_stays_a_string(grade):
    case = build_case("escc", {"grade": grade})
    assert case.lesions is not None
    assert case.lesions[0].escc == grade
    assert calculate("escc", {"grade": grade})["lesions"][0]["grade"] == grade


def test_whole_numbers_become_integers_and_decimals_floats():
    case = build_case("nesms", {"vertebral": "2", "albumin": "38.5"})
    assert case.disease.vertebral_metastases == 2
    assert case.labs.albumin_g_per_l == 38.5


@pytest.mark.parametrize("text", ["unknown", "null"])
def test_unknown_or_null_leaves_a_field_unknown(text):
    case = build_case("tomita", {"visceral": text})
    assert case.disease.visceral_metastases is None


def test_unknown_primary_site_is_the_site_code_unknown_not_a_missing_value():
    case = build_case("tomita", {"primary-site": "unknown"})
    assert case.cancer.primary_site == "unknown"


def test_a_lesion_calculator_always_has_one_lesion():
    case = build_case("sins", {})
    assert case.lesions is not None and len(case.lesions) == 1


def test_a_non_lesion_calculator_records_no_lesion():
    assert build_case("tomita", {"vertebral": "1"}).lesions is None


# ---------------------------------------------------------------- errors


def test_an_unknown_option_is_rejected_with_the_closest_option():
    with pytest.raises(CaseValidationError) as info:
        build_case("sins", {"levl": "T12"})
    issue = info.value.issues[0]
    assert issue.path == "--levl"
    assert issue.suggestion == "--level"
    assert "--level" in issue.allowed and "--posterolateral" in issue.allowed


def test_every_unknown_option_is_reported_together():
    with pytest.raises(CaseValidationError) as info:
        build_case("sins", {"levl": "T12", "pian": "mechanical"})
    assert [i.path for i in info.value.issues] == ["--levl", "--pian"]


def test_an_invalid_value_is_reported_under_its_command_line_option():
    with pytest.raises(CaseValidationError) as info:
        build_case("tokuhashi", {"ecog": "6"})
    issue = info.value.issues[0]
    assert issue.path == "--ecog"
    assert issue.value == 6


def test_an_enum_typo_is_reported_under_its_option_with_did_you_mean():
    with pytest.raises(CaseValidationError) as info:
        build_case("bauer", {"primary-site": "brest"})
    issue = info.value.issues[0]
    assert issue.path == "--primary-site"
    assert issue.suggestion == "breast"


def test_a_wbb_sector_outside_1_to_12_is_rejected():
    with pytest.raises(CaseValidationError):
        build_case("wbb", {"sectors": "12,13"})


def test_an_unknown_calculator_is_rejected_with_did_you_mean():
    with pytest.raises(UnknownNameError) as info:
        calculate("tomitta", {})
    assert "did you mean 'tomita'" in str(info.value)
