"""FHIR R4 -> `oncospine-case/1`: a Bundle (or the resources of a CDS Hooks prefetch) to a case.

Steps: check every resource against the R4 models; refuse a bundle about more than one person;
read each resource into evidence; settle conflicts (the most recent value wins; for the cancer
history and a haematological malignancy the more urgent reading wins, so a conflict never lowers
the triage); validate the case, and set aside any field the case format rejects with its reason.

References: shared spec case-format.md; DESIGN.md principles 1 and 4.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from oncospine.case import Case, validate_case
from oncospine.errors import CaseValidationError
from oncospine.fhir.codes import NS_CASE_ID
from oncospine.fhir.conditions import read_condition, read_patient, read_report
from oncospine.fhir.fields import case_fields
from oncospine.fhir.reading import Candidate, Evidence, MappingNote, is_output, read_observation
from oncospine.fhir.validation import FhirMappingError, validate_resource
from oncospine.vocab import CASE_FORMAT

URGENCY = {
    "cancer.history": ("current", "past", "suspected", "unknown", "none"),
    "cancer.haematological": ("confirmed", "suspected", "none"),
}
READERS = {"Observation": read_observation, "Condition": read_condition,
           "DiagnosticReport": read_report}
MAX_RETRIES = 50


@dataclass
class ImportResult:
    """The case read from FHIR, what could not be mapped and the assumptions made."""

    case: dict[str, Any]
    model: Case = field(repr=False, compare=False)  # the same case, validated
    unmapped: list[MappingNote] = field(default_factory=list)
    notes: list[MappingNote] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"case": self.case, "unmapped": [n.to_dict() for n in self.unmapped],
                "notes": [n.to_dict() for n in self.notes]}


def case_from_bundle(bundle: Any, *, now: datetime | None = None) -> ImportResult:
    """Map a FHIR R4 Bundle (any type) to a case. Raises FhirMappingError when malformed."""
    if not isinstance(bundle, dict) or bundle.get("resourceType") != "Bundle":
        got = bundle.get("resourceType") if isinstance(bundle, dict) else type(bundle).__name__
        raise FhirMappingError(f"expected a FHIR Bundle, got {got!r}")
    identifier = bundle.get("identifier")
    case_id = None
    if isinstance(identifier, dict) and identifier.get("system") == NS_CASE_ID:
        case_id = identifier.get("value")
    return case_from_resources(flatten(bundle, "bundle", seen={}), now=now, case_id=case_id)


Seen = dict[tuple[str, str], dict[str, Any]]


def flatten(resource: Any, where: str, strict_envelope: bool = True,
            seen: Seen | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, resource) for a resource, or for every entry of a Bundle, each validated.

    `strict_envelope=False` checks a Bundle's entries but not the Bundle itself (CDS Hooks
    prefetch and context bundles are often sent without `type`). With `seen`, a resource already
    yielded unchanged (overlapping searches return the same one) is skipped before it is checked.
    """
    if isinstance(resource, dict) and resource.get("resourceType") == "Bundle":
        entries = resource.get("entry", [])
        if not isinstance(entries, list):
            raise FhirMappingError(f"{where}: Bundle.entry must be a list")
        if strict_envelope:
            validate_resource({k: v for k, v in resource.items() if k != "entry"}, where)
        for i, entry in enumerate(entries):
            spot = f"{where} entry {i}"
            if not isinstance(entry, dict):
                raise FhirMappingError(f"{spot}: a Bundle entry is a JSON object")
            if "resource" not in entry:
                continue
            inner = entry["resource"]
            if isinstance(inner, dict) and isinstance(entry.get("fullUrl"), str):
                inner = {**inner, "_fullUrl": entry["fullUrl"]}
            yield from flatten(inner, spot, strict_envelope, seen)
        return
    if seen is not None and isinstance(resource, dict) and isinstance(resource.get("id"), str):
        key = (str(resource.get("resourceType")), resource["id"])
        if seen.get(key) == resource:
            return
        seen[key] = resource
    clean = {k: v for k, v in resource.items() if k != "_fullUrl"} if isinstance(
        resource, dict) else resource
    rtype = validate_resource(clean, where)
    name = f"{rtype}/{clean['id']}" if clean.get("id") else f"{where} ({rtype})"
    yield name, resource


