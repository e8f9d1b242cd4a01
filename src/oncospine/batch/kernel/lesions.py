"""Per-lesion columns (SINS, ESCC, WBB) and the worst lesion of each case.

Lesions are numbered slots (`lesion1_…`); each stage writes helper columns per slot (`_s{n}`
scored by SINS, `_lo{n}`/`_hi{n}` its range, `_e{n}` the ESCC order …) that the later stages
and the decision rules read.

References: scores.md (SINS, ESCC, WBB); decisions D-01, D-02; pathway.md §5.
"""

from __future__ import annotations

from typing import get_args

import polars as pl

from oncospine.batch import tables
from oncospine.batch.kernel.common import Codes, band_of, c, group_sums, known_true, or_all
from oncospine.scores.escc import GROUP as ESCC_GROUP
from oncospine.scores.sins import BANDS as SINS_BANDS
from oncospine.vocab import ESCC_GRADES, LEVEL_INDEX, EsccGrade

if get_args(EsccGrade) != ESCC_GRADES:  # ESCC codes are compared by their Enum position
    raise RuntimeError("the ESCC grade vocabulary is not in order of compression")

# The SINS order key packs (highest, lowest) into one number: highest first, then lowest.
SINS_KEY = 64


def lesion_columns(codes: Codes, slots: int) -> list[pl.Expr]:
    """Per lesion slot: present, SINS low/high/decided/na, ESCC order, WBB record state."""
    groups = [table for _, table in tables.sins_groups()]
    out: list[pl.Expr] = []
    for n in range(1, slots + 1):
        present = c("lesion_count") >= n
        low, high, decided, na = group_sums(codes, groups, n)
        sectors = known_true(c(f"lesion{n}_wbb_sectors").list.len() > 0)
        layers = known_true(c(f"lesion{n}_wbb_layers").list.len() > 0)
        out += [
            present.alias(f"_l{n}"),
            (present & ~na).alias(f"_s{n}"),
            low.alias(f"_lo{n}"), high.alias(f"_hi{n}"), decided.alias(f"_dec{n}"),
            pl.when(present).then(c(f"lesion{n}_escc").to_physical().cast(pl.Int64))
            .alias(f"_e{n}"),
            (present & (sectors | layers)).alias(f"_w{n}"),
            (present & sectors & layers).alias(f"_wc{n}"),
        ]
    return out


def worst_columns(slots: int) -> list[pl.Expr]:
    """The worst SINS key and range, the worst ESCC order, and whether WBB is recorded."""
    if slots == 0:
        return [pl.lit(None, pl.Int64).alias(name) for name in
                ("_sins_low", "_sins_high", "_escc_order")] + [
            pl.lit(None, pl.String).alias(name) for name in
            ("sins_worst_status", "sins_worst_level", "sins_worst_band",
             "escc_worst_level")] + [
            pl.lit(None, pl.Int64).alias(name) for name in
            ("sins_worst_total", "sins_worst_range_low", "sins_worst_range_high")] + [
            pl.when(c("lesion_count") > 0).then(pl.lit("incomplete")).otherwise(
                pl.lit("not_applicable")).alias("escc_status"),
            pl.lit("not_applicable").alias("wbb_status")]
    n_range = range(1, slots + 1)
    keys = [pl.when(c(f"_s{n}")).then(c(f"_hi{n}") * SINS_KEY + c(f"_lo{n}")) for n in n_range]
    best = pl.max_horizontal(keys)
    return [best.alias("_sins_key"),
            pl.max_horizontal([pl.when(c(f"_s{n}")).then(c(f"_lo{n}")) for n in n_range])
            .alias("_sins_low"),
            pl.max_horizontal([pl.when(c(f"_s{n}")).then(c(f"_hi{n}")) for n in n_range])
            .alias("_sins_high"),
            pl.max_horizontal([c(f"_e{n}") for n in n_range]).alias("_escc_order"),
            known_true(pl.any_horizontal([c(f"_l{n}") & c(f"_e{n}").is_null()
                                          for n in n_range])).alias("_escc_missing"),
            pl.any_horizontal([c(f"_w{n}") for n in n_range]).alias("_wbb_any"),
            pl.all_horizontal([~c(f"_w{n}") | c(f"_wc{n}") for n in n_range])
            .alias("_wbb_complete")]


