"""What every reader shares: the refusal of a whole file, a batch of rows, and the checks of a
file's columns against the flat case form.

Problems with the file itself (unknown or repeated column, a column of the wrong type, an empty
file) raise `BatchInputError`: nothing can be scored safely from it. Problems with single rows
become row errors in the batch and the rest of the file is read.

References: docs/batch.md "The flat form".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from oncospine.batch import schema as fs
from oncospine.batch.validate import Prepared
from oncospine.errors import OncospineError, closest

SCAN_BYTES = 1 << 20


class BatchInputError(OncospineError):
    """The input file cannot be read as a registry of cases (the whole file is refused)."""


@dataclass(slots=True)
class Batch:
    """Rows read from the input: raw flat columns to validate, or rows already judged."""

    raw: pl.DataFrame | None = None
    original: Callable[[int], Any] | None = None
    prepared: Prepared | None = None
    errors: list[dict[str, Any]] = field(default_factory=list)
    rows_read: int = 0


def check_not_empty(path: Path, text: bool) -> None:
    """Refuse a file with no bytes, or (for text) nothing but blank space: an export that wrote
    nothing must not pass for a registry with no cases."""
    with path.open("rb") as handle:
        while chunk := handle.read(SCAN_BYTES):
            if not text or chunk.strip():
                return
    raise BatchInputError(f"{path}: the file is empty (no header and no cases)")


def known_column(name: str) -> bool:
    if name in {f.column for f in fs.SCALARS} or name in fs.COUNT_COLUMNS.values():
        return True
    parsed = fs.parse_slot_column(name)
    if parsed is None:
        return False
    section, n, sub = parsed
    return 1 <= n <= fs.REPEATED[section][1] and any(
        t.path[-1] == sub for t in fs.SLOT_TEMPLATES[section])


def check_columns(names: list[str]) -> None:
    """Refuse unknown or repeated column names, with a did-you-mean."""
    problems = []
    seen: set[str] = set()
    for name in names:
        if name in seen:
            problems.append(f"column {name!r} appears twice")
        seen.add(name)
        if known_column(name):
            continue
        parsed = fs.parse_slot_column(name)
        if parsed and parsed[1] > fs.REPEATED[parsed[0]][1]:
            limit = fs.REPEATED[parsed[0]][1]
            problems.append(f"column {name!r}: the flat form holds at most {limit} "
                            f"{parsed[0]} entries")
            continue
        candidates = [f.column for f in fs.fields({s: 1 for s in fs.REPEATED})]
        candidates += list(fs.COUNT_COLUMNS.values())
        hint = closest(name, candidates) or _by_field_name(name, candidates)
        problems.append(f"unknown column {name!r}" + (f"; did you mean {hint!r}?" if hint
                                                      else ""))
    if problems:
        raise BatchInputError("the input does not follow the flat case form "
                              "(docs/batch.md):\n  - " + "\n  - ".join(problems))


def _by_field_name(name: str, candidates: list[str]) -> str | None:
    """`ecog` → `status_ecog`: a bare field name matched against the part after the prefix."""
    tails = {c.split("_", 1)[1]: c for c in candidates if "_" in c and not c.startswith(
        ("lesion1_", "imaging1_"))}
    tails.update({c.split("_", 1)[1]: c.replace("1_", "{n}_", 1) for c in candidates
                  if c.startswith(("lesion1_", "imaging1_"))})
    hint = closest(name, tails)
    return tails[hint] if hint else None


ACCEPTED = {
    "int": ("integer", "float", "text"), "float": ("integer", "float", "text"),
    "bool": ("boolean", "text"), "text": ("text",), "choice": ("text",),
    "time": ("datetime", "text"), "choices": ("list of text", "text"),
    "ints": ("list of integer", "text"),
}


def _dtype_class(dtype: Any) -> str:
    if dtype == pl.Null:
        return "null"
    if dtype.is_integer():
        return "integer"
    if dtype.is_float():
        return "float"
    if dtype == pl.Boolean:
        return "boolean"
    if dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum):
        return "text"
    if isinstance(dtype, pl.Datetime):
        return "datetime"
    if isinstance(dtype, pl.List | pl.Array):
        inner = _dtype_class(dtype.inner) if dtype.inner is not None else "null"
        return "list of " + ("text" if inner == "null" else inner)
    return str(dtype)


def check_types(schema: pl.Schema) -> None:
    """Refuse columns whose type can never hold their field (a list where a number belongs)."""
    by_column = {f.column: f for f in fs.fields()}
    problems = []
    for name, dtype in schema.items():
        spec = by_column.get(name) or fs.Field(name, (name,), "int")
        found = _dtype_class(dtype)
        if found == "null":
            continue
        accepted = ACCEPTED[spec.kind]
        if found == "list of null" or (found.startswith("list of") and spec.is_list
                                       and found == "list of text"):
            continue
        if found not in accepted:
            problems.append(f"column {name!r} has type {dtype}; expected "
                            f"{' or '.join(accepted)}")
    if problems:
        raise BatchInputError("wrong column types:\n  - " + "\n  - ".join(problems))
