"""The QS56 audit reproduces measures computed by hand on a small registry with known misses.

Fixture tests/fixtures/registry/audit-cases.jsonl, times in UTC, one case per line (row):
 1 A1 neurology, current breast cancer, fit for surgery; every event in time.
 2 A2 neurology, not fit for surgery; no coordinator contact; everything else late.
 3 A3 neurology, not fit for surgery: treated 4 h after the confirmed diagnosis (meets the 2014
      QM-6) but 26 h after the decision to treat (misses the 2023 QM-6).
 4 A4 neurology, not fit for surgery, no presentation time and no confirmed-diagnosis time.
 5 A5 neurology with an unknown primary (dexamethasone is a discussion, C-02: not in QM-B);
      fitness for surgery not recorded.
 6-8 U1, U2, U3 spinal pain without neurology: in time; MRI at 240 h; no decision to treat.
 9 R1 no cancer, no pain (routine); 10 C1 a child; 11 X1 invalid (rejected).
12 N1 neurology not recorded (cancer, spinal pain): cannot tell QM-2 from QM-3.
13 H1 neurology without a recorded cancer history: perhaps suspected MSCC, perhaps not.
14 P1 no neurology, spinal pain not recorded: perhaps QM-2.
15 S1 neurology, fit for surgery but 2 months to live (not for surgery, D-18): meets the 2023
      QM-3 (MRI at 11 h) but misses the 2014 QM-3 (treatment plan at 25 h).
16 T1 neurology, MRI recorded 13 h before the presentation: the times contradict each other.

The hand computation is in HAND below: every case each measure concerns, with its outcome and,
for every case with a closing time, the hours from the start event worked out from the fixture.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oncospine.audit import run_audit
from oncospine.audit.measures import MEASURES
from oncospine.errors import OncospineError

FIXTURE = Path(__file__).parents[1] / "fixtures" / "registry" / "audit-cases.jsonl"
ROWS = {"A1": 1, "A2": 2, "A3": 3, "A4": 4, "A5": 5, "U1": 6, "U2": 7, "U3": 8, "R1": 9,
        "C1": 10, "N1": 12, "H1": 13, "P1": 14, "S1": 15, "T1": 16}
MET, LATE, NOT_RECORDED = "met", "late", "not recorded"
UNMEASURABLE, UNCLASSIFIED = "unmeasurable", "unclassified"

# (outcome, hours from the start event to the last closing event; None when not recorded)
QM2 = {  # presentation → MRI and decision to treat, both within 168 h
    "U1": (MET, 120.0),       # 03-05 09:00 → MRI 03-08 09:00 (72 h), decision 03-10 09:00 (120 h)
    "U2": (LATE, 240.0),      # 03-06 09:00 → decision 03-12 (144 h), MRI 03-16 09:00 (240 h)
    "U3": (NOT_RECORDED, None),  # 04-03 09:00 → MRI 04-05 (48 h), no decision to treat
    "N1": (UNCLASSIFIED, 5.0),   # neurology not recorded; MRI 3 h, decision 5 h
    "P1": (UNCLASSIFIED, None),  # spinal pain not recorded; no decision to treat
}
QM3_2023 = {  # presentation → MRI within 24 h
    "A1": (MET, 10.0),        # 03-01 10:00 → 20:00
    "A2": (LATE, 28.0),       # 03-02 08:00 → 03-03 12:00
    "A3": (MET, 6.0),         # 03-10 09:00 → 15:00
    "A4": (UNMEASURABLE, None),  # no presentation time
    "A5": (MET, 2.0),         # 04-02 08:00 → 10:00
    "S1": (MET, 11.0),        # 04-16 09:00 → 20:00
    "T1": (UNMEASURABLE, -13.0),  # MRI 04-19 20:00, 13 h before presentation 04-20 09:00
    "N1": (UNCLASSIFIED, 3.0), "H1": (UNCLASSIFIED, 2.0),
}
QM3_2014 = {  # presentation → MRI and decision to treat, both within 24 h
    "A1": (MET, 12.0),        # MRI 10 h, decision 03-01 22:00 (12 h)
    "A2": (LATE, 30.0),       # MRI 28 h, decision 03-03 14:00 (30 h)
    "A3": (MET, 9.0),         # MRI 6 h, decision 03-10 18:00 (9 h)
    "A4": (UNMEASURABLE, None),
    "A5": (NOT_RECORDED, None),  # MRI 2 h, no decision to treat
    "S1": (LATE, 25.0),       # MRI 11 h, decision 04-17 10:00 (25 h)
    "T1": (UNMEASURABLE, None),  # MRI before presentation (and no decision time)
    "N1": (UNCLASSIFIED, 5.0), "H1": (UNCLASSIFIED, None),
}
QM4 = {  # a coordinator contact recorded (no clock)
    "A1": (MET, 0.5), "A2": (NOT_RECORDED, None), "A3": (MET, 0.5), "A4": (UNMEASURABLE, None),
    "A5": (MET, 0.17),        # 08:00 → 08:10 = 0.1667 h, rounded to 0.17
    "S1": (MET, 0.5), "T1": (MET, 0.17),  # 09:00 → 09:10
    "N1": (UNCLASSIFIED, None), "H1": (UNCLASSIFIED, None),
}
QM6_2023 = {  # MSCC not for surgery: decision to treat → treatment start within 24 h
    "A2": (LATE, 44.0),       # 03-03 14:00 → 03-05 10:00
    "A3": (LATE, 26.0),       # 03-10 18:00 → 03-11 20:00
    "A4": (MET, 10.0),        # 04-01 10:00 → 20:00
    "S1": (MET, 6.0),         # life expectancy 2 months; 04-17 10:00 → 16:00
    "A5": (UNCLASSIFIED, None),  # fitness for surgery not recorded (and no decision time)
    "N1": (UNCLASSIFIED, 30.0),  # 04-10 14:00 → 04-11 20:00
    "H1": (UNCLASSIFIED, None),
}  # A1 and T1 are fit for surgery with no short life expectancy: not in the population
QM6_2014 = {  # MSCC with neurology: confirmed diagnosis → treatment start within 24 h
    "A1": (MET, 12.0),        # 03-01 21:00 → 03-02 09:00
    "A2": (LATE, 45.0),       # 03-03 13:00 → 03-05 10:00
    "A3": (MET, 4.0),         # 03-11 16:00 → 20:00
    "A4": (UNMEASURABLE, None), "A5": (UNMEASURABLE, None),  # no confirmed-diagnosis time
    "S1": (MET, 19.0),        # 04-16 21:00 → 04-17 16:00
    "T1": (UNMEASURABLE, None),  # no confirmed-diagnosis time
    "N1": (UNCLASSIFIED, None), "H1": (UNCLASSIFIED, None),
}
QMB = {  # presentation → first dexamethasone within 4 h; unknown primary left out (A5)
    "A1": (MET, 1.0), "A2": (LATE, 6.0), "A3": (MET, 1.0), "A4": (UNMEASURABLE, None),
    "S1": (MET, 1.0), "T1": (MET, 1.0), "N1": (UNCLASSIFIED, None), "H1": (UNCLASSIFIED, None),
}
HAND = {
    "2023": {"QM-2": QM2, "QM-3": QM3_2023, "QM-4": QM4, "QM-6": QM6_2023, "QM-B": QMB},
    "2014": {"QM-2": QM2, "QM-3": QM3_2014, "QM-4": QM4, "QM-6": QM6_2014, "QM-B": QMB},
}


def counted(cases: dict[str, tuple[str, float | None]]) -> dict[str, int]:
    """Numerator, denominator and the cases counted apart, from the hand table."""
    tally = Counter(outcome for outcome, _ in cases.values())
    return {"numerator": tally[MET], "denominator": tally[MET] + tally[LATE] + tally[NOT_RECORDED],
            "late": tally[LATE], "not_recorded": tally[NOT_RECORDED],
            "unmeasurable": tally[UNMEASURABLE], "unclassified": tally[UNCLASSIFIED]}


def listed(folder: Path, name: str) -> dict[tuple[str, int], tuple[str, float | None]]:
    table = pl.read_csv(folder / name)
    return {(r["measure"], r["row"]): (r["outcome"], r["hours"])
            for r in table.iter_rows(named=True)}


def hand_listed(version: str, outcomes: set[str]) -> dict[tuple[str, int], tuple[str, Any]]:
    return {(measure, ROWS[case]): (outcome, hours)
            for measure, cases in HAND[version].items()
            for case, (outcome, hours) in cases.items() if outcome in outcomes}


@pytest.fixture(scope="module", params=["2023", "2014"])
def audited(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(f"audit{request.param}")
    return request.param, folder, run_audit(FIXTURE, folder, version=request.param)


def test_the_measures_equal_the_hand_count(audited):
    version, folder, report = audited
    table = pl.read_csv(folder / "measures.csv").filter(pl.col("month") == "all")
    got = {r["measure"]: {k: r[k] for k in ("numerator", "denominator", "late", "not_recorded",
                                            "unmeasurable", "unclassified")}
           for r in table.iter_rows(named=True)}
    assert got == {measure: counted(cases) for measure, cases in HAND[version].items()}
    assert report.cases == 15 and report.rejected == 1


def test_every_miss_is_listed_with_its_hours(audited):
    version, folder, _ = audited
    assert listed(folder, "misses.csv") == hand_listed(version, {LATE, NOT_RECORDED})


def test_every_case_counted_apart_is_listed(audited):
    version, folder, _ = audited
    assert listed(folder, "unmeasurable.csv") == hand_listed(version,
                                                             {UNMEASURABLE, UNCLASSIFIED})


def test_a_treatment_within_a_day_of_diagnosis_but_not_of_the_decision_meets_only_2014():
    assert QM6_2014["A3"][0] == MET and QM6_2023["A3"][0] == LATE
    assert QM3_2023["S1"][0] == MET and QM3_2014["S1"][0] == LATE


@pytest.fixture(scope="module")
def audit_2023(tmp_path_factory):
    folder = tmp_path_factory.mktemp("audit2023")
    return folder, run_audit(FIXTURE, folder, version="2023")


def test_misses_and_cases_apart_say_why(audit_2023):
    folder, _ = audit_2023
    why = {(r["measure"], r["case_id"][:2]): r["why"] for name in ("misses.csv",
                                                                  "unmeasurable.csv")
           for r in pl.read_csv(folder / name).iter_rows(named=True)}
    assert why[("QM-3", "A2")] == "28.0 h after presentation, due within 24 h"
    assert why[("QM-2", "U3")] == "no time for: decision_to_treat"
    assert why[("QM-3", "A4")] == "no presentation time"
    assert why[("QM-3", "T1")] == "mri_done before presentation: check the times"
    assert why[("QM-3", "N1")] == "not recorded: neurological features"
    assert why[("QM-3", "H1")] == "not recorded: cancer history"
    assert why[("QM-2", "P1")] == "not recorded: spinal pain"
    assert why[("QM-6", "A5")] == "not recorded: fitness for surgery"
    assert why[("QM-6", "H1")] == "not recorded: cancer history, fitness for surgery"


def test_a_child_and_a_routine_case_are_in_no_list(audit_2023):
    folder, _ = audit_2023
    listed_ids = pl.concat([pl.read_csv(folder / name, infer_schema=False).select("case_id")
                            for name in ("misses.csv", "unmeasurable.csv")])
    assert not {"C1-child", "R1-routine"} & set(listed_ids.get_column("case_id"))


def test_months_split_the_counts(audit_2023):
    # QM-2: March U1 met, U2 late; April U3 not recorded, N1 and P1 unclassified.
    table = pl.read_csv(audit_2023[0] / "measures.csv").filter(pl.col("measure") == "QM-2")
    by_month = {r["month"]: (r["numerator"], r["denominator"], r["unclassified"],
                             r["unmeasurable"]) for r in table.iter_rows(named=True)}
    assert by_month == {"2026-03": (1, 2, 0, None), "2026-04": (0, 1, 2, None),
                        "all": (1, 3, 2, 0)}


def overall(folder: Path) -> dict[str, tuple[int, int, int, int]]:
    table = pl.read_csv(folder / "measures.csv").filter(pl.col("month") == "all")
    return {r["measure"]: (r["numerator"], r["denominator"], r["unmeasurable"],
                           r["unclassified"]) for r in table.iter_rows(named=True)}


def test_the_period_keeps_start_dates_inside_it_and_always_lists_cases_without_one(tmp_path):
    run_audit(FIXTURE, tmp_path, first=date(2026, 4, 1), last=date(2026, 4, 30))
    got = overall(tmp_path)
    assert got["QM-2"] == (0, 1, 0, 2)  # U3; N1 and P1 apart
    # A5, S1 met; T1 (April) and A4 (no start, still listed) unmeasurable; N1, H1 apart
    assert got["QM-3"] == (2, 2, 2, 2)
    # A4, S1 met; apart: N1 (April) and A5, H1 (no decision time: listed in every period)
    assert got["QM-6"] == (2, 2, 0, 3)
    assert ("QM-6", 5) in listed(tmp_path, "unmeasurable.csv")  # A5: no decision time


def test_an_empty_period_still_lists_the_cases_without_a_start(tmp_path):
    run_audit(FIXTURE, tmp_path, first=date(2030, 1, 1))
    table = pl.read_csv(tmp_path / "measures.csv")
    assert table.get_column("denominator").to_list() == [0] * len(MEASURES["2023"])
    assert table.get_column("compliance").null_count() == len(MEASURES["2023"])
    apart = pl.read_csv(tmp_path / "unmeasurable.csv")
    assert apart.get_column("start").null_count() == apart.height > 0


def test_the_report_has_its_files_and_plots(audit_2023):
    folder, report = audit_2023
    for name in report.files:
        assert (folder / name).stat().st_size > 0, name
    for image in ("compliance.png", "time_to_mri.png"):
        assert (folder / image).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    markdown = (folder / "summary.md").read_text("utf-8")
    assert "| QM-6 |" in markdown and "A3-meets-2014-misses-2023" in markdown
    assert "not recorded: neurological features" in markdown
    page = (folder / "summary.html").read_text("utf-8")
    assert "<table>" in page and "H1-history-not-recorded" in page
    assert "QM-3: 4/5 (80%)" in report.text() and "1 unmeasurable, 2 unclassified" in \
        report.text() and "1 row rejected" in report.text()


def test_long_lists_are_cut_in_the_summary_but_not_in_the_files(tmp_path, monkeypatch):
    from oncospine.audit import report as report_module

    monkeypatch.setattr(report_module, "SHOWN_CASES", 2)
    run_audit(FIXTURE, tmp_path)
    markdown = (tmp_path / "summary.md").read_text("utf-8")
    assert "Cases that missed (7, the first 2 shown" in markdown
    assert pl.read_csv(tmp_path / "misses.csv").height == 7


def test_rejected_rows_go_to_the_errors_file(audit_2023):
    errors = pl.read_csv(audit_2023[0] / "errors.csv")
    assert errors.get_column("row").to_list() == [11]
    assert errors.get_column("field").to_list() == ["status.ecog"]


def test_a_registry_without_a_valid_row_gives_empty_measures(tmp_path):
    source = tmp_path / "bad.jsonl"
    source.write_text('{"format": "oncospine-case/1", "status": {"ecog": 9}}\n', "utf-8")
    report = run_audit(source, tmp_path / "out")
    assert report.cases == 0 and report.rejected == 1
    table = pl.read_csv(tmp_path / "out" / "measures.csv")
    assert set(table.get_column("denominator")) == {0}


def test_an_unknown_version_or_a_reversed_period_is_refused(tmp_path):
    with pytest.raises(OncospineError, match="version"):
        run_audit(FIXTURE, tmp_path, version="2019")
    with pytest.raises(OncospineError, match="after"):
        run_audit(FIXTURE, tmp_path, first=date(2026, 5, 1), last=date(2026, 4, 1))


# ---------------------------------------------------------------- populations (hypothesis)

POPULATION_FACTS = {  # unrecorded fact → the values that could be recorded for it
    ("cancer", "history"): ["none", "past", "current", "suspected"],
    ("presentation", "neuro_features"): [[], ["limb_weakness"]],
    ("presentation", "spinal_pain"): [True, False],
    ("status", "fit_for_surgery"): [True, False],
}


@st.composite
def case_doc(draw: st.DrawFn) -> dict[str, Any]:
    """A valid case varying what the populations read, each fact possibly unrecorded."""

    def maybe(values: list[Any]) -> Any:
        return draw(st.sampled_from([None, *values]))

    cancer = {"history": maybe(["none", "past", "current", "suspected", "unknown"]),
              "haematological": maybe(["none", "suspected", "confirmed"]),
              "primary_site": maybe(["breast", "kidney", "myeloma", "unknown"])}
    if cancer["haematological"] == "confirmed" and cancer["history"] == "none":
        cancer["history"] = "current"
    presentation = {"spinal_pain": maybe([True, False]),
                    "pain_features": maybe([[], ["night_pain"]]),
                    "neuro_features": maybe([[], ["limb_weakness"], ["saddle_anaesthesia"]])}
    if presentation["spinal_pain"] is False:
        presentation["pain_features"] = None
    status = {"fit_for_surgery": maybe([True, False]),
              "fit_for_any_treatment": maybe([True, False]),
              "life_expectancy_months": maybe([2, 12])}
    doc: dict[str, Any] = {"format": "oncospine-case/1", "patient": {"age_years": maybe([12, 18,
                                                                                         70])}}
    for name, part in (("cancer", cancer), ("presentation", presentation), ("status", status)):
        doc[name] = {k: v for k, v in part.items() if v is not None}
    grade = maybe(["0", "1c", "2", "3"])
    if grade is not None:
        doc["lesions"] = [{"level": "T6", "escc": grade}]
    return doc


def completions(doc: dict[str, Any]) -> list[dict[str, Any]]:
    """`doc` with every unrecorded population fact recorded, in every valid way."""
    import copy
    import itertools

    from oncospine.case import validate_case
    from oncospine.errors import CaseValidationError

    open_facts = [(path, values) for path, values in POPULATION_FACTS.items()
                  if doc.get(path[0], {}).get(path[1]) in (None, "unknown")]
    out = []
    for chosen in itertools.product(*[values for _, values in open_facts]):
        filled = copy.deepcopy(doc)
        for (path, _), value in zip(open_facts, chosen, strict=True):
            filled.setdefault(path[0], {})[path[1]] = value
        try:
            validate_case(filled)
        except CaseValidationError:
            continue
        out.append(filled)
    return out


def memberships(docs: list[dict[str, Any]], folder: Path) -> pl.DataFrame:
    """Per row and population: True (member), False, or None (unclassified)."""
    import json

    from oncospine.audit import scored_registry
    from oncospine.audit.measures import populations

    source = folder / "cases.jsonl"
    source.write_text("".join(json.dumps(d) + "\n" for d in docs), encoding="utf-8")
    registry, problems = scored_registry(source)
    assert problems == [] and registry is not None
    return registry.sort("row").select(
        "row", *[p.member.alias(name) for name, p in populations().items()])


@settings(max_examples=15, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs=st.lists(case_doc(), min_size=10, max_size=25))
def test_no_case_that_could_belong_to_a_population_is_silently_left_out(docs, tmp_path):
    """Unclassified exactly when recording the missing facts could put the case in: every case
    left out has no way in, and every unclassified case has one."""
    rows = memberships(docs, tmp_path)
    filled = [(i, d) for i, doc in enumerate(docs) for d in completions(doc)]
    later = memberships([d for _, d in filled], tmp_path)
    for name in rows.columns[1:]:
        could = {i for (i, _), member in zip(filled, later.get_column(name), strict=True)
                 if member}
        assert later.get_column(name).null_count() == 0, "completed cases are decided"
        for i, member in enumerate(rows.get_column(name)):
            if member is None:
                assert i in could, f"row {i + 1} unclassified for {name} with no way in"
            elif member is False:
                assert i not in could, f"row {i + 1} left out of {name}: {docs[i]}"


@settings(max_examples=15, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(docs=st.lists(case_doc(), min_size=10, max_size=25))
def test_populations_follow_the_assessment(docs, tmp_path):
    """Suspected MSCC with neurology is triage emergency on the mscc pathway, and QM-B's
    population is exactly the adults for whom the plan recommends dexamethasone (D-16)."""
    from oncospine.assessment import assess
    from oncospine.case import validate_case

    rows = memberships(docs, tmp_path)
    for doc, neuro, dex, pain in zip(docs, rows.get_column("neuro_mscc"),
                                     rows.get_column("neuro_mscc_dexamethasone"),
                                     rows.get_column("pain_no_neuro"), strict=True):
        a = assess(validate_case(doc))
        age = doc["patient"].get("age_years")
        adult = age is None or age >= 18
        triage = (a["triage"]["level"], a["triage"]["pathway"])
        role = next(o["role"] for o in a["plan"]["options"] if o["id"] == "dexamethasone")
        assert (neuro is True) == (adult and triage == ("emergency", "mscc"))
        assert (dex is True) == (adult and role == "recommended")
        if pain is True:
            assert triage == ("urgent", "mscc")
