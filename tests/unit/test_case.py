"""The case model `oncospine-case/1`: validation, error paths, parsing and the JSON Schema.

References: shared spec case-format.md; decisions D-01, D-07; DESIGN.md principle 4.
"""

from __future__ import annotations

import copy
import io
import json
from pathlib import Path
from typing import Any

import pytest

import oncospine
from oncospine.case import (
    Case,
    Disease,
    Labs,
    case_json_schema,
    consistency_issues,
    load_case,
    parse_case_text,
    validate_case,
)
from oncospine.errors import CaseReadError, CaseValidationError, Issue, OncospineError

FORMAT = "oncospine-case/1"
EXAMPLES = Path(oncospine.__file__).parent / "examples"
EXAMPLE_FILES = sorted(EXAMPLES.glob("*.yaml"))


def doc(**parts: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"format": FORMAT}
    data.update(copy.deepcopy(parts))
    return data


def rejection(data: Any) -> CaseValidationError:
    with pytest.raises(CaseValidationError) as info:
        validate_case(data)
    return info.value


def only_issue(data: Any) -> Issue:
    exc = rejection(data)
    assert len(exc.issues) == 1, exc.summary()
    return exc.issues[0]


def issue_at(exc: CaseValidationError, path: str) -> Issue:
    for issue in exc.issues:
        if issue.path == path:
            return issue
    raise AssertionError(f"no issue at {path!r}: {exc.summary()}")


# ---------------------------------------------------------------- what is accepted


def test_a_case_of_only_the_format_line_is_valid_and_everything_is_unknown():
    case = validate_case({"format": FORMAT})
    assert isinstance(case, Case)
    assert case.patient.age_years is None
    assert case.cancer.history is None
    assert case.status.ecog is None
    assert case.lesions is None
    assert case.disease.visceral_metastases is None


def test_explicit_null_fields_mean_unknown_and_are_not_read_as_no_or_zero():
    case = validate_case(doc(
        patient={"age_years": None, "sex": None},
        disease={"vertebral_metastases": None, "brain_metastases": None},
        presentation={"spinal_pain": None, "neuro_features": None},
        lesions=None,
    ))
    assert case.patient.age_years is None
    assert case.disease.vertebral_metastases is None
    assert case.disease.brain_metastases is None
    assert case.presentation.spinal_pain is None
    assert case.presentation.neuro_features is None


def test_a_null_section_means_the_whole_section_is_unknown():
    # YAML `patient:` with nothing under it is null; null means not known (case.py docstring).
    case = validate_case(doc(patient=None, cancer=None, events=None))
    assert case.patient.age_years is None
    assert case.cancer.history is None


def test_the_full_spec_example_case_validates():
    case = validate_case(doc(
        id="demo-001",
        assessed_at="2026-11-20T09:30:00+00:00",
        patient={"age_years": 67, "sex": "female"},
        cancer={"history": "current", "primary_site": "breast",
                "histology": "invasive ductal carcinoma", "haematological": "none",
                "radiosensitivity": None, "prior_radiotherapy_to_spine": False},
        presentation={"spinal_pain": True, "pain_sites": ["thoracic"],
                      "pain_features": ["night_pain", "progressive"], "pain_weeks": 3,
                      "neuro_features": [], "neuro_onset_hours": None,
                      "neuro_progressive": None, "general_features": []},
        status={"ecog": 1, "kps": None, "frankel": "E", "asia": None,
                "ambulatory": "independent", "non_ambulatory_hours": None},
        disease={"vertebral_metastases": 1, "extraspinal_bone_metastases": 0,
                 "visceral_metastases": "none", "brain_metastases": False,
                 "pathological_fracture": False},
        labs={"albumin_g_per_l": 38},
        lesions=[{"level": "T12", "extends_to": None, "compartment": "extradural",
                  "pain": "mechanical", "bone_lesion": "lytic", "alignment": "normal",
                  "collapse": "under_50", "posterolateral": "unilateral", "escc": "1b",
                  "wbb_sectors": [], "wbb_layers": []}],
        imaging=[{"modality": "mri_whole_spine", "at": "2026-11-19T15:00:00+00:00"}],
        events={"presentation": "2026-11-19T08:00:00+00:00"},
    ))
    assert case.lesions is not None
    assert case.lesions[0].escc == "1b"
    assert case.assessed_at is not None and case.assessed_at.utcoffset() is not None


