"""Shared table rows for every human-readable rendering, so text and Markdown say the same."""

from __future__ import annotations

from typing import Any

LEVEL_LABEL = {
    "emergency": "EMERGENCY — act now",
    "urgent": "URGENT — within 24 hours",
    "soon": "SOON — urgent assessment pathway",
    "routine": "ROUTINE — usual care with safety net",
}
SCORE_TITLES = {
    "tomita": "Tomita",
    "tokuhashi_revised": "Tokuhashi (revised 2005)",
    "tokuhashi_original": "Tokuhashi (original 1990)",
    "bauer": "Bauer",
    "modified_bauer": "Modified Bauer",
    "nesms": "NESMS",
}
ROLE_MARK = {"recommended": "✔ recommended", "consider": "? consider",
             "discuss": "⇄ discuss", "not_recommended": "✘ not recommended"}


def value_text(result: dict[str, Any]) -> str:
    """'11', 'unknown (9–12)' or 'not applicable'."""
    status = result.get("status")
    if status == "not_applicable":
        return "not applicable"
    if status == "complete":
        return str(result.get("total"))
    rng = result.get("range") or [None, None]
    if rng[0] == rng[1]:
        return f"{rng[0]} (inputs missing)"
    return f"unknown, {rng[0]}–{rng[1]}"


def hours_text(hours: float | None) -> str:
    if hours is None:
        return ""
    if hours == 0:
        return "immediately"
    if hours % 24 == 0 and hours >= 48:
        days = int(hours // 24)
        return f"within {days} days" if days != 7 else "within 1 week"
    return f"within {hours:g} h"


def sins_rows(a: dict[str, Any]) -> list[list[str]]:
    rows = []
    escc = {i: e for i, e in enumerate(a["scores"]["escc"]["lesions"])}
    for i, lesion in enumerate(a["scores"]["sins"]["lesions"]):
        parts = lesion.get("components", {})
        comp = ", ".join(f"{k.replace('_', ' ')} {'?' if v is None else v}"
                         for k, v in parts.items())
        e = escc.get(i, {})
        grade = e.get("grade")
        rows.append([
            str(lesion.get("level") or "level ?"),
            value_text(lesion),
            lesion.get("band") or ("—" if lesion.get("status") != "not_applicable" else ""),
            comp or lesion.get("reason", ""),
            f"{grade} ({e.get('group')})" if grade else "not graded",
        ])
    return rows


def prognostic_rows(a: dict[str, Any]) -> list[list[str]]:
    rows = []
    for name, title in SCORE_TITLES.items():
        result = a["scores"][name]
        rows.append([
            title,
            value_text(result),
            (result.get("band") or "—").replace("_", " ") if result["status"] != "not_applicable"
            else result.get("reason", ""),
            f"higher = {result.get('higher_means', '')}",
            ", ".join(result.get("missing", [])),
        ])
    return rows


def option_rows(options: list[dict[str, Any]]) -> list[list[str]]:
    rows = []
    for o in options:
        detail = o["rationale"]
        if o.get("dose"):
            detail += f" [dose: {o['dose']}]"
        if o.get("after"):
            detail += f" [after {o['after'].replace('_', ' ')}]"
        if o.get("done"):
            detail += " [already done]"
        rows.append([
            ROLE_MARK.get(o.get("role", "recommended"), o.get("role", "")),
            o["id"].replace("_", " "),
            hours_text(o.get("within_hours")),
            detail,
            " ".join(o.get("rules", [])) + (f" [{o['evidence']}]" if o.get("evidence") else ""),
        ])
    return rows


def enneking_text(a: dict[str, Any]) -> str | None:
    e = a["scores"]["enneking"]
    if e["status"] == "not_applicable":
        return None
    if e["status"] == "complete":
        return f"Enneking stage {e['stage']}"
    return f"Enneking stage not decided: {' / '.join(e['possible_stages'])} " \
           f"(missing {', '.join(e['missing'])})"
