"""The treatment plan: fitness gates, SINS, NOMS and what always applies.

Expectations from decisions.md D-18 to D-26 (which win over scores.md §6.2), pathway.md §5.3, §6
(MDT-003 to MDT-009), §7 (RT-001 to RT-003, SBRT-001 to SBRT-003, SYS-001, PAL-001, REH-001,
TRL-001, MON-001) and the option ids and roles of assessment-format.md.
"""

from __future__ import annotations

from typing import Any

import pytest
from casekit import option, role, run

SURGICAL = ("stabilisation", "separation_surgery", "decompression", "en_bloc_resection")
INVASIVE = (*SURGICAL, "cement_augmentation")
RADIOSENSITIVE = ("breast", "prostate", "ovary", "carcinoid", "lung_sclc", "myeloma", "lymphoma",
                  "germ_cell")
RADIOSENSITIVE_SOLID = ("breast", "prostate", "ovary", "carcinoid", "lung_sclc")
CHEMOSENSITIVE = ("myeloma", "lymphoma", "germ_cell")
RADIORESISTANT = ("thyroid", "kidney", "rectum", "colon", "lung_nsclc", "stomach", "oesophagus",
                  "pancreas", "liver", "gallbladder", "melanoma")
UNCLASSIFIED = ("uterus", "bladder", "head_neck", "other")
LOW, HIGH = ("0", "1a", "1b"), ("2", "3")

# Lesions with exact SINS totals, none with mechanical pain (so cement is not in play).
# T5 semi-rigid 1; occasional 1; lytic 2; normal 0; blastic 0.
STABLE = {"level": "T5", "pain": "occasional", "bone_lesion": "blastic", "alignment": "normal",
          "collapse": "none", "posterolateral": "none"}  # SINS 2
SINS_6 = {"level": "T5", "pain": "occasional", "bone_lesion": "lytic", "alignment": "normal",
          "collapse": "none_over_50_involved", "posterolateral": "unilateral"}  # 1+1+2+0+1+1
SINS_7 = {**SINS_6, "collapse": "under_50"}  # 1+1+2+0+2+1
# T12 junctional 3; occasional 1; lytic 2; subluxation 4; collapse > 50 % 3 = 13; < 50 % = 12.
SINS_13 = {"level": "T12", "pain": "occasional", "bone_lesion": "lytic",
           "alignment": "subluxation", "collapse": "over_50", "posterolateral": "none"}
SINS_12 = {**SINS_13, "collapse": "under_50"}
NEURO = {"spinal_pain": True, "pain_sites": ["thoracic"], "pain_features": [],
         "neuro_features": ["limb_weakness"], "general_features": []}
NO_NEURO = {**NEURO, "neuro_features": []}
FIT = {"ecog": 1, "ambulatory": "independent", "fit_for_surgery": True,
       "fit_for_any_treatment": True, "life_expectancy_months": 24}


def lesion(escc: str | None = "1a", base: dict[str, Any] | None = None, **changes: Any) -> dict:
    out = {**(base or STABLE), **changes}
    if escc is not None:
        out["escc"] = escc
    return out


def case(site: str = "breast", lesions: list[dict] | None = None, neuro: bool = True,
         status: dict[str, Any] | None = None, cancer: dict[str, Any] | None = None,
         presentation: dict[str, Any] | None = None, **parts: Any) -> dict[str, Any]:
    """A metastatic case: current cancer at `site`, fit unless told otherwise."""
    cancer_part = {"history": "current", "primary_site": site, **(cancer or {})}
    if site in ("myeloma", "lymphoma"):
        cancer_part.setdefault("haematological", "confirmed")
    return run(cancer=cancer_part,
               presentation=presentation or (NEURO if neuro else NO_NEURO),
               status={**FIT, **(status or {})},
               lesions=lesions if lesions is not None else [lesion()], **parts)


def conflicts(a: dict[str, Any]) -> set[str]:
    return {c["id"] for c in a["plan"]["conflicts"]}


