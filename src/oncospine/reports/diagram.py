"""The spine diagram: every level from the occiput to the coccyx in a sagittal column, as SVG.

The person faces left. Each level is a vertebral body with the spinal canal behind it. A lesion
colours the body by its SINS band (how stable the bone is) and the canal by its ESCC group (how
much the cord is compressed), so the two findings never share one colour. Colour is never the only
signal: every category also has its own pattern, and each lesion carries a written label
("T10 · SINS 9 indeterminate · ESCC 3 high"). The palette is ordered by lightness, so it reads in
greyscale print, and avoids red-green pairs.

A lesion with `extends_to` covers every level of its span. A level shared by two lesions shows
the worse finding of each kind; the labels list each lesion. An unknown finding is drawn as
"not decided" and never as the mildest category.

References: SINS bands (scores.md §1, assessment-format.md), ESCC groups (D-02).
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from html import escape
from typing import Any

from oncospine.reports.lesions import LesionMark, LevelFinding, lesion_marks, level_findings
from oncospine.reports.words import DIAGRAM_REGIONS, plain_place, region_of
from oncospine.vocab import LEVEL_INDEX, LEVELS

SINS_LEGEND = (
    ("stable", "stable (SINS 0–6)"),
    ("indeterminate", "indeterminate (SINS 7–12)"),
    ("unstable", "unstable (SINS 13–18)"),
    ("unknown", "not decided (inputs missing)"),
    ("not_scored", "not scored (outside SINS)"),
)
ESCC_LEGEND = (
    ("low", "low grade (ESCC 0, 1a, 1b)"),
    ("borderline", "borderline (ESCC 1c)"),
    ("high", "high grade (ESCC 2, 3)"),
    ("unknown", "not graded"),
)

# Fill and pattern per severity step: light blue, amber, dark red (lightness falls with severity).
_STYLE = {
    "low": ("#dbe9f6", None),
    "mid": ("#f2b134", "dots"),
    "high": ("#8e1b1b", "stripes"),
    "unknown": ("#ffffff", "query"),
    "not_scored": ("#ffffff", "lines"),
}
_SINS_STEP = {"stable": "low", "indeterminate": "mid", "unstable": "high", "unknown": "unknown",
              "not_scored": "not_scored"}
_ESCC_STEP = {"low": "low", "borderline": "mid", "high": "high", "unknown": "unknown"}

# Geometry (SVG user units). Bodies grow from the neck to the lumbar spine, then the sacrum tapers.
_TOP = 34.0
_GAP = 3.0
_SPINE_X = 150.0
_CANAL_W = 12.0
_LABEL_X = 232.0
_LINE = 13.0
_HERE = "#2f5f98"  # the patient diagram marks a level with one calm, dark colour
WIDTH = 500
PATIENT_WIDTH = 450
PATIENT_TEXT = 1.35  # the patient drawing's words are larger: the reader may not be a clinician


def _size(level: str) -> tuple[float, float]:
    """(height, width) of one vertebral body."""
    if level == "C0":
        return 13.0, 40.0
    if level == "Co":
        return 9.0, 12.0
    region, number = level[0], int(level[1:])
    if region == "C":
        return 11.0, 24.0 + number
    if region == "T":
        return 12.5 + number * 0.35, 31.0 + number * 0.7
    if region == "L":
        return 18.0, 44.0 + number * 0.5
    return 11.5, 44.0 - number * 5.5  # sacral segments, fused and tapering


def _curve(level: str) -> float:
    """Horizontal offset: the cervical and lumbar curves bow forward, thoracic and sacral back."""
    index = LEVEL_INDEX[level]
    spans = ((0, 8, -9.0), (8, 20, 12.0), (20, 25, -10.0), (25, 31, 10.0))
    for start, end, amplitude in spans:
        if start <= index < end:
            t = (index - start + 0.5) / (end - start)
            return amplitude * math.sin(math.pi * t)
    return 0.0  # pragma: no cover - every level lies in one span


@dataclass(slots=True)
class _Box:
    level: str
    y: float
    height: float
    width: float
    x: float  # left edge of the body (anterior side)


def _layout() -> tuple[list[_Box], float]:
    boxes: list[_Box] = []
    y = _TOP
    for level in LEVELS:
        height, width = _size(level)
        centre = _SPINE_X + _curve(level)
        boxes.append(_Box(level, y, height, width, centre - width / 2))
        fused = level.startswith("S") and level != "S1"
        y += height + (1.0 if fused else _GAP)
    return boxes, y


def _prefix(assessment: dict[str, Any]) -> str:
    """Pattern ids unique per case, so two diagrams inlined on one page never collide."""
    key = f"{assessment.get('case_id')}|{assessment.get('assessed_at')}"
    return "sp" + hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()[:8]


def _patterns(p: str) -> str:
    return (
        f'<pattern id="{p}-dots" width="5" height="5" patternUnits="userSpaceOnUse">'
        f'<rect width="5" height="5" fill="{_STYLE["mid"][0]}"/>'
        '<circle cx="2.5" cy="2.5" r="1.1" fill="#3d2a00"/></pattern>'
        f'<pattern id="{p}-stripes" width="5" height="5" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)">'
        f'<rect width="5" height="5" fill="{_STYLE["high"][0]}"/>'
        '<rect width="1.6" height="5" fill="#ffffff"/></pattern>'
        f'<pattern id="{p}-query" width="6" height="6" patternUnits="userSpaceOnUse">'
        '<rect width="6" height="6" fill="#ffffff"/>'
        '<path d="M0 0L6 6M6 0L0 6" stroke="#6b6b6b" stroke-width="0.7"/></pattern>'
        f'<pattern id="{p}-lines" width="4" height="4" patternUnits="userSpaceOnUse">'
        '<rect width="4" height="4" fill="#ffffff"/>'
        '<path d="M0 2H4" stroke="#6b6b6b" stroke-width="0.8"/></pattern>'
    )


def _fill(p: str, step: str) -> str:
    colour, pattern = _STYLE[step]
    return f"url(#{p}-{pattern})" if pattern else colour


def _rect(x: float, y: float, w: float, h: float, fill: str, stroke: str, width: float,
          radius: float = 2.5) -> str:
    return (f'<rect x="{x:.1f}" y="{y:.1f}" width="{w:.1f}" height="{h:.1f}" rx="{radius}" '
            f'fill="{fill}" stroke="{stroke}" stroke-width="{width}"/>')


def _place_labels(wanted: list[float], top: float, line: float) -> list[float]:
    """Label baselines near their lesions without overlapping (pushed down, in order)."""
    placed: list[float] = []
    for y in wanted:
        y = max(y, top, (placed[-1] + line) if placed else top)
        placed.append(y)
    return placed


def spine_svg(assessment: dict[str, Any]) -> str:
    """Inline SVG (no XML prolog) of the whole spine with each lesion coloured and labelled."""
    return _draw(assessment, patient=False)


def patient_spine_svg(assessment: dict[str, Any]) -> str:
    """The same column for the patient summary: where the tumour is, in words, with no scores."""
    return _draw(assessment, patient=True)


def _draw(assessment: dict[str, Any], *, patient: bool) -> str:
    p = _prefix(assessment) + ("p" if patient else "")
    marks = lesion_marks(assessment)
    found = level_findings(marks)
    boxes, bottom = _layout()
    by_level = {box.level: box for box in boxes}
    drawn = [m for m in marks if m.levels]
    undrawn = [m for m in marks if not m.levels]
    scale = PATIENT_TEXT if patient else 1.0
    line = _LINE * scale
    label_wanted = []
    for mark in drawn:
        first, last = by_level[mark.levels[0]], by_level[mark.levels[-1]]
        label_wanted.append((first.y + last.y + last.height) / 2 + 4)
    order = sorted(range(len(drawn)), key=lambda k: label_wanted[k])
    placed = _place_labels([label_wanted[k] for k in order], _TOP + 8, line * 2.3)
    label_y = {order[k]: placed[k] for k in range(len(order))}

    legend_top = max(bottom, (max(placed) + line * 2) if placed else 0) + 16
    notes_height = line * len(undrawn) + (line if not marks else 0)
    legend_rows = 2 if patient else len(SINS_LEGEND) + 1
    height = legend_top + notes_height + line * (legend_rows + 2) + 14

    title = _title(marks, patient)
    desc = ("Drawing of the spine from the base of the skull to the tailbone, seen from the side "
            "with the face to the left. Bones where the scans found a tumour are dark blue, "
            "outlined in black and named beside the drawing." if patient else
            "Sagittal view of the spine from the occiput (C0) to the coccyx (Co), facing left. "
            "The vertebral body shows the SINS band; the canal behind it shows the ESCC group. "
            "Each category has its own pattern as well as its colour.")
    width = PATIENT_WIDTH if patient else WIDTH
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="spine-diagram" role="img" '
        f'viewBox="0 0 {width} {height:.0f}" width="{width}" height="{height:.0f}" '
        f'aria-labelledby="{p}-title {p}-desc" font-family="DejaVu Sans, Liberation Sans, '
        f'Arial, sans-serif">',
        f'<title id="{p}-title">{escape(title)}</title>',
        f'<desc id="{p}-desc">{desc}</desc>',
        f"<defs>{_patterns(p)}</defs>",
    ]
    if patient:
        out.append('<text x="8" y="15" font-size="14" font-weight="bold" fill="#111">Your spine, '
                   'seen from the side</text>')
        out.append('<text x="8" y="29" font-size="11.5" fill="#333">front of the body on the '
                   'left, back on the right</text>')
    else:
        out.append('<text x="8" y="16" font-size="11" font-weight="bold" fill="#111">Sagittal '
                   'view, facing left (anterior on the left)</text>')
        out.append('<text x="8" y="28" font-size="9" fill="#333">body = SINS (stability) · '
                   'canal behind it = ESCC (compression)</text>')
    out.append(_brackets(by_level, patient))
    for box in boxes:
        out.append(_level(p, box, found.get(box.level), patient))
    for k, mark in enumerate(drawn):
        out.append(_label(mark, by_level, label_y[k], patient, scale))

    y = legend_top
    for mark in undrawn:
        text = ("A tumour was found, but the notes do not say which bone" if patient
                else f"Lesion {mark.index + 1}: {mark.label} (not drawn)")
        out.append(f'<text x="8" y="{y:.1f}" font-size="{9 * scale:g}" fill="#111">'
                   f"{escape(text)}</text>")
        y += line
    if not marks:
        text = ("No tumour has been marked on a scan yet." if patient
                else "No lesion recorded.")
        out.append(f'<text x="8" y="{y:.1f}" font-size="{9.5 * scale:g}" fill="#111">{text}'
                   "</text>")
        y += line
    out.append(_patient_legend(p, y + 6) if patient else _legend(p, y + 6))
    out.append("</svg>")
    return "".join(out)


def _title(marks: list[LesionMark], patient: bool) -> str:
    if not marks:
        return "Spine diagram: no lesion recorded"
    if patient:
        places = [plain_place(m.levels) for m in marks]
        return "Where the tumour is: " + "; ".join(places)
    return "Spine diagram: " + "; ".join(m.label for m in marks)


def _brackets(by_level: dict[str, _Box], patient: bool) -> str:
    parts = []
    for first, last, clinical, plain in DIAGRAM_REGIONS:
        top, end = by_level[first], by_level[last]
        y0, y1 = top.y, end.y + end.height
        parts.append(f'<path d="M40 {y0:.1f} H34 V{y1:.1f} H40" stroke="#555" '
                     'stroke-width="0.8" fill="none"/>')
        mid = (y0 + y1) / 2
        name = plain if patient else clinical
        size = 11 if patient else 8.5
        parts.append(f'<text x="28" y="{mid:.1f}" font-size="{size:g}" fill="#333" '
                     f'text-anchor="middle" transform="rotate(-90 28 {mid:.1f})">'
                     f"{escape(name)}</text>")
    return "".join(parts)


def _level(p: str, box: _Box, level_found: LevelFinding | None, patient: bool) -> str:
    canal_x = box.x + box.width + 2.0
    fused = box.level.startswith("S") and box.level != "S1"
    segment = box.height + (1.0 if fused else _GAP)
    parts = []
    if level_found is None:
        parts.append(_rect(box.x, box.y, box.width, box.height, "#f1f1f1", "#8a8a8a", 0.8))
        parts.append(_rect(canal_x, box.y, _CANAL_W, segment, "#ffffff", "#b5b5b5", 0.6, 1))
    elif patient:
        parts.append(_rect(box.x, box.y, box.width, box.height, _HERE, "#111", 1.6))
        parts.append(_rect(canal_x, box.y, _CANAL_W, segment, "#ffffff", "#b5b5b5", 0.6, 1))
    else:
        sins_step = _SINS_STEP[level_found.sins or "unknown"]
        escc_step = _ESCC_STEP[level_found.escc or "unknown"]
        parts.append(_rect(box.x, box.y, box.width, box.height, _fill(p, sins_step), "#111",
                           1.6))
        parts.append(_rect(canal_x, box.y, _CANAL_W, segment, _fill(p, escc_step), "#111",
                           1.2, 1))
    weight = ' font-weight="bold"' if level_found else ""
    parts.append(f'<text x="{box.x - 6:.1f}" y="{box.y + box.height / 2 + 3:.1f}" '
                 f'font-size="{9.5 if patient else 8.5:g}" text-anchor="end" fill="#111"'
                 f"{weight}>{box.level}</text>")
    return "".join(parts)


def _label(mark: LesionMark, by_level: dict[str, _Box], y_text: float, patient: bool,
           scale: float) -> str:
    first, last = by_level[mark.levels[0]], by_level[mark.levels[-1]]
    y_mid = (first.y + last.y + last.height) / 2
    x_from = max(b.x + b.width for b in (first, last)) + 2.0 + _CANAL_W + 2
    where, _, rest = mark.label.partition(" · ")
    if patient:
        rest = region_of(mark.levels[0], short=True)
        if len(mark.levels) > 1 and region_of(mark.levels[-1], short=True) != rest:
            rest += " to " + region_of(mark.levels[-1], short=True)
    return (f'<path d="M{x_from:.1f} {y_mid:.1f} L{_LABEL_X - 6:.1f} {y_text - 4:.1f}" '
            'stroke="#111" stroke-width="0.8" fill="none"/>'
            f'<text x="{_LABEL_X}" y="{y_text:.1f}" font-size="{10 * scale:g}" fill="#111">'
            f'<tspan font-weight="bold">{escape(where)}</tspan></text>'
            f'<text x="{_LABEL_X}" y="{y_text + _LINE * scale:.1f}" font-size="{9 * scale:g}" '
            f'fill="#111">{escape(rest)}</text>')


def _patient_legend(p: str, top: float) -> str:
    line = _LINE * PATIENT_TEXT
    return (f'<g class="legend" transform="translate(8 {top:.1f})">'
            + _rect(0, 0, 20, 12, _HERE, "#111", 1.0, 1.5)
            + '<text x="28" y="10.5" font-size="12" fill="#111">a bone where the scans found '
              'a tumour</text>'
            + _rect(0, line, 20, 12, "#f1f1f1", "#8a8a8a", 0.8, 1.5)
            + f'<text x="28" y="{line + 10.5:.1f}" font-size="12" fill="#111">no tumour found '
              'here on the scans so far</text></g>')


def _legend(p: str, top: float) -> str:
    parts = [f'<g class="legend" transform="translate(8 {top:.1f})">',
             '<text x="0" y="0" font-size="9.5" font-weight="bold" fill="#111">'
             'Vertebral body: SINS</text>',
             '<text x="232" y="0" font-size="9.5" font-weight="bold" fill="#111">'
             'Canal: ESCC</text>']
    for column, (entries, steps) in enumerate(((SINS_LEGEND, _SINS_STEP),
                                               (ESCC_LEGEND, _ESCC_STEP))):
        x = column * 232
        for row, (key, text) in enumerate(entries):
            y = 8 + row * _LINE
            parts.append(_rect(x, y, 16, 10, _fill(p, steps[key]), "#111", 1.0, 1.5))
            parts.append(f'<text x="{x + 22}" y="{y + 8.5}" font-size="8.5" fill="#111">'
                         f"{escape(text)}</text>")
    y = 8 + len(SINS_LEGEND) * _LINE
    parts.append(_rect(0, y, 16, 10, "#f1f1f1", "#8a8a8a", 0.8, 1.5))
    parts.append(f'<text x="22" y="{y + 8.5}" font-size="8.5" fill="#111">no lesion recorded'
                 "</text>")
    parts.append("</g>")
    return "".join(parts)
