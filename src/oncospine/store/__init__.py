"""Case store: SQLAlchemy tables, migrations and the store service."""

from oncospine.store.errors import (
    Forbidden,
    Invalid,
    NotFound,
    ReadOnly,
    RevisionConflict,
    StoreError,
)
from oncospine.store.service import Store, database_url, migrate

__all__ = [
    "Forbidden", "Invalid", "NotFound", "ReadOnly", "RevisionConflict", "Store", "StoreError",
    "database_url", "migrate",
]
