"""The clinician report: triage first, then the spine, the lesions, scores, the plan, unknowns.

Built for the tumour board and the on-call clinician: the triage banner with its clocks comes
first, every recommendation carries its rule ids, evidence tag and sources, conflicts between
sources are shown in full, and what is unknown is listed with what it would change. The view
model is plain data so the template stays free of logic and the tests can read it.

References: shared spec assessment-format.md; DESIGN.md principle 1 (safety over convenience).
"""

from __future__ import annotations

from typing import Any

from oncospine.case import Case
from oncospine.knowledge import load
from oncospine.render.rows import LEVEL_LABEL, ROLE_MARK, hours_text, value_text
from oncospine.reports import _render
from oncospine.reports.diagram import spine_svg
from oncospine.reports.missing import SCORE_TITLES, missing_inputs
from oncospine.reports.words import when_text

SINS_PARTS = ("location", "pain", "bone_lesion", "alignment", "collapse", "posterolateral")
# Column headers of the SINS components; soft hyphens let long words wrap in narrow columns.
SINS_HEADERS = ("location", "pain", "bone lesion", "align&shy;ment", "col&shy;lapse",
                "postero&shy;lateral")
PHASE_TITLES = {"immediate": "Immediate care", "definitive": "Definitive treatment",
                "supportive": "Supportive care", "follow_up": "Follow-up"}
CLOCK_STATE = {"met": "met", "late": "LATE: done after the deadline",
               "overdue": "OVERDUE: not done by the deadline", "running": "running"}
EVIDENCE_TAGS = (
    ("V", "seen in the primary source"),
    ("V2", "seen only in a secondary source: needs clinical confirmation"),
    ("U", "unconfirmed: not to be used as a hard rule"),
    ("D", "design choice joining sources: needs clinical-safety sign-off"),
    ("P", "score: primary paper"),
    ("S", "score: two secondary sources"),
    ("◐", "score: one secondary source"),
    ("⚠", "score: unconfirmed"),
)
SITE_WORDS = {"lung_nsclc": "lung (non-small-cell)", "lung_sclc": "lung (small-cell)",
              "head_neck": "head and neck", "germ_cell": "germ cell"}


def _title(option_id: str) -> str:
    entry = load("treatments").get(option_id)
    return str(entry["title"]) if entry else option_id.replace("_", " ")


def option_row(option: dict[str, Any], shown: frozenset[str] = frozenset()) -> dict[str, Any]:
    """One plan, work-up or triage entry as the report shows it.

    `shown` holds the conflict ids the report prints in full, so only those become links.
    """
    after = option.get("after")
    return {
        "id": option["id"],
        "title": _title(option["id"]),
        "role": option.get("role", "recommended"),
        "role_text": ROLE_MARK.get(option.get("role", "recommended"), option.get("role", "")),
        "when": hours_text(option.get("within_hours")),
        "rationale": option.get("rationale", ""),
        "dose": option.get("dose"),
        "after": _title(after) if after else None,
        "done": bool(option.get("done")),
        "rules": option.get("rules", []),
        "evidence": option.get("evidence"),
        "sources": option.get("sources", []),
        "conflicts": [{"id": cid, "shown": cid in shown} for cid in option.get("conflicts", [])],
    }


def _clock_row(clock: dict[str, Any]) -> dict[str, Any]:
    left = clock.get("hours_left")
    state = CLOCK_STATE.get(clock["state"], clock["state"])
    if clock["state"] == "running" and left is not None:
        state = f"running: {left:g} h left"
    return {"id": clock["id"].replace("_", " "), "rule": clock["rule"],
            "within": hours_text(clock["within_hours"]), "starts": when_text(clock["starts"]),
            "due": when_text(clock["due"]), "done_at": when_text(clock.get("done_at")),
            "state": state, "alert": clock["state"] in ("late", "overdue")}


