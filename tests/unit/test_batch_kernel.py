"""The vectorised kernel, case by case, against what `assess()` says for the same case.

The property test covers random registries; these pin down the clinically important corners
by name, so a regression reads as a clinical statement.
"""

from __future__ import annotations

from typing import Any

import polars as pl
import pytest

from oncospine.assessment import assess
from oncospine.batch import kernel
from oncospine.batch.validate import canonical_frame, judge_document
from oncospine.case import validate_case

BASE = {"format": "oncospine-case/1"}


def score(*docs: dict[str, Any]) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = []
    rows = [judge_document(i, {**BASE, **doc}, errors) for i, doc in enumerate(docs, 1)]
    assert not errors, errors
    return kernel.score(canonical_frame([r for r in rows if r is not None])).to_dicts()


def test_the_output_columns_start_as_the_format_asks():
    names = kernel.OUTPUT_COLUMNS
    assert names[0] == "case_id"
    assert names[1:6] == ("tomita_status", "tomita_total", "tomita_range_low",
                          "tomita_range_high", "tomita_band")
    assert {"sins_worst_total", "sins_worst_band", "escc_worst_grade", "escc_worst_group",
            "triage_level", "triage_pathway"} <= set(names)


def test_an_unknown_primary_site_leaves_tomita_incomplete_with_its_range():
    row, = score({"cancer": {"history": "current"},
                  "disease": {"visceral_metastases": "none", "vertebral_metastases": 1,
                              "extraspinal_bone_metastases": 0}})
    expected = assess(validate_case({**BASE, "cancer": {"history": "current"},
                                     "disease": {"visceral_metastases": "none",
                                                 "vertebral_metastases": 1,
                                                 "extraspinal_bone_metastases": 0}}))
    tomita = expected["scores"]["tomita"]
    assert row["tomita_status"] == "incomplete" and row["tomita_total"] is None
    assert [row["tomita_range_low"], row["tomita_range_high"]] == tomita["range"]


def test_a_metastasis_score_does_not_apply_without_a_cancer_history():
    row, = score({"cancer": {"history": "none"}})
    assert row["tomita_status"] == row["nesms_status"] == "not_applicable"
    assert row["tomita_range_low"] is None and row["tomita_band"] is None


def test_nesms_is_capped_at_three_and_still_incomplete_when_an_input_is_unknown():
    row, = score({"cancer": {"history": "current", "primary_site": "breast"},
                  "disease": {"visceral_metastases": "none", "vertebral_metastases": 1,
                              "extraspinal_bone_metastases": 0},
                  "status": {"ambulatory": "independent"}})
    assert row["nesms_status"] == "incomplete"
    assert (row["nesms_range_low"], row["nesms_range_high"], row["nesms_band"]) == \
        (3, 3, "nesms_3")


def test_the_worst_sins_is_the_lesion_with_the_highest_possible_total():
    row, = score({"lesions": [
        {"level": "T5", "pain": "none", "bone_lesion": "blastic", "alignment": "normal",
         "collapse": "none", "posterolateral": "none"},
        {"level": "T11", "extends_to": "L1", "pain": "mechanical"}]})
    assert row["sins_worst_level"] == "T11–L1"
    assert row["sins_worst_status"] == "incomplete" and row["sins_worst_total"] is None
    assert (row["sins_worst_range_low"], row["sins_worst_range_high"]) == (6, 18)


def test_a_coccyx_lesion_has_no_sins_and_does_not_count_as_the_worst():
    row, = score({"lesions": [{"level": "Co"}]})
    assert row["sins_worst_total"] is None and row["sins_worst_status"] is None
    assert row["lesion_count"] == 1


def test_the_worst_escc_grade_and_its_group():
    row, = score({"lesions": [{"level": "T4", "escc": "1c"}, {"level": "T9", "escc": "2"},
                              {"level": "L1"}]})
    assert (row["escc_worst_grade"], row["escc_worst_group"], row["escc_worst_level"],
            row["escc_status"]) == ("2", "high", "T9", "incomplete")


