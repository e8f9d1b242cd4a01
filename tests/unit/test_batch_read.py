"""Reading registries: whole-file problems are refused with a clear message, bad rows are
reported and the rest of the file is read."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from oncospine.batch.read import BatchInputError, read_batches
from oncospine.batch.validate import prepare

CASE = {"format": "oncospine-case/1", "cancer": {"history": "current"}}


def collect(path: Path, rows: int = 1000) -> tuple[pl.DataFrame, list[dict]]:
    frames, errors = [], []
    for batch in read_batches(path, rows):
        errors += batch.errors
        prepared = batch.prepared or (prepare(batch.raw, batch.original)
                                      if batch.raw is not None else None)
        if prepared is not None:
            errors += prepared.errors
            frames.append(prepared.cases)
    return pl.concat(frames, how="diagonal_relaxed"), errors


def write_jsonl(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_an_unknown_column_is_refused_with_a_did_you_mean(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("case_id,status_ecgo\na,1\n", encoding="utf-8")
    with pytest.raises(BatchInputError, match=r"status_ecgo.*did you mean 'status_ecog'"):
        list(read_batches(path))


def test_a_repeated_column_or_one_beyond_the_lesion_limit_is_refused(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("status_ecog,status_ecog,lesion32_level\n1,1,T1\n", encoding="utf-8")
    with pytest.raises(BatchInputError) as caught:
        list(read_batches(path))
    assert "appears twice" in str(caught.value) and "at most 31" in str(caught.value)


def test_a_column_of_the_wrong_type_is_refused(tmp_path):
    path = tmp_path / "cases.parquet"
    pl.DataFrame({"status_ecog": [[1, 2]]}).write_parquet(path)
    with pytest.raises(BatchInputError, match=r"status_ecog.*expected integer"):
        list(read_batches(path))


def test_a_truncated_parquet_file_is_refused(tmp_path):
    whole = tmp_path / "whole.parquet"
    pl.DataFrame({"status_ecog": list(range(5)) * 1000}).write_parquet(whole)
    cut = tmp_path / "cut.parquet"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(BatchInputError, match="not a readable Parquet"):
        list(read_batches(cut))


def test_an_unknown_extension_or_a_missing_file_is_refused(tmp_path):
    with pytest.raises(BatchInputError, match="unknown file type"):
        list(read_batches(tmp_path / "cases.xlsx"))
    with pytest.raises(BatchInputError, match="no such file"):
        list(read_batches(tmp_path / "absent.csv"))


def test_a_csv_line_with_the_wrong_number_of_cells_is_a_row_error(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("case_id,status_ecog\na,1\nb,2,3\nc,0\n", encoding="utf-8")
    cases, errors = collect(path)
    assert cases.get_column("case_id").to_list() == ["a", "c"]
    assert cases.get_column("row").to_list() == [1, 3]
    assert [(e["row"], e["field"]) for e in errors] == [(2, "<row>")]


@pytest.mark.parametrize(("name", "content"), [
    ("cases.csv", b""), ("cases.jsonl", b""), ("cases.parquet", b""),
    ("cases.csv", b"\n \r\n\t\n"), ("cases.jsonl", b"\n\n   \n"),
])
def test_an_empty_file_is_refused(tmp_path, name, content):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(BatchInputError, match="the file is empty"):
        list(read_batches(path))


def test_a_header_without_rows_or_a_parquet_file_without_rows_is_an_empty_registry(tmp_path):
    csv_path = tmp_path / "cases.csv"
    csv_path.write_text("case_id,status_ecog\n", encoding="utf-8")
    parquet_path = tmp_path / "cases.parquet"
    pl.DataFrame(schema={"case_id": pl.String, "status_ecog": pl.Int64}).write_parquet(
        parquet_path)
    for path in (csv_path, parquet_path):
        batches = list(read_batches(path))
        assert sum(b.rows_read for b in batches) == 0
        assert [e for b in batches for e in b.errors] == []


def test_a_csv_whose_first_line_is_blank_is_refused(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("\ncase_id\na\n", encoding="utf-8")
    with pytest.raises(BatchInputError, match="first line must name the columns"):
        list(read_batches(path))


def test_a_byte_order_mark_before_the_header_is_accepted(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_bytes("\ufeffcase_id,status_ecog\na,1\n".encode())
    cases, errors = collect(path)
    assert errors == [] and cases.select("case_id", "status_ecog").row(0) == ("a", 1)


def test_a_header_that_is_not_utf8_is_refused(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_bytes(b"case_id,status_\xe9cog\na,1\n")
    with pytest.raises(BatchInputError, match="header line is not UTF-8"):
        list(read_batches(path))


def test_a_csv_row_that_is_not_utf8_is_a_row_error_and_the_rest_is_read(tmp_path):
    path = tmp_path / "cases.csv"
    rows = b"".join(b"a%d,1\n" % i for i in range(3))
    path.write_bytes(b"case_id,status_ecog\n" + rows + b"caf\xe9,2\nz,\xff\nlast,3\n")
    cases, errors = collect(path, rows=2)
    assert cases.get_column("case_id").to_list() == ["a0", "a1", "a2", "last"]
    assert cases.get_column("row").to_list() == [1, 2, 3, 6]
    assert [(e["row"], e["field"], e["value"]) for e in errors] == [
        (4, "id", "caf\ufffd"), (5, "status.ecog", "\ufffd")]
    assert all("not UTF-8" in e["message"] for e in errors)


def test_a_json_line_that_is_not_utf8_is_a_row_error_and_the_rest_is_read(tmp_path):
    path = tmp_path / "cases.jsonl"
    good = json.dumps({**CASE, "id": "a"}).encode()
    path.write_bytes(good + b"\n" + b'{"format": "oncospine-case/1", "id": "caf\xe9"}\n' + good
                     + b"\n")
    cases, errors = collect(path)
    assert cases.get_column("row").to_list() == [1, 3]
    assert [(e["row"], e["field"]) for e in errors] == [(2, "<line>")]
    assert "not UTF-8" in errors[0]["message"] and "byte 42" in errors[0]["message"]


def test_a_json_line_that_is_not_an_object_is_a_row_error(tmp_path):
    path = write_jsonl(tmp_path / "cases.jsonl", [json.dumps({**CASE, "id": "a"}), "[1, 2]",
                                                    "42", "null"])
    cases, errors = collect(path)
    assert cases.get_column("row").to_list() == [1]
    assert [(e["row"], e["field"]) for e in errors] == [(2, "<case>"), (3, "<case>"),
                                                         (4, "<case>")]


def damaged_parquet(folder: Path) -> Path:
    """A Parquet file whose footer reads well but whose second row group is overwritten."""
    whole = folder / "whole.parquet"
    pl.DataFrame({"case_id": [f"c{i}" for i in range(20_000)],
                  "status_ecog": [i % 5 for i in range(20_000)]}).write_parquet(
        whole, row_group_size=5_000, compression="uncompressed", statistics=False)
    data = bytearray(whole.read_bytes())
    middle = len(data) // 3
    data[middle:middle + 4_000] = b"\xab" * 4_000
    damaged = folder / "damaged.parquet"
    damaged.write_bytes(bytes(data))
    return damaged


def test_parquet_data_damaged_behind_a_good_footer_is_refused_where_it_is_found(tmp_path):
    batches = read_batches(damaged_parquet(tmp_path), 5_000)
    assert next(batches).rows_read == 5_000
    with pytest.raises(BatchInputError, match="damaged or cut short after row 5000"):
        list(batches)


def test_an_unknown_parquet_column_gets_a_did_you_mean(tmp_path):
    path = tmp_path / "cases.parquet"
    pl.DataFrame({"case_id": ["a"], "cancer_primary_sit": ["breast"]}).write_parquet(path)
    with pytest.raises(BatchInputError, match="did you mean 'cancer_primary_site'"):
        list(read_batches(path))


def test_json_lines_are_numbered_by_line_and_blank_lines_are_skipped(tmp_path):
    path = write_jsonl(tmp_path / "cases.jsonl", [json.dumps({**CASE, "id": "a"}), "",
                                                    json.dumps({**CASE, "id": "b"})])
    cases, errors = collect(path)
    assert errors == []
    assert cases.select("row", "case_id").rows() == [(1, "a"), (3, "b")]


def test_a_line_that_is_not_json_is_a_row_error_and_the_rest_is_read(tmp_path):
    path = write_jsonl(tmp_path / "cases.jsonl", [json.dumps({**CASE, "id": "a"}), "{oops",
                                                    json.dumps({**CASE, "id": "b"})])
    cases, errors = collect(path)
    assert cases.get_column("case_id").to_list() == ["a", "b"]
    assert errors[0]["row"] == 2 and errors[0]["field"] == "<line>"


@pytest.mark.parametrize(("extra", "field"), [
    ({"status": {"ecgo": 1}}, "status.ecgo"), ({"lesions": [None]}, "lesions.0"),
    ({"lesions": [{"escc": 2}]}, "lesions.0.escc"), ({"id": 5}, "id"),
    ({"status": {"ecog": 2.5}}, "status.ecog"),
])
def test_json_the_fast_reader_cannot_take_is_judged_line_by_line(tmp_path, extra, field):
    good = json.dumps({**CASE, "id": "a"})
    path = write_jsonl(tmp_path / "cases.jsonl", [good, json.dumps({**CASE, **extra}), good])
    cases, errors = collect(path)
    assert cases.get_column("row").to_list() == [1, 3]
    assert errors[0]["row"] == 2 and errors[0]["field"] == field


def test_a_null_lesion_entry_is_caught_on_the_fast_path_too(tmp_path):
    rows = [json.dumps({**CASE, "lesions": [{"level": "T4"}]}),
            json.dumps({**CASE, "lesions": [{"level": "T5"}, None]})]
    cases, errors = collect(write_jsonl(tmp_path / "cases.jsonl", rows))
    assert cases.get_column("row").to_list() == [1]
    assert errors[0]["field"] == "lesions.1"


def test_more_lesions_than_the_flat_form_holds_is_an_error_not_a_truncation(tmp_path):
    many = {**CASE, "lesions": [{"level": "T5"}] * 32}
    for lines in ([json.dumps(many)], [json.dumps(many), json.dumps({**CASE, "x": 1})]):
        cases, errors = collect(write_jsonl(tmp_path / "cases.jsonl", lines))
        assert cases.height == 0
        assert errors[0]["field"] == "lesions" and "31" in errors[0]["message"]


def test_batches_cover_every_row_once(tmp_path):
    path = write_jsonl(tmp_path / "cases.jsonl",
                       [json.dumps({**CASE, "id": str(i)}) for i in range(25)])
    cases, _ = collect(path, rows=10)
    assert cases.get_column("row").to_list() == list(range(1, 26))
