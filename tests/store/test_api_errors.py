"""Bad requests to the JSON API: the same problem details as the command line, never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncospine.case import Case, validate_case
from oncospine.errors import CaseValidationError
from oncospine.store import Store

pytestmark = pytest.mark.usefixtures("fast_passwords")

FORMAT = {"format": "oncospine-case/1"}

#: Bodies the case format refuses, each with the detail a user needs to fix it.
INVALID = {
    "misspelt primary site": ({**FORMAT, "cancer": {"primary_site": "brest"}},
                              "cancer.primary_site", "breast"),
    "misspelt field": ({**FORMAT, "lesions": [{"level": "T4", "bone_lesoin": "lytic"}]},
                       "lesions.0.bone_lesoin", "bone_lesion"),
    "ESCC given as a number": ({**FORMAT, "lesions": [{"escc": 2}]}, "lesions.0.escc", "2"),
    "no format": ({"cancer": {"history": "current"}}, "format", None),
    "albumin in g/dL": ({**FORMAT, "labs": {"albumin_g_per_l": 3.4}},
                        "labs.albumin_g_per_l", "34"),
    "time without offset": ({**FORMAT, "events": {"presentation": "2026-11-20T09:30"}},
                            "events.presentation", None),
}


def cli_details(body: Any) -> dict[str, Any]:
    """The problem details the command line prints for this body (`oncospine assess`)."""
    with pytest.raises(CaseValidationError) as refused:
        validate_case(body)
    return refused.value.to_dict()


@pytest.fixture
def clinician(bearer: Any) -> dict[str, str]:
    return bearer("clinician")


@pytest.fixture
def stored(client: Any, clinician: dict[str, str], demo_case: Any) -> int:
    answer = client.post("/api/cases", json=demo_case("stable-breast"), headers=clinician)
    assert answer.status_code == 201
    case_id: int = answer.json()["id"]
    return case_id


@pytest.mark.parametrize("name", list(INVALID))
def test_an_invalid_case_gets_422_with_the_details_the_command_line_gives(
        client: Any, clinician: dict[str, str], stored: int, store: Store, counts: Any,
        name: str) -> None:
    body, field, suggestion = INVALID[name]
    expected = cli_details(body)
    before = counts(store)
    for method, path, payload in [("POST", "/api/cases", body), ("POST", "/api/assess", body),
                                  ("PUT", f"/api/cases/{stored}", {"revision": 1,
                                                                   "case": body})]:
        answer = client.request(method, path, json=payload, headers=clinician)
        assert answer.status_code == 422, (method, path, answer.text)
        assert answer.json() == expected, (method, path)
        issue = next(i for i in answer.json()["issues"] if i["field"] == field)
        assert issue.get("did_you_mean") == suggestion
    assert counts(store) == before


def test_the_details_carry_the_value_received_and_what_is_allowed(
        client: Any, clinician: dict[str, str]) -> None:
    answer = client.post("/api/assess", headers=clinician,
                         json={**FORMAT, "cancer": {"primary_site": "brest"}}).json()
    (issue,) = answer["issues"]
    assert answer["error"] == "invalid_case"
    assert issue["value"] == "brest" and "breast" in issue["allowed"]


NOT_AN_OBJECT = [b"[]", b'[{"format": "oncospine-case/1"}]', b'"a case"', b"null", b"42",
                 b"{broken", b"", b'{"format": ']
BODY_PATHS = [("POST", "/api/cases"), ("POST", "/api/assess"), ("PUT", "/api/cases/1"),
              ("POST", "/api/meetings"), ("POST", "/api/meetings/1/decisions")]


@pytest.mark.parametrize("method, path", BODY_PATHS)
def test_a_json_array_or_broken_json_body_gets_422(
        client: Any, bearer: Any, stored: int, store: Store, counts: Any, method: str,
        path: str) -> None:
    headers = {**bearer("chair"), "content-type": "application/json"}
    before = counts(store)
    for raw in NOT_AN_OBJECT:
        answer = client.request(method, path, content=raw, headers=headers)
        assert answer.status_code == 422, (raw, answer.text)
        assert answer.json()["error"] in ("invalid_request", "invalid_case"), raw
        assert answer.json()["issues"], raw
    assert counts(store) == before


def test_a_body_that_is_not_utf8_is_a_client_error_not_a_server_error(
        client: Any, clinician: dict[str, str], stored: int) -> None:
    for method, path in BODY_PATHS[:3]:
        answer = client.request(method, path, content=b"\xff\xfe\x00{",
                                headers={**clinician, "content-type": "application/json"})
        assert answer.status_code in (400, 422), (path, answer.status_code)
        assert answer.json()["error"], path


NOT_JSON_NUMBERS = [
    b'{"format": "oncospine-case/1", "presentation": {"pain_weeks": NaN}}',
    b'{"format": "oncospine-case/1", "labs": {"albumin_g_per_l": Infinity}}',
    b'{"format": "oncospine-case/1", "patient": {"age_years": -Infinity}}',
    b'{"format": "oncospine-case/1", "patient": {"age_years": 1e400}}',
]


@pytest.mark.parametrize("path", ["/api/assess", "/api/cases"])
def test_nan_and_infinity_which_json_does_not_allow_get_422_not_500(
        client: Any, clinician: dict[str, str], store: Store, counts: Any, path: str) -> None:
    headers = {**clinician, "content-type": "application/json"}
    before = counts(store)
    for raw in NOT_JSON_NUMBERS:
        try:
            answer = client.post(path, content=raw, headers=headers)
        except Exception as exc:  # the test client re-raises what the server did not handle
            pytest.fail(f"{raw!r} broke the server: {exc!r}")
        assert answer.status_code == 422, (raw, answer.status_code)
        assert answer.json()["issues"], raw
    assert counts(store) == before


def test_a_body_sent_as_another_content_type_gets_a_client_error_not_500(
        client: Any, clinician: dict[str, str]) -> None:
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml"):
        try:
            answer = client.post("/api/assess", content=json.dumps(FORMAT).encode(),
                                 headers={**clinician, "content-type": content_type})
        except Exception as exc:  # the test client re-raises what the server did not handle
            pytest.fail(f"a {content_type} body broke the server: {exc!r}")
        assert answer.status_code in (415, 422), (content_type, answer.status_code)
        assert answer.json()["error"], content_type


@pytest.mark.parametrize("where", [{"id": "label\u0000with a NUL"},
                                   {"cancer": {"histology": "adeno\u0000carcinoma"}}])
def test_a_nul_character_in_a_text_field_is_refused_the_same_on_every_database(
        client: Any, clinician: dict[str, str], store: Store, counts: Any,
        where: dict[str, Any]) -> None:
    before = counts(store)
    answer = client.post("/api/cases", json={**FORMAT, **where}, headers=clinician)
    assert answer.status_code == 422, answer.status_code
    assert counts(store) == before


def test_an_edit_without_its_revision_gets_422_naming_the_field(
        client: Any, clinician: dict[str, str], stored: int, demo_case: Any) -> None:
    answer = client.put(f"/api/cases/{stored}", headers=clinician,
                        json={"case": demo_case("stable-breast")})
    assert answer.status_code == 422
    assert [i["field"] for i in answer.json()["issues"]] == ["revision"]
    answer = client.put(f"/api/cases/{stored}", headers=clinician,
                        json={"revision": "first", "case": demo_case("stable-breast")})
    assert answer.status_code == 422
    assert answer.json()["issues"][0]["value"] == "first"


def test_a_malformed_id_gets_422(client: Any, clinician: dict[str, str]) -> None:
    for path in ("/api/cases/one", "/api/meetings/one", "/api/cases/1.5/events",
                 "/api/cases/1?revision=latest"):
        answer = client.get(path, headers=clinician)
        assert answer.status_code == 422, path
        assert answer.json()["error"] == "invalid_request", path


def test_an_unknown_api_path_gets_a_json_404(client: Any, clinician: dict[str, str]) -> None:
    answer = client.get("/api/no-such-thing", headers=clinician)
    assert answer.status_code == 404
    assert answer.headers["content-type"].startswith("application/json")


#: Values of every JSON kind, nested, under real field names and near-misses.
FIELD_NAMES = sorted({name for model in [Case, *[
    info.annotation for info in Case.model_fields.values()
    if isinstance(info.annotation, type)]] if hasattr(model, "model_fields")
    for name in model.model_fields} | {"lesoins", "Cancer", ""})
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers(-10**6, 10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12) | st.sampled_from(["breast", "T4", "3", "current", "lytic"]),
    lambda inner: st.lists(inner, max_size=3)
    | st.dictionaries(st.sampled_from(FIELD_NAMES), inner, max_size=4),
    max_leaves=12)


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(body=JSON_VALUES, with_format=st.booleans())
def test_no_json_body_makes_assess_fail_with_a_server_error(
        client: Any, clinician: dict[str, str], body: Any, with_format: bool) -> None:
    if with_format and isinstance(body, dict):
        body = {**body, **FORMAT}
    answer = client.post("/api/assess", json=body, headers=clinician)
    assert answer.status_code in (200, 422), answer.text
    if answer.status_code == 422:
        assert answer.json()["issues"]
    else:
        assert answer.json()["format"] == "oncospine-assessment/1"
