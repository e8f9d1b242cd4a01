"""CDS Hooks `patient-view` under load: 50 concurrent clients against uvicorn on 127.0.0.1.

The script starts the standalone CDS app (`create_cds_app`) under uvicorn (uvloop and httptools,
`--workers` processes), then drives it from this process with 50 concurrent keep-alive clients:
plain asyncio sockets for the main rows (a cheap load generator, since it shares the cores with
the server) and httpx for comparison rows:

- `GET /health` of the same app: the trivial endpoint, the floor of the stack;
- `patient-view` with a full prefetch (the mscc-emergency demo case as an EHR would hold it,
  every prefetch key filled), the same resources on each call, as when a chart is reopened;
- the same with every resource changed on each call (a new `meta.versionId`), so that every
  resource is checked by the FHIR models afresh.

Each call carries its own RS384-signed JWT (signed before the clock starts: the EHR's cost, not
the service's). Printed: median, p99 and maximum latency, throughput, and the ratio to the
trivial endpoint in the same run. Target: p99 <= 100 ms. `--record` writes the figures into this
script's section of docs/benchmarks.md.

Run: `.venv/bin/python benchmarks/cds_hooks.py [--requests 2000] [--workers 1 2] [--record]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import socket
import statistics
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import httpx

BASE = "https://cds.bench.example"
ISS = "https://ehr.bench.example/"
SERVICE = "oncospine-spine-triage"
ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
BEGIN, END = "<!-- cds-hooks:begin -->", "<!-- cds-hooks:end -->"


def make_app(jwks: dict[str, Any]) -> Any:
    from oncospine.cds import CdsConfig, TrustedIssuer, create_cds_app

    return create_cds_app(CdsConfig(
        audience=BASE, trusted_issuers=lambda: [TrustedIssuer(ISS, jwks)],
        verify_api_token=lambda token: None, record_feedback=lambda service, item: None,
        case_link=lambda case, patient: "https://oncospine.bench.example/cases/1"))


def app_from_env() -> Any:
    """The app for a uvicorn worker process; the EHR's public keys come in the environment."""
    from oncospine.serving import settle_heap

    app = make_app(json.loads(os.environ["ONCOSPINE_BENCH_JWKS"]))
    settle_heap()  # as `oncospine serve` does
    return app


def serve(port: int, workers: int) -> None:
    import uvicorn

    uvicorn.run("cds_hooks:app_from_env", factory=True, app_dir=str(Path(__file__).parent),
                host="127.0.0.1", port=port, workers=workers, log_level="warning",
                access_log=False)


def prefetch(version: str | None = None) -> tuple[dict[str, Any], int]:
    """Every prefetch key filled from the demo case's inputs, as an EHR holds them."""
    from oncospine.assessment import assess
    from oncospine.case import load_case
    from oncospine.cds.prefetch import TEMPLATES
    from oncospine.fhir import bundle_from_assessment

    case = load_case(ROOT / "src" / "oncospine" / "examples" / "mscc-emergency.yaml")
    inputs = []
    for entry in bundle_from_assessment(case, assess(case))["entry"]:
        resource = dict(entry["resource"])
        if "meta" in resource:
            continue
        if resource["resourceType"] == "Patient":
            resource["id"] = "p1"
        else:
            resource["subject"] = {"reference": "Patient/p1"}
        if version is not None:
            resource["meta"] = {"versionId": version}
        inputs.append(resource)

    def categories(r: dict[str, Any]) -> set[str]:
        return {x.get("code") for cat in r.get("category", []) for x in cat.get("coding", [])}

    def search(test: Any) -> dict[str, Any] | None:
        found = [r for r in inputs if test(r)]
        return {"resourceType": "Bundle", "type": "searchset",
                "entry": [{"resource": r} for r in found]} if found else None

    def loinc(r: dict[str, Any]) -> str | None:
        return next((x["code"] for x in r["code"].get("coding", [])
                     if x["system"] == "http://loinc.org"), None)

    filled = {
        "patient": next(r for r in inputs if r["resourceType"] == "Patient"),
        "conditions": search(lambda r: r["resourceType"] == "Condition"),
        "performance": search(lambda r: loinc(r) in ("89247-1", "89243-0", "30525-0")
                              if r["resourceType"] == "Observation" else False),
        "labs": search(lambda r: loinc(r) in ("1751-7", "2000-8", "718-7")
                       if r["resourceType"] == "Observation" else False),
        "neurology": search(lambda r: "exam" in categories(r)),
        "case-inputs": search(lambda r: "case-input" in categories(r)),
        "imaging-reports": search(lambda r: r["resourceType"] == "DiagnosticReport"),
    }
    assert set(filled) == set(TEMPLATES)
    return filled, len(inputs)


