"""The case form: every field of `oncospine-case/1`, grouped as a clinician thinks.

The widgets are derived from the case model itself (an enumeration becomes a choice, a list of
enumerations a set of boxes, a yes/no field a three-way choice), so a new case field cannot be
left out of the form. Every control can say "not known": an empty choice is sent as nothing, and
nothing means unknown, never "no" or zero. A box group is unknown until something is ticked or
"none of these" is ticked.
"""

from __future__ import annotations

import types
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from pydantic import AwareDatetime, BaseModel
from starlette.datastructures import FormData

from oncospine.case import Case, Events, Imaging, Lesion

NONE_OF_THESE = "__none__"


@dataclass(frozen=True)
class Field:
    """One form control for one case field."""

    path: str            # dotted case path, e.g. "status.ecog" or "lesions.{i}.escc"
    label: str
    kind: str            # choice | multi | yesno | int | number | text | datetime
    choices: tuple[str, ...] = ()
    hint: str = ""
    minimum: float | None = None
    maximum: float | None = None
    step: float | None = None

    @property
    def name(self) -> str:
        return self.path

    def dom_id(self, index: int | None = None) -> str:
        path = self.path.replace("{i}", str(index)) if index is not None else self.path
        return "f-" + path.replace(".", "-")


@dataclass(frozen=True)
class Group:
    title: str
    fields: tuple[Field, ...]
    repeated: str | None = None    # "lesions" or "imaging": one block per entry


LABELS: dict[str, tuple[str, str]] = {
    "id": ("Case label", "a local label, never a patient identifier"),
    "assessed_at": ("Assess as of", "leave empty for now; the clocks run from this time"),
    "patient.age_years": ("Age (years)", ""),
    "patient.sex": ("Sex", ""),
    "cancer.history": ("Cancer history", "suspected = no diagnosis yet, but cancer is suspected"),
    "cancer.primary_site": ("Primary site", ""),
    "cancer.histology": ("Histology", "free text"),
    "cancer.haematological": ("Haematological cancer", "lymphoma, myeloma, leukaemia"),
    "cancer.radiosensitivity": ("Radiosensitivity (clinician override)", ""),
    "cancer.prior_radiotherapy_to_spine": ("Previous radiotherapy to the spine", ""),
    "cancer.tomita_growth": ("Tomita growth class (where the site table says ask)", ""),
    "presentation.spinal_pain": ("Spinal pain", ""),
    "presentation.pain_sites": ("Where is the pain", ""),
    "presentation.pain_features": ("Pain features", ""),
    "presentation.pain_weeks": ("Pain for how many weeks", ""),
    "presentation.neuro_features": ("Neurological symptoms or signs", ""),
    "presentation.neuro_onset_hours": ("Hours since the first neurological symptom", ""),
    "presentation.neuro_progressive": ("Neurology getting worse", ""),
    "presentation.general_features": ("General features", ""),
    "status.ecog": ("ECOG performance status", "0 to 5"),
    "status.kps": ("Karnofsky performance status", "0 to 100 in steps of 10"),
    "status.frankel": ("Frankel grade", ""),
    "status.asia": ("ASIA impairment scale", ""),
    "status.ambulatory": ("Walking", ""),
    "status.non_ambulatory_hours": ("Hours since last walked", "if not walking"),
    "status.fit_for_surgery": ("Fit for surgery (clinician judgement)", ""),
    "status.fit_for_any_treatment": ("Fit for any active treatment", ""),
    "status.life_expectancy_months": ("Estimated life expectancy (months)", ""),
    "status.mri_contraindicated": ("MRI contraindicated", "pacemaker, severe claustrophobia"),
    "disease.vertebral_metastases": ("Vertebral bodies with metastases", "number"),
    "disease.extraspinal_bone_metastases": ("Bone metastases outside the spine", "number"),
    "disease.visceral_metastases": ("Visceral metastases", ""),
    "disease.brain_metastases": ("Brain metastases", ""),
    "disease.pathological_fracture": ("Pathological fracture", ""),
    "labs.albumin_g_per_l": ("Albumin (g/L)", "g/L, not g/dL"),
    "labs.calcium_mmol_per_l": ("Calcium (mmol/L)", ""),
    "labs.haemoglobin_g_per_l": ("Haemoglobin (g/L)", "g/L, not g/dL"),
    "lesions.{i}.level": ("Level", ""),
    "lesions.{i}.extends_to": ("Extends to", "last level of a contiguous lesion"),
    "lesions.{i}.compartment": ("Compartment", ""),
    "lesions.{i}.pain": ("Pain (SINS)", ""),
    "lesions.{i}.bone_lesion": ("Bone lesion (SINS)", ""),
    "lesions.{i}.alignment": ("Alignment (SINS)", ""),
    "lesions.{i}.collapse": ("Vertebral body collapse (SINS)", ""),
    "lesions.{i}.posterolateral": ("Posterolateral involvement (SINS)", ""),
    "lesions.{i}.escc": ("ESCC grade (Bilsky)", ""),
    "lesions.{i}.wbb_sectors": ("WBB sectors", "primary tumours"),
    "lesions.{i}.wbb_layers": ("WBB layers", "primary tumours"),
    "primary_tumour.grade": ("Grade", ""),
    "primary_tumour.benign_behaviour": ("Benign behaviour", "benign tumours only"),
    "primary_tumour.extent": ("Extent", ""),
    "primary_tumour.metastasis": ("Metastasis", ""),
    "imaging.{i}.modality": ("Study", ""),
    "imaging.{i}.at": ("Done at", ""),
    "events.presentation": ("Presentation", ""),
    "events.coordinator_contact": ("MSCC coordinator contacted", ""),
    "events.mri_requested": ("MRI requested", ""),
    "events.mri_done": ("MRI done", ""),
    "events.mri_reported": ("MRI reported", ""),
    "events.dexamethasone_first_dose": ("First dexamethasone dose", ""),
    "events.diagnosis_confirmed": ("Diagnosis confirmed", ""),
    "events.decision_to_treat": ("Decision to treat", ""),
    "events.treatment_start": ("Treatment started", ""),
}