@pytest.mark.parametrize("grade", ["0", "1a", "1b", "1c", "2", "3"])
def test_every_escc_grade_is_accepted_as_a_string(grade):
    case = validate_case(doc(lesions=[{"escc": grade}]))
    assert case.lesions is not None and case.lesions[0].escc == grade


def test_a_lesion_may_extend_down_to_a_lower_level_or_stay_at_its_own():
    case = validate_case(doc(lesions=[{"level": "T12", "extends_to": "L1"},
                                      {"level": "C5", "extends_to": "C5"}]))
    assert case.lesions is not None and case.lesions[0].extends_to == "L1"


def test_the_case_model_is_frozen():
    case = validate_case(doc(patient={"age_years": 60}))
    with pytest.raises(Exception):  # noqa: B017 - pydantic raises its own frozen error
        case.patient.age_years = 61  # type: ignore[misc]


# ---------------------------------------------------------------- the format line


def test_a_case_without_format_is_rejected_naming_the_format_field():
    issue = only_issue({"patient": {"age_years": 60}})
    assert issue.path == "format"
    assert "missing" in issue.message
    assert issue.allowed == (FORMAT,)


def test_a_case_with_another_format_string_is_rejected_with_the_allowed_format():
    issue = only_issue({"format": "oncospine-case/2"})
    assert issue.path == "format"
    assert issue.value == "oncospine-case/2"
    assert issue.allowed == (FORMAT,)
    assert issue.suggestion == FORMAT


# ---------------------------------------------------------------- unknown keys


def test_an_unknown_top_level_key_is_rejected_with_did_you_mean():
    issue = only_issue({"format": FORMAT, "pateint": {"age_years": 60}})
    assert issue.path == "pateint"
    assert "unknown field" in issue.message
    assert issue.suggestion == "patient"
    assert "patient" in issue.allowed and "lesions" in issue.allowed


def test_a_misspelled_lesion_key_bone_lesoin_suggests_bone_lesion():
    issue = only_issue(doc(lesions=[{"level": "T12", "bone_lesoin": "lytic"}]))
    assert issue.path == "lesions.0.bone_lesoin"
    assert issue.value == "lytic"
    assert issue.suggestion == "bone_lesion"
    assert "bone_lesion" in issue.allowed


def test_a_misspelled_cancer_key_primary_sit_suggests_primary_site():
    issue = only_issue(doc(cancer={"primary_sit": "breast"}))
    assert issue.path == "cancer.primary_sit"
    assert issue.value == "breast"
    assert issue.suggestion == "primary_site"
    assert "primary_site" in issue.allowed


def test_an_unknown_key_with_nothing_close_gets_no_suggestion_but_lists_the_fields():
    issue = only_issue(doc(patient={"zzzzqqq": 1}))
    assert issue.path == "patient.zzzzqqq"
    assert issue.suggestion is None
    assert set(issue.allowed) == {"age_years", "sex"}


# ---------------------------------------------------------------- enumerations


def test_a_misspelled_primary_site_brest_suggests_breast():
    issue = only_issue(doc(cancer={"primary_site": "brest"}))
    assert issue.path == "cancer.primary_site"
    assert issue.value == "brest"
    assert issue.suggestion == "breast"
    assert "breast" in issue.allowed and "unknown" in issue.allowed


def test_a_capitalised_bone_lesion_lytic_suggests_the_lower_case_value():
    issue = only_issue(doc(lesions=[{"bone_lesion": "Lytic"}]))
    assert issue.path == "lesions.0.bone_lesion"
    assert issue.value == "Lytic"
    assert issue.suggestion == "lytic"
    assert set(issue.allowed) == {"lytic", "mixed", "blastic"}


