"""Fixtures for the store and web tests: every test here runs on SQLite and on PostgreSQL.

PostgreSQL is real: `make test` starts a private server (scripts/postgres-test.sh) and passes its
URL in ONCOSPINE_TEST_POSTGRES_URL; run directly, these fixtures start it the same way. Each
test gets an empty database (a fresh SQLite file, or a recreated PostgreSQL schema), so the
migrations run from empty every time.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from fastapi.testclient import TestClient

from oncospine.store import Store
from oncospine.web.app import create_app
from oncospine.web.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "src" / "oncospine" / "examples"


@cache
def postgres_url() -> str:
    url = os.environ.get("ONCOSPINE_TEST_POSTGRES_URL")
    if url:
        return url
    done = subprocess.run([str(ROOT / "scripts" / "postgres-test.sh")], capture_output=True,
                          text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError("PostgreSQL for the tests could not be started "
                           f"(scripts/postgres-test.sh): {done.stderr.strip()}")
    return done.stdout.strip()


def _empty_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
        conn.execute(sa.text("DROP FUNCTION IF EXISTS oncospine_audit_append_only() CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The URL of an empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'oncospine.db'}"
    url = postgres_url()
    _empty_postgres(url)
    return url


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    s = Store(database_url)
    yield s
    s.close()


def example(name: str) -> dict[str, Any]:
    """A demo case as a dict (the case format)."""
    data = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text("utf-8"))
    as_json: dict[str, Any] = json.loads(json.dumps(data, default=lambda d: d.isoformat()))
    return as_json


@pytest.fixture
def demo_case() -> Any:
    """demo_case(name) -> a demo case as a dict."""
    return example


class Client(TestClient):
    """A test client that can sign in through the login form and knows its CSRF token."""

    csrf: str = ""

    def login(self, username: str, password: str) -> None:
        page = self.get("/login")
        token = re.search(r'name="login_csrf" value="([^"]+)"', page.text)
        assert token, "login form has no CSRF field"
        done = self.post("/login", data={"username": username, "password": password,
                                         "login_csrf": token.group(1), "next": "/cases"},
                         follow_redirects=False)
        assert done.status_code == 303, done.text
        found = re.search(r'name="csrf_token" value="([^"]+)"', self.get("/cases").text)
        assert found, "signed-in page carries no CSRF token"
        self.csrf = found.group(1)


@pytest.fixture
def app(store: Store) -> Any:
    return create_app(Settings(database_url=store.url), store=store)


@pytest.fixture
def client(app: Any) -> Iterator[Client]:
    with Client(app) as c:
        yield c


PASSWORDS = {"viewer": "pw-viewer-1", "clinician": "pw-clinician-1",
             "coordinator": "pw-coordinator-1", "chair": "pw-chair-1", "admin": "pw-admin-1"}


@pytest.fixture
def accounts(store: Store) -> dict[str, str]:
    """One user per role (user name = role name); returns their passwords."""
    for role, password in PASSWORDS.items():
        store.add_user(role, role, password=password)
    return dict(PASSWORDS)


@pytest.fixture
def signed_in(app: Any, accounts: dict[str, str]) -> Any:
    """signed_in(role) -> a Client logged in through the form as that role."""
    clients: list[Client] = []

    def make(role: str) -> Client:
        c = Client(app)
        c.__enter__()
        c.login(role, accounts[role])
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture
def bearer(store: Store, accounts: dict[str, str]) -> Any:
    """bearer(role) -> Authorization headers with a fresh API token of that role's user."""

    def make(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {store.create_token(role, 'test')}"}

    return make
