"""Throughput of validate + assess in one process, and the CLI's cold start.

Prints assessments per second over the shipped demo cases (validation included) and the median
wall time of `oncospine assess CASE --format json` started afresh. Targets: ≥ 5,000/s and
≤ 300 ms. Run: `make bench` (or `.venv/bin/python benchmarks/assess_throughput.py`).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from importlib import resources
from pathlib import Path

import yaml

from oncospine.assessment import assess
from oncospine.case import validate_case


def demo_documents() -> list[tuple[str, dict]]:
    folder = resources.files("oncospine") / "examples"
    docs = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".yaml"):
            docs.append((entry.name, yaml.safe_load(entry.read_text("utf-8"))))
    return docs


def throughput(seconds: float = 3.0) -> tuple[float, int]:
    docs = [doc for _, doc in demo_documents()]
    for doc in docs:  # warm caches (knowledge tables) once, as a server would
        assess(validate_case(doc))
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for doc in docs:
            assess(validate_case(doc))
        count += len(docs)
    return count / (time.perf_counter() - start), count


def cold_start(runs: int = 15) -> list[float]:
    exe = Path(sys.executable).with_name("oncospine")
    folder = resources.files("oncospine") / "examples"
    case = str(folder / "mscc-emergency.yaml")
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run([str(exe), "assess", case, "--format", "json"], check=True,
                       capture_output=True)
        times.append((time.perf_counter() - start) * 1000)
    return times


def main() -> None:
    rate, count = throughput()
    print(f"assess throughput: {rate:,.0f} assessments/s "
          f"({count:,} assessments of {len(demo_documents())} demo cases, validation included)")
    times = cold_start()
    median = statistics.median(times)
    print(f"CLI cold start (oncospine assess --format json): median {median:.0f} ms, "
          f"min {min(times):.0f} ms, max {max(times):.0f} ms over {len(times)} runs")


if __name__ == "__main__":
    main()
