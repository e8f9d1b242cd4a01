"""Fetching what the EHR did not prefetch: a real FHIR endpoint on 127.0.0.1 (a small
http.server in a thread) answers the prefetch queries; the service calls it with the
`fhirAuthorization` bearer token and gives the same cards as with a full prefetch. Failures of
the server lead to 412 for required data and to a named gap on the card otherwise.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from test_cds_support import (
    TRIAGE,
    auth,
    case_body,
    check_response,
    client,
    ehr_resources,
    hook_request,
    prefetch_for,
    searchset,
)

from oncospine.cds.prefetch import TEMPLATES, render

PATH = f"/cds-services/{TRIAGE}"
TOKEN = "fhir-access-token-123"
PATIENT = "1288992"


class FhirServer:
    """Answers prefetch queries from one patient's resources, like an EHR's FHIR API."""

    def __init__(self, resources: list[dict[str, Any]]) -> None:
        self.resources = resources
        self.requests: list[tuple[str, str | None]] = []
        self.fail: dict[str, int] = {}  # query key -> status to answer
        self.page_size = 8
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                server.requests.append((self.path, self.headers.get("Authorization")))
                status, body = server.answer(self.path, self.headers.get("Authorization"))
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/fhir+json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base = f"http://127.0.0.1:{self.httpd.server_address[1]}/fhir"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def answer(self, path: str, authorization: str | None) -> tuple[int, Any]:
        if authorization != f"Bearer {TOKEN}":
            return 401, {"resourceType": "OperationOutcome", "issue": []}
        url = urlsplit(path)
        rtype = url.path.removeprefix("/fhir/").split("/")[0]
        params = parse_qs(url.query)
        for key, status in self.fail.items():
            if rtype == key or params.get("category", [""])[0].endswith(key):
                return status, {"resourceType": "OperationOutcome", "issue": []}
        if "/" in url.path.removeprefix("/fhir/"):
            found = [r for r in self.resources if r["resourceType"] == rtype
                     and r.get("id") == url.path.rsplit("/", 1)[1]]
            return (200, found[0]) if found else (404, {"resourceType": "OperationOutcome"})
        matches = [r for r in self.resources
                   if r["resourceType"] == rtype and self._fits(r, params)]
        page = int(params.get("page", ["0"])[0])
        chunk = matches[page * self.page_size:(page + 1) * self.page_size]
        bundle = searchset(chunk)
        if (page + 1) * self.page_size < len(matches):
            query = url.query.replace(f"&page={page}", "") + f"&page={page + 1}"
            bundle["link"] = [{"relation": "next", "url": f"{self.base}/{rtype}?{query}"}]
        return 200, bundle

    @staticmethod
    def _fits(resource: dict[str, Any], params: dict[str, list[str]]) -> bool:
        codes = {f"{x.get('system')}|{x.get('code')}" for x in
                 resource.get("code", {}).get("coding", [])}
        if "code" in params and not codes & set(params["code"][0].split(",")):
            return False
        if "category" in params:
            wanted = params["category"][0]
            cats = {x.get("code") for cat in resource.get("category", [])
                    for x in cat.get("coding", [])}
            cats |= {f"{x.get('system')}|{x.get('code')}" for cat in resource.get("category", [])
                     for x in cat.get("coding", [])}
            return wanted in cats
        return True


@pytest.fixture
def ehr() -> Iterator[FhirServer]:
    server = FhirServer(ehr_resources("mscc-emergency", PATIENT))
    server.thread.start()
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def fetch_body(server: FhirServer, prefetch: dict[str, Any] | None = None) -> dict[str, Any]:
    body = hook_request("patient-view", prefetch)
    body["fhirServer"] = server.base
    body["fhirAuthorization"] = {"access_token": TOKEN, "token_type": "Bearer",
                                 "expires_in": 300, "scope": "patient/*.read",
                                 "subject": "oncospine-cds"}
    return body


def post(body: dict[str, Any], **overrides: Any) -> Any:
    return client(**overrides).post(PATH, json=body, headers=auth(PATH))


def comparable(cards: list[dict[str, Any]]) -> list[tuple[str, str, str]]:
    return [(c["indicator"], c["summary"], c.get("detail", "")) for c in cards]


def test_without_prefetch_everything_is_fetched_with_the_bearer_token(ehr):
    response = post(fetch_body(ehr))
    assert response.status_code == 200, response.text
    assert check_response(response.json()) == []
    fetched = comparable(response.json()["cards"])
    prefetched = comparable(post(case_body("mscc-emergency")).json()["cards"])
    assert fetched == prefetched
    assert fetched[0][0] == "critical"
    assert {auth_ for _, auth_ in ehr.requests} == {f"Bearer {TOKEN}"}
    paths = [p for p, _ in ehr.requests]
    assert f"/fhir/Patient/{PATIENT}" in paths
    assert any("page=1" in p for p in paths)  # a second page of a search was followed


def test_only_missing_keys_are_fetched(ehr):
    full = prefetch_for(ehr_resources("mscc-emergency", PATIENT))
    partial = {k: v for k, v in full.items() if k != "labs"}
    response = post(fetch_body(ehr, partial))
    assert response.status_code == 200
    assert len(ehr.requests) == 1 and ehr.requests[0][0].startswith("/fhir/Observation?")
    assert "1751-7" in ehr.requests[0][0]


def test_the_same_client_can_be_shared(ehr):
    shared = httpx.AsyncClient()
    response = post(fetch_body(ehr), http_client=shared)
    assert response.status_code == 200
    assert response.json()["cards"][0]["indicator"] == "critical"


def test_a_failed_required_fetch_is_412(ehr):
    ehr.fail["Patient"] = 500
    response = post(fetch_body(ehr))
    assert response.status_code == 412
    message = response.json()["detail"]["message"]
    assert "required data unavailable" in message and "answered 500" in message


def test_a_missing_patient_is_412(ehr):
    body = fetch_body(ehr)
    body["context"]["patientId"] = "nobody"
    response = post(body)
    assert response.status_code == 412
    assert "answered 404" in response.json()["detail"]["message"]


def test_a_failed_optional_fetch_is_named_on_the_card(ehr):
    ehr.fail["exam"] = 503
    response = post(fetch_body(ehr))
    assert response.status_code == 200
    detail = response.json()["cards"][0]["detail"]
    assert "neurology (fetch failed: GET" in detail and "answered 503" in detail


def test_a_wrong_token_at_the_fhir_server_is_412(ehr):
    body = fetch_body(ehr)
    body["fhirAuthorization"]["access_token"] = "expired"
    assert post(body).status_code == 412


def test_an_unreachable_server_is_412():
    body = hook_request("patient-view", None)
    body["fhirServer"] = "http://127.0.0.1:9"
    body["fhirAuthorization"] = {"access_token": TOKEN, "token_type": "Bearer",
                                 "expires_in": 300, "scope": "s", "subject": "x"}
    response = post(body, fetch_timeout=2.0)
    assert response.status_code == 412
    assert "ConnectError" in response.json()["detail"]["message"]


def test_a_search_with_too_many_pages_is_read_in_part_and_said_so(ehr):
    ehr.page_size = 1
    response = post(fetch_body(ehr))
    assert response.status_code == 200
    assert "only the first 10 pages were read" in response.json()["cards"][0]["detail"]


def test_the_token_is_never_sent_off_the_fhir_server(ehr):
    ehr.page_size = 1
    original = ehr.answer

    def elsewhere(path: str, authorization: str | None) -> tuple[int, Any]:
        status, body = original(path, authorization)
        for link in body.get("link", []) if isinstance(body, dict) else []:
            link["url"] = link["url"].replace("127.0.0.1", "attacker.example")
        return status, body

    ehr.answer = elsewhere  # type: ignore[method-assign]
    response = post(fetch_body(ehr))
    assert response.status_code == 200
    assert not any("page=1" in p for p, _ in ehr.requests)
    assert "a next page on another server was not read" in response.json()["cards"][0]["detail"]


def test_a_plain_http_server_elsewhere_is_not_sent_the_token():
    body = hook_request("patient-view", None)
    body["fhirServer"] = "http://ehr.example.org/fhir"
    body["fhirAuthorization"] = {"access_token": TOKEN, "token_type": "Bearer",
                                 "expires_in": 300, "scope": "s", "subject": "x"}
    response = post(body)
    assert response.status_code == 412
    assert "is not an https URL" in response.json()["detail"]["message"]


def test_prefetch_tokens_are_filled_and_quoted():
    assert render(TEMPLATES["patient"], {"patientId": "a b"}) == "Patient/a%20b"
    assert render("X?u={{context.userId}}", {"userId": "Practitioner/1"}) == (
        "X?u=Practitioner%2F1")
    assert render("X?e={{context.encounterId}}", {"draftOrders": {}}) == (
        "X?e={{context.encounterId}}")
