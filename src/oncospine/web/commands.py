"""Command-line entry points of the store and web app: serve, seed, user, token, cds-issuer.

Registered on the main `oncospine` command by `register(app)`; heavy imports stay inside the
commands so `oncospine assess` starts fast.
"""

from __future__ import annotations

import json
import sys
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from oncospine.errors import OncospineError

if TYPE_CHECKING:
    from oncospine.store import Store

users = typer.Typer(help="Accounts of the web application.", no_args_is_help=True)
tokens = typer.Typer(help="API tokens for scripts and EHR tests.", no_args_is_help=True)
issuers = typer.Typer(help="EHRs allowed to call the CDS Hooks service.", no_args_is_help=True)
Url = Annotated[str | None, typer.Option("--database-url", help="default: "
                                         "$ONCOSPINE_DATABASE_URL or sqlite:///oncospine.db")]


def _store(url: str | None) -> Store:
    from oncospine.store import Store

    return Store(url)


def _fail(exc: OncospineError) -> None:
    sys.stderr.write(f"error: {exc}\n")
    raise typer.Exit(2)


@users.command("add")
def user_add(name: str, role: Annotated[str, typer.Option(help="viewer, clinician, "
                                                          "coordinator, chair or admin")],
             database_url: Url = None) -> None:
    """Create an account and print its one-time password."""
    try:
        user, password = _store(database_url).add_user(name, role, actor="cli")
    except OncospineError as exc:
        _fail(exc)
        return
    sys.stdout.write(f"user {user.username} ({user.role}) created; one-time password: "
                     f"{password}\n")


@users.command("list")
def user_list(database_url: Url = None) -> None:
    """List accounts and their roles."""
    for user in _store(database_url).users():
        sys.stdout.write(f"{user.username}\t{user.role}\t{'active' if user.active else 'off'}\n")


@tokens.command("create")
def token_create(name: Annotated[str, typer.Argument(help="the user the token acts as")],
                 label: Annotated[str, typer.Option("--label", help="what it is for")] = "cli",
                 database_url: Url = None) -> None:
    """Print a new API token for `Authorization: Bearer` (stored hashed; shown once)."""
    try:
        raw = _store(database_url).create_token(name, label, actor="cli")
    except OncospineError as exc:
        _fail(exc)
        return
    sys.stdout.write(raw + "\n")


@tokens.command("list")
def token_list(database_url: Url = None) -> None:
    """List tokens (prefix only) with their owner and state."""
    for t in _store(database_url).tokens():
        state = f"revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else "active"
        sys.stdout.write(f"{t.id}\t{t.prefix}…\t{t.username}\t{t.name}\t{state}\n")


@tokens.command("revoke")
def token_revoke(token_id: int, database_url: Url = None) -> None:
    """Revoke a token by its id (see `oncospine token list`)."""
    try:
        _store(database_url).revoke_token(token_id, actor="cli")
    except OncospineError as exc:
        _fail(exc)
        return
    sys.stdout.write(f"token {token_id} revoked\n")


@issuers.command("add")
def issuer_add(iss: Annotated[str, typer.Argument(help="the EHR's JWT issuer (iss)")],
               jwks: Annotated[Path, typer.Option(help="JSON file with the issuer's JWK Set")],
               jku: Annotated[str | None, typer.Option(help="allowed JWK Set URL")] = None,
               database_url: Url = None) -> None:
    """Allow an EHR to call the CDS Hooks service with JWTs signed by these keys."""
    try:
        keys = json.loads(jwks.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        sys.stderr.write(f"error: cannot read the JWK Set {jwks}: {exc}\n")
        raise typer.Exit(2) from exc
    try:
        _store(database_url).add_cds_issuer(iss, keys, jku=jku, actor="cli")
    except OncospineError as exc:
        _fail(exc)
        return
    sys.stdout.write(f"issuer {iss} allowed\n")


def seed(database_url: Url = None) -> None:
    """On an empty database: add the demo cases and an admin account (password printed once)."""
    import yaml

    store = _store(database_url)
    if store.user_count() or store.case_count():
        sys.stdout.write("database not empty: nothing seeded\n")
        return
    _user, password = store.add_user("admin", "admin", actor="seed")
    folder = resources.files("oncospine") / "examples"
    names = sorted(p.name for p in folder.iterdir() if p.name.endswith(".yaml"))
    for name in names:
        store.create_case(yaml.safe_load((folder / name).read_text("utf-8")), "seed",
                          note="demo case")
    sys.stdout.write(f"seeded {len(names)} demo cases; sign in as admin with the one-time "
                     f"password: {password}\n")


def serve(host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
          port: Annotated[int, typer.Option(help="port")] = 8000,
          database_url: Url = None) -> None:
    """Start the web application (migrations run first)."""
    import os

    import uvicorn

    from oncospine.serving import settle_heap
    from oncospine.web.app import create_app
    from oncospine.web.settings import Settings

    if database_url:
        os.environ["ONCOSPINE_DATABASE_URL"] = database_url
    try:
        app = create_app(Settings.from_env())
    except OncospineError as exc:
        _fail(exc)
        return
    settle_heap()
    sys.stdout.write(f"oncospine on http://{host}:{port}\n")
    uvicorn.run(app, host=host, port=port, log_level="warning")


def register(app: typer.Typer) -> None:
    app.add_typer(users, name="user")
    app.add_typer(tokens, name="token")
    app.add_typer(issuers, name="cds-issuer")
    app.command()(seed)
    app.command()(serve)
