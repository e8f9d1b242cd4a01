"""The spine diagram: every level drawn and labelled, each lesion coloured by its worst finding.

The SVG is parsed as XML and read back: which fill each level's vertebral body and canal carry,
which labels exist. Colour is never the only signal, so each category must differ in pattern or
label as well; an unknown finding must never be drawn as the mildest one.

References: SINS bands (scores.md §1), ESCC groups (D-02), assessment-format.md.
"""

from __future__ import annotations

import itertools
import re
import xml.etree.ElementTree as ET
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_report_common import make_case

from oncospine.assessment import assess
from oncospine.reports import spine_svg
from oncospine.reports.diagram import (
    _STYLE,
    ESCC_LEGEND,
    SINS_LEGEND,
    lesion_marks,
    level_findings,
    patient_spine_svg,
)
from oncospine.vocab import LEVEL_INDEX, LEVELS

NS = {"svg": "http://www.w3.org/2000/svg"}
SVG = "{http://www.w3.org/2000/svg}"
FULL = {"pain": "mechanical", "bone_lesion": "lytic", "alignment": "normal",
        "collapse": "under_50", "posterolateral": "unilateral"}


def diagram(*lesions: dict[str, Any], case_id: str = "diagram") -> tuple[str, dict[str, Any]]:
    assessment = assess(make_case(id=case_id, lesions=list(lesions)))
    return spine_svg(assessment), assessment


