"""Reading FHIR resources into evidence for the case fields (one resource at a time).

Each recognised resource adds candidate values for case paths; `importer` then settles them.
Nothing is dropped silently: a resource, code or value that cannot be read is recorded with the
reason. Absence is never evidence: no cancer Condition leaves the cancer history unknown, and no
neurology leaves the neurological features unknown (only an explicit "none present" says []).

References: shared spec case-format.md ("missing means not known"); DESIGN.md principle 1.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from oncospine.errors import closest
from oncospine.fhir import codes as c
from oncospine.fhir.fields import CaseField, all_paths, case_fields, item_fields
from oncospine.fhir.values import ValueProblem, decode, parse_instant

OBSERVATION_USED = frozenset({"final", "amended", "corrected", "preliminary"})
REPORT_USED = frozenset({"final", "amended", "corrected", "appended", "partial", "preliminary"})
ACTIVE = frozenset({"active", "recurrence", "relapse"})
INACTIVE = frozenset({"inactive", "remission", "resolved"})
NOT_CONFIRMED = frozenset({"provisional", "differential", "unconfirmed"})
DISCARDED = frozenset({"refuted", "entered-in-error"})
G_PER_L = {"g/L": 1.0, "g/dL": 10.0, "mg/dL": 0.01}
CALCIUM_MG_PER_DL_TO_MMOL = 1 / 4.008  # molar mass of calcium 40.078 g/mol
AGE_UNITS = frozenset({"a", "yr", "year", "years"})


@dataclass(frozen=True, slots=True)
class MappingNote:
    """Something in the FHIR input that was not mapped, or an assumption the mapping made."""

    where: str
    what: str
    reason: str

    def to_dict(self) -> dict[str, str]:
        return {"where": self.where, "what": self.what, "reason": self.reason}

    def __str__(self) -> str:
        return f"{self.where}: {self.what}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Candidate:
    value: Any
    when: datetime | None
    where: str


@dataclass
class Evidence:
    """Everything read so far, before conflicts are settled."""

    scalars: dict[str, list[Candidate]] = field(default_factory=dict)
    lists: dict[str, list[Any]] = field(default_factory=dict)
    lesions: list[dict[str, Any]] = field(default_factory=list)
    imaging: list[dict[str, Any]] = field(default_factory=list)
    known_empty: set[str] = field(default_factory=set)  # "lesions" / "imaging" known to be []
    birth_date: tuple[str, str] | None = None  # (date text, where)
    unmapped: list[MappingNote] = field(default_factory=list)
    notes: list[MappingNote] = field(default_factory=list)

    def add(self, path: str, value: Any, when: datetime | None, where: str) -> None:
        self.scalars.setdefault(path, []).append(Candidate(value, when, where))

    def extend(self, path: str, items: list[Any]) -> None:
        known = self.lists.setdefault(path, [])
        known.extend(item for item in items if item not in known)

    def skip(self, where: str, what: str, reason: str) -> None:
        self.unmapped.append(MappingNote(where, what, reason))

    def note(self, where: str, what: str, reason: str) -> None:
        self.notes.append(MappingNote(where, what, reason))


def codings(concept: Any) -> list[dict[str, Any]]:
    if not isinstance(concept, dict):
        return []
    return [x for x in concept.get("coding", []) if isinstance(x, dict)]


def label(concept: Any) -> str:
    """A short human label for a CodeableConcept, for notes."""
    if not isinstance(concept, dict):
        return "(no code)"
    if concept.get("text"):
        return str(concept["text"])
    for x in codings(concept):
        return str(x.get("display") or f"{x.get('system', '')}|{x.get('code', '')}")
    return "(no code)"


def code_in(concept: Any, system: str) -> str | None:
    return next((str(x["code"]) for x in codings(concept)
                 if x.get("system") == system and x.get("code")), None)


def moment(resource: dict[str, Any]) -> datetime | None:
    """When an observation holds: effective time, else the end or start of its period, else
    when it was issued."""
    period = resource.get("effectivePeriod") or {}
    for text in (resource.get("effectiveDateTime"), resource.get("effectiveInstant"),
                 period.get("end"), period.get("start"), resource.get("issued")):
        if text:
            try:
                return parse_instant(text)
            except ValueProblem:
                continue
    return None


def is_output(resource: dict[str, Any]) -> bool:
    tags = (resource.get("meta") or {}).get("tag", [])
    return any(t.get("system") == c.CS_TAG and t.get("code") == c.TAG_OUTPUT for t in tags)


# ----------------------------------------------------------------------------- Observation


def read_observation(ev: Evidence, obs: dict[str, Any], where: str) -> None:
    what = label(obs.get("code"))
    status = obs.get("status")
    if status not in OBSERVATION_USED:
        ev.skip(where, what, f"status {status!r}: only final, amended, corrected or preliminary "
                             "results are read")
        return
    path = code_in(obs.get("code"), c.CS_CASE_INPUT)
    if path is not None:
        _case_input(ev, obs, path, where)
        return
    loinc = code_in(obs.get("code"), c.LOINC)
    reader = LOINC_READERS.get(loinc or "")
    if reader is None:
        ev.skip(where, what, "code not read by oncospine (see docs/integration.md for the codes "
                             "it reads)")
        return
    reader(ev, obs, where)


def _case_input(ev: Evidence, obs: dict[str, Any], path: str, where: str) -> None:
    when = moment(obs)
    if path in ("lesions", "imaging") and obs.get("valueBoolean") is False:
        ev.known_empty.add(path)  # recorded as none, which is not the same as not recorded
        return
    if path == "lesions":
        ev.lesions.append(_lesion(ev, obs, where))
        return
    if path == "imaging":
        ev.skip(where, path, "imaging studies are read from DiagnosticReport resources")
        return
    spec = case_fields().get(path)
    if spec is None:
        hint = closest(path, sorted(all_paths()))
        ev.skip(where, path, "not a field of oncospine-case/1"
                + (f"; did you mean {hint!r}?" if hint else ""))
        return
    if spec.is_list:
        items = _list_items(ev, obs.get("component", []), spec, where)
        if items or obs.get("valueBoolean") is False:
            ev.extend(path, items)
        elif obs.get("valueBoolean") is True:
            ev.skip(where, path, "says some are present but names none: left unknown")
        return
    try:
        ev.add(path, decode(spec, obs), when, where)
    except ValueProblem as exc:
        ev.skip(where, path, str(exc))


def _list_items(ev: Evidence, components: list[Any], spec: CaseField,
                where: str) -> list[Any]:
    items: list[Any] = []
    for comp in components:
        if code_in(comp.get("code"), c.CS_CASE_INPUT) != spec.path:
            ev.skip(where, label(comp.get("code")), f"component not part of {spec.path}")
            continue
        if comp.get("valueBoolean") is False:
            continue
        try:
            items.append(decode(spec, comp))
        except ValueProblem as exc:
            ev.skip(where, spec.path, str(exc))
    return items


def _lesion(ev: Evidence, obs: dict[str, Any], where: str) -> dict[str, Any]:
    fields = item_fields("lesions")
    lesion: dict[str, Any] = {}
    for comp in obs.get("component", []):
        path = code_in(comp.get("code"), c.CS_CASE_INPUT)
        spec = fields.get(path or "")
        if spec is None:
            ev.skip(where, label(comp.get("code")), "not a field of a lesion")
            continue
        key = spec.name
        if spec.is_list:
            lesion.setdefault(key, [])
            if comp.get("valueBoolean") is False:
                continue
        try:
            value = decode(spec, comp)
        except ValueProblem as exc:
            ev.skip(where, spec.path, str(exc))
            continue
        if spec.is_list:
            lesion[key].append(value)
        elif key in lesion and lesion[key] != value:
            ev.skip(where, spec.path, f"two values ({lesion[key]!r}, {value!r}) for one lesion")
            lesion.pop(key)
        else:
            lesion[key] = value
    return lesion


def _quantity_in(ev: Evidence, obs: dict[str, Any], where: str,
                 factors: dict[str, float]) -> float | None:
    value = obs.get("valueQuantity")
    what = label(obs.get("code"))
    if not isinstance(value, dict) or not isinstance(value.get("value"), int | float):
        ev.skip(where, what, "no numeric valueQuantity")
        return None
    unit = value.get("code") or value.get("unit")
    if unit not in factors:
        ev.skip(where, what, f"unit {unit!r} is not converted (read: {', '.join(factors)})")
        return None
    return round(float(value["value"]) * factors[unit], 3)


def _scored(path: str, low: int, high: int) -> Any:
    def read(ev: Evidence, obs: dict[str, Any], where: str) -> None:
        what = label(obs.get("code"))
        value = obs.get("valueInteger")
        if value is None and isinstance(obs.get("valueQuantity"), dict):
            value = obs["valueQuantity"].get("value")
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
            ev.skip(where, what, f"expected a whole-number score {low}–{high} in valueInteger "
                                 "(coded answers are not read)")
            return
        ev.add(path, value, moment(obs), where)
    return read


def _lab(path: str, factors: dict[str, float]) -> Any:
    def read(ev: Evidence, obs: dict[str, Any], where: str) -> None:
        value = _quantity_in(ev, obs, where, factors)
        if value is not None:
            ev.add(path, value, moment(obs), where)
    return read


def _age(ev: Evidence, obs: dict[str, Any], where: str) -> None:
    value = obs.get("valueQuantity") or {}
    unit = value.get("code") or value.get("unit")
    number = value.get("value")
    if unit not in AGE_UNITS or not isinstance(number, int | float):
        ev.skip(where, "age", "expected an age in years (UCUM 'a')")
        return
    ev.add("patient.age_years", int(number), moment(obs), where)


LOINC_READERS: dict[str, Any] = {
    c.LOINC_AGE[0]: _age,
    c.LOINC_ECOG[0]: _scored("status.ecog", 0, 5),
    c.LOINC_KPS[0]: _scored("status.kps", 0, 100),
    c.LOINC_ALBUMIN[0]: _lab("labs.albumin_g_per_l", G_PER_L),
    c.LOINC_HAEMOGLOBIN[0]: _lab("labs.haemoglobin_g_per_l", G_PER_L),
    c.LOINC_CALCIUM[0]: _lab("labs.calcium_mmol_per_l", {"mmol/L": 1.0}),
    c.LOINC_CALCIUM_MASS[0]: _lab("labs.calcium_mmol_per_l",
                                  {"mg/dL": CALCIUM_MG_PER_DL_TO_MMOL}),
}