def test_an_escc_grade_given_as_the_number_2_is_rejected_suggesting_the_string_2():
    issue = only_issue(doc(lesions=[{"escc": 2}]))
    assert issue.path == "lesions.0.escc"
    assert issue.value == 2
    assert issue.suggestion == "2"
    assert issue.allowed == ("0", "1a", "1b", "1c", "2", "3")


def test_an_enum_value_inside_a_list_is_rejected_with_its_index():
    issue = only_issue(doc(presentation={"pain_features": ["night_pain", "nite_pain"]}))
    assert issue.path == "presentation.pain_features.1"
    assert issue.value == "nite_pain"
    assert issue.suggestion == "night_pain"
    assert "night_pain" in issue.allowed


def test_an_unknown_spinal_level_is_rejected_listing_the_levels():
    issue = only_issue(doc(lesions=[{"level": "T13"}]))
    assert issue.path == "lesions.0.level"
    assert issue.value == "T13"
    assert "T12" in issue.allowed and "Co" in issue.allowed and "C0" in issue.allowed


# ---------------------------------------------------------------- numbers out of range


@pytest.mark.parametrize(
    ("parts", "path", "value"),
    [
        ({"patient": {"age_years": 121}}, "patient.age_years", 121),
        ({"patient": {"age_years": -1}}, "patient.age_years", -1),
        ({"status": {"ecog": 6}}, "status.ecog", 6),
        ({"status": {"kps": 75}}, "status.kps", 75),
        ({"status": {"kps": 110}}, "status.kps", 110),
        ({"disease": {"vertebral_metastases": -1}}, "disease.vertebral_metastases", -1),
        ({"disease": {"extraspinal_bone_metastases": -2}},
         "disease.extraspinal_bone_metastases", -2),
        ({"presentation": {"pain_weeks": -1}}, "presentation.pain_weeks", -1),
        ({"lesions": [{"wbb_sectors": [12, 13]}]}, "lesions.0.wbb_sectors.1", 13),
        ({"lesions": [{"wbb_sectors": [0]}]}, "lesions.0.wbb_sectors.0", 0),
    ],
    ids=["age-121", "age-negative", "ecog-6", "kps-75-not-a-multiple-of-10", "kps-110",
         "negative-vertebral-count", "negative-extraspinal-count", "negative-pain-weeks",
         "wbb-sector-13", "wbb-sector-0"],
)
def test_an_out_of_range_number_is_rejected_naming_field_and_value(parts, path, value):
    issue = only_issue(doc(**parts))
    assert issue.path == path
    assert issue.value == value
    assert issue.message  # says what the limit is
    assert path in str(issue) and repr(value) in str(issue)


def test_kps_not_in_steps_of_ten_says_the_step():
    issue = only_issue(doc(status={"kps": 75}))
    assert "10" in issue.message


def test_age_over_120_says_the_upper_limit():
    issue = only_issue(doc(patient={"age_years": 121}))
    assert "120" in issue.message


def test_ecog_over_5_says_the_upper_limit():
    issue = only_issue(doc(status={"ecog": 6}))
    assert "5" in issue.message


def test_a_wbb_sector_over_12_says_the_upper_limit():
    issue = only_issue(doc(lesions=[{"wbb_sectors": [13]}]))
    assert "12" in issue.message


@pytest.mark.parametrize("kps", [0, 10, 50, 100])
def test_kps_in_steps_of_ten_is_accepted(kps):
    assert validate_case(doc(status={"kps": kps})).status.kps == kps


@pytest.mark.parametrize("ecog", [0, 1, 2, 3, 4, 5])
def test_every_ecog_grade_is_accepted(ecog):
    assert validate_case(doc(status={"ecog": ecog})).status.ecog == ecog


# ---------------------------------------------------------------- times


def test_a_naive_assessment_time_without_offset_is_rejected():
    issue = only_issue(doc(assessed_at="2026-11-20T09:30:00"))
    assert issue.path == "assessed_at"
    assert issue.value == "2026-11-20T09:30:00"
    assert "offset" in issue.message


def test_a_naive_event_time_is_rejected_naming_the_event():
    issue = only_issue(doc(events={"mri_done": "2026-11-20T09:30:00"}))
    assert issue.path == "events.mri_done"
    assert "offset" in issue.message


