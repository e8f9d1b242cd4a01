"""Markdown rendering of an assessment and of the rule catalogue (docs/rules.md)."""

from __future__ import annotations

from typing import Any

from oncospine.knowledge import load, ruleset
from oncospine.render import rows as r


def _table(header: list[str], body: list[list[str]]) -> str:
    def esc(cell: str) -> str:
        return cell.replace("|", "\\|").replace("\n", " ")

    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(esc(c) for c in row) + " |" for row in body]
    return "\n".join(lines)


def assessment_markdown(a: dict[str, Any]) -> str:
    t = a["triage"]
    out = [f"# Assessment {a.get('case_id') or ''}".rstrip(),
           f"Assessed {a['assessed_at']} · ruleset {a['ruleset']['version']}", "",
           f"## Triage: {r.LEVEL_LABEL[t['level']]}",
           f"Pathway: **{t['pathway'].replace('_', ' ')}**"]
    if t["coordinator_contact_within_hours"] is not None:
        out.append(f"- MSCC coordinator: {r.hours_text(t['coordinator_contact_within_hours'])}")
    if t["mri_within_hours"] is not None:
        out.append(f"- Whole-spine MRI: {r.hours_text(t['mri_within_hours'])}")
    for clock in t["clocks"]:
        out.append(f"- Clock {clock['id']}: due {clock['due']} — {clock['state']}")
    out += ["", "### Reasons"]
    out += [f"- **{x['rule']}** {x['text']} ({', '.join(x['sources']) or 'design choice'}; "
            f"evidence {x['evidence']})" for x in t["reasons"]]
    out += ["", "### Actions now", _table(["role", "action", "when", "why", "rules"],
                                          r.option_rows(t["actions"]))]
    if a["scores"]["sins"]["lesions"]:
        out += ["", "## Lesions (SINS and ESCC)",
                _table(["level", "SINS", "band", "components", "ESCC"], r.sins_rows(a))]
    out += ["", "## Prognostic scores",
            _table(["score", "value", "band", "direction", "missing"], r.prognostic_rows(a))]
    enn = r.enneking_text(a)
    if enn:
        out += ["", enn]
    out += ["", "## Work-up", _table(["role", "test", "when", "why", "rules"],
                                     r.option_rows(a["workup"]))]
    out += ["", "## Plan", _table(["role", "option", "when", "why", "rules"],
                                  r.option_rows(a["plan"]["options"]))]
    if a["plan"]["notes"]:
        out += ["", "### Notes"] + [f"- **{n['rule']}** {n['text']}" for n in a["plan"]["notes"]]
    if a["plan"]["conflicts"]:
        out += ["", "### Where sources disagree"]
        out += [f"- **{c['id']} {c['title']}.** {c['text']}" for c in a["plan"]["conflicts"]]
    if a["missing_inputs"]:
        out += ["", "## Missing inputs (unknown, not zero)"]
        out += [f"- `{m}`" for m in a["missing_inputs"]]
    if a["warnings"]:
        out += ["", "## Warnings"] + [f"- {w['text']}" for w in a["warnings"]]
    return "\n".join(out) + "\n"


def rules_markdown() -> str:
    """docs/rules.md: generated from the rule catalogue; a test fails when it drifts."""
    data = load("rules")
    rs = ruleset()
    out = ["# Rule catalogue", "",
           f"Generated from `src/oncospine/knowledge/rules.toml` by `oncospine rules --format "
           f"markdown` (ruleset {rs['version']}). Do not edit by hand.", "",
           "Evidence tags: V primary source seen, V2 secondary only, U unconfirmed, D design "
           "choice; for scores P primary paper, S two secondary sources, ◐ one secondary "
           "source, ⚠ unconfirmed.", ""]
    categories: dict[str, list[tuple[str, dict[str, Any]]]] = {}
    for rid, rule in data["rules"].items():
        categories.setdefault(rule["category"], []).append((rid, rule))
    for category, items in categories.items():
        out += [f"## {category.capitalize()}", "",
                _table(["id", "title", "rule", "sources", "evidence", "decision"],
                       [[rid, x["title"], x["text"], ", ".join(x["sources"]) or "—",
                         x["evidence"], x.get("decision", "—")] for rid, x in items]), ""]
    out += ["## Conflicts shown, not hidden", "",
            _table(["id", "title", "positions", "sources"],
                   [[cid, c["title"], c["text"], ", ".join(c["sources"])]
                    for cid, c in data["conflicts"].items()]), ""]
    return "\n".join(out)
