"""The clinician report: triage first, spine, lesions, scores with ranges, plan, unknowns, sources.

Each test reads the rendered HTML (visible text, headings, tables) and checks one thing a
clinician relies on: the banner says the level in words with its clocks, every option keeps
its role, rationale, rules, evidence and sources, conflicts are shown in full, unknown inputs
say what they would change, and every cited source resolves to its catalogue title.

References: shared spec assessment-format.md; DESIGN.md principle 1.
"""

from __future__ import annotations

import re

import pytest
from test_report_common import example, headings, make_case, read, visible_text

from oncospine.assessment import assess
from oncospine.knowledge import load
from oncospine.reports import clinician_html
from oncospine.reports.clinician import cited_sources, clinician_context, option_row
from oncospine.reports.missing import missing_inputs


@pytest.fixture(scope="module")
def emergency() -> tuple[str, dict]:
    case, assessment = example("mscc-emergency")
    return clinician_html(case, assessment), assessment


@pytest.fixture(scope="module")
def first_contact() -> tuple[str, dict]:
    case, assessment = example("incomplete-first-contact")
    return clinician_html(case, assessment), assessment


def section(html: str, heading: str) -> str:
    """The visible text from one h2 up to the next h2."""
    for chunk in re.split(r"(?=<h2[ >])", html)[1:]:
        text = visible_text(chunk)
        if text.startswith(f"{heading}.\n"):
            return text
    raise KeyError(heading)


# ---------------------------------------------------------------- header and triage


def test_the_header_names_the_case_the_assessment_time_and_the_ruleset(emergency):
    html, assessment = emergency
    text = visible_text(html)
    assert "Clinician report: demo-mscc-emergency" in text
    assert "Assessed 20 Nov 2026, 09:30 (UTC+00:00)" in text
    assert f"Ruleset {assessment['ruleset']['version']}" in text
    assert assessment["ruleset"]["sha256"][:12] in text
    assert "age 64 · male · cancer history: current · primary: lung (non-small-cell)" in text


def test_the_triage_banner_comes_first_and_says_the_level_in_words(emergency):
    html, _ = emergency
    assert headings(html)[1] == (2, "Triage: EMERGENCY — act now")
    assert 'class="banner level-emergency"' in html
    banner = section(html, "Triage: EMERGENCY — act now")
    assert "MSCC coordinator: immediately" in banner
    assert "Whole-spine MRI: within 24 h" in banner
    assert "suspected MSCC, an oncological emergency (TRI-001; evidence V; S2, S7, S3)" in banner


def test_the_actions_carry_their_clock_rule_evidence_and_sources(emergency):
    html, _ = emergency
    text = visible_text(html)
    assert "Contact the MSCC coordinator.\nimmediately." in text
    assert "MRI of the whole spine (done).\nwithin 24 h." in text
    row = option_row({"id": "contact_mscc_coordinator", "role": "recommended",
                      "rules": ["TRI-001"], "rationale": "r", "within_hours": 0,
                      "evidence": "V", "sources": ["S2"]})
    assert (row["role_text"], row["when"], row["evidence"]) == ("✔ recommended", "immediately",
                                                                "V")


def test_each_clock_shows_its_due_time_and_a_late_clock_is_flagged(emergency):
    html, _ = emergency
    text = visible_text(html)
    assert "coordinator contact.\nimmediately.\n20 Nov 2026, 06:00 (UTC+00:00)." in text
    assert "LATE: done after the deadline" in text
    assert '<td class="alert">LATE: done after the deadline</td>' in html
    assert "mri done.\nwithin 24 h." in text and "met." in text


def test_a_running_clock_shows_the_hours_left(first_contact):
    html, _ = first_contact
    assert "running: 24 h left" in visible_text(html)
    assert "running: 168 h left" in visible_text(html)


def test_an_overdue_clock_is_flagged():
    case = make_case(cancer={"history": "current"},
                     presentation={"spinal_pain": True, "neuro_features": ["limb_weakness"]},
                     events={"presentation": "2026-11-18T09:30:00+00:00"})
    html = clinician_html(case, assess(case))
    assert '<td class="alert">OVERDUE: not done by the deadline</td>' in html


@pytest.mark.parametrize(("name", "level", "css"), [
    ("stable-breast", "URGENT — within 24 hours", "level-urgent"),
    ("chordoma-primary", "SOON — urgent assessment pathway", "level-soon"),
    ("cauda-equina", "EMERGENCY — act now", "level-emergency"),
])
def test_every_triage_level_has_its_words_and_its_own_banner_style(name, level, css):
    case, assessment = example(name)
    html = clinician_html(case, assessment)
    assert (2, f"Triage: {level}") in headings(html)
    assert f"banner {css}" in html