def body(version: str | None) -> bytes:
    return json.dumps({"hook": "patient-view", "hookInstance": str(uuid.uuid4()),
                       "context": {"userId": "Practitioner/1", "patientId": "p1"},
                       "prefetch": prefetch(version)[0]}).encode()


def tokens(key: Any, count: int) -> list[str]:
    import jwt

    now = int(time.time())
    return [jwt.encode({"iss": ISS, "aud": f"{BASE}/cds-services/{SERVICE}", "iat": now,
                        "exp": now + 3600, "jti": str(uuid.uuid4())}, key, algorithm="RS384",
                       headers={"kid": "bench", "typ": "JWT"}) for _ in range(count)]


async def drive(url: str, count: int, clients: int, payloads: list[bytes] | None,
                signed: list[str] | None) -> tuple[list[float], float]:
    """Send `count` requests from `clients` concurrent clients, each its own httpx client with
    one keep-alive connection; latencies in ms, wall seconds."""
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(i)

    async def worker(client: httpx.AsyncClient) -> None:
        while not queue.empty():
            i = queue.get_nowait()
            start = time.perf_counter()
            if payloads is None or signed is None:
                response = await client.get(url)
            else:
                response = await client.post(url, content=payloads[i % len(payloads)],
                                             headers={"Authorization": f"Bearer {signed[i]}",
                                                      "Content-Type": "application/json"})
            latencies.append((time.perf_counter() - start) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{url} answered {response.status_code}: {response.text}")

    one = httpx.Limits(max_connections=1, max_keepalive_connections=1)
    pool = [httpx.AsyncClient(limits=one, timeout=60.0) for _ in range(clients)]
    try:
        for client in pool:  # open the connections before the clock starts
            await client.get(url.rsplit("/cds-services", 1)[0].rsplit("/health", 1)[0]
                             + "/health")
        began = time.perf_counter()
        await asyncio.gather(*(worker(client) for client in pool))
        return latencies, time.perf_counter() - began
    finally:
        for client in pool:
            await client.aclose()


async def drive_raw(root: str, path: str, count: int, clients: int,
                    payloads: list[bytes] | None = None,
                    signed: list[str] | None = None) -> tuple[list[float], float]:
    """The same load over plain asyncio sockets, one keep-alive connection per client.

    The load generator shares the machine's cores with the server; httpx costs about as much CPU
    per call as the service itself, so these rows show what the server does when the client is
    cheap (an EHR's calls come from other machines)."""
    host, port = root.removeprefix("http://").split(":")
    latencies: list[float] = []
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(count):
        queue.put_nowait(i)

    def request(i: int) -> bytes:
        if payloads is None or signed is None:
            return f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode()
        content = payloads[i % len(payloads)]
        return (f"POST {path} HTTP/1.1\r\nHost: {host}\r\n"
                f"Authorization: Bearer {signed[i]}\r\nContent-Type: application/json\r\n"
                f"Content-Length: {len(content)}\r\n\r\n").encode() + content

    async def connection() -> None:
        reader, writer = await asyncio.open_connection(host, int(port))
        while not queue.empty():
            i = queue.get_nowait()
            data = request(i)
            start = time.perf_counter()
            writer.write(data)
            await writer.drain()
            head = await reader.readuntil(b"\r\n\r\n")
            length = next(int(line.split(b":")[1]) for line in head.split(b"\r\n")
                          if line.lower().startswith(b"content-length"))
            answer = await reader.readexactly(length)
            latencies.append((time.perf_counter() - start) * 1000)
            if not head.startswith(b"HTTP/1.1 200"):
                raise SystemExit(f"{path} answered {head.splitlines()[0]!r}: {answer[:300]!r}")
        writer.close()

    began = time.perf_counter()
    await asyncio.gather(*(connection() for _ in range(clients)))
    return latencies, time.perf_counter() - began


async def phases(root: str, requests: int, clients: int, key: Any) -> list[dict[str, Any]]:
    """Warm up (caches filled), then time each endpoint in turn."""
    path = f"/cds-services/{SERVICE}"
    url = f"{root}{path}"
    warm, single = 200, 300
    repeat = [body(None)]
    fresh = [body(str(i)) for i in range(requests)]
    signed = tokens(key, warm + 4 * requests + single)
    lot = iter(range(0, len(signed), requests))

    def batch() -> list[str]:
        first = next(lot)
        return signed[first:first + requests]

    await drive(f"{root}/health", warm, clients, None, None)
    await drive(url, warm, clients, repeat, signed[-warm - single:-single])
    return [
        summary("GET /health, one client", *await drive(f"{root}/health", single, 1, None, None)),
        summary("patient-view (same resources), one client",
                *await drive(url, single, 1, repeat, signed[-single:])),
        summary("GET /health (trivial endpoint)",
                *await drive_raw(root, "/health", requests, clients)),
        summary("patient-view, full prefetch, same resources each call",
                *await drive_raw(root, path, requests, clients, repeat, batch())),
        summary("patient-view, full prefetch, every resource new each call",
                *await drive_raw(root, path, requests, clients, fresh, batch())),
        summary("GET /health, httpx clients", *await drive(f"{root}/health", requests, clients,
                                                           None, None)),
        summary("patient-view, same resources, httpx clients",
                *await drive(url, requests, clients, repeat, batch())),
    ]


def summary(name: str, latencies: list[float], wall: float) -> dict[str, Any]:
    ordered = sorted(latencies)
    return {"name": name, "n": len(ordered), "p50": statistics.median(ordered),
            "p99": ordered[max(0, int(len(ordered) * 0.99) - 1)], "max": ordered[-1],
            "rate": len(ordered) / wall}


def server_stack() -> str:
    """Which event loop and HTTP parser uvicorn picks ("auto" takes uvloop and httptools)."""
    import importlib.util

    loop = "uvloop" if importlib.util.find_spec("uvloop") else "asyncio"
    http = "httptools" if importlib.util.find_spec("httptools") else "h11"
    return f"uvicorn on {loop} with {http}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(jwks: dict[str, Any], workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {**os.environ, "ONCOSPINE_BENCH_JWKS": json.dumps(jwks)}
    proc = subprocess.Popen([sys.executable, __file__, "--serve", str(port), "--workers",
                             str(workers)], env=env)
    root = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            if httpx.get(f"{root}/health", timeout=1.0).status_code == 200:
                return proc, root
        except httpx.HTTPError:
            time.sleep(0.05)
    proc.terminate()
    raise SystemExit("the CDS app did not start")


def run(requests: int, clients: int,
        workers: int) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    from cryptography.hazmat.primitives.asymmetric import rsa
    from jwt.algorithms import RSAAlgorithm

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    public.update(kid="bench", alg="RS384", use="sig")
    proc, root = start_server({"keys": [public]}, workers)
    try:
        results = asyncio.run(phases(root, requests, clients, key))
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    _, resources = prefetch()
    setup = {"load": os.getloadavg()[0], "resources": resources, "bytes": len(body(None)),
             "clients": clients,
             "requests": requests, "cores": os.cpu_count(), "workers": workers,
             "python": platform.python_version(), "server": server_stack()}
    return results, setup


def table(results: list[dict[str, Any]], setup: dict[str, Any]) -> str:
    alone, results = results[:2], results[2:]
    trivial = results[0]
    lines = [
        f"**uvicorn with {setup['workers']} worker process"
        f"{'es' if setup['workers'] > 1 else ''}**: {setup['clients']} concurrent clients, "
        f"{setup['requests']:,} requests per row, server and load generator sharing "
        f"{setup['cores']} cores, Python {setup['python']}, {setup['server']}. Prefetch: "
        f"{setup['resources']} resources in {setup['bytes'] / 1024:.0f} KiB. Load average when "
        f"it ended: {setup['load']:.1f}. Target p99 ≤ 100 ms. Rows without a client named use "
        "plain asyncio sockets as the load generator; the httpx rows show the same load from a "
        "heavier client on the same cores.",
        "",
        "| endpoint | median | p99 | max | throughput | median / trivial | p99 / trivial |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        ratios = f"{r['p50'] / trivial['p50']:.1f}× | {r['p99'] / trivial['p99']:.1f}×"
        lines.append(f"| {r['name']} | {r['p50']:.1f} ms | {r['p99']:.1f} ms | "
                     f"{r['max']:.1f} ms | {r['rate']:,.0f} /s | {ratios} |")
    lines.append("")
    lines.append("Without queueing (one client, one call at a time): " + "; ".join(
        f"{r['name']}: median {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms" for r in alone) + ".")
    return "\n".join(lines)


def record(text: str) -> None:
    doc = DOC.read_text("utf-8")
    block = f"{BEGIN}\n{text}\n{END}"
    if BEGIN in doc:
        doc = re.sub(re.escape(BEGIN) + r".*?" + re.escape(END), lambda m: block, doc,
                     flags=re.S)
    else:
        doc = doc.rstrip("\n") + f"\n\n## `benchmarks/cds_hooks.py`\n\n{block}\n"
    DOC.write_text(doc, "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--workers", type=int, nargs="+", default=[1],
                        help="uvicorn worker processes, one run per value")
    parser.add_argument("--record", action="store_true", help="write into docs/benchmarks.md")
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.workers[0])
        return
    texts = []
    for workers in args.workers:
        text = table(*run(args.requests, args.clients, workers))
        print(text + "\n", flush=True)
        texts.append(text)
    if args.record:
        record("\n\n".join(texts))


if __name__ == "__main__":
    main()
