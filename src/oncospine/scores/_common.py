"""Inputs several prognostic scores read in the same way (one definition each)."""

from __future__ import annotations

from oncospine import derive
from oncospine.case import Case
from oncospine.scores._engine import Group

VISCERAL_PATH = "disease.visceral_metastases"
SITE_PATH = "cancer.primary_site"


def out_of_scope(case: Case) -> str | None:
    """Why the metastatic prognostic scores do not apply to this case, if they do not."""
    if case.primary_tumour.grade == "benign":
        return "a benign primary spinal tumour is staged with Enneking, not with metastasis scores"
    if case.cancer.history == "none" and case.cancer.haematological != "confirmed":
        return "no cancer history recorded; these scores describe metastatic disease"
    if derive.no_bone_metastasis(case):
        return "no bone metastasis is recorded (vertebral and extraspinal counts are both 0)"
    return None


def kps_points_group(case: Case) -> Group:
    """Tokuhashi general condition: KPS 10–40 → 0, 50–70 → 1, 80–100 → 2 (KPS 0 scores 0)."""
    values, _converted = derive.kps_values(case)
    points = {0 if k < 50 else 1 if k < 80 else 2 for k in values}
    return Group.one("general_condition", points, ["status.kps"])


def count_points(value: int) -> int:
    """Tokuhashi count items: ≥ 3 → 0, 2 (or 1–2) → 1, otherwise 2."""
    return 0 if value >= 3 else 1 if value >= 1 else 2


def extraspinal_group(case: Case) -> Group:
    count = case.disease.extraspinal_bone_metastases
    values = (count,) if count is not None else (0, 1, 3)
    return Group.one("extraspinal_bone_metastases", {count_points(n) for n in values},
                     ["disease.extraspinal_bone_metastases"])


def vertebral_group(case: Case) -> Group:
    """Vertebral bodies: ≥ 3 → 0, 2 → 1, 1 → 2 (D-04, NICE's corrected table)."""
    count = case.disease.vertebral_metastases
    values = (count,) if count is not None else (1, 2, 3)
    points = {0 if n >= 3 else 1 if n == 2 else 2 for n in values}
    return Group.one("vertebral_metastases", points, ["disease.vertebral_metastases"])


def visceral_group(case: Case, name: str, points: dict[str, int]) -> Group:
    return Group.one(name, {points[v] for v in derive.visceral_values(case)}, [VISCERAL_PATH])


def palsy_group(case: Case) -> Group:
    """Frankel A/B → 0, C/D → 1, E → 2 (ASIA stands in with a warning, D-06)."""
    table = {"A": 0, "B": 0, "C": 1, "D": 1, "E": 2}
    values, _ = derive.frankel_values(case)
    return Group.one("palsy", {table[g] for g in values}, ["status.frankel"])


def site_group(case: Case, name: str, table_name: str, points: dict[str, int]) -> Group:
    sites = derive.primary_sites(case)
    rows = ((table_name, sites[0]),) if len(sites) == 1 else ()
    return Group.one(name, {points[s] for s in sites}, [SITE_PATH], rows)


def solitary_group(case: Case, name: str, solitary: int, multiple: int) -> Group:
    values = derive.solitary_values(case)
    missing = [p for p, val in (("disease.vertebral_metastases",
                                 case.disease.vertebral_metastases),
                                ("disease.extraspinal_bone_metastases",
                                 case.disease.extraspinal_bone_metastases)) if val is None]
    return Group.one(name, {solitary if s else multiple for s in values}, missing)
