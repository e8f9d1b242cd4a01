"""Facts derived from the raw case that several scores share.

Each helper returns the set of values still possible (one value when known) and the dotted case
paths to ask for when more than one is possible. Conversions between scales are done as ranges
and reported as warnings (D-05, D-06).

References: scores.md §8.3 (ECOG ↔ KPS table A), decisions D-05, D-06, D-07, D-08.
"""

from __future__ import annotations

from dataclasses import dataclass

from oncospine.case import Case
from oncospine.vocab import PRIMARY_SITES

# scores.md §8.3 table A (conventional), the product default (D-05).
ECOG_TO_KPS: dict[int, tuple[int, ...]] = {
    0: (90, 100), 1: (70, 80), 2: (50, 60), 3: (30, 40), 4: (10, 20), 5: (0,),
}  # fmt: skip
KPS_TO_ECOG: dict[int, int] = {k: e for e, ks in ECOG_TO_KPS.items() for k in ks}
ALL_KPS: tuple[int, ...] = tuple(range(0, 101, 10))


@dataclass(frozen=True, slots=True)
class Warning_:
    id: str
    text: str

    def to_dict(self) -> dict[str, str]:
        return {"id": self.id, "text": self.text}


def kps_values(case: Case) -> tuple[tuple[int, ...], bool]:
    """KPS values still possible, and whether they came from an ECOG conversion."""
    s = case.status
    if s.kps is not None:
        return (s.kps,), False
    if s.ecog is not None:
        return ECOG_TO_KPS[s.ecog], True
    return ALL_KPS, False


def ecog_values(case: Case) -> tuple[tuple[int, ...], bool]:
    """ECOG grades still possible, and whether they came from a KPS conversion."""
    s = case.status
    if s.ecog is not None:
        return (s.ecog,), False
    if s.kps is not None:
        return (KPS_TO_ECOG[s.kps],), True
    return tuple(range(6)), False


def frankel_values(case: Case) -> tuple[tuple[str, ...], bool]:
    """Frankel grades still possible, and whether ASIA stood in for Frankel (D-06)."""
    s = case.status
    if s.frankel is not None:
        return (s.frankel,), False
    if s.asia is not None:
        return (s.asia,), True
    return ("A", "B", "C", "D", "E"), False


def ambulatory_values(case: Case) -> tuple[str, ...]:
    """Walking status still possible: hours since walking imply non-ambulatory."""
    s = case.status
    if s.ambulatory is not None:
        return (s.ambulatory,)
    if s.non_ambulatory_hours is not None:
        return ("non_ambulatory",)
    return ("independent", "with_aid", "non_ambulatory")


def primary_sites(case: Case) -> tuple[str, ...]:
    site = case.cancer.primary_site
    return (site,) if site is not None else PRIMARY_SITES


def visceral_values(case: Case) -> tuple[str, ...]:
    d = case.disease
    if d.visceral_metastases is not None:
        return (d.visceral_metastases,)
    if d.brain_metastases:  # brain counts as visceral (D-07), so "none" is no longer possible
        return ("removable", "unremovable")
    return ("none", "removable", "unremovable")


def bone_counts(case: Case) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Representative vertebral and extraspinal counts (every score category is covered)."""
    d = case.disease
    vertebral = (d.vertebral_metastases,) if d.vertebral_metastases is not None else (0, 1, 2, 3)
    extra = (
        (d.extraspinal_bone_metastases,)
        if d.extraspinal_bone_metastases is not None
        else (0, 1, 2, 3)
    )
    return vertebral, extra


def solitary_values(case: Case) -> tuple[bool, ...]:
    """Whether the skeleton holds a single metastasis (D-08), over counts still possible.

    Combinations with no bone metastasis at all are left out: the bone-metastasis scores
    describe people who have at least one.
    """
    vertebral, extra = bone_counts(case)
    seen = {vc + ec == 1 for vc in vertebral for ec in extra if vc + ec >= 1}
    return tuple(sorted(seen))


def no_bone_metastasis(case: Case) -> bool:
    d = case.disease
    return d.vertebral_metastases == 0 and d.extraspinal_bone_metastases == 0


def conversion_warnings(case: Case) -> list[Warning_]:
    s = case.status
    out: list[Warning_] = []
    if s.kps is None and s.ecog is not None:
        kps = ECOG_TO_KPS[s.ecog]
        span = f"{kps[0]}–{kps[-1]}" if len(kps) > 1 else str(kps[0])
        out.append(Warning_(
            "kps_from_ecog",
            f"KPS derived from ECOG {s.ecog} using table A (scores.md §8.3): KPS {span}; "
            "other published tables differ, so record KPS itself if a score depends on it"))
    if s.ecog is None and s.kps is not None:
        out.append(Warning_(
            "ecog_from_kps",
            f"ECOG derived from KPS {s.kps} using table A (scores.md §8.3): ECOG "
            f"{KPS_TO_ECOG[s.kps]}; tables B and C can give a different grade"))
    if s.frankel is None and s.asia is not None:
        out.append(Warning_(
            "frankel_from_asia",
            f"Frankel taken as ASIA {s.asia} (D-06): approximate, AIS is not Frankel"))
    return out
