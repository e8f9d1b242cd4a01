"""PDF output: every public vector's clinician report and patient summary, page by page.

Each PDF is made with WeasyPrint, its pages are turned into PNG images with poppler's
`pdftoppm`, and each page must exist and carry ink. `pdfinfo` gives the paper size and
`pdftotext` the text, so the tests also check what the printed page says. Nothing is fetched:
the fetcher refuses every URL, and a test proves it.

References: DESIGN.md principle 5 (real parts); scripts/system-deps.sh installs poppler-utils.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from functools import cache
from pathlib import Path

import pytest
from PIL import Image
from test_report_common import example, vector_cases

from oncospine.assessment import assess
from oncospine.reports import clinician_html, html_to_pdf, patient_html
from oncospine.reports.pdf import refusing_fetcher

VECTORS = vector_cases()
KINDS = {"clinician": clinician_html, "patient": patient_html}
INK = 200  # a pixel darker than this (0–255 grey) is ink


def _require(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:  # never skip: the Makefile installs poppler-utils before the tests
        raise RuntimeError(f"{tool} not found: run scripts/system-deps.sh (poppler-utils)")
    return path


@cache
def pdf_of(name: str, kind: str, paper: str = "a4") -> bytes:
    case = dict(VECTORS)[name] if name in dict(VECTORS) else example(name)[0]
    return html_to_pdf(KINDS[kind](case, assess(case), paper=paper))


def pages_as_png(pdf: bytes, folder: Path, dpi: int = 24) -> list[Path]:
    source = folder / "report.pdf"
    source.write_bytes(pdf)
    subprocess.run([_require("pdftoppm"), "-r", str(dpi), "-png", str(source),
                    str(folder / "page")], check=True, capture_output=True, timeout=120)
    return sorted(folder.glob("page-*.png"), key=lambda p: int(p.stem.rsplit("-", 1)[1]))


def pdf_info(pdf: bytes, folder: Path) -> dict[str, str]:
    source = folder / "info.pdf"
    source.write_bytes(pdf)
    out = subprocess.run([_require("pdfinfo"), str(source)], check=True, capture_output=True,
                         text=True, timeout=60).stdout
    return {k.strip(): v.strip() for k, _, v in (line.partition(":") for line in out.splitlines())}


def pdf_text(pdf: bytes, folder: Path) -> str:
    source = folder / "text.pdf"
    source.write_bytes(pdf)
    return subprocess.run([_require("pdftotext"), str(source), "-"], check=True,
                          capture_output=True, text=True, timeout=60).stdout


def ink(page: Path) -> float:
    """The share of a page's pixels that are ink (not near-white)."""
    with Image.open(page) as image:
        grey = image.convert("L")
        dark = sum(grey.histogram()[:INK])
        return dark / (grey.width * grey.height)


# ---------------------------------------------------------------- every vector, every page


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", [name for name, _ in VECTORS])
def test_every_public_vector_prints_to_pages_that_all_carry_ink(name, kind, tmp_path):
    pdf = pdf_of(name, kind)
    assert pdf.startswith(b"%PDF-")
    pages = pages_as_png(pdf, tmp_path)
    assert pages, "no pages"
    assert int(pdf_info(pdf, tmp_path)["Pages"]) == len(pages)
    for page in pages:
        share = ink(page)
        assert share > 0.004, f"{page.name} is blank ({share:.4f} ink)"


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("name", [name for name, _ in VECTORS])
def test_every_printed_page_is_numbered(name, kind, tmp_path):
    pdf = pdf_of(name, kind)
    text = pdf_text(pdf, tmp_path)
    total = int(pdf_info(pdf, tmp_path)["Pages"])
    numbers = re.findall(r"page (\d+) of (\d+)", text)
    assert [int(n) for n, _ in numbers] == list(range(1, total + 1))
    assert {int(t) for _, t in numbers} == {total}


def test_the_blank_page_check_can_fail(tmp_path):
    blank = html_to_pdf('<html lang="en"><body></body></html>')
    [page] = pages_as_png(blank, tmp_path)
    assert ink(page) < 0.004


# ---------------------------------------------------------------- what the printed page says


def test_the_printed_emergency_report_opens_with_the_triage_banner(tmp_path):
    text = pdf_text(pdf_of("mscc-emergency", "clinician"), tmp_path)
    first = text.split("\f")[0]
    assert "Clinician report: demo-mscc-emergency" in first
    assert "Triage: EMERGENCY — act now" in first
    assert "Actions now" in first


def test_the_emergency_banner_is_printed_dark_on_the_first_page(tmp_path):
    pages = pages_as_png(pdf_of("mscc-emergency", "clinician"), tmp_path, dpi=30)
    with Image.open(pages[0]) as image:
        raw = image.convert("RGB").tobytes()
        pixels = zip(raw[0::3], raw[1::3], raw[2::3], strict=True)
        red = sum(1 for r, g, b in pixels if r > 110 and g < 60 and b < 60)
        assert red / (image.width * image.height) > 0.03


def test_the_printed_patient_summary_has_the_warning_signs_on_its_first_page(tmp_path):
    for name in ("mscc-emergency", "stable-breast"):
        first = pdf_text(pdf_of(name, "patient"), tmp_path).split("\f")[0]
        assert "Get help at once if you notice any of these" in first, name
        assert "Call 999 or go to A&E straight away" in first, name


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("paper", "size"), [("a4", "595.276 x 841.89 pts (A4)"),
                                             ("letter", "612 x 792 pts (letter)")])
def test_a4_and_letter_print_at_their_own_size(kind, paper, size, tmp_path):
    info = pdf_info(pdf_of("stable-breast", kind, paper), tmp_path)
    assert info["Page size"] == size


def test_the_spine_diagram_prints_as_vector_graphics_with_its_labels(tmp_path):
    text = pdf_text(pdf_of("mscc-emergency", "clinician"), tmp_path)
    assert "SINS 9 indeterminate · ESCC 3 high" in text
    assert "Vertebral body: SINS" in text


# ---------------------------------------------------------------- nothing is fetched


def test_a_stray_outside_reference_is_refused_and_the_pdf_still_made():
    refused: list[str] = []
    html = ('<html lang="en"><head><link rel="stylesheet" href="https://example.invalid/a.css">'
            '</head><body><p>text</p><img src="http://example.invalid/x.png">'
            '<img src="file:///etc/hostname"></body></html>')
    pdf = html_to_pdf(html, refused=refused)
    assert pdf.startswith(b"%PDF-")
    assert set(refused) == {"https://example.invalid/a.css", "http://example.invalid/x.png",
                            "file:///etc/hostname"}


def test_the_refusing_fetcher_refuses_directly():
    refused: list[str] = []
    fetcher = refusing_fetcher(refused)
    with pytest.raises(ValueError, match="load nothing"):
        fetcher("https://example.invalid/")
    fetcher_without_log = refusing_fetcher()
    with pytest.raises(ValueError):
        fetcher_without_log.fetch("data:text/plain,x")
    assert refused == ["https://example.invalid/"]


def test_a_real_report_asks_for_nothing():
    case, assessment = example("mscc-emergency")
    refused: list[str] = []
    html_to_pdf(patient_html(case, assessment), refused=refused)
    html_to_pdf(clinician_html(case, assessment), refused=refused)
    assert refused == []
