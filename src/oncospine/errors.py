"""The one exception hierarchy of oncospine.

Every error a user can cause is a subclass of `OncospineError`. Validation problems are data: each
`Issue` names the dotted field path, the value received, what is allowed and, where a close match
exists, a did-you-mean suggestion. Edges (CLI, web, batch) translate these into exit status 2,
HTTP 422 or a row in an error file; foreign exceptions never leak past them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any


class OncospineError(Exception):
    """Base class of every error oncospine raises on purpose."""


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem with one field of the input."""

    path: str
    message: str
    value: Any = None
    allowed: tuple[str, ...] = ()
    suggestion: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"field": self.path, "message": self.message, "value": self.value}
        if self.allowed:
            out["allowed"] = list(self.allowed)
        if self.suggestion is not None:
            out["did_you_mean"] = self.suggestion
        return out

    def __str__(self) -> str:
        text = f"{self.path or '<case>'}: {self.message} (got {self.value!r})"
        if self.suggestion is not None:
            text += f"; did you mean {self.suggestion!r}?"
        if self.allowed and len(self.allowed) <= 32:
            text += f"; allowed: {', '.join(self.allowed)}"
        return text


@dataclass(slots=True)
class CaseValidationError(OncospineError):
    """The case does not follow `oncospine-case/1`; `issues` says where and how to fix it."""

    issues: Sequence[Issue] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        Exception.__init__(self, self.summary())

    def summary(self) -> str:
        count = len(self.issues)
        head = f"invalid case: {count} problem{'s' if count != 1 else ''}"
        return head + "".join(f"\n  - {issue}" for issue in self.issues)

    def to_dict(self) -> dict[str, Any]:
        return {"error": "invalid_case", "issues": [i.to_dict() for i in self.issues]}


class CaseReadError(OncospineError):
    """The case file could not be read or parsed as JSON or YAML."""


class UnknownNameError(OncospineError):
    """A name given on the command line (score, example) is not known."""

    def __init__(self, kind: str, name: str, known: Iterable[str]) -> None:
        known = sorted(known)
        hint = closest(name, known)
        text = f"unknown {kind} {name!r}"
        if hint:
            text += f"; did you mean {hint!r}?"
        text += f" Known: {', '.join(known)}"
        super().__init__(text)


def closest(word: str, candidates: Iterable[str]) -> str | None:
    """The closest candidate to `word`, or None when nothing is near enough."""
    matches = difflib.get_close_matches(str(word), list(candidates), n=1, cutoff=0.6)
    return matches[0] if matches else None
