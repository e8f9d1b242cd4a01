"""`assess(case)`: the one entry point from a case to an `oncospine-assessment/1` document.

Pure: no I/O, no clock read unless the case has no `assessed_at` (then "now" is taken once).
Every option, note and reason carries its rule ids, and through the rule catalogue its sources
and evidence tag; every unknown input the scores or rules would use is in `missing_inputs`.

References: shared spec assessment-format.md; DESIGN.md "A pure core".
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from typing import Any

from oncospine import derive
from oncospine.case import Case
from oncospine.knowledge import load, ruleset
from oncospine.pathway import context as context_mod
from oncospine.pathway._model import Collected, Option
from oncospine.pathway.immediate import immediate
from oncospine.pathway.plan import plan
from oncospine.pathway.prognosis import prognosis
from oncospine.pathway.triage import clocks, triage
from oncospine.pathway.workup import workup
from oncospine.scores import score_all
from oncospine.vocab import ASSESSMENT_FORMAT

EVIDENCE_ORDER = ("V", "P", "S", "V2", "◐", "D", "U", "⚠")


def assess(case: Case, now: datetime | None = None) -> dict[str, Any]:
    """Assess one validated case; returns the assessment as plain JSON-ready data."""
    at = case.assessed_at or now or datetime.now(UTC)
    scores = score_all(case)
    ctx = context_mod.build(case, scores)
    t = triage(case, ctx)
    work = workup(case, ctx, t)
    care = Collected()
    care.extend(immediate(case, ctx, t))
    care.extend(plan(case, ctx, t))
    rules = load("rules")["rules"]
    return {
        "format": ASSESSMENT_FORMAT,
        "case_id": case.id,
        "assessed_at": at.isoformat(),
        "ruleset": ruleset(),
        "triage": {
            "level": t.level,
            "pathway": t.pathway,
            "mri_within_hours": t.mri_within_hours,
            "coordinator_contact_within_hours": t.coordinator_within_hours,
            "actions": [_option(o, rules) for o in t.actions],
            "reasons": [_reason(r.rule, r.text, rules) for r in t.reasons],
            "clocks": clocks(case, t, at),
            "local_targets": t.local_targets,
        },
        "scores": scores,
        "workup": [_option(o, rules) for o in work.options],
        "plan": {
            "options": [_option(o, rules) for o in _ordered(care.options)],
            "notes": [_reason(n.rule, n.text, rules) for n in care.notes + work.notes],
            "conflicts": [_conflict(cid) for cid in _conflicts(care, work)],
        },
        "prognosis": prognosis(case, ctx, scores),
        "missing_inputs": _missing(scores, t.missing, work.missing, care.missing),
        "warnings": [w.to_dict() for w in derive.conversion_warnings(case)]
        + _flag_warnings(ctx),
    }


PHASES = ("immediate", "definitive", "supportive", "follow_up")


def _ordered(options: list[Option]) -> list[Option]:
    return sorted(options, key=lambda o: PHASES.index(o.phase) if o.phase in PHASES else 9)


@cache
def _support(rule_ids: tuple[str, ...]) -> tuple[str | None, tuple[str, ...]]:
    """The weakest evidence tag among the rules an item rests on, and their sources."""
    rules = load("rules")["rules"]
    tags = [rules[r]["evidence"] for r in rule_ids if r in rules]
    known = [t for t in tags if t in EVIDENCE_ORDER]
    sources: list[str] = []
    for rid in rule_ids:
        for src in rules.get(rid, {}).get("sources", ()):
            if src not in sources:
                sources.append(src)
    return (max(known, key=EVIDENCE_ORDER.index) if known else None), tuple(sources)


def _option(option: Option, rules: dict[str, Any]) -> dict[str, Any]:
    out = option.to_dict()
    evidence, sources = _support(option.rules)
    out["evidence"] = evidence
    out["sources"] = list(sources)
    return out


def _reason(rule: str, text: str, rules: dict[str, Any]) -> dict[str, Any]:
    entry = rules.get(rule, {})
    return {"rule": rule, "text": text, "sources": list(entry.get("sources", ())),
            "evidence": entry.get("evidence"), "decision": entry.get("decision")}


def _conflicts(*parts: Collected) -> list[str]:
    seen: list[str] = []
    for part in parts:
        for cid in part.conflicts:
            if cid not in seen:
                seen.append(cid)
        for option in part.options:
            for cid in option.conflicts:
                if cid not in seen and option.role != "not_recommended":
                    seen.append(cid)
    return seen


def _conflict(cid: str) -> dict[str, Any]:
    entry = load("rules")["conflicts"][cid]
    return {"id": cid, "title": entry["title"], "text": entry["text"],
            "sources": list(entry["sources"])}


def _missing(scores: dict[str, Any], *lists: list[str]) -> list[str]:
    out: list[str] = []

    def add(path: str) -> None:
        if path not in out:
            out.append(path)

    for items in lists:
        for path in items:
            add(path)
    for lesion in scores["sins"]["lesions"]:
        for path in lesion.get("missing", ()):
            add(path)
    for path in scores["escc"]["missing"]:
        add(path)
    for name in ("tomita", "tokuhashi_revised", "tokuhashi_original", "bauer", "modified_bauer",
                 "nesms", "enneking"):
        for path in scores[name].get("missing", ()):
            add(path)
    return out


def _flag_warnings(ctx: context_mod.Context) -> list[dict[str, str]]:
    if ctx.radiosensitivity_flag and ctx.radiosensitivity == "sensitive":
        return [{"id": "radiosensitivity_intermediate_flag",
                 "text": f"{ctx.site} is radiosensitive in the two-tier NOMS scheme used here; "
                         "three-tier schemes call it intermediate (D-10)"}]
    return []
