"""Registry mode: batch scoring speed, the speed-up over assess(), and memory when streaming.

1. Wall time of `oncospine batch IN.parquet --out OUT.parquet` on 1,000,000 synthetic cases,
   started afresh (imports and table building included). Target ≤ 10 s.
2. Cases per second, and the speed-up over validate + `assess()` in a loop on a sample of the
   same registry. Target ≥ 50×.
3. Peak memory (maximum resident set) of the same command on 10,000,000 cases, which it reads
   and writes in batches. Target ≤ 2 GB.

Run: `.venv/bin/python benchmarks/batch.py` (`--cases`, `--big`, `--sample` to change sizes;
`--big 0` skips the 10-million run). The registries are written to a temporary folder.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import polars as pl

from oncospine import synth
from oncospine.assessment import assess
from oncospine.case import validate_case


def command(*args: str) -> list[str]:
    return [str(Path(sys.executable).with_name("oncospine")), *args]


def timed_batch(source: Path, out: Path) -> float:
    start = time.perf_counter()
    subprocess.run(command("batch", str(source), "--out", str(out)), check=True,
                   capture_output=True)
    return time.perf_counter() - start


def assess_rate(source: Path, sample: int) -> float:
    """Cases per second of validate_case + assess() over documents of the same registry."""
    frame = pl.read_parquet(source, n_rows=sample)
    documents = list(synth.documents(frame))
    for document in documents[:50]:  # warm the caches as a long-running process would
        assess(validate_case(document))
    start = time.perf_counter()
    for document in documents:
        assess(validate_case(document))
    return len(documents) / (time.perf_counter() - start)


def peak_memory(source: Path, out: Path) -> tuple[float, float]:
    """Wall seconds and peak resident memory (GiB) of one batch run in a child process."""
    start = time.perf_counter()
    subprocess.run(command("batch", str(source), "--out", str(out)), check=True,
                   capture_output=True)
    seconds = time.perf_counter() - start
    kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return seconds, kib / 1024 / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--big", type=int, default=10_000_000)
    parser.add_argument("--sample", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        source = tmp / "registry.parquet"
        synth.write_registry(source, args.cases, seed=1)
        times = [timed_batch(source, tmp / "scored.parquet") for _ in range(args.runs)]
        best = min(times)
        rows = pl.scan_parquet(tmp / "scored.parquet").select(pl.len()).collect().item()
        rate = rows / best
        single = assess_rate(source, args.sample)
        print(f"batch: {rows:,} cases, Parquet in → Parquet out, fresh process: best "
              f"{best:.1f} s of {args.runs} ({', '.join(f'{t:.1f}' for t in times)}), "
              f"{rate:,.0f} cases/s (target ≤ 10 s)")
        print(f"assess() loop on {args.sample:,} of the same cases: {single:,.0f} cases/s; "
              f"batch speed-up {rate / single:,.0f}× (target ≥ 50×)")
        if args.big:
            big = tmp / "big.parquet"
            synth.write_registry(big, args.big, seed=2)
            source.unlink()
            seconds, gib = peak_memory(big, tmp / "big-scored.parquet")
            print(f"streaming {args.big:,} cases: {seconds:.0f} s, peak memory {gib:.2f} GiB "
                  "(target ≤ 2 GB)")


if __name__ == "__main__":
    main()
