"""The flat form of `oncospine-case/1`: one row per case, one column per field.

The column list is derived from the case model itself (`oncospine.case`), so a field added to the
model appears here without a second list to keep in step. Sections become prefixes
(`status.ecog` → `status_ecog`), the case `id` is `case_id`, and the repeated parts are numbered
slots: `lesion1_level` … `lesion31_level`, `imaging1_modality` … `imaging16_at`, with
`lesion_count` and `imaging_count` saying how many slots hold an entry.

Lists of codes are Parquet lists, or in CSV one cell with the codes separated by `|`; an empty
cell is *unknown* and the cell `[]` is a known empty list (for example no neurological feature).

References: shared spec case-format.md; docs/batch.md.
"""

from __future__ import annotations

import types
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import annotated_types
from pydantic import AwareDatetime, BaseModel

from oncospine.case import Case
from oncospine.vocab import CASE_FORMAT, LEVELS

MAX_LESIONS = len(LEVELS)  # one slot per level of the vocabulary: 31
MAX_IMAGING = 16
LIST_SEPARATOR = "|"
EMPTY_LIST = "[]"
REPEATED = {"lesions": ("lesion", MAX_LESIONS), "imaging": ("imaging", MAX_IMAGING)}
TOP_LEVEL = {"id": "case_id", "assessed_at": "assessed_at", "format": "format"}

Kind = Literal["int", "float", "bool", "text", "choice", "time", "choices", "ints"]


@dataclass(frozen=True, slots=True)
class Field:
    """One column of the flat form and the case field it carries."""

    column: str
    path: tuple[str | int, ...]  # e.g. ("status", "ecog") or ("lesions", 0, "level")
    kind: Kind
    allowed: tuple[str, ...] = ()
    ge: float | None = None
    le: float | None = None
    multiple_of: float | None = None

    @property
    def dotted(self) -> str:
        return ".".join(str(part) for part in self.path)

    @property
    def is_list(self) -> bool:
        return self.kind in ("choices", "ints")


def _strip_optional(tp: Any) -> Any:
    if get_origin(tp) in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return tp


def _constraints(tp: Any) -> tuple[Any, dict[str, float]]:
    """The bare type and its numeric bounds, from `Annotated[int, Field(ge=…, le=…)]`."""
    bounds: dict[str, float] = {}
    if get_origin(tp) is Annotated:
        base, *meta = get_args(tp)
        for item in meta:
            for inner in getattr(item, "metadata", [item]):
                if isinstance(inner, annotated_types.Ge):
                    bounds["ge"] = float(inner.ge)  # type: ignore[arg-type]
                elif isinstance(inner, annotated_types.Le):
                    bounds["le"] = float(inner.le)  # type: ignore[arg-type]
                elif isinstance(inner, annotated_types.MultipleOf):
                    bounds["multiple_of"] = float(inner.multiple_of)  # type: ignore[arg-type]
        return base, bounds
    return tp, bounds


def _field(column: str, path: tuple[str | int, ...], annotation: Any) -> Field:
    tp, bounds = _constraints(_strip_optional(annotation))
    if get_origin(tp) is list:
        item, item_bounds = _constraints(get_args(tp)[0])
        if get_origin(item) is Literal:
            return Field(column, path, "choices", tuple(str(a) for a in get_args(item)))
        if item is int:
            return Field(column, path, "ints", ge=item_bounds.get("ge"),
                         le=item_bounds.get("le"))
        raise TypeError(f"no flat form for list field {column}: {tp!r}")
    if get_origin(tp) is Literal:
        return Field(column, path, "choice", tuple(str(a) for a in get_args(tp)))
    if tp is AwareDatetime or tp is datetime:
        return Field(column, path, "time")
    kinds = {bool: "bool", int: "int", float: "float", str: "text"}
    if tp in kinds:
        return Field(column, path, kinds[tp], ge=bounds.get("ge"),  # type: ignore[arg-type]
                     le=bounds.get("le"), multiple_of=bounds.get("multiple_of"))
    raise TypeError(f"no flat form for field {column}: {tp!r}")


def _model_of(annotation: Any) -> type[BaseModel] | None:
    tp = _strip_optional(annotation)
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


def _build() -> tuple[tuple[Field, ...], dict[str, tuple[Field, ...]]]:
    scalars: list[Field] = []
    slots: dict[str, tuple[Field, ...]] = {}
    for name, info in Case.model_fields.items():
        if name in TOP_LEVEL:
            scalars.append(_field(TOP_LEVEL[name], (name,), info.annotation))
            continue
        if name in REPEATED:
            item = _model_of(get_args(_strip_optional(info.annotation))[0])
            if item is None:
                raise TypeError(f"repeated section {name} is not a list of models")
            prefix = REPEATED[name][0]
            slots[name] = tuple(_field(f"{prefix}{{n}}_{sub}", (name, 0, sub), sub_info.annotation)
                                for sub, sub_info in item.model_fields.items())
            continue
        model = _model_of(info.annotation)
        if model is None:
            raise TypeError(f"no flat form for case section {name}")
        scalars.extend(_field(f"{name}_{sub}", (name, sub), sub_info.annotation)
                       for sub, sub_info in model.model_fields.items())
    return tuple(scalars), slots


SCALARS, SLOT_TEMPLATES = _build()
COUNT_COLUMNS = {name: f"{prefix}_count" for name, (prefix, _) in REPEATED.items()}


def slot_field(section: str, template: Field, n: int) -> Field:
    """The field of slot `n` (1-based) of a repeated section, e.g. lesion 2's level."""
    return Field(template.column.format(n=n), (section, n - 1, template.path[-1]),
                 template.kind, template.allowed, template.ge, template.le,
                 template.multiple_of)


