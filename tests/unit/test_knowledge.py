"""The versioned knowledge: rule catalogue, sources, treatments, and their use in assessments.

Every rule id an assessment cites exists in rules.toml; every source, conflict and option id it
names exists in its catalogue; evidence tags come from the fixed set; the ruleset version and a
hash of the knowledge files are stamped on each assessment; docs/rules.md is generated.

References: DESIGN.md principles 1-2; shared spec assessment-format.md; clinical/decisions.md.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import oncospine
from oncospine import knowledge
from oncospine.assessment import assess
from oncospine.case import Case, load_case, validate_case
from oncospine.knowledge import RULESET_VERSION, load, ruleset, site_table
from oncospine.render.markdown import rules_markdown

ROOT = Path(__file__).resolve().parents[2]
SHARED = Path(__file__).resolve().parents[3] / "shared"
EXAMPLES = Path(oncospine.__file__).parent / "examples"
VECTORS = SHARED / "vectors" / "cases"
KNOWLEDGE_DIR = Path(knowledge.__file__).parent

RULES: dict[str, Any] = load("rules")["rules"]
CONFLICTS: dict[str, Any] = load("rules")["conflicts"]
SOURCES: dict[str, Any] = load("sources")
TREATMENTS: dict[str, Any] = load("treatments")
EVIDENCE_TAGS = {"V", "V2", "U", "D", "P", "S", "◐", "⚠"}
SPEC_OPTION_IDS = {
    "contact_mscc_coordinator", "emergency_spinal_referral", "mri_whole_spine", "ct_spine",
    "ct_staging", "pet_ct", "bone_scan", "bloods", "biopsy", "sarcoma_centre_referral",
    "dexamethasone", "discuss_steroids_before_biopsy", "analgesia", "immobilise",
    "surgical_consultation", "stabilisation", "separation_surgery", "decompression",
    "en_bloc_resection", "cement_augmentation", "cebrt", "sbrt", "systemic_therapy",
    "palliative_care", "best_supportive_care", "rehabilitation", "mri_monitoring",
    "clinical_trial", "mdt_review", "safety_net_advice",
}  # fmt: skip


def _cases() -> list[tuple[str, Case]]:
    cases = [(f"example-{p.stem}", load_case(p)) for p in sorted(EXAMPLES.glob("*.yaml"))]
    if VECTORS.is_dir():
        for path in sorted(VECTORS.glob("*.json")):
            vector = json.loads(path.read_text("utf-8"))
            if "error:field" not in vector["expect"]:
                cases.append((f"vector-{path.stem}", validate_case(vector["case"])))
    return cases


CASES = _cases()
ASSESSMENTS = [(label, assess(case)) for label, case in CASES]
IDS = [label for label, _ in ASSESSMENTS]


def walk(node: Any, key: str | None = None) -> Iterator[tuple[str | None, Any]]:
    """Every (key, value) pair anywhere in a JSON-like tree."""
    if isinstance(node, dict):
        for k, value in node.items():
            yield k, value
            yield from walk(value, k)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item, key)


def cited_rules(doc: dict[str, Any]) -> set[str]:
    out: set[str] = set()
    for key, value in walk(doc):
        if key == "rules" and isinstance(value, list):
            out.update(value)
        elif key == "rule" and isinstance(value, str):
            out.add(value)
    return out


def cited_sources(doc: dict[str, Any]) -> set[str]:
    out: set[str] = set()
    for key, value in walk(doc):
        if key == "sources" and isinstance(value, list):
            out.update(value)
        elif key == "source" and isinstance(value, str):
            out.add(value)
    return out


def option_entries(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return [*doc["plan"]["options"], *doc["workup"], *doc["triage"]["actions"]]


# ---------------------------------------------------------------- the catalogues themselves


def test_there_are_cases_to_check():
    assert any(label.startswith("example-") for label in IDS)


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_rule_has_a_title_text_category_sources_and_evidence(rule_id):
    rule = RULES[rule_id]
    for field in ("category", "title", "text", "evidence"):
        assert isinstance(rule.get(field), str) and rule[field], field
    assert isinstance(rule["sources"], list)


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_source_a_rule_cites_is_in_the_source_catalogue(rule_id):
    unknown = [s for s in RULES[rule_id]["sources"] if s not in SOURCES]
    assert not unknown, f"{rule_id} cites unknown sources {unknown}"


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_every_rule_evidence_tag_is_from_the_allowed_set(rule_id):
    assert RULES[rule_id]["evidence"] in EVIDENCE_TAGS


def test_a_rule_without_sources_is_a_design_choice():
    for rule_id, rule in RULES.items():
        if not rule["sources"]:
            assert rule["evidence"] == "D", rule_id


@pytest.mark.skipif(not (SHARED / "clinical" / "decisions.md").exists(),
                    reason="shared clinical/decisions.md not present")
def test_every_decision_a_rule_cites_is_in_the_decisions_file():
    text = (SHARED / "clinical" / "decisions.md").read_text("utf-8")
    known = set(re.findall(r"\*\*(D-\d\d)\b", text))
    for rule_id, rule in RULES.items():
        if rule.get("decision"):
            assert rule["decision"] in known, rule_id


@pytest.mark.parametrize("conflict_id", sorted(CONFLICTS))
def test_every_conflict_has_a_title_text_and_known_sources(conflict_id):
    conflict = CONFLICTS[conflict_id]
    assert conflict["title"] and conflict["text"]
    assert conflict["sources"]
    assert all(s in SOURCES for s in conflict["sources"]), conflict["sources"]


def test_every_spec_option_id_has_a_treatment_entry():
    assert set(TREATMENTS) >= SPEC_OPTION_IDS


@pytest.mark.parametrize("option_id", sorted(TREATMENTS))
def test_every_treatment_has_known_sources_and_an_allowed_evidence_tag(option_id):
    entry = TREATMENTS[option_id]
    assert entry["title"]
    assert entry["evidence"] in EVIDENCE_TAGS
    unknown = [s for s in entry.get("sources", []) if s not in SOURCES]
    assert not unknown, f"{option_id} cites unknown sources {unknown}"


def test_every_prognosis_band_text_has_known_sources_and_allowed_evidence():
    for score, bands in load("prognosis")["bands"].items():
        for band, entry in bands.items():
            assert entry["evidence"] in EVIDENCE_TAGS, (score, band)
            assert all(s in SOURCES for s in entry["sources"]), (score, band)


@pytest.mark.parametrize("score", ["tokuhashi_revised", "tokuhashi_original", "tomita_growth",
                                   "bauer", "radiosensitivity"])
def test_every_site_table_is_readable(score):
    assert site_table(score)


# ---------------------------------------------------------------- ids cited by assessments


@pytest.mark.parametrize("doc", [a for _, a in ASSESSMENTS], ids=IDS)
def test_every_rule_an_assessment_cites_is_in_the_rule_catalogue(doc):
    cited = cited_rules(doc)
    assert cited, "an assessment cites rules"
    unknown = sorted(cited - set(RULES))
    assert not unknown, f"unknown rule ids: {unknown}"


@pytest.mark.parametrize("doc", [a for _, a in ASSESSMENTS], ids=IDS)
def test_every_source_an_assessment_cites_is_in_the_source_catalogue(doc):
    unknown = sorted(cited_sources(doc) - set(SOURCES))
    assert not unknown, f"unknown source ids: {unknown}"


@pytest.mark.parametrize("doc", [a for _, a in ASSESSMENTS], ids=IDS)
def test_every_conflict_an_assessment_shows_or_names_is_in_the_catalogue(doc):
    shown = {c["id"] for c in doc["plan"]["conflicts"]}
    named = {cid for entry in option_entries(doc) for cid in entry.get("conflicts", [])}
    assert not (shown | named) - set(CONFLICTS)
    for conflict in doc["plan"]["conflicts"]:
        assert conflict["title"] == CONFLICTS[conflict["id"]]["title"]
        assert conflict["text"] == CONFLICTS[conflict["id"]]["text"]


def test_every_plan_and_workup_option_id_is_in_the_treatment_catalogue():
    unknown: dict[str, list[str]] = {}
    for label, doc in ASSESSMENTS:
        for entry in (*doc["plan"]["options"], *doc["workup"]):
            if entry["id"] not in TREATMENTS:
                unknown.setdefault(entry["id"], []).append(label)
    assert not unknown, "option ids missing from treatments.toml: " + "; ".join(
        f"{oid} (in {len(labels)} assessments, e.g. {labels[0]})"
        for oid, labels in sorted(unknown.items()))


@pytest.mark.parametrize("doc", [a for _, a in ASSESSMENTS], ids=IDS)
def test_every_triage_action_id_is_in_the_treatment_catalogue(doc):
    unknown = sorted({o["id"] for o in doc["triage"]["actions"]} - set(TREATMENTS))
    assert not unknown, f"action ids missing from treatments.toml: {unknown}"


@pytest.mark.parametrize("doc", [a for _, a in ASSESSMENTS], ids=IDS)
def test_every_evidence_tag_in_an_assessment_is_from_the_allowed_set(doc):
    for key, value in walk(doc):
        if key == "evidence" and value is not None:
            assert value in EVIDENCE_TAGS, value


@pytest.mark.parametrize("doc", [a for _, a in ASSESSMENTS], ids=IDS)
def test_every_option_and_reason_carries_rules_sources_and_an_evidence_tag(doc):
    for entry in option_entries(doc):
        assert entry["rules"], entry["id"]
        assert entry["evidence"] in EVIDENCE_TAGS, entry["id"]
    for reason in (*doc["triage"]["reasons"], *doc["plan"]["notes"]):
        assert reason["rule"] in RULES
        assert reason["evidence"] == RULES[reason["rule"]]["evidence"]
        assert reason["sources"] == RULES[reason["rule"]]["sources"]


@pytest.mark.parametrize("doc", [a for _, a in ASSESSMENTS], ids=IDS)
def test_an_option_evidence_is_the_weakest_tag_of_its_rules(doc):
    order = ("V", "P", "S", "V2", "◐", "D", "U", "⚠")
    for entry in option_entries(doc):
        tags = [RULES[r]["evidence"] for r in entry["rules"]]
        assert entry["evidence"] == max(tags, key=order.index), entry["id"]


# ---------------------------------------------------------------- ruleset stamp


def test_the_ruleset_is_the_published_version_with_a_sha256():
    stamp = ruleset()
    assert stamp["version"] == RULESET_VERSION
    assert re.fullmatch(r"[0-9a-f]{64}", stamp["sha256"])


def test_the_ruleset_hash_covers_every_knowledge_file():
    digest = hashlib.sha256()
    for name in ("sites.toml", "rules.toml", "treatments.toml", "prognosis.toml",
                 "sources.toml"):
        digest.update(name.encode())
        digest.update((KNOWLEDGE_DIR / name).read_bytes())
    assert ruleset()["sha256"] == digest.hexdigest()
    on_disk = {p.name for p in KNOWLEDGE_DIR.glob("*.toml")}
    assert on_disk == {"sites.toml", "rules.toml", "treatments.toml", "prognosis.toml",
                       "sources.toml"}


@pytest.mark.parametrize("doc", [a for _, a in ASSESSMENTS], ids=IDS)
def test_every_assessment_is_stamped_with_the_ruleset(doc):
    assert doc["ruleset"] == {"version": RULESET_VERSION, "sha256": ruleset()["sha256"]}


# ---------------------------------------------------------------- generated docs


def test_docs_rules_md_is_generated_from_the_rule_catalogue():
    path = ROOT / "docs" / "rules.md"
    assert path.exists(), "docs/rules.md is missing: run `make docs`"
    assert path.read_text("utf-8") == rules_markdown(), \
        "docs/rules.md is out of date with rules.toml: run `make docs`"


def test_the_rule_catalogue_markdown_lists_every_rule_and_conflict():
    text = rules_markdown()
    for rule_id in RULES:
        assert f"| {rule_id} |" in text
    for conflict_id in CONFLICTS:
        assert f"| {conflict_id} |" in text
    assert RULESET_VERSION in text