#: The order a clinician works through a case: who, what they feel, what the examination finds,
#: what the imaging shows, how far the disease has spread; then the pathway record.
LAYOUT: tuple[tuple[str, tuple[str, ...], str | None], ...] = (
    ("History", ("id", "assessed_at", "patient", "cancer"), None),
    ("Symptoms", ("presentation",), None),
    ("Examination and function", ("status",), None),
    ("Imaging per lesion", ("lesions",), "lesions"),
    ("Disease extent and blood tests", ("disease", "labs"), None),
    ("Primary spinal tumour (tumours that start in the spine)", ("primary_tumour",), None),
    ("Imaging already done", ("imaging",), "imaging"),
    ("Pathway times", ("events",), None),
)


def _unwrap(annotation: Any) -> tuple[Any, dict[str, float]]:
    """Strip Optional and Annotated; return the bare type and any numeric bounds."""
    bounds: dict[str, float] = {}
    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            base, *meta = get_args(annotation)
            for m in meta:
                for item in getattr(m, "metadata", [m]):
                    for key in ("ge", "le", "multiple_of"):
                        if getattr(item, key, None) is not None:
                            bounds[key] = getattr(item, key)
            annotation = base
        elif origin in (Union, types.UnionType):
            args = [a for a in get_args(annotation) if a is not type(None)]
            annotation = args[0]
        else:
            return annotation, bounds


def _field(path: str, annotation: Any) -> Field:
    label, hint = LABELS[path]
    tp, bounds = _unwrap(annotation)
    common = {"minimum": bounds.get("ge"), "maximum": bounds.get("le"),
              "step": bounds.get("multiple_of")}
    if get_origin(tp) is Literal:
        return Field(path, label, "choice", tuple(get_args(tp)), hint)
    if get_origin(tp) is list:
        inner, inner_bounds = _unwrap(get_args(tp)[0])
        if get_origin(inner) is Literal:
            return Field(path, label, "multi", tuple(str(a) for a in get_args(inner)), hint)
        low, high = int(inner_bounds["ge"]), int(inner_bounds["le"])
        return Field(path, label, "multi", tuple(str(n) for n in range(low, high + 1)), hint)
    if tp is bool:
        return Field(path, label, "yesno", (), hint)
    if tp is int:
        return Field(path, label, "int", (), hint, **common)
    if tp is float:
        return Field(path, label, "number", (), hint, **common)
    if tp in (datetime, AwareDatetime):
        return Field(path, label, "datetime", (), hint)
    return Field(path, label, "text", (), hint)


def _section_fields(section: str) -> tuple[Field, ...]:
    if section in ("id", "assessed_at"):
        return (_field(section, Case.model_fields[section].annotation),)
    model: type[BaseModel]
    if section in ("lesions", "imaging"):
        model = Lesion if section == "lesions" else Imaging
        return tuple(_field(f"{section}.{{i}}.{name}", info.annotation)
                     for name, info in model.model_fields.items())
    model = Events if section == "events" else _section_model(section)
    return tuple(_field(f"{section}.{name}", info.annotation)
                 for name, info in model.model_fields.items())


def _section_model(section: str) -> type[BaseModel]:
    model = Case.model_fields[section].annotation
    assert isinstance(model, type) and issubclass(model, BaseModel)
    return model


def build_groups() -> tuple[Group, ...]:
    return tuple(
        Group(title, tuple(f for s in sections for f in _section_fields(s)), repeated)
        for title, sections, repeated in LAYOUT)


GROUPS = build_groups()