def _lesion_rows(case: Case, assessment: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    escc = assessment["scores"]["escc"]["lesions"]
    lesions = case.lesions or []
    for i, sins in enumerate(assessment["scores"]["sins"]["lesions"]):
        parts = sins.get("components") or {}
        grade = escc[i].get("grade") if i < len(escc) else None
        rows.append({
            "number": i + 1,
            "level": sins.get("level") or "not recorded",
            "compartment": (lesions[i].compartment or "not recorded").replace("_", " ")
            if i < len(lesions) else "not recorded",
            "parts": [("?" if parts.get(name) is None else parts[name]) if parts else "—"
                      for name in SINS_PARTS],
            "sins": value_text(sins),
            "band": sins.get("band") or ("not decided" if sins.get("status") == "incomplete"
                                         else sins.get("reason", "—")),
            "status": sins.get("status", "").replace("_", " "),
            "escc": grade if grade is not None else "not graded",
            "group": escc[i].get("group") if grade is not None else "unknown",
        })
    return rows


def _prognosis(assessment: dict[str, Any]) -> dict[str, Any]:
    prog = assessment["prognosis"]
    scores = assessment["scores"]
    rows = []
    for name, title in SCORE_TITLES.items():
        result = scores[name]
        band = prog["scores"].get(name, {})
        meaning = band.get("meaning") or {}
        rows.append({
            "name": name,
            "title": title,
            "headline": name == prog.get("headline_score"),
            "value": value_text(result),
            "status": result.get("status", "").replace("_", " "),
            "band": (result.get("band") or "not decided").replace("_", " ")
            if result.get("status") != "not_applicable" else "not applicable",
            "meaning": meaning.get("text") or result.get("reason", ""),
            "evidence": meaning.get("evidence"),
            "sources": meaning.get("sources") or result.get("sources", []),
            "higher": result.get("higher_means", ""),
        })
    return {"rows": rows, "by_primary": prog.get("by_primary"), "figures": prog["figures"],
            "caveat": prog["caveat"]}


def _staging(assessment: dict[str, Any]) -> list[str]:
    lines = []
    enneking = assessment["scores"]["enneking"]
    if enneking["status"] == "complete":
        lines.append(f"Enneking stage {enneking['stage']}.")
    elif enneking["status"] == "incomplete":
        stages = " / ".join(enneking.get("possible_stages") or ())
        lines.append(f"Enneking stage not decided: possible {stages}.")
    wbb = assessment["scores"]["wbb"]
    for lesion in wbb.get("lesions", []) if wbb["status"] != "not_applicable" else []:
        sectors = ", ".join(str(s) for s in lesion.get("sectors") or []) or "not recorded"
        layers = ", ".join(lesion.get("layers") or []) or "not recorded"
        feasible = {True: "feasible", False: "not a classic pattern", None: "not decided"}[
            lesion.get("en_bloc_feasible")]
        resection = str(lesion.get("resection") or "").replace("_", " ")
        lines.append(f"WBB at {', '.join(lesion.get('levels') or [])}: sectors {sectors}; "
                     f"layers {layers}; en bloc {feasible}"
                     + (f" ({resection})" if resection else "") + ".")
    return lines


def cited_sources(assessment: dict[str, Any]) -> list[dict[str, Any]]:
    """Every source id the assessment cites, resolved through the source catalogue.

    Listed in catalogue order; an id the catalogue lacks is listed too, marked as such, so a
    citation is never silently dropped.
    """
    ids: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("sources", "source"):
                    for sid in value if isinstance(value, list) else [value]:
                        if isinstance(sid, str) and sid not in ids:
                            ids.append(sid)
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(assessment)
    catalogue = load("sources")
    order = {sid: i for i, sid in enumerate(catalogue)}
    out = []
    for sid in sorted(ids, key=lambda s: (order.get(s, len(order)), s)):
        entry = catalogue.get(sid)
        out.append({"id": sid, "known": entry is not None,
                    "title": entry["short"] if entry else "not in the source catalogue",
                    "citation": entry.get("citation", "") if entry else "",
                    "url": entry.get("url") if entry else None,
                    "note": entry.get("note") if entry else None})
    return out


def _who(case: Case) -> list[str]:
    parts = []
    p, c = case.patient, case.cancer
    if p.age_years is not None:
        parts.append(f"age {p.age_years}")
    if p.sex and p.sex != "unknown":
        parts.append(p.sex)
    history = c.history or "not recorded"
    parts.append(f"cancer history: {history}")
    if c.primary_site:
        parts.append(f"primary: {SITE_WORDS.get(c.primary_site, c.primary_site)}")
    if c.histology:
        parts.append(f"histology: {c.histology}")
    return parts


def clinician_context(case: Case, assessment: dict[str, Any], paper: str) -> dict[str, Any]:
    """Everything the clinician template shows, as plain data."""
    t = assessment["triage"]
    plan = assessment["plan"]
    shown = frozenset(c["id"] for c in plan["conflicts"])
    phases: dict[str, list[dict[str, Any]]] = {}
    for option in plan["options"]:
        phases.setdefault(option.get("phase", "definitive"), []).append(
            option_row(option, shown))
    label = case.id or assessment.get("case_id") or "case without an id"
    return {
        "lang": "en-GB",
        "paper": _render.page_size(paper),
        "title": f"Clinician report: {label}",
        "label": label,
        "assessed": when_text(assessment["assessed_at"]),
        "ruleset": assessment["ruleset"],
        "format": assessment["format"],
        "who": _who(case),
        "triage": {
            "level": t["level"],
            "label": LEVEL_LABEL[t["level"]],
            "pathway": t["pathway"].replace("_", " "),
            "coordinator": hours_text(t.get("coordinator_contact_within_hours")),
            "mri": hours_text(t.get("mri_within_hours")),
            "actions": [option_row(o, shown) for o in t["actions"]],
            "reasons": t["reasons"],
            "clocks": [_clock_row(c) for c in t["clocks"]],
            "local_targets": [{"id": x["id"].replace("_", " "), "rule": x["rule"],
                               "within": hours_text(x["within_hours"])}
                              for x in t.get("local_targets", [])],
        },
        "diagram": spine_svg(assessment),
        "lesions": _lesion_rows(case, assessment),
        "sins_parts": SINS_HEADERS,
        "prognosis": _prognosis(assessment),
        "staging": _staging(assessment),
        "workup": [option_row(o, shown) for o in assessment["workup"]],
        "phases": [(PHASE_TITLES.get(name, name.replace("_", " ").capitalize()), rows)
                   for name, rows in phases.items()],
        "notes": plan["notes"],
        "conflicts": plan["conflicts"],
        "missing": missing_inputs(assessment),
        "warnings": assessment["warnings"],
        "sources": cited_sources(assessment),
        "evidence_tags": EVIDENCE_TAGS,
    }


def clinician_html(case: Case, assessment: dict[str, Any], *, paper: str = "a4") -> str:
    """The clinician report as one self-contained HTML document (inline CSS and SVG)."""
    return _render.render("clinician.html.j2", **clinician_context(case, assessment, paper))