def test_a_naive_imaging_time_is_rejected_with_its_index():
    issue = only_issue(doc(imaging=[{"modality": "ct_spine", "at": "2026-11-20T09:30:00"}]))
    assert issue.path == "imaging.0.at"


def test_a_time_with_offset_is_accepted():
    case = validate_case(doc(assessed_at="2026-11-20T09:30:00+01:00"))
    assert case.assessed_at is not None
    assert case.assessed_at.utcoffset() is not None


# ---------------------------------------------------------------- consistency rules


def test_brain_metastases_with_visceral_none_is_rejected_per_d07():
    issue = only_issue(doc(disease={"brain_metastases": True, "visceral_metastases": "none"}))
    assert issue.path == "disease.visceral_metastases"
    assert issue.value == "none"
    assert "D-07" in issue.message
    assert set(issue.allowed) == {"removable", "unremovable"}


@pytest.mark.parametrize("visceral", ["removable", "unremovable", None])
def test_brain_metastases_with_visceral_disease_recorded_or_unknown_is_accepted(visceral):
    case = validate_case(doc(disease={"brain_metastases": True,
                                      "visceral_metastases": visceral}))
    assert case.disease.brain_metastases is True


@pytest.mark.parametrize("ambulatory", ["independent", "with_aid"])
def test_hours_since_walking_for_someone_who_walks_is_rejected(ambulatory):
    issue = only_issue(doc(status={"ambulatory": ambulatory, "non_ambulatory_hours": 30}))
    assert issue.path == "status.non_ambulatory_hours"
    assert issue.value == 30
    assert "non_ambulatory" in issue.message


@pytest.mark.parametrize("ambulatory", ["non_ambulatory", None])
def test_hours_since_walking_for_someone_not_walking_or_unknown_is_accepted(ambulatory):
    case = validate_case(doc(status={"ambulatory": ambulatory, "non_ambulatory_hours": 30}))
    assert case.status.non_ambulatory_hours == 30


@pytest.mark.parametrize("grade", ["low", "high"])
def test_benign_behaviour_with_a_malignant_grade_is_rejected(grade):
    issue = only_issue(doc(primary_tumour={"grade": grade, "benign_behaviour": "latent"}))
    assert issue.path == "primary_tumour.benign_behaviour"
    assert issue.value == "latent"
    assert "benign" in issue.message


def test_benign_behaviour_with_a_benign_grade_is_accepted():
    case = validate_case(doc(primary_tumour={"grade": "benign", "benign_behaviour": "active"}))
    assert case.primary_tumour.benign_behaviour == "active"


@pytest.mark.parametrize(
    "presentation",
    [{"spinal_pain": False, "pain_features": ["night_pain"]},
     {"spinal_pain": False, "pain_sites": ["lumbar"]}],
    ids=["features", "sites"],
)
def test_spinal_pain_false_with_pain_details_is_rejected(presentation):
    issue = only_issue(doc(presentation=presentation))
    assert issue.path == "presentation.spinal_pain"
    assert issue.value is False


def test_spinal_pain_false_with_empty_pain_lists_is_accepted():
    case = validate_case(doc(presentation={"spinal_pain": False, "pain_features": [],
                                           "pain_sites": []}))
    assert case.presentation.spinal_pain is False


def test_a_neuro_onset_time_with_no_neuro_features_is_rejected():
    issue = only_issue(doc(presentation={"neuro_features": [], "neuro_onset_hours": 12}))
    assert issue.path == "presentation.neuro_onset_hours"
    assert issue.value == 12
    assert "neuro_features" in issue.message


def test_a_neuro_onset_time_with_neuro_features_is_accepted():
    case = validate_case(doc(presentation={"neuro_features": ["limb_weakness"],
                                           "neuro_onset_hours": 12}))
    assert case.presentation.neuro_onset_hours == 12


