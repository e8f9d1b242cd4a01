"""Who is calling: the EHR's signed JWT (CDS Hooks "Trusting CDS Clients"), or an API token.

The JWT must be signed with an asymmetric algorithm (never `none`, never HMAC), name its key
(`kid`) and type (`typ: JWT`), come from an allow-listed issuer (`iss`), be addressed to the
endpoint being called (`aud`), be current (`exp`, `iat`) and carry a `jti` never seen before
(replay protection). Keys come only from the issuer's configured JWK Set; a `jku` header is
accepted only when it is the issuer's configured one, and it is never fetched.

References: CDS Hooks 2.0, "Trusting CDS Clients" and "JWT Signing Algorithm".
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Protocol

import jwt

ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512",
              "EdDSA")
REQUIRED_CLAIMS = ("iss", "aud", "exp", "iat", "jti")


class Issuer(Protocol):
    """An allow-listed CDS client (read-only view of `TrustedIssuer`)."""

    @property
    def iss(self) -> str: ...
    @property
    def jwks(self) -> dict[str, Any]: ...
    @property
    def jku(self) -> str | None: ...


class AuthError(Exception):
    """Authentication failed; the message says why (sent back with HTTP 401)."""


@dataclass(frozen=True, slots=True)
class Caller:
    """An authenticated caller: an EHR (by its issuer) or a user (by API token)."""

    kind: str  # "ehr" | "api_token"
    name: str
    tenant: str | None = None


@dataclass
class ReplayGuard:
    """Remembers each (issuer, jti) until its token expires, so a token is used once only."""

    clock: Callable[[], float] = time.time
    seen: dict[tuple[str, str], float] = field(default_factory=dict)
    max_entries: int = 100_000
    prune_every: float = 60.0
    _next_prune: float = 0.0

    def check(self, iss: str, jti: str, exp: float) -> None:
        now = self.clock()
        if now >= self._next_prune or len(self.seen) >= self.max_entries:
            self.seen = {k: v for k, v in self.seen.items() if v > now}
            self._next_prune = now + self.prune_every
        if (iss, jti) in self.seen:
            raise AuthError("token already used (jti seen before): CDS Hooks JWTs are single-use")
        if len(self.seen) >= self.max_entries:
            raise AuthError("too many live tokens; try again shortly")
        self.seen[(iss, jti)] = exp


@lru_cache(maxsize=256)
def _jwk(key_json: str) -> jwt.PyJWK:
    return jwt.PyJWK(json.loads(key_json))


def unverified_parts(token: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """(header, claims) of a token that is shaped like a JWT, read without checking anything;
    None for anything else (an API token)."""
    if token.count(".") != 2:
        return None
    try:
        parts = jwt.api_jwt.decode_complete(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        return None
    return parts["header"], parts["payload"]


def verify_jwt(token: str, issuers: Sequence[Issuer], audiences: Sequence[str],
               guard: ReplayGuard, leeway: float = 30.0) -> Caller:
    """Verify a CDS client's JWT; returns the caller or raises AuthError with the reason."""
    parts = unverified_parts(token)
    if parts is None:
        raise AuthError("malformed JWT: not three base64url segments of JSON")
    return _verify(token, *parts, issuers, audiences, guard, leeway)


def _verify(token: str, header: dict[str, Any], unverified: dict[str, Any],
            issuers: Sequence[Issuer], audiences: Sequence[str], guard: ReplayGuard,
            leeway: float) -> Caller:
    alg = header.get("alg")
    if alg not in ALGORITHMS:
        raise AuthError(f"JWT algorithm {alg!r} is not accepted: CDS Hooks forbids 'none' and "
                        f"symmetric algorithms; use one of {', '.join(ALGORITHMS)}")
    if header.get("typ") != "JWT":
        raise AuthError("JWT header 'typ' must be 'JWT'")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise AuthError("JWT header has no 'kid' naming the signing key")
    iss = unverified.get("iss")
    issuer = next((i for i in issuers if i.iss == iss), None)
    if issuer is None:
        raise AuthError(f"issuer {iss!r} is not on this service's allow-list")
    if "jku" in header and header["jku"] != issuer.jku:
        raise AuthError(f"JWK Set URL {header['jku']!r} is not the one allowed for {iss}")
    key = next((k for k in issuer.jwks.get("keys", []) if k.get("kid") == kid), None)
    if key is None:
        raise AuthError(f"no key {kid!r} in the JWK Set configured for {iss}")
    try:
        signing_key = _jwk(json.dumps(key, sort_keys=True))
        claims = jwt.decode(token, signing_key.key, algorithms=[alg], audience=list(audiences),
                            issuer=iss, leeway=leeway,
                            options={"require": list(REQUIRED_CLAIMS)})
    except jwt.ExpiredSignatureError:
        raise AuthError("JWT has expired") from None
    except jwt.InvalidAudienceError:
        raise AuthError(f"JWT audience is not this endpoint (expected {audiences[0]})") from None
    except jwt.MissingRequiredClaimError as exc:
        raise AuthError(f"JWT lacks the required claim {exc.claim!r}") from None
    except jwt.ImmatureSignatureError:
        raise AuthError("JWT is issued in the future (iat) or not yet valid") from None
    except (jwt.PyJWTError, ValueError, TypeError) as exc:
        raise AuthError(f"JWT rejected: {exc}") from None
    if not isinstance(claims.get("jti"), str) or not claims["jti"]:
        raise AuthError("JWT 'jti' must be a non-empty string")
    guard.check(str(iss), claims["jti"], float(claims["exp"]) + leeway)
    tenant = claims.get("tenant")
    return Caller("ehr", str(iss), tenant if isinstance(tenant, str) else None)


def authenticate(header: str | None, issuers: Sequence[Issuer], audiences: Sequence[str],
                 guard: ReplayGuard, verify_api_token: Callable[[str], str | None],
                 leeway: float = 30.0) -> Caller:
    """Authenticate an `Authorization` header value: a CDS client JWT or an API token."""
    if not header:
        raise AuthError("missing Authorization header: send 'Authorization: Bearer <JWT>'")
    scheme, _, token = header.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise AuthError("Authorization must be 'Bearer <token>'")
    parts = unverified_parts(token)
    if parts is not None:
        return _verify(token, *parts, issuers, audiences, guard, leeway)
    user = verify_api_token(token)
    if user is None:
        raise AuthError("unknown or revoked API token")
    return Caller("api_token", user)
