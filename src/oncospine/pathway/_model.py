"""Small value types the pathway modules return (plain data, no behaviour beyond export)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(slots=True)
class Option:
    """One action, test or treatment with its role and why.

    Roles: recommended, consider, not_recommended (with the reason), discuss (sources conflict or
    the tumour board must judge). Phase says where it sits: triage, workup, immediate,
    definitive, supportive, follow_up.
    """

    id: str
    role: str
    phase: str
    rules: tuple[str, ...]
    rationale: str
    within_hours: float | None = None
    dose: str | None = None
    conflicts: tuple[str, ...] = ()
    after: str | None = None  # the option this one follows (e.g. SBRT after separation surgery)
    done: bool = False

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "role": self.role, "phase": self.phase,
                               "rules": list(self.rules), "rationale": self.rationale}
        if self.within_hours is not None:
            out["within_hours"] = self.within_hours
        if self.dose is not None:
            out["dose"] = self.dose
        if self.conflicts:
            out["conflicts"] = list(self.conflicts)
        if self.after is not None:
            out["after"] = self.after
        if self.done:
            out["done"] = True
        return out


@dataclass(slots=True)
class Reason:
    rule: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "text": self.text}


@dataclass(slots=True)
class Collected:
    """What a pathway step found: options, notes, conflicts and inputs to ask for."""

    options: list[Option] = field(default_factory=list)
    notes: list[Reason] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def add(self, option: Option) -> None:
        self.options.append(option)

    def note(self, rule: str, text: str) -> None:
        self.notes.append(Reason(rule, text))

    def conflict(self, cid: str) -> None:
        if cid not in self.conflicts:
            self.conflicts.append(cid)

    def ask(self, *paths: str) -> None:
        for path in paths:
            if path not in self.missing:
                self.missing.append(path)

    def extend(self, other: Collected) -> None:
        self.options.extend(other.options)
        self.notes.extend(other.notes)
        for cid in other.conflicts:
            self.conflict(cid)
        self.ask(*other.missing)
