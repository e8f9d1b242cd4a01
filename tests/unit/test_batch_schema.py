"""The flat case form follows the case model and the published schema file stays in step."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path

from oncospine.batch import schema as fs
from oncospine.case import Case, validate_case

BASE = {"format": "oncospine-case/1"}


def test_every_field_of_every_case_section_has_a_column():
    columns = {f.dotted for f in fs.fields({"lesions": 1, "imaging": 1})}
    for name, info in Case.model_fields.items():
        if name in ("lesions", "imaging"):
            continue
        if name in ("id", "assessed_at", "format"):
            assert name in columns
            continue
        model = info.annotation
        for sub in model.model_fields:  # type: ignore[union-attr]
            assert f"{name}.{sub}" in columns
    assert "lesions.0.escc" in columns and "imaging.0.modality" in columns


def test_columns_carry_the_model_bounds_and_codes():
    by_column = {f.column: f for f in fs.fields({"lesions": 1})}
    assert (by_column["status_kps"].kind, by_column["status_kps"].ge,
            by_column["status_kps"].le, by_column["status_kps"].multiple_of) == \
        ("int", 0, 100, 10)
    assert by_column["lesion1_escc"].allowed == ("0", "1a", "1b", "1c", "2", "3")
    assert by_column["lesion1_wbb_sectors"].kind == "ints"
    assert (by_column["lesion1_wbb_sectors"].ge, by_column["lesion1_wbb_sectors"].le) == (1, 12)
    assert by_column["events_mri_done"].kind == "time"
    assert by_column["case_id"].path == ("id",)


def test_slot_columns_are_recognised_and_others_are_not():
    assert fs.parse_slot_column("lesion12_escc") == ("lesions", 12, "escc")
    assert fs.parse_slot_column("imaging3_at") == ("imaging", 3, "at")
    assert fs.parse_slot_column("lesion_count") is None
    assert fs.parse_slot_column("lesion01_escc") is None
    assert fs.parse_slot_column("status_ecog") is None


def test_a_csv_list_cell_decodes_to_a_list_and_brackets_mean_empty():
    assert fs.decode_list("limb_weakness|sensory_loss") == ["limb_weakness", "sensory_loss"]
    assert fs.decode_list("[]") == [] and fs.decode_list(" [] ") == []
    assert fs.decode_list(["a"]) == ["a"]


def test_flatten_then_unflatten_gives_the_same_case():
    case = validate_case({**BASE, "id": "x", "status": {"ecog": 2},
                          "presentation": {"neuro_features": []},
                          "lesions": [{"level": "T4", "escc": "2"}, {}],
                          "events": {"presentation": "2026-11-20T10:00:00+01:00"}})
    row = fs.flatten(case)
    assert row["lesion_count"] == 2 and row["lesion1_level"] == "T4"
    assert row["events_presentation"].utcoffset().total_seconds() == 0
    back = validate_case(fs.unflatten(row, {"lesions": 2, "imaging": None}))
    assert back == case


def test_an_all_unknown_lesion_survives_the_round_trip():
    doc = fs.unflatten({"lesion_count": 1}, {"lesions": 1})
    assert doc["lesions"] == [{}]
    assert doc["format"] == "oncospine-case/1"


def test_the_published_schema_file_is_the_generated_one():
    text = (resources.files("oncospine") / "batch" / fs.SCHEMA_FILE).read_text("utf-8")
    assert json.loads(text) == fs.json_schema()


def test_the_schema_describes_every_scalar_and_numbered_column():
    schema = fs.json_schema()
    assert set(schema["properties"]) == {f.column for f in fs.SCALARS} | {"lesion_count",
                                                                          "imaging_count"}
    assert schema["additionalProperties"] is False
    assert any("escc" in key for key in schema["patternProperties"])
    kps = schema["properties"]["status_kps"]["anyOf"][0]
    assert kps == {"type": "integer", "minimum": 0, "maximum": 100, "multipleOf": 10}


GUIDE = Path(__file__).parents[2] / "docs" / "batch.md"


def guide_table(heading: str) -> list[list[str]]:
    """The cells of the first table after `heading` in docs/batch.md."""
    text = GUIDE.read_text("utf-8").split(heading, 1)[1]
    lines = text.split("\n|---", 1)[1].split("\n\n", 1)[0].splitlines()[1:]
    return [[cell.strip() for cell in line.strip().strip("|").split(" | ")] for line in lines]


def backticked(cell: str) -> list[str]:
    return re.findall(r"`([^`]+)`", cell)


def input_rows() -> dict[str, list[str]]:
    rows = guide_table("Columns:")
    assert all(len(r) == 4 for r in rows)
    return {backticked(r[0])[0]: r for r in rows}


def test_the_guide_lists_exactly_the_columns_of_the_published_schema():
    schema = fs.json_schema()
    documented = input_rows()
    plain = {name for name in documented if "{n}" not in name}
    templates = {name for name in documented if "{n}" in name}
    assert plain == set(schema["properties"])
    patterns = [re.compile(p) for p in schema["patternProperties"]]
    limits = schema["x-limits"]
    for template in templates:
        section = "lesions" if template.startswith("lesion") else "imaging"
        matching = [p for p in patterns if p.match(template.format(n=1))]
        assert len(matching) == 1, template
        assert matching[0].match(template.format(n=limits[section]))
        assert not matching[0].match(template.format(n=limits[section] + 1))
    assert len(templates) == len(patterns)


def test_the_guide_gives_each_column_its_case_field_and_codes():
    schema = fs.json_schema()
    by_template = {p: v for p, v in schema["patternProperties"].items()}
    for name, (_, field, kind, values) in input_rows().items():
        if "{n}" in name:
            spec = next(v for p, v in by_template.items() if re.match(p, name.format(n=1)))
        else:
            spec = schema["properties"][name]
        path = spec.get("x-case-path")
        if path is not None:
            documented = backticked(field)[0].replace("{n-1}", "N")
            assert documented == path, name
        listed = backticked(values)
        known = spec["anyOf"][0]
        codes = known.get("enum") or known.get("items", {}).get("enum")
        if listed and codes and not kind.startswith("list of integers"):
            assert listed == [str(c) for c in codes], name
        if codes and not listed:
            assert f"{len(codes)} codes" in values, name


def test_the_guide_lists_every_output_column_in_order():
    from oncospine.batch.kernel import OUTPUT_COLUMNS

    documented = [name for row in guide_table("## Output") for name in backticked(row[0])]
    assert documented == list(OUTPUT_COLUMNS)


def test_the_guide_says_how_to_run_on_a_cluster():
    text = GUIDE.read_text("utf-8")
    assert "--engine spark --master spark://" in text and "mapInArrow" in text
