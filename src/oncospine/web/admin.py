"""Administration pages: accounts and API tokens (administrators only)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from oncospine.store.accounts import ROLES
from oncospine.web.rendering import templates
from oncospine.web.security import Principal, require, store_of

router = APIRouter(include_in_schema=False)
Admin = Annotated[Principal, Depends(require("manage_users"))]


def _admin_page(request: Request, who: Principal, **shown: str) -> HTMLResponse:
    store = store_of(request)
    return templates.TemplateResponse(request, "admin.html", {
        "who": who, "users": store.users(), "tokens": store.tokens(), "roles": ROLES,
        "audit": store.audit_log(limit=50), **shown})


@router.get("/admin")
def admin(request: Request, who: Admin) -> HTMLResponse:
    return _admin_page(request, who)


@router.post("/admin/users")
def add_user(request: Request, who: Admin, username: Annotated[str, Form()],
             role: Annotated[str, Form()]) -> HTMLResponse:
    user, password = store_of(request).add_user(username.strip(), role, actor=who.username)
    return _admin_page(request, who, shown_secret=password,
                       shown_what=f"One-time password for {user.username}")


@router.post("/admin/tokens")
def add_token(request: Request, who: Admin, username: Annotated[str, Form()],
              name: Annotated[str, Form()] = "") -> HTMLResponse:
    raw = store_of(request).create_token(username, name, actor=who.username)
    return _admin_page(request, who, shown_secret=raw,
                       shown_what=f"API token for {username} (shown once)")


@router.post("/admin/tokens/{token_id}/revoke")
def revoke(request: Request, token_id: int, who: Admin) -> Response:
    store_of(request).revoke_token(token_id, actor=who.username)
    return RedirectResponse("/admin", status_code=303)