def test_a_routine_case_gets_the_routine_banner():
    case = make_case(cancer={"history": "none"}, patient={"age_years": 30},
                     presentation={"spinal_pain": True, "neuro_features": [],
                                   "pain_features": [], "general_features": []})
    html = clinician_html(case, assess(case))
    assert (2, "Triage: ROUTINE — usual care with safety net") in headings(html)
    assert "banner level-routine" in html


def test_a_cauda_equina_case_shows_its_local_target():
    case, assessment = example("cauda-equina")
    text = visible_text(clinician_html(case, assessment))
    assert "Local targets shown beside the clocks: ces request to scan within 4 h (RF-CES-002)" \
        in text


# ---------------------------------------------------------------- spine and lesions


def test_the_spine_diagram_is_inline_with_a_caption(emergency):
    html, _ = emergency
    assert re.search(r"<figure>\s*<svg ", html)
    assert "Every level from the occiput (C0) to the coccyx (Co)" in visible_text(html)


def test_the_lesion_table_gives_every_sins_component_and_the_escc(emergency):
    html, _ = emergency
    text = section(html, "Lesions: SINS and ESCC")
    assert "1.\nT10.\nextradural.\n1.\n3.\n2.\n0.\n2.\n1.\n9.\nindeterminate.\n3 (high)." in text
    assert "2.\nL3.\nextradural.\n2.\n0.\n2.\n0.\n0.\n0.\n4.\nstable.\n0 (low)." in text
    header = [label for label, _ in read(html).tables[2]]
    assert header[:4] == ["#", "Level", "Compartment", "location"]
    assert header[-3:] == ["SINS", "SINS band", "ESCC"]


def test_an_incomplete_lesion_shows_unknown_parts_and_its_range():
    case, assessment = example("unknown-primary")
    text = section(clinician_html(case, assessment), "Lesions: SINS and ESCC")
    assert "T8.\nnot recorded.\n1.\n?\n2.\n?\n?\n?\nunknown, 3–16.\nnot decided.\n1a (low)." \
        in text


def test_a_case_without_lesions_says_imaging_is_needed(first_contact):
    html, _ = first_contact
    assert "No lesion recorded. Imaging findings are needed for SINS and ESCC." in \
        visible_text(html)


def test_a_lesion_without_a_level_or_escc_says_so():
    case = make_case(lesions=[{"bone_lesion": "lytic"}])
    text = section(clinician_html(case, assess(case)), "Lesions: SINS and ESCC")
    assert "not recorded.\nnot recorded." in text
    assert "not graded." in text


def test_a_coccyx_lesion_is_shown_as_outside_sins():
    case = make_case(lesions=[{"level": "Co", "escc": "0"}])
    text = section(clinician_html(case, assess(case)), "Lesions: SINS and ESCC")
    assert "not applicable" in text
    assert "the coccyx is outside SINS (D-01)" in text


# ---------------------------------------------------------------- prognosis


def test_prognosis_gives_each_score_with_its_band_meaning_and_sources(emergency):
    html, _ = emergency
    text = section(html, "Prognosis")
    assert text.index("Scores describe groups of people") < text.index("Tomita")
    assert "Tokuhashi (revised 2005) headline\nhigher = better prognosis.\n5.\nunder 6 months." \
        in text
    assert "Predicted survival under 6 months; median 4 months in a validation cohort of 447" \
        in text
    assert "Median survival by primary (Lung): 2.0 months (95 % CI 1.6–2.4), n = 318 (23 %). " \
           "Cohort: 1,379 people" in text
    assert "1,852 people irradiated for MSCC (Rades 2007)" in text


def test_an_incomplete_score_shows_its_range_and_no_band(first_contact):
    html, _ = first_contact
    text = section(html, "Prognosis")
    assert "Tomita\nhigher = worse prognosis.\nunknown, 2–7.\nnot decided." in text
    assert "NESMS\nhigher = better prognosis.\nunknown, 0–3.\nnot decided." in text


def test_a_primary_tumour_shows_its_enneking_stage_and_wbb():
    case, assessment = example("chordoma-primary")
    text = section(clinician_html(case, assessment), "Prognosis")
    assert "Enneking stage IA." in text
    assert "WBB at L2: sectors 5, 6, 7, 8; layers B, C; en bloc feasible (vertebrectomy)." in text