def plan_role(a: dict[str, Any], option_id: str) -> str | None:
    entry = next((o for o in a["plan"]["options"] if o["id"] == option_id), None)
    return entry["role"] if entry else None


def assert_no_surgery(a: dict[str, Any], ids: tuple[str, ...] = SURGICAL) -> None:
    for oid in ids:
        for entry in a["plan"]["options"]:
            if entry["id"] == oid:
                assert entry["role"] == "not_recommended", entry
                assert entry["rationale"], entry


def test_the_sins_fixtures_score_what_their_names_say():
    expected = {2: STABLE, 6: SINS_6, 7: SINS_7, 12: SINS_12, 13: SINS_13}
    for total, les in expected.items():
        a = case(lesions=[lesion(base=les)])
        assert a["scores"]["sins"]["worst"]["total"] == total


# ------------------------------------------------------------ D-18: fitness gates


def test_unfit_for_any_treatment_gets_supportive_care_and_no_invasive_option():
    a = case(site="kidney", lesions=[lesion("3", base=SINS_13)],
             status={"fit_for_any_treatment": False},
             presentation={**NEURO, "pain_features": ["mechanical"]},
             disease={"pathological_fracture": True})
    assert plan_role(a, "best_supportive_care") == "recommended"
    assert plan_role(a, "palliative_care") == "recommended"
    assert plan_role(a, "cebrt") == "consider"
    assert "8 Gy" in option(a, "cebrt")["dose"]
    for oid in SURGICAL:
        assert plan_role(a, oid) == "not_recommended", oid
    assert_no_surgery(a, INVASIVE)
    assert plan_role(a, "sbrt") in (None, "not_recommended")


@pytest.mark.parametrize("status", [{"fit_for_surgery": False},
                                    {"life_expectancy_months": 2.9},
                                    {"life_expectancy_months": 0}],
                         ids=["unfit_for_surgery", "2.9_months", "0_months"])
def test_surgery_gate_makes_every_surgical_option_not_recommended(status):
    a = case(site="kidney", lesions=[lesion("3", base=SINS_13)], status=status)
    assert plan_role(a, "stabilisation") == "not_recommended"
    assert plan_role(a, "separation_surgery") == "not_recommended"
    assert_no_surgery(a)


@pytest.mark.parametrize("site", RADIOSENSITIVE_SOLID)
def test_surgery_gate_removes_the_patchell_discussion_for_radiosensitive_tumours(site):
    a = case(site=site, lesions=[lesion("3")], status={"fit_for_surgery": False})
    assert_no_surgery(a)
    assert plan_role(a, "cebrt") == "recommended"


def test_life_expectancy_of_3_months_passes_the_surgery_gate():
    a = case(site="kidney", lesions=[lesion("3", base=SINS_13)],
             status={"life_expectancy_months": 3})
    assert plan_role(a, "stabilisation") == "recommended"
    assert plan_role(a, "separation_surgery") == "recommended"


def test_surgery_gate_with_a_radioresistant_high_grade_tumour_falls_back_to_cebrt():
    a = case(site="kidney", lesions=[lesion("3")], status={"life_expectancy_months": 2.9})
    assert plan_role(a, "cebrt") == "recommended"


# ------------------------------------------------------------ D-19: mechanical (SINS)


def test_sins_13_is_unstable_stabilisation_and_surgical_consultation():
    a = case(site="kidney", lesions=[lesion("1a", base=SINS_13)])
    assert plan_role(a, "stabilisation") == "recommended"
    assert plan_role(a, "surgical_consultation") == "recommended"


def test_sins_12_gets_a_surgical_consultation_but_no_stabilisation():
    a = case(site="kidney", lesions=[lesion("1a", base=SINS_12)])
    assert plan_role(a, "surgical_consultation") == "recommended"
    assert plan_role(a, "stabilisation") in (None, "not_recommended")


def test_sins_7_gets_a_surgical_consultation():
    a = case(site="breast", lesions=[lesion("1a", base=SINS_7)])
    assert plan_role(a, "surgical_consultation") == "recommended"
    assert plan_role(a, "stabilisation") in (None, "not_recommended")


