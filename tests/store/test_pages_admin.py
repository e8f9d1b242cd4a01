"""Administration pages: accounts with one-time passwords, API tokens shown once, revocation."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient

from oncospine.store import Store

pytestmark = pytest.mark.usefixtures("fast_passwords")


def form_to(page: Any, action: str) -> Any:
    return next(f for f in page.find_all("form") if f.get("action") == action)


def shown_secret(page: Any) -> str:
    return str(page.find("section", class_="secret").find("code").text)


def sign_in(app: Any, username: str, password: str) -> int:
    """Sign in through the form in a fresh browser; the status of the answer."""
    with TestClient(app) as browser:
        token = re.search(r'name="login_csrf" value="([^"]+)"', browser.get("/login").text)
        assert token
        answer = browser.post("/login", data={"username": username, "password": password,
                                              "login_csrf": token.group(1)},
                              follow_redirects=False)
        return int(answer.status_code)


def test_the_admin_creates_a_user_who_signs_in_with_the_one_time_password(
        signed_in: Any, app: Any, store: Store, html: Any) -> None:
    admin = signed_in("admin")
    form = form_to(html(admin.get("/admin").text), "/admin/users")
    assert [o.text for o in form.find("select", name="role").find_all("option")] == [
        "viewer", "clinician", "coordinator", "chair", "admin"]
    answer = admin.post("/admin/users", data=form.data(changes={
        "username": "  dr.new  ", "role": "clinician"}))
    assert answer.status_code == 200
    page = html(answer.text)
    assert "One-time password for dr.new" in page.find("section", class_="secret").text
    password = shown_secret(page)
    assert len(password) >= 16
    users = page.find_all("table")[0].find("tbody").find_all("tr")
    assert ("dr.new", "clinician") in [(r.find("th").text, r.find_all("td")[0].text)
                                       for r in users]
    assert password not in admin.get("/admin").text  # shown once only

    assert sign_in(app, "dr.new", password) == 303
    assert sign_in(app, "dr.new", password + "x") == 401
    added = [e for e in store.audit_log(entity="user") if e.action == "user.add"]
    assert (added[0].actor, added[0].detail) == ("admin", {"username": "dr.new",
                                                           "role": "clinician"})


@pytest.mark.parametrize("username, role, message", [
    ("viewer", "viewer", "already exists"),
    ("newbie", "superuser", "unknown role"),
    ("   ", "viewer", "required"),
])
def test_the_admin_page_refuses_a_duplicate_or_a_bad_role(
        signed_in: Any, store: Store, counts: Any, username: str, role: str,
        message: str) -> None:
    admin = signed_in("admin")
    before = counts(store)
    answer = admin.post("/admin/users", data={"csrf_token": admin.csrf, "username": username,
                                              "role": role})
    assert answer.status_code == 422
    assert message in answer.text
    after = counts(store)
    assert after["users"] == before["users"]


def test_the_admin_creates_a_token_shown_once_that_works_until_revoked(
        signed_in: Any, client: Any, store: Store, html: Any, dump: Any) -> None:
    admin = signed_in("admin")
    form = form_to(html(admin.get("/admin").text), "/admin/tokens")
    assert "clinician" in [o.text for o in form.find("select", name="username").find_all(
        "option")]
    page = html(admin.post("/admin/tokens", data=form.data(changes={
        "username": "clinician", "name": "ward script"})).text)
    assert "API token for clinician (shown once)" in page.find("section",
                                                               class_="secret").text
    raw = shown_secret(page)
    assert raw.startswith("osp_")
    assert raw not in dump(store)
    bearer = {"Authorization": f"Bearer {raw}"}
    assert client.get("/api/cases", headers=bearer).status_code == 200

    listing = html(admin.get("/admin").text)
    assert raw not in listing.find("main").text
    row = next(r for r in listing.find_all("table")[1].find("tbody").find_all("tr")
               if r.find_all("td")[1].text == "ward script")
    assert row.find("code").text.rstrip("…") == raw[:len(row.find("code").text.rstrip("…"))]
    revoke = row.find("form")
    assert revoke["action"].endswith("/revoke")

    done = admin.post(revoke["action"], data=revoke.data(), follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/admin"
    assert client.get("/api/cases", headers=bearer).status_code == 401
    row = next(r for r in html(admin.get("/admin").text).find_all("table")[1].find(
        "tbody").find_all("tr") if r.find_all("td")[1].text == "ward script")
    assert "revoked" in row.find_all("td")[-1].text
    assert not row.find_all("form")


def test_a_token_for_an_unknown_user_or_revoking_an_unknown_token_is_not_found(
        signed_in: Any) -> None:
    admin = signed_in("admin")
    assert admin.post("/admin/tokens", data={"csrf_token": admin.csrf,
                                             "username": "nobody"}).status_code == 404
    assert admin.post("/admin/tokens/999/revoke",
                      data={"csrf_token": admin.csrf}).status_code == 404


def test_the_admin_page_shows_the_latest_audit_entries(signed_in: Any, store: Store,
                                                       demo_case: Any, html: Any) -> None:
    store.create_case(demo_case("stable-breast"), "alice")
    page = html(signed_in("admin").get("/admin").text)
    audit = page.find_all("table")[2].find("tbody").find_all("tr")
    shown = [[td.text for td in r.find_all("td")][1:4] for r in audit]
    admin_id = next(u.id for u in store.users() if u.username == "admin")
    assert shown[0] == ["admin", "login", f"user {admin_id}"]
    assert ["alice", "case.create", "case 1"] in shown
