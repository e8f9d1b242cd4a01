"""Snapshots of both reports for every demo case, so any change to a report is seen in review.

A snapshot is the report's HTML with the inlined stylesheet and the knowledge hash replaced by
markers (a style change or a knowledge change elsewhere should not hide a content change here).
Each test also checks what the snapshot says, not only that it is unchanged.

Refresh after an intended change, then read the diff before committing:

    ONCOSPINE_UPDATE_SNAPSHOTS=1 .venv/bin/pytest tests/unit/test_report_snapshots.py -q
    git diff tests/snapshots/reports/

References: docs/reports.md "Snapshots".
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from test_report_common import EXAMPLE_NAMES, example, visible_text

from oncospine.render.rows import LEVEL_LABEL
from oncospine.reports import clinician_html, patient_html
from oncospine.reports._render import stylesheet

SNAPSHOTS = Path(__file__).resolve().parents[1] / "snapshots" / "reports"
UPDATE = os.environ.get("ONCOSPINE_UPDATE_SNAPSHOTS") == "1"
KINDS = {"clinician": clinician_html, "patient": patient_html}


def normalise(html: str, sha256: str) -> str:
    """The report as stored: stylesheet and knowledge hash replaced by markers."""
    html = html.replace(stylesheet("report.css"), "/* report.css */\n")
    return html.replace(sha256[:12], "KNOWLEDGE-SHA256")


def snapshot_path(name: str, kind: str) -> Path:
    return SNAPSHOTS / f"{name}.{kind}.html"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", EXAMPLE_NAMES)
def test_the_report_matches_its_snapshot(name, kind):
    case, assessment = example(name)
    html = normalise(KINDS[kind](case, assessment), assessment["ruleset"]["sha256"])
    path = snapshot_path(name, kind)
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(html, encoding="utf-8")
    assert path.exists(), (f"no snapshot {path.name}: create it with "
                           "ONCOSPINE_UPDATE_SNAPSHOTS=1 (see the module docstring)")
    stored = path.read_text("utf-8")
    assert stored == html, (f"{path.name} changed: if intended, refresh the snapshots with "
                            "ONCOSPINE_UPDATE_SNAPSHOTS=1 and review the diff")
    # What the snapshot says, not only that it is unchanged.
    text = visible_text(stored)
    assert "/* report.css */" in stored
    if kind == "clinician":
        assert f"Triage: {LEVEL_LABEL[assessment['triage']['level']]}" in text
        assert f"Ruleset {assessment['ruleset']['version']} (knowledge SHA-256 KNOWLEDGE-SHA256…)" \
            in text
        for path_missing in assessment["missing_inputs"]:
            assert path_missing in text
        for option in assessment["plan"]["options"]:
            assert option["rationale"] in text
    else:
        assert "Get help at once if you notice any of these" in text
        emergency = "This is an emergency" in text
        assert emergency == (assessment["triage"]["level"] == "emergency")


def test_there_is_no_stale_snapshot():
    expected = {snapshot_path(n, k).name for n in EXAMPLE_NAMES for k in KINDS}
    stored = {p.name for p in SNAPSHOTS.glob("*.html")}
    assert stored == expected, f"stale or missing: {sorted(stored ^ expected)}"


def test_normalising_hides_only_the_stylesheet_and_the_hash():
    sha = "abcdef0123456789" * 4
    html = f"<style>{stylesheet('report.css')}</style><p>{sha[:12]}</p><p>content</p>"
    out = normalise(html, sha)
    assert out == "<style>/* report.css */\n</style><p>KNOWLEDGE-SHA256</p><p>content</p>"
    assert re.search("content", out)