def test_an_undecided_enneking_stage_lists_the_possible_stages():
    case = make_case(cancer={"history": "none"}, primary_tumour={"grade": "high"},
                     lesions=[{"level": "L2"}])
    text = visible_text(clinician_html(case, assess(case)))
    assert "Enneking stage not decided: possible IIA / IIB / III." in text


# ---------------------------------------------------------------- plan, notes, conflicts


def test_the_plan_groups_options_by_phase_with_roles_rationale_and_dose(emergency):
    html, assessment = emergency
    found = headings(html)
    assert [h for h in found if h[1] in ("Immediate care", "Definitive treatment",
                                      "Supportive care")] == \
        [(3, "Immediate care"), (3, "Definitive treatment"), (3, "Supportive care")]
    text = section(html, "Treatment plan (NOMS)")
    assert "✔ recommended.\nSeparation surgery followed by SBRT." in text
    assert "Dose: 24 Gy in 2 fractions (SC.24)" in text
    assert "After: Separation surgery followed by SBRT" in text
    assert "? consider.\nConventional external-beam radiotherapy (cEBRT)." in text
    for option in assessment["plan"]["options"]:
        assert option["rationale"] in text
        assert ", ".join(option["rules"]) in text


def test_a_not_recommended_option_keeps_its_reason():
    case, assessment = example("myeloma-compression")
    text = visible_text(clinician_html(case, assessment))
    refused = [o for o in assessment["plan"]["options"] if o["role"] == "not_recommended"]
    assert refused
    for option in refused:
        assert f"✘ not recommended.\n{load('treatments')[option['id']]['title']}." in text
        assert option["rationale"] in text


def test_conflicts_are_shown_in_full_and_linked_from_their_options(emergency):
    html, assessment = emergency
    text = section(html, "Treatment plan (NOMS)")
    for conflict in assessment["plan"]["conflicts"]:
        assert f"{conflict['id']} {conflict['title']}. {conflict['text']}" in text
        assert f'id="conflict-{conflict["id"]}"' in html
    assert 'Sources disagree:</strong> <a href="#conflict-C-08">C-08</a>' in html


def test_a_conflict_not_shown_in_full_is_named_without_a_dead_link():
    row = option_row({"id": "cebrt", "role": "not_recommended", "rules": [], "rationale": "x",
                      "conflicts": ["C-03"]}, frozenset())
    assert row["conflicts"] == [{"id": "C-03", "shown": False}]


def test_notes_keep_their_rule_and_evidence(emergency):
    html, _ = emergency
    assert "a single fraction brings more re-treatment later than longer courses " \
           "(RT-001; evidence V; S17, S24)" in visible_text(html)


# ---------------------------------------------------------------- unknown inputs


def test_a_complete_case_says_nothing_is_missing(emergency):
    html, _ = emergency
    assert "None: every input the scores and rules read was recorded." in visible_text(html)


def test_every_missing_input_is_listed_with_what_it_would_change(first_contact):
    html, assessment = first_contact
    text = section(html, "Missing inputs: unknown, not zero")
    assert "10 inputs not recorded. Nothing unknown was counted as absent or zero" in text
    for path in assessment["missing_inputs"]:
        assert path in text
    assert "Karnofsky performance status (KPS)\nstatus.kps." in text
    assert "neurological symptoms and signs could raise urgency\npresentation.neuro_features." \
        in text
    assert "Tokuhashi (revised 2005): now 5–15; band not decided" in text
    assert "imaging: CT of the spine replaces MRI when MRI is contraindicated (IMG-003)" in text


def test_an_unknown_that_could_raise_the_urgency_is_flagged_in_the_banner(first_contact):
    html, _ = first_contact
    banner = section(html, "Triage: URGENT — within 24 hours")
    assert "Unknown, not zero: 10 inputs not recorded (see Missing inputs). Could raise the " \
           "urgency: neurological symptoms and signs." in banner
    assert 'class="unknown-raise"' in html


def test_missing_inputs_name_lesions_scores_and_plan_choices():
    _, assessment = example("unknown-primary")
    items = {item.path: item for item in missing_inputs(assessment)}
    assert items["lesions.0.pain"].label == "lesion 1 (T8): lesion pain (SINS)"
    assert items["lesions.0.pain"].effects == ["SINS at T8: now 3–16; band not decided"]
    assert items["status.ecog"].effects == [
        "radiotherapy dose (D-23) and SBRT eligibility (ECOG 0–2, D-20)"]
    assert any(e.startswith("Tomita: now") for e in items["disease.visceral_metastases"].effects)


