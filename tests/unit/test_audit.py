"""The QS56 audit reproduces measures computed by hand on a small registry with known misses.

Fixture tests/fixtures/registry/audit-cases.jsonl (times in UTC):
- A1 neurology, every event in time; fit for surgery.
- A2 neurology, MRI at 28 h, no coordinator contact, dexamethasone at 6 h, not fit for surgery,
  radiotherapy 44 h after the decision and 45 h after the confirmed diagnosis.
- A3 neurology, not fit for surgery: treatment 4 h after the confirmed diagnosis (meets the 2014
  QM-6) but 26 h after the decision to treat (misses the 2023 QM-6).
- A4 neurology without a presentation time (unmeasurable from presentation); treated 10 h after
  the decision; no confirmed-diagnosis time.
- A5 neurology with an unknown primary (dexamethasone is a discussion, C-02: not in QM-B).
- U1, U2, U3 pain without neurology: in time, MRI at 240 h, no decision to treat recorded.
- R1 routine, C1 a child (not audited), X1 invalid (rejected).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from oncospine.audit import run_audit
from oncospine.audit.measures import MEASURES
from oncospine.errors import OncospineError

FIXTURE = Path(__file__).parents[1] / "fixtures" / "registry" / "audit-cases.jsonl"


def overall(folder: Path) -> dict[str, tuple[int, int, int]]:
    table = pl.read_csv(folder / "measures.csv").filter(pl.col("month") == "all")
    return {r["measure"]: (r["numerator"], r["denominator"], r["unmeasurable"])
            for r in table.iter_rows(named=True)}


def misses(folder: Path) -> set[tuple[str, str, str]]:
    table = pl.read_csv(folder / "misses.csv")
    return {(r["measure"], r["case_id"], r["outcome"]) for r in table.iter_rows(named=True)}


@pytest.fixture(scope="module")
def audit_2023(tmp_path_factory):
    folder = tmp_path_factory.mktemp("audit2023")
    return folder, run_audit(FIXTURE, folder, version="2023")


@pytest.fixture(scope="module")
def audit_2014(tmp_path_factory):
    folder = tmp_path_factory.mktemp("audit2014")
    return folder, run_audit(FIXTURE, folder, version="2014")


def test_the_2023_measures_match_the_hand_count(audit_2023):
    folder, report = audit_2023
    assert overall(folder) == {"QM-2": (1, 3, 0), "QM-3": (3, 4, 1), "QM-4": (3, 4, 1),
                               "QM-6": (1, 3, 0), "QM-B": (2, 3, 1)}
    assert report.cases == 10 and report.rejected == 1


def test_the_2014_measures_match_the_hand_count(audit_2014):
    folder, _ = audit_2014
    assert overall(folder) == {"QM-2": (1, 3, 0), "QM-3": (2, 4, 1), "QM-4": (3, 4, 1),
                               "QM-6": (2, 3, 2), "QM-B": (2, 3, 1)}


def test_a_treatment_within_a_day_of_diagnosis_but_not_of_the_decision_meets_only_2014(
        audit_2023, audit_2014):
    case = ("QM-6", "A3-meets-2014-misses-2023", "late")
    assert case in misses(audit_2023[0])
    assert not any(m[1] == case[1] for m in misses(audit_2014[0]))


def test_every_miss_is_listed_with_its_reason(audit_2023):
    assert misses(audit_2023[0]) == {
        ("QM-2", "U2-late", "late"), ("QM-2", "U3-no-plan-recorded", "not recorded"),
        ("QM-3", "A2-all-late", "late"), ("QM-4", "A2-all-late", "not recorded"),
        ("QM-6", "A2-all-late", "late"), ("QM-6", "A3-meets-2014-misses-2023", "late"),
        ("QM-B", "A2-all-late", "late")}


def test_a_late_miss_carries_its_hours(audit_2023):
    table = pl.read_csv(audit_2023[0] / "misses.csv")
    late_mri = table.filter(pl.col("measure") == "QM-3").row(0, named=True)
    assert late_mri["hours"] == 28.0
    not_recorded = table.filter(pl.col("outcome") == "not recorded").get_column("hours")
    assert not_recorded.null_count() == not_recorded.len()


def test_cases_without_a_start_time_are_unmeasurable_not_missed(audit_2023):
    table = pl.read_csv(audit_2023[0] / "unmeasurable.csv")
    assert set(table.get_column("case_id")) == {"A4-no-presentation-time"}


def test_a_child_and_a_routine_case_are_in_no_denominator(audit_2023):
    listed = pl.concat([pl.read_csv(audit_2023[0] / name, infer_schema=False)
                        .select("case_id") for name in ("misses.csv", "unmeasurable.csv")])
    assert not {"C1-child", "R1-routine"} & set(listed.get_column("case_id"))


def test_months_split_the_counts(audit_2023):
    table = pl.read_csv(audit_2023[0] / "measures.csv").filter(pl.col("measure") == "QM-2")
    by_month = {r["month"]: (r["numerator"], r["denominator"]) for r in
                table.iter_rows(named=True)}
    assert by_month == {"2026-03": (1, 2), "2026-04": (0, 1), "all": (1, 3)}


def test_the_period_filter_keeps_start_dates_inside_it(tmp_path):
    run_audit(FIXTURE, tmp_path, first=date(2026, 4, 1), last=date(2026, 4, 30))
    assert overall(tmp_path)["QM-2"] == (0, 1, 0)
    assert overall(tmp_path)["QM-3"] == (1, 1, 0)
    assert overall(tmp_path)["QM-6"] == (1, 1, 0)


def test_an_empty_period_gives_empty_measures_not_an_error(tmp_path):
    run_audit(FIXTURE, tmp_path, first=date(2030, 1, 1))
    table = pl.read_csv(tmp_path / "measures.csv")
    assert table.get_column("denominator").to_list() == [0] * len(MEASURES["2023"])
    assert table.get_column("compliance").null_count() == len(MEASURES["2023"])


def test_the_report_has_its_files_and_plots(audit_2023):
    folder, report = audit_2023
    for name in report.files:
        assert (folder / name).stat().st_size > 0, name
    for image in ("compliance.png", "time_to_mri.png"):
        assert (folder / image).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    markdown = (folder / "summary.md").read_text("utf-8")
    assert "| QM-6 |" in markdown and "A3-meets-2014-misses-2023" in markdown
    assert "<table>" in (folder / "summary.html").read_text("utf-8")
    assert "QM-3: 3/4" in report.text()


def test_rejected_rows_go_to_the_errors_file(audit_2023):
    errors = pl.read_csv(audit_2023[0] / "errors.csv")
    assert errors.get_column("row").to_list() == [11]
    assert errors.get_column("field").to_list() == ["status.ecog"]


def test_an_unknown_version_or_a_reversed_period_is_refused(tmp_path):
    with pytest.raises(OncospineError, match="version"):
        run_audit(FIXTURE, tmp_path, version="2019")
    with pytest.raises(OncospineError, match="after"):
        run_audit(FIXTURE, tmp_path, first=date(2026, 5, 1), last=date(2026, 4, 1))
