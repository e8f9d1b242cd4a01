"""The assessment as FHIR R4 resources: scores, triage, prognosis, plan and work-up.

One Observation per score (per lesion for SINS, ESCC and WBB) with its components; an incomplete
score carries the range its unknown inputs still allow (valueRange) and stays `preliminary`; a
band is an interpretation. Triage is an Observation, prognosis a RiskAssessment, the plan options
a draft CarePlan (a not-recommended option is `doNotPerform`), the work-up draft ServiceRequests.
Every resource is tagged as an assessment output, so an import reads the inputs only.

SINS and ESCC also carry their RadElement (RSNA/ACR) set codes, RDES21 and RDES288; their
components keep oncospine codes, as no RadElement element code could be confirmed
(docs/integration.md).

References: shared spec assessment-format.md.
"""

from __future__ import annotations

from typing import Any

from oncospine.fhir import codes as c
from oncospine.fhir.inputs import observation
from oncospine.fhir.orders import option_concept, service_request
from oncospine.fhir.values import coding, concept

SCORE_TITLES = {
    "sins": "Spinal Instability Neoplastic Score (SINS)",
    "escc": "Epidural spinal cord compression grade (Bilsky)",
    "tomita": "Tomita score", "tokuhashi_revised": "Revised Tokuhashi score (2005)",
    "tokuhashi_original": "Original Tokuhashi score (1990)", "bauer": "Bauer score",
    "modified_bauer": "Modified Bauer score", "nesms": "New England Spinal Metastasis Score",
    "enneking": "Enneking stage", "wbb": "Weinstein-Boriani-Biagini classification",
}  # fmt: skip
TOTAL_SCORES = ("tomita", "tokuhashi_revised", "tokuhashi_original", "bauer", "modified_bauer",
                "nesms")
ABSENT_UNKNOWN = {"dataAbsentReason": concept(c.DATA_ABSENT, "unknown", "Unknown")}
ABSENT_NA = {"dataAbsentReason": concept(c.DATA_ABSENT, "not-applicable", "Not Applicable")}


def tag(resource: dict[str, Any]) -> dict[str, Any]:
    resource["meta"] = {"tag": [coding(c.CS_TAG, c.TAG_OUTPUT, "oncospine assessment output")]}
    return resource


def _score_obs(rid: str, name: str, score: dict[str, Any], subject: dict[str, str],
               effective: str) -> dict[str, Any]:
    code = concept(c.CS_SCORE, name, SCORE_TITLES[name])
    if name in c.RADELEMENT_SETS:
        code["coding"].append(coding(c.RADELEMENT, *c.RADELEMENT_SETS[name]))
    obs = observation(rid, code, subject, effective, "survey")
    status = score.get("status")
    obs["status"] = "preliminary" if status == "incomplete" else "final"
    if status == "not_applicable":
        obs.update(ABSENT_NA)
    elif score.get("total") is not None:
        obs["valueInteger"] = score["total"]
    elif score.get("range"):
        low, high = score["range"]
        obs["valueRange"] = {"low": {"value": low}, "high": {"value": high}}
    else:
        obs.update(ABSENT_UNKNOWN)
    if score.get("band"):
        obs["interpretation"] = [concept(c.CS_BAND, f"{name}.{score['band']}", score["band"])]
    if score.get("version"):
        obs["method"] = {"text": score["version"]}
    parts = []
    for part, value in (score.get("components") or {}).items():
        code = concept(c.CS_SCORE_PART, f"{name}.{part}", part.replace("_", " "))
        parts.append({"code": code, **_part_value(value)})
    if parts:
        obs["component"] = parts
    notes = _score_notes(score)
    if notes:
        obs["note"] = notes
    return tag(obs)


def _part_value(value: Any) -> dict[str, Any]:
    if value is None:
        return ABSENT_UNKNOWN
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, int):
        return {"valueInteger": value}
    return {"valueCodeableConcept": concept(c.CS_CASE_VALUE, str(value))}


def _score_notes(score: dict[str, Any]) -> list[dict[str, str]]:
    notes = []
    if score.get("missing"):
        notes.append({"text": "unknown inputs: " + ", ".join(score["missing"])})
    if score.get("reason"):
        notes.append({"text": score["reason"]})
    if score.get("possible_stages"):
        notes.append({"text": "possible stages: " + ", ".join(score["possible_stages"])})
    if score.get("sources"):
        notes.append({"text": "sources: " + ", ".join(score["sources"])})
    return notes


