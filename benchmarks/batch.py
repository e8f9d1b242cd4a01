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
import os
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

# Runs the command in a child and reports its own peak resident memory (VmHWM, which starts
# afresh with the child's program; getrusage would also count the parent's pages at fork time).
CHILD = """
import atexit, sys
def peak():
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM'):
            sys.stderr.write('PEAK_KIB ' + line.split()[1] + '\\n')
atexit.register(peak)
from oncospine.cli import main
sys.argv = ['oncospine', *sys.argv[1:]]
main()
"""


def batch_run(source: Path, out: Path) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak memory (GiB) of `oncospine batch` in a fresh process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", CHILD, "batch", str(source), "--out", str(out)],
                          check=True, capture_output=True, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    kib = next(int(line.split()[1]) for line in proc.stderr.splitlines()
               if line.startswith("PEAK_KIB"))
    return wall, cpu, kib / 1024 / 1024


def assess_rate(source: Path, sample: int) -> tuple[float, float]:
    """Cases per second of validate_case + assess() (by wall and by CPU time) on a sample."""
    frame = pl.read_parquet(source, n_rows=sample)
    documents = list(synth.documents(frame))
    for document in documents[:50]:  # warm the caches as a long-running process would
        assess(validate_case(document))
    start, cpu = time.perf_counter(), time.process_time()
    for document in documents:
        assess(validate_case(document))
    return (len(documents) / (time.perf_counter() - start),
            len(documents) / (time.process_time() - cpu))


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
        runs = [batch_run(source, tmp / "scored.parquet") for _ in range(args.runs)]
        wall, cpu, gib = min(runs)
        rows = pl.scan_parquet(tmp / "scored.parquet").select(pl.len()).collect().item()
        by_wall, by_cpu = assess_rate(source, args.sample)
        load = os.getloadavg()[0]
        print(f"load average at the end: {load:.1f} on {os.cpu_count()} cores")
        print(f"batch: {rows:,} cases, Parquet in → Parquet out, fresh process: best wall "
              f"{wall:.1f} s of {args.runs} ({', '.join(f'{r[0]:.1f}' for r in runs)}), "
              f"{rows / wall:,.0f} cases/s; CPU {cpu:.1f} s; peak memory {gib:.2f} GiB "
              "(target ≤ 10 s)")
        print(f"assess() loop on {args.sample:,} of the same cases: {by_wall:,.0f} cases/s by "
              f"wall, {by_cpu:,.0f} by CPU time; batch speed-up {rows / wall / by_wall:,.0f}× "
              f"by wall, {rows / cpu / by_cpu:,.0f}× by CPU time (target ≥ 50×)")
        if args.big:
            big = tmp / "big.parquet"
            source.unlink()
            synth.write_registry(big, args.big, seed=2)
            wall, cpu, gib = batch_run(big, tmp / "big-scored.parquet")
            print(f"streaming {args.big:,} cases: wall {wall:.0f} s, CPU {cpu:.0f} s, peak "
                  f"memory {gib:.2f} GiB (target ≤ 2 GB)")


if __name__ == "__main__":
    main()