def test_sins_6_is_stable_and_gets_no_surgical_consultation():
    a = case(site="breast", lesions=[lesion("1a", base=SINS_6)])
    assert plan_role(a, "surgical_consultation") in (None, "not_recommended")
    assert plan_role(a, "stabilisation") in (None, "not_recommended")


def test_the_worst_lesion_decides_the_mechanical_step():
    a = case(site="breast", lesions=[lesion("1a", base=STABLE),
                                     lesion("1a", base=SINS_13, level="L1")])
    assert plan_role(a, "stabilisation") == "recommended"


def mechanical_fracture(base: dict[str, Any], fracture: bool) -> dict[str, Any]:
    return case(site="breast", neuro=False,
                presentation={**NO_NEURO, "pain_features": ["mechanical"]},
                lesions=[lesion("1a", base=base)], disease={"pathological_fracture": fracture})


@pytest.mark.parametrize("base", [STABLE, SINS_7, SINS_12], ids=["sins_2", "sins_7", "sins_12"])
def test_mechanical_pain_with_a_pathological_fracture_considers_cement(base):
    assert plan_role(mechanical_fracture(base, True), "cement_augmentation") == "consider"


def test_mechanical_pain_with_a_fracture_and_an_unstable_spine_is_stabilised_not_cemented():
    a = mechanical_fracture(SINS_13, True)
    assert plan_role(a, "stabilisation") == "recommended"
    assert plan_role(a, "cement_augmentation") != "consider"


def test_no_cement_without_a_fracture():
    a = case(site="breast", neuro=False, presentation={**NO_NEURO, "pain_features": []},
             lesions=[lesion("1a", base=STABLE)], disease={"pathological_fracture": False})
    assert plan_role(a, "cement_augmentation") in (None, "not_recommended")


# ------------------------------------------------------------ D-20: radiosensitive


@pytest.mark.parametrize("escc", ["0", "1a", "1b", "1c", "2", "3"])
@pytest.mark.parametrize("site", RADIOSENSITIVE)
def test_radiosensitive_tumour_gets_conventional_radiotherapy_at_every_escc_grade(site, escc):
    a = case(site=site, lesions=[lesion(escc)])
    assert plan_role(a, "cebrt") == "recommended"


@pytest.mark.parametrize("escc", HIGH)
@pytest.mark.parametrize("site", CHEMOSENSITIVE)
def test_chemosensitive_high_grade_compression_is_not_operated_on(site, escc):
    a = case(site=site, lesions=[lesion(escc)])
    sep = option(a, "separation_surgery")
    assert sep is not None and sep["role"] == "not_recommended"
    assert "MDT-006" in sep["rules"]
    assert plan_role(a, "decompression") in (None, "not_recommended")
    assert plan_role(a, "systemic_therapy") == "recommended"


@pytest.mark.parametrize("site", CHEMOSENSITIVE)
def test_chemosensitive_tumour_in_a_stable_spine_gets_systemic_therapy(site):
    a = case(site=site, lesions=[lesion("1a")], neuro=False)
    assert plan_role(a, "systemic_therapy") == "recommended"


def test_myeloma_with_an_unstable_spine_is_still_stabilised():
    a = case(site="myeloma", lesions=[lesion("3", base=SINS_13)])
    assert plan_role(a, "stabilisation") == "recommended"
    assert plan_role(a, "separation_surgery") == "not_recommended"


@pytest.mark.parametrize("site", RADIOSENSITIVE_SOLID)
def test_radiosensitive_solid_tumour_with_escc_3_neurology_one_area_and_fit_is_discussed(site):
    a = case(site=site, lesions=[lesion("3")])
    surgery = {plan_role(a, "separation_surgery"), plan_role(a, "decompression")}
    assert "discuss" in surgery
    assert "C-11" in conflicts(a)
    assert plan_role(a, "cebrt") == "recommended"


