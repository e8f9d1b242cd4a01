"""Roles, permissions, password hashing and token generation for the store's users.

Passwords are hashed with Argon2id (argon2-cffi). Session and API tokens are long random strings;
only their SHA-256 digest is stored, so a copy of the database does not hand out access.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

ROLES: Final = ("viewer", "clinician", "coordinator", "chair", "admin")

#: What each role may do. Reading is open to every signed-in role. Only a chair signs a
#: tumour-board decision; an administrator manages accounts but does not sign clinical decisions.
PERMISSIONS: Final[dict[str, frozenset[str]]] = {
    "read": frozenset(ROLES),
    "edit_case": frozenset({"clinician", "coordinator", "chair", "admin"}),
    "manage_meeting": frozenset({"coordinator", "chair", "admin"}),
    "draft_decision": frozenset({"coordinator", "chair"}),
    "sign_decision": frozenset({"chair"}),
    "manage_users": frozenset({"admin"}),
}

TOKEN_PREFIX: Final = "osp_"

_hasher = PasswordHasher()


def can(role: str, permission: str) -> bool:
    return role in PERMISSIONS[permission]


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def password_matches(stored_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def new_password() -> str:
    """A one-time password that is easy to type from a terminal (about 100 bits)."""
    return secrets.token_urlsafe(16)


def new_token(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()
