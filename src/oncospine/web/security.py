"""Who is asking: a login session (cookie) or an API token (`Authorization: Bearer`).

Every route except the login page, the health check and the static files depends on
`principal`. Forms and scripts sent with a session cookie must carry the session's CSRF token
(a hidden form field or the `X-CSRF-Token` header); bearer-token requests carry no cookie, so
they cannot be forged from another site and need none.
"""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from oncospine.store import Store
from oncospine.store.accounts import can
from oncospine.store.errors import Forbidden
from oncospine.store.views import UserView

SESSION_COOKIE = "oncospine_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class NotAuthenticated(Exception):
    """No valid session or token; pages redirect to the login page, the API answers 401."""


class CsrfFailure(Exception):
    """A form posted with a session but without its CSRF token."""


@dataclass(frozen=True)
class Principal:
    user: UserView
    via: str                 # "session" | "token"
    csrf: str | None = None

    @property
    def username(self) -> str:
        return self.user.username

    @property
    def role(self) -> str:
        return self.user.role

    def can(self, permission: str) -> bool:
        return can(self.user.role, permission)


def store_of(request: Request) -> Store:
    store: Store = request.app.state.store
    return store


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    return value.strip() if scheme.lower() == "bearer" and value.strip() else None


async def identify(request: Request) -> Principal | None:
    """The principal behind this request, without raising (used by the login page too)."""
    store = store_of(request)
    token = _bearer(request)
    if token is not None:
        user = await run_in_threadpool(store.token_user, token)
        return Principal(user, "token") if user else None
    cookie = request.cookies.get(SESSION_COOKIE)
    if cookie:
        found = await run_in_threadpool(store.session_user, cookie)
        if found:
            return Principal(found[0], "session", found[1])
    return None


async def principal(request: Request) -> Principal:
    """Dependency: the signed-in principal; CSRF is checked for unsafe session requests."""
    who = await identify(request)
    if who is None:
        raise NotAuthenticated()
    if who.via == "session" and request.method not in SAFE_METHODS:
        sent = request.headers.get(CSRF_HEADER)
        if sent is None and request.headers.get("content-type", "").startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")):
            sent = str((await request.form()).get(CSRF_FIELD) or "")
        if not sent or not who.csrf or not hmac.compare_digest(sent, who.csrf):
            raise CsrfFailure()
    request.state.principal = who
    return who


def require(permission: str) -> Callable[[Request], Awaitable[Principal]]:
    """Dependency factory: the principal, if their role allows `permission`."""

    async def dependency(request: Request) -> Principal:
        who = await principal(request)
        ensure(who, permission)
        return who

    return dependency


def ensure(who: Principal, permission: str) -> None:
    """Refuse (403) unless the principal's role allows `permission`."""
    if not who.can(permission):
        raise Forbidden(f"your role ({who.role}) does not allow this "
                        f"({permission.replace('_', ' ')})")