@pytest.mark.parametrize("site", RADIOSENSITIVE_SOLID)
def test_radiosensitive_solid_tumour_with_high_grade_compression_but_no_neurology_is_irradiated(
        site):
    a = case(site=site, lesions=[lesion("3")], neuro=False)
    assert plan_role(a, "separation_surgery") in (None, "not_recommended")
    assert plan_role(a, "decompression") in (None, "not_recommended")
    assert "C-11" not in conflicts(a)


@pytest.mark.parametrize("escc", LOW)
def test_radiosensitive_solid_tumour_with_low_grade_compression_is_not_operated_on(escc):
    a = case(site="breast", lesions=[lesion(escc)])
    assert plan_role(a, "separation_surgery") in (None, "not_recommended")
    assert "C-11" not in conflicts(a)


# ------------------------------------------------------------ D-20: radioresistant


@pytest.mark.parametrize("ecog", [0, 1, 2])
@pytest.mark.parametrize("escc", LOW)
def test_radioresistant_low_grade_good_performance_stable_spine_gets_sbrt(escc, ecog):
    a = case(site="kidney", lesions=[lesion(escc)], neuro=False, status={"ecog": ecog})
    sbrt = option(a, "sbrt")
    assert sbrt is not None and sbrt["role"] == "recommended"
    assert "24 Gy in 2" in sbrt["dose"]


@pytest.mark.parametrize("site", RADIORESISTANT)
def test_every_radioresistant_site_with_low_grade_escc_gets_sbrt(site):
    a = case(site=site, lesions=[lesion("1b", base=SINS_6)], neuro=False)
    assert plan_role(a, "sbrt") == "recommended"


def test_kps_60_counts_as_good_performance_for_sbrt():
    a = run(cancer={"history": "current", "primary_site": "kidney"}, presentation=NO_NEURO,
            status={"kps": 60, "fit_for_surgery": True, "life_expectancy_months": 24},
            lesions=[lesion("1a")])
    assert plan_role(a, "sbrt") == "recommended"


def test_kps_50_is_too_low_for_sbrt():
    a = run(cancer={"history": "current", "primary_site": "kidney"}, presentation=NO_NEURO,
            status={"kps": 50, "fit_for_surgery": True, "life_expectancy_months": 24},
            lesions=[lesion("1a")])
    assert plan_role(a, "sbrt") != "recommended"
    assert plan_role(a, "cebrt") == "recommended"


@pytest.mark.parametrize(("ecog", "kps"), [(2, 50), (3, 60), (3, 70), (1, 40), (2, 40)])
def test_ecog_and_kps_that_disagree_about_sbrt_leave_it_to_the_board(ecog, kps):
    # Table A maps KPS 50 to ECOG 2, so both can be recorded for one person; neither scale
    # may silently decide (D-20, scores.md §8.3).
    a = run(cancer={"history": "current", "primary_site": "kidney"}, presentation=NO_NEURO,
            status={"ecog": ecog, "kps": kps, "fit_for_surgery": True,
                    "life_expectancy_months": 24},
            lesions=[lesion("1a")])
    sbrt = option(a, "sbrt")
    assert sbrt is not None and sbrt["role"] == "consider"
    assert f"ECOG {ecog} and KPS {kps} disagree" in sbrt["rationale"]
    assert plan_role(a, "cebrt") == "consider"
    assert "status.ecog" not in a["missing_inputs"]


@pytest.mark.parametrize(("ecog", "kps", "role"), [(2, 60, "recommended"), (0, 100, "recommended"),
                                                   (3, 50, "not_recommended"),
                                                   (4, 30, "not_recommended")])
def test_ecog_and_kps_that_agree_decide_sbrt(ecog, kps, role):
    a = run(cancer={"history": "current", "primary_site": "kidney"}, presentation=NO_NEURO,
            status={"ecog": ecog, "kps": kps, "fit_for_surgery": True,
                    "life_expectancy_months": 24},
            lesions=[lesion("1a")])
    assert plan_role(a, "sbrt") == role


@pytest.mark.parametrize("ecog", [3, 4])
def test_radioresistant_low_grade_with_ecog_3_or_more_gets_cebrt(ecog):
    a = case(site="kidney", lesions=[lesion("1a")], neuro=False, status={"ecog": ecog})
    assert plan_role(a, "cebrt") == "recommended"
    assert plan_role(a, "sbrt") != "recommended"