def test_a_confirmed_haematological_malignancy_with_no_cancer_history_is_rejected():
    issue = only_issue(doc(cancer={"haematological": "confirmed", "history": "none"}))
    assert issue.path == "cancer.history"
    assert issue.value == "none"
    assert set(issue.allowed) == {"current", "past"}


def test_albumin_given_in_g_per_dl_is_rejected_suggesting_g_per_l():
    issue = only_issue(doc(labs={"albumin_g_per_l": 3.5}))
    assert issue.path == "labs.albumin_g_per_l"
    assert issue.value == 3.5
    assert issue.suggestion == "35"
    assert "g/dL" in issue.message


def test_haemoglobin_given_in_g_per_dl_is_rejected_suggesting_g_per_l():
    issue = only_issue(doc(labs={"haemoglobin_g_per_l": 12}))
    assert issue.path == "labs.haemoglobin_g_per_l"
    assert issue.value == 12
    assert issue.suggestion == "120"
    assert "g/dL" in issue.message


def test_albumin_and_haemoglobin_in_g_per_l_are_accepted():
    case = validate_case(doc(labs={"albumin_g_per_l": 35, "haemoglobin_g_per_l": 120}))
    assert case.labs.albumin_g_per_l == 35


def test_a_lesion_extending_to_a_level_above_its_first_level_is_rejected():
    issue = only_issue(doc(lesions=[{"level": "T12", "extends_to": "T10"}]))
    assert issue.path == "lesions.0.extends_to"
    assert issue.value == "T10"
    assert "T12" in issue.message


def test_a_lesion_with_extends_to_but_no_level_is_rejected_naming_the_level():
    issue = only_issue(doc(lesions=[{"level": "L1"}, {"extends_to": "L2"}]))
    assert issue.path == "lesions.1.level"
    assert issue.value is None


def test_consistency_issues_is_empty_for_a_consistent_case():
    case = validate_case(doc(disease={"brain_metastases": True,
                                      "visceral_metastases": "unremovable"}))
    assert consistency_issues(case) == []


def test_consistency_issues_lists_each_contradiction_of_an_unvalidated_case():
    case = Case.model_construct(
        format=FORMAT,
        disease=Disease.model_construct(brain_metastases=True, visceral_metastases="none"),
        labs=Labs.model_construct(albumin_g_per_l=3.5),
    )
    paths = [i.path for i in consistency_issues(case)]
    assert paths == ["disease.visceral_metastases", "labs.albumin_g_per_l"]


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_every_shipped_example_is_consistent(path):
    assert consistency_issues(load_case(path)) == []


# ---------------------------------------------------------------- several problems at once


def test_several_schema_problems_are_reported_together():
    exc = rejection(doc(
        patient={"age_years": 121},
        cancer={"primary_site": "brest"},
        status={"ecog": 6},
        lesions=[{"bone_lesoin": "lytic", "escc": 2}],
    ))
    paths = {i.path for i in exc.issues}
    assert paths == {"patient.age_years", "cancer.primary_site", "status.ecog",
                     "lesions.0.bone_lesoin", "lesions.0.escc"}
    assert exc.summary().startswith("invalid case: 5 problems")


def test_several_consistency_problems_are_reported_together():
    exc = rejection(doc(
        disease={"brain_metastases": True, "visceral_metastases": "none"},
        labs={"albumin_g_per_l": 3.5, "haemoglobin_g_per_l": 11},
        cancer={"haematological": "confirmed", "history": "none"},
    ))
    assert {i.path for i in exc.issues} == {
        "disease.visceral_metastases", "labs.albumin_g_per_l", "labs.haemoglobin_g_per_l",
        "cancer.history"}


# ---------------------------------------------------------------- non-mapping documents


@pytest.mark.parametrize("data", [[1, 2], "format: oncospine-case/1", 42, None],
                         ids=["list", "string", "number", "null"])
def test_a_document_that_is_not_a_mapping_is_rejected(data):
    issue = only_issue(data)
    assert issue.path == ""
    assert "mapping" in issue.message
    assert issue.allowed == ("mapping",)
    assert "<case>" in str(issue)


def test_a_nested_section_that_is_not_a_mapping_is_rejected_naming_the_section():
    issue = only_issue(doc(patient=[1, 2]))
    assert issue.path == "patient"