def worst_details(slots: int) -> list[pl.Expr]:
    """The worst SINS lesion's block and level; ESCC and WBB statuses; the worst ESCC level."""
    if slots == 0:
        return []
    n_range = range(1, slots + 1)
    is_top = {n: c(f"_s{n}") & (c(f"_hi{n}") * SINS_KEY + c(f"_lo{n}") == c("_sins_key"))
              for n in n_range}

    def pick(values: dict[int, pl.Expr], dtype: pl.DataType) -> pl.Expr:
        out: pl.Expr = pl.lit(None, dtype)
        for n in reversed(n_range):
            out = pl.when(known_true(is_top[n])).then(values[n]).otherwise(out)
        return out

    labels = {n: pl.when(c(f"lesion{n}_extends_to").is_not_null()
                         & (c(f"lesion{n}_extends_to") != c(f"lesion{n}_level")))
              .then(pl.concat_str([c(f"lesion{n}_level").cast(pl.String), pl.lit("–"),
                                   c(f"lesion{n}_extends_to").cast(pl.String)]))
              .otherwise(c(f"lesion{n}_level").cast(pl.String)) for n in n_range}
    low = pick({n: c(f"_lo{n}") for n in n_range}, pl.Int64())
    high = pick({n: c(f"_hi{n}") for n in n_range}, pl.Int64())
    decided = pick({n: c(f"_dec{n}") for n in n_range}, pl.Boolean())
    band_low, band_high = band_of(low, SINS_BANDS), band_of(high, SINS_BANDS)
    top = [
        pick(labels, pl.String()).alias("sins_worst_level"),
        pl.when(c("_sins_key").is_null()).then(None).when(decided).then(
            pl.lit("complete")).otherwise(pl.lit("incomplete")).alias("sins_worst_status"),
        pl.when(decided).then(low).alias("sins_worst_total"),
        low.alias("sins_worst_range_low"), high.alias("sins_worst_range_high"),
        pl.when(band_low == band_high).then(band_low).alias("sins_worst_band"),
    ]
    first_worst = {n: known_true(c(f"_e{n}") == c("_escc_order")) for n in n_range}
    level: pl.Expr = pl.lit(None, pl.String)
    for n in reversed(n_range):
        level = pl.when(first_worst[n]).then(c(f"lesion{n}_level").cast(pl.String)).otherwise(
            level)
    top += [
        level.alias("escc_worst_level"),
        pl.when(c("lesion_count") == 0).then(pl.lit("not_applicable"))
        .when(c("_escc_missing")).then(pl.lit("incomplete")).otherwise(pl.lit("complete"))
        .alias("escc_status"),
        pl.when(~known_true(c("_wbb_any"))).then(pl.lit("not_applicable"))
        .when(c("_wbb_complete")).then(pl.lit("complete")).otherwise(pl.lit("incomplete"))
        .alias("wbb_status"),
    ]
    return top


def escc_worst() -> list[pl.Expr]:
    """The highest Bilsky grade recorded and its group (low, borderline, high; D-02)."""
    grades = pl.Series(ESCC_GRADES, dtype=pl.String)
    grade = pl.lit(grades).gather(c("_escc_order").fill_null(0))
    grade = pl.when(c("_escc_order").is_not_null()).then(grade)
    return [grade.alias("escc_worst_grade"),
            grade.replace_strict(ESCC_GROUP, default=None, return_dtype=pl.String)
            .alias("escc_worst_group")]


SPAN_MASKS = pl.Series([((1 << (end + 1)) - (1 << start)) if end >= start else 0
                        for start in range(len(LEVEL_INDEX)) for end in range(len(LEVEL_INDEX))],
                       dtype=pl.Int64)


def compression_areas(slots: int) -> pl.Expr:
    """Separate areas of high-grade compression: runs of covered levels in a bit mask.

    Each lesion covers the levels from `level` to `extends_to` (bit i for level i); contiguous
    or overlapping lesions merge into one run, as `pathway.context.compression_areas` counts.
    Reads the level codes and ESCC order columns the earlier stages wrote.
    """
    if slots == 0:
        return pl.lit(0, pl.Int64)
    size = len(LEVEL_INDEX)
    high_by_order = pl.Series([ESCC_GROUP[g] == "high" for g in ESCC_GRADES])
    masks = []
    for n in range(1, slots + 1):
        level, extent = c(f"_ax_lesion{n}_level"), c(f"_ax_lesion{n}_extends_to")
        start = level - 1
        end = pl.when(extent > 0).then(extent - 1).otherwise(start)
        high = known_true(c(f"_l{n}") & pl.lit(high_by_order).gather(c(f"_e{n}").fill_null(0))
                          & c(f"_e{n}").is_not_null()) & (level > 0)
        span = pl.lit(SPAN_MASKS).gather((start * size + end).clip(0, size * size - 1))
        masks.append(pl.when(high).then(span).otherwise(0).cast(pl.Int64))
    covered = or_all(masks)
    starts = covered & ~(covered * 2)
    return starts.bitwise_count_ones().cast(pl.Int64)