def test_a_missing_cancer_history_says_it_would_raise_the_urgency():
    case = make_case(presentation={"spinal_pain": True, "neuro_features": []})
    items = {item.path: item for item in missing_inputs(assess(case))}
    history = items["cancer.history"]
    assert history.could_raise_urgency
    assert history.effects[0].startswith("triage (TRI-006b): cancer history not recorded")


def test_an_ungraded_escc_and_an_undecided_enneking_say_what_waits_for_them():
    case = make_case(cancer={"history": "none"}, primary_tumour={"grade": "high"},
                     lesions=[{"level": "L2"}])
    items = {item.path: item for item in missing_inputs(assess(case))}
    assert "ESCC not graded" in items["lesions.0.escc"].effects[0]
    assert items["primary_tumour.extent"].effects[0].startswith("Enneking stage: possible")


def test_a_band_already_decided_by_the_range_is_said_to_be_decided():
    case = make_case(cancer={"history": "current", "primary_site": "lung_nsclc"},
                     presentation={"spinal_pain": True, "neuro_features": []},
                     status={"kps": 30, "frankel": "A"},
                     disease={"visceral_metastases": "unremovable", "vertebral_metastases": 3})
    items = {item.path: item for item in missing_inputs(assess(case))}
    effects = items["disease.extraspinal_bone_metastases"].effects
    assert any("band already under 6 months whatever the value" in e for e in effects)


def test_an_input_no_table_explains_still_says_it_is_read():
    assessment = assess(make_case())
    assessment["missing_inputs"] = ["labs.calcium_mmol_per_l"]
    [item] = missing_inputs(assessment)
    assert item.label == "serum calcium (mmol/L)"
    assert item.effects == ["read by the rules of this assessment; record it to settle them"]


# ---------------------------------------------------------------- warnings and sources


def test_warnings_are_listed(emergency):
    html, assessment = emergency
    assert (2, "Warnings") in headings(html)
    assert assessment["warnings"][0]["text"] in visible_text(html)


def test_every_cited_source_resolves_to_its_catalogue_title(emergency):
    html, _ = emergency
    catalogue = load("sources")
    text = section(html, "Sources")
    listed = re.findall(r'<li id="src-([^"]+)">', html)
    assert listed and len(listed) == len(set(listed))
    cited = set(re.findall(r'href="#src-([^"]+)"', html))
    assert cited <= set(listed)
    for sid in listed:
        assert f"[{sid}] {catalogue[sid]['short']}." in text
    assert {"S30", "TOK-1", "ESCC-1", "SINS-1", "NOMS-1"} <= set(listed)


def test_sources_are_listed_in_catalogue_order_and_an_unknown_id_is_kept():
    assessment = assess(make_case())
    assessment["plan"]["notes"].append({"rule": "X", "text": "t", "sources": ["NOT-A-SOURCE"]})
    sources = cited_sources(assessment)
    order = list(load("sources"))
    known = [s["id"] for s in sources if s["known"]]
    assert known == sorted(known, key=order.index)
    assert sources[-1] == {"id": "NOT-A-SOURCE", "known": False,
                           "title": "not in the source catalogue", "citation": "", "url": None,
                           "note": None}


def test_the_footer_explains_every_evidence_tag(emergency):
    html, _ = emergency
    text = visible_text(html)
    for tag in ("V seen in the primary source", "V2 seen only in a secondary source",
                "U unconfirmed", "D design choice", "◐ score: one secondary source"):
        assert tag in text
    assert "never decides for them" in text


# ---------------------------------------------------------------- robustness


def test_text_from_the_case_is_escaped_never_run_as_markup():
    case = make_case(id="<script>alert(1)</script>",
                     cancer={"history": "current", "histology": "<b>x</b> & y"})
    html = clinician_html(case, assess(case))
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;x&lt;/b&gt; &amp; y" in html


def test_a_case_without_an_id_is_still_labelled():
    assessment = assess(make_case())
    context = clinician_context(make_case(), assessment, "a4")
    assert context["label"] == "case without an id"


def test_a_minimal_case_renders_every_section():
    case = make_case()
    found = [text for level, text in headings(clinician_html(case, assess(case)))
             if level == 2]
    assert found[1:] == ["Spine", "Lesions: SINS and ESCC", "Prognosis", "Work-up",
                         "Treatment plan (NOMS)", "Missing inputs: unknown, not zero", "Sources"]
