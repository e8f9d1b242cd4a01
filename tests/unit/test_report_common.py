"""What both reports share: self-contained HTML, accessible structure, and the helpers the report
tests read them with (visible text, headings, tables), each helper checked here too.

Accessibility is checked on every demo case: one `lang`, one h1, headings that never skip a
level, every table with column headers, text colours with enough contrast, no outside fetch.

References: WCAG 2.1 (1.3.1 info and relationships, 1.4.3 contrast, 3.1.1 language of page).
"""

from __future__ import annotations

import copy
import itertools
import json
import re
from html.parser import HTMLParser
from importlib import resources
from pathlib import Path
from typing import Any

import pytest

import oncospine
from oncospine.assessment import assess
from oncospine.case import Case, parse_case_text, validate_case
from oncospine.errors import CaseValidationError, UnknownNameError
from oncospine.reports import (
    FORMATS,
    PAPERS,
    clinician_html,
    patient_html,
    render_report,
)

EXAMPLES = Path(oncospine.__file__).parent / "examples"
EXAMPLE_NAMES = sorted(p.stem for p in EXAMPLES.glob("*.yaml"))
VECTORS = Path(__file__).resolve().parents[3] / "shared" / "vectors" / "cases"
BUILDERS = {"clinician": clinician_html, "patient": patient_html}
BLOCKS = {"p", "li", "h1", "h2", "h3", "h4", "td", "th", "dd", "dt", "figcaption", "div"}
HIDDEN = {"style", "title", "head", "svg", "script"}


# ---------------------------------------------------------------- helpers for the report tests

BASE: dict[str, Any] = {"format": "oncospine-case/1", "assessed_at": "2026-11-20T09:30:00+00:00"}


def make_case(**parts: Any) -> Case:
    """A case from keyword parts. Defined here rather than imported from a conftest, because
    several test folders have a conftest and only one of them can be the module `conftest`."""
    data = copy.deepcopy(BASE)
    data.update(parts)
    return validate_case(data)


def example(name: str) -> tuple[Case, dict[str, Any]]:
    case = parse_case_text((EXAMPLES / f"{name}.yaml").read_text("utf-8"))
    return case, assess(case)


def vector_cases() -> list[tuple[str, Case]]:
    """Every public vector that is a valid case (a rejection vector has no report)."""
    out = []
    for path in sorted(VECTORS.glob("*.json")):
        try:
            out.append((path.stem, validate_case(json.loads(path.read_text("utf-8"))["case"])))
        except CaseValidationError:
            continue
    return out


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hidden = 0
        self.parts: list[str] = []
        self.headings: list[tuple[int, str]] = []
        self._heading: list[str] | None = None
        self.tables: list[list[tuple[str, str | None]]] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in HIDDEN:
            self.hidden += 1
        if tag in BLOCKS or tag == "br":
            self.parts.append("\n")
        if re.fullmatch(r"h[1-6]", tag):
            self._heading = []
        if tag == "table":
            self.tables.append([])
        if tag == "th" and self.tables:
            self.tables[-1].append(("", dict(attrs).get("scope")))

    def handle_endtag(self, tag: str) -> None:
        if tag in HIDDEN:
            self.hidden -= 1
        if tag in {"li", "h1", "h2", "h3", "h4", "td", "th"}:
            self.parts.append(".\n")  # a list item or heading reads as one sentence
        if re.fullmatch(r"h[1-6]", tag) and self._heading is not None:
            self.headings.append((int(tag[1]), " ".join("".join(self._heading).split())))
            self._heading = None

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.append(data)
        if self.hidden == 0:
            self.parts.append(data.replace("\n", " "))  # only blocks break lines
        if self.tables and self.tables[-1] and self.lasttag == "th":
            label, scope = self.tables[-1][-1]
            self.tables[-1][-1] = ((label + data).strip(), scope)


def read(html: str) -> _Reader:
    reader = _Reader()
    reader.feed(html)
    return reader


def visible_text(html: str) -> str:
    """The text a reader sees, without style, head or SVG; blocks end as sentences."""
    text = "".join(read(html).parts).replace("\xad", "")  # soft hyphens are invisible
    text = re.sub(r"([.:?!])\s*\.\n", r"\1\n", text)
    return "\n".join(" ".join(line.split()) for line in text.splitlines() if line.strip())


def headings(html: str) -> list[tuple[int, str]]:
    return read(html).headings


# ---------------------------------------------------------------- the helpers themselves


def test_visible_text_leaves_out_styles_titles_and_svg():
    html = ("<html><head><title>T</title><style>p{}</style></head><body><h1>Head</h1>"
            "<p>One</p><svg><text>C0</text></svg><ul><li>two</li></ul></body></html>")
    assert visible_text(html) == "Head.\nOne\ntwo."


def test_headings_and_table_headers_are_read_back():
    html = ("<h1>A</h1><h2>B <em>c</em></h2><table><tr><th scope='col'>x</th><th>y</th></tr>"
            "</table>")
    reader = read(html)
    assert reader.headings == [(1, "A"), (2, "B c")]
    assert reader.tables == [[("x", "col"), ("y", None)]]


def test_the_public_vectors_are_there_to_render():
    assert len(vector_cases()) >= 20


