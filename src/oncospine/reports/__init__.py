"""Reports: the clinician report and the patient summary, as HTML and PDF, with a spine diagram.

Public API (kept stable for the web app and the CLI):

- `spine_svg(assessment)`: inline SVG of the spine, every lesion level coloured and labelled.
- `clinician_html(case, assessment, *, paper="a4")`: the clinician report.
- `patient_html(case, assessment, *, paper="a4")`: the plain-language patient summary.
- `html_to_pdf(html)`: PDF bytes through WeasyPrint; nothing outside the document is fetched.
- `render_report(case, assessment, fmt, *, paper="a4")`: one of the four formats as bytes.

Every HTML document is self-contained: inline CSS, inline SVG, `lang` set, no external fetches.
The clinical core never imports this package.
"""

from __future__ import annotations

from typing import Any

from oncospine.case import Case
from oncospine.errors import UnknownNameError
from oncospine.reports._render import PAPERS
from oncospine.reports.clinician import clinician_html
from oncospine.reports.diagram import spine_svg
from oncospine.reports.patient import patient_html
from oncospine.reports.pdf import html_to_pdf

FORMATS = ("html", "pdf", "patient-html", "patient-pdf")


def render_report(case: Case, assessment: dict[str, Any], fmt: str, *,
                  paper: str = "a4") -> bytes:
    """A report in one of FORMATS: UTF-8 HTML bytes or PDF bytes."""
    if fmt not in FORMATS:
        raise UnknownNameError("report format", fmt, FORMATS)
    build = patient_html if fmt.startswith("patient") else clinician_html
    html = build(case, assessment, paper=paper)
    return html_to_pdf(html) if fmt.endswith("pdf") else html.encode("utf-8")


__all__ = ["FORMATS", "PAPERS", "clinician_html", "html_to_pdf", "patient_html",
           "render_report", "spine_svg"]