def fields(slot_counts: Mapping[str, int] | None = None) -> Iterator[Field]:
    """Every field of the flat form, with this many slots per repeated section."""
    yield from SCALARS
    for section, templates in SLOT_TEMPLATES.items():
        count = (slot_counts or {}).get(section, REPEATED[section][1])
        for n in range(1, count + 1):
            for template in templates:
                yield slot_field(section, template, n)


def parse_slot_column(column: str) -> tuple[str, int, str] | None:
    """`lesion12_escc` → ("lesions", 12, "escc"); None when not a slot column."""
    for section, (prefix, _) in REPEATED.items():
        if not column.startswith(prefix):
            continue
        number, sep, sub = column[len(prefix):].partition("_")
        if sep and number.isdigit() and not number.startswith("0"):
            return section, int(number), sub
    return None


# ---------------------------------------------------------------- rows ⇄ cases


def decode_list(value: Any) -> Any:
    """A CSV list cell: `a|b` → ["a", "b"], `[]` → []; lists pass through."""
    if isinstance(value, str):
        return [] if value.strip() == EMPTY_LIST else value.split(LIST_SEPARATOR)
    return value


def unflatten(row: Mapping[str, Any], counts: Mapping[str, int | None]) -> dict[str, Any]:
    """The case document a flat row stands for (unknown fields left out).

    `counts` gives the number of entries of each repeated section (None: not recorded). Values
    are passed on as they are, so the case model judges them exactly as it judges a JSON case:
    text such as "80" in a number column is read the way the model reads it.
    """
    doc: dict[str, Any] = {}
    if "format" not in row:
        doc["format"] = CASE_FORMAT
    for field in SCALARS:
        value = row.get(field.column)
        if value is None:
            continue
        if field.is_list:
            value = decode_list(value)
        if len(field.path) == 1:
            doc[str(field.path[0])] = value
        else:
            doc.setdefault(str(field.path[0]), {})[str(field.path[1])] = value
    for section, templates in SLOT_TEMPLATES.items():
        count = counts.get(section)
        if count is None:
            continue
        entries = []
        for n in range(1, count + 1):
            entry = {}
            for template in templates:
                value = row.get(template.column.format(n=n))
                if value is not None:
                    entry[str(template.path[-1])] = (decode_list(value) if template.is_list
                                                     else value)
            entries.append(entry)
        doc[section] = entries
    return doc


def flatten(case: Case) -> dict[str, Any]:
    """A validated case as one flat row of canonical values (times in UTC)."""
    row: dict[str, Any] = {}
    data = case.model_dump()
    for field in SCALARS:
        node: Any = data
        for part in field.path:
            node = node.get(part) if isinstance(node, dict) else None
        row[field.column] = _canonical(node)
    for section, templates in SLOT_TEMPLATES.items():
        entries = data.get(section) or []
        row[COUNT_COLUMNS[section]] = len(entries)
        for n, entry in enumerate(entries, start=1):
            for template in templates:
                row[template.column.format(n=n)] = _canonical(entry.get(template.path[-1]))
    return row


def _canonical(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return value


# ---------------------------------------------------------------- the published schema

SCHEMA_FILE = "flat-case.schema.json"


def _property(f: Field) -> dict[str, Any]:
    item: dict[str, Any]
    if f.kind in ("choice", "choices"):
        item = {"type": "string", "enum": list(f.allowed)}
    elif f.kind in ("int", "ints"):
        item = {"type": "integer"}
    elif f.kind == "float":
        item = {"type": "number"}
    elif f.kind == "bool":
        item = {"type": "boolean"}
    elif f.kind == "time":
        item = {"type": "string", "format": "date-time",
                "description": "ISO 8601 with an offset, e.g. 2026-11-20T09:30:00+00:00"}
    else:
        item = {"type": "string"}
    for key, bound in (("minimum", f.ge), ("maximum", f.le), ("multipleOf", f.multiple_of)):
        if bound is not None:
            item[key] = int(bound) if float(bound).is_integer() else bound
    if f.is_list:
        item = {"type": "array", "items": item,
                "description": "in CSV: values joined by '|', '[]' for an empty list"}
    out = {"anyOf": [item, {"type": "null"}], "x-case-path": f.dotted.replace(".0.", ".N.")}
    if f.kind == "time":
        out["description"] = item["description"]
    return out


def json_schema() -> dict[str, Any]:
    """JSON Schema of one flat row (the columns of Parquet and CSV input)."""
    props: dict[str, Any] = {f.column: _property(f) for f in SCALARS}
    props["format"]["description"] = "optional column; when absent every row is " + CASE_FORMAT
    patterns: dict[str, Any] = {}
    for section, (prefix, limit) in REPEATED.items():
        props[COUNT_COLUMNS[section]] = {
            "anyOf": [{"type": "integer", "minimum": 0, "maximum": limit}, {"type": "null"}],
            "description": f"entries in {section}; when absent or empty, the highest numbered "
                           f"{prefix} column holding a value"}
        numbers = "|".join(str(n) for n in range(limit, 0, -1))
        for template in SLOT_TEMPLATES[section]:
            key = f"^{prefix}({numbers})_{template.path[-1]}$"
            patterns[key] = _property(template)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://oncospine.invalid/schema/flat-case.schema.json",
        "title": f"{CASE_FORMAT}, flat form (one row per case)",
        "description": "Columns of oncospine batch input in Parquet or CSV. Unknown columns are "
                       "refused; an empty cell is unknown. See docs/batch.md.",
        "type": "object",
        "properties": props,
        "patternProperties": patterns,
        "additionalProperties": False,
        "x-limits": {section: limit for section, (_, limit) in REPEATED.items()},
    }
