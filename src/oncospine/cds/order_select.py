"""`order-select`: a spine imaging order drafted for a person with cancer.

- a plain spinal X-ray -> why whole-spine MRI is needed instead (IMG-004, the `xray_spine`
  catalogue entry), with a suggestion that swaps the draft for a whole-spine MRI request;
- a regional MRI or a CT of the spine -> whole-spine MRI is the investigation (IMG-001), unless
  MRI is recorded as contraindicated, when CT is right (IMG-003) and no card is shown;
- a whole-spine MRI -> a card only if its priority is lower than the triage requires.

Urgency comes from the triage of the same patient (24 h in an emergency, 1 week when urgent).
Orders are recognised by the oncospine codes, else by the words of the order (modality plus a
spinal region); the card says which.

References: rules IMG-001, IMG-003, IMG-004, TRI-003, TRI-004; treatments.toml `xray_spine`.
"""

from __future__ import annotations

import copy
import re
from datetime import UTC, datetime
from typing import Any

from oncospine.case import Case
from oncospine.cds.cards import card, cite, hours, rule_text, source, suggestion
from oncospine.fhir.codes import CS_CASE_VALUE, CS_OPTION
from oncospine.fhir.orders import option_concept, priority, service_request, title
from oncospine.fhir.reading import codings
from oncospine.knowledge import load

SPINE_ORDERS = ("mri_whole_spine", "mri_region", "ct_spine", "xray_spine")
PRIORITY_RANK = {"routine": 0, "urgent": 1, "asap": 2, "stat": 3}
SPINE_WORDS = re.compile(r"\b(spine|spinal|c-spine|t-spine|l-spine|cervical|thoracic|lumbar|"
                         r"lumbosacral|sacral|sacrum|vertebra\w*|back)\b")
WHOLE = re.compile(r"\b(whole|entire|complete|full|total)[\s-]+spine\b")
MRI = re.compile(r"\b(mri|mr|magnetic resonance)\b")
CT = re.compile(r"\b(ct|computed tomography|cat scan)\b")
XRAY = re.compile(r"\b(x-?ray|xr|radiograph\w*|plain film\w*)\b")


def classify(order: dict[str, Any]) -> tuple[str, str] | None:
    """(kind, how it was recognised) for a spine imaging order, else None."""
    concept = order.get("code") or {}
    for coding in codings(concept):
        if coding.get("system") in (CS_CASE_VALUE, CS_OPTION) and coding.get("code") in (
                SPINE_ORDERS):
            return str(coding["code"]), "oncospine code"
    words = " ".join([str(concept.get("text") or "")] +
                     [str(x.get("display") or "") for x in codings(concept)]).lower()
    if not SPINE_WORDS.search(words):
        return None
    how = f"order text {words.strip()!r}"
    if MRI.search(words):
        return ("mri_whole_spine" if WHOLE.search(words) else "mri_region"), how
    if CT.search(words):
        return "ct_spine", how
    if XRAY.search(words):
        return "xray_spine", how
    return None


def has_cancer(case: Case) -> bool:
    return case.cancer.history in ("current", "past") or case.cancer.haematological == "confirmed"


def order_cards(case: Case, assessment: dict[str, Any], orders: list[dict[str, Any]],
                patient_id: str, extra: list[str]) -> list[dict[str, Any]]:
    if not has_cancer(case):
        return []
    cards = []
    for order in orders:  # the selected draft ServiceRequests
        found = classify(order)
        if found is None:
            continue
        built = _card_for(case, assessment, order, found[0], found[1], patient_id, extra)
        if built is not None:
            cards.append(built)
    return cards


def _urgency(assessment: dict[str, Any]) -> tuple[float | None, list[str]]:
    t = assessment["triage"]
    mri = next((a for a in t["actions"] if a["id"] in ("mri_whole_spine", "ct_spine")), None)
    if mri is None:
        return None, []
    return mri.get("within_hours"), [r for r in mri["rules"] if r.startswith("TRI")]


