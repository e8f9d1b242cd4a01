"""The batch scoring kernel: validated flat rows in, one row of results per case out.

Everything here is a Polars expression over whole columns: no Python runs per row. Scores are
sums of group lookups learnt from the core (`tables`); triage and the NOMS radiotherapy and
surgery roles repeat the decision rules of `pathway.triage`, `pathway.noms` and `pathway.plan`
as column expressions, reading their constants from those modules. The property test
`tests/property/test_batch_sameness.py` proves the result equals `assess()` field by field.

References: assessment-format.md; pathway.md §1.2, §5.3; scores.md §6.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import get_args

import polars as pl

from oncospine.batch import tables
from oncospine.batch.validate import typed_schema
from oncospine.knowledge import site_table
from oncospine.pathway import context as ctx_rules
from oncospine.pathway import noms as noms_rules
from oncospine.pathway import plan as plan_rules
from oncospine.pathway import triage as triage_rules
from oncospine.scores.bauer import BAUER_BANDS, MODIFIED_BANDS
from oncospine.scores.escc import GROUP as ESCC_GROUP
from oncospine.scores.nesms import BANDS as NESMS_BANDS
from oncospine.scores.nesms import CAP as NESMS_CAP
from oncospine.scores.sins import BANDS as SINS_BANDS
from oncospine.scores.tokuhashi import ORIGINAL_BANDS, REVISED_BANDS
from oncospine.scores.tomita import BANDS as TOMITA_BANDS
from oncospine.vocab import CAUDA_EQUINA_FEATURES, ESCC_GRADES, LEVEL_INDEX, EsccGrade

Band = tuple[int, int, str]
if get_args(EsccGrade) != ESCC_GRADES:  # ESCC codes are compared by their Enum position
    raise RuntimeError("the ESCC grade vocabulary is not in order of compression")
PROGNOSTIC_BANDS: dict[str, Sequence[Band]] = {
    "tomita": TOMITA_BANDS,
    "tokuhashi_revised": REVISED_BANDS,
    "tokuhashi_original": ORIGINAL_BANDS,
    "bauer": BAUER_BANDS,
    "modified_bauer": MODIFIED_BANDS,
    "nesms": NESMS_BANDS,
}
SCORES = tuple(PROGNOSTIC_BANDS)
PARTS = ("status", "total", "range_low", "range_high", "band")
NOMS_OPTIONS = ("cebrt", "sbrt", "separation_surgery", "stabilisation")

OUTPUT_SCHEMA: dict[str, pl.DataType] = {"case_id": pl.String()}
for _score in SCORES:
    OUTPUT_SCHEMA.update({f"{_score}_status": pl.String(), f"{_score}_total": pl.Int64(),
                          f"{_score}_range_low": pl.Int64(), f"{_score}_range_high": pl.Int64(),
                          f"{_score}_band": pl.String()})
OUTPUT_SCHEMA.update({
    "sins_worst_total": pl.Int64(), "sins_worst_band": pl.String(),
    "escc_worst_grade": pl.String(), "escc_worst_group": pl.String(),
    "triage_level": pl.String(), "triage_pathway": pl.String(),
    "sins_worst_status": pl.String(), "sins_worst_range_low": pl.Int64(),
    "sins_worst_range_high": pl.Int64(), "sins_worst_level": pl.String(),
    "escc_status": pl.String(), "escc_worst_level": pl.String(),
    "enneking_status": pl.String(), "enneking_stage": pl.String(),
    "wbb_status": pl.String(),
    "triage_mri_within_hours": pl.Int64(), "triage_coordinator_contact_within_hours": pl.Int64(),
    **{f"noms_{name}": pl.String() for name in NOMS_OPTIONS},
    "noms_cebrt_dose": pl.String(),
    "lesion_count": pl.Int64(), "assessed_at": pl.Datetime("us", "UTC"), "row": pl.Int64(),
})
OUTPUT_COLUMNS = tuple(OUTPUT_SCHEMA)

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


def _true(expr: pl.Expr) -> pl.Expr:
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


def _result(name: str, na: pl.Expr, low: pl.Expr, high: pl.Expr, decided: pl.Expr,
            bands: Sequence[Band]) -> list[pl.Expr]:
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


def _sum(exprs: Sequence[pl.Expr]) -> pl.Expr:
    return functools.reduce(lambda a, b: a + b, exprs)


def _all(exprs: Sequence[pl.Expr]) -> pl.Expr:
    return functools.reduce(lambda a, b: a & b, exprs)


def _groups(codes: Codes, groups: Sequence[tables.Table], n: int | None = None
            ) -> tuple[pl.Expr, pl.Expr, pl.Expr, pl.Expr]:
    lows, highs, decided, na = [], [], [], []
    for table in groups:
        code = codes.of(table, n)
        lows.append(table.lookup("low", code, pl.Int64()))
        highs.append(table.lookup("high", code, pl.Int64()))
        decided.append(table.lookup("decided", code, pl.Boolean()))
        na.append(table.lookup("na", code, pl.Boolean()))
    return _sum(lows), _sum(highs), _all(decided), functools.reduce(lambda a, b: a | b, na)


# ---------------------------------------------------------------- prognostic scores


def prognostic_parts(codes: Codes) -> list[pl.Expr]:
    """Per score: lowest and highest total, decided, not applicable (as columns)."""
    out: list[pl.Expr] = []
    for name in SCORES:
        t = tables.prognostic(name)
        low, high, decided, _ = _groups(codes, t.groups)
        out += [low.alias(f"_{name}_lo"), high.alias(f"_{name}_hi"),
                decided.alias(f"_{name}_dec"),
                t.scope.lookup("na", codes.of(t.scope), pl.Boolean()).alias(f"_{name}_na")]
    return out


def prognostic_scores() -> list[pl.Expr]:
    out: list[pl.Expr] = []
    for name in SCORES:
        if name == "nesms":
            continue
        out += _result(name, c(f"_{name}_na"), c(f"_{name}_lo"), c(f"_{name}_hi"),
                       c(f"_{name}_dec"), PROGNOSTIC_BANDS[name])
    return out


def nesms_score() -> list[pl.Expr]:
    """NESMS over the modified Bauer range already computed, then capped (D-09)."""
    points = pl.Series(tables.nesms_bauer_points(), dtype=pl.Int64)
    top = len(points) - 1
    low_b = pl.lit(points).gather(c("_modified_bauer_lo").clip(0, top).fill_null(0))
    high_b = pl.lit(points).gather(c("_modified_bauer_hi").clip(0, top).fill_null(0))
    cap = NESMS_CAP
    return _result("nesms", c("_nesms_na"),
                   pl.min_horizontal(c("_nesms_lo") + low_b, pl.lit(cap)),
                   pl.min_horizontal(c("_nesms_hi") + high_b, pl.lit(cap)),
                   c("_nesms_dec") & (low_b == high_b), NESMS_BANDS)


# ---------------------------------------------------------------- lesions: SINS, ESCC, WBB


def lesion_columns(codes: Codes, slots: int) -> list[pl.Expr]:
    """Per lesion slot: present, SINS low/high/decided/na, ESCC order, WBB record state."""
    groups = [table for _, table in tables.sins_groups()]
    out: list[pl.Expr] = []
    for n in range(1, slots + 1):
        present = c("lesion_count") >= n
        low, high, decided, na = _groups(codes, groups, n)
        sectors = _true(c(f"lesion{n}_wbb_sectors").list.len() > 0)
        layers = _true(c(f"lesion{n}_wbb_layers").list.len() > 0)
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


def _first(slots: int, condition: str, value: str | pl.Expr,
           dtype: pl.DataType) -> pl.Expr:
    """The value of the first lesion slot where `condition{n}` holds."""
    out: pl.Expr = pl.lit(None, dtype)
    for n in reversed(range(1, slots + 1)):
        val = c(value.format(n=n)) if isinstance(value, str) else value
        out = pl.when(c(f"{condition}{n}")).then(val).otherwise(out)
    return out


def worst_columns(slots: int) -> list[pl.Expr]:
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
    keys = [pl.when(c(f"_s{n}")).then(c(f"_hi{n}") * 64 + c(f"_lo{n}")) for n in n_range]
    best = pl.max_horizontal(keys)
    out = [best.alias("_sins_key"),
           pl.max_horizontal([pl.when(c(f"_s{n}")).then(c(f"_lo{n}")) for n in n_range])
           .alias("_sins_low"),
           pl.max_horizontal([pl.when(c(f"_s{n}")).then(c(f"_hi{n}")) for n in n_range])
           .alias("_sins_high"),
           pl.max_horizontal([c(f"_e{n}") for n in n_range]).alias("_escc_order"),
           _true(pl.any_horizontal([c(f"_l{n}") & c(f"_e{n}").is_null() for n in n_range]))
           .alias("_escc_missing"),
           pl.any_horizontal([c(f"_w{n}") for n in n_range]).alias("_wbb_any"),
           pl.all_horizontal([~c(f"_w{n}") | c(f"_wc{n}") for n in n_range])
           .alias("_wbb_complete")]
    return out


def worst_details(slots: int) -> list[pl.Expr]:
    if slots == 0:
        return []
    n_range = range(1, slots + 1)
    is_top = {n: c(f"_s{n}") & (c(f"_hi{n}") * 64 + c(f"_lo{n}") == c("_sins_key"))
              for n in n_range}
    top: list[pl.Expr] = []

    def pick(values: dict[int, pl.Expr], dtype: pl.DataType) -> pl.Expr:
        out: pl.Expr = pl.lit(None, dtype)
        for n in reversed(n_range):
            out = pl.when(_true(is_top[n])).then(values[n]).otherwise(out)
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
    top += [
        pick(labels, pl.String()).alias("sins_worst_level"),
        pl.when(c("_sins_key").is_null()).then(None).when(decided).then(
            pl.lit("complete")).otherwise(pl.lit("incomplete")).alias("sins_worst_status"),
        pl.when(decided).then(low).alias("sins_worst_total"),
        low.alias("sins_worst_range_low"), high.alias("sins_worst_range_high"),
        pl.when(band_low == band_high).then(band_low).alias("sins_worst_band"),
    ]
    first_worst = {n: _true(c(f"_e{n}") == c("_escc_order")) for n in n_range}
    level: pl.Expr = pl.lit(None, pl.String)
    for n in reversed(n_range):
        level = pl.when(first_worst[n]).then(c(f"lesion{n}_level").cast(pl.String)).otherwise(
            level)
    top += [
        level.alias("escc_worst_level"),
        pl.when(c("lesion_count") == 0).then(pl.lit("not_applicable"))
        .when(c("_escc_missing")).then(pl.lit("incomplete")).otherwise(pl.lit("complete"))
        .alias("escc_status"),
        pl.when(~_true(c("_wbb_any"))).then(pl.lit("not_applicable"))
        .when(c("_wbb_complete")).then(pl.lit("complete")).otherwise(pl.lit("incomplete"))
        .alias("wbb_status"),
    ]
    return top


def escc_worst() -> list[pl.Expr]:
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
        high = _true(c(f"_l{n}") & pl.lit(high_by_order).gather(c(f"_e{n}").fill_null(0))
                     & c(f"_e{n}").is_not_null()) & (level > 0)
        span = pl.lit(SPAN_MASKS).gather((start * size + end).clip(0, size * size - 1))
        masks.append(pl.when(high).then(span).otherwise(0).cast(pl.Int64))
    covered = functools.reduce(lambda a, b: a | b, masks)
    starts = covered & ~(covered * 2)
    return starts.bitwise_count_ones().cast(pl.Int64)


# ---------------------------------------------------------------- enneking


def enneking(codes: Codes) -> list[pl.Expr]:
    t = tables.enneking_table()
    code = codes.of(t)
    return [t.lookup("status", code, pl.String()).alias("enneking_status"),
            t.lookup("stage", code, pl.String()).alias("enneking_stage")]


# ---------------------------------------------------------------- triage


def _contains_any(column: str, values: frozenset[str] | set[str]) -> pl.Expr:
    col = c(column)
    return _true(functools.reduce(lambda a, b: a | b,
                                  [col.list.contains(value) for value in sorted(values)]))


def _nonempty(column: str) -> pl.Expr:
    return _true(c(column).list.len() > 0)


def context_columns() -> list[pl.Expr]:
    """Facts the triage and plan rules read (pathway.context), one column each."""
    haem, history = c("cancer_haematological"), c("cancer_history")
    cancer = (pl.when(_true(haem == "confirmed") | _true(history.is_in(["past", "current"])))
              .then(pl.lit("known"))
              .when(_true(history == "suspected") | _true(haem == "suspected"))
              .then(pl.lit("suspected"))
              .when(_true(history == "none")).then(pl.lit("none"))
              .otherwise(pl.lit("unknown")))
    pain = (pl.when(c("presentation_spinal_pain").is_not_null())
            .then(c("presentation_spinal_pain"))
            .when(_nonempty("presentation_pain_features") | _nonempty("presentation_pain_sites"))
            .then(True))
    site = c("cancer_primary_site")
    radio_table = site_table("radiosensitivity")["class"]
    site_class = site.cast(pl.String).replace_strict(radio_table, default=None,
                                                     return_dtype=pl.String)
    radio = (pl.when(c("cancer_radiosensitivity").is_not_null())
             .then(c("cancer_radiosensitivity").cast(pl.String))
             .when(site_class == "ask")
             .then(pl.when(_true(haem == "confirmed")).then(pl.lit("sensitive")))
             .otherwise(site_class))
    bone_tumour = c("primary_tumour_grade").is_not_null() | (
        _true(site.is_in(sorted(ctx_rules.BONE_SARCOMA_SITES)))
        & (history.is_null() | _true(history.is_in(["none", "suspected", "unknown"]))))
    return [
        cancer.alias("_cancer"),
        pain.alias("_pain"),
        _nonempty("presentation_neuro_features").alias("_neuro"),
        c("presentation_neuro_features").is_not_null().alias("_neuro_known"),
        _contains_any("presentation_neuro_features", CAUDA_EQUINA_FEATURES).alias("_cauda"),
        radio.alias("_radio"),
        (_true(site.is_in(sorted(ctx_rules.CHEMOSENSITIVE_SITES))) | _true(haem == "confirmed"))
        .alias("_chemo"),
        bone_tumour.alias("_bone_tumour"),
    ]


def _red_flags() -> tuple[pl.Expr, pl.Expr, pl.Expr]:
    general = "presentation_general_features"
    spinal = c("presentation_spinal_pain")
    cancer = (
        _contains_any(general, triage_rules.CANCER_FLAGS)
        | _contains_any("presentation_pain_features", {"night_pain"})
        | _true(c("presentation_pain_weeks") >= triage_rules.RED_FLAG_PAIN_WEEKS)
        | _true(c("presentation_pain_sites").list.n_unique() >= 2)
        | (_true(c("patient_age_years") >= triage_rules.RED_FLAG_AGE)
           & (_true(spinal) | _nonempty("presentation_pain_features"))))
    return (cancer, _contains_any(general, triage_rules.INFECTION_FLAGS),
            _contains_any(general, triage_rules.FRACTURE_FLAGS))


def triage_columns() -> list[pl.Expr]:
    cancer_flag, infection, fracture = _red_flags()
    flag_level = pl.when(cancer_flag | infection | fracture).then(pl.lit("soon")).otherwise(
        pl.lit("routine"))
    flag_pathway = (pl.when(cancer_flag).then(pl.lit("suspected_cancer"))
                    .when(infection).then(pl.lit("infection"))
                    .when(fracture).then(pl.lit("fracture")).otherwise(pl.lit("back_pain")))
    known = c("_cancer") == "known"
    suspected = c("_cancer") == "suspected"
    on_route = known & (_true(c("_pain")) | c("_pain").is_null() | ~c("_neuro_known"))
    level = (pl.when(c("_neuro")).then(pl.lit("emergency"))
             .when(on_route).then(pl.lit("urgent"))
             .when(known).then(flag_level)
             .when(suspected).then(pl.lit("soon"))
             .otherwise(flag_level))
    pathway = (pl.when(c("_neuro")).then(
        pl.when(known | suspected).then(pl.lit("mscc"))
        .when(c("_cauda")).then(pl.lit("cauda_equina")).otherwise(pl.lit("cord_compression")))
        .when(on_route).then(pl.lit("mscc"))
        .when(known).then(flag_pathway)
        .when(suspected).then(pl.lit("suspected_cancer"))
        .otherwise(flag_pathway))
    return [level.alias("triage_level"), pathway.alias("triage_pathway")]


def triage_clocks() -> list[pl.Expr]:
    mri = c("triage_level").replace_strict(triage_rules.MRI_HOURS, default=None,
                                           return_dtype=pl.Int64)
    coordinator = pl.when(c("triage_pathway") == "mscc").then(
        c("triage_level").replace_strict(triage_rules.COORDINATOR_HOURS, default=None,
                                         return_dtype=pl.Int64))
    return [mri.alias("triage_mri_within_hours"),
            coordinator.alias("triage_coordinator_contact_within_hours")]


# ---------------------------------------------------------------- NOMS


def noms_columns() -> list[pl.Expr]:
    """Roles of cEBRT, SBRT, separation surgery and stabilisation (plan.py, noms.py)."""
    low, high = c("_sins_low"), c("_sins_high")
    months = c("status_life_expectancy_months")
    block = _true(c("status_fit_for_surgery") == False) | _true(  # noqa: E712
        months < plan_rules.MIN_SURGERY_MONTHS)
    supportive = _true(c("status_fit_for_any_treatment") == False)  # noqa: E712
    active = ~supportive & (c("lesion_count") > 0)
    unstable = _true(low >= plan_rules.UNSTABLE)
    unstable_possible = _true(high >= plan_rules.UNSTABLE)
    stabilising = unstable & ~block
    stabilisation = (
        pl.when(unstable).then(pl.when(block).then(pl.lit("not_recommended"))
                               .otherwise(pl.lit("recommended")))
        .when(unstable_possible & _true(low >= plan_rules.CONSULT))
        .then(pl.when(block).then(pl.lit("not_recommended")).otherwise(pl.lit("discuss"))))

    group = c("_escc_group")
    hours = c("status_non_ambulatory_hours")
    paralysed_long = _true(hours > noms_rules.PATCHELL_PARALYSIS_HOURS)
    several = c("_areas") > 1
    blockers = ~c("_neuro") | several | paralysed_long | block
    perf = c("_performance")
    compressed = _true(group.is_in(["high", "borderline"]))
    radio = c("_radio")

    sensitive_sep = (
        pl.when(~compressed).then(None)
        .when(c("_chemo")).then(pl.lit("not_recommended"))
        .when(_true(c("cancer_primary_site").is_in(sorted(ctx_rules.RADIOSENSITIVE_SOLID)))
              & _true(group == "high") & ~blockers).then(pl.lit("discuss"))
        .otherwise(pl.lit("not_recommended")))
    low_poor = _true(perf == False) | (unstable & ~stabilising)  # noqa: E712
    low_unsure = perf.is_null() | (unstable_possible & ~unstable)
    resistant_sbrt = (
        pl.when(group == "low").then(
            pl.when(low_poor).then(pl.lit("not_recommended")).when(low_unsure)
            .then(pl.lit("consider")).otherwise(pl.lit("recommended")))
        .when(group == "high").then(pl.when(block).then(None).otherwise(pl.lit("recommended")))
        .otherwise(pl.lit("discuss")))
    resistant_cebrt = (
        pl.when(group == "low").then(
            pl.when(low_poor).then(pl.lit("recommended")).when(low_unsure)
            .then(pl.lit("consider")))
        .when(group == "high").then(pl.when(block).then(pl.lit("recommended"))
                                    .otherwise(pl.lit("consider"))))
    resistant_sep = (
        pl.when(group == "high").then(
            pl.when(block).then(pl.lit("not_recommended"))
            .when(several | paralysed_long).then(pl.lit("discuss"))
            .otherwise(pl.lit("recommended")))
        .when(group == "borderline").then(
            pl.when(block).then(pl.lit("not_recommended")).otherwise(pl.lit("discuss"))))

    def by_radio(sensitive: pl.Expr | None, resistant: pl.Expr | None,
                 other: pl.Expr | None) -> pl.Expr:
        none = pl.lit(None, pl.String)
        return (pl.when(radio == "sensitive").then(sensitive if sensitive is not None else none)
                .when(radio == "resistant").then(resistant if resistant is not None else none)
                .otherwise(other if other is not None else none))

    noms = ~c("_bone_tumour")
    options = {
        "cebrt": (pl.lit("consider"),
                  by_radio(pl.lit("recommended"), resistant_cebrt, pl.lit("discuss"))),
        "sbrt": (pl.lit("not_recommended"), by_radio(None, resistant_sbrt, pl.lit("discuss"))),
        "separation_surgery": (pl.lit("not_recommended"), by_radio(
            sensitive_sep, resistant_sep, pl.when(compressed).then(pl.lit("discuss")))),
    }
    out = [pl.when(supportive).then(pl.lit("not_recommended"))
           .when(active).then(stabilisation).alias("noms_stabilisation")]
    for name, (when_supportive, role) in options.items():
        out.append(pl.when(supportive).then(when_supportive)
                   .when(active & noms).then(role).cast(pl.String).alias(f"noms_{name}"))
    return out


def cebrt_dose(codes: Codes) -> pl.Expr:
    t = tables.cebrt_dose_table()
    dose = t.lookup("dose", codes.of(t), pl.String())
    return (pl.when(c("noms_cebrt").is_null()).then(None)
            .when(_true(c("status_fit_for_any_treatment") == False))  # noqa: E712
            .then(pl.lit(tables.supportive_cebrt_dose()))
            .otherwise(dose)).alias("noms_cebrt_dose")


# ---------------------------------------------------------------- all together


def lesion_slots(frame: pl.DataFrame | pl.LazyFrame) -> int:
    names = frame.collect_schema().names()
    return sum(1 for name in names if name.startswith("lesion") and name.endswith("_level"))


def warm() -> None:
    """Build every lookup table now (once per process), before batches run in threads."""
    for name in SCORES:
        tables.prognostic(name)
    tables.sins_groups()
    tables.nesms_bauer_points()
    tables.enneking_table()
    tables.performance_table()
    tables.cebrt_dose_table()
    tables.supportive_cebrt_dose()


def score(cases: pl.DataFrame) -> pl.DataFrame:
    """Score validated rows (canonical flat columns, see `validate.typed_schema`)."""
    slots = lesion_slots(cases)
    wanted = typed_schema({"lesions": slots, "imaging": 0})
    cases = cases.with_columns(pl.col(name).cast(dtype) for name, dtype in wanted.items()
                               if name in cases.columns and cases.schema[name] != dtype)
    most = cases.get_column("lesion_count").max() if cases.height else 0
    needed = most if isinstance(most, int) else 0
    if needed > slots:  # entries counted but with no column recorded: every field unknown
        cases = cases.with_columns(
            pl.lit(None, dtype).alias(name) for name, dtype in
            typed_schema({"lesions": needed}).items()
            if name.startswith("lesion") and name not in cases.columns)
        slots = needed
    perf = tables.performance_table()
    codes = Codes()
    # Eager stages, each reading the columns the one before wrote: a single lazy plan this wide
    # takes the optimiser far longer than the work itself.
    stages: list[list[pl.Expr]] = [
        [*lesion_columns(codes, slots), *context_columns(), *prognostic_parts(codes),
         *enneking(codes), perf.lookup("ok", codes.of(perf), pl.Boolean()).alias("_performance")],
        [*prognostic_scores(), *worst_columns(slots), *triage_columns()],
        nesms_score(),
        [*worst_details(slots), *escc_worst(), *triage_clocks(),
         compression_areas(slots).alias("_areas")],
        [c("escc_worst_group").alias("_escc_group")],
        noms_columns(),
        [cebrt_dose(codes)],
    ]
    stages = [list(codes.axes.values()), list(codes.combinations.values()), *stages]
    frame = cases
    for exprs in stages:
        frame = frame.with_columns(exprs)
    return frame.select([c(name).cast(dtype).alias(name) for name, dtype in OUTPUT_SCHEMA.items()])
