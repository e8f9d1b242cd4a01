"""Red-flag triage: level, pathway, clocks and first actions.

Expectations come from decisions.md D-11 to D-15 (the product defaults), pathway.md §1.2 (TRI-001
to TRI-007), §1.3 (IMG-003) and §2, and the identifiers of assessment-format.md.
"""

from __future__ import annotations

from typing import Any, get_args

import pytest
from casekit import option, role, run

from oncospine.vocab import NeuroFeature

NEURO_FEATURES: tuple[str, ...] = get_args(NeuroFeature)
CAUDA_EQUINA = ("saddle_anaesthesia", "bladder_dysfunction", "bowel_dysfunction",
                "sexual_dysfunction", "bilateral_radicular")
CORD_ONLY = tuple(f for f in NEURO_FEATURES if f not in CAUDA_EQUINA)
LEVEL_RANK = {"emergency": 0, "urgent": 1, "soon": 2, "routine": 3}

ASSESSED = "2026-11-20T09:30:00+00:00"


def quiet(**presentation: Any) -> dict[str, Any]:
    """A presentation with spinal pain and every red flag recorded as absent."""
    base: dict[str, Any] = {"spinal_pain": True, "pain_sites": ["lumbar"], "pain_features": [],
                            "pain_weeks": 1, "neuro_features": [], "general_features": []}
    base.update(presentation)
    return base


def no_cancer(age: int = 40, history: str | None = "none", **presentation: Any) -> dict:
    cancer = {} if history is None else {"history": history}
    return run(patient={"age_years": age}, cancer=cancer, presentation=quiet(**presentation))


def test_the_neurological_feature_list_has_twelve_entries():
    assert len(NEURO_FEATURES) == 12
    assert set(CAUDA_EQUINA) <= set(NEURO_FEATURES)


# ------------------------------------------------------------ D-12: neurology is an emergency


@pytest.mark.parametrize("history", ["past", "current"])
@pytest.mark.parametrize("feature", NEURO_FEATURES)
def test_cancer_history_with_any_neurological_feature_is_an_mscc_emergency(history, feature):
    a = run(cancer={"history": history, "primary_site": "breast"},
            presentation=quiet(neuro_features=[feature]))
    t = a["triage"]
    assert (t["level"], t["pathway"]) == ("emergency", "mscc")
    assert t["coordinator_contact_within_hours"] == 0
    assert t["mri_within_hours"] == 24
    assert role(a, "contact_mscc_coordinator") == "recommended"
    assert option(a, "contact_mscc_coordinator")["within_hours"] == 0
    assert role(a, "mri_whole_spine") == "recommended"
    assert option(a, "mri_whole_spine")["within_hours"] == 24
    assert "TRI-001" in {r["rule"] for r in t["reasons"]}
    reason = next(r["text"] for r in t["reasons"] if r["rule"] == "TRI-001")
    assert f"({feature.replace('_', ' ')})" in reason  # words a reader knows, not codes


@pytest.mark.parametrize("feature", NEURO_FEATURES)
def test_suspected_cancer_with_any_neurological_feature_is_an_mscc_emergency(feature):
    a = run(cancer={"history": "suspected"}, presentation=quiet(neuro_features=[feature]))
    assert (a["triage"]["level"], a["triage"]["pathway"]) == ("emergency", "mscc")
    assert a["triage"]["mri_within_hours"] == 24


@pytest.mark.parametrize("feature", CAUDA_EQUINA)
def test_no_cancer_with_a_cauda_equina_feature_is_a_cauda_equina_emergency(feature):
    a = no_cancer(neuro_features=[feature])
    assert (a["triage"]["level"], a["triage"]["pathway"]) == ("emergency", "cauda_equina")
    assert role(a, "contact_mscc_coordinator") is None


@pytest.mark.parametrize("feature", CORD_ONLY)
def test_no_cancer_with_other_neurological_features_is_a_cord_compression_emergency(feature):
    a = no_cancer(neuro_features=[feature])
    assert (a["triage"]["level"], a["triage"]["pathway"]) == ("emergency", "cord_compression")
    assert "TRI-007" in {r["rule"] for r in a["triage"]["reasons"]}


def test_cauda_equina_features_win_over_cord_features_without_cancer():
    a = no_cancer(neuro_features=["limb_weakness", "saddle_anaesthesia"])
    assert a["triage"]["pathway"] == "cauda_equina"


@pytest.mark.parametrize("history", ["unknown", None])
@pytest.mark.parametrize("feature", ["limb_weakness", "saddle_anaesthesia", "lhermitte"])
def test_unknown_cancer_history_with_neurology_is_an_emergency(history, feature):
    a = no_cancer(history=history, neuro_features=[feature])
    assert a["triage"]["level"] == "emergency"
    assert "cancer.history" in a["missing_inputs"]


