"""CDS Hooks cards built from an assessment: what to show, and nothing when nothing applies.

Every text on a card comes from the assessment (its triage, actions, clocks, reasons, scores)
or from the knowledge catalogue (rule texts, source names); nothing clinical is written here.
Cards follow the CDS Hooks 2.0 rules: a summary under 140 characters, details in Markdown, a
`source` naming the rules and their sources, suggestions with UUIDs and FHIR resources, override
reasons with a display, and no null or empty members.

References: CDS Hooks 2.0 "Card Attributes"; assessment-format.md.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from oncospine.fhir.codes import CS_OVERRIDE, CS_TOPIC
from oncospine.knowledge import load, ruleset

SUMMARY_MAX = 139  # the specification asks for fewer than 140 characters
SOURCE_LABEL_MAX = 160
SOURCE_NAMES_MAX = 3  # the rest are in the detail, by id
OVERRIDE_REASONS = (
    ("already-done", "Already done or already ordered"),
    ("not-appropriate", "Not appropriate for this patient"),
    ("patient-declined", "Patient declined"),
    ("record-out-of-date", "The record is wrong or out of date"),
)
TOPICS = {"triage": "Spinal tumour triage", "scores": "Spine scores",
          "imaging": "Spinal imaging choice"}


def shorten(text: str, limit: int = SUMMARY_MAX) -> str:
    """Cut at a word boundary with an ellipsis so the text stays within the limit."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(";,:")
    return cut + "…"


def hours(value: float | None) -> str:
    if value is None:
        return ""
    if value == 0:
        return "now"
    if value % 168 == 0:
        weeks = int(value // 168)
        return f"within {weeks} week" + ("s" if weeks > 1 else "")
    return f"within {value:g} h"


def moment(text: str) -> str:
    """An ISO time as '2026-11-20 06:00 UTC' (or with its offset), for reading at a glance."""
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        return text
    offset = at.strftime("%z")
    zone = "UTC" if offset in ("+0000", "") else f"{offset[:3]}:{offset[3:]}"
    return at.strftime("%Y-%m-%d %H:%M ") + zone


def rule_sources(rule_ids: list[str]) -> list[str]:
    rules = load("rules")["rules"]
    out: list[str] = []
    for rid in rule_ids:
        for src in rules.get(rid, {}).get("sources", ()):
            if src not in out:
                out.append(src)
    return out


def source(rule_ids: list[str], topic: str) -> dict[str, Any]:
    """The card source: the rule ids and the names of their sources; a link to the first one
    that has a public address."""
    catalogue = load("sources")
    ids = rule_sources(rule_ids)
    names = [str(catalogue[s]["short"]) for s in ids if s in catalogue][:SOURCE_NAMES_MAX]
    label = f"oncospine {ruleset()['version']}: {', '.join(rule_ids)}"
    if names:
        label += " — " + "; ".join(names)
    out: dict[str, Any] = {"label": shorten(label, SOURCE_LABEL_MAX),
                           "topic": {"system": CS_TOPIC, "code": topic,
                                     "display": TOPICS[topic]}}
    url = next((catalogue[s]["url"] for s in ids if catalogue.get(s, {}).get("url")), None)
    if url:
        out["url"] = url
    return out


def suggestion(label: str, actions: list[dict[str, Any]],
               recommended: bool = True) -> dict[str, Any]:
    return {"label": label, "uuid": str(uuid.uuid4()), "isRecommended": recommended,
            "actions": actions}


def card(summary: str, indicator: str, src: dict[str, Any], detail: str | None = None,
         suggestions: list[dict[str, Any]] | None = None,
         links: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """One card; optional members are left out rather than sent empty."""
    out: dict[str, Any] = {"uuid": str(uuid.uuid4()), "summary": shorten(summary),
                           "indicator": indicator, "source": src}
    if detail:
        out["detail"] = detail
    if suggestions:
        out["suggestions"] = suggestions
        out["selectionBehavior"] = "any"
    out["overrideReasons"] = [{"system": CS_OVERRIDE, "code": code, "display": display}
                              for code, display in OVERRIDE_REASONS]
    if links:
        out["links"] = links
    return out


def rule_text(rule_id: str) -> str:
    return str(load("rules")["rules"].get(rule_id, {}).get("text", ""))


def cite(rule_ids: list[str] | tuple[str, ...]) -> str:
    """'TRI-004, IMG-001 [S5, S6]' for the detail text."""
    sources = rule_sources(list(rule_ids))
    return ", ".join(rule_ids) + (f" [{', '.join(sources)}]" if sources else "")
