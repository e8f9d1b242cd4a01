"""Who may do what: sign-in, sessions and CSRF, API tokens, and the role behind every route."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.routing import Mount

from oncospine.store import Store
from oncospine.web.security import SESSION_COOKIE

pytestmark = pytest.mark.usefixtures("fast_passwords")

OPEN = ("/login", "/health", "/static")
JSON_PREFIXES = ("/api/", "/docs", "/openapi.json", "/cds-services")


def every_route(routes: list[Any]) -> Iterator[tuple[str, frozenset[str]]]:
    """(path, methods) of every route, included routers opened up; mounts have no methods."""
    for route in routes:
        nested = getattr(route, "effective_route_contexts", None)
        if nested is not None:
            for context in nested():
                yield context.path, frozenset(context.methods or ())
        elif isinstance(route, Mount) and route.routes:  # a mounted application with routes
            yield from ((route.path + p, m) for p, m in every_route(route.routes))
        else:
            yield route.path, frozenset(getattr(route, "methods", None) or ())


def concrete(path: str) -> str:
    """A request path for a route template: ids 1, the report kind `report`."""
    path = path.replace("{kind}", "report")
    return re.sub(r"\{[^}]+\}", "1", path)


@pytest.fixture
def routes(app: Any) -> list[tuple[str, frozenset[str]]]:
    found = sorted(set(every_route(app.routes)), key=lambda r: r[0])
    paths = {p for p, _m in found}
    # the enumeration must reach into the included routers, or the test below proves nothing
    assert {"/api/cases", "/api/cases/{case_id}", "/cases/{case_id}", "/admin",
            "/meetings/{meeting_id}/cases/{case_id}/decision", "/login", "/docs"} <= paths
    return found


def test_every_route_but_login_health_and_static_needs_a_session_or_token(
        client: Any, routes: list[tuple[str, frozenset[str]]], demo_case: Any,
        store: Store) -> None:
    store.create_case(demo_case("stable-breast"), "alice")
    store.create_meeting(date(2026, 11, 23), "Board", "cora", case_ids=[1])
    wrong: list[str] = []
    checked = 0
    for path, methods in routes:
        if path.startswith(OPEN):
            continue
        for method in sorted(methods):
            checked += 1
            answer = client.request(method, concrete(path), follow_redirects=False)
            where = f"{method} {path} -> {answer.status_code}"
            if path.startswith(JSON_PREFIXES):
                if answer.status_code != 401:
                    wrong.append(where)
            elif answer.status_code not in (302, 303, 307) or not answer.headers.get(
                    "location", "").startswith("/login"):
                wrong.append(f"{where} {answer.headers.get('location')}")
    assert checked >= 30
    assert wrong == [], "open without a session or token:\n" + "\n".join(wrong)


def test_the_open_routes_show_no_data(client: Any, store: Store, demo_case: Any) -> None:
    store.create_case(demo_case("mscc-emergency"), "alice")
    health = client.get("/health")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    assert "mscc" not in health.text
    login = client.get("/login")
    assert login.status_code == 200 and "demo-mscc-emergency" not in login.text
    assert client.get("/static/app.css").status_code == 200


def test_a_page_redirect_to_sign_in_remembers_where_the_reader_was_going(client: Any) -> None:
    answer = client.get("/cases?level=emergency", follow_redirects=False)
    assert answer.status_code == 303
    target = urlsplit(answer.headers["location"])
    assert target.path == "/login"
    assert parse_qs(target.query)["next"] == ["/cases?level=emergency"]


def test_an_htmx_request_without_a_session_is_told_to_go_to_sign_in(client: Any) -> None:
    answer = client.post("/cases/preview", headers={"HX-Request": "true"},
                         follow_redirects=False)
    assert answer.status_code == 401
    assert answer.headers["hx-redirect"] == "/login"


def test_a_wrong_or_malformed_token_gets_401(client: Any, accounts: Any) -> None:
    for header in ("Bearer osp_not-a-real-token", "Bearer ", "Basic abc", "bearer",
                   f"Bearer {'x' * 5000}"):
        answer = client.get("/api/cases", headers={"Authorization": header})
        assert answer.status_code == 401, header
        assert answer.headers["www-authenticate"] == "Bearer", header


# ---------------------------------------------------------------------- roles
@pytest.fixture
def board(store: Store, demo_case: Any) -> dict[str, int]:
    case = store.create_case(demo_case("mscc-emergency"), "alice")
    meeting = store.create_meeting(date(2026, 11, 23), "Board", "cora", case_ids=[case.id],
                                   attendees=[("Ms S", "spinal_surgeon"),
                                              ("Dr O", "clinical_oncologist")])
    return {"case": case.id, "meeting": meeting.id, "attendee": meeting.attendees[0].id}


def forms_as(client: Any, ids: dict[str, int], demo_case: Any) -> list[tuple[str, dict[str, Any]]]:
    """A valid form post for every page that writes, with the client's CSRF token (in order:
    the decision before the edit changes the plan, the event on the revision the edit makes)."""
    csrf = {"csrf_token": client.csrf}
    case, meeting = ids["case"], ids["meeting"]
    return [
        (f"/meetings/{meeting}/cases/{case}/decision",
         {**csrf, "option": "sbrt", "rationale": "agreed", "action": "draft"}),
        ("/meetings", {**csrf, "held_on": "2026-11-30", "title": "Another"}),
        (f"/meetings/{meeting}/attendees", {**csrf, "name": "Dr R", "role": "radiologist"}),
        (f"/meetings/{meeting}/attendees/{ids['attendee']}", {**csrf, "present": "no"}),
        (f"/meetings/{meeting}/agenda", {**csrf, "case_id": str(case)}),
        ("/cases", {**csrf, "id": "new one", "cancer.history": "current"}),
        (f"/cases/{case}", {**csrf, "revision": "1", "id": "edited"}),
        (f"/cases/{case}/events", {**csrf, "event": "mri_reported", "revision": "2"}),
        ("/admin/users", {**csrf, "username": "newbie", "role": "viewer"}),
        ("/admin/tokens", {**csrf, "username": "viewer", "name": "script"}),
    ]


#: Which form posts each role may make (by path prefix); every other one must be refused.
ALLOWED = {
    "viewer": (),
    "clinician": ("/cases",),
    "coordinator": ("/cases", "/meetings"),
    "chair": ("/cases", "/meetings"),
    "admin": ("/cases", "/meetings/", "/meetings", "/admin"),
}


def allowed(role: str, path: str) -> bool:
    if path.endswith("/decision"):
        return role in ("coordinator", "chair")
    return path.startswith(ALLOWED[role])


@pytest.mark.parametrize("role", ["viewer", "clinician", "coordinator", "chair", "admin"])
def test_each_role_may_post_exactly_the_forms_its_permissions_allow(
        signed_in: Any, board: dict[str, int], demo_case: Any, store: Store,
        role: str) -> None:
    client = signed_in(role)
    assert client.get(f"/cases/{board['case']}").status_code == 200
    for path, data in forms_as(client, board, demo_case):
        answer = client.post(path, data=data, follow_redirects=False)
        if allowed(role, path):
            assert answer.status_code in (200, 303), (role, path, answer.status_code)
        else:
            assert answer.status_code == 403, (role, path, answer.status_code)
    edited = store.get_case(board["case"]).revision > 1
    assert edited is allowed(role, "/cases")


def test_only_the_admin_reaches_the_admin_page(signed_in: Any) -> None:
    for role in ("viewer", "clinician", "coordinator", "chair", "admin"):
        client = signed_in(role)
        status = 200 if role == "admin" else 403
        assert client.get("/admin").status_code == status, role
        assert ('href="/admin"' in client.get("/cases").text) is (status == 200), role


def test_a_viewer_cannot_open_the_case_form(signed_in: Any, board: dict[str, int]) -> None:
    for role, status in (("viewer", 403), ("clinician", 200)):
        client = signed_in(role)
        assert client.get("/cases/new").status_code == status, role
        assert client.get(f"/cases/{board['case']}/edit").status_code == status, role
        assert ('href="/cases/new"' in client.get("/cases").text) is (status == 200), role


def test_a_viewer_reads_through_the_api_but_cannot_write(
        client: Any, bearer: Any, board: dict[str, int], demo_case: Any, store: Store,
        counts: Any) -> None:
    viewer = bearer("viewer")
    assert client.get("/api/cases", headers=viewer).status_code == 200
    assert client.get(f"/api/cases/{board['case']}", headers=viewer).status_code == 200
    assert client.get(f"/api/meetings/{board['meeting']}", headers=viewer).status_code == 200
    before = counts(store)
    attempts = [
        ("POST", "/api/cases", demo_case("stable-breast")),
        ("PUT", f"/api/cases/{board['case']}", {"revision": 1,
                                                "case": demo_case("stable-breast")}),
        ("POST", "/api/meetings", {"held_on": "2026-11-30"}),
        ("POST", f"/api/meetings/{board['meeting']}/decisions",
         {"case_id": board["case"], "options": ["sbrt"], "rationale": "x"}),
    ]
    for method, path, body in attempts:
        answer = client.request(method, path, json=body, headers=viewer)
        assert answer.status_code == 403, (method, path)
        assert answer.json()["error"] == "forbidden"
    assert counts(store) == before


def test_a_clinician_may_edit_cases_but_not_plan_meetings_or_record_decisions(
        client: Any, bearer: Any, board: dict[str, int], demo_case: Any) -> None:
    clinician = bearer("clinician")
    assert client.post("/api/cases", json=demo_case("stable-breast"),
                       headers=clinician).status_code == 201
    assert client.post("/api/meetings", json={"held_on": "2026-11-30"},
                       headers=clinician).status_code == 403
    answer = client.post(f"/api/meetings/{board['meeting']}/decisions", headers=clinician,
                         json={"case_id": board["case"], "options": ["sbrt"],
                               "rationale": "x"})
    assert answer.status_code == 403


# ---------------------------------------------------------------------- CSRF
def test_a_form_posted_with_a_session_but_without_its_csrf_token_gets_403(
        signed_in: Any, board: dict[str, int], demo_case: Any, store: Store,
        counts: Any) -> None:
    client = signed_in("chair")
    before = counts(store)
    for path, data in forms_as(client, board, demo_case):
        without = {k: v for k, v in data.items() if k != "csrf_token"}
        assert client.post(path, data=without, follow_redirects=False).status_code == 403, path
        wrong = {**without, "csrf_token": "x" + client.csrf}
        assert client.post(path, data=wrong, follow_redirects=False).status_code == 403, path
    assert client.post("/logout", follow_redirects=False).status_code == 403
    assert counts(store) == before


def test_the_csrf_token_may_come_as_a_header_as_htmx_sends_it(signed_in: Any) -> None:
    client = signed_in("clinician")
    form = {"cancer.history": "current", "presentation.neuro_features": "limb_weakness"}
    assert client.post("/cases/preview", data=form).status_code == 403
    answer = client.post("/cases/preview", data=form, headers={"X-CSRF-Token": client.csrf})
    assert answer.status_code == 200
    assert 'data-level="emergency"' in answer.text


def test_json_sent_with_a_session_cookie_needs_the_csrf_header(
        signed_in: Any, demo_case: Any) -> None:
    client = signed_in("clinician")
    body = demo_case("stable-breast")
    refused = client.post("/api/cases", json=body)
    assert refused.status_code == 403 and refused.json()["error"] == "csrf"
    assert client.post("/api/cases", json=body,
                       headers={"X-CSRF-Token": client.csrf}).status_code == 201


def test_requests_with_an_api_token_need_no_csrf_token(client: Any, bearer: Any,
                                                       board: dict[str, int],
                                                       demo_case: Any) -> None:
    answer = client.post("/api/cases", json=demo_case("stable-breast"),
                         headers=bearer("clinician"))
    assert answer.status_code == 201
    page_form = client.post(f"/cases/{board['case']}/events", headers=bearer("clinician"),
                            data={"event": "mri_reported", "revision": "1"},
                            follow_redirects=False)
    assert page_form.status_code == 303


def test_a_revoked_token_gets_401(client: Any, bearer: Any, store: Store) -> None:
    headers = bearer("clinician")
    assert client.get("/api/cases", headers=headers).status_code == 200
    token_id = store.tokens()[-1].id
    store.revoke_token(token_id, actor="admin")
    answer = client.get("/api/cases", headers=headers)
    assert answer.status_code == 401
    assert answer.json()["error"] == "not_authenticated"


def test_a_token_keeps_its_owners_role(client: Any, bearer: Any, demo_case: Any) -> None:
    assert client.post("/api/cases", json=demo_case("stable-breast"),
                       headers=bearer("viewer")).status_code == 403


# ---------------------------------------------------------------------- the login form
def login_token(client: Any, next_path: str = "/cases") -> str:
    page = client.get("/login", params={"next": next_path})
    found = re.search(r'name="login_csrf" value="([^"]+)"', page.text)
    assert found
    return found.group(1)


def test_a_wrong_password_gets_401_and_no_session(client: Any, accounts: Any) -> None:
    token = login_token(client)
    answer = client.post("/login", data={"username": "chair", "password": "wrong",
                                         "login_csrf": token}, follow_redirects=False)
    assert answer.status_code == 401
    assert "not recognised" in answer.text
    assert SESSION_COOKIE not in answer.cookies
    assert client.get("/cases", follow_redirects=False).status_code == 303


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(client: Any,
                                                                  accounts: Any) -> None:
    token = login_token(client)
    answer = client.post("/login", data={"username": "nobody", "password": "wrong",
                                         "login_csrf": token}, follow_redirects=False)
    assert answer.status_code == 401
    assert "User name or password not recognised." in answer.text


def test_a_sign_in_without_the_login_csrf_token_is_refused(app: Any,
                                                           accounts: dict[str, str]) -> None:
    from fastapi.testclient import TestClient

    for case in ("missing field", "wrong field", "no cookie"):
        with TestClient(app) as client:
            token = login_token(client)
            data = {"username": "chair", "password": accounts["chair"], "login_csrf": token}
            if case == "missing field":
                del data["login_csrf"]
            elif case == "wrong field":
                data["login_csrf"] = token + "x"
            else:
                client.cookies.clear()
            answer = client.post("/login", data=data, follow_redirects=False)
            assert answer.status_code in (401, 403), case
            assert SESSION_COOKIE not in answer.cookies, case
            assert client.get("/cases", follow_redirects=False).status_code == 303, case


def test_signing_in_sets_a_session_cookie_scripts_cannot_read(client: Any,
                                                              accounts: Any) -> None:
    token = login_token(client)
    answer = client.post("/login", data={"username": "viewer", "password": accounts["viewer"],
                                         "login_csrf": token}, follow_redirects=False)
    assert answer.status_code == 303
    cookie = next(h for h in answer.headers.get_list("set-cookie")
                  if h.startswith(SESSION_COOKIE + "="))
    assert "httponly" in cookie.lower()
    assert "samesite=lax" in cookie.lower() or "samesite=strict" in cookie.lower()


OFF_SITE = ["//evil.example", "//evil.example/cases", "https://evil.example/",
            "/\\evil.example", "\\\\evil.example", "http:evil.example", " //evil.example"]


def test_sign_in_never_sends_anyone_to_another_site(app: Any, accounts: Any) -> None:
    from fastapi.testclient import TestClient

    for target in OFF_SITE:
        with TestClient(app) as client:
            token = login_token(client, target)
            answer = client.post("/login", data={
                "username": "chair", "password": accounts["chair"], "login_csrf": token,
                "next": target}, follow_redirects=False)
            assert answer.status_code == 303, target
            location = answer.headers["location"]
            assert location.startswith("/") and not location.startswith(("//", "/\\")), target
            assert urlsplit(location).netloc == "", target
            again = client.get("/login", params={"next": target}, follow_redirects=False)
            assert again.status_code == 303, target
            assert urlsplit(again.headers["location"]).netloc == "", target
            assert not again.headers["location"].startswith(("//", "/\\")), target


def test_sign_in_goes_on_to_the_page_asked_for(client: Any, accounts: Any) -> None:
    token = login_token(client, "/meetings")
    answer = client.post("/login", data={"username": "chair", "password": accounts["chair"],
                                         "login_csrf": token, "next": "/meetings"},
                         follow_redirects=False)
    assert answer.headers["location"] == "/meetings"


def test_signing_out_ends_the_session_for_good(signed_in: Any, app: Any, store: Store) -> None:
    from fastapi.testclient import TestClient

    client = signed_in("clinician")
    cookie = client.cookies.get(SESSION_COOKIE)
    assert store.session_user(cookie) is not None
    answer = client.post("/logout", data={"csrf_token": client.csrf}, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/login"
    assert store.session_user(cookie) is None
    with TestClient(app) as replay:  # someone who kept a copy of the cookie
        replay.cookies.set(SESSION_COOKIE, cookie)
        assert replay.get("/cases", follow_redirects=False).status_code == 303
        assert replay.get("/api/cases").status_code == 401
