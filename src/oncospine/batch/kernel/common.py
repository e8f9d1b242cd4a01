"""Building blocks shared by every stage of the kernel: lookup codes, sums of group tables and
the status/total/range/band block of a score.

Every helper returns Polars expressions over whole columns; nothing here runs per row.

References: docs/adr/0001-core-decisions.md (scores as sums of independent groups);
assessment-format.md (status, total only when complete, exact range, band only when the whole
range lies in one band).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import polars as pl

from oncospine.batch import tables
from oncospine.batch.kernel.output import Band

c = pl.col


class Codes:
    """Axis and combination codes, each computed once as a column and shared by all lookups.

    Many tables read the same inputs (the primary site feeds five scores); computing each
    input's code and each combination's index once is what keeps the kernel fast.
    """

    def __init__(self) -> None:
        self.axes: dict[str, pl.Expr] = {}
        self.combinations: dict[str, pl.Expr] = {}

    def axis(self, axis: tables.Axis) -> pl.Expr:
        name = f"_ax_{axis.column}"
        self.axes.setdefault(name, axis.code(c(axis.column)).alias(name))
        return c(name)

    def of(self, table: tables.Table, n: int | None = None) -> pl.Expr:
        axes = [a.at(n) if n is not None else a for a in table.axes]
        name = "_gc_" + "+".join(a.column for a in axes)
        self.combinations.setdefault(name, table.code(self.axis, n).alias(name))
        return c(name)


def known_true(expr: pl.Expr) -> pl.Expr:
    """True only where the value is known to be true: unknown never switches a rule on."""
    return expr.fill_null(False)


def band_of(total: pl.Expr, bands: Sequence[Band]) -> pl.Expr:
    """The band containing `total` (null outside every band), looked up by total."""
    top = max(high for _, high, _ in bands)
    names: list[str | None] = [None] * (top + 1)
    for low, high, name in bands:
        for value in range(low, high + 1):
            names[value] = name
    table = pl.Series(names, dtype=pl.String)
    return pl.when((total >= 0) & (total <= top)).then(
        pl.lit(table).gather(total.clip(0, top).fill_null(0)))


def score_result(name: str, na: pl.Expr, low: pl.Expr, high: pl.Expr, decided: pl.Expr,
                 bands: Sequence[Band]) -> list[pl.Expr]:
    """The five output columns of a score, as the assessment format defines them."""
    status = pl.when(na).then(pl.lit("not_applicable")).when(decided).then(
        pl.lit("complete")).otherwise(pl.lit("incomplete"))
    live = ~na
    band_low, band_high = band_of(low, bands), band_of(high, bands)
    return [
        status.alias(f"{name}_status"),
        pl.when(live & decided).then(low).alias(f"{name}_total"),
        pl.when(live).then(low).alias(f"{name}_range_low"),
        pl.when(live).then(high).alias(f"{name}_range_high"),
        pl.when(live & (band_low == band_high)).then(band_low).alias(f"{name}_band"),
    ]


def add_all(exprs: Sequence[pl.Expr]) -> pl.Expr:
    return functools.reduce(lambda a, b: a + b, exprs)


def and_all(exprs: Sequence[pl.Expr]) -> pl.Expr:
    return functools.reduce(lambda a, b: a & b, exprs)


def or_all(exprs: Sequence[pl.Expr]) -> pl.Expr:
    return functools.reduce(lambda a, b: a | b, exprs)


def group_sums(codes: Codes, groups: Sequence[tables.Table], n: int | None = None
               ) -> tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr]:
    """Lowest total, highest total, decided, not applicable: the groups' lookups combined.

    Groups are independent (ADR 0001), so the lowest and highest totals are the sums of the
    groups' lowest and highest points; the score is decided when every group is.
    """
    lows, highs, decided, na = [], [], [], []
    for table in groups:
        code = codes.of(table, n)
        lows.append(table.lookup("low", code, pl.Int64()))
        highs.append(table.lookup("high", code, pl.Int64()))
        decided.append(table.lookup("decided", code, pl.Boolean()))
        na.append(table.lookup("na", code, pl.Boolean()))
    return add_all(lows), add_all(highs), and_all(decided), or_all(na)
