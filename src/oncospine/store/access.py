"""Accounts, login sessions and API tokens of the store."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from oncospine.store import accounts
from oncospine.store.base import StoreBase
from oncospine.store.errors import Invalid, NotFound
from oncospine.store.models import (
    ApiToken,
    LoginSession,
    User,
    utcnow,
)
from oncospine.store.views import (
    TokenView,
    UserView,
)

SESSION_HOURS = 12


class AccessStore(StoreBase):
    def add_user(self, username: str, role: str, *, password: str | None = None,
                 display_name: str = "", actor: str = "system") -> tuple[UserView, str]:
        """Create an account; returns it with its password (generated when not given)."""
        if role not in accounts.ROLES:
            raise Invalid(f"unknown role {role!r}; roles: {', '.join(accounts.ROLES)}")
        if not username.strip():
            raise Invalid("a user name is required")
        password = password or accounts.new_password()
        with self._tx() as s:
            if s.scalar(select(User).where(User.username == username)) is not None:
                raise Invalid(f"user {username!r} already exists")
            user = User(username=username, role=role, display_name=display_name,
                        password_hash=accounts.hash_password(password))
            s.add(user)
            s.flush()
            self._audit(s, actor, "user.add", "user", user.id, username=username, role=role)
            return _user(user), password

    def users(self) -> list[UserView]:
        with self._tx() as s:
            return [_user(u) for u in s.scalars(select(User).order_by(User.username))]

    def user_count(self) -> int:
        with self._tx() as s:
            return int(s.scalar(select(func.count(User.id))) or 0)

    def authenticate(self, username: str, password: str) -> UserView | None:
        with self._tx() as s:
            user = s.scalar(select(User).where(User.username == username))
            ok = user is not None and user.active and accounts.password_matches(
                user.password_hash, password)
            self._audit(s, username, "login" if ok else "login.failed", "user",
                        user.id if user else "-")
            return _user(user) if ok and user else None

    def open_session(self, user: UserView) -> tuple[str, str]:
        """A new login session: (cookie token, CSRF token)."""
        token, csrf = accounts.new_token(), accounts.new_token()
        with self._tx() as s:
            s.add(LoginSession(token_hash=accounts.digest(token), user_id=user.id,
                               csrf_token=csrf,
                               expires_at=utcnow() + timedelta(hours=SESSION_HOURS)))
        return token, csrf

    def session_user(self, token: str) -> tuple[UserView, str] | None:
        """The user and CSRF token of a live session, or None."""
        with self._tx() as s:
            row = s.get(LoginSession, accounts.digest(token))
            if row is None or row.expires_at <= utcnow() or not row.user.active:
                return None
            return _user(row.user), row.csrf_token

    def close_session(self, token: str) -> None:
        with self._tx() as s:
            row = s.get(LoginSession, accounts.digest(token))
            if row is not None:
                self._audit(s, row.user.username, "logout", "user", row.user_id)
                s.delete(row)

    def create_token(self, username: str, name: str, *, actor: str = "system") -> str:
        """A new API token for `username`; only its digest is kept, so show it once."""
        raw = accounts.new_token(accounts.TOKEN_PREFIX)
        with self._tx() as s:
            user = s.scalar(select(User).where(User.username == username))
            if user is None:
                raise NotFound(f"no user {username!r}")
            token = ApiToken(user_id=user.id, name=name or "token", prefix=raw[:10],
                             token_hash=accounts.digest(raw))
            s.add(token)
            s.flush()
            self._audit(s, actor, "token.create", "token", token.id, user=username, name=name)
        return raw

    def tokens(self) -> list[TokenView]:
        with self._tx() as s:
            return [TokenView(t.id, t.user.username, t.name, t.prefix, t.created_at,
                              t.revoked_at, t.last_used_at)
                    for t in s.scalars(select(ApiToken).order_by(ApiToken.id))]

    def revoke_token(self, token_id: int, *, actor: str = "system") -> None:
        with self._tx() as s:
            token = s.get(ApiToken, token_id)
            if token is None:
                raise NotFound(f"no token {token_id}")
            if token.revoked_at is None:
                token.revoked_at = utcnow()
                self._audit(s, actor, "token.revoke", "token", token_id)

    def token_user(self, raw: str) -> UserView | None:
        """The user behind a live API token, or None (unknown or revoked)."""
        with self._tx() as s:
            token = s.scalar(select(ApiToken).where(
                ApiToken.token_hash == accounts.digest(raw)))
            if token is None or token.revoked_at is not None or not token.user.active:
                return None
            now = utcnow()
            if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
                token.last_used_at = now
            return _user(token.user)


def _user(u: User) -> UserView:
    return UserView(u.id, u.username, u.role, u.display_name, u.active)
