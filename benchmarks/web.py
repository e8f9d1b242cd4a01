"""Latency of the web app with 10,000 stored cases, and POST /api/assess under 50 clients.

Seeds a fresh SQLite file with 10,000 cases (variants of the demo cases), starts the real server
(`oncospine serve`) in its own process, then measures from this process over HTTP on 127.0.0.1:
- the case page (`GET /cases/{id}`, random ids): median and p95 (target p95 <= 50 ms);
- the filtered case list (`GET /cases?level=urgent&pathway=mscc`, and by meeting): median and
  p95 (target p95 <= 100 ms);
- `POST /api/assess` from 50 concurrent clients: requests/s, median, p95 and errors (target 0).
Run: `.venv/bin/python benchmarks/web.py [--cases 10000]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any

import httpx
import yaml

from oncospine.store import Store

LEVELS = ["T4", "T8", "T10", "T12", "L1", "L2", "L3", "C5", "S1"]


def demo_cases() -> list[dict[str, Any]]:
    folder = resources.files("oncospine") / "examples"
    found = []
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".yaml"):
            doc = yaml.safe_load(entry.read_text("utf-8"))
            found.append(json.loads(json.dumps(doc, default=lambda d: d.isoformat())))
    return found


def variant(base: dict[str, Any], n: int, rng: random.Random) -> dict[str, Any]:
    case = json.loads(json.dumps(base))
    case["id"] = f"bench-{n:05d}"
    for lesion in case.get("lesions", []):
        lesion["level"] = rng.choice(LEVELS)
        lesion.pop("extends_to", None)
    return case


def seed(url: str, count: int) -> tuple[str, list[int], int]:
    store = Store(url)
    store.add_user("bench", "chair", password="bench-password")
    token = store.create_token("bench", "benchmark")
    rng = random.Random(7)
    bases = demo_cases()
    ids = [store.create_case(variant(bases[n % len(bases)], n, rng), "bench").id
           for n in range(count)]
    meeting = store.create_meeting(date(2026, 11, 26), "Benchmark board", "bench",
                                   attendees=[("A", "spinal_surgeon"),
                                              ("B", "clinical_oncologist")],
                                   case_ids=rng.sample(ids, 40))
    store.close()
    return token, ids, meeting.id


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def timed(client: httpx.Client, paths: list[str]) -> list[float]:
    out = []
    for path in paths:
        start = time.perf_counter()
        response = client.get(path)
        out.append((time.perf_counter() - start) * 1000)
        response.raise_for_status()
    return out


def summary(ms: list[float]) -> str:
    ordered = sorted(ms)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    return f"median {statistics.median(ordered):.1f} ms, p95 {p95:.1f} ms (n={len(ordered)})"


async def concurrent_assess(base: str, token: str, body: dict[str, Any], clients: int,
                            each: int) -> tuple[list[float], int, float]:
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": f"Bearer {token}"},
                                 limits=limits, timeout=60) as client:
        async def worker() -> None:
            nonlocal errors
            for _ in range(each):
                start = time.perf_counter()
                try:
                    response = await client.post("/api/assess", json=body)
                    if response.status_code != 200:
                        errors += 1
                except httpx.HTTPError:
                    errors += 1
                latencies.append((time.perf_counter() - start) * 1000)

        start = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(clients)))
        wall = time.perf_counter() - start
    return latencies, errors, wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.db'}"
        start = time.perf_counter()
        token, ids, meeting = seed(url, args.cases)
        print(f"seeded {len(ids)} cases in {time.perf_counter() - start:.1f} s")
        port = free_port()
        server = subprocess.Popen(
            [str(Path(sys.executable).parent / "oncospine"), "serve", "--port", str(port),
             "--database-url", url], env={**os.environ}, stdout=subprocess.DEVNULL)
        base = f"http://127.0.0.1:{port}"
        try:
            for _ in range(200):
                try:
                    if httpx.get(base + "/health").status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.1)
            rng = random.Random(11)
            headers = {"Authorization": f"Bearer {token}"}
            with httpx.Client(base_url=base, headers=headers) as client:
                timed(client, [f"/cases/{i}" for i in rng.sample(ids, 20)])   # warm up
                page = timed(client, [f"/cases/{i}" for i in rng.sample(ids, 400)])
                listing = timed(client, ["/cases?level=urgent&pathway=mscc"] * 150
                                + [f"/cases?meeting={meeting}"] * 50
                                + ["/cases?level=emergency&page_no=3"] * 100)
            print(f"case page        : {summary(page)}   target p95 <= 50 ms")
            print(f"filtered list    : {summary(listing)}   target p95 <= 100 ms")
            body = demo_cases()[3]
            latencies, errors, wall = asyncio.run(concurrent_assess(base, token, body, 50, 40))
            print(f"POST /api/assess : 50 clients x 40 = {len(latencies)} requests, "
                  f"{len(latencies) / wall:.0f} req/s, {summary(latencies)}, errors {errors}"
                  "   target 0 errors")
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
