"""Time to make one report: HTML and PDF, clinician report and patient summary.

Prints the median wall time over repeated runs for the `mscc-emergency` demo case (the longest
demo report), after one warm-up run, plus the first PDF of a process (which pays for importing
WeasyPrint). The assessment is made once; only the report is timed.
Run: `.venv/bin/python benchmarks/report.py` (figures recorded in docs/benchmarks.md).
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from importlib import resources

from oncospine.assessment import assess
from oncospine.case import parse_case_text
from oncospine.reports import clinician_html, html_to_pdf, patient_html

CASE = "mscc-emergency"


def timed(job: Callable[[], object], runs: int) -> list[float]:
    job()  # warm-up: templates compiled, knowledge tables loaded
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        job()
        times.append((time.perf_counter() - start) * 1000)
    return times


def line(label: str, times: list[float]) -> str:
    return (f"{label:<34} median {statistics.median(times):8.1f} ms "
            f"(min {min(times):.1f}, max {max(times):.1f}, n={len(times)})")


def main() -> None:
    text = (resources.files("oncospine") / "examples" / f"{CASE}.yaml").read_text("utf-8")
    case = parse_case_text(text)
    assessment = assess(case)

    start = time.perf_counter()
    html_to_pdf(clinician_html(case, assessment))
    first = (time.perf_counter() - start) * 1000

    clinician = clinician_html(case, assessment)
    patient = patient_html(case, assessment)
    print(f"report benchmark, demo case {CASE}")
    print(line("clinician report, HTML", timed(lambda: clinician_html(case, assessment), 50)))
    print(line("patient summary, HTML", timed(lambda: patient_html(case, assessment), 50)))
    print(line("clinician report, HTML to PDF", timed(lambda: html_to_pdf(clinician), 9)))
    print(line("patient summary, HTML to PDF", timed(lambda: html_to_pdf(patient), 9)))
    print(f"{'first PDF in a fresh process':<34} {first:8.1f} ms (includes importing WeasyPrint)")


if __name__ == "__main__":
    main()
