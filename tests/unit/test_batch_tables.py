"""Lookup tables learnt from the core: each stands for the whole input domain it covers."""

from __future__ import annotations

import polars as pl

from oncospine.batch import tables
from oncospine.case import validate_case
from oncospine.scores import PROGNOSTIC

BASE = tables.PROGNOSTIC_BASE


def test_counts_beyond_three_score_like_three_for_every_prognostic_score():
    """The vertebral and extraspinal axes stop at 3; larger counts must not change a score."""
    for name, fn in PROGNOSTIC.items():
        for vertebral in (3, 4, 7, 33):
            for extra in (3, 5, 50, 1000):
                doc = {**BASE, "disease": {**BASE["disease"], "vertebral_metastases": vertebral,
                                           "extraspinal_bone_metastases": extra}}
                capped = {**BASE, "disease": {**BASE["disease"], "vertebral_metastases": 3,
                                              "extraspinal_bone_metastases": 3}}
                assert fn(validate_case(doc)).to_dict()["range"] == \
                    fn(validate_case(capped)).to_dict()["range"], (name, vertebral, extra)


def test_albumin_only_matters_through_its_threshold():
    from oncospine.scores import nesms

    axis = tables.albumin_axis()
    cut = axis.values[2]
    results = set()
    for value in (6.0, 20.0, cut - 0.01):
        results.add(nesms(validate_case({**BASE, "labs": {"albumin_g_per_l": value}})).total)
    assert len(results) == 1
    above = {nesms(validate_case({**BASE, "labs": {"albumin_g_per_l": v}})).total
             for v in (cut, 50.0, 80.0)}
    assert len(above) == 1 and above != results


def test_nesms_bauer_points_rise_once_at_the_threshold():
    points = tables.nesms_bauer_points()
    assert len(points) == 5
    assert list(points) == sorted(points)
    assert len(set(points)) == 2


def test_axis_codes_index_their_values():
    frame = pl.DataFrame({"site": ["breast", None, "unknown"], "kps": [0, 100, None],
                          "flag": [True, None, False], "n": [0, 9, None]})
    site = tables.SITE
    assert frame.select(site.code(pl.col("site"))).to_series().to_list() == \
        [site.values.index("breast"), 0, site.values.index("unknown")]
    assert frame.select(tables.KPS.code(pl.col("kps"))).to_series().to_list() == [1, 11, 0]
    assert frame.select(tables.BRAIN.code(pl.col("flag"))).to_series().to_list() == [2, 0, 1]
    assert frame.select(tables.VERTEBRAL.code(pl.col("n"))).to_series().to_list() == [1, 4, 0]


def test_every_group_table_covers_every_combination():
    for name in PROGNOSTIC:
        t = tables.prognostic(name)
        for table in (t.scope, *t.groups):
            size = 1
            for axis in table.axes:
                size *= len(axis.values)
            assert all(len(values) == size for values in table.columns.values())


def test_the_supportive_dose_is_read_from_the_plan():
    assert tables.supportive_cebrt_dose() == "8 Gy in 1 fraction"