# ---------------------------------------------------------------- what every rejection says


@pytest.mark.parametrize(
    ("data", "path", "value", "allowed_item"),
    [
        (doc(cancer={"primary_site": "brest"}), "cancer.primary_site", "brest", "breast"),
        (doc(lesions=[{"bone_lesion": "Lytic"}]), "lesions.0.bone_lesion", "Lytic", "lytic"),
        (doc(lesions=[{"bone_lesoin": "lytic"}]), "lesions.0.bone_lesoin", "lytic",
         "bone_lesion"),
        (doc(lesions=[{"escc": 2}]), "lesions.0.escc", 2, "1c"),
        (doc(status={"ambulatory": "walks"}), "status.ambulatory", "walks", "independent"),
        (doc(disease={"brain_metastases": True, "visceral_metastases": "none"}),
         "disease.visceral_metastases", "none", "removable"),
    ],
)
def test_a_rejection_names_the_path_the_value_and_the_allowed_values(data, path, value,
                                                                     allowed_item):
    exc = rejection(data)
    issue = issue_at(exc, path)
    assert issue.value == value
    assert allowed_item in issue.allowed
    text = exc.summary()
    assert path in text
    assert repr(value) in text
    assert allowed_item in text
    as_dict = exc.to_dict()
    entry = next(e for e in as_dict["issues"] if e["field"] == path)
    assert entry["value"] == value
    assert allowed_item in entry["allowed"]


def test_validation_errors_are_oncospine_errors():
    exc = rejection({"format": "nope"})
    assert isinstance(exc, OncospineError)


# ---------------------------------------------------------------- parsing JSON and YAML


def test_json_text_is_parsed():
    case = parse_case_text(json.dumps(doc(patient={"age_years": 70})))
    assert case.patient.age_years == 70


def test_yaml_text_is_parsed_including_offset_times():
    text = (
        "format: oncospine-case/1\n"
        "assessed_at: 2026-11-20T09:30:00+00:00\n"
        "patient: {age_years: 70}\n"
        "lesions:\n  - {level: T12, escc: \"2\"}\n"
    )
    case = parse_case_text(text)
    assert case.patient.age_years == 70
    assert case.lesions is not None and case.lesions[0].escc == "2"
    assert case.assessed_at is not None and case.assessed_at.utcoffset() is not None


def test_an_unquoted_yaml_escc_grade_is_rejected_suggesting_the_quoted_grade():
    with pytest.raises(CaseValidationError) as info:
        parse_case_text("format: oncospine-case/1\nlesions:\n  - {escc: 2}\n")
    issue = issue_at(info.value, "lesions.0.escc")
    assert issue.suggestion == "2"


def test_a_naive_yaml_timestamp_is_rejected():
    with pytest.raises(CaseValidationError) as info:
        parse_case_text("format: oncospine-case/1\nassessed_at: 2026-11-20T09:30:00\n")
    assert issue_at(info.value, "assessed_at")


def test_an_empty_yaml_section_is_read_as_unknown():
    case = parse_case_text("format: oncospine-case/1\npatient:\n")
    assert case.patient.age_years is None


def test_text_that_is_neither_json_nor_yaml_is_a_read_error():
    with pytest.raises(CaseReadError) as info:
        parse_case_text("format: [oncospine-case/1\n  : : :", "bad.yaml")
    assert "bad.yaml" in str(info.value)
    assert isinstance(info.value, OncospineError)


def test_a_yaml_list_document_is_rejected_as_not_a_mapping():
    with pytest.raises(CaseValidationError) as info:
        parse_case_text("- format\n- oncospine-case/1\n")
    assert info.value.issues[0].allowed == ("mapping",)


def test_an_empty_document_is_rejected_as_not_a_mapping():
    with pytest.raises(CaseValidationError):
        parse_case_text("")


def test_load_case_reads_a_json_file(tmp_path):
    path = tmp_path / "case.json"
    path.write_text(json.dumps(doc(id="from-json")), encoding="utf-8")
    assert load_case(path).id == "from-json"


