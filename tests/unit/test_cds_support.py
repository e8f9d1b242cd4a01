"""Shared pieces for the CDS Hooks tests: EHR keys and JWTs, a service under test, prefetch
built like an EHR would send it, and a checker for the CDS Hooks 2.0 response rules.

The checker encodes the specification's card rules (summary under 140 characters, the three
indicators, a source with a label, suggestions with a selection behaviour and actions carrying
valid FHIR, override reasons with a display, links of type absolute or smart) and its general
rule that members are never null or empty. The last test of this module checks the checker.
"""

from __future__ import annotations

import copy
import json
import time
import uuid
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi.testclient import TestClient

from oncospine.assessment import assess
from oncospine.case import load_case, validate_case
from oncospine.cds import CdsConfig, TrustedIssuer, create_cds_app
from oncospine.fhir import bundle_from_assessment, validate_resource

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures" / "cds"
EXAMPLES = ROOT / "src" / "oncospine" / "examples"
BASE = "https://cds.example.org"
ISS = "https://fhir-ehr.example.com/"
TRIAGE = "oncospine-spine-triage"
IMAGING = "oncospine-spine-imaging"

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP384R1())


def public_jwk(key: Any, kid: str, alg: str) -> dict[str, Any]:
    algorithm = jwt.algorithms.RSAAlgorithm if alg.startswith(("RS", "PS")) else (
        jwt.algorithms.ECAlgorithm)
    out = json.loads(algorithm.to_jwk(key.public_key()))
    out.update(kid=kid, use="sig", alg=alg)
    return out


JWKS = {"keys": [public_jwk(RSA_KEY, "rsa-1", "RS384"), public_jwk(EC_KEY, "ec-1", "ES384")]}


def token(path: str, *, key: Any = None, alg: str = "RS384", kid: str = "rsa-1",
          iss: str = ISS, aud: Any = None, lifetime: int = 300, drop: tuple[str, ...] = (),
          headers: dict[str, Any] | None = None, **claims: Any) -> str:
    """A CDS client JWT for `path` (e.g. '/cds-services/x'), signed as the spec describes."""
    now = int(time.time())
    payload = {"iss": iss, "aud": aud if aud is not None else BASE + path, "exp": now + lifetime,
               "iat": now, "jti": str(uuid.uuid4()), **claims}
    for name in drop:
        payload.pop(name, None)
    head = {"kid": kid, "typ": "JWT", **(headers or {})}
    signing = key if key is not None else (EC_KEY if alg.startswith("ES") else RSA_KEY)
    return jwt.encode(payload, signing, algorithm=alg, headers=head)


def auth(path: str, **kwargs: Any) -> dict[str, str]:
    return {"Authorization": "Bearer " + token(path, **kwargs)}


class Recorder:
    def __init__(self) -> None:
        self.feedback: list[tuple[str, dict[str, Any]]] = []
        self.links: list[tuple[dict[str, Any], str | None]] = []

    def record(self, service: str, item: dict[str, Any]) -> None:
        self.feedback.append((service, item))

    def link(self, case: dict[str, Any], patient: str | None) -> str | None:
        self.links.append((case, patient))
        return f"https://oncospine.example.org/cases/by-patient/{patient}"


def make_config(recorder: Recorder | None = None, **overrides: Any) -> CdsConfig:
    recorder = recorder or Recorder()
    options: dict[str, Any] = {
        "audience": BASE,
        "trusted_issuers": lambda: [TrustedIssuer(ISS, JWKS,
                                                  jku="https://fhir-ehr.example.com/jwk_uri")],
        "verify_api_token": lambda t: "alice" if t == "api-token-alice" else None,
        "record_feedback": recorder.record,
        "case_link": recorder.link,
    }
    options.update(overrides)
    return CdsConfig(**options)


def client(recorder: Recorder | None = None, **overrides: Any) -> TestClient:
    return TestClient(create_cds_app(make_config(recorder, **overrides)))


def load_fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text("utf-8"))


def ehr_resources(example: str | dict[str, Any],
                  patient_id: str = "1288992") -> list[dict[str, Any]]:
    """The inputs of a demo case (by name) or of a case (as data) as an EHR holds them: plain
    resources about one patient."""
    case = load_case(EXAMPLES / f"{example}.yaml") if isinstance(example, str) else (
        validate_case(example))
    bundle = bundle_from_assessment(case, assess(case))
    out = []
    for entry in bundle["entry"]:
        resource = copy.deepcopy(entry["resource"])
        if "meta" in resource:  # assessment outputs are not EHR data
            continue
        if resource["resourceType"] == "Patient":
            resource["id"] = patient_id
        else:
            resource["subject"] = {"reference": f"Patient/{patient_id}"}
        out.append(resource)
    return out


def searchset(resources: list[dict[str, Any]]) -> dict[str, Any]:
    return {"resourceType": "Bundle", "type": "searchset", "total": len(resources),
            "entry": [{"resource": r} for r in resources]}


def prefetch_for(resources: list[dict[str, Any]]) -> dict[str, Any]:
    """Every prefetch key filled as the templates would select (null where no data)."""
    def pick(test: Any) -> dict[str, Any] | None:
        chosen = [r for r in resources if test(r)]
        return searchset(chosen) if chosen else None

    def category(r: dict[str, Any]) -> set[str]:
        return {x.get("code") for cat in r.get("category", []) for x in cat.get("coding", [])}

    loinc = lambda *codes: lambda r: r["resourceType"] == "Observation" and any(  # noqa: E731
        c.get("code") in codes for c in r["code"].get("coding", []))
    return {
        "patient": next(r for r in resources if r["resourceType"] == "Patient"),
        "conditions": pick(lambda r: r["resourceType"] == "Condition"),
        "performance": pick(loinc("89247-1", "89243-0", "30525-0")),
        "labs": pick(loinc("1751-7", "2000-8", "17861-6", "718-7")),
        "neurology": pick(lambda r: r["resourceType"] == "Observation" and "exam" in category(r)),
        "case-inputs": pick(lambda r: r["resourceType"] == "Observation"
                            and "case-input" in category(r)),
        "imaging-reports": pick(lambda r: r["resourceType"] == "DiagnosticReport"),
    }