def _card_for(case: Case, assessment: dict[str, Any], order: dict[str, Any], kind: str,
              how: str, patient_id: str, extra: list[str]) -> dict[str, Any] | None:
    within, urgency_rules = _urgency(assessment)
    level = assessment["triage"]["level"]
    ctx = {"within": within, "wanted": priority(within), "level": level,
           "urgency_rules": urgency_rules, "patient_id": patient_id,
           "indicator": "critical" if level == "emergency" else "warning"}
    target = "ct_spine" if case.status.mri_contraindicated is True else "mri_whole_spine"
    if kind == target:
        built = _priority_card(order, target, ctx)
    elif kind == "xray_spine":
        built = _xray_card(order, target, ctx)
    else:
        built = _switch_card(order, kind, target, ctx)
    if built is None:
        return None
    summary, rules, detail, sugg = built
    detail.append(f"_Recognised from the {how}._")
    if extra:
        detail.append("**Data not available to this service:** " + "; ".join(extra))
    return card(summary, ctx["indicator"], source(list(dict.fromkeys(rules)), "imaging"),
                "\n\n".join(detail), [sugg])


Built = tuple[str, list[str], list[str], dict[str, Any]]


def _urgency_line(target: str, ctx: dict[str, Any]) -> list[str]:
    when = hours(ctx["within"])
    if not when:
        return []
    return [f"Triage is **{ctx['level']}**: {title(target)} {when} "
            f"({cite(ctx['urgency_rules'])})."]


def _priority_card(order: dict[str, Any], target: str, ctx: dict[str, Any]) -> Built | None:
    have, wanted = order.get("priority", "routine"), ctx["wanted"]
    if PRIORITY_RANK.get(have, 0) >= PRIORITY_RANK[wanted]:
        return None
    summary = f"{title(target)} for suspected spinal disease: make it {wanted} " \
              f"({hours(ctx['within'])})"
    detail = [*_urgency_line(target, ctx), f"This order is {have}."]
    updated = {**copy.deepcopy(order), "priority": wanted}
    action = {"type": "update", "description": f"Set the priority to {wanted}",
              "resource": updated}
    return summary, ctx["urgency_rules"], detail, suggestion(f"Make it {wanted}", [action])


def _xray_card(order: dict[str, Any], target: str, ctx: dict[str, Any]) -> Built:
    rules = ["IMG-004", "IMG-001" if target == "mri_whole_spine" else "IMG-003",
             *ctx["urgency_rules"]]
    summary = f"A plain X-ray cannot rule out spinal metastases: order {title(target)} instead"
    xray = load("treatments")["xray_spine"]
    detail = [f"{rule_text('IMG-004')} ({cite(['IMG-004'])})",
              f"{xray['why']} [{', '.join(xray['sources'])}]",
              f"{rule_text(rules[1])} ({cite([rules[1]])})", *_urgency_line(target, ctx)]
    actions = _replace(order, target, ctx)
    return summary, rules, detail, suggestion(
        f"Replace with {title(target)} ({ctx['wanted']})", actions)


def _switch_card(order: dict[str, Any], kind: str, target: str, ctx: dict[str, Any]) -> Built:
    if target == "ct_spine":
        rules = ["IMG-003", *ctx["urgency_rules"]]
        summary = "MRI is recorded as contraindicated: order CT of the spine instead"
    else:
        rules = ["IMG-001", "IMG-002", *ctx["urgency_rules"]]
        what = "a CT" if kind == "ct_spine" else "one region"
        summary = f"Order MRI of the whole spine, not {what} ({hours(ctx['within'])})"
    detail = [f"{rule_text(r)} ({cite([r])})" for r in rules if r.startswith("IMG")]
    detail += _urgency_line(target, ctx)
    updated = copy.deepcopy(order)
    updated["code"] = option_concept(target)
    updated["priority"] = ctx["wanted"]
    action = {"type": "update", "description": f"Change the order to {title(target)}, "
                                               f"{ctx['wanted']}", "resource": updated}
    return summary.replace(" ()", ""), rules, detail, suggestion(
        f"Change to {title(target)} ({ctx['wanted']})", [action])


def _replace(order: dict[str, Any], target: str, ctx: dict[str, Any]) -> list[dict[str, Any]]:
    item = {"id": target, "role": "recommended", "rationale": title(target),
            "rules": ["IMG-001" if target == "mri_whole_spine" else "IMG-003",
                      *ctx["urgency_rules"]], "within_hours": ctx["within"]}
    request = service_request(item, {"reference": f"Patient/{ctx['patient_id']}"},
                              datetime.now(UTC).isoformat(timespec="seconds"))
    actions: list[dict[str, Any]] = []
    if order.get("id"):
        actions.append({"type": "delete", "description": "Remove the draft X-ray order",
                        "resourceId": f"ServiceRequest/{order['id']}"})
    actions.append({"type": "create", "description": f"Draft request: {title(target)}",
                    "resource": request})
    return actions
