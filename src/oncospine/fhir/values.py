"""One case value <-> one FHIR `value[x]` element, by the kind of the case field.

bool -> valueBoolean, int -> valueInteger, float -> valueQuantity (UCUM unit from the field
name), enumeration -> valueCodeableConcept in the case-value code system, text -> valueString,
time -> valueDateTime. Reading is strict: a value of the wrong type or unit is a problem to
report, never coerced into something else.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from oncospine.fhir.codes import CS_CASE_VALUE, UCUM
from oncospine.fhir.fields import CaseField

VALUE_KEYS = ("valueBoolean", "valueInteger", "valueQuantity", "valueCodeableConcept",
              "valueString", "valueDateTime")


class ValueProblem(ValueError):
    """A FHIR value that cannot stand for the case field it is coded as."""


def coding(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    out = {"system": system, "code": code}
    if display:
        out["display"] = display
    return out


def concept(system: str, code: str, display: str | None = None) -> dict[str, Any]:
    return {"coding": [coding(system, code, display)], "text": display or code}


def quantity(value: float, unit: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {"value": value}
    if unit:
        out.update(unit=unit, system=UCUM, code=unit)
    return out


def encode(field: CaseField, value: Any) -> dict[str, Any]:
    """The `value[x]` element for one (non-list) value of a case field."""
    kind = field.kind.removeprefix("list_")
    if kind == "bool":
        return {"valueBoolean": bool(value)}
    if kind == "int":
        return {"valueInteger": int(value)}
    if kind == "float":
        return {"valueQuantity": quantity(value, field.unit)}
    if kind == "code":
        return {"valueCodeableConcept": concept(CS_CASE_VALUE, str(value))}
    if kind == "str":
        return {"valueString": str(value)}
    if kind == "datetime":
        return {"valueDateTime": value.isoformat()}
    raise TypeError(f"unknown kind {field.kind}")  # pragma: no cover - kinds are closed


def present_value_key(element: dict[str, Any]) -> str | None:
    return next((key for key in element if key.startswith("value")), None)


def decode(field: CaseField, element: dict[str, Any]) -> Any:
    """The case value in an Observation or component; raises ValueProblem with the reason."""
    kind = field.kind.removeprefix("list_")
    key = present_value_key(element)
    if key is None:
        raise ValueProblem("no value")
    value = element[key]
    if kind == "bool" and key == "valueBoolean" and isinstance(value, bool):
        return value
    if kind == "int":
        return _integer(key, value)
    if kind == "float" and key == "valueQuantity":
        return _quantity(field, value)
    if kind == "code" and key == "valueCodeableConcept":
        return _code(field, value)
    if kind == "str" and key == "valueString" and isinstance(value, str):
        return value
    if kind == "datetime" and key == "valueDateTime":
        parse_instant(value)
        return value  # the text as sent: the case format takes the same ISO 8601 form
    raise ValueProblem(f"{key} cannot hold {field.path} (a {kind} value)")


def _integer(key: str, value: Any) -> int:
    if key == "valueInteger" and isinstance(value, int) and not isinstance(value, bool):
        return value
    if key == "valueQuantity" and isinstance(value, dict):
        number = value.get("value")
        if isinstance(number, int | float) and float(number).is_integer():
            return int(number)
    raise ValueProblem(f"{key} is not a whole number")


def _quantity(field: CaseField, value: Any) -> float:
    number = value.get("value") if isinstance(value, dict) else None
    if not isinstance(number, int | float) or isinstance(number, bool):
        raise ValueProblem("quantity without a numeric value")
    unit = value.get("code") or value.get("unit")
    if field.unit and unit not in (None, field.unit):
        raise ValueProblem(f"unit {unit!r}, expected {field.unit!r}")
    return float(number)


def _code(field: CaseField, value: Any) -> str:
    codings = value.get("coding", []) if isinstance(value, dict) else []
    for c in codings:
        if c.get("system") == CS_CASE_VALUE:
            code = c.get("code")
            if field.allowed and code not in field.allowed:
                raise ValueProblem(f"{code!r} is not one of {', '.join(field.allowed)}")
            return str(code)
    raise ValueProblem("no coding in the oncospine case-value code system")


def parse_instant(text: Any) -> datetime:
    """A FHIR dateTime with a time zone; a date alone or a local time is not a moment."""
    if not isinstance(text, str):
        raise ValueProblem("time is not text")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueProblem(f"{text!r} is not a date-time") from None
    if moment.tzinfo is None or len(text) <= 10:
        raise ValueProblem(f"{text!r} has no time with an offset")
    return moment