def test_load_case_reads_a_yaml_file_given_as_a_string_path(tmp_path):
    path = tmp_path / "case.yaml"
    path.write_text("format: oncospine-case/1\nid: from-yaml\n", encoding="utf-8")
    assert load_case(str(path)).id == "from-yaml"


def test_load_case_on_a_missing_file_is_a_read_error_naming_the_file(tmp_path):
    missing = tmp_path / "nope.yaml"
    with pytest.raises(CaseReadError) as info:
        load_case(missing)
    assert str(missing) in str(info.value)


def test_load_case_on_a_folder_is_a_read_error(tmp_path):
    with pytest.raises(CaseReadError):
        load_case(tmp_path)


def test_load_case_on_invalid_yaml_is_a_read_error(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("format: oncospine-case/1\npatient: {age_years: 70\n", encoding="utf-8")
    with pytest.raises(CaseReadError) as info:
        load_case(path)
    assert "broken.yaml" in str(info.value)


def test_load_case_on_an_invalid_case_is_a_validation_error(tmp_path):
    path = tmp_path / "invalid.json"
    path.write_text(json.dumps(doc(status={"ecog": 9})), encoding="utf-8")
    with pytest.raises(CaseValidationError):
        load_case(path)


def test_load_case_dash_reads_standard_input(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("format: oncospine-case/1\nid: from-stdin\n"))
    assert load_case("-").id == "from-stdin"


def test_load_case_dash_with_invalid_input_names_stdin(monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("format: [x\n : :"))
    with pytest.raises(CaseReadError) as info:
        load_case("-")
    assert "<stdin>" in str(info.value)


# ---------------------------------------------------------------- the JSON Schema


def test_the_schema_declares_json_schema_draft_2020_12():
    schema = case_json_schema()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_schema_is_titled_with_the_case_format():
    assert case_json_schema()["title"] == FORMAT


def test_the_schema_requires_only_the_format():
    schema = case_json_schema()
    assert schema["required"] == ["format"]
    assert schema["type"] == "object"
    assert schema["properties"]["format"]["const"] == FORMAT or \
        schema["properties"]["format"].get("enum") == [FORMAT]


def test_the_schema_forbids_unknown_keys_at_the_top_and_in_every_nested_object():
    schema = case_json_schema()
    assert schema["additionalProperties"] is False
    defs = schema["$defs"]
    assert {"Patient", "Cancer", "Presentation", "Status", "Disease", "Labs", "Lesion",
            "PrimaryTumour", "Imaging", "Events"} <= set(defs)
    for name, sub in defs.items():
        if sub.get("type") == "object":
            assert sub.get("additionalProperties") is False, name


def test_every_schema_reference_resolves():
    schema = case_json_schema()

    def refs(node: Any) -> list[str]:
        if isinstance(node, dict):
            out = [node["$ref"]] if "$ref" in node else []
            return out + [r for value in node.values() for r in refs(value)]
        if isinstance(node, list):
            return [r for value in node for r in refs(value)]
        return []

    found = refs(schema)
    assert found
    for ref in found:
        assert ref.startswith("#/$defs/")
        assert ref.removeprefix("#/$defs/") in schema["$defs"]


def test_the_schema_lists_escc_grades_as_strings():
    escc = case_json_schema()["$defs"]["Lesion"]["properties"]["escc"]
    enum = next(option for option in escc["anyOf"] if "enum" in option)
    assert enum["enum"] == ["0", "1a", "1b", "1c", "2", "3"]
    assert enum.get("type", "string") == "string"


def test_the_schema_is_plain_json():
    schema = case_json_schema()
    assert json.loads(json.dumps(schema)) == schema


def test_there_are_shipped_examples():
    assert len(EXAMPLE_FILES) >= 1


@pytest.mark.parametrize("path", EXAMPLE_FILES, ids=lambda p: p.stem)
def test_every_shipped_example_validates_against_the_model(path):
    case = load_case(path)
    assert case.format == FORMAT
    schema_fields = set(case_json_schema()["properties"])
    assert set(Case.model_fields) == schema_fields
