"""Rendering an assessment for people: Markdown and terminal text (Rich).

Colour is never the only signal: levels, roles and bands are written in words. Text in brackets
from the data ("[already done]", "[dose: …]") is shown literally, never eaten as Rich markup.

References: DESIGN.md principle 1; shared spec assessment-format.md.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

import oncospine
from oncospine.assessment import assess
from oncospine.calculators import calculate
from oncospine.case import load_case
from oncospine.render.markdown import assessment_markdown
from oncospine.render.rows import LEVEL_LABEL, ROLE_MARK, hours_text, value_text
from oncospine.render.text import render, render_score

EXAMPLES = Path(oncospine.__file__).parent / "examples"
EXAMPLE_NAMES = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))


def assessed(name: str) -> dict[str, Any]:
    return assess(load_case(EXAMPLES / f"{name}.yaml"))


def as_text(a: dict[str, Any], width: int = 120) -> str:
    console = Console(record=True, width=width)
    render(a, console)
    return console.export_text()


def one_line(text: str) -> str:
    """Terminal text with wrapping and table borders flattened, for phrase searches."""
    for ch in "│┃|":
        text = text.replace(ch, " ")
    return " ".join(text.split())


# ---------------------------------------------------------------- Markdown


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_markdown_names_the_triage_level_in_words(name):
    a = assessed(name)
    md = assessment_markdown(a)
    assert md.startswith("# Assessment")
    assert f"## Triage: {LEVEL_LABEL[a['triage']['level']]}" in md
    assert a["ruleset"]["version"] in md


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_markdown_lists_every_missing_input(name):
    a = assessed(name)
    md = assessment_markdown(a)
    for path in a["missing_inputs"]:
        assert f"- `{path}`" in md
    if a["missing_inputs"]:
        assert "## Missing inputs (unknown, not zero)" in md


def test_markdown_of_an_incomplete_first_contact_lists_its_many_missing_inputs():
    a = assessed("incomplete-first-contact")
    assert len(a["missing_inputs"]) >= 5
    md = assessment_markdown(a)
    assert all(f"`{path}`" in md for path in a["missing_inputs"])


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_markdown_shows_every_conflict_with_its_title_and_text(name):
    a = assessed(name)
    md = assessment_markdown(a)
    for conflict in a["plan"]["conflicts"]:
        assert f"**{conflict['id']} {conflict['title']}.**" in md
        assert conflict["text"] in md
    if a["plan"]["conflicts"]:
        assert "### Where sources disagree" in md


def test_markdown_of_the_mscc_emergency_shows_its_conflicts():
    a = assessed("mscc-emergency")
    assert a["plan"]["conflicts"]
    md = assessment_markdown(a)
    assert "Where sources disagree" in md


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_markdown_shows_every_reason_warning_and_option(name):
    a = assessed(name)
    md = assessment_markdown(a)
    for reason in a["triage"]["reasons"]:
        assert f"**{reason['rule']}**" in md
    for warning in a["warnings"]:
        assert warning["text"] in md
    for entry in (*a["plan"]["options"], *a["workup"], *a["triage"]["actions"]):
        assert entry["id"].replace("_", " ") in md
        assert ROLE_MARK[entry.get("role", "recommended")] in md


def test_markdown_marks_a_reason_without_sources_as_a_design_choice():
    md = assessment_markdown(assessed("incomplete-first-contact"))
    assert "**TRI-ASK-NEURO**" in md
    assert "design choice" in md


def test_markdown_shows_the_enneking_stage_of_a_primary_tumour():
    a = assessed("chordoma-primary")
    assert a["scores"]["enneking"]["status"] != "not_applicable"
    assert "Enneking stage" in assessment_markdown(a)


def test_markdown_shows_the_lesion_table_when_lesions_are_recorded():
    md = assessment_markdown(assessed("mscc-emergency"))
    assert "## Lesions (SINS and ESCC)" in md
    assert "| T10 | 9 | indeterminate |" in md


def test_markdown_escapes_pipes_inside_table_cells():
    a = copy.deepcopy(assessed("stable-breast"))
    a["plan"]["options"][0]["rationale"] = "either a | b"
    md = assessment_markdown(a)
    assert "either a \\| b" in md


def test_markdown_shows_already_done_steps_in_brackets():
    assert "[already done]" in assessment_markdown(assessed("mscc-emergency"))


# ---------------------------------------------------------------- terminal text


def test_text_shows_already_done_literally_for_the_mscc_emergency():
    text = as_text(assessed("mscc-emergency"))
    assert "[already done]" in text


def test_text_shows_bracketed_dose_and_evidence_literally():
    text = as_text(assessed("mscc-emergency"))
    assert "[dose:" in text
    assert "[V]" in text or "[V2]" in text


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_text_names_the_triage_level_in_words(name):
    a = assessed(name)
    text = as_text(a)
    assert LEVEL_LABEL[a["triage"]["level"]] in text
    assert f"pathway: {a['triage']['pathway'].replace('_', ' ')}" in text
    assert "decision support only" in one_line(text)


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_text_writes_every_role_in_words(name):
    a = assessed(name)
    flat = one_line(as_text(a, width=240))  # wide enough that no role cell wraps
    for entry in (*a["plan"]["options"], *a["workup"], *a["triage"]["actions"]):
        assert ROLE_MARK[entry.get("role", "recommended")] in flat


@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_text_lists_every_missing_input_and_conflict(name):
    a = assessed(name)
    flat = one_line(as_text(a))
    for path in a["missing_inputs"]:
        assert path in flat
    for conflict in a["plan"]["conflicts"]:
        assert f"sources disagree {conflict['id']}" in flat
    for warning in a["warnings"]:
        assert one_line(warning["text"]) in flat


def test_text_fits_a_120_column_terminal():
    text = as_text(assessed("mscc-emergency"))
    assert max(len(line) for line in text.splitlines()) <= 120


def test_a_score_table_shows_the_score_name_and_its_values():
    console = Console(record=True, width=120)
    render_score(calculate("escc", {"grade": "1c"}), console)
    text = console.export_text()
    assert "escc" in text
    assert "borderline" in text
    assert "ESCC-1" in text


def test_a_score_table_shows_bracketed_values_literally():
    console = Console(record=True, width=120)
    render_score(calculate("sins", {"level": "T12", "pain": "mechanical"}), console)
    text = one_line(console.export_text())
    assert "'range': [" in text


# ---------------------------------------------------------------- shared row helpers


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        ({"status": "complete", "total": 11}, "11"),
        ({"status": "incomplete", "range": [9, 12]}, "unknown, 9–12"),
        ({"status": "incomplete", "range": [3, 3]}, "3 (inputs missing)"),
        ({"status": "not_applicable"}, "not applicable"),
    ],
)
def test_a_score_value_reads_as_a_total_a_range_or_not_applicable(result, expected):
    assert value_text(result) == expected


@pytest.mark.parametrize(
    ("hours", "expected"),
    [(None, ""), (0, "immediately"), (24, "within 24 h"), (48, "within 2 days"),
     (168, "within 1 week"), (12.5, "within 12.5 h")],
)
def test_a_clock_reads_in_plain_words(hours, expected):
    assert hours_text(hours) == expected


def test_every_triage_level_has_a_label_in_words():
    assert set(LEVEL_LABEL) == {"emergency", "urgent", "soon", "routine"}
    for level, label in LEVEL_LABEL.items():
        assert label.lower().startswith(level)
