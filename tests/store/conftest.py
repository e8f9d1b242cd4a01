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


# ---------------------------------------------------------------------- helpers for the tests
# Added fixtures only: the ones above stay as they are.


@pytest.fixture(scope="session")
def fast_passwords() -> Iterator[None]:
    """Argon2id at its lowest cost while the tests run.

    Hashes are still real Argon2id and are verified as such; only the work factor is small, so
    the many sign-ins of the web tests do not dominate the run time.
    """
    from argon2 import PasswordHasher

    from oncospine.store import accounts as account_rules

    saved = account_rules._hasher
    account_rules._hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    yield
    account_rules._hasher = saved


def table_counts(store: Store) -> dict[str, int]:
    """Rows in every table of the store."""
    from oncospine.store.models import Base

    with store.engine.connect() as conn:
        return {name: int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())
                for name, table in Base.metadata.tables.items()}


def database_text(store: Store) -> str:
    """Every value of every row of every table, as one text (to prove what is not stored)."""
    from oncospine.store.models import Base

    parts: list[str] = []
    with store.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(sa.select(table)):
                parts.extend(repr(value) for value in row)
    return "\n".join(parts)


@pytest.fixture
def counts() -> Any:
    """counts(store) -> {table: number of rows}."""
    return table_counts


@pytest.fixture
def dump() -> Any:
    """dump(store) -> every stored value as text."""
    return database_text


class Node:
    """An HTML element: enough of a DOM to read pages and forms the way a browser would."""

    VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link",
                      "meta", "source", "track", "wbr"})

    def __init__(self, tag: str, attrs: dict[str, str], parent: Node | None = None) -> None:
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    def __getitem__(self, name: str) -> str:
        return self.attrs[name]

    def get(self, name: str, default: str | None = None) -> str | None:
        return self.attrs.get(name, default)

    @property
    def text(self) -> str:
        """The visible text, whitespace collapsed."""
        bits: list[str] = []

        def walk(node: Node) -> None:
            for child in node.children:
                if isinstance(child, str):
                    bits.append(child)
                elif child.tag not in ("script", "style", "template"):
                    walk(child)

        walk(self)
        return " ".join("".join(bits).split())

    def iter(self) -> Iterator[Node]:
        for child in self.children:
            if isinstance(child, Node):
                yield child
                yield from child.iter()

    def find_all(self, tag: str | None = None, **attrs: str | bool) -> list[Node]:
        """Descendants with this tag and these attributes (True: present; `class_`: a class)."""
        found = []
        for node in self.iter():
            if tag is not None and node.tag != tag:
                continue
            if all(_attr_matches(node, key, want) for key, want in attrs.items()):
                found.append(node)
        return found

    def find(self, tag: str | None = None, **attrs: str | bool) -> Node:
        found = self.find_all(tag, **attrs)
        assert found, f"no <{tag or '*'}> with {attrs} on the page"
        return found[0]

    def inside(self, tag: str) -> bool:
        node = self.parent
        while node is not None:
            if node.tag == tag:
                return True
            node = node.parent
        return False

    def submission(self, button: Node | None = None) -> list[tuple[str, str]]:
        """The (name, value) pairs a browser sends when this form is submitted."""
        pairs: list[tuple[str, str]] = []
        for node in self.iter():
            name = node.get("name")
            if not name or "disabled" in node.attrs or node.inside("template"):
                continue
            if node.tag == "input":
                kind = (node.get("type") or "text").lower()
                if kind in ("checkbox", "radio"):
                    if "checked" in node.attrs:
                        pairs.append((name, node.get("value", "on") or "on"))
                elif kind not in ("submit", "button", "reset", "image", "file"):
                    pairs.append((name, node.get("value", "") or ""))
            elif node.tag == "select":
                options = node.find_all("option")
                chosen = [o for o in options if "selected" in o.attrs]
                if not chosen and options and "multiple" not in node.attrs:
                    chosen = options[:1]
                pairs.extend((name, o.get("value", o.text) or "") for o in chosen)
            elif node.tag == "textarea":
                pairs.append((name, "".join(c for c in node.children if isinstance(c, str))))
        if button is not None and button.get("name"):
            pairs.append((button["name"], button.get("value", "") or ""))
        return pairs

    def data(self, button: Node | None = None,
             changes: dict[str, str | list[str]] | None = None) -> dict[str, list[str]]:
        """The submission as test-client form data (repeated names as lists), with changes."""
        fields: dict[str, list[str]] = {}
        for name, value in self.submission(button):
            fields.setdefault(name, []).append(value)
        for name, value in (changes or {}).items():
            fields[name] = [value] if isinstance(value, str) else value
        return fields


def _attr_matches(node: Node, key: str, want: str | bool) -> bool:
    if key == "class_":
        return str(want) in (node.get("class") or "").split()
    name = key.replace("_", "-") if key not in node.attrs and "_" in key else key
    if want is True:
        return name in node.attrs
    return node.get(name) == want


def parse_html(text: str) -> Node:
    """The document as a tree of `Node`s (standard library parser; templates are well formed)."""
    from html.parser import HTMLParser

    root = Node("#document", {})

    class Builder(HTMLParser):
        current = root

        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            node = Node(tag, {k: v if v is not None else "" for k, v in attrs}, self.current)
            self.current.children.append(node)
            if tag not in Node.VOID:
                self.current = node

        def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            self.current.children.append(
                Node(tag, {k: v if v is not None else "" for k, v in attrs}, self.current))

        def handle_endtag(self, tag: str) -> None:
            node: Node | None = self.current
            while node is not None and node.tag != tag:
                node = node.parent
            if node is not None and node.parent is not None:
                self.current = node.parent

        def handle_data(self, data: str) -> None:
            self.current.children.append(data)

    builder = Builder(convert_charrefs=True)
    builder.feed(text)
    builder.close()
    return root


@pytest.fixture
def html() -> Any:
    """html(text) -> the parsed page (a `Node`)."""
    return parse_html