# ------------------------------------------------------------ D-11 / D-15: cancer dominates


@pytest.mark.parametrize("history", ["past", "current"])
def test_cancer_history_with_spinal_pain_and_no_neurology_is_urgent_mscc(history):
    a = run(cancer={"history": history, "primary_site": "prostate"}, presentation=quiet())
    t = a["triage"]
    assert (t["level"], t["pathway"]) == ("urgent", "mscc")
    assert t["coordinator_contact_within_hours"] == 24
    assert t["mri_within_hours"] == 168
    assert option(a, "contact_mscc_coordinator")["within_hours"] == 24
    assert option(a, "mri_whole_spine")["within_hours"] == 168
    assert "TRI-002" in {r["rule"] for r in t["reasons"]}


@pytest.mark.parametrize("history", ["past", "current"])
def test_cancer_history_dominates_reassuring_features(history):
    """Young, short pain, no red flags: a cancer history alone puts pain on the MSCC route."""
    a = run(patient={"age_years": 30}, cancer={"history": history}, presentation=quiet())
    assert a["triage"]["level"] == "urgent"
    assert a["triage"]["pathway"] == "mscc"


def test_suspected_cancer_with_pain_and_no_neurology_is_soon_suspected_cancer():
    a = run(cancer={"history": "suspected"}, presentation=quiet())
    assert (a["triage"]["level"], a["triage"]["pathway"]) == ("soon", "suspected_cancer")
    assert "TRI-006" in {r["rule"] for r in a["triage"]["reasons"]}


# ------------------------------------------------------------ D-14: red flags without cancer


def test_no_cancer_and_no_red_flag_is_routine_back_pain_with_safety_net_advice():
    a = no_cancer()
    assert (a["triage"]["level"], a["triage"]["pathway"]) == ("routine", "back_pain")
    assert role(a, "safety_net_advice") == "recommended"
    assert a["triage"]["mri_within_hours"] is None
    assert a["triage"]["coordinator_contact_within_hours"] is None


def test_age_50_with_new_pain_is_a_cancer_red_flag():
    a = no_cancer(age=50)
    assert (a["triage"]["level"], a["triage"]["pathway"]) == ("soon", "suspected_cancer")
    assert {r["text"] for r in a["triage"]["reasons"]} >= {
        "red flags: age 50 or over with new pain"}


def test_age_49_with_new_pain_is_not_a_red_flag():
    a = no_cancer(age=49)
    assert (a["triage"]["level"], a["triage"]["pathway"]) == ("routine", "back_pain")


def test_pain_for_4_weeks_is_a_cancer_red_flag():
    a = no_cancer(pain_weeks=4)
    assert (a["triage"]["level"], a["triage"]["pathway"]) == ("soon", "suspected_cancer")


def test_pain_for_3_point_9_weeks_is_not_a_red_flag():
    a = no_cancer(pain_weeks=3.9)
    assert (a["triage"]["level"], a["triage"]["pathway"]) == ("routine", "back_pain")


@pytest.mark.parametrize("flag", ["weight_loss", "structural_deformity", "multiple_pain_sites"])
def test_general_cancer_red_flag_is_soon_suspected_cancer(flag):
    a = no_cancer(general_features=[flag])
    assert (a["triage"]["level"], a["triage"]["pathway"]) == ("soon", "suspected_cancer")
    assert "RF-CAN-001" in {r["rule"] for r in a["triage"]["reasons"]}


def test_night_pain_is_a_cancer_red_flag():
    a = no_cancer(pain_features=["night_pain"])
    assert (a["triage"]["level"], a["triage"]["pathway"]) == ("soon", "suspected_cancer")


def test_pain_at_two_sites_is_a_cancer_red_flag():
    a = no_cancer(pain_sites=["thoracic", "lumbar"])
    assert (a["triage"]["level"], a["triage"]["pathway"]) == ("soon", "suspected_cancer")


@pytest.mark.parametrize("flag", ["fever", "immunosuppression", "iv_drug_use"])
def test_infection_red_flag_is_soon_infection(flag):
    a = no_cancer(general_features=[flag])
    assert (a["triage"]["level"], a["triage"]["pathway"]) == ("soon", "infection")
    assert "RF-INF-001" in {r["rule"] for r in a["triage"]["reasons"]}


def test_trauma_is_soon_fracture():
    a = no_cancer(general_features=["trauma"])
    assert (a["triage"]["level"], a["triage"]["pathway"]) == ("soon", "fracture")
    assert "RF-FRX-001" in {r["rule"] for r in a["triage"]["reasons"]}


