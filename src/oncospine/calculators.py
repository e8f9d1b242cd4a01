"""Single calculators: one score from a handful of named fields, as `oncospine score` runs them.

Each calculator names the case paths its options fill, so a calculator result is exactly the
score the full assessment would give for the same inputs.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from oncospine.case import Case, validate_case
from oncospine.errors import CaseValidationError, Issue, UnknownNameError, closest
from oncospine.scores import (
    bauer,
    enneking,
    escc,
    modified_bauer,
    nesms,
    sins,
    tokuhashi_original,
    tokuhashi_revised,
    tomita,
    wbb,
)

LESION = {"level": "lesions.0.level", "extends-to": "lesions.0.extends_to"}
SINS_FIELDS = {**LESION, **{k: f"lesions.0.{k.replace('-', '_')}" for k in
                            ("pain", "bone-lesion", "alignment", "collapse", "posterolateral")}}
SPREAD = {
    "history": "cancer.history",
    "primary-site": "cancer.primary_site",
    "visceral": "disease.visceral_metastases",
    "brain": "disease.brain_metastases",
    "vertebral": "disease.vertebral_metastases",
    "extraspinal": "disease.extraspinal_bone_metastases",
}
TOKUHASHI_FIELDS = {**SPREAD, "kps": "status.kps", "ecog": "status.ecog",
                    "frankel": "status.frankel", "asia": "status.asia"}
BAUER_FIELDS = {**SPREAD, "fracture": "disease.pathological_fracture"}

CALCULATORS: dict[str, tuple[dict[str, str], Callable[[Case], Any]]] = {
    "sins": (SINS_FIELDS, sins),
    "escc": ({**LESION, "grade": "lesions.0.escc"}, escc),
    "tomita": ({**SPREAD, "tomita-growth": "cancer.tomita_growth"}, tomita),
    "tokuhashi": (TOKUHASHI_FIELDS, tokuhashi_revised),
    "tokuhashi-original": (TOKUHASHI_FIELDS, tokuhashi_original),
    "bauer": (BAUER_FIELDS, bauer),
    "modified-bauer": (BAUER_FIELDS, modified_bauer),
    "nesms": ({**BAUER_FIELDS, "ambulatory": "status.ambulatory",
               "albumin": "labs.albumin_g_per_l"}, nesms),
    "enneking": ({k: f"primary_tumour.{k.replace('-', '_')}" for k in
                  ("grade", "benign-behaviour", "extent", "metastasis")}, enneking),
    "wbb": ({**LESION, "sectors": "lesions.0.wbb_sectors", "layers": "lesions.0.wbb_layers"},
            wbb),
}
LIST_PATHS = {"lesions.0.wbb_sectors", "lesions.0.wbb_layers"}
# Fields where "unknown" is itself a code of the case format, not a missing value.
UNKNOWN_IS_A_CODE = {"cancer.primary_site", "cancer.history"}


def _value(path: str, text: str) -> Any:
    """Turn command-line text into the JSON value the case format expects."""
    if path in LIST_PATHS:
        items = [part.strip() for part in text.split(",") if part.strip()]
        return [int(i) if i.isdigit() else i for i in items]
    lowered = text.lower()
    if lowered in ("true", "yes"):
        return True
    if lowered in ("false", "no"):
        return False
    if lowered == "null" or (lowered == "unknown" and path not in UNKNOWN_IS_A_CODE):
        return None
    if path.endswith("escc"):
        return text
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


def build_case(name: str, fields: Mapping[str, str]) -> Case:
    """A case holding only the calculator's fields; errors name the command-line option."""
    if name not in CALCULATORS:
        raise UnknownNameError("score", name, CALCULATORS)
    options, _ = CALCULATORS[name]
    data: dict[str, Any] = {"format": "oncospine-case/1"}
    issues = []
    for key, text in fields.items():
        if key not in options:
            issues.append(Issue(f"--{key}", f"not an input of {name}", text,
                                allowed=tuple(f"--{o}" for o in options),
                                suggestion=_flag(closest(key, options))))
            continue
        _put(data, options[key], _value(options[key], text))
    if issues:
        raise CaseValidationError(issues)
    if any(p.startswith("lesions.") for p in options.values()) and "lesions" not in data:
        data["lesions"] = [{}]
    try:
        return validate_case(data)
    except CaseValidationError as exc:
        back = {path: f"--{flag}" for flag, path in options.items()}
        raise CaseValidationError([
            Issue(back.get(i.path, i.path), i.message, i.value, i.allowed, i.suggestion)
            for i in exc.issues]) from None


def calculate(name: str, fields: Mapping[str, str]) -> dict[str, Any]:
    case = build_case(name, fields)
    result = CALCULATORS[name][1](case)
    out: dict[str, Any] = result if isinstance(result, dict) else result.to_dict()
    out["score"] = name
    return out


def _flag(option: str | None) -> str | None:
    return f"--{option}" if option else None


def _put(data: dict[str, Any], path: str, value: Any) -> None:
    parts = path.split(".")
    cur: Any = data
    for i, part in enumerate(parts[:-1]):
        nxt = parts[i + 1]
        if part.isdigit():
            continue
        cur = cur.setdefault(part, [{}])[int(nxt)] if nxt.isdigit() else cur.setdefault(part, {})
    cur[parts[-1]] = value