def field_label(path: str) -> str:
    """The form label of a dotted case path: `lesions.0.pain` -> `Lesion 1: Pain (SINS)`."""
    parts = path.split(".")
    if len(parts) == 3 and parts[1].isdigit() and parts[0] in ("lesions", "imaging"):
        label = LABELS.get(f"{parts[0]}.{{i}}.{parts[2]}", (parts[2], ""))[0]
        kind = "Lesion" if parts[0] == "lesions" else "Study"
        return f"{kind} {int(parts[1]) + 1}: {label}"
    return LABELS.get(path, (path.replace("_", " "), ""))[0]


# ------------------------------------------------------------------ form data -> case dict
def _scalar(field: Field, raw: str, offset_minutes: int) -> Any:
    raw = raw.strip()
    if raw == "":
        return None
    if field.kind == "yesno":
        return {"yes": True, "no": False}.get(raw, raw)
    if field.kind == "int":
        try:
            return int(raw)
        except ValueError:
            return raw          # the case validator reports it with the field's name
    if field.kind == "number":
        try:
            return float(raw)
        except ValueError:
            return raw
    if field.kind == "datetime":
        return _with_offset(raw, offset_minutes)
    return raw


def _with_offset(raw: str, offset_minutes: int) -> str:
    """A `datetime-local` value plus the browser's UTC offset, as ISO 8601 with offset."""
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return raw
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone(timedelta(minutes=offset_minutes)))
    return value.isoformat()


def _multi(field: Field, values: list[str]) -> list[Any] | None:
    chosen = [v for v in values if v != NONE_OF_THESE]
    if not chosen:
        return [] if NONE_OF_THESE in values else None
    return [int(v) if field.path.endswith("wbb_sectors") and v.isdigit() else v
            for v in chosen]


def _set(target: dict[str, Any], path: list[str], value: Any) -> None:
    for key in path[:-1]:
        target = target.setdefault(key, {})
    target[path[-1]] = value


def case_from_form(form: FormData) -> dict[str, Any]:
    """The case dict a submitted form describes (not yet validated)."""
    try:
        offset = int(str(form.get("tz_offset_minutes") or "0"))
    except ValueError:
        offset = 0
    data: dict[str, Any] = {"format": "oncospine-case/1"}
    counts = {"lesions": _count(form, "lesion_count"), "imaging": _count(form, "imaging_count")}
    for group in GROUPS:
        indices: list[int | None] = (
            list(range(counts[group.repeated])) if group.repeated else [None])
        entries: list[dict[str, Any]] = []
        for index in indices:
            entry: dict[str, Any] = {}
            for field in group.fields:
                name = field.path.replace("{i}", str(index))
                if field.kind == "multi":
                    value = _multi(field, [str(v) for v in form.getlist(name)])
                else:
                    value = _scalar(field, str(form.get(name) or ""), offset)
                if value is None:
                    continue
                parts = name.split(".")
                if group.repeated:
                    entry[parts[-1]] = value
                else:
                    _set(data, parts, value)
            if group.repeated and entry:
                entries.append(entry)
        if group.repeated and entries:
            data[group.repeated] = entries
    return data


def _count(form: FormData, key: str) -> int:
    try:
        return max(0, min(int(str(form.get(key) or "0")), 40))
    except ValueError:
        return 0


# ------------------------------------------------------------------ case dict -> form values
def form_values(case: dict[str, Any]) -> dict[str, Any]:
    """Flat `{field name: value}` for filling the form from a stored case."""
    values: dict[str, Any] = {}
    for key, value in case.items():
        if key in ("lesions", "imaging"):
            for i, entry in enumerate(value or []):
                for name, item in entry.items():
                    values[f"{key}.{i}.{name}"] = item
        elif isinstance(value, dict):
            for name, item in value.items():
                values[f"{key}.{name}"] = item
        else:
            values[key] = value
    return values


def form_pairs(case: dict[str, Any]) -> list[tuple[str, str]]:
    """The form fields a browser would send for this case (the inverse of `case_from_form`)."""
    times = {f.path for g in GROUPS for f in g.fields if f.kind == "datetime"}
    pairs = [("lesion_count", str(len(case.get("lesions") or []))),
             ("imaging_count", str(len(case.get("imaging") or []))),
             ("tz_offset_minutes", "0")]
    for name, value in form_values(case).items():
        if name == "format":
            continue
        if isinstance(value, list):
            pairs += [(name, str(v)) for v in value] or [(name, NONE_OF_THESE)]
        elif isinstance(value, bool):
            pairs.append((name, "yes" if value else "no"))
        elif name in times or name.endswith(".at"):
            pairs.append((name, local_input(str(value))))
        else:
            pairs.append((name, str(value)))
    return pairs


def local_input(value: str | None) -> str:
    """An ISO time for the `datetime-local` control, in UTC.

    The page script turns it into the reader's local time and sends that offset back with the
    form; without the script the time stays in UTC both ways. Either way the instant is kept."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return ""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S" if moment.second else "%Y-%m-%dT%H:%M")
