"""The store's foundation: the engine, migrations, transactions and the audit entry each write
appends. The service is assembled from this in `service.py`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from oncospine.store.models import AuditEntry

DEFAULT_URL = "sqlite:///oncospine.db"
MIGRATIONS = Path(__file__).parent / "migrations"


def database_url() -> str:
    return os.environ.get("ONCOSPINE_DATABASE_URL", DEFAULT_URL)


def _engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return create_engine(url, pool_size=10, max_overflow=20, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the database to the newest schema (an empty database included)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


class StoreBase:
    """Engine, sessions and the audit helper shared by every part of the store."""

    def __init__(self, url: str | None = None, *, run_migrations: bool = True) -> None:
        self.url = url or database_url()
        self.engine = _engine(self.url)
        if run_migrations:
            migrate(self.engine)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        with self._sessions.begin() as session:
            yield session

    @staticmethod
    def _audit(s: Session, actor: str, action: str, entity: str, entity_id: object,
               **detail: Any) -> None:
        s.add(AuditEntry(actor=actor, action=action, entity=entity, entity_id=str(entity_id),
                         detail=detail))
