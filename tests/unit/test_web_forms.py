"""The case form covers every case field, and form -> case -> form loses nothing.

The form is derived from the case model; these tests walk the model independently and check
that each field has exactly one control, that "not known" stays unknown, that "none of these"
is an explicit empty list, and that every demo case and public vector survives a round trip
through the form unchanged.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import BaseModel
from starlette.datastructures import FormData

from oncospine.case import Case, Imaging, Lesion, validate_case
from oncospine.errors import CaseValidationError
from oncospine.web import forms

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "src" / "oncospine" / "examples").glob("*.yaml"))
VECTORS = sorted((ROOT.parent / "shared" / "vectors" / "cases").glob("*.json"))


def model_paths() -> set[str]:
    paths = {"id", "assessed_at"}
    for name, info in Case.model_fields.items():
        if name in ("format", "id", "assessed_at"):
            continue
        if name in ("lesions", "imaging"):
            model: type[BaseModel] = Lesion if name == "lesions" else Imaging
            paths |= {f"{name}.{{i}}.{field}" for field in model.model_fields}
            continue
        section = info.annotation
        assert isinstance(section, type) and issubclass(section, BaseModel)
        paths |= {f"{name}.{field}" for field in section.model_fields}
    return paths


def form_paths() -> list[str]:
    return [f.path for g in forms.GROUPS for f in g.fields]


def test_every_case_field_has_exactly_one_control() -> None:
    paths = form_paths()
    assert len(paths) == len(set(paths))
    assert set(paths) == model_paths()


def test_every_control_has_a_label_in_words() -> None:
    for group in forms.GROUPS:
        for field in group.fields:
            assert field.label and "_" not in field.label, field.path


@pytest.mark.parametrize(("path", "kind"), [
    ("presentation.neuro_features", "multi"), ("status.ecog", "int"),
    ("labs.albumin_g_per_l", "number"), ("cancer.primary_site", "choice"),
    ("status.fit_for_surgery", "yesno"), ("events.mri_done", "datetime"),
    ("imaging.{i}.at", "datetime"), ("lesions.{i}.wbb_sectors", "multi"),
    ("cancer.histology", "text"),
])
def test_each_kind_of_field_gets_the_matching_control(path: str, kind: str) -> None:
    field = next(f for g in forms.GROUPS for f in g.fields if f.path == path)
    assert field.kind == kind


def test_numeric_bounds_come_from_the_model() -> None:
    kps = next(f for g in forms.GROUPS for f in g.fields if f.path == "status.kps")
    assert (kps.minimum, kps.maximum, kps.step) == (0, 100, 10)
    sectors = next(f for g in forms.GROUPS for f in g.fields if f.path.endswith("wbb_sectors"))
    assert sectors.choices == tuple(str(n) for n in range(1, 13))


# ------------------------------------------------------------------ form -> case
def submit(pairs: list[tuple[str, str]], lesions: int = 0, imaging: int = 0) -> dict[str, Any]:
    base = [("lesion_count", str(lesions)), ("imaging_count", str(imaging))]
    return forms.case_from_form(FormData(base + pairs))


def test_an_empty_form_is_a_case_with_nothing_known() -> None:
    assert submit([]) == {"format": "oncospine-case/1"}


def test_an_empty_choice_means_unknown_not_no() -> None:
    data = submit([("status.fit_for_surgery", ""), ("status.ecog", ""),
                   ("presentation.spinal_pain", "no")])
    assert data == {"format": "oncospine-case/1", "presentation": {"spinal_pain": False}}


def test_an_unticked_box_group_is_unknown_and_none_of_these_is_an_empty_list() -> None:
    assert "presentation" not in submit([])
    data = submit([("presentation.neuro_features", forms.NONE_OF_THESE)])
    assert data["presentation"]["neuro_features"] == []


def test_a_ticked_feature_wins_over_none_of_these() -> None:
    data = submit([("presentation.neuro_features", forms.NONE_OF_THESE),
                   ("presentation.neuro_features", "limb_weakness")])
    assert data["presentation"]["neuro_features"] == ["limb_weakness"]


def test_numbers_are_parsed_and_a_bad_number_reaches_validation_by_name() -> None:
    data = submit([("status.ecog", "2"), ("labs.albumin_g_per_l", "34.5")])
    assert data["status"]["ecog"] == 2 and data["labs"]["albumin_g_per_l"] == 34.5
    bad = submit([("status.ecog", "two")])
    with pytest.raises(CaseValidationError) as err:
        validate_case(bad)
    assert [i.path for i in err.value.issues] == ["status.ecog"]


def test_a_local_time_takes_the_browser_offset() -> None:
    data = submit([("events.mri_done", "2026-11-20T10:15"), ("tz_offset_minutes", "60")])
    moment = datetime.fromisoformat(data["events"]["mri_done"])
    assert moment == datetime(2026, 11, 20, 9, 15, tzinfo=UTC)
    assert moment.utcoffset() == timedelta(hours=1)


def test_a_broken_offset_falls_back_to_utc() -> None:
    data = submit([("events.mri_done", "2026-11-20T10:15"), ("tz_offset_minutes", "x")])
    assert data["events"]["mri_done"] == "2026-11-20T10:15:00+00:00"


def test_lesions_are_read_by_index_and_removed_blocks_leave_no_gap() -> None:
    data = submit([("lesions.0.level", "T4"), ("lesions.2.level", "L1"),
                   ("lesions.2.escc", "1c"), ("lesions.2.wbb_sectors", "3")], lesions=3)
    assert data["lesions"] == [{"level": "T4"},
                               {"level": "L1", "escc": "1c", "wbb_sectors": [3]}]


def test_the_lesion_count_is_bounded() -> None:
    pairs = [("lesions.0.level", "T4"), ("lesion_count", "100000")]
    assert forms.case_from_form(FormData(pairs))["lesions"] == [{"level": "T4"}]
    assert "lesions" not in forms.case_from_form(FormData([("lesion_count", "many")]))


# ------------------------------------------------------------------ case -> form -> case
def stored(data: Any) -> dict[str, Any]:
    return validate_case(data).model_dump(mode="json", exclude_none=True)


def instants(doc: Any) -> Any:
    """The document with every timestamp as its UTC instant (offsets may change, times not)."""
    if isinstance(doc, dict):
        return {k: instants(v) for k, v in doc.items()}
    if isinstance(doc, list):
        return [instants(v) for v in doc]
    if isinstance(doc, str) and len(doc) >= 16 and doc[4] == "-" and "T" in doc:
        return datetime.fromisoformat(doc).astimezone(UTC).isoformat()
    return doc


def cases() -> list[tuple[str, Any]]:
    found = [(p.stem, yaml.safe_load(p.read_text("utf-8"))) for p in EXAMPLES]
    for path in VECTORS:
        doc = json.loads(path.read_text("utf-8"))
        try:
            validate_case(doc["case"])
        except CaseValidationError:
            continue   # vectors of invalid input have nothing to round-trip
        found.append((path.stem, doc["case"]))
    return found


@pytest.mark.parametrize(("name", "data"), cases(), ids=[n for n, _ in cases()])
def test_a_case_survives_the_form_unchanged(name: str, data: Any) -> None:
    original = stored(data)
    back = forms.case_from_form(FormData(forms.form_pairs(original)))
    assert instants(stored(back)) == instants(original)


def test_an_edited_time_keeps_its_instant_whatever_the_offset_it_was_stored_in() -> None:
    shown = forms.local_input("2026-11-20T10:30:00+01:00")
    assert shown == "2026-11-20T09:30"
    data = submit([("events.mri_done", shown), ("tz_offset_minutes", "0")])
    assert datetime.fromisoformat(data["events"]["mri_done"]) == datetime(
        2026, 11, 20, 9, 30, tzinfo=UTC)


def test_the_vectors_folder_is_there() -> None:
    assert len(VECTORS) >= 20 and len(EXAMPLES) == 8


def test_a_stored_time_is_given_to_the_time_control_in_utc() -> None:
    assert forms.local_input("2026-11-20T09:30:00+01:00") == "2026-11-20T08:30"
    assert forms.local_input("2026-11-20T09:30:05+00:00") == "2026-11-20T09:30:05"
    assert forms.local_input(None) == ""
    assert forms.local_input("yesterday") == ""