def test_radioresistant_low_grade_with_sins_13_is_stabilised_before_sbrt():
    a = case(site="kidney", lesions=[lesion("1a", base=SINS_13)], neuro=False)
    assert plan_role(a, "stabilisation") == "recommended"
    assert plan_role(a, "sbrt") == "recommended"


def test_radioresistant_low_grade_with_sins_13_and_no_stabilisation_gets_cebrt():
    a = case(site="kidney", lesions=[lesion("1a", base=SINS_13)], neuro=False,
             status={"fit_for_surgery": False})
    assert plan_role(a, "sbrt") != "recommended"
    assert plan_role(a, "cebrt") == "recommended"


@pytest.mark.parametrize("escc", HIGH)
@pytest.mark.parametrize("site", ["kidney", "lung_nsclc", "melanoma", "colon"])
def test_radioresistant_high_grade_fit_gets_separation_surgery_then_sbrt(site, escc):
    a = case(site=site, lesions=[lesion(escc)])
    assert plan_role(a, "separation_surgery") == "recommended"
    sbrt = option(a, "sbrt")
    assert sbrt["role"] == "recommended"
    assert sbrt.get("after") == "separation_surgery"


@pytest.mark.parametrize("escc", HIGH)
def test_radioresistant_high_grade_unfit_gets_cebrt(escc):
    a = case(site="kidney", lesions=[lesion(escc)], status={"fit_for_surgery": False})
    assert plan_role(a, "cebrt") == "recommended"
    assert plan_role(a, "separation_surgery") == "not_recommended"


def test_radioresistant_escc_1c_is_discussed_sbrt_or_separation_surgery():
    a = case(site="kidney", lesions=[lesion("1c")])
    assert plan_role(a, "sbrt") == "discuss"
    assert plan_role(a, "separation_surgery") == "discuss"


# ------------------------------------------------------------ D-21: Patchell limits


def test_non_ambulatory_for_49_hours_makes_separation_surgery_a_discussion():
    a = case(site="kidney", lesions=[lesion("3")],
             status={"ambulatory": "non_ambulatory", "non_ambulatory_hours": 49})
    assert plan_role(a, "separation_surgery") == "discuss"
    assert "C-05" in conflicts(a)


def test_non_ambulatory_for_48_hours_is_inside_the_patchell_limit():
    a = case(site="kidney", lesions=[lesion("3")],
             status={"ambulatory": "non_ambulatory", "non_ambulatory_hours": 48})
    assert plan_role(a, "separation_surgery") == "recommended"
    assert "C-05" not in conflicts(a)


def test_two_separate_areas_of_compression_make_separation_surgery_a_discussion():
    a = case(site="kidney", lesions=[lesion("3", level="T4"), lesion("2", level="L2")])
    assert plan_role(a, "separation_surgery") == "discuss"
    assert "C-05" in conflicts(a)


def test_contiguous_levels_of_compression_are_one_area():
    a = case(site="kidney", lesions=[lesion("3", level="T4"), lesion("2", level="T5")])
    assert plan_role(a, "separation_surgery") == "recommended"
    assert "C-05" not in conflicts(a)


def test_one_lesion_spanning_levels_is_one_area():
    a = case(site="kidney", lesions=[lesion("3", level="T4", extends_to="T6")])
    assert plan_role(a, "separation_surgery") == "recommended"


# ------------------------------------------------------------ D-10: radiosensitivity unknown


@pytest.mark.parametrize("site", ["kidney", "breast", "uterus"])
def test_intermediate_radiosensitivity_override_makes_the_radiotherapy_choice_a_discussion(site):
    a = case(site=site, lesions=[lesion("1a")], cancer={"radiosensitivity": "intermediate"})
    assert plan_role(a, "cebrt") == "discuss"
    assert plan_role(a, "sbrt") == "discuss"