def case_from_resources(resources: Iterable[tuple[str, dict[str, Any]]], *,
                        patient_id: str | None = None, now: datetime | None = None,
                        case_id: str | None = None) -> ImportResult:
    """Map validated (where, resource) pairs, as `flatten` yields them, to a case.

    `patient_id` (the CDS Hooks context) makes any resource about another patient an error.
    """
    items = list(resources)
    _check_one_patient(items, patient_id)
    ev = Evidence()
    outputs = []
    for where, resource in items:
        rtype = resource["resourceType"]
        if is_output(resource):
            outputs.append(where)
        elif rtype == "Patient":
            read_patient(ev, resource, where)
        elif rtype in READERS:
            READERS[rtype](ev, resource, where)
        elif rtype == "OperationOutcome":
            ev.note(where, rtype, "a server message, not patient data")
        else:
            ev.skip(where, rtype, f"resource type {rtype} is not read")
    if outputs:
        ev.note(f"{len(outputs)} resources", "oncospine assessment outputs",
                "scores, triage, prognosis, plan and work-up are recomputed from the inputs, "
                "not read")
    if isinstance(case_id, str):
        ev.add("id", case_id, None, "Bundle.identifier")
    data, model = _validated(_settle(ev, now), ev)
    return ImportResult(case=data, model=model, unmapped=ev.unmapped, notes=ev.notes)


# ------------------------------------------------------------------------------ one patient


def _subject(resource: dict[str, Any]) -> str | None:
    for key in ("subject", "patient"):
        ref = resource.get(key)
        if isinstance(ref, dict) and isinstance(ref.get("reference"), str):
            return str(ref["reference"])
    return None


def _check_one_patient(items: list[tuple[str, dict[str, Any]]], patient_id: str | None) -> None:
    """Refuse data about more than one person: mixing two people's data is a safety defect."""
    patients = [r for _, r in items if r["resourceType"] == "Patient"]
    ids = {str(p["id"]) for p in patients if p.get("id")}
    if patient_id is not None:
        ids.add(patient_id)
    if len(ids) > 1:
        raise FhirMappingError("the data describe more than one patient "
                               f"({', '.join(sorted(ids))})")
    names = {f"Patient/{i}" for i in ids} | {str(p["_fullUrl"]) for p in patients
                                            if p.get("_fullUrl")}
    subjects: set[str] = set()
    for where, resource in items:
        ref = _subject(resource)
        if ref is None:
            continue
        if names and ref not in names and not any(ref.endswith("/" + n) for n in names):
            raise FhirMappingError(f"{where}: refers to {ref}, not to the patient in context "
                                   f"({', '.join(sorted(names))})")
        subjects.add(ref)
    if not names and len(subjects) > 1:
        raise FhirMappingError(f"the data refer to more than one patient "
                               f"({', '.join(sorted(subjects))})")


# ------------------------------------------------------------------------------ settling


