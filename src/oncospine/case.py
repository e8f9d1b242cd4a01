"""The case model `oncospine-case/1` and its validation.

Every field is optional except `format`; a missing field or `null` means *not known* and is never
read as "no" or 0. Unknown keys are rejected with a did-you-mean, and inconsistent input is
rejected with a message that says how to fix it (decision D-07 and friends).

References: shared spec case-format.md; decisions D-01, D-07.
"""

from __future__ import annotations

import json
import types
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError, field_validator

from oncospine import vocab as v
from oncospine.errors import CaseReadError, CaseValidationError, Issue, closest


class _Part(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Patient(_Part):
    age_years: Annotated[int, Field(ge=0, le=120)] | None = None
    sex: v.Sex | None = None


class Cancer(_Part):
    history: v.CancerHistory | None = None
    primary_site: v.PrimarySite | None = None
    histology: str | None = None
    haematological: v.Haematological | None = None
    radiosensitivity: v.Radiosensitivity | None = None
    prior_radiotherapy_to_spine: bool | None = None
    tomita_growth: v.GrowthClass | None = Field(
        default=None,
        description="Clinician's Tomita growth class where the site table says 'ask' (D-03).",
    )


class Presentation(_Part):
    spinal_pain: bool | None = None
    pain_sites: list[v.PainSite] | None = None
    pain_features: list[v.PainFeature] | None = None
    pain_weeks: Annotated[float, Field(ge=0)] | None = None
    neuro_features: list[v.NeuroFeature] | None = None
    neuro_onset_hours: Annotated[float, Field(ge=0)] | None = None
    neuro_progressive: bool | None = None
    general_features: list[v.GeneralFeature] | None = None


class Status(_Part):
    ecog: Annotated[int, Field(ge=0, le=5)] | None = None
    kps: Annotated[int, Field(ge=0, le=100, multiple_of=10)] | None = None
    frankel: v.Grade | None = None
    asia: v.Grade | None = None
    ambulatory: v.Ambulatory | None = None
    non_ambulatory_hours: Annotated[float, Field(ge=0)] | None = None
    fit_for_surgery: bool | None = None
    fit_for_any_treatment: bool | None = None
    life_expectancy_months: Annotated[float, Field(ge=0)] | None = None
    mri_contraindicated: bool | None = None


class Disease(_Part):
    vertebral_metastases: Annotated[int, Field(ge=0, le=33)] | None = None
    extraspinal_bone_metastases: Annotated[int, Field(ge=0, le=1000)] | None = None
    visceral_metastases: v.Visceral | None = None
    brain_metastases: bool | None = None
    pathological_fracture: bool | None = None


class Labs(_Part):
    albumin_g_per_l: Annotated[float, Field(ge=0, le=80)] | None = None
    calcium_mmol_per_l: Annotated[float, Field(ge=0, le=8)] | None = None
    haemoglobin_g_per_l: Annotated[float, Field(ge=0, le=250)] | None = None


class Lesion(_Part):
    level: v.Level | None = None
    extends_to: v.Level | None = None
    compartment: v.Compartment | None = None
    pain: v.LesionPain | None = None
    bone_lesion: v.BoneLesion | None = None
    alignment: v.Alignment | None = None
    collapse: v.Collapse | None = None
    posterolateral: v.Posterolateral | None = None
    escc: v.EsccGrade | None = None
    wbb_sectors: list[Annotated[int, Field(ge=1, le=12)]] | None = None
    wbb_layers: list[v.WbbLayer] | None = None


class PrimaryTumour(_Part):
    grade: v.TumourGrade | None = None
    benign_behaviour: v.BenignBehaviour | None = None
    extent: v.Extent | None = None
    metastasis: bool | None = None


class Imaging(_Part):
    modality: v.Modality | None = None
    at: AwareDatetime | None = None


class Events(_Part):
    presentation: AwareDatetime | None = None
    coordinator_contact: AwareDatetime | None = None
    mri_requested: AwareDatetime | None = None
    mri_done: AwareDatetime | None = None
    mri_reported: AwareDatetime | None = None
    dexamethasone_first_dose: AwareDatetime | None = None
    diagnosis_confirmed: AwareDatetime | None = None
    decision_to_treat: AwareDatetime | None = None
    treatment_start: AwareDatetime | None = None


class Case(_Part):
    """One person's spinal tumour case, as far as it is known."""

    format: Literal["oncospine-case/1"]
    id: str | None = None
    assessed_at: AwareDatetime | None = None
    patient: Patient = Patient()
    cancer: Cancer = Cancer()
    presentation: Presentation = Presentation()
    status: Status = Status()
    disease: Disease = Disease()
    labs: Labs = Labs()
    lesions: list[Lesion] | None = None
    primary_tumour: PrimaryTumour = PrimaryTumour()
    imaging: list[Imaging] | None = None
    events: Events = Events()

    @field_validator("patient", "cancer", "presentation", "status", "disease", "labs",
                     "primary_tumour", "events", mode="before")
    @classmethod
    def _null_section_is_unknown(cls, value: Any) -> Any:
        # `patient: null` (or an empty YAML section) means nothing about the patient is known.
        return {} if value is None else value


# ---------------------------------------------------------------- parsing and validation


def validate_case(data: Any) -> Case:
    """Validate a parsed JSON/YAML document; raise `CaseValidationError` listing every problem."""
    if not isinstance(data, Mapping):
        raise CaseValidationError(
            [Issue("", "a case is a mapping of fields", _short(data), allowed=("mapping",))]
        )
    try:
        case = Case.model_validate(data)
    except ValidationError as exc:
        raise CaseValidationError([_issue_from(err) for err in exc.errors()]) from None
    problems = consistency_issues(case)
    if problems:
        raise CaseValidationError(problems)
    return case


def parse_case_text(text: str, name: str = "<case>") -> Case:
    """Parse JSON or YAML text (JSON first: it is the common and faster path)."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        data = _load_yaml(text, name)
    return validate_case(data)


def load_case(path: str | Path) -> Case:
    """Read a case file (JSON or YAML); `-` reads standard input."""
    import sys

    if str(path) == "-":
        return parse_case_text(sys.stdin.read(), "<stdin>")
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise CaseReadError(f"cannot read case file {path}: {exc.strerror or exc}") from None
    return parse_case_text(text, str(path))


def _load_yaml(text: str, name: str) -> Any:
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when present
    try:
        return yaml.load(text, Loader=loader)  # always a safe loader
    except yaml.YAMLError as exc:
        raise CaseReadError(f"{name} is neither valid JSON nor valid YAML: {exc}") from None


# Lab values below these look like g/dL entered into a g/L field.
G_PER_DL_HINTS = (("albumin", 6, "3.5 g/dL = 35 g/L"), ("haemoglobin", 25, "12 g/dL = 120 g/L"))


def consistency_issues(case: Case) -> list[Issue]:
    """Combinations of values that contradict each other, each with the fix to make."""
    issues: list[Issue] = []
    d, s, p, pt, c = case.disease, case.status, case.presentation, case.primary_tumour, case.cancer
    if d.brain_metastases and d.visceral_metastases == "none":
        issues.append(Issue(
            "disease.visceral_metastases",
            "brain metastases count as visceral disease (D-07): set visceral_metastases to "
            "'removable' or 'unremovable', or brain_metastases to false",
            "none", allowed=("removable", "unremovable")))
    if s.non_ambulatory_hours is not None and s.ambulatory not in (None, "non_ambulatory"):
        issues.append(Issue(
            "status.non_ambulatory_hours",
            "hours since walking only apply when status.ambulatory is 'non_ambulatory'",
            s.non_ambulatory_hours))
    if pt.benign_behaviour is not None and pt.grade not in (None, "benign"):
        issues.append(Issue(
            "primary_tumour.benign_behaviour",
            "benign behaviour only applies to a benign tumour: set grade to 'benign' or remove "
            "benign_behaviour", pt.benign_behaviour))
    if pt.metastasis and pt.benign_behaviour in ("latent", "active"):
        issues.append(Issue(
            "primary_tumour.metastasis",
            "latent and active benign tumours do not metastasise (Enneking 1 and 2 are M0): "
            "set benign_behaviour to 'aggressive' or metastasis to false", True))
    if p.spinal_pain is False and (p.pain_features or p.pain_sites):
        issues.append(Issue(
            "presentation.spinal_pain",
            "spinal_pain is false but pain sites or features are listed: set spinal_pain to "
            "true or remove them", False))
    if p.neuro_features == [] and p.neuro_onset_hours is not None:
        issues.append(Issue(
            "presentation.neuro_onset_hours",
            "an onset time is given but neuro_features is empty: list the neurological "
            "features or remove neuro_onset_hours", p.neuro_onset_hours))
    if c.haematological == "confirmed" and c.history == "none":
        issues.append(Issue(
            "cancer.history",
            "a confirmed haematological malignancy is a cancer history: set history to "
            "'current' or 'past'", "none", allowed=("current", "past")))
    for name, below, example in G_PER_DL_HINTS:
        value = getattr(case.labs, f"{name}_g_per_l")
        if value is not None and value < below:
            issues.append(Issue(
                f"labs.{name}_g_per_l",
                f"{name} is in g/L; a value this low looks like g/dL ({example})",
                value, suggestion=f"{value * 10:g}"))
    for i, lesion in enumerate(case.lesions or ()):
        if lesion.extends_to is None:
            continue
        if lesion.level is None:
            issues.append(Issue(f"lesions.{i}.level",
                                "give the first level of a lesion that extends_to another", None))
        elif v.LEVEL_INDEX[lesion.extends_to] < v.LEVEL_INDEX[lesion.level]:
            issues.append(Issue(
                f"lesions.{i}.extends_to",
                f"extends_to must be at or below level {lesion.level} (levels run from the "
                "occiput down): swap level and extends_to", lesion.extends_to))
    return issues


# ---------------------------------------------------------------- pydantic error translation


def _issue_from(err: Mapping[str, Any]) -> Issue:
    loc = tuple(err.get("loc", ()))
    path = ".".join(str(part) for part in loc)
    kind = err.get("type", "")
    value = _short(err.get("input"))
    if kind == "extra_forbidden":
        fields = _fields_at(loc[:-1])
        return Issue(path, f"unknown field {loc[-1]!r}", value, allowed=fields,
                     suggestion=closest(str(loc[-1]), fields))
    allowed = _allowed_at(loc)
    if kind in ("literal_error", "enum"):
        suggestion = _suggest_value(err.get("input"), allowed)
        return Issue(path, "value not allowed", value, allowed=allowed, suggestion=suggestion)
    if kind == "missing":
        return Issue(path, "required field is missing", None, allowed=allowed)
    if kind == "timezone_aware":
        return Issue(path, "time needs an offset, e.g. 2026-11-20T09:30:00+00:00", value)
    message = str(err.get("msg", "invalid value"))
    return Issue(path, message[0].lower() + message[1:], value, allowed=allowed)


def _suggest_value(received: Any, allowed: tuple[str, ...]) -> str | None:
    if not allowed or received is None:
        return None
    text = str(received)
    if text in allowed:  # e.g. escc 2 given as a number: the grade is the string "2"
        return text
    lowered = {a.lower(): a for a in allowed}
    if text.lower() in lowered:
        return lowered[text.lower()]
    return closest(text, allowed) or closest(text.lower().replace(" ", "_"), allowed)


def _short(value: Any) -> Any:
    if isinstance(value, Mapping):
        return "{…}"
    if isinstance(value, list | tuple) and len(value) > 12:
        return "[…]"
    return value


def _unwrap(tp: Any) -> Any:
    """Strip Optional, Annotated and list[...] down to the item type."""
    while True:
        origin = get_origin(tp)
        if origin is Annotated:
            tp = get_args(tp)[0]
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(tp) if a is not type(None)]
            tp = args[0] if len(args) == 1 else tp
            if len(args) != 1:
                return tp
        elif origin is list:
            tp = get_args(tp)[0]
        else:
            return tp


def _type_at(loc: tuple[Any, ...]) -> Any:
    tp: Any = Case
    for part in loc:
        if isinstance(part, int):
            continue
        if isinstance(tp, type) and issubclass(tp, BaseModel) and part in tp.model_fields:
            tp = _unwrap(tp.model_fields[part].annotation)
        else:
            return None
    return tp


def _fields_at(loc: tuple[Any, ...]) -> tuple[str, ...]:
    tp = _type_at(loc)
    if isinstance(tp, type) and issubclass(tp, BaseModel):
        return tuple(tp.model_fields)
    return ()


def _allowed_at(loc: tuple[Any, ...]) -> tuple[str, ...]:
    tp = _type_at(loc)
    if get_origin(tp) is Literal:
        return tuple(str(a) for a in get_args(tp))
    return ()


def case_json_schema() -> dict[str, Any]:
    """The JSON Schema of `oncospine-case/1`, as `oncospine schema` prints it."""
    schema = Case.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = v.CASE_FORMAT
    return schema


__all__ = [
    "Cancer", "Case", "Disease", "Events", "Imaging", "Labs", "Lesion", "Patient",
    "Presentation", "PrimaryTumour", "Status", "case_json_schema", "consistency_issues",
    "load_case", "parse_case_text", "validate_case",
]  # fmt: skip