def test_resistant_override_wins_over_the_site_table():
    a = case(site="breast", lesions=[lesion("1a")], neuro=False,
             cancer={"radiosensitivity": "resistant"})
    assert plan_role(a, "sbrt") == "recommended"


def test_sensitive_override_wins_over_the_site_table():
    a = case(site="kidney", lesions=[lesion("1a")], neuro=False,
             cancer={"radiosensitivity": "sensitive"})
    assert plan_role(a, "cebrt") == "recommended"
    assert plan_role(a, "sbrt") != "recommended"


@pytest.mark.parametrize("site", UNCLASSIFIED)
def test_unclassified_site_discusses_radiotherapy_and_asks_for_radiosensitivity(site):
    a = case(site=site, lesions=[lesion("1a")])
    assert plan_role(a, "cebrt") == "discuss"
    assert plan_role(a, "sbrt") == "discuss"
    assert "cancer.radiosensitivity" in a["missing_inputs"]


@pytest.mark.parametrize("site", UNCLASSIFIED)
def test_classified_override_on_an_unclassified_site_is_not_asked_again(site):
    a = case(site=site, lesions=[lesion("1a")], cancer={"radiosensitivity": "resistant"})
    assert "cancer.radiosensitivity" not in a["missing_inputs"]


# ------------------------------------------------------------ D-23: cEBRT dose


def cebrt_dose(life: float, ecog: int) -> str:
    a = case(site="breast", lesions=[lesion("1a")],
             status={"life_expectancy_months": life, "ecog": ecog})
    assert plan_role(a, "cebrt") == "recommended"
    return option(a, "cebrt")["dose"]


def short(dose: str) -> bool:
    return "8 Gy in 1" in dose and "30 Gy" not in dose


def long(dose: str) -> bool:
    return "30 Gy in 10" in dose and "8 Gy in 1" not in dose


def test_life_expectancy_under_12_months_gets_8_gy_single_fraction():
    assert short(cebrt_dose(11.9, 1))


def test_life_expectancy_of_12_months_with_ecog_1_gets_30_gy_in_10():
    assert long(cebrt_dose(12, 1))


def test_ecog_2_gets_8_gy_single_fraction_even_with_a_long_life_expectancy():
    assert short(cebrt_dose(24, 2))


def test_ecog_0_and_two_years_gets_30_gy_in_10():
    assert long(cebrt_dose(24, 0))


def test_kps_80_and_two_years_gets_30_gy_in_10():
    a = run(cancer={"history": "current", "primary_site": "breast"}, presentation=NEURO,
            status={"kps": 80, "life_expectancy_months": 24, "fit_for_surgery": True},
            lesions=[lesion("1a")])
    assert long(option(a, "cebrt")["dose"])


def test_the_dose_never_presents_single_fraction_radiosurgery_as_better():
    a = case(site="kidney", lesions=[lesion("1a")], neuro=False)
    dose = option(a, "sbrt")["dose"]
    assert "24 Gy in 2" in dose
    assert "16–18 Gy in 1 fraction is not better" in dose or "16" not in dose


# ------------------------------------------------------------ D-22 / D-24: always


@pytest.mark.parametrize("site", ["breast", "kidney", "myeloma", "uterus", "unknown"])
def test_any_spinal_lesion_goes_to_the_tumour_board(site):
    a = case(site=site, lesions=[lesion("1a")], neuro=False)
    assert plan_role(a, "mdt_review") == "recommended"


def test_a_primary_spinal_tumour_goes_to_the_tumour_board():
    a = run(cancer={"history": "none"}, primary_tumour={"grade": "low"},
            lesions=[{"level": "L2", "escc": "0"}])
    assert plan_role(a, "mdt_review") == "recommended"


@pytest.mark.parametrize(("escc", "neuro"), [("1a", True), ("2", False), ("3", True)],
                         ids=["neurology", "escc_2", "escc_3_and_neurology"])
def test_mscc_gets_palliative_care_and_rehabilitation(escc, neuro):
    a = case(site="breast", lesions=[lesion(escc)], neuro=neuro)
    assert plan_role(a, "palliative_care") == "recommended"
    assert plan_role(a, "rehabilitation") == "consider"
    assert "PAL-001" in option(a, "palliative_care")["rules"]