@pytest.mark.parametrize(("doc", "level", "pathway"), [
    ({"cancer": {"history": "past"}, "presentation": {"neuro_features": ["limb_weakness"]}},
     "emergency", "mscc"),
    ({"cancer": {"history": "none"}, "presentation": {"neuro_features": ["saddle_anaesthesia"]}},
     "emergency", "cauda_equina"),
    ({"cancer": {"history": "current"}, "presentation": {"spinal_pain": True}},
     "urgent", "mscc"),
    ({"cancer": {"history": "none"}, "presentation": {"spinal_pain": True, "neuro_features": [],
                                                      "general_features": ["fever"]}},
     "soon", "infection"),
    ({"cancer": {"history": "none"}, "patient": {"age_years": 30},
      "presentation": {"spinal_pain": True, "neuro_features": [], "general_features": [],
                       "pain_features": []}}, "routine", "back_pain"),
])
def test_triage_level_and_pathway(doc, level, pathway):
    row, = score(doc)
    assert (row["triage_level"], row["triage_pathway"]) == (level, pathway)
    assert assess(validate_case({**BASE, **doc}))["triage"]["level"] == level


def test_unknown_neurology_never_lowers_triage_for_a_person_with_cancer():
    row, = score({"cancer": {"history": "current"}, "presentation": {"spinal_pain": False}})
    assert row["triage_level"] == "urgent"


def test_radioresistant_high_grade_compression_in_a_fit_person_goes_to_separation_surgery():
    row, = score({"cancer": {"history": "current", "primary_site": "kidney"},
                  "status": {"fit_for_surgery": True},
                  "presentation": {"neuro_features": ["limb_weakness"]},
                  "lesions": [{"level": "T8", "escc": "2"}]})
    assert (row["noms_separation_surgery"], row["noms_sbrt"], row["noms_cebrt"]) == \
        ("recommended", "recommended", "consider")


def test_two_separate_areas_of_compression_make_surgery_a_discussion():
    row, = score({"cancer": {"history": "current", "primary_site": "kidney"},
                  "status": {"fit_for_surgery": True},
                  "lesions": [{"level": "T3", "escc": "3"}, {"level": "L2", "escc": "2"}]})
    assert row["noms_separation_surgery"] == "discuss"


def test_contiguous_compressed_levels_are_one_area():
    row, = score({"cancer": {"history": "current", "primary_site": "kidney"},
                  "status": {"fit_for_surgery": True},
                  "lesions": [{"level": "T3", "extends_to": "T4", "escc": "3"},
                              {"level": "T5", "escc": "2"}]})
    assert row["noms_separation_surgery"] == "recommended"


def test_no_active_treatment_means_a_single_fraction_at_most():
    row, = score({"status": {"fit_for_any_treatment": False}, "lesions": [{"level": "T5"}]})
    assert (row["noms_cebrt"], row["noms_sbrt"], row["noms_stabilisation"]) == \
        ("consider", "not_recommended", "not_recommended")
    assert row["noms_cebrt_dose"] == "8 Gy in 1 fraction"


def test_an_empty_batch_gives_an_empty_result_with_every_column():
    out = kernel.score(canonical_frame([]))
    assert out.height == 0 and tuple(out.columns) == kernel.OUTPUT_COLUMNS


def test_lesions_counted_but_without_columns_are_scored_as_all_unknown():
    frame = canonical_frame([{"row": 1, "lesion_count": 1, "imaging_count": 0}])
    row = kernel.score(frame).row(0, named=True)
    expected = assess(validate_case({**BASE, "lesions": [{}]}))["scores"]["sins"]["worst"]
    assert (row["sins_worst_range_low"], row["sins_worst_range_high"]) == \
        tuple(expected["range"])


def test_results_keep_the_input_row_numbers():
    rows = score({"id": "a"}, {"id": "b"})
    assert [(r["row"], r["case_id"]) for r in rows] == [(1, "a"), (2, "b")]
    assert all(isinstance(r["assessed_at"], type(None)) for r in rows)
    assert pl.DataFrame(rows).height == 2