def tree(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def texts(root: ET.Element) -> list[str]:
    return ["".join(el.itertext()) for el in root.iter(f"{SVG}text")]


def level_rects(root: ET.Element) -> dict[str, tuple[str, str]]:
    """Level → (body fill, canal fill), read from the rectangles before each level's label."""
    out: dict[str, tuple[str, str]] = {}
    children = list(root)
    for i, el in enumerate(children):
        if el.tag == f"{SVG}text" and el.text in LEVELS and el.get("text-anchor") == "end":
            body, canal = children[i - 2], children[i - 1]
            out[el.text] = (body.get("fill", ""), canal.get("fill", ""))
    return out


def kind(fill: str) -> str:
    """The category a fill stands for: a pattern name, a colour step, or 'none'."""
    match = re.match(r"url\(#sp[0-9a-f]+p?-(\w+)\)", fill)
    if match:
        return match.group(1)
    for step, (colour, pattern) in _STYLE.items():
        if pattern is None and fill == colour:
            return step
    return "none"


# ---------------------------------------------------------------- the drawing itself


def test_the_diagram_is_inline_svg_without_an_xml_prolog():
    svg, _ = diagram({"level": "T10", **FULL, "escc": "2"})
    assert svg.startswith("<svg ")
    assert "<?xml" not in svg
    assert tree(svg).tag == f"{SVG}svg"


def test_every_level_from_the_occiput_to_the_coccyx_is_drawn_and_labelled():
    svg, _ = diagram()
    rects = level_rects(tree(svg))
    assert list(rects) == list(LEVELS)
    assert len(LEVELS) == 31


def test_the_levels_run_downwards_in_anatomical_order():
    root = tree(diagram()[0])
    ys = {el.text: float(el.get("y", "0")) for el in root.iter(f"{SVG}text")
          if el.text in LEVELS and el.get("text-anchor") == "end"}
    assert sorted(LEVELS, key=ys.__getitem__) == list(LEVELS)


def test_a_level_without_a_lesion_is_drawn_plain():
    rects = level_rects(tree(diagram({"level": "T10", **FULL, "escc": "2"})[0]))
    assert rects["T4"] == ("#f1f1f1", "#ffffff")


def test_the_diagram_has_a_title_and_description_for_screen_readers():
    root = tree(diagram({"level": "T10", **FULL, "escc": "3"})[0])
    assert root.get("role") == "img"
    title = root.find("svg:title", NS)
    desc = root.find("svg:desc", NS)
    assert title is not None and "T10" in (title.text or "") and "ESCC 3 high" in title.text
    assert desc is not None and "SINS" in (desc.text or "")
    ids = root.get("aria-labelledby", "").split()
    assert {title.get("id"), desc.get("id")} == set(ids)


# ---------------------------------------------------------------- colour by the worst finding


def test_an_indeterminate_sins_lesion_is_dotted_and_high_grade_escc_striped():
    rects = level_rects(tree(diagram({"level": "T10", **FULL, "escc": "3"})[0]))
    body, canal = rects["T10"]
    assert kind(body) == "dots"  # SINS 9: indeterminate
    assert kind(canal) == "stripes"  # ESCC 3: high


def test_a_stable_lesion_with_low_grade_escc_is_drawn_in_the_lightest_step():
    lesion = {"level": "T6", "pain": "none", "bone_lesion": "blastic", "alignment": "normal",
              "collapse": "none", "posterolateral": "none", "escc": "0"}
    rects = level_rects(tree(diagram(lesion)[0]))
    assert kind(rects["T6"][0]) == "low"
    assert kind(rects["T6"][1]) == "low"


def test_an_unstable_lesion_is_striped():
    lesion = {"level": "T12", "pain": "mechanical", "bone_lesion": "lytic",
              "alignment": "subluxation", "collapse": "over_50", "posterolateral": "bilateral",
              "escc": "1c"}
    rects = level_rects(tree(diagram(lesion)[0]))
    assert kind(rects["T12"][0]) == "stripes"
    assert kind(rects["T12"][1]) == "dots"  # 1c borderline


def test_an_undecided_sins_and_an_ungraded_escc_are_drawn_as_not_decided():
    svg, _ = diagram({"level": "T8", "bone_lesion": "lytic"})
    rects = level_rects(tree(svg))
    assert kind(rects["T8"][0]) == "query"
    assert kind(rects["T8"][1]) == "query"
    assert "SINS 3–16 not decided · ESCC not graded" in texts(tree(svg))


def test_a_coccyx_lesion_is_marked_as_outside_sins():
    svg, _ = diagram({"level": "Co", "escc": "0"})
    rects = level_rects(tree(svg))
    assert kind(rects["Co"][0]) == "lines"
    assert "SINS not scored · ESCC 0 low" in texts(tree(svg))


def test_a_lesion_with_extends_to_covers_its_whole_span():
    svg, _ = diagram({"level": "T10", "extends_to": "L1", **FULL, "escc": "2"})
    rects = level_rects(tree(svg))
    for level in ("T10", "T11", "T12", "L1"):
        assert kind(rects[level][1]) == "stripes", level
    assert rects["T9"] == ("#f1f1f1", "#ffffff")
    assert rects["L2"] == ("#f1f1f1", "#ffffff")
    assert "T10–L1" in texts(tree(svg))


def test_where_two_lesions_share_a_level_the_worse_finding_of_each_kind_shows():
    stable = {"level": "T10", "pain": "none", "bone_lesion": "blastic", "alignment": "normal",
              "collapse": "none", "posterolateral": "none", "escc": "3"}
    unstable = {"level": "T9", "extends_to": "T10", "pain": "mechanical", "bone_lesion": "lytic",
                "alignment": "subluxation", "collapse": "over_50", "posterolateral": "bilateral",
                "escc": "0"}
    rects = level_rects(tree(diagram(stable, unstable)[0]))
    assert kind(rects["T10"][0]) == "stripes"  # unstable SINS from the second lesion
    assert kind(rects["T10"][1]) == "stripes"  # high-grade ESCC from the first
    assert kind(rects["T9"][1]) == "low"


def test_an_unknown_finding_never_hides_behind_a_known_mild_one():
    marks = lesion_marks(assess(make_case(lesions=[
        {"level": "T10", "pain": "none", "bone_lesion": "blastic", "alignment": "normal",
         "collapse": "none", "posterolateral": "none", "escc": "0"},
        {"level": "T10"}])))
    found = level_findings(marks)["T10"]
    assert (found.sins, found.escc) == ("unknown", "unknown")
    assert found.lesions == [0, 1]


def test_a_known_severe_finding_is_not_hidden_by_an_unknown_one():
    marks = lesion_marks(assess(make_case(lesions=[
        {"level": "T10"},
        {"level": "T10", "pain": "mechanical", "bone_lesion": "lytic",
         "alignment": "subluxation", "collapse": "over_50", "posterolateral": "bilateral",
         "escc": "2"}])))
    found = level_findings(marks)["T10"]
    assert (found.sins, found.escc) == ("unstable", "high")


# ---------------------------------------------------------------- labels and legend


def test_each_lesion_is_labelled_with_its_level_sins_and_escc():
    svg, _ = diagram({"level": "T10", **FULL, "escc": "3"},
                     {"level": "L3", "pain": "none", "bone_lesion": "lytic", "alignment": "normal",
                      "collapse": "none", "posterolateral": "none", "escc": "0"})
    words = texts(tree(svg))
    assert "T10" in words and "SINS 9 indeterminate · ESCC 3 high" in words
    assert "L3" in words and "SINS 4 stable · ESCC 0 low" in words


def test_labels_of_neighbouring_lesions_do_not_overlap():
    lesions = [{"level": level, **FULL, "escc": "2"} for level in ("T10", "T11", "T12", "L1")]
    root = tree(diagram(*lesions)[0])
    ys = sorted(float(el.get("y", "0")) for el in root.iter(f"{SVG}text")
                if el.get("font-size") == "10")
    assert len(ys) == 4
    assert all(b - a >= 26 for a, b in itertools.pairwise(ys))


def test_a_lesion_without_a_level_is_listed_but_not_drawn():
    svg, _ = diagram({"escc": "2"})
    assert any("level not recorded" in t and "not drawn" in t for t in texts(tree(svg)))
    rects = level_rects(tree(svg))
    assert all(fills == ("#f1f1f1", "#ffffff") for fills in rects.values())


def test_a_case_without_lesions_says_so():
    assert "No lesion recorded." in texts(tree(diagram()[0]))


def test_the_legend_names_every_category_in_words():
    words = texts(tree(diagram()[0]))
    for _, text in (*SINS_LEGEND, *ESCC_LEGEND):
        assert text in words
    assert "no lesion recorded" in words


def test_every_category_differs_in_pattern_not_only_in_colour():
    patterns = [_STYLE[step][1] for step in ("low", "mid", "high", "unknown", "not_scored")]
    assert len(set(patterns)) == len(patterns)


def test_the_palette_gets_darker_with_severity_so_it_reads_in_greyscale():
    def luminance(colour: str) -> float:
        r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
        return 0.2126 * r + 0.7152 * g + 0.0722 * b

    steps = [luminance(_STYLE[step][0]) for step in ("low", "mid", "high")]
    assert steps[0] - steps[1] >= 0.15 and steps[1] - steps[2] >= 0.15


def test_two_cases_get_different_pattern_ids_so_both_can_sit_on_one_page():
    first, _ = diagram({"level": "T10", **FULL}, case_id="a")
    second, _ = diagram({"level": "T10", **FULL}, case_id="b")
    ids = {re.search(r'id="(sp[0-9a-f]+)-dots"', svg).group(1) for svg in (first, second)}
    assert len(ids) == 2


# ---------------------------------------------------------------- the patient version


def test_the_patient_diagram_names_places_and_shows_no_scores():
    assessment = assess(make_case(lesions=[{"level": "T6", **FULL, "escc": "2"}]))
    svg = patient_spine_svg(assessment)
    words = texts(tree(svg))
    assert "middle of the back" in words
    assert not any("SINS" in w or "ESCC" in w for w in words)
    assert "a bone where the scans found a tumour" in words


def test_the_patient_diagram_names_both_ends_of_a_long_lesion():
    assessment = assess(make_case(lesions=[{"level": "T11", "extends_to": "L2"}]))
    words = texts(tree(patient_spine_svg(assessment)))
    assert "back, above the waist to lower back" in words


def test_the_patient_diagram_says_when_no_tumour_is_marked_or_placed():
    assert "No tumour has been marked on a scan yet." in texts(
        tree(patient_spine_svg(assess(make_case()))))
    words = texts(tree(patient_spine_svg(assess(make_case(lesions=[{"escc": "1a"}])))))
    assert "A tumour was found, but the notes do not say which bone" in words


# ---------------------------------------------------------------- invariants


LESION = st.builds(
    lambda first, span, parts, escc: {
        "level": first, **({"extends_to": LEVELS[min(LEVEL_INDEX[first] + span, 30)]}
                           if span else {}), **parts, **({"escc": escc} if escc else {})},
    st.sampled_from(LEVELS),
    st.integers(0, 3),
    st.fixed_dictionaries({}, optional={
        "pain": st.sampled_from(["mechanical", "occasional", "none"]),
        "bone_lesion": st.sampled_from(["lytic", "mixed", "blastic"]),
        "alignment": st.sampled_from(["subluxation", "deformity", "normal"]),
        "collapse": st.sampled_from(["over_50", "under_50", "none_over_50_involved", "none"]),
        "posterolateral": st.sampled_from(["bilateral", "unilateral", "none"])}),
    st.one_of(st.none(), st.sampled_from(["0", "1a", "1b", "1c", "2", "3"])),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(LESION, max_size=4))
def test_every_lesion_level_is_marked_and_every_other_level_is_plain(lesions):
    assessment = assess(make_case(lesions=lesions))
    root = tree(spine_svg(assessment))
    rects = level_rects(root)
    assert list(rects) == list(LEVELS)
    covered = {level for mark in lesion_marks(assessment) for level in mark.levels}
    for level, fills in rects.items():
        if level in covered:
            assert fills != ("#f1f1f1", "#ffffff"), level
            assert kind(fills[0]) != "none" and kind(fills[1]) != "none", (level, fills)
        else:
            assert fills == ("#f1f1f1", "#ffffff"), level
    bold = {el.text for el in root.iter(f"{SVG}text") if el.get("font-weight") == "bold"
            and el.text in LEVELS}
    assert bold == covered
    words = " ".join(texts(root))
    for mark in lesion_marks(assessment):
        assert mark.label.partition(" · ")[2] in words


def test_a_lesion_missing_from_the_escc_list_is_placed_by_its_sins_label():
    assessment = assess(make_case(lesions=[{"level": "T10", "extends_to": "T12", **FULL}]))
    assessment["scores"]["escc"]["lesions"] = []  # e.g. a stored assessment from another tool
    [mark] = lesion_marks(assessment)
    assert mark.levels == ("T10", "T11", "T12")
    assert mark.escc == "unknown"
    assert mark.label.endswith("· ESCC not graded")
