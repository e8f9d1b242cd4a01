"""Batch scoring equals `assess()`, row by row and field by field (hypothesis).

Random registries of cases, complete and incomplete, valid and not: every field is a random
allowed value or unknown, and some cases are spoiled on purpose (a misspelled key, a code that
does not exist, a number out of range, a contradiction the model refuses, a time without an
offset) or written in a form the model accepts loosely ("yes" for true, "80" for 80). Each
registry is written as JSON Lines, as CSV and as Parquet; the batch must reject exactly the rows
`validate_case` rejects, and give every other row the results `assess()` gives.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, get_args

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncospine import vocab as v
from oncospine.assessment import assess
from oncospine.batch import kernel
from oncospine.batch import schema as fs
from oncospine.batch.read import read_batches
from oncospine.batch.validate import prepare
from oncospine.case import validate_case
from oncospine.errors import CaseValidationError

AT = "2026-11-20T09:30:00+00:00"
SETTINGS = settings(max_examples=12, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


def maybe(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.one_of(st.none(), strategy)


def literal(tp: Any) -> st.SearchStrategy[Any]:
    return st.sampled_from(get_args(tp))


def some(tp: Any) -> st.SearchStrategy[list[Any]]:
    return st.lists(literal(tp), unique=True, max_size=4)


def times() -> st.SearchStrategy[str]:
    return st.sampled_from(["2026-11-19T08:00:00+00:00", "2026-11-19T21:15:00+01:00",
                            "2026-11-20T03:00:00Z", "2026-11-18T10:30:00.250000-05:00"])


@st.composite
def lesion(draw: st.DrawFn) -> dict[str, Any]:
    out = {
        "level": draw(maybe(literal(v.Level))),
        "compartment": draw(maybe(literal(v.Compartment))),
        "pain": draw(maybe(literal(v.LesionPain))),
        "bone_lesion": draw(maybe(literal(v.BoneLesion))),
        "alignment": draw(maybe(literal(v.Alignment))),
        "collapse": draw(maybe(literal(v.Collapse))),
        "posterolateral": draw(maybe(literal(v.Posterolateral))),
        "escc": draw(maybe(literal(v.EsccGrade))),
        "wbb_sectors": draw(maybe(st.lists(st.integers(1, 12), unique=True, max_size=4))),
        "wbb_layers": draw(maybe(some(v.WbbLayer))),
    }
    if out["level"] is not None and draw(st.booleans()):
        first = v.LEVEL_INDEX[out["level"]]
        out["extends_to"] = v.LEVELS[min(len(v.LEVELS) - 1, first + draw(st.integers(0, 4)))]
    return {k: val for k, val in out.items() if val is not None}


@st.composite
def case_doc(draw: st.DrawFn) -> dict[str, Any]:
    """A valid case with random known and unknown fields (the model's repairs applied)."""
    parts: dict[str, dict[str, Any]] = {
        "patient": {"age_years": draw(maybe(st.integers(0, 120))),
                    "sex": draw(maybe(literal(v.Sex)))},
        "cancer": {"history": draw(maybe(literal(v.CancerHistory))),
                   "primary_site": draw(maybe(literal(v.PrimarySite))),
                   "haematological": draw(maybe(literal(v.Haematological))),
                   "radiosensitivity": draw(maybe(literal(v.Radiosensitivity))),
                   "tomita_growth": draw(maybe(literal(v.GrowthClass))),
                   "prior_radiotherapy_to_spine": draw(maybe(st.booleans()))},
        "presentation": {
            "spinal_pain": draw(maybe(st.booleans())),
            "pain_sites": draw(maybe(some(v.PainSite))),
            "pain_features": draw(maybe(some(v.PainFeature))),
            "pain_weeks": draw(maybe(st.sampled_from([0, 2.5, 4, 30]))),
            "neuro_features": draw(maybe(some(v.NeuroFeature))),
            "neuro_onset_hours": draw(maybe(st.sampled_from([1, 30.5]))),
            "general_features": draw(maybe(some(v.GeneralFeature)))},
        "status": {
            "ecog": draw(maybe(st.integers(0, 5))),
            "kps": draw(maybe(st.sampled_from(range(0, 101, 10)))),
            "frankel": draw(maybe(literal(v.Grade))), "asia": draw(maybe(literal(v.Grade))),
            "ambulatory": draw(maybe(literal(v.Ambulatory))),
            "non_ambulatory_hours": draw(maybe(st.sampled_from([0, 48, 48.5, 200]))),
            "fit_for_surgery": draw(maybe(st.booleans())),
            "fit_for_any_treatment": draw(maybe(st.sampled_from([True, True, True, False]))),
            "life_expectancy_months": draw(maybe(st.sampled_from([1, 2.9, 3, 11, 12, 40]))),
            "mri_contraindicated": draw(maybe(st.booleans()))},
        "disease": {
            "vertebral_metastases": draw(maybe(st.integers(0, 6))),
            "extraspinal_bone_metastases": draw(maybe(st.integers(0, 6))),
            "visceral_metastases": draw(maybe(literal(v.Visceral))),
            "brain_metastases": draw(maybe(st.booleans())),
            "pathological_fracture": draw(maybe(st.booleans()))},
        "labs": {"albumin_g_per_l": draw(maybe(st.sampled_from([20.0, 34.9, 35, 41.5])))},
        "primary_tumour": {
            "grade": draw(st.sampled_from([None, None, None, "benign", "low", "high"])),
            "benign_behaviour": draw(maybe(literal(v.BenignBehaviour))),
            "extent": draw(maybe(literal(v.Extent))),
            "metastasis": draw(maybe(st.booleans()))},
        "events": {name: draw(maybe(times())) for name in (
            "presentation", "coordinator_contact", "mri_done", "decision_to_treat")},
    }
    d, s, p, pt, c = (parts["disease"], parts["status"], parts["presentation"],
                      parts["primary_tumour"], parts["cancer"])
    if d["brain_metastases"] and d["visceral_metastases"] == "none":
        d["visceral_metastases"] = "unremovable"
    if s["non_ambulatory_hours"] is not None and s["ambulatory"] not in (None, "non_ambulatory"):
        s["ambulatory"] = "non_ambulatory"
    if pt["grade"] not in (None, "benign"):
        pt["benign_behaviour"] = None
    if pt["benign_behaviour"] in ("latent", "active"):
        pt["metastasis"] = None
    if p["spinal_pain"] is False:
        p["pain_sites"] = p["pain_features"] = None
    if p["neuro_features"] == []:
        p["neuro_onset_hours"] = None
    if c["haematological"] == "confirmed" and c["history"] == "none":
        c["history"] = "current"
    doc: dict[str, Any] = {"format": v.CASE_FORMAT, "assessed_at": AT,
                           "id": draw(maybe(st.sampled_from(["a-1", "b 2", "ç-3"])))}
    for name, part in parts.items():
        compact = {k: val for k, val in part.items() if val is not None}
        if compact:
            doc[name] = compact
    found = draw(maybe(st.lists(lesion(), max_size=4)))
    if found is not None:
        doc["lesions"] = found
    if draw(st.booleans()):
        doc["imaging"] = [{"modality": draw(literal(v.Modality)), "at": draw(times())}]
    return {k: val for k, val in doc.items() if val is not None}


def _set(doc: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    node: Any = out
    parts = path.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
    node[parts[-1]] = value
    return out


# Spoilers: (path, value). "flat" ones can be written in every format; the others only in JSON.
SPOIL_ANY = [
    ("status.ecog", 6), ("status.kps", 85), ("status.kps", "80"), ("patient.age_years", -1),
    ("cancer.primary_site", "Breast"), ("cancer.primary_site", "brest"),
    ("status.frankel", "F"), ("labs.albumin_g_per_l", 3.5), ("labs.albumin_g_per_l", 90),
    ("presentation.neuro_features", ["limb_weakness", "weak legs"]),
    ("events.mri_done", "2026-11-20T09:30:00"), ("events.mri_done", "2026-02-30T09:30:00Z"),
    ("events.presentation", "2026-11-20 09:30:00+00:00"), ("status.fit_for_surgery", "yes"),
    ("status.ecog", "2"), ("disease.vertebral_metastases", 34),
    ("presentation.pain_weeks", -3), ("status.life_expectancy_months", "12"),
]
SPOIL_JSON = [
    ("status.ecgo", 1), ("cancer.primary_site", 3), ("status.ecog", 2.0), ("status.ecog", 2.5),
    ("status.fit_for_surgery", 1), ("id", 7), ("lesions", [None]), ("lesions", [{"esc": "1"}]),
    ("lesions", [{"escc": 2}]), ("patient", None), ("events.presentation", 1700000000),
    ("format", "oncospine-case/2"), ("presentation.pain_sites", "thoracic"),
]
CONTRADICTIONS = [
    {"disease": {"brain_metastases": True, "visceral_metastases": "none"}},
    {"status": {"ambulatory": "independent", "non_ambulatory_hours": 5}},
    {"primary_tumour": {"grade": "high", "benign_behaviour": "active"}},
    {"presentation": {"spinal_pain": False, "pain_sites": ["lumbar"]}},
    {"presentation": {"neuro_features": [], "neuro_onset_hours": 3}},
    {"cancer": {"haematological": "confirmed", "history": "none"}},
    {"lesions": [{"level": "L2", "extends_to": "T12"}]},
    {"lesions": [{"extends_to": "T12"}]},
    {"primary_tumour": {"benign_behaviour": "latent", "metastasis": True}},
]


@st.composite
def registry(draw: st.DrawFn, json_only: bool) -> list[dict[str, Any]]:
    docs = draw(st.lists(case_doc(), min_size=20, max_size=40))
    spoilers = SPOIL_ANY + (SPOIL_JSON if json_only else [])
    for i in range(len(docs)):
        roll = draw(st.sampled_from(["keep"] * 6 + ["spoil", "contradict"]))
        if roll == "spoil":
            path, value = draw(st.sampled_from(spoilers))
            docs[i] = _set(docs[i], path, value)
        elif roll == "contradict":
            for section, fields in draw(st.sampled_from(CONTRADICTIONS)).items():
                if section == "lesions":
                    docs[i][section] = fields
                else:
                    docs[i].setdefault(section, {}).update(fields)
    return docs


# ---------------------------------------------------------------- writing the registry


def flat_row(doc: dict[str, Any], csv: bool) -> dict[str, Any]:
    """The flat form of a case document, written independently of the package's flattener."""
    row: dict[str, Any] = {}
    for f in fs.SCALARS:
        node: Any = doc
        for part in f.path:
            node = node.get(str(part)) if isinstance(node, dict) else None
        row[f.column] = node
    for section, (prefix, _) in fs.REPEATED.items():
        entries = doc.get(section)
        row[f"{prefix}_count"] = len(entries) if isinstance(entries, list) else None
        for n, entry in enumerate(entries or [], start=1):
            for key, value in entry.items():
                row[f"{prefix}{n}_{key}"] = value
    if not csv:
        return row
    out = {}
    for key, value in row.items():
        if isinstance(value, list):
            value = "|".join(str(x) for x in value) if value else "[]"
        elif isinstance(value, bool):
            value = "true" if value else "false"
        out[key] = None if value is None else str(value)
    return out


def write(docs: list[dict[str, Any]], folder: Path, kind: str) -> Path:
    path = folder / f"cases.{kind}"
    if kind == "jsonl":
        path.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
        return path
    rows = [flat_row(d, csv=kind == "csv") for d in docs]
    columns = sorted({k for r in rows for k in r}, key=lambda k: (k.startswith(("lesion",
                                                                               "imaging")), k))
    if kind == "csv":
        frame = pl.DataFrame([{k: r.get(k) for k in columns} for r in rows],
                             schema=dict.fromkeys(columns, pl.String), orient="row")
        frame.write_csv(path)
    else:
        frame = pl.DataFrame([{k: r.get(k) for k in columns} for r in rows],
                             infer_schema_length=None, strict=False, orient="row")
        frame.write_parquet(path)
    return path


# ---------------------------------------------------------------- what assess() says


def expected(doc: dict[str, Any]) -> dict[str, Any] | None:
    try:
        case = validate_case(doc)
    except CaseValidationError:
        return None
    if len(case.lesions or ()) > fs.MAX_LESIONS:
        return None
    a = assess(case)
    s = a["scores"]
    out: dict[str, Any] = {"case_id": a["case_id"]}
    for name in kernel.SCORES:
        r = s[name]
        low, high = r.get("range") or (None, None)
        out.update({f"{name}_status": r["status"], f"{name}_total": r.get("total"),
                    f"{name}_range_low": low, f"{name}_range_high": high,
                    f"{name}_band": r.get("band")})
    worst = s["sins"]["worst"] or {}
    low, high = worst.get("range") or (None, None)
    out.update({"sins_worst_total": worst.get("total"), "sins_worst_band": worst.get("band"),
                "sins_worst_status": worst.get("status"), "sins_worst_level": worst.get("level"),
                "sins_worst_range_low": low, "sins_worst_range_high": high})
    escc = s["escc"]["worst"] or {}
    out.update({"escc_worst_grade": escc.get("grade"), "escc_worst_group": escc.get("group"),
                "escc_worst_level": escc.get("level"), "escc_status": s["escc"]["status"],
                "enneking_status": s["enneking"]["status"],
                "enneking_stage": s["enneking"].get("stage"), "wbb_status": s["wbb"]["status"]})
    t = a["triage"]
    out.update({"triage_level": t["level"], "triage_pathway": t["pathway"],
                "triage_mri_within_hours": t["mri_within_hours"],
                "triage_coordinator_contact_within_hours": t["coordinator_contact_within_hours"]})
    options: dict[str, dict[str, Any]] = {}
    for option in a["plan"]["options"]:
        options.setdefault(option["id"], option)
    for name in kernel.NOMS_OPTIONS:
        out[f"noms_{name}"] = options.get(name, {}).get("role")
    out["noms_cebrt_dose"] = options.get("cebrt", {}).get("dose")
    out["lesion_count"] = len(case.lesions or ())
    return out


def run_batch(path: Path) -> tuple[list[dict[str, Any]], set[int]]:
    results, rejected = [], set()
    for batch in read_batches(path, batch_rows=16):
        rejected |= {e["row"] for e in batch.errors}
        prepared = batch.prepared or prepare(batch.raw, batch.original)  # type: ignore[arg-type]
        rejected |= {e["row"] for e in prepared.errors}
        results.append(kernel.score(prepared.cases))
    return pl.concat(results).to_dicts(), rejected


def check(docs: list[dict[str, Any]], path: Path) -> None:
    rows, rejected = run_batch(path)
    want = {i: expected(doc) for i, doc in enumerate(docs, start=1)}
    assert rejected == {i for i, e in want.items() if e is None}, "verdicts differ"
    assert [r["row"] for r in rows] == [i for i, e in want.items() if e is not None]
    for row in rows:
        wanted = want[row["row"]]
        assert wanted is not None
        differing = {k: (row[k], val) for k, val in wanted.items() if row[k] != val}
        assert not differing, f"row {row['row']}: batch vs assess {differing}"


@SETTINGS
@given(docs=registry(json_only=True))
def test_json_lines_batch_equals_assess_for_every_row(docs, tmp_path_factory):
    check(docs, write(docs, tmp_path_factory.mktemp("jsonl"), "jsonl"))


@SETTINGS
@given(docs=registry(json_only=False))
def test_csv_batch_equals_assess_for_every_row(docs, tmp_path_factory):
    check(docs, write(docs, tmp_path_factory.mktemp("csv"), "csv"))


@SETTINGS
@given(docs=registry(json_only=False))
def test_parquet_batch_equals_assess_for_every_row(docs, tmp_path_factory):
    check(docs, write(docs, tmp_path_factory.mktemp("parquet"), "parquet"))
