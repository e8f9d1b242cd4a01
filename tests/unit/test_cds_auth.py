"""Authentication as CDS Hooks 2.0 describes it: the EHR's signed JWT (asymmetric algorithm,
`kid`, `typ`, allow-listed `iss`, `aud` = the endpoint, `exp`, `iat`, single-use `jti`), or an
API token of this product. Every refusal says why.
"""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from test_cds_support import BASE, EC_KEY, ISS, JWKS, auth, client, token

from oncospine.cds import TrustedIssuer
from oncospine.cds.auth import AuthError, ReplayGuard, authenticate, unverified_parts, verify_jwt

PATH = "/cds-services/oncospine-spine-triage"
ISSUERS = [TrustedIssuer(ISS, JWKS, jku="https://fhir-ehr.example.com/jwk_uri")]


def check(tok: str, audience: str = BASE + PATH, guard: ReplayGuard | None = None) -> Any:
    return verify_jwt(tok, ISSUERS, [audience], guard or ReplayGuard())


def refused(tok: str, message: str, **kwargs: Any) -> None:
    with pytest.raises(AuthError) as caught:
        check(tok, **kwargs)
    assert message in str(caught.value)


@pytest.mark.parametrize(("alg", "kid"), [("RS384", "rsa-1"), ("ES384", "ec-1"),
                                          ("RS256", "rsa-1"), ("PS384", "rsa-1")])
def test_a_token_signed_by_an_allowed_issuer_is_accepted(alg, kid):
    caller = check(token(PATH, alg=alg, kid=kid, tenant="org-1"))
    assert (caller.kind, caller.name, caller.tenant) == ("ehr", ISS, "org-1")


def test_the_audience_may_be_a_list_holding_the_endpoint():
    assert check(token(PATH, aud=["https://other.example", BASE + PATH])).kind == "ehr"


def test_unsigned_and_symmetric_tokens_are_refused():
    unsigned = jwt.encode({"iss": ISS, "aud": BASE + PATH, "exp": time.time() + 60,
                           "iat": time.time(), "jti": "n1"}, None, algorithm="none",
                          headers={"kid": "rsa-1", "typ": "JWT"})
    refused(unsigned, "forbids 'none' and symmetric algorithms")
    hmac = jwt.encode({"iss": ISS}, "shared-secret-of-at-least-32-bytes!!", algorithm="HS256",
                      headers={"kid": "rsa-1", "typ": "JWT"})
    refused(hmac, "'HS256' is not accepted")


@pytest.mark.parametrize(("kwargs", "message"), [
    ({"headers": {"typ": "JOSE"}}, "'typ' must be 'JWT'"),
    ({"kid": ""}, "no 'kid'"),
    ({"kid": "rsa-9"}, "no key 'rsa-9'"),
    ({"iss": "https://rogue.example/"}, "not on this service's allow-list"),
    ({"headers": {"jku": "https://rogue.example/jwks"}}, "is not the one allowed"),
    ({"aud": BASE + "/cds-services/other"}, "audience is not this endpoint"),
    ({"lifetime": -120}, "expired"),
    ({"iat": int(time.time()) + 3600}, "issued in the future"),
    ({"drop": ("exp",)}, "'exp'"),
    ({"drop": ("iat",)}, "'iat'"),
    ({"drop": ("jti",)}, "'jti'"),
    ({"drop": ("aud",)}, "'aud'"),
    ({"jti": ""}, "'jti' must be a non-empty string"),
    ({"alg": "RS384", "kid": "ec-1"}, "rejected"),
])
def test_a_token_breaking_a_rule_is_refused_with_the_reason(kwargs, message):
    refused(token(PATH, **kwargs), message)


def test_the_allowed_jku_is_accepted_but_never_fetched():
    tok = token(PATH, headers={"jku": "https://fhir-ehr.example.com/jwk_uri"})
    assert check(tok).kind == "ehr"  # no network here: the key came from the configured JWKS


def test_a_token_signed_by_another_key_is_refused():
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    refused(token(PATH, key=stranger), "rejected")
    other_curve = ec.generate_private_key(ec.SECP384R1())
    refused(token(PATH, key=other_curve, alg="ES384", kid="ec-1"), "rejected")
    assert check(token(PATH, key=EC_KEY, alg="ES384", kid="ec-1")).kind == "ehr"


def test_a_token_is_single_use():
    guard = ReplayGuard()
    tok = token(PATH)
    check(tok, guard=guard)
    refused(tok, "already used", guard=guard)


def test_the_replay_guard_forgets_expired_tokens_and_caps_its_memory():
    now = [1000.0]
    guard = ReplayGuard(clock=lambda: now[0], max_entries=2)
    guard.check(ISS, "a", exp=1010)
    guard.check(ISS, "b", exp=1100)
    with pytest.raises(AuthError, match="too many live tokens"):
        guard.check(ISS, "c", exp=1100)
    now[0] = 1050.0  # "a" has expired and is forgotten, which makes room
    guard.check(ISS, "c", exp=1100)
    assert set(guard.seen) == {(ISS, "b"), (ISS, "c")}


def test_a_malformed_token_is_refused():
    refused("a.b.c", "malformed JWT")


def api(token_: str) -> str | None:
    return "alice" if token_ == "api-token-alice" else None


@pytest.mark.parametrize(("header", "message"), [
    (None, "missing Authorization header"), ("", "missing Authorization header"),
    ("Basic abc", "must be 'Bearer <token>'"), ("Bearer ", "must be 'Bearer <token>'"),
    ("Bearer nope", "unknown or revoked API token"),
])
def test_the_authorization_header_is_required_and_checked(header, message):
    with pytest.raises(AuthError, match=message):
        authenticate(header, ISSUERS, [BASE + PATH], ReplayGuard(), api)


def test_an_api_token_of_this_product_is_accepted():
    caller = authenticate("Bearer api-token-alice", ISSUERS, [BASE + PATH], ReplayGuard(), api)
    assert (caller.kind, caller.name) == ("api_token", "alice")
    assert unverified_parts("api-token-alice") is None
    assert unverified_parts("x.y.z") is None
    header, claims = unverified_parts(token(PATH, kid="rsa-1"))
    assert header["kid"] == "rsa-1" and claims["iss"] == ISS


def test_the_service_answers_401_with_the_reason_and_a_bearer_challenge():
    http = client()
    for headers in ({}, {"Authorization": "Bearer nope"},
                    auth("/cds-services/other")):
        response = http.get("/cds-services", headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["detail"]["message"]
    assert http.get("/cds-services", headers=auth("/cds-services")).status_code == 200
    assert http.get("/cds-services",
                    headers={"Authorization": "Bearer api-token-alice"}).status_code == 200
