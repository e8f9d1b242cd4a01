"""The shared machinery of every point score: exact ranges over unknown inputs.

A score is a list of *groups*. A group holds one or more named items that depend on the same
inputs, and the set of point tuples those items can still take given what is known (one tuple
when everything it reads is known). Groups are independent, so the achievable totals are the
sum-set of the groups' partial sums: exact, not a loose min/max, even when two items read the
same input (Bauer's two primary-site items).

References: shared spec assessment-format.md "Status and range".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

Band = tuple[int, int, str]


@dataclass(frozen=True, slots=True)
class Group:
    """Items that share inputs, with every point tuple they can still produce."""

    names: tuple[str, ...]
    options: frozenset[tuple[int, ...]]
    missing: tuple[str, ...] = ()
    rows: tuple[tuple[str, str], ...] = ()  # (table, row) used, for the "which row" display

    @classmethod
    def one(cls, name: str, points: Iterable[int], missing: Sequence[str] = (),
            rows: Sequence[tuple[str, str]] = ()) -> Group:
        return _one(name, frozenset(points), tuple(missing), tuple(rows))

    @property
    def decided(self) -> bool:
        return len(self.options) == 1


@lru_cache(maxsize=8192)
def _one(name: str, points: frozenset[int], missing: tuple[str, ...],
         rows: tuple[tuple[str, str], ...]) -> Group:
    # Groups are immutable and few distinct ones exist, so they are built once and shared.
    return Group((name,), frozenset((p,) for p in points), missing, rows)


@dataclass(slots=True)
class ScoreResult:
    """One score in the shape of the assessment format (status, total, range, band, parts)."""

    name: str
    status: str
    total: int | None = None
    range: tuple[int, int] | None = None
    band: str | None = None
    components: dict[str, int | None] = field(default_factory=dict)
    missing: list[str] = field(default_factory=list)
    version: str = ""
    sources: tuple[str, ...] = ()
    rules: tuple[str, ...] = ()
    rows: dict[str, str] = field(default_factory=dict)
    reason: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        if self.status == "not_applicable":
            out: dict[str, Any] = {"status": "not_applicable", "reason": self.reason}
        else:
            out = {
                "status": self.status,
                "total": self.total,
                "range": list(self.range) if self.range else None,
                "band": self.band,
                "components": dict(self.components),
                "missing": list(self.missing),
            }
            if self.rows:
                out["rows"] = dict(self.rows)
        out["version"] = self.version
        out["sources"] = list(self.sources)
        out["rules"] = list(self.rules)
        out.update(self.extra)
        return out


def band_of(total: int, bands: Sequence[Band]) -> str | None:
    for low, high, name in bands:
        if low <= total <= high:
            return name
    return None


def achievable_totals(groups: Sequence[Group]) -> set[int]:
    """Every total the groups can still add up to."""
    fixed = 0
    totals = {0}
    for group in groups:
        if len(group.options) == 1:
            fixed += sum(next(iter(group.options)))
            continue
        partials = {sum(option) for option in group.options}
        totals = {t + p for t in totals for p in partials}
    return {t + fixed for t in totals}


def evaluate(
    name: str,
    groups: Sequence[Group],
    bands: Sequence[Band],
    *,
    version: str,
    sources: Sequence[str],
    rules: Sequence[str],
    transform: Callable[[int], int] | None = None,
) -> ScoreResult:
    """Combine groups into a result: complete only when every group is decided."""
    status, total, rng, band, components, missing, rows = _combine(tuple(groups), tuple(bands),
                                                                   transform)
    return ScoreResult(
        name=name,
        status=status,
        total=total,
        range=rng,
        band=band,
        components=dict(components),
        missing=list(missing),
        version=version,
        sources=tuple(sources),
        rules=tuple(rules),
        rows=dict(rows),
    )


Combined = tuple[str, int | None, tuple[int, int], str | None, tuple[tuple[str, int | None], ...],
                 tuple[str, ...], tuple[tuple[str, str], ...]]


@lru_cache(maxsize=16384)
def _combine(groups: tuple[Group, ...], bands: tuple[Band, ...],
             transform: Callable[[int], int] | None) -> Combined:
    totals = achievable_totals(groups)
    if transform is not None:
        totals = {transform(t) for t in totals}
    low, high = min(totals), max(totals)
    components: dict[str, int | None] = {}
    missing: list[str] = []
    rows: dict[str, str] = {}
    complete = True
    for group in groups:
        if len(group.options) == 1:
            components.update(zip(group.names, next(iter(group.options)), strict=True))
        else:
            complete = False
            for i, item in enumerate(group.names):
                values = {option[i] for option in group.options}
                components[item] = next(iter(values)) if len(values) == 1 else None
            missing.extend(m for m in group.missing if m not in missing)
        for table, row in group.rows:
            rows[table] = row
    band_low, band_high = band_of(low, bands), band_of(high, bands)
    return ("complete" if complete else "incomplete", low if complete else None, (low, high),
            band_low if band_low == band_high else None, tuple(components.items()),
            tuple(missing), tuple(rows.items()))


def not_applicable(name: str, reason: str, *, version: str, sources: Sequence[str],
                   rules: Sequence[str] = ()) -> ScoreResult:
    return ScoreResult(name=name, status="not_applicable", reason=reason, version=version,
                       sources=tuple(sources), rules=tuple(rules))