def test_red_flags_of_several_kinds_stay_soon_and_give_every_reason():
    a = no_cancer(general_features=["weight_loss", "fever", "trauma"])
    assert a["triage"]["level"] == "soon"
    rules = {r["rule"] for r in a["triage"]["reasons"]}
    assert {"RF-CAN-001", "RF-INF-001", "RF-FRX-001"} <= rules


# ------------------------------------------------------------ D-13: unknown never lowers


SCENARIOS = {
    "quiet": {},
    "weight_loss": {"general_features": ["weight_loss"]},
    "fever": {"general_features": ["fever"]},
    "trauma": {"general_features": ["trauma"]},
    "long_pain": {"pain_weeks": 6},
    "night_pain": {"pain_features": ["night_pain"]},
}


@pytest.mark.parametrize("history", ["unknown", None])
@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_unknown_cancer_history_is_never_lower_than_no_cancer(history, scenario):
    known = no_cancer(**SCENARIOS[scenario])
    unknown = no_cancer(history=history, **SCENARIOS[scenario])
    assert LEVEL_RANK[unknown["triage"]["level"]] <= LEVEL_RANK[known["triage"]["level"]]
    assert "cancer.history" in unknown["missing_inputs"]


def test_unknown_cancer_history_says_a_cancer_history_would_raise_the_urgency():
    a = no_cancer(history="unknown")
    assert "TRI-006b" in {r["rule"] for r in a["triage"]["reasons"]}


def test_known_cancer_history_is_not_asked_for():
    a = run(cancer={"history": "none"}, patient={"age_years": 30}, presentation=quiet())
    assert "cancer.history" not in a["missing_inputs"]


def test_unrecorded_neurology_is_asked_for():
    presentation = quiet()
    del presentation["neuro_features"]
    a = run(cancer={"history": "current"}, presentation=presentation)
    assert "presentation.neuro_features" in a["missing_inputs"]


def test_recorded_absence_of_neurology_is_not_asked_for():
    a = run(cancer={"history": "current"}, presentation=quiet())
    assert "presentation.neuro_features" not in a["missing_inputs"]


# ------------------------------------------------------------ IMG-003 / IMG-004


@pytest.mark.parametrize("neuro", [["limb_weakness"], []], ids=["emergency", "urgent"])
def test_mri_contraindicated_gives_ct_spine_instead_of_whole_spine_mri(neuro):
    a = run(cancer={"history": "current"}, presentation=quiet(neuro_features=neuro),
            status={"mri_contraindicated": True})
    actions = {o["id"] for o in a["triage"]["actions"]}
    assert "ct_spine" in actions
    assert "mri_whole_spine" not in actions
    assert option(a, "ct_spine")["role"] == "recommended"
    assert "IMG-003" in option(a, "ct_spine")["rules"]
    assert option(a, "ct_spine")["within_hours"] == a["triage"]["mri_within_hours"]
    assert all(o["id"] != "mri_whole_spine" or o["role"] == "not_recommended"
               for o in a["workup"])


def test_mri_not_contraindicated_keeps_whole_spine_mri():
    a = run(cancer={"history": "current"}, presentation=quiet(neuro_features=["paraesthesia"]),
            status={"mri_contraindicated": False})
    assert role(a, "mri_whole_spine") == "recommended"
    assert role(a, "ct_spine") is None


# ------------------------------------------------------------ clocks (D-15)


def clock(a: dict, name: str) -> dict:
    return next(c for c in a["triage"]["clocks"] if c["id"] == name)


def emergency_case(**events: str) -> dict:
    return run(cancer={"history": "current"}, presentation=quiet(neuro_features=["sensory_loss"]),
               events=events)


def urgent_case(**events: str) -> dict:
    return run(cancer={"history": "current"}, presentation=quiet(), events=events)


def test_emergency_clocks_start_at_presentation_with_0_and_24_hours():
    a = emergency_case(presentation="2026-11-20T07:30:00+00:00")
    coordinator, mri = clock(a, "coordinator_contact"), clock(a, "mri_done")
    assert coordinator["within_hours"] == 0 and mri["within_hours"] == 24
    assert coordinator["due"] == "2026-11-20T07:30:00+00:00"
    assert mri["due"] == "2026-11-21T07:30:00+00:00"
    assert coordinator["state"] == "overdue"
    assert mri["state"] == "running"
    assert mri["hours_left"] == pytest.approx(22)


def test_urgent_clocks_are_24_hours_and_one_week():
    a = urgent_case(presentation="2026-11-19T08:30:00+00:00")
    assert clock(a, "coordinator_contact")["within_hours"] == 24
    assert clock(a, "mri_done")["within_hours"] == 168
    assert clock(a, "coordinator_contact")["due"] == "2026-11-20T08:30:00+00:00"
    assert clock(a, "coordinator_contact")["state"] == "overdue"
    assert clock(a, "mri_done")["state"] == "running"
    assert clock(a, "mri_done")["hours_left"] == pytest.approx(143)


