"""Settings of the web application, read once from the environment at start-up.

Wrong settings stop the server at start with a message, rather than failing on the first request.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from oncospine.errors import OncospineError
from oncospine.store.service import DEFAULT_URL


class SettingsError(OncospineError):
    """A setting of the web application is wrong."""


@dataclass(frozen=True)
class Settings:
    database_url: str = DEFAULT_URL
    secure_cookies: bool = False          # set when served over HTTPS
    base_url: str = "http://127.0.0.1:8000"  # how EHRs reach this service (CDS Hooks `aud`)

    def __post_init__(self) -> None:
        try:
            url = make_url(self.database_url)
        except ArgumentError as exc:
            raise SettingsError(f"ONCOSPINE_DATABASE_URL is not a database URL: {exc}") from exc
        if url.get_backend_name() not in ("sqlite", "postgresql"):
            raise SettingsError("ONCOSPINE_DATABASE_URL must be a sqlite:// or postgresql:// URL")
        if not self.base_url.startswith(("http://", "https://")):
            raise SettingsError("ONCOSPINE_BASE_URL must start with http:// or https://")

    @classmethod
    def from_env(cls) -> Settings:
        flag = os.environ.get("ONCOSPINE_SECURE_COOKIES", "").lower()
        if flag not in ("", "0", "1", "true", "false", "yes", "no"):
            raise SettingsError("ONCOSPINE_SECURE_COOKIES must be true or false")
        return cls(
            database_url=os.environ.get("ONCOSPINE_DATABASE_URL", DEFAULT_URL),
            secure_cookies=flag in ("1", "true", "yes"),
            base_url=os.environ.get("ONCOSPINE_BASE_URL", cls.base_url).rstrip("/"),
        )
