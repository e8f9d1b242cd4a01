"""The patient summary: plain words, the warning signs every time, and no scores as verdicts.

The summary is read as a person would read it (its visible text). Every summary, whatever the
case, carries the warning signs that need help at once, near the top. An emergency says plainly
what happens now; other levels never say "emergency" about the present. Readability is measured
with textstat (Flesch–Kincaid grade and Flesch reading ease) over the visible text.

textstat 0.7.13 looks syllables up in NLTK's CMU dictionary and downloads it on first use. Tests
never use the network, so syllables are counted with Pyphen's bundled hyphenation dictionary,
which is textstat's own fallback for words the CMU dictionary lacks.

References: pathway.md §8.6 (FU-003), §9, §11; NHS back-pain red flags (S10); decisions
"Prognosis figures shown to users".
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import textstat
import textstat.backend.counts._count_syllables as syllables
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_report_common import (
    EXAMPLE_NAMES,
    example,
    headings,
    make_case,
    vector_cases,
    visible_text,
)

from oncospine.assessment import assess
from oncospine.knowledge import load
from oncospine.reports import patient_html
from oncospine.reports.patient import patient_context

SCORE_WORDS = ("SINS", "ESCC", "Bilsky", "Tokuhashi", "Tomita", "Bauer", "NESMS", "Enneking",
               "WBB", "Frankel", "ASIA", "KPS", "Karnofsky", "ECOG")
RED_FLAGS = ("weakness or heaviness in your arms or legs", "difficulty walking",
             "numbness around your bottom, your genitals or the inside of your thighs",
             "trouble passing urine", "loss of control of your bowels")
MAX_GRADE = 7.0  # Flesch–Kincaid grade 7: a reading age of about 12
MIN_EASE = 65.0  # Flesch reading ease: 60–70 is plain English, higher is easier


@pytest.fixture(autouse=True)
def offline_syllables(monkeypatch: pytest.MonkeyPatch) -> None:
    """Count syllables with Pyphen only; fail loudly if anything tries to download."""
    import nltk

    monkeypatch.setattr(syllables, "get_cmudict", lambda lang: None)

    def no_download(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("tests never download: NLTK data was requested")

    monkeypatch.setattr(nltk, "download", no_download)


def summary(name: str) -> str:
    case, assessment = example(name)
    return patient_html(case, assessment)


def h2s(html: str) -> list[str]:
    return [text for level, text in headings(html) if level == 2]


def safety_net_is_there(html: str) -> None:
    text = visible_text(html)
    assert 'id="safety-net"' in html
    assert h2s(html).index("Get help at once if you notice any of these") <= 1
    assert ("Call 999 or go to A&E straight away (in the UK) if any of these start, or get "
            "worse:") in text
    for flag in RED_FLAGS:
        assert flag in text, flag
    assert "Do not wait for your next appointment." in text


# ---------------------------------------------------------------- the safety net, every time


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_demo_summary_shows_the_warning_signs_near_the_top(name):
    safety_net_is_there(summary(name))


@pytest.mark.parametrize(("name", "case"), vector_cases(), ids=lambda v: getattr(v, "id", v))
def test_every_public_vector_summary_shows_the_warning_signs(name, case):
    safety_net_is_there(patient_html(case, assess(case)))


CASES = st.fixed_dictionaries({}, optional={
    "cancer": st.fixed_dictionaries({}, optional={
        "history": st.sampled_from(["none", "past", "current", "suspected", "unknown"]),
        "primary_site": st.sampled_from(["breast", "lung_nsclc", "kidney", "myeloma", "unknown"]),
    }),
    "presentation": st.fixed_dictionaries({}, optional={
        "spinal_pain": st.just(True),
        "neuro_features": st.lists(st.sampled_from(["limb_weakness", "saddle_anaesthesia",
                                                    "paraesthesia"]), max_size=2),
        "pain_features": st.lists(st.sampled_from(["night_pain", "mechanical"]), max_size=2),
    }),
    "lesions": st.lists(st.fixed_dictionaries({"level": st.sampled_from(["C5", "T8", "L4"])},
                                              optional={"escc": st.sampled_from(["0", "2"])}),
                        max_size=2),
})


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(CASES)
def test_any_case_at_all_gets_the_warning_signs_and_no_scores(parts):
    case = make_case(**parts)
    html = patient_html(case, assess(case))
    safety_net_is_there(html)
    text = visible_text(html)
    assert not [word for word in SCORE_WORDS if re.search(rf"\b{word}\b", text)]


# ---------------------------------------------------------------- what happens now


def test_an_emergency_says_so_first_and_says_what_happens_now():
    html = summary("mscc-emergency")
    text = visible_text(html)
    assert h2s(html)[0] == "This is an emergency"
    assert "the cancer may be pressing on your spinal cord" in text
    assert "If you are not in hospital now, call 999 or go to A&E straight away (in the UK)." \
        in text
    now = text[text.index("What happens now."):text.index("Get help at once")]
    assert "Getting in touch with the spinal cord compression coordinator: straight away." in now
    assert "MRI scan of your whole spine: done." in now
    assert "Keeping your spine still: within 24 hours." in now
    assert 'class="now"' in html


def test_a_cauda_equina_emergency_names_the_nerves_at_the_bottom_of_the_spine():
    text = visible_text(summary("cauda-equina"))
    assert "the nerves at the bottom of your spine may be squeezed" in text
    assert "Going to hospital urgently to have your spine checked: straight away." in text


def test_a_cord_compression_without_cancer_is_an_emergency_too():
    case = make_case(cancer={"history": "none"},
                     presentation={"spinal_pain": True, "neuro_features": ["limb_weakness"]})
    text = visible_text(patient_html(case, assess(case)))
    assert "This is an emergency." in text
    assert "something may be pressing on your spinal cord" in text


def test_an_urgent_case_is_urgent_but_not_called_an_emergency_now():
    html = summary("stable-breast")
    text = visible_text(html)
    assert h2s(html)[0] == "What happens next"
    assert "the scans show a tumour in your spine" in text
    assert "This is urgent, but it is not an emergency at the moment." in text
    assert "This is an emergency" not in text
    assert "MRI scan of your whole spine: within 1 week." in text
    assert "If any of the warning signs in the box below start, this becomes an emergency." \
        in text


def test_an_urgent_case_without_scans_says_the_team_will_check():
    text = visible_text(summary("incomplete-first-contact"))
    assert "your team wants to check whether it has reached your spine" in text
    assert "Getting in touch with the spinal cord compression coordinator: within 24 hours." \
        in text


@pytest.mark.parametrize(("features", "words"), [
    (["fever"], "The checks look for an infection in the spine."),
    (["trauma"], "The checks look for a broken bone in the spine."),
    (["weight_loss"],
     "The checks look for serious causes of back pain, and cancer is one of them."),
])
def test_a_soon_case_says_what_the_checks_look_for(features, words):
    case = make_case(cancer={"history": "none"}, patient={"age_years": 40},
                     presentation={"spinal_pain": True, "neuro_features": [],
                                   "pain_features": [], "general_features": features})
    text = visible_text(patient_html(case, assess(case)))
    assert "Your symptoms need to be checked soon, on a fast-track pathway" in text
    assert words in text


def test_routine_back_pain_is_reassured_with_a_review_point_and_the_warning_signs():
    case = make_case(cancer={"history": "none"}, patient={"age_years": 30},
                     presentation={"spinal_pain": True, "neuro_features": [],
                                   "pain_features": [], "general_features": []})
    html = patient_html(case, assess(case))
    text = visible_text(html)
    assert "Nothing written down so far points to a serious cause." in text
    assert "See your doctor again if it is not better after a few weeks" in text
    safety_net_is_there(html)


def test_routine_triage_with_a_tumour_on_the_scan_is_not_falsely_reassuring():
    case = make_case(cancer={"history": "none"}, patient={"age_years": 30},
                     presentation={"spinal_pain": True, "neuro_features": [],
                                   "pain_features": [], "general_features": []},
                     lesions=[{"level": "T12", "escc": "0"}])
    assert assess(case)["triage"]["level"] == "routine"
    text = visible_text(patient_html(case, assess(case)))
    assert "Nothing written down so far points to a serious cause." not in text
    assert "Your team will explain what the scan results mean for you" in text


# ---------------------------------------------------------------- what was found, in words


def test_findings_are_described_as_places_in_the_body():
    text = visible_text(summary("mscc-emergency"))
    assert "A tumour in a bone in your back, just above your waist (T10). The tumour is " \
           "pressing hard on the spinal cord. The bone may be weakened." in text
    assert "A tumour in a bone in your lower back (L3). The tumour is in the bone only. It " \
           "does not reach the space around the nerves inside your spine. The checks so far " \
           "suggest this bone is steady." in text


def test_what_the_person_said_is_played_back_in_plain_words():
    text = visible_text(summary("mscc-emergency"))
    told = text[text.index("What you told your team."):text.index("What the scans show.")]
    assert "weakness in your arms or legs." in told
    assert "difficulty walking." in told


@pytest.mark.parametrize(("lesion", "words"), [
    ({"level": "C5", "escc": "1c"}, "A tumour in a bone in the middle of your neck (C5). The "
                                    "tumour touches the spinal cord but is not squeezing it."),
    ({"level": "S2", "escc": "1b"}, "A tumour in the sacrum, the flat bone at the base of your "
                                    "spine (S2). The tumour pushes on the covering around the "
                                    "nerves inside your spine, but does not touch it."),
    ({"level": "T11", "extends_to": "L1"}, "A tumour in 3 bones next to each other, from your "
                                           "back, just above your waist down to your lower back "
                                           "(T11 to L1). It is not yet known whether the tumour "
                                           "is pressing on the spinal cord."),
    ({"level": "T4", "escc": "1a"}, "The tumour reaches the space around the spinal cord but "
                                    "is not pushing on it."),
    ({"escc": "2"}, "A tumour in a place in your spine that was not written down. The tumour "
                    "is pressing on the spinal cord."),
    ({"level": "Co"}, "A tumour in your tailbone (Co)."),
    ({"level": "C0", "escc": "0"}, "the base of your skull, where it meets your neck (C0)"),
])
def test_each_finding_has_its_plain_words(lesion, words):
    case = make_case(lesions=[lesion])
    assert words in visible_text(patient_html(case, assess(case)))


def test_stability_is_said_as_what_the_checks_suggest_never_as_a_score():
    unstable = {"level": "T12", "pain": "mechanical", "bone_lesion": "lytic",
                "alignment": "subluxation", "collapse": "over_50", "posterolateral": "bilateral"}
    case = make_case(lesions=[unstable, {"level": "L4", "bone_lesion": "lytic"}])
    text = visible_text(patient_html(case, assess(case)))
    assert "The bone looks weakened and may not be steady." in text
    assert "Your team has not yet finished checking how strong this bone is." in text


def test_no_scan_results_is_said_plainly():
    text = visible_text(summary("incomplete-first-contact"))
    assert "No scan results have been written down yet." in text


# ---------------------------------------------------------------- no verdicts, no bare figures


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_scores_and_survival_figures_never_appear(name):
    case, assessment = example(name)
    text = visible_text(patient_html(case, assessment))
    assert not [word for word in SCORE_WORDS if re.search(rf"\b{word}\b", text)]
    for figure in assessment["prognosis"]["figures"]:
        assert figure["text"] not in text
    by_primary = assessment["prognosis"]["by_primary"]
    if by_primary:
        assert f"{by_primary['months']} months" not in text
    for sentence in re.split(r"(?<=[.?!])\s+", text):
        if re.search(r"(?<![-\w])(live|lived|alive|surviv\w*|life expectancy)\b", sentence,
                     re.I):
            assert not re.search(r"\d", sentence), sentence


def test_the_summary_explains_why_it_gives_no_scores_or_survival_numbers():
    text = visible_text(summary("mscc-emergency"))
    assert "That is why this summary does not show scores, or numbers about how long people " \
           "live." in text
    assert "If you want to talk about what to expect, ask your doctor." in text


# ---------------------------------------------------------------- the options


def test_each_option_shows_what_it_is_why_preparation_side_effects_and_recovery():
    html = summary("mscc-emergency")
    text = visible_text(html)
    catalogue = load("treatments")
    for option_id in ("separation_surgery", "sbrt", "analgesia", "dexamethasone"):
        entry = catalogue[option_id]
        assert entry["plain_title"] in text
        assert f"What it is: {entry['plain_what']}" in text
        assert f"Why: {entry['plain_why']}" in text
        for line in (*entry["plain_side_effects"], *entry["plain_recovery"]):
            assert line in text, line
    for line in catalogue["separation_surgery"]["plain_preparation"]:
        assert line in text


def test_options_are_grouped_by_how_strongly_they_are_suggested():
    html = summary("mscc-emergency")
    groups = [text for level, text in headings(html) if level == 3]
    assert groups.index("What your team suggests") < groups.index(
        "Other choices your team may offer")
    text = visible_text(html)
    suggested = text[text.index("What your team suggests."):
                     text.index("Other choices your team may offer.")]
    assert "Operation to free the spinal cord before precise radiotherapy." in suggested
    later = text[text.index("Other choices your team may offer."):]
    assert "Radiotherapy to the spine." in later


def test_a_discuss_option_is_explained_as_a_choice_to_talk_through():
    html = summary("unknown-primary")
    assert (3, "Choices to talk through with your team") in headings(html)
    assert "experts do not all agree" in visible_text(html)


def test_an_option_not_suggested_is_listed_apart_and_not_described():
    text = visible_text(summary("mscc-emergency"))
    not_now = text[text.index("Looked at, but not suggested for you now."):]
    assert "X-ray of the back." in not_now
    assert "You can ask your team why." in not_now
    assert "What it is: A quick picture of the bones of the back." not in text


def test_a_test_in_both_the_triage_and_the_work_up_is_shown_once():
    html = summary("stable-breast")
    titles = [text for level, text in headings(html) if level == 4]
    assert titles.count("MRI scan of your whole spine") == 1
    assert "Warning signs: when to get help fast" not in titles  # the safety net has its own box


def test_a_scan_already_done_is_kept_short():
    context = patient_context(*example("mscc-emergency"), "a4")
    mri = next(o for g in context["groups"] for o in g["options"] if o["id"] == "mri_whole_spine")
    assert mri["done"] and mri["brief"]
    text = visible_text(summary("mscc-emergency"))
    block = text[text.index("MRI scan of your whole spine (done)."):]
    block = block[:block.index("Blood tests.")]
    assert "Getting ready" not in block and "Common side effects" not in block


def test_the_strongest_role_wins_when_an_option_appears_twice():
    case, assessment = example("stable-breast")
    assessment["workup"].append({"id": "analgesia", "role": "consider", "rules": [],
                                 "rationale": "x"})
    context = patient_context(case, assessment, "a4")
    roles = {o["id"]: g["role"] for g in context["groups"] for o in g["options"]}
    assert roles["analgesia"] == "recommended"


def test_an_option_missing_from_the_catalogue_still_gets_a_title():
    case, assessment = example("stable-breast")
    assessment["plan"]["options"].append({"id": "new_thing", "role": "consider", "rules": [],
                                          "rationale": "x"})
    assert "New thing." in visible_text(patient_html(case, assessment))


# ---------------------------------------------------------------- unknowns, questions, bring


def test_unknowns_are_listed_in_plain_words_once_each():
    text = visible_text(summary("incomplete-first-contact"))
    unknown = text[text.index("Things your team does not know yet."):]
    unknown = unknown[:unknown.index("About scores and numbers.")]
    assert "whether you have any weakness, numbness, tingling, or bladder or bowel problems." \
        in unknown
    assert unknown.count("whether the cancer is in other bones or organs.") == 1
    assert "the plan may change" in unknown


def test_a_complete_case_has_no_unknowns_section():
    assert "Things your team does not know yet" not in visible_text(summary("mscc-emergency"))


def test_questions_fit_the_plan():
    emergency = visible_text(summary("mscc-emergency"))
    assert "How long should I take the steroid tablets" in emergency
    assert "Do I need a biopsy?" not in emergency
    unknown = visible_text(summary("unknown-primary"))
    assert "Do I need a biopsy? Who will do it, and how?" in unknown
    for text in (emergency, unknown):
        assert "Who is my main contact? Whom do I call in the evening or at the weekend?" in text


def test_what_to_bring_covers_people_history_medicines_symptoms_and_scans():
    text = visible_text(summary("stable-breast"))
    bring = text[text.index("What to bring to your appointments."):]
    for item in ("A relative or friend", "Your list of questions", "radiotherapy to your back",
                 "your steroid card", "Notes about your symptoms", "scans at another hospital",
                 "alert card"):
        assert item in bring


def test_the_footer_says_the_team_decides_with_the_person():
    text = visible_text(summary("stable-breast"))
    assert "It supports your care team; it does not make decisions. Your team decides with you." \
        in text


# ---------------------------------------------------------------- readability


def grade_and_ease(text: str) -> tuple[float, float]:
    return textstat.flesch_kincaid_grade(text), textstat.flesch_reading_ease(text)


def test_the_readability_measure_tells_plain_from_dense_text():
    plain = "Your back hurts. The scan shows a tumour. We will help you. Call us at once."
    dense = ("Metastatic epidural spinal cord compression necessitates expeditious "
             "multidisciplinary evaluation incorporating stereotactic radiotherapeutic "
             "considerations.")
    assert grade_and_ease(plain)[0] < 4 < grade_and_ease(dense)[0]
    assert grade_and_ease(plain)[1] > 80 > grade_and_ease(dense)[1]


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_every_demo_summary_reads_at_about_age_eleven_to_twelve(name):
    grade, ease = grade_and_ease(visible_text(summary(name)))
    assert grade <= MAX_GRADE, f"Flesch–Kincaid grade {grade:.1f}"
    assert ease >= MIN_EASE, f"Flesch reading ease {ease:.1f}"


@pytest.mark.parametrize(("name", "case"), vector_cases(), ids=lambda v: getattr(v, "id", v))
def test_every_public_vector_summary_reads_plainly(name, case):
    grade, ease = grade_and_ease(visible_text(patient_html(case, assess(case))))
    assert grade <= MAX_GRADE and ease >= MIN_EASE, (grade, ease)


def test_the_warning_signs_alone_read_plainly():
    html = summary("stable-breast")
    text = visible_text(html)
    box = text[text.index("Get help at once"):text.index("My care team's phone number")]
    grade, ease = grade_and_ease(box)
    assert grade <= 6.0 and ease >= 70, (grade, ease)