def test_neurology_without_a_lesion_yet_is_mscc_for_palliative_care():
    a = run(cancer={"history": "current", "primary_site": "breast"}, presentation=NEURO)
    assert plan_role(a, "palliative_care") == "recommended"
    assert plan_role(a, "rehabilitation") == "consider"


def test_sbrt_offered_brings_a_clinical_trial_question():
    a = case(site="kidney", lesions=[lesion("1a")], neuro=False)
    assert plan_role(a, "sbrt") == "recommended"
    assert plan_role(a, "clinical_trial") == "consider"


def test_systemic_therapy_offered_brings_a_clinical_trial_question():
    a = case(site="myeloma", lesions=[lesion("1a")], neuro=False)
    assert plan_role(a, "systemic_therapy") == "recommended"
    assert plan_role(a, "clinical_trial") == "consider"


def test_sbrt_under_discussion_brings_a_clinical_trial_question():
    a = case(site="kidney", lesions=[lesion("1c")])
    assert plan_role(a, "sbrt") == "discuss"
    assert plan_role(a, "clinical_trial") == "consider"


# ------------------------------------------------------------ D-26: primary bone tumours


def test_latent_benign_tumour_enneking_1_is_watched_with_mri():
    a = run(cancer={"history": "none"}, presentation=NO_NEURO,
            primary_tumour={"grade": "benign", "benign_behaviour": "latent"},
            lesions=[{"level": "L2", "escc": "0"}])
    assert a["scores"]["enneking"]["stage"] == "1"
    assert plan_role(a, "mri_monitoring") == "recommended"
    assert plan_role(a, "en_bloc_resection") in (None, "not_recommended")


def test_enneking_ia_with_wbb_sectors_5_to_8_considers_en_bloc_resection():
    a = run(cancer={"history": "none"}, presentation=NO_NEURO,
            primary_tumour={"grade": "low", "extent": "intracompartmental", "metastasis": False},
            lesions=[{"level": "L2", "escc": "0", "wbb_sectors": [5, 6, 7, 8],
                      "wbb_layers": ["B", "C"]}])
    assert a["scores"]["enneking"]["stage"] == "IA"
    assert plan_role(a, "en_bloc_resection") == "consider"
    assert role(a, "sarcoma_centre_referral") == "recommended"


@pytest.mark.parametrize(("grade", "extent", "stage"), [
    ("low", "extracompartmental", "IB"), ("high", "intracompartmental", "IIA"),
    ("high", "extracompartmental", "IIB")])
def test_enneking_ib_to_iib_with_suitable_sectors_consider_en_bloc_resection(grade, extent,
                                                                             stage):
    a = run(cancer={"history": "none"}, presentation=NO_NEURO,
            primary_tumour={"grade": grade, "extent": extent, "metastasis": False},
            lesions=[{"level": "L2", "escc": "0", "wbb_sectors": [5, 6, 7, 8]}])
    assert a["scores"]["enneking"]["stage"] == stage
    assert plan_role(a, "en_bloc_resection") == "consider"


def test_enneking_iii_is_not_offered_en_bloc_resection():
    a = run(cancer={"history": "none"}, presentation=NO_NEURO,
            primary_tumour={"grade": "high", "extent": "intracompartmental", "metastasis": True},
            lesions=[{"level": "L2", "escc": "0", "wbb_sectors": [5, 6, 7, 8]}])
    assert a["scores"]["enneking"]["stage"] == "III"
    assert plan_role(a, "en_bloc_resection") in (None, "not_recommended", "discuss")


# ------------------------------------------------------------ shape


def test_every_not_recommended_option_says_why():
    a = case(site="kidney", lesions=[lesion("3", base=SINS_13)],
             status={"fit_for_any_treatment": False})
    for entry in a["plan"]["options"]:
        if entry["role"] == "not_recommended":
            assert entry["rationale"], entry
            assert entry["rules"], entry
