"""The store's commands run as a user runs them: a real process on a temporary SQLite file."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from oncospine.store import Store


def measured(folder: Path) -> dict[str, str]:
    """When this test run measures coverage, the child processes measure themselves too and
    leave their data beside the run's own, where pytest-cov combines it."""
    try:
        import coverage
    except ImportError:
        return {}
    current = coverage.Coverage.current()
    if current is None:
        return {}
    config = folder / "coverage.ini"
    config.write_text("[run]\nparallel = true\nbranch = true\nsource = oncospine\n"
                      f"data_file = {Path(current.config.data_file).resolve()}\n")
    return {"COVERAGE_PROCESS_START": str(config)}


class Run:
    """`oncospine ...` in a child process, always pointed at one temporary database."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.url = f"sqlite:///{folder / 'commands.db'}"

    def __call__(self, *args: str, database: bool = True) -> subprocess.CompletedProcess[str]:
        env = {k: v for k, v in os.environ.items() if k != "ONCOSPINE_DATABASE_URL"}
        env.update(measured(self.folder))
        extra = ["--database-url", self.url] if database else []
        done = subprocess.run([sys.executable, "-m", "oncospine", *args, *extra],
                              capture_output=True, text=True, cwd=self.folder, env=env,
                              timeout=120, check=False)
        assert "Traceback" not in done.stderr, done.stderr
        return done

    def many(self, *commands: tuple[str, ...]) -> list[subprocess.CompletedProcess[str]]:
        """Several commands at once, on a database that already exists (each process would
        otherwise race the others to create the schema)."""
        with ThreadPoolExecutor(max_workers=len(commands)) as pool:
            return list(pool.map(lambda args: self(*args), commands))

    def store(self) -> Store:
        return Store(self.url)


@pytest.fixture
def run(tmp_path: Path) -> Run:
    return Run(tmp_path)


def password_in(text: str) -> str:
    found = re.search(r"one-time password: (\S+)", text)
    assert found, text
    return found.group(1)


def test_user_add_prints_a_one_time_password_that_works_and_user_list_shows_the_role(
        run: Run) -> None:
    done = run("user", "add", "dr.jones", "--role", "chair")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("user dr.jones (chair) created")
    password = password_in(done.stdout)

    listed = run("user", "list")
    assert listed.returncode == 0
    assert listed.stdout.splitlines() == ["dr.jones\tchair\tactive"]
    store = run.store()
    try:
        user = store.authenticate("dr.jones", password)
        assert user is not None and user.role == "chair"
        assert store.audit_log(entity="user")[-1].actor == "cli"
    finally:
        store.close()
    assert not (run.folder / "oncospine.db").exists()  # the default database was not touched


def test_a_bad_role_exits_2_with_a_message_and_no_traceback(run: Run) -> None:
    done = run("user", "add", "someone", "--role", "surgeon")
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and "unknown role 'surgeon'" in done.stderr
    assert "viewer, clinician, coordinator, chair, admin" in done.stderr
    assert done.stdout == ""
    store = run.store()
    try:
        assert store.users() == []
    finally:
        store.close()


def test_a_duplicate_user_or_a_missing_role_exits_2(run: Run) -> None:
    assert run("user", "add", "dr.jones", "--role", "chair").returncode == 0
    again, missing = run.many(("user", "add", "dr.jones", "--role", "viewer"),
                              ("user", "add", "dr.smith"))
    assert again.returncode == 2 and "already exists" in again.stderr
    assert missing.returncode == 2 and "--role" in missing.stderr
    store = run.store()
    try:
        assert [(u.username, u.role) for u in store.users()] == [("dr.jones", "chair")]
    finally:
        store.close()


def test_tokens_are_created_listed_by_prefix_only_and_revoked(run: Run) -> None:
    assert run("user", "add", "script", "--role", "clinician").returncode == 0
    created = run("token", "create", "script", "--label", "nightly")
    assert created.returncode == 0, created.stderr
    raw = created.stdout.strip()
    assert raw.startswith("osp_") and "\n" not in raw

    listed = run("token", "list")
    assert listed.returncode == 0
    (line,) = listed.stdout.splitlines()
    token_id, prefix, owner, label, state = line.split("\t")
    assert (owner, label, state) == ("script", "nightly", "active")
    assert raw.startswith(prefix.rstrip("…")) and raw not in listed.stdout

    store = run.store()
    try:
        assert store.token_user(raw) is not None
    finally:
        store.close()
    revoked = run("token", "revoke", token_id)
    assert revoked.returncode == 0 and revoked.stdout == f"token {token_id} revoked\n"
    assert run("token", "list").stdout.split("\t")[-1].startswith("revoked ")
    store = run.store()
    try:
        assert store.token_user(raw) is None
    finally:
        store.close()


def test_tokens_for_unknown_users_or_ids_exit_2(run: Run) -> None:
    run.store().close()  # the schema exists before the two commands run side by side
    unknown_user, unknown_id = run.many(("token", "create", "nobody"),
                                        ("token", "revoke", "42"))
    assert unknown_user.returncode == 2 and "no user 'nobody'" in unknown_user.stderr
    assert unknown_id.returncode == 2 and "no token 42" in unknown_id.stderr


def test_cds_issuer_add_allows_an_ehr_and_refuses_a_bad_jwk_set(run: Run,
                                                                tmp_path: Path) -> None:
    good = tmp_path / "jwks.json"
    good.write_text(json.dumps({"keys": [{"kty": "EC", "crv": "P-256", "kid": "ehr-1",
                                          "x": "AAAA", "y": "BBBB"}]}))
    done = run("cds-issuer", "add", "https://ehr.example", "--jwks", str(good),
               "--jku", "https://ehr.example/jwks")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "issuer https://ehr.example allowed\n"

    empty = tmp_path / "empty.json"
    empty.write_text(json.dumps({"keys": []}))
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    refused, unreadable = run.many(
        ("cds-issuer", "add", "https://other.example", "--jwks", str(empty)),
        ("cds-issuer", "add", "https://other.example", "--jwks", str(broken)))
    assert refused.returncode == 2 and "JWK Set" in refused.stderr
    assert unreadable.returncode == 2 and "cannot read the JWK Set" in unreadable.stderr

    store = run.store()
    try:
        (issuer,) = store.cds_issuers()
        assert issuer[0] == "https://ehr.example" and issuer[2] == "https://ehr.example/jwks"
        assert issuer[1]["keys"][0]["kid"] == "ehr-1"
    finally:
        store.close()


def test_seed_fills_an_empty_database_once_and_leaves_a_filled_one_alone(run: Run) -> None:
    first = run("seed")
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("seeded 8 demo cases")
    password = password_in(first.stdout)
    store = run.store()
    try:
        assert store.case_count() == 8
        assert [(u.username, u.role) for u in store.users()] == [("admin", "admin")]
        assert store.authenticate("admin", password) is not None
        assert {r.label for r in store.list_cases()[0]} >= {"demo-mscc-emergency",
                                                            "demo-cauda-equina"}
    finally:
        store.close()

    again = run("seed")
    assert again.returncode == 0
    assert again.stdout == "database not empty: nothing seeded\n"
    store = run.store()
    try:
        assert store.case_count() == 8 and store.user_count() == 1
        assert store.authenticate("admin", password) is not None  # password not reset
    finally:
        store.close()


def test_seed_leaves_a_database_with_only_users_alone(run: Run) -> None:
    assert run("user", "add", "dr.jones", "--role", "chair").returncode == 0
    assert run("seed").stdout == "database not empty: nothing seeded\n"
    store = run.store()
    try:
        assert store.case_count() == 0
        assert [u.username for u in store.users()] == ["dr.jones"]
    finally:
        store.close()


def test_serve_refuses_settings_it_cannot_use_before_it_starts(run: Run) -> None:
    wrong_database = run("serve", "--port", "1", "--database-url", "mysql://db.example/x",
                         database=False)
    assert wrong_database.returncode == 2
    assert "must be a sqlite:// or postgresql:// URL" in wrong_database.stderr
    assert "oncospine on http" not in wrong_database.stdout