def _latest(path: str, found: list[Candidate], ev: Evidence) -> Any:
    if path in URGENCY:
        order = URGENCY[path]
        values = {cand.value for cand in found}
        best = min(values, key=order.index)
        if len(values) > 1:
            ev.note(found[0].where, path, f"conflicting values {sorted(values)}: {best!r} used, "
                                          "the reading that never lowers the urgency")
        return best
    if path == "cancer.primary_site":
        values = {cand.value for cand in found}
        if len(values) > 1:
            ev.skip(", ".join(sorted({x.where for x in found})), path,
                    f"conflicting primary sites {sorted(values)}: left unknown")
            return None
        return found[0].value
    ordered = sorted(found, key=lambda x: (x.when is not None, x.when or datetime.min.replace(
        tzinfo=UTC)))
    top = ordered[-1]
    tied = {cand.value for cand in ordered if cand.when == top.when}
    if len(tied) > 1:
        ev.skip(", ".join(sorted({x.where for x in found})), path,
                f"conflicting values {sorted(map(str, tied))} with no later one: left unknown")
        return None
    if len(found) > 1:
        ev.note(top.where, path, f"{len(found)} values; the most recent ({top.value!r}) used")
    return top.value


def _settle(ev: Evidence, now: datetime | None) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for path, found in ev.scalars.items():
        value = _latest(path, found, ev)
        if value is not None:
            flat[path] = value
    for path, items in ev.lists.items():
        flat[path] = list(items)
    if "patient.age_years" not in flat and ev.birth_date is not None:
        age = _age(ev, ev.birth_date, flat.get("assessed_at"), now)
        if age is not None:
            flat["patient.age_years"] = age
    data: dict[str, Any] = {"format": CASE_FORMAT}
    for path in case_fields():
        if path in flat:
            head, _, tail = path.partition(".")
            if tail:
                data.setdefault(head, {})[tail] = flat[path]
            else:
                data[head] = flat[path]
    for part, items in (("lesions", ev.lesions), ("imaging", ev.imaging)):
        if items or part in ev.known_empty:
            data[part] = items
    return data


def _age(ev: Evidence, birth: tuple[str, str], assessed_at: str | None,
         now: datetime | None) -> int | None:
    """Age in whole years on the assessment day, only when the birth date settles it."""
    text, where = birth
    reference = (datetime.fromisoformat(assessed_at) if assessed_at else now or datetime.now(UTC))
    on = reference.date()
    parts = text.split("-")
    try:
        year = int(parts[0])
        first_month, last_month = (int(parts[1]),) * 2 if len(parts) > 1 else (1, 12)
        last_day = calendar.monthrange(year, last_month)[1]
        first_day, last_day = (int(parts[2]),) * 2 if len(parts) > 2 else (1, last_day)
        earliest = _years(date(year, first_month, first_day), on)
        latest = _years(date(year, last_month, last_day), on)
    except ValueError:
        ev.skip(where, "birthDate", f"{text!r} is not a date")
        return None
    if earliest != latest:
        ev.skip(where, "birthDate", f"{text!r} is too coarse to give the age on {on}")
        return None
    return earliest


def _years(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


# ------------------------------------------------------------------------------ validation


def _validated(data: dict[str, Any], ev: Evidence) -> tuple[dict[str, Any], Case]:
    """Validate the case; set aside each field the case format rejects, with the reason."""
    for _ in range(MAX_RETRIES):
        data = {k: v for k, v in data.items() if v != {}}  # a section emptied by a removal
        try:
            return data, validate_case(data)
        except CaseValidationError as exc:
            removed = False
            for issue in sorted(exc.issues, key=lambda i: i.path, reverse=True):
                if issue.path and _remove(data, issue.path):
                    ev.skip("case", issue.path, f"rejected by the case format: {issue.message} "
                                                f"(got {issue.value!r})")
                    removed = True
            if not removed:
                raise FhirMappingError("the mapped case is not valid", [str(i) for i in
                                                                        exc.issues]) from None
    raise FhirMappingError("the mapped case could not be made valid")  # pragma: no cover


def _remove(data: Any, path: str) -> bool:
    parts: list[Any] = [int(p) if p.isdigit() else p for p in path.split(".")]
    node = data
    for part in parts[:-1]:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            return False
    last = parts[-1]
    if isinstance(node, dict) and last in node:
        del node[last]
        return True
    if isinstance(node, list) and isinstance(last, int) and last < len(node):
        del node[last]
        return True
    return False
