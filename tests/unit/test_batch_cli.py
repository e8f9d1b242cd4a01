"""`oncospine batch`, `audit` and `synth` on the command line.

A malformed file stops with exit status 2 and one message on stderr, never a traceback; bad
rows are reported in the errors file while good rows are scored.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import polars as pl
import pytest
from test_batch_read import damaged_parquet
from typer.testing import CliRunner

from oncospine.batch import kernel
from oncospine.batch.run import run_batch
from oncospine.cli import app

runner = CliRunner()
CASE = {"format": "oncospine-case/1", "cancer": {"history": "current"},
        "presentation": {"neuro_features": ["limb_weakness"]}}
FIXTURE = Path(__file__).parents[1] / "fixtures" / "registry" / "audit-cases.jsonl"


def invoke(*args: str):
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.stdout + result.stderr
    return result


def test_batch_scores_good_rows_and_reports_bad_ones(tmp_path):
    source = tmp_path / "cases.jsonl"
    source.write_text("\n".join([json.dumps({**CASE, "id": "a"}),
                                 json.dumps({**CASE, "status": {"ecog": "high"}}),
                                 json.dumps({**CASE, "id": "c"})]) + "\n", encoding="utf-8")
    result = invoke("batch", str(source), "--out", str(tmp_path / "out.parquet"))
    assert result.exit_code == 0, result.stderr
    out = pl.read_parquet(tmp_path / "out.parquet")
    assert out.columns == list(kernel.OUTPUT_COLUMNS)
    assert out.get_column("case_id").to_list() == ["a", "c"]
    assert out.get_column("triage_level").to_list() == ["emergency", "emergency"]
    errors = pl.read_csv(tmp_path / "out.errors.csv")
    assert errors.select("row", "field").rows() == [(2, "status.ecog")]
    assert "2 cases scored" in result.stderr and "1 row rejected (1 problem)" in result.stderr


def test_batch_writes_csv_and_a_chosen_errors_file(tmp_path):
    result = invoke("batch", str(FIXTURE), "--out", str(tmp_path / "out.csv"), "--errors",
                    str(tmp_path / "bad.csv"), "--batch-rows", "3")
    assert result.exit_code == 0, result.stderr
    out = pl.read_csv(tmp_path / "out.csv", infer_schema=False)
    assert out.height == 15  # 16 lines, the 11th invalid
    assert pl.read_csv(tmp_path / "bad.csv").get_column("row").to_list() == [11]


def _parquet_cut_short(path: Path) -> None:
    pl.DataFrame({"status_ecog": list(range(2000))}).write_parquet(path)
    path.write_bytes(path.read_bytes()[:200])


def _parquet_wrong_type(path: Path) -> None:
    pl.DataFrame({"status_ecog": ["1"], "lesion1_wbb_sectors": [3]}).write_parquet(path)


def _parquet_bad_column(path: Path) -> None:
    pl.DataFrame({"case_id": ["a"], "status_ecgo": [1]}).write_parquet(path)


def _parquet_damaged(path: Path) -> None:
    path.write_bytes(damaged_parquet(path.parent).read_bytes())


MALFORMED = {  # name → (file name, content or writer, what stderr must say)
    "bad column": ("cases.csv", "case_id,ecog\n1,2\n",
                   "unknown column 'ecog'; did you mean 'status_ecog'"),
    "bad parquet column": ("cases.parquet", _parquet_bad_column,
                           "unknown column 'status_ecgo'; did you mean 'status_ecog'"),
    "wrong type": ("cases.parquet", _parquet_wrong_type,
                   "column 'lesion1_wbb_sectors' has type Int64; expected list of integer"),
    "truncated parquet": ("cases.parquet", _parquet_cut_short, "not a readable Parquet file"),
    "damaged parquet": ("cases.parquet", _parquet_damaged, "damaged or cut short after row"),
    "empty csv": ("cases.csv", "", "the file is empty"),
    "empty json lines": ("cases.jsonl", "\n\n", "the file is empty"),
    "empty parquet": ("cases.parquet", "", "the file is empty"),
    "header not utf-8": ("cases.csv", b"case_id,status_\xe9cog\n", "header line is not UTF-8"),
    "unknown type": ("cases.txt", "x", "unknown file type"),
}


@pytest.mark.parametrize("problem", list(MALFORMED))
@pytest.mark.parametrize("command", ["batch", "audit"])
def test_a_malformed_file_exits_2_with_the_reason_and_writes_nothing(tmp_path, problem,
                                                                    command):
    name, content, message = MALFORMED[problem]
    source = tmp_path / name
    if callable(content):
        content(source)
    elif isinstance(content, bytes):
        source.write_bytes(content)
    else:
        source.write_text(content, encoding="utf-8")
    out = tmp_path / ("out.parquet" if command == "batch" else "audit")
    result = invoke(command, str(source), "--out", str(out), "--batch-rows", "5000") \
        if command == "batch" else invoke(command, str(source), "--out", str(out))
    assert result.exit_code == 2
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert not out.exists()
    assert not list(tmp_path.glob(".*partial*"))


def test_bad_rows_are_reported_and_good_rows_scored_in_csv(tmp_path):
    source = tmp_path / "cases.csv"
    source.write_bytes(b"case_id,status_ecog,cancer_primary_site\n"
                       b"a,1,breast\n"
                       b"b,2,breast,extra\n"      # ragged: four cells
                       b"c,high,breast\n"         # wrong type
                       b"d,1,brest\n"             # unknown code
                       b"caf\xe9,1,breast\n"      # not UTF-8
                       b"f,0,kidney\n")
    result = invoke("batch", str(source), "--out", str(tmp_path / "out.csv"))
    assert result.exit_code == 0, result.stderr
    assert pl.read_csv(tmp_path / "out.csv").select("row", "case_id").rows() == [(1, "a"),
                                                                                (6, "f")]
    errors = pl.read_csv(tmp_path / "out.errors.csv", infer_schema=False)
    assert errors.select("row", "field", "did_you_mean").rows() == [
        ("2", "<row>", None), ("3", "status.ecog", None), ("4", "cancer.primary_site", "breast"),
        ("5", "id", None)]
    messages = errors.get_column("message").to_list()
    assert messages[0] == "expected 3 cells, found 4"
    assert "valid integer" in messages[1] and "not UTF-8" in messages[3]
    assert "4 rows rejected (4 problems)" in result.stderr


def test_bad_rows_are_reported_and_good_rows_scored_in_json_lines(tmp_path):
    source = tmp_path / "cases.jsonl"
    source.write_bytes(b"\n".join([
        json.dumps({**CASE, "id": "a"}).encode(),
        b'{"format": "oncospine-case/1", "id": "b", "status": {"ecog": 1}',  # cut off
        json.dumps({**CASE, "id": "c", "status": {"ecgo": 1}}).encode(),
        b"[1, 2]",
        json.dumps({**CASE, "id": "e"}).encode()]) + b"\n")
    result = invoke("batch", str(source), "--out", str(tmp_path / "out.parquet"))
    assert result.exit_code == 0, result.stderr
    assert pl.read_parquet(tmp_path / "out.parquet").select("row", "case_id").rows() == [
        (1, "a"), (5, "e")]
    errors = pl.read_csv(tmp_path / "out.errors.csv", infer_schema=False)
    assert errors.select("row", "case_id", "field", "did_you_mean").rows() == [
        ("2", None, "<line>", None), ("3", "c", "status.ecgo", "ecog"),
        ("4", None, "<case>", None)]
    assert errors.get_column("message")[0].startswith("not valid JSON")


def test_an_unwritable_output_type_exits_2(tmp_path):
    result = invoke("batch", str(FIXTURE), "--out", str(tmp_path / "out.xlsx"))
    assert result.exit_code == 2 and ".parquet or .csv" in result.stderr


def test_audit_writes_its_report_and_refuses_a_bad_date(tmp_path):
    result = invoke("audit", str(FIXTURE), "--out", str(tmp_path / "audit"), "--version", "2014")
    assert result.exit_code == 0, result.stderr
    assert "QM-6: 3/4 (75%)" in result.stderr and "3 unmeasurable, 2 unclassified" in \
        result.stderr
    assert (tmp_path / "audit" / "summary.html").exists()
    bad = invoke("audit", str(FIXTURE), "--out", str(tmp_path / "a2"), "--from", "March")
    assert bad.exit_code == 2 and "not a date" in bad.stderr


def test_synth_writes_a_registry_that_batch_accepts_entirely(tmp_path):
    out = tmp_path / "reg.parquet"
    assert invoke("synth", "--n", "300", "--seed", "5", "--out", str(out)).exit_code == 0
    summary = run_batch(out, tmp_path / "scored.parquet")
    assert summary.scored == 300 and not summary.rejected
    bad = invoke("synth", "--n", "3", "--out", str(tmp_path / "reg.xlsx"))
    assert bad.exit_code == 2 and ".jsonl" in bad.stderr


def test_the_installed_command_starts_and_exits_2_without_a_traceback(tmp_path):
    exe = Path(sys.executable).with_name("oncospine")
    source = tmp_path / "cases.csv"
    source.write_text("nonsense\n1\n", encoding="utf-8")
    proc = subprocess.run([str(exe), "batch", str(source), "--out", str(tmp_path / "o.csv")],
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 2
    assert "unknown column 'nonsense'" in proc.stderr and "Traceback" not in proc.stderr


def test_a_terminal_gets_a_progress_bar_and_a_pipe_does_not(monkeypatch):
    from oncospine.batch import commands

    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    with commands._progress(10, "scoring") as tick:
        assert tick is None
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    with commands._progress(10, "scoring") as tick:
        assert tick is not None
        tick(5)


def test_the_spark_engine_is_chosen_with_its_master(tmp_path, monkeypatch):
    from oncospine.batch import spark
    from oncospine.batch.run import Summary

    seen = {}

    def fake(source, out, errors, master):
        seen.update(source=source, master=master)
        return Summary(scored=1, output=out, seconds=1.0)

    monkeypatch.setattr(spark, "run_spark", fake)
    result = invoke("batch", str(FIXTURE), "--out", str(tmp_path / "o.parquet"), "--engine",
                    "spark", "--master", "spark://host:7077")
    assert result.exit_code == 0, result.stderr
    assert seen["master"] == "spark://host:7077"


def test_an_unwritable_folder_exits_2(tmp_path):
    out = tmp_path / "missing" / "o.parquet"
    result = invoke("batch", str(FIXTURE), "--out", str(out))
    assert result.exit_code == 2 and "error:" in result.stderr
    audit = invoke("audit", str(tmp_path / "absent.jsonl"), "--out", str(tmp_path / "a"))
    assert audit.exit_code == 2 and "no such file" in audit.stderr
    synth_out = invoke("synth", "--n", "2", "--out", str(tmp_path / "missing" / "s.csv"))
    assert synth_out.exit_code == 2