# ---------------------------------------------------------------- structure and accessibility


@pytest.fixture(scope="module", params=EXAMPLE_NAMES)
def rendered(request: pytest.FixtureRequest) -> dict[str, str]:
    case, assessment = example(request.param)
    return {kind: build(case, assessment) for kind, build in BUILDERS.items()}


@pytest.mark.parametrize("kind", BUILDERS)
def test_each_report_declares_its_language(rendered, kind):
    assert re.search(r'<html lang="en-GB">', rendered[kind])


@pytest.mark.parametrize("kind", BUILDERS)
def test_headings_start_at_one_h1_and_never_skip_a_level(rendered, kind):
    found = headings(rendered[kind])
    assert [level for level, _ in found].count(1) == 1
    assert found[0][0] == 1
    for (before, _), (after, text) in itertools.pairwise(found):
        assert after <= before + 1, f"h{before} then h{after} ({text})"
    assert all(text for _, text in found)


@pytest.mark.parametrize("kind", BUILDERS)
def test_every_table_has_column_headers_with_a_scope(rendered, kind):
    for table in read(rendered[kind]).tables:
        assert table, "a table without header cells"
        assert all(scope == "col" and label.strip() for label, scope in table), table


@pytest.mark.parametrize("kind", BUILDERS)
def test_a_report_fetches_nothing_from_outside(rendered, kind):
    html = rendered[kind]
    tags = read(html).tags
    assert not [t for t, _ in tags if t in ("link", "img", "script", "iframe", "object")]
    assert "url(http" not in html and "@import" not in html
    assert not [a for t, a in tags if t == "a" and (a.get("href") or "").startswith("http")]
    assert "<style>" in html and "<svg " in html  # styles and the diagram are inline


@pytest.mark.parametrize("kind", BUILDERS)
def test_sections_are_labelled_by_their_headings(rendered, kind):
    reader = read(rendered[kind])
    ids = {a.get("id") for t, a in reader.tags if re.fullmatch(r"h[1-6]", t)}
    for tag, attrs in reader.tags:
        if tag == "section":
            assert attrs.get("aria-labelledby") in ids, attrs


def _luminance(colour: str) -> float:
    colour = colour.lstrip("#")
    if len(colour) == 3:
        colour = "".join(c * 2 for c in colour)
    channels = [int(colour[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    high, low = sorted((_luminance(foreground), _luminance(background)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_the_contrast_helper_matches_the_wcag_extremes():
    assert round(contrast("#000", "#fff"), 1) == 21.0
    assert contrast("#777", "#fff") < 4.5


def test_every_text_colour_in_the_stylesheet_has_at_least_seven_to_one_contrast():
    css = (resources.files("oncospine.reports") / "templates" / "report.css").read_text("utf-8")
    rules = [(sel.strip(), body) for sel, body in re.findall(r"([^{}]+)\{([^{}]*)\}", css)]
    backgrounds = {}
    for selector, body in rules:
        bg = re.search(r"background:\s*(#[0-9a-fA-F]{3,6})", body)
        if bg:
            backgrounds[selector] = bg.group(1)
    checked = 0
    for selector, body in rules:
        fg = re.search(r"(?<![-\w])color:\s*(#[0-9a-fA-F]{3,6})", body)
        if not fg:
            continue
        # The background is the rule's own, else its nearest ancestor's ("X h2" sits on "X").
        scope, background = selector, "#fff"
        while True:
            if scope in backgrounds:
                background = backgrounds[scope]
                break
            if " " not in scope:
                break
            scope = scope.rsplit(" ", 1)[0]
        ratio = contrast(fg.group(1), background)
        assert ratio >= 7, f"{selector.strip()}: {fg.group(1)} on {background} = {ratio:.1f}"
        checked += 1
    assert checked >= 8


# ---------------------------------------------------------------- render_report and paper


def test_render_report_gives_html_as_utf8_and_pdf_as_pdf_bytes():
    case, assessment = example("stable-breast")
    html = render_report(case, assessment, "patient-html")
    assert html.decode("utf-8").startswith("<!DOCTYPE html>")
    assert render_report(case, assessment, "pdf").startswith(b"%PDF-")


def test_render_report_knows_exactly_four_formats():
    assert FORMATS == ("html", "pdf", "patient-html", "patient-pdf")
    case, assessment = example("stable-breast")
    with pytest.raises(UnknownNameError, match="did you mean 'pdf'"):
        render_report(case, assessment, "pfd")


@pytest.mark.parametrize("kind", BUILDERS)
@pytest.mark.parametrize(("paper", "size"), [("a4", "A4"), ("letter", "letter"),
                                             ("LETTER", "letter")])
def test_the_paper_sets_the_page_size(kind, paper, size):
    case, assessment = example("stable-breast")
    assert f"@page {{ size: {size}; }}" in BUILDERS[kind](case, assessment, paper=paper)


@pytest.mark.parametrize("kind", BUILDERS)
def test_an_unknown_paper_is_refused_with_a_suggestion(kind):
    case, assessment = example("stable-breast")
    with pytest.raises(UnknownNameError, match="unknown paper 'a5'"):
        BUILDERS[kind](case, assessment, paper="a5")
    assert set(PAPERS) == {"a4", "letter"}