def score_observations(scores: dict[str, Any], subject: dict[str, str],
                       effective: str) -> list[dict[str, Any]]:
    out = []
    sins = scores["sins"]
    for i, lesion in enumerate(sins["lesions"]):
        out.append(_score_obs(f"score-sins-{i + 1}", "sins", {**sins, **lesion}, subject,
                              effective))
    escc = scores["escc"]
    if not escc["lesions"]:
        out.append(_score_obs("score-escc", "escc", {**escc, "status": "not_applicable"},
                              subject, effective))
    for i, lesion in enumerate(escc["lesions"]):
        obs = _score_obs(f"score-escc-{i + 1}", "escc", {**escc, "status": "final"}, subject,
                         effective)
        obs.pop("dataAbsentReason", None)
        if lesion.get("grade") is None:
            obs["status"] = "preliminary"
            obs.update(ABSENT_UNKNOWN)
        else:
            obs["valueCodeableConcept"] = concept(c.CS_CASE_VALUE, lesion["grade"],
                                                  f"ESCC {lesion['grade']}")
            obs["interpretation"] = [concept(c.CS_BAND, f"escc.{lesion['group']}",
                                             lesion["group"])]
        if lesion.get("level"):
            obs["bodySite"] = concept(c.CS_CASE_VALUE, lesion["level"])
        out.append(obs)
    for name in TOTAL_SCORES:
        out.append(_score_obs(f"score-{name.replace('_', '-')}", name, scores[name], subject,
                              effective))
    out.append(_enneking(scores["enneking"], subject, effective))
    out.extend(_wbb(scores["wbb"], subject, effective))
    return out


def _enneking(score: dict[str, Any], subject: dict[str, str], effective: str) -> dict[str, Any]:
    obs = _score_obs("score-enneking", "enneking", score, subject, effective)
    if score.get("stage"):
        obs.pop("dataAbsentReason", None)
        obs["valueCodeableConcept"] = concept(c.CS_BAND, f"enneking.{score['stage']}",
                                              score["stage"])
    return obs


def _wbb(score: dict[str, Any], subject: dict[str, str], effective: str) -> list[dict[str, Any]]:
    if score.get("status") == "not_applicable" or not score.get("lesions"):
        return [_score_obs("score-wbb", "wbb", {**score, "status": "not_applicable"}, subject,
                           effective)]
    out = []
    for i, lesion in enumerate(score["lesions"]):
        obs = _score_obs(f"score-wbb-{i + 1}", "wbb", {**score, "status": "final"}, subject,
                         effective)
        obs.pop("dataAbsentReason", None)
        parts = [{"code": concept(c.CS_SCORE_PART, "wbb.sector"), "valueInteger": s}
                 for s in lesion.get("sectors", ())]
        parts += [{"code": concept(c.CS_SCORE_PART, "wbb.layer"),
                   "valueCodeableConcept": concept(c.CS_CASE_VALUE, layer)}
                  for layer in lesion.get("layers", ())]
        if lesion.get("resection"):
            obs["valueCodeableConcept"] = concept(c.CS_BAND, f"wbb.{lesion['resection']}",
                                                  lesion["resection"].replace("_", " "))
        else:
            obs.update(ABSENT_UNKNOWN)
        if parts:
            obs["component"] = parts
        out.append(obs)
    return out


def triage_observation(assessment: dict[str, Any], subject: dict[str, str]) -> dict[str, Any]:
    t = assessment["triage"]
    obs = observation("triage", concept(c.CS_OUTPUT, "triage", "Spinal tumour triage"), subject,
                      assessment["assessed_at"], "survey")
    obs["valueCodeableConcept"] = concept(c.CS_TRIAGE, t["level"], t["level"])
    parts = [{"code": concept(c.CS_OUTPUT, "triage.pathway", "pathway"),
              "valueCodeableConcept": concept(c.CS_TRIAGE, t["pathway"], t["pathway"])}]
    for key in ("mri_within_hours", "coordinator_contact_within_hours"):
        if t.get(key) is not None:
            parts.append({"code": concept(c.CS_OUTPUT, f"triage.{key}", key.replace("_", " ")),
                          "valueQuantity": {"value": t[key], "unit": "h", "system": c.UCUM,
                                            "code": "h"}})
    obs["component"] = parts
    obs["note"] = [{"text": f"{r['rule']}: {r['text']}"} for r in t["reasons"]] or [
        {"text": "no reason recorded"}]
    return tag(obs)


