"""Prefetch templates, and fetching what the EHR did not prefetch from its FHIR server.

For each template key: a prefetched value is used as sent (`null` means "no data"); a missing
key is fetched from `fhirServer` with the `fhirAuthorization` bearer token when both were sent.
If a required key (the patient and their conditions: without them the cancer history is
unknown) can be neither, the service answers 412 as CDS Hooks requires. Optional keys that
cannot be obtained are named on the cards instead.

The access token is only ever sent to `fhirServer`: pagination links elsewhere are not followed.
Plain http is accepted for a loopback server only (tests, local development).

References: CDS Hooks 2.0 "Prefetch Template", "FHIR Resource Access", HTTP 412.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from oncospine.fhir.codes import CATEGORY_CASE_INPUT, CS_OBS_CATEGORY, LOINC
from oncospine.fhir.codes import LOINC_AGE as AGE
from oncospine.fhir.codes import LOINC_ALBUMIN as ALB
from oncospine.fhir.codes import LOINC_CALCIUM as CA
from oncospine.fhir.codes import LOINC_CALCIUM_MASS as CA_MASS
from oncospine.fhir.codes import LOINC_ECOG as ECOG
from oncospine.fhir.codes import LOINC_HAEMOGLOBIN as HB
from oncospine.fhir.codes import LOINC_KPS as KPS


def _codes(*pairs: tuple[str, str]) -> str:
    return ",".join(f"{LOINC}|{code}" for code, _ in pairs)


PID = "{{context.patientId}}"
TEMPLATES: dict[str, str] = {
    "patient": f"Patient/{PID}",
    # Every condition, not only active ones: a past cancer puts spinal pain on the MSCC route.
    "conditions": f"Condition?patient={PID}",
    "performance": f"Observation?patient={PID}&code={_codes(ECOG, KPS, AGE)}"
                   "&_sort=-date&_count=20",
    "labs": f"Observation?patient={PID}&code={_codes(ALB, CA, CA_MASS, HB)}&_sort=-date&_count=20",
    "neurology": f"Observation?patient={PID}&category=exam&_sort=-date&_count=100",
    # Everything recorded in oncospine's codes (lesions, cancer details, pathway times).
    "case-inputs": f"Observation?patient={PID}&category={CS_OBS_CATEGORY}|{CATEGORY_CASE_INPUT}"
                   "&_count=200",
    "imaging-reports": f"DiagnosticReport?patient={PID}&category=RAD&_sort=-date&_count=20",
}
REQUIRED = ("patient", "conditions")
MAX_PAGES = 10
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})


class PrefetchFailed(Exception):
    """Required data could neither be read from the prefetch nor fetched (HTTP 412)."""


@dataclass
class Gathered:
    values: dict[str, Any] = field(default_factory=dict)
    fetched: list[str] = field(default_factory=list)
    unavailable: dict[str, str] = field(default_factory=dict)  # key -> why
    partial: dict[str, str] = field(default_factory=dict)  # key -> what is missing

    def gaps(self, required: tuple[str, ...]) -> list[str]:
        """Optional data the cards must mention: not obtained, or obtained in part."""
        out = [f"{k} ({why})" for k, why in self.unavailable.items() if k not in required]
        return out + [f"{k} ({why})" for k, why in self.partial.items()]


def render(template: str, context: dict[str, Any]) -> str:
    """Fill `{{context.x}}` tokens with URL-quoted context values."""
    out = template
    for key, value in context.items():
        if isinstance(value, str | int):
            out = out.replace("{{context." + key + "}}", quote(str(value), safe=""))
    return out


def _server_ok(base: str) -> str | None:
    parts = urlsplit(base)
    if parts.scheme == "https" and parts.netloc:
        return None
    if parts.scheme == "http" and parts.hostname in LOOPBACK:
        return None
    return f"fhirServer {base!r} is not an https URL"


async def _get(client: httpx.AsyncClient, url: str, token: str, timeout: float) -> Any:
    response = await client.get(url, headers={"Authorization": f"Bearer {token}",
                                              "Accept": "application/fhir+json"},
                                timeout=timeout)
    if response.status_code != 200:
        raise PrefetchFailed(f"GET {url} answered {response.status_code}")
    try:
        return response.json()
    except ValueError:
        raise PrefetchFailed(f"GET {url} did not return JSON") from None


def _next(page: Any) -> str | None:
    links = page.get("link", []) if isinstance(page, dict) else []
    return next((link.get("url") for link in links
                 if isinstance(link, dict) and link.get("relation") == "next"), None)


async def fetch(client: httpx.AsyncClient, base: str, query: str, token: str,
                timeout: float) -> tuple[Any, str | None]:
    """One prefetch query against the EHR's FHIR server, following next pages on that server.

    Returns the data and, when not every page could be read, what was left out.
    """
    root = base.rstrip("/")
    data = await _get(client, f"{root}/{query}", token, timeout)
    if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
        return data, None
    entries = list(data.get("entry") or [])
    page, pages = data, 1
    while (nxt := _next(page)) is not None:
        if not isinstance(nxt, str) or not nxt.startswith(root + "/"):
            return {**data, "entry": entries}, "a next page on another server was not read"
        if pages == MAX_PAGES:
            return {**data, "entry": entries}, f"only the first {MAX_PAGES} pages were read"
        page = await _get(client, nxt, token, timeout)
        pages += 1
        entries.extend(page.get("entry") or [] if isinstance(page, dict) else [])
    return {**data, "entry": entries}, None


async def _fetch_all(client: httpx.AsyncClient, base: str, token: str, timeout: float,
                     queries: dict[str, str]) -> dict[str, Any]:
    results = await asyncio.gather(*(fetch(client, base, q, token, timeout)
                                     for q in queries.values()), return_exceptions=True)
    return dict(zip(queries, results, strict=True))


async def gather(request: Any, client: httpx.AsyncClient | None, timeout: float) -> Gathered:
    """Prefetched values by key, fetching the missing ones (concurrently) where allowed."""
    out = Gathered()
    sent = request.prefetch or {}
    auth = request.fhirAuthorization
    can_fetch = bool(request.fhirServer and auth)
    refusal = _server_ok(request.fhirServer) if can_fetch else None
    queries: dict[str, str] = {}
    for key, template in TEMPLATES.items():
        if key in sent:
            out.values[key] = sent[key]
        elif not can_fetch or refusal:
            out.unavailable[key] = refusal or "not prefetched and no FHIR server access granted"
        else:
            queries[key] = render(template, request.context)
    if queries:
        args = (request.fhirServer, auth.access_token, timeout, queries)
        if client is None:
            async with httpx.AsyncClient() as own:
                results = await _fetch_all(own, *args)
        else:
            results = await _fetch_all(client, *args)
        for key, result in results.items():
            if isinstance(result, PrefetchFailed):
                out.unavailable[key] = f"fetch failed: {result}"
            elif isinstance(result, httpx.HTTPError):
                out.unavailable[key] = f"fetch failed: {type(result).__name__}: {result}"
            elif isinstance(result, BaseException):
                raise result
            else:
                out.values[key], gap = result
                out.fetched.append(key)
                if gap:
                    out.partial[key] = gap
    missing = [k for k in REQUIRED if k in out.unavailable]
    if missing:
        why = "; ".join(f"{k}: {out.unavailable[k]}" for k in missing)
        raise PrefetchFailed(f"required data unavailable ({why})")
    return out
