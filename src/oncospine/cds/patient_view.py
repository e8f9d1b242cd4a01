"""`patient-view`: a triage card when the spine needs attention, a score card when lesions are
known, and no card at all otherwise.

- `emergency` triage -> a `critical` card; `urgent` -> a `warning` card whenever any finding
  drives it, or anything about the spine is recorded (spinal pain, neurology, lesions, a count
  of vertebral metastases). Only when the urgency rests entirely on the "not yet asked" rules
  (TRI-ASK-PAIN, TRI-ASK-NEURO, TRI-006b) *and* nothing about the spine is recorded is there no
  card: a cancer history alone would otherwise fire on every chart of every person with cancer
  (alert fatigue). The triage itself is unchanged and shown in full in the app. When spinal
  disease is known but the symptoms were never asked, the card says to ask now.
- Suggestions create draft resources: a whole-spine MRI ServiceRequest (CT spine when MRI is
  contraindicated) with the triage priority, and a dexamethasone 16 mg MedicationRequest
  proposal where the plan recommends it and it has not been given.
- Lesions recorded -> an `info` card with the scores.

References: assessment-format.md (triage levels); rules TRI-001..TRI-004, MGT-003, IMG-001/003.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from oncospine.case import Case
from oncospine.cds.cards import card, cite, hours, moment, source, suggestion
from oncospine.fhir.orders import dexamethasone_request, service_request, title
from oncospine.pathway.triage import ASK_RULES

HEADLINES = {
    ("emergency", "mscc"): "Suspected metastatic spinal cord compression (emergency)",
    ("emergency", "cord_compression"): "Suspected spinal cord compression (emergency)",
    ("emergency", "cauda_equina"): "Suspected cauda equina syndrome (emergency)",
    ("urgent", "mscc"): "Possible spinal metastases (urgent)",
}
SHORT = {"contact_mscc_coordinator": "contact the MSCC coordinator",
         "emergency_spinal_referral": "emergency spinal referral",
         "mri_whole_spine": "whole-spine MRI", "ct_spine": "CT spine"}
SCORE_NAMES = {"sins": "SINS", "tomita": "Tomita", "tokuhashi_revised": "revised Tokuhashi",
               "tokuhashi_original": "original Tokuhashi", "bauer": "Bauer",
               "modified_bauer": "modified Bauer", "nesms": "NESMS"}


ASK_SUMMARY = ("Spinal metastases recorded; spinal pain and neurology not recorded: ask now "
               "(urgent until known)")


def spine_evidence(case: Case) -> bool:
    """Whether anything about the spine is recorded: pain, neurology, lesions or metastases."""
    p = case.presentation
    return bool(case.lesions or p.spinal_pain or p.neuro_features or p.pain_features
                or case.disease.vertebral_metastases)


def only_unasked(assessment: dict[str, Any]) -> bool:
    """Whether the triage rests only on questions not yet asked, not on any finding."""
    return all(r["rule"] in ASK_RULES for r in assessment["triage"]["reasons"])


def patient_view_cards(case: Case, assessment: dict[str, Any], patient_id: str,
                       extra: list[str]) -> list[dict[str, Any]]:
    cards: list[dict[str, Any]] = []
    level = assessment["triage"]["level"]
    if level == "emergency" or (level == "urgent" and (spine_evidence(case)
                                                       or not only_unasked(assessment))):
        cards.append(triage_card(case, assessment, patient_id, extra))
    if case.lesions:
        cards.append(scores_card(assessment, extra))
    return cards


def _action_phrase(action: dict[str, Any]) -> str:
    name = SHORT.get(action["id"], action["id"].replace("_", " "))
    if action.get("done"):
        return f"{name} done"
    return f"{name} {hours(action.get('within_hours'))}".strip()


def triage_card(case: Case, assessment: dict[str, Any], patient_id: str,
                extra: list[str]) -> dict[str, Any]:
    t = assessment["triage"]
    headline = HEADLINES.get((t["level"], t["pathway"]),
                             f"Spinal triage: {t['level']} ({t['pathway'].replace('_', ' ')})")
    key_actions = [a for a in t["actions"] if a["id"] in SHORT]
    summary = headline + ": " + "; ".join(_action_phrase(a) for a in key_actions)
    if t["level"] == "urgent" and only_unasked(assessment) and case.disease.vertebral_metastases:
        summary = ASK_SUMMARY  # the actions and clocks stay in the detail
    rules = [r["rule"] for r in t["reasons"]]
    for action in key_actions:
        rules += [r for r in action["rules"] if r not in rules]
    indicator = "critical" if t["level"] == "emergency" else "warning"
    return card(summary, indicator, source(rules, "triage"), _triage_detail(assessment, extra),
                _triage_suggestions(case, assessment, patient_id))


def _triage_detail(assessment: dict[str, Any], extra: list[str]) -> str:
    t = assessment["triage"]
    lines = [f"**Triage: {t['level']}**, pathway {t['pathway'].replace('_', ' ')}", "",
             "**Why**"]
    lines += [f"- {r['text']} ({cite([r['rule']])})" for r in t["reasons"]]
    lines += ["", "**Actions**"]
    for action in t["actions"]:
        when = "done" if action.get("done") else hours(action.get("within_hours"))
        lines.append(f"- {action['id'].replace('_', ' ')}: {action['rationale']}"
                     + (f" — {when}" if when else "") + f" ({cite(action['rules'])})")
    immediate = [o for o in assessment["plan"]["options"]
                 if o["phase"] == "immediate" and o["role"] == "recommended"]
    for option in immediate:
        dose = f"; {option['dose']}" if option.get("dose") else ""
        done = " — done" if option.get("done") else ""
        lines.append(f"- {option['id'].replace('_', ' ')}: {option['rationale']}{dose}{done} "
                     f"({cite(option['rules'])})")
    if t.get("clocks"):
        lines += ["", "**Clocks**"]
        for clock in t["clocks"]:
            left = (f", {clock['hours_left']:g} h left" if clock.get("hours_left") is not None
                    else "")
            lines.append(f"- {clock['id'].replace('_', ' ')}: due {moment(clock['due'])} — "
                         f"{clock['state']}{left} ({clock['rule']})")
    lines += _missing_lines(assessment, extra)
    return "\n".join(lines)


def _missing_lines(assessment: dict[str, Any], extra: list[str]) -> list[str]:
    out = []
    if assessment["missing_inputs"]:
        out += ["", "**Not recorded (ask):** " + ", ".join(assessment["missing_inputs"][:12])
                + ("…" if len(assessment["missing_inputs"]) > 12 else "")]
    if extra:
        out += ["", "**Data not available to this service:** " + "; ".join(extra)]
    return out


def _triage_suggestions(case: Case, assessment: dict[str, Any],
                        patient_id: str) -> list[dict[str, Any]]:
    subject = {"reference": f"Patient/{patient_id}"}
    now = datetime.now(UTC).isoformat(timespec="seconds")
    out = []
    for action in assessment["triage"]["actions"]:
        if action["id"] not in ("mri_whole_spine", "ct_spine") or action.get("done"):
            continue
        if case.events.mri_requested is not None:
            continue
        request = service_request(action, subject, now)
        when = hours(action.get("within_hours"))
        out.append(suggestion(f"Request {title(action['id'])} ({request['priority']}, {when})", [
            {"type": "create", "description": f"Draft request: {title(action['id'])} {when} "
                                              f"({cite(action['rules'])})",
             "resource": request}]))
    for option in assessment["plan"]["options"]:
        if option["id"] == "dexamethasone" and option["role"] == "recommended" \
                and not option.get("done"):
            request = dexamethasone_request(option, subject, now)
            out.append(suggestion("Propose dexamethasone 16 mg", [
                {"type": "create", "description": f"Draft proposal: {option.get('dose', '')} "
                                                  f"({cite(option['rules'])})".strip(),
                 "resource": request}]))
    return out


def _score_phrase(name: str, score: dict[str, Any]) -> str | None:
    if score.get("status") == "not_applicable" or not score.get("range"):
        return None
    low, high = score["range"]
    value = str(score["total"]) if score.get("total") is not None else (
        f"{low}" if low == high else f"{low}–{high}")
    band = score.get("band")
    return f"{SCORE_NAMES.get(name, name)} {value}" + (f" {band.replace('_', ' ')}" if band
                                                        else "")


def scores_card(assessment: dict[str, Any], extra: list[str]) -> dict[str, Any]:
    scores = assessment["scores"]
    parts = []
    worst = scores["sins"].get("worst")
    if worst:
        phrase = _score_phrase("sins", worst)
        if phrase:
            parts.append(f"{phrase} ({worst['level']})")
    escc = scores["escc"].get("worst")
    if escc:
        parts.append(f"ESCC {escc['grade']} {escc['group']} ({escc['level']})")
    prognostic = _score_phrase("tokuhashi_revised", scores["tokuhashi_revised"])
    if prognostic:
        parts.append(prognostic)
    summary = "Spine scores: " + ("; ".join(parts) if parts else "lesions recorded, scores "
                                  "incomplete")
    lines = ["| score | status | value | band | unknown inputs |", "|---|---|---|---|---|"]
    for i, lesion in enumerate(scores["sins"]["lesions"]):
        lines.append(_row(f"SINS {lesion.get('level') or f'lesion {i + 1}'}", lesion))
    for lesion in scores["escc"]["lesions"]:
        grade = lesion.get("grade") or "unknown"
        lines.append(f"| ESCC {lesion.get('level') or ''} | "
                     f"{'complete' if lesion.get('grade') else 'incomplete'} | {grade} | "
                     f"{lesion.get('group') or '—'} | |")
    for name, label in SCORE_NAMES.items():
        if name != "sins" and scores[name].get("status") != "not_applicable":
            lines.append(_row(label, scores[name]))
    lines += ["", assessment["prognosis"]["caveat"]]
    lines += _missing_lines(assessment, extra)
    rules = list(dict.fromkeys(r for s in scores.values() for r in s.get("rules", ())))
    return card(summary, "info", source(rules, "scores"), "\n".join(lines))


def _row(label: str, score: dict[str, Any]) -> str:
    value = "—"
    if score.get("total") is not None:
        value = str(score["total"])
    elif score.get("range"):
        value = "{}–{}".format(*score["range"])
    missing = ", ".join(score.get("missing", ())) or ""
    return (f"| {label} | {score.get('status', '')} | {value} | "
            f"{(score.get('band') or '—').replace('_', ' ')} | {missing} |")
