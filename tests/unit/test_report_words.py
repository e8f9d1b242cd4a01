"""Words the reports share: where a level is in plain language, field labels, times and clocks.

References: oncospine.vocab.LEVELS; shared spec case-format.md (field paths).
"""

from __future__ import annotations

import pytest

from oncospine.reports.words import (
    PLAIN_FALLBACK,
    REGIONS,
    field_label,
    hours_words,
    levels_between,
    plain_label,
    plain_place,
    region_of,
    when_text,
)
from oncospine.vocab import LEVEL_INDEX, LEVELS


def test_the_regions_cover_every_level_once_in_order():
    covered = [level for first, last, _, _ in REGIONS for level in levels_between(first, last)]
    assert covered == list(LEVELS)


@pytest.mark.parametrize(("level", "words"), [
    ("C0", "the base of your skull, where it meets your neck"),
    ("C2", "the top of your neck"),
    ("C7", "the bottom of your neck"),
    ("T3", "the top of your back, between your shoulders"),
    ("T9", "the middle of your back, behind your chest"),
    ("T10", "your back, just above your waist"),
    ("L5", "your lower back"),
    ("S3", "the sacrum, the flat bone at the base of your spine"),
    ("Co", "your tailbone"),
])
def test_each_level_has_a_place_a_person_can_picture(level, words):
    assert region_of(level) == words


def test_short_region_names_fit_beside_the_diagram():
    assert all(len(region_of(level, short=True)) <= 22 for level in LEVELS)


@pytest.mark.parametrize(("levels", "words"), [
    ((), "a place in your spine that was not written down"),
    (("T6",), "a bone in the middle of your back, behind your chest (T6)"),
    (("S1",), "the sacrum, the flat bone at the base of your spine (S1)"),
    (("C0",), "the base of your skull, where it meets your neck (C0)"),
    (("L2", "L3"), "2 bones next to each other, in your lower back (L2 to L3)"),
    (("T12", "L1"), "2 bones next to each other, from your back, just above your waist down to "
                    "your lower back (T12 to L1)"),
])
def test_a_lesion_place_names_the_bones_and_keeps_the_doctors_name(levels, words):
    assert plain_place(levels) == words


@pytest.mark.parametrize(("path", "label"), [
    ("status.kps", "Karnofsky performance status (KPS)"),
    ("lesions.0.collapse", "lesion 1 (T8): vertebral body collapse (SINS)"),
    ("lesions.3.escc", "lesion 4: ESCC grade"),
    ("events.mri_done", "time of mri done"),
    ("cancer.some_new_field", "some new field"),
])
def test_field_paths_get_clinician_labels(path, label):
    assert field_label(path, {0: "T8"}) == label


def test_field_paths_get_plain_labels_with_a_fallback():
    assert plain_label("presentation.neuro_features").startswith("whether you have any weakness")
    assert plain_label("lesions.2.escc") == "whether the tumour is pressing on your spinal cord"
    assert plain_label("events.decision_to_treat") == PLAIN_FALLBACK


@pytest.mark.parametrize(("iso", "with_time", "text"), [
    ("2026-11-20T09:30:00+00:00", True, "20 Nov 2026, 09:30 (UTC+00:00)"),
    ("2026-03-05T17:05:00+05:30", True, "5 Mar 2026, 17:05 (UTC+05:30)"),
    ("2026-11-20T09:30:00", True, "20 Nov 2026, 09:30"),
    ("2026-11-20T09:30:00+00:00", False, "20 November 2026"),
    (None, True, ""),
])
def test_times_read_as_dates_with_their_offset(iso, with_time, text):
    assert when_text(iso, with_time=with_time) == text


@pytest.mark.parametrize(("hours", "words"), [
    (None, ""), (0, "straight away"), (4, "within 4 hours"), (24, "within 24 hours"),
    (48, "within 2 days"), (168, "within 1 week"), (36, "within 36 hours"),
    (0.5, "within 0.5 hours"),
])
def test_clock_lengths_read_as_people_say_them(hours, words):
    assert hours_words(hours) == words


def test_levels_between_is_inclusive():
    assert levels_between("T11", "L1") == ("T11", "T12", "L1")
    assert len(levels_between("C0", "Co")) == LEVEL_INDEX["Co"] + 1