def risk_assessment(assessment: dict[str, Any], subject: dict[str, str],
                    basis: list[str]) -> dict[str, Any]:
    prognosis = assessment["prognosis"]
    predictions = []
    for name, entry in prognosis.get("scores", {}).items():
        if entry.get("status") == "not_applicable":
            continue
        prediction: dict[str, Any] = {"outcome": {"text": f"survival ({SCORE_TITLES[name]})"}}
        if entry.get("band"):
            prediction["qualitativeRisk"] = concept(c.CS_BAND, f"{name}.{entry['band']}",
                                                    entry["band"])
        meaning = entry.get("meaning") or {}
        if meaning.get("text"):
            sources = ", ".join(meaning.get("sources", ()))
            prediction["rationale"] = meaning["text"] + (f" [{sources}]" if sources else "")
        predictions.append(prediction)
    primary = prognosis.get("by_primary")
    if primary:
        ci = f" (95% CI {primary['ci']})" if primary.get("ci") else ""
        predictions.append({
            "outcome": {"text": f"median survival by primary site ({primary['label']})"},
            "rationale": (f"median {primary['months']} months{ci}, n {primary['n']}; "
                          f"{primary['cohort']} [{primary['source']}]"),
        })
    resource: dict[str, Any] = {
        "resourceType": "RiskAssessment", "id": "prognosis", "status": "final",
        "method": {"text": f"headline score: {prognosis.get('headline_score')}"},
        "subject": subject, "occurrenceDateTime": assessment["assessed_at"],
    }
    if basis:
        resource["basis"] = [{"reference": ref} for ref in basis]
    if predictions:
        resource["prediction"] = predictions
    notes = [{"text": f"{f['text']} ({f['cohort']}) [{f['source']}]"}
             for f in prognosis.get("figures", ())]
    if prognosis.get("caveat"):
        notes.append({"text": prognosis["caveat"]})
    if notes:
        resource["note"] = notes
    return tag(resource)


def care_plan(assessment: dict[str, Any], subject: dict[str, str]) -> dict[str, Any]:
    plan = assessment["plan"]
    activities = []
    for item in (*assessment["triage"]["actions"], *plan["options"]):
        detail: dict[str, Any] = {
            "extension": [{"url": c.EXT_OPTION_ROLE, "valueCode": item["role"]}],
            "code": option_concept(item["id"]),
            "status": "completed" if item.get("done") else "not-started",
            "description": _describe(item),
        }
        if item["role"] == "not_recommended":
            detail["doNotPerform"] = True
        activities.append({"detail": detail})
    resource: dict[str, Any] = {
        "resourceType": "CarePlan", "id": "plan", "status": "draft", "intent": "proposal",
        "title": "Spinal tumour plan options (for the team to decide)",
        "subject": subject, "created": assessment["assessed_at"],
    }
    if activities:
        resource["activity"] = activities
    notes = [{"text": f"{n['rule']}: {n['text']}"} for n in plan["notes"]]
    notes += [{"text": f"conflict {x['id']} ({x['title']}): {x['text']}"}
              for x in plan["conflicts"]]
    if notes:
        resource["note"] = notes
    return tag(resource)


def _describe(item: dict[str, Any]) -> str:
    text = f"{item['role'].replace('_', ' ')}: {item['rationale']}"
    if item.get("dose"):
        text += f"; {item['dose']}"
    if item.get("within_hours") is not None:
        text += f"; within {item['within_hours']:g} hours"
    return text + f" (rules {', '.join(item['rules'])})"


def workup_requests(assessment: dict[str, Any], subject: dict[str, str]) -> list[dict[str, Any]]:
    """Draft ServiceRequests for the work-up still to do (done items are left out)."""
    out = []
    for item in assessment["workup"]:
        if item.get("done") or item["role"] not in ("recommended", "consider", "not_recommended"):
            continue
        request = service_request(item, subject, assessment["assessed_at"])
        request["id"] = f"workup-{item['id'].replace('_', '-')}"
        out.append(tag(request))
    return out
