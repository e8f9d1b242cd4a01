"""Lookup tables learnt from the core's own score functions.

A score is a sum of independent groups (docs/adr/0001); each group reads a few inputs with few
possible values. For every combination of a group's inputs (unknown included) this module asks
the core score function itself, holding every other input known, and records what the group can
still add: its lowest and highest points and whether it is decided. The batch kernel then looks
the group up by a code built from the row's columns. Nothing is copied: the point tables, site
groupings and conversions (KPS from ECOG, Frankel from ASIA, brain as visceral disease) come out
of the same functions `assess()` calls, so a change in the core changes the batch with it.

Numbers that only matter through a threshold (counts, albumin, life expectancy) are probed at
values on each side of it; a unit test checks the whole domain against these representatives.

References: docs/adr/0001-core-decisions.md; docs/batch.md "How scores are vectorised".
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import polars as pl

from oncospine import vocab as v
from oncospine.case import Case, validate_case
from oncospine.errors import CaseValidationError
from oncospine.scores.sins import sins_lesion

Doc = dict[str, Any]


@dataclass(frozen=True, slots=True)
class Axis:
    """One input of a group: its flat column, case path and the values probed (None first)."""

    column: str
    path: tuple[str | int, ...]
    values: tuple[Any, ...]
    kind: str  # choice | count | threshold | present

    def code(self, col: pl.Expr) -> pl.Expr:
        """The index into `values` of each row's value (0 for unknown)."""
        known = self.values[1:]
        if self.kind == "choice":
            if all(isinstance(val, str) for val in known):
                return (col.cast(pl.Enum(list(known))).to_physical().cast(pl.Int64) + 1
                        ).fill_null(0)
            if all(isinstance(val, bool) for val in known):  # (None, False, True)
                return (col.cast(pl.Int64) + 1).fill_null(0)
            step = known[1] - known[0]
            if all(b - a == step for a, b in itertools.pairwise(known)):
                return ((col - known[0]) // step + 1).cast(pl.Int64).fill_null(0)
            mapping = {val: i for i, val in enumerate(self.values) if val is not None}
            return col.replace_strict(mapping, default=0, return_dtype=pl.Int64).fill_null(0)
        if self.kind == "count":
            top = len(self.values) - 2
            return (col.clip(0, top) + 1).cast(pl.Int64).fill_null(0)
        if self.kind == "threshold":
            return pl.when(col.is_null()).then(0).when(col < self.values[2]).then(1).otherwise(
                2).cast(pl.Int64)
        return col.is_not_null().cast(pl.Int64)  # present

    def at(self, n: int) -> Axis:
        """The same axis on lesion slot `n`."""
        return Axis(self.column.format(n=n), self.path, self.values, self.kind)


def choice(column: str, path: str, values: Sequence[Any]) -> Axis:
    return Axis(column, _path(path), (None, *values), "choice")


def flag(column: str, path: str) -> Axis:
    return Axis(column, _path(path), (None, False, True), "choice")


def count(column: str, path: str, upto: int) -> Axis:
    return Axis(column, _path(path), (None, *range(upto + 1)), "count")


def threshold(column: str, path: str, cut: float, below: float) -> Axis:
    return Axis(column, _path(path), (None, below, cut), "threshold")


def present(column: str, path: str, example: Any) -> Axis:
    return Axis(column, _path(path), (None, example), "present")


def _path(dotted: str) -> tuple[str | int, ...]:
    return tuple(int(p) if p.isdigit() else p for p in dotted.split("."))


@dataclass(frozen=True, slots=True)
class Table:
    """Per combination of the axes: whatever the probe recorded (one tuple per field)."""

    axes: tuple[Axis, ...]
    columns: dict[str, tuple[Any, ...]]

    def code(self, axis_code: Callable[[Axis], pl.Expr], n: int | None = None) -> pl.Expr:
        """The row's combination index, from each axis's code (`axis_code(axis)`)."""
        total: pl.Expr = pl.lit(0, pl.Int64)
        stride = 1
        for axis in reversed(self.axes):
            total = total + axis_code(axis.at(n) if n is not None else axis) * stride
            stride *= len(axis.values)
        return total

    def lookup(self, name: str, code: pl.Expr, dtype: pl.DataType) -> pl.Expr:
        return pl.lit(pl.Series(self.columns[name], dtype=dtype)).gather(code)


def combinations(axes: Sequence[Axis]) -> list[tuple[Any, ...]]:
    return list(itertools.product(*(axis.values for axis in axes)))


def with_values(base: Doc, axes: Sequence[Axis], values: Sequence[Any]) -> Case | None:
    """The base case with the axes set (None removes the field); None when it is invalid."""
    doc = copy.deepcopy(base)
    for axis, value in zip(axes, values, strict=True):
        node: Any = doc
        for part in axis.path[:-1]:
            node = node[part] if isinstance(part, int) else node.setdefault(part, {})
        last = axis.path[-1]
        if value is None:
            if isinstance(node, dict):
                node.pop(last, None)
        else:
            node[last] = value
    try:
        return validate_case(doc)
    except CaseValidationError:
        return None


def probe(axes: Sequence[Axis], base: Doc, ask: Callable[[Case], dict[str, Any]],
          unreachable: dict[str, Any]) -> Table:
    """Run `ask` on every combination; invalid combinations get `unreachable`."""
    rows = []
    for values in combinations(axes):
        case = with_values(base, axes, values)
        rows.append(unreachable if case is None else ask(case))
    names = list(unreachable)
    return Table(tuple(axes), {name: tuple(r[name] for r in rows) for name in names})


def group_table(axes: Sequence[Axis], items: Sequence[str], base: Doc,
                score: Callable[[Case], dict[str, Any]]) -> Table:
    """Points a group can still add, learnt from a score with every other input known."""

    def ask(case: Case) -> dict[str, Any]:
        result = score(case)
        if result["status"] == "not_applicable":
            return {"low": 0, "high": 0, "decided": True, "na": True}
        parts = result["components"]
        others = sum(points for name, points in parts.items() if name not in items)
        low, high = result["range"]
        return {"low": low - others, "high": high - others,
                "decided": all(parts[name] is not None for name in items), "na": False}

    return probe(axes, base, ask, {"low": 0, "high": 0, "decided": True, "na": True})


# ---------------------------------------------------------------- the inputs


FORMAT = {"format": v.CASE_FORMAT}
SITE = choice("cancer_primary_site", "cancer.primary_site", v.PRIMARY_SITES)
GROWTH = choice("cancer_tomita_growth", "cancer.tomita_growth", ("slow", "moderate", "rapid"))
VISCERAL = choice("disease_visceral_metastases", "disease.visceral_metastases",
                  ("none", "removable", "unremovable"))
BRAIN = flag("disease_brain_metastases", "disease.brain_metastases")
FRACTURE = flag("disease_pathological_fracture", "disease.pathological_fracture")
VERTEBRAL = count("disease_vertebral_metastases", "disease.vertebral_metastases", 3)
EXTRASPINAL = count("disease_extraspinal_bone_metastases",
                    "disease.extraspinal_bone_metastases", 3)
KPS = choice("status_kps", "status.kps", tuple(range(0, 101, 10)))
ECOG = choice("status_ecog", "status.ecog", tuple(range(6)))
GRADES = ("A", "B", "C", "D", "E")
FRANKEL = choice("status_frankel", "status.frankel", GRADES)
ASIA = choice("status_asia", "status.asia", GRADES)
AMBULATORY = choice("status_ambulatory", "status.ambulatory",
                    ("independent", "with_aid", "non_ambulatory"))
NOT_WALKING_HOURS = present("status_non_ambulatory_hours", "status.non_ambulatory_hours", 1.0)
HISTORY = choice("cancer_history", "cancer.history",
                 ("none", "past", "current", "suspected", "unknown"))
HAEMATOLOGICAL = choice("cancer_haematological", "cancer.haematological",
                        ("none", "suspected", "confirmed"))
TUMOUR_GRADE = choice("primary_tumour_grade", "primary_tumour.grade", ("benign", "low", "high"))
BEHAVIOUR = choice("primary_tumour_benign_behaviour", "primary_tumour.benign_behaviour",
                   ("latent", "active", "aggressive"))
EXTENT = choice("primary_tumour_extent", "primary_tumour.extent",
                ("intracompartmental", "extracompartmental"))
METASTASIS = flag("primary_tumour_metastasis", "primary_tumour.metastasis")
SCOPE_AXES = (TUMOUR_GRADE, HISTORY, HAEMATOLOGICAL, VERTEBRAL, EXTRASPINAL)

# A metastatic case with every prognostic input known and scoring low, so no cap interferes.
PROGNOSTIC_BASE: Doc = {
    **FORMAT,
    "cancer": {"history": "current", "primary_site": "lung_nsclc"},
    "status": {"kps": 40, "frankel": "A", "ambulatory": "non_ambulatory"},
    "disease": {"vertebral_metastases": 2, "extraspinal_bone_metastases": 2,
                "visceral_metastases": "unremovable", "brain_metastases": False,
                "pathological_fracture": True},
    "labs": {"albumin_g_per_l": 20.0},
}
LESION_BASE: Doc = {**FORMAT, "lesions": [
    {"level": "T5", "pain": "none", "bone_lesion": "blastic", "alignment": "normal",
     "collapse": "none", "posterolateral": "none"}]}


def lesion_axis(name: str, values: Sequence[Any]) -> Axis:
    return choice(f"lesion{{n}}_{name}", f"lesions.0.{name}", values)


def sins_of_first_lesion(case: Case) -> dict[str, Any]:
    return sins_lesion((case.lesions or [])[0], 0).to_dict()


@cache
def sins_groups() -> tuple[tuple[str, Table], ...]:
    """SINS: location from level and extent, then one group per lesion item."""
    from oncospine.scores.sins import ALIGNMENT, BONE_LESION, COLLAPSE, PAIN, POSTEROLATERAL

    location = (lesion_axis("level", v.LEVELS), lesion_axis("extends_to", v.LEVELS))
    out = [("location", group_table(location, ("location",), LESION_BASE,
                                    sins_of_first_lesion))]
    for name, table in (("pain", PAIN), ("bone_lesion", BONE_LESION),
                        ("alignment", ALIGNMENT), ("collapse", COLLAPSE),
                        ("posterolateral", POSTEROLATERAL)):
        out.append((name, group_table((lesion_axis(name, tuple(table)),), (name,),
                                      LESION_BASE, sins_of_first_lesion)))
    return tuple(out)


def _result(fn: Callable[[Case], Any]) -> Callable[[Case], dict[str, Any]]:
    return lambda case: fn(case).to_dict()


@dataclass(frozen=True, slots=True)
class ScoreTables:
    scope: Table
    groups: tuple[Table, ...]


def _scope(score: Callable[[Case], dict[str, Any]]) -> Table:
    return probe(SCOPE_AXES, PROGNOSTIC_BASE,
                 lambda case: {"na": score(case)["status"] == "not_applicable"}, {"na": True})


@cache
def prognostic(name: str) -> ScoreTables:
    """Scope and groups of one prognostic score, by its assessment name."""
    from oncospine.scores import PROGNOSTIC

    score = _result(PROGNOSTIC[name])
    tokuhashi = (
        ((KPS, ECOG), ("general_condition",)),
        ((EXTRASPINAL,), ("extraspinal_bone_metastases",)),
        ((VERTEBRAL,), ("vertebral_metastases",)),
        ((VISCERAL, BRAIN), ("internal_organ_metastases",)),
        ((SITE,), ("primary_site",)),
        ((FRANKEL, ASIA), ("palsy",)),
    )
    modified_bauer = (
        ((VISCERAL, BRAIN), ("no_visceral_metastases",)),
        ((SITE,), ("not_lung", "favourable_primary")),
        ((VERTEBRAL, EXTRASPINAL), ("solitary_skeletal_metastasis",)),
    )
    layout = {
        "tomita": (((SITE, GROWTH), ("growth",)), ((VISCERAL, BRAIN), ("visceral",)),
                   ((VERTEBRAL, EXTRASPINAL), ("bone",))),
        "tokuhashi_revised": tokuhashi,
        "tokuhashi_original": tokuhashi,
        "bauer": (*modified_bauer, ((FRACTURE,), ("no_pathological_fracture",))),
        "modified_bauer": modified_bauer,
        "nesms": (((AMBULATORY, NOT_WALKING_HOURS), ("ambulatory",)),
                  ((albumin_axis(),), ("albumin",))),
    }[name]
    groups = tuple(group_table(axes, items, PROGNOSTIC_BASE, score) for axes, items in layout)
    return ScoreTables(_scope(score), groups)


def albumin_axis() -> Axis:
    from oncospine.scores.nesms import ALBUMIN_NORMAL_G_PER_L as cut

    return threshold("labs_albumin_g_per_l", "labs.albumin_g_per_l", cut, cut - 1)


@cache
def nesms_bauer_points() -> tuple[int, ...]:
    """NESMS points for each modified Bauer total (0–4), learnt from complete cases."""
    from oncospine.scores import modified_bauer, nesms

    points: dict[int, int] = {}
    axes = (SITE, VISCERAL, VERTEBRAL)
    for values in combinations(axes):
        if None in values:
            continue
        case = with_values({**PROGNOSTIC_BASE, "disease": {
            **PROGNOSTIC_BASE["disease"], "extraspinal_bone_metastases": 0}}, axes, values)
        if case is None or modified_bauer(case).status != "complete":
            continue
        total = modified_bauer(case).total
        result = nesms(case)
        if total is not None and result.total is not None:
            points[total] = result.total
    return tuple(points[t] for t in range(max(points) + 1))


@cache
def enneking_table() -> Table:
    from oncospine.scores.enneking import enneking

    def ask(case: Case) -> dict[str, Any]:
        result = enneking(case)
        return {"status": result["status"], "stage": result.get("stage")}

    return probe((TUMOUR_GRADE, BEHAVIOUR, EXTENT, METASTASIS), FORMAT, ask,
                 {"status": None, "stage": None})


@cache
def performance_table() -> Table:
    """Whether performance status allows SBRT (True, False, or None when not recorded)."""
    from oncospine.pathway.noms import performance_ok

    return probe((KPS, ECOG), FORMAT, lambda case: {"ok": performance_ok(case)},
                 {"ok": None})


@cache
def cebrt_dose_table() -> Table:
    """The conventional radiotherapy dose text the plan gives, by prognosis inputs."""
    from oncospine.pathway._model import Collected
    from oncospine.pathway.noms import LONG_COURSE_MONTHS, cebrt_dose

    months = threshold("status_life_expectancy_months", "status.life_expectancy_months",
                       LONG_COURSE_MONTHS, LONG_COURSE_MONTHS - 1)
    return probe((months, ECOG, KPS), FORMAT,
                 lambda case: {"dose": cebrt_dose(case, Collected())[0]}, {"dose": None})


@cache
def supportive_cebrt_dose() -> str | None:
    """The single-fraction dose offered when no active treatment is possible."""
    from oncospine.assessment import assess

    result = assess(validate_case({**FORMAT, "status": {"fit_for_any_treatment": False},
                                   "lesions": [{"level": "T5"}]}))
    return next((o.get("dose") for o in result["plan"]["options"] if o["id"] == "cebrt"), None)
