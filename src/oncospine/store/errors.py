"""Errors of the case store; the web layer maps each to one HTTP status."""

from __future__ import annotations

from oncospine.errors import OncospineError


class StoreError(OncospineError):
    """Base class of store errors."""


class NotFound(StoreError):
    """No such case, meeting, decision, user or token (HTTP 404)."""


class RevisionConflict(StoreError):
    """The case changed since the editor loaded it (HTTP 409); nothing was written."""

    def __init__(self, case_id: int, expected: int, current: int) -> None:
        self.case_id, self.expected, self.current = case_id, expected, current
        super().__init__(
            f"case {case_id} is at revision {current}, not {expected}: someone else saved it "
            "first. Reload the case, check their change, and save again.")


class Forbidden(StoreError):
    """The user's role does not allow this (HTTP 403)."""


class ReadOnly(StoreError):
    """A signed decision cannot change (HTTP 409)."""


class Invalid(StoreError):
    """A request the store refuses for a stated reason (HTTP 422)."""