def test_a_deadline_that_falls_exactly_now_is_still_running():
    a = urgent_case(presentation="2026-11-19T09:30:00+00:00")
    assert clock(a, "coordinator_contact")["state"] == "running"
    assert clock(a, "coordinator_contact")["hours_left"] == 0


def test_mri_clock_overdue_after_one_week_without_mri():
    a = urgent_case(presentation="2026-11-12T09:30:00+00:00")
    assert clock(a, "mri_done")["state"] == "overdue"
    assert clock(a, "mri_done")["hours_left"] < 0


def test_mri_done_in_time_meets_the_clock():
    a = emergency_case(presentation="2026-11-19T12:00:00+00:00",
                       mri_done="2026-11-20T08:00:00+00:00")
    assert clock(a, "mri_done")["state"] == "met"
    assert clock(a, "mri_done")["done_at"] == "2026-11-20T08:00:00+00:00"


def test_mri_done_exactly_at_the_deadline_meets_the_clock():
    a = emergency_case(presentation="2026-11-19T08:00:00+00:00",
                       mri_done="2026-11-20T08:00:00+00:00")
    assert clock(a, "mri_done")["state"] == "met"


def test_mri_done_after_the_deadline_is_late():
    a = emergency_case(presentation="2026-11-18T08:00:00+00:00",
                       mri_done="2026-11-20T08:00:00+00:00")
    assert clock(a, "mri_done")["state"] == "late"


def test_coordinator_contact_after_24_hours_in_urgent_is_late():
    a = urgent_case(presentation="2026-11-18T08:00:00+00:00",
                    coordinator_contact="2026-11-19T09:00:00+00:00")
    assert clock(a, "coordinator_contact")["state"] == "late"


def test_coordinator_contact_within_24_hours_in_urgent_is_met():
    a = urgent_case(presentation="2026-11-18T08:00:00+00:00",
                    coordinator_contact="2026-11-18T20:00:00+00:00")
    assert clock(a, "coordinator_contact")["state"] == "met"


def test_routine_back_pain_has_no_clocks():
    assert no_cancer()["triage"]["clocks"] == []


# ------------------------------------------------------------ every reason is traceable


REASON_CASES = {
    "emergency_mscc": dict(cancer={"history": "current"},
                           presentation=quiet(neuro_features=["limb_weakness"])),
    "urgent_mscc": dict(cancer={"history": "past"}, presentation=quiet()),
    "cauda_equina": dict(cancer={"history": "none"},
                         presentation=quiet(neuro_features=["saddle_anaesthesia"])),
    "cord": dict(cancer={"history": "none"}, presentation=quiet(neuro_features=["lhermitte"])),
    "suspected": dict(cancer={"history": "suspected"}, presentation=quiet()),
    "red_flags": dict(cancer={"history": "none"}, patient={"age_years": 70},
                      presentation=quiet(general_features=["weight_loss", "fever", "trauma"])),
    "routine": dict(cancer={"history": "none"}, patient={"age_years": 30}, presentation=quiet()),
    "unknown_everything": {},
    "cancer_no_symptoms_recorded": dict(cancer={"history": "current"}),
}


def assert_traceable(item: dict, name: str) -> None:
    """Sources and an evidence tag; a design choice ([D]) is traced to its decision instead."""
    assert isinstance(item["sources"], list)
    assert item["evidence"], f"{name} has no evidence tag"
    if not item["sources"]:
        assert item["evidence"] == "D", f"{name} has no sources and is not a design choice"


@pytest.mark.parametrize("name", sorted(REASON_CASES))
def test_every_triage_reason_carries_rule_sources_and_evidence(name):
    a = run(**REASON_CASES[name])
    assert a["triage"]["reasons"], "a triage level is never given without a reason"
    for reason in a["triage"]["reasons"]:
        assert reason["rule"], reason
        assert reason["text"]
        assert_traceable(reason, reason["rule"])
        if not reason["sources"]:
            assert str(reason["decision"]).startswith("D-"), reason


@pytest.mark.parametrize("name", sorted(REASON_CASES))
def test_every_triage_action_carries_rules_sources_and_evidence(name):
    a = run(**REASON_CASES[name])
    for action in a["triage"]["actions"]:
        assert action["rules"], action
        assert_traceable(action, action["id"])


def test_the_ask_rules_are_catalogued_and_name_real_case_fields():
    from oncospine.case import Case
    from oncospine.knowledge import load
    from oncospine.pathway.triage import ASK_RULES

    rules = load("rules")["rules"]
    for rule, paths in ASK_RULES.items():
        assert rules[rule]["evidence"] == "D", rule
        for path in paths:
            section, name = path.split(".")
            assert name in Case.model_fields[section].annotation.model_fields, path