def hook_request(hook: str, prefetch: dict[str, Any] | None, patient_id: str = "1288992",
                 **context: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "hookInstance": str(uuid.uuid4()), "hook": hook,
        "context": {"userId": "PractitionerRole/123", "patientId": patient_id, **context},
    }
    if prefetch is not None:
        body["prefetch"] = prefetch
    return body


def case_body(example: str | dict[str, Any]) -> dict[str, Any]:
    return hook_request("patient-view", prefetch_for(ehr_resources(example)))


# ------------------------------------------------------------------ the specification's rules

INDICATORS = {"info", "warning", "critical"}
ACTION_TYPES = {"create", "update", "delete"}


def no_empty(value: Any, path: str = "$") -> list[str]:
    """CDS Hooks: JSON members SHALL NOT be null or empty unless the spec says so."""
    if value is None or value in ("", [], {}):
        return [f"{path} is null or empty"]
    out: list[str] = []
    if isinstance(value, dict):
        for key, item in value.items():
            out += no_empty(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out += no_empty(item, f"{path}[{i}]")
    return out


def check_response(body: Any) -> list[str]:
    """Every rule of a CDS Hooks 2.0 service response the cards must meet (empty = valid)."""
    if not isinstance(body, dict) or not isinstance(body.get("cards"), list):
        return ["response has no cards array"]
    errors: list[str] = []
    for i, card in enumerate(body["cards"]):
        errors += [f"cards[{i}]: {e}" for e in check_card(card)]
        errors += no_empty(card, f"cards[{i}]")
    return errors


def check_card(card: dict[str, Any]) -> list[str]:
    errors = []
    summary = card.get("summary")
    if not isinstance(summary, str) or not summary or len(summary) >= 140:
        errors.append(f"summary must be a string under 140 characters: {summary!r}")
    if card.get("indicator") not in INDICATORS:
        errors.append(f"indicator {card.get('indicator')!r}")
    src = card.get("source")
    if not isinstance(src, dict) or not isinstance(src.get("label"), str):
        errors.append("source.label is required")
    elif "topic" in src and not {"code", "system"} <= set(src["topic"]):
        errors.append("source.topic is a Coding with code and system")
    if "uuid" in card:
        uuid.UUID(card["uuid"])
    if "detail" in card and not isinstance(card["detail"], str):
        errors.append("detail is Markdown text")
    if "suggestions" in card:
        if card.get("selectionBehavior") not in ("at-most-one", "any"):
            errors.append("suggestions need selectionBehavior at-most-one or any")
        for suggestion in card["suggestions"]:
            errors += check_suggestion(suggestion)
    for reason in card.get("overrideReasons", ()):
        if not {"code", "system", "display"} <= set(reason):
            errors.append(f"override reason without code, system and display: {reason}")
    for link in card.get("links", ()):
        if not {"label", "url", "type"} <= set(link) or link["type"] not in ("absolute", "smart"):
            errors.append(f"bad link {link}")
        if "appContext" in link and link["type"] != "smart":
            errors.append("appContext only on smart links")
    return errors


def check_suggestion(suggestion: dict[str, Any]) -> list[str]:
    errors = []
    if not isinstance(suggestion.get("label"), str):
        errors.append("suggestion.label is required")
    if "uuid" in suggestion:
        uuid.UUID(suggestion["uuid"])
    for action in suggestion.get("actions", ()):
        if action.get("type") not in ACTION_TYPES or not isinstance(action.get("description"),
                                                                    str):
            errors.append(f"action needs type and description: {action}")
        elif action["type"] in ("create", "update"):
            validate_resource(action["resource"], "action.resource")
        elif not isinstance(action.get("resourceId"), str):
            errors.append("delete action without resourceId")
    return errors


def test_the_checker_finds_each_broken_rule():
    good = {"summary": "x", "indicator": "info", "source": {"label": "s"}}
    assert check_response({"cards": [good]}) == []
    broken = [
        {**good, "summary": "y" * 140},
        {**good, "indicator": "urgent"},
        {**good, "source": {}},
        {**good, "suggestions": [{"label": "l", "actions": []}]},
        {**good, "overrideReasons": [{"code": "c", "system": "s"}]},
        {**good, "links": [{"label": "l", "url": "u", "type": "absolute", "appContext": "x"}]},
        {**good, "detail": ""},
        {**good, "suggestions": [{"label": "l"}], "selectionBehavior": "any",
         "extra": None},
    ]
    for card in broken:
        assert check_response({"cards": [card]}), card
    assert check_response({"cards": None})
    with pytest.raises(Exception, match="Observation"):
        check_suggestion({"label": "l", "actions": [
            {"type": "create", "description": "d",
             "resource": {"resourceType": "Observation", "status": "final"}}]})


def test_the_prefetch_helper_fills_every_template_key_for_one_patient():
    from oncospine.cds.prefetch import TEMPLATES

    prefetch = prefetch_for(ehr_resources("mscc-emergency", "p-7"))
    assert set(prefetch) == set(TEMPLATES)
    assert prefetch["patient"]["id"] == "p-7"
    refs = {e["resource"]["subject"]["reference"] for v in prefetch.values()
            if v and v["resourceType"] == "Bundle" for e in v["entry"]}
    assert refs == {"Patient/p-7"}
