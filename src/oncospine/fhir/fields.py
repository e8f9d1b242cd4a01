"""Every field of `oncospine-case/1` as a flat table, read from the case model itself.

The FHIR mapping writes and reads each case field by its dotted path, so a field added to the
case model later is carried through FHIR without touching this package. Repeating parts
(`lesions`, `imaging`) have their own tables keyed `lesions.level`, `imaging.modality`.

References: shared spec case-format.md.
"""

from __future__ import annotations

import types
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import AwareDatetime, BaseModel

from oncospine.case import Case
from oncospine.fhir.codes import unit_for

KINDS = ("bool", "int", "float", "code", "str", "datetime", "list_code", "list_int")
REPEATING = ("lesions", "imaging")


@dataclass(frozen=True, slots=True)
class CaseField:
    """One case field: its dotted path, its value kind and, for quantities, its UCUM unit."""

    path: str
    kind: str
    unit: str | None = None
    allowed: tuple[str, ...] = ()

    @property
    def section(self) -> str:
        return self.path.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.path.rsplit(".", 1)[-1]

    @property
    def is_list(self) -> bool:
        return self.kind.startswith("list_")


def _strip(tp: Any) -> Any:
    """Drop Optional and Annotated wrappers."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _scalar_kind(tp: Any) -> tuple[str, tuple[str, ...]]:
    tp = _strip(tp)
    if get_origin(tp) is Literal:
        return "code", tuple(str(a) for a in get_args(tp))
    if tp is bool:
        return "bool", ()
    if tp is int:
        return "int", ()
    if tp is float:
        return "float", ()
    if tp is str:
        return "str", ()
    if tp is AwareDatetime or (isinstance(tp, type) and issubclass(tp, datetime)):
        return "datetime", ()
    raise TypeError(f"no FHIR mapping for case field type {tp!r}")


def _field(path: str, annotation: Any) -> CaseField:
    tp = _strip(annotation)
    if get_origin(tp) is list:
        kind, allowed = _scalar_kind(get_args(tp)[0])
        return CaseField(path, f"list_{kind}", None, allowed)
    kind, allowed = _scalar_kind(tp)
    return CaseField(path, kind, unit_for(path) if kind == "float" else None, allowed)


def _model_of(annotation: Any) -> type[BaseModel] | None:
    tp = _strip(annotation)
    if get_origin(tp) is list:
        tp = _strip(get_args(tp)[0])
    return tp if isinstance(tp, type) and issubclass(tp, BaseModel) else None


@cache
def case_fields() -> dict[str, CaseField]:
    """Fields outside the repeating parts, e.g. `status.ecog`, `assessed_at`."""
    out: dict[str, CaseField] = {}
    for name, info in Case.model_fields.items():
        if name == "format" or name in REPEATING:
            continue
        model = _model_of(info.annotation)
        if model is None:
            out[name] = _field(name, info.annotation)
            continue
        for sub, sub_info in model.model_fields.items():
            out[f"{name}.{sub}"] = _field(f"{name}.{sub}", sub_info.annotation)
    return out


@cache
def item_fields(part: str) -> dict[str, CaseField]:
    """Fields of one entry of a repeating part, keyed `lesions.level`."""
    model = _model_of(Case.model_fields[part].annotation)
    if model is None:  # pragma: no cover - the case model defines both parts as lists of models
        raise TypeError(f"{part} is not a list of models")
    return {f"{part}.{sub}": _field(f"{part}.{sub}", info.annotation)
            for sub, info in model.model_fields.items()}


def all_paths() -> frozenset[str]:
    return frozenset(case_fields()) | frozenset(item_fields("lesions")) | frozenset(
        item_fields("imaging")) | frozenset(REPEATING)
