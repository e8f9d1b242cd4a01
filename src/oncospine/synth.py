"""A synthetic registry of plausible spinal-metastasis cases, for demos and benchmarks.

Not patients: every case is drawn from the distributions below, deterministically for a seed.
Where a published figure exists it is used and cited (pathway.md §8, sources named there);
every other figure is marked *illustrative*: chosen to look like a spine-oncology service and
to exercise every branch (incomplete inputs, emergencies, late clocks), not taken from a study.

Correlations that matter clinically are kept: performance status drives walking; compression
grade drives neurological deficit, which drives Frankel grade, dexamethasone and the clock;
the primary site drives sex, bone-lesion type and life expectancy.

Output is the flat case form (docs/batch.md) as Parquet or CSV, or case documents as JSON Lines,
chosen by the file extension; large registries are generated and written in chunks.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from oncospine.derive import ECOG_TO_KPS
from oncospine.errors import OncospineError
from oncospine.vocab import LEVELS

CHUNK = 500_000
HOUR_US = 3_600_000_000
ISO_FORMAT = "%Y-%m-%dT%H:%M:%S%.6f%:z"
START = datetime(2026, 1, 1, tzinfo=UTC)
DAYS = 365

# Primary sites. Solid tumours: Bollen 2016, n = 1,379 treated for symptomatic spinal bone
# metastases (pathway.md §8.1, source S30): case counts per site; "pancreaticobiliary" is
# counted as pancreas, "urothelial" as bladder, "hepatocellular" as liver, the 59 not listed as
# other. The lung split into NSCLC and SCLC is illustrative (85 : 15). Myeloma is added at 10 %
# ("> 10 %" of MSCC, Rades & Schild, pathway.md §8.3, S52) and lymphoma at 3 % (illustrative),
# because the Bollen cohort is solid tumours only.
BOLLEN_2016 = {"breast": 388, "lung": 318, "prostate": 259, "kidney": 90, "colon": 73,
               "bladder": 36, "unknown": 31, "melanoma": 28, "pancreas": 28, "oesophagus": 27,
               "thyroid": 15, "stomach": 14, "liver": 13, "other": 59}
LUNG_SCLC_SHARE = 0.15  # illustrative
HAEMATOLOGICAL_SHARE = {"myeloma": 0.10, "lymphoma": 0.03}
# Median survival in months by primary (Bollen 2016, S30), used for the clinician's estimate of
# life expectancy; sites the cohort does not give are illustrative.
MEDIAN_SURVIVAL_MONTHS = {"breast": 18.6, "lung_nsclc": 2.0, "lung_sclc": 2.0, "prostate": 7.4,
                          "kidney": 7.8, "colon": 3.1, "bladder": 1.7, "unknown": 2.8,
                          "melanoma": 1.5, "pancreas": 2.5, "oesophagus": 2.1, "thyroid": 7.3,
                          "stomach": 1.4, "liver": 4.8}
OTHER_MEDIAN_MONTHS = 6.0  # illustrative (myeloma, lymphoma, other)
# Region of symptomatic spinal metastases: thoracic 70 %, lumbar 20 %, cervical 10 %
# (pathway.md §8.3, S52d, secondary source).
REGIONS = {"thoracic": 0.70, "lumbar": 0.20, "cervical": 0.10}
# Everything below is illustrative.
ECOG_SHARE = (0.10, 0.30, 0.25, 0.20, 0.15, 0.0)
ESCC_SHARE = {"0": 0.30, "1a": 0.20, "1b": 0.15, "1c": 0.10, "2": 0.15, "3": 0.10}
NEURO_CHANCE = {"0": 0.05, "1a": 0.05, "1b": 0.10, "1c": 0.25, "2": 0.55, "3": 0.80}
LESION_COUNT_SHARE = (0.55, 0.30, 0.15)
MISSING = 0.10  # chance that an optional input was not recorded
NEURO_SETS = [["limb_weakness"], ["limb_weakness", "gait_disturbance"],
              ["sensory_loss", "limb_weakness"], ["radicular_pain"],
              ["limb_weakness", "bladder_dysfunction"], ["paraesthesia", "gait_disturbance"],
              ["cord_or_cauda_signs", "limb_weakness", "sensory_loss"]]
PAIN_SETS = [["night_pain"], ["mechanical"], ["progressive", "night_pain"],
             ["severe_unremitting"], ["band_like", "progressive"], ["localised_tenderness"], []]
GENERAL_SETS = [[], [], [], ["weight_loss"], ["multiple_pain_sites"]]


def site_shares() -> dict[str, float]:
    total = sum(BOLLEN_2016.values())
    solid = 1.0 - sum(HAEMATOLOGICAL_SHARE.values())
    shares: dict[str, float] = {}
    for site, count in BOLLEN_2016.items():
        share = solid * count / total
        if site == "lung":
            shares["lung_nsclc"] = share * (1 - LUNG_SCLC_SHARE)
            shares["lung_sclc"] = share * LUNG_SCLC_SHARE
        else:
            shares[site] = share
    shares.update(HAEMATOLOGICAL_SHARE)
    return shares


def _pick(rng: np.random.Generator, options: list[Any], shares: Any, n: int) -> np.ndarray:
    p = np.asarray(shares, dtype=float)
    return np.asarray(options)[rng.choice(len(options), size=n, p=p / p.sum())]


def _known(rng: np.random.Generator, values: pl.Series, chance: float = MISSING) -> pl.Series:
    """The same values with a share set to unknown (null)."""
    hide = pl.Series(rng.random(len(values)) < chance)
    return pl.select(pl.when(hide).then(None).otherwise(values)).to_series().alias(values.name)


def _from_sets(rng: np.random.Generator, sets: list[list[str]], n: int) -> pl.Series:
    index = pl.Series(rng.integers(0, len(sets), size=n))
    return pl.select(pl.lit(pl.Series(sets, dtype=pl.List(pl.String))).gather(index)).to_series()


def _hours(start: pl.Series, hours: np.ndarray) -> pl.Series:
    delta = pl.Series((hours * 3_600_000_000).astype("int64")).cast(pl.Duration("us"))
    return start + delta


def chunk(n: int, rng: np.random.Generator, first: int, seed: int) -> pl.DataFrame:
    """`n` cases in the flat form, numbered from `first`."""
    cols: dict[str, Any] = {"case_id": [f"synth-{seed}-{i:08d}" for i in range(first, first + n)]}
    shares = site_shares()
    site = _pick(rng, list(shares), list(shares.values()), n)
    female = np.where(site == "breast", rng.random(n) < 0.99,
                      np.where(site == "prostate", False, rng.random(n) < 0.5))
    cols["patient_sex"] = np.where(female, "female", "male")
    cols["patient_age_years"] = np.clip(rng.normal(66, 11, n), 18, 95).astype(int)
    haem = np.isin(site, list(HAEMATOLOGICAL_SHARE))
    history = _pick(rng, ["current", "past", "suspected"], (0.80, 0.17, 0.03), n)
    cols["cancer_history"] = history
    cols["cancer_primary_site"] = np.where(history == "suspected", "unknown", site)
    cols["cancer_haematological"] = np.where(haem & (history != "suspected"), "confirmed",
                                             "none")

    ecog = rng.choice(6, size=n, p=ECOG_SHARE)
    kps_row = np.array([ECOG_TO_KPS[e][-1] for e in range(6)])
    cols["status_ecog"] = ecog
    cols["status_kps"] = np.where(rng.random(n) < 0.5, kps_row[ecog], -1)
    walk = np.where(ecog <= 1, 0, np.where(ecog == 2, rng.integers(0, 2, n),
                                           np.where(ecog == 3, rng.integers(1, 3, n), 2)))
    ambulatory = np.asarray(["independent", "with_aid", "non_ambulatory"])[walk]
    cols["status_ambulatory"] = ambulatory

    lesions = rng.choice(3, size=n, p=LESION_COUNT_SHARE) + 1
    grades = list(ESCC_SHARE)
    escc = [_pick(rng, grades, list(ESCC_SHARE.values()), n) for _ in range(3)]
    worst = np.max(np.stack([np.where(lesions > k, [grades.index(g) for g in escc[k]], -1)
                             for k in range(3)]), axis=0)
    neuro_chance = np.asarray([NEURO_CHANCE[grades[w]] for w in worst])
    neuro = rng.random(n) < neuro_chance
    cols["status_frankel"] = np.where(neuro, _pick(rng, list("ABCD"), (0.05, 0.10, 0.35, 0.50),
                                                   n), "E")
    frame = pl.DataFrame({k: v for k, v in cols.items()})
    frame = frame.with_columns(pl.when(pl.col("status_kps") >= 0).then(pl.col("status_kps"))
                               .alias("status_kps"))
    neuro_lists = _from_sets(rng, NEURO_SETS, n)
    frame = frame.with_columns(
        pl.when(pl.Series(neuro)).then(neuro_lists).otherwise(pl.lit([], pl.List(pl.String)))
        .alias("presentation_neuro_features"),
        pl.lit(True).alias("presentation_spinal_pain"),
        _from_sets(rng, PAIN_SETS, n).alias("presentation_pain_features"),
        pl.Series(np.round(rng.gamma(2.0, 2.5, n), 1)).alias("presentation_pain_weeks"),
        _from_sets(rng, GENERAL_SETS, n).alias("presentation_general_features"),
        pl.when(pl.Series(neuro)).then(pl.Series(np.round(rng.gamma(2.0, 18.0, n), 1)))
        .alias("presentation_neuro_onset_hours"),
        pl.when(pl.Series(ambulatory == "non_ambulatory")).then(
            pl.Series(np.round(rng.exponential(36.0, n), 1))).alias("status_non_ambulatory_hours"),
        pl.Series(np.where(ecog <= 2, rng.random(n) < 0.8, rng.random(n) < 0.3))
        .alias("status_fit_for_surgery"),
        pl.Series(~((ecog >= 4) & (rng.random(n) < 0.4))).alias("status_fit_for_any_treatment"),
        pl.Series(rng.random(n) < 0.03).alias("status_mri_contraindicated"),
    )
    frame = frame.with_columns(_disease(rng, n, lesions, site))
    frame = frame.with_columns(_life_expectancy(rng, site).alias("status_life_expectancy_months"),
                               pl.Series(np.round(np.clip(rng.normal(36, 5, n), 15, 50), 1))
                               .alias("labs_albumin_g_per_l"))
    frame = frame.with_columns(_lesion_columns(rng, n, lesions, escc, site))
    frame = frame.with_columns(_events(rng, n, neuro))
    return _hide_some(rng, frame)


def _disease(rng: np.random.Generator, n: int, lesions: np.ndarray,
             site: np.ndarray) -> list[pl.Series]:
    brain = rng.random(n) < 0.08
    visceral = _pick(rng, ["none", "removable", "unremovable"], (0.5, 0.15, 0.35), n)
    visceral = np.where(brain & (visceral == "none"), "unremovable", visceral)
    return [
        pl.Series("disease_vertebral_metastases", lesions + rng.poisson(0.8, n)),
        pl.Series("disease_extraspinal_bone_metastases",
                  np.where(rng.random(n) < 0.3, 0, rng.poisson(2.5, n))),
        pl.Series("disease_visceral_metastases", visceral),
        pl.Series("disease_brain_metastases", brain),
        pl.Series("disease_pathological_fracture", rng.random(n) < 0.3),
    ]


def _life_expectancy(rng: np.random.Generator, site: np.ndarray) -> pl.Series:
    median = np.asarray([MEDIAN_SURVIVAL_MONTHS.get(s, OTHER_MEDIAN_MONTHS) for s in site])
    months = rng.exponential(median / math.log(2))
    return pl.Series(np.round(np.clip(months, 0.2, 120), 1))


def _lesion_columns(rng: np.random.Generator, n: int, lesions: np.ndarray,
                    escc: list[np.ndarray], site: np.ndarray) -> list[pl.Series]:
    regions = {"cervical": [f"C{i}" for i in range(1, 8)],
               "thoracic": [f"T{i}" for i in range(1, 13)],
               "lumbar": [f"L{i}" for i in range(1, 6)]}
    region = _pick(rng, list(REGIONS), list(REGIONS.values()), n)
    blastic_site = site == "prostate"
    out = [pl.Series("lesion_count", lesions)]
    for k in range(3):
        present = lesions > k
        index = _levels_in(rng, region, regions)
        levels = np.asarray(LEVELS)[index]
        span = rng.random(n) < 0.2
        extends = np.asarray(LEVELS)[np.minimum(index + 1, LEVELS.index("L5"))]
        bone = np.where(blastic_site, _pick(rng, ["blastic", "mixed"], (0.7, 0.3), n),
                        _pick(rng, ["lytic", "mixed", "blastic"], (0.6, 0.3, 0.1), n))
        values = {
            "level": levels, "extends_to": extends,
            "compartment": np.full(n, "extradural"),
            "pain": _pick(rng, ["mechanical", "occasional", "none"], (0.3, 0.5, 0.2), n),
            "bone_lesion": bone,
            "alignment": _pick(rng, ["normal", "deformity", "subluxation"], (0.85, 0.1, 0.05),
                               n),
            "collapse": _pick(rng, ["none", "none_over_50_involved", "under_50", "over_50"],
                              (0.4, 0.2, 0.25, 0.15), n),
            "posterolateral": _pick(rng, ["none", "unilateral", "bilateral"], (0.5, 0.35, 0.15),
                                    n),
            "escc": escc[k],
        }
        for name, column in values.items():
            keep = pl.Series(present & span) if name == "extends_to" else pl.Series(present)
            out.append(pl.select(pl.when(keep).then(pl.Series(column, dtype=pl.String)))
                       .to_series().alias(f"lesion{k + 1}_{name}"))
    return out


def _levels_in(rng: np.random.Generator, region: np.ndarray,
               regions: dict[str, list[str]]) -> np.ndarray:
    """A level index drawn uniformly within each case's region."""
    first = {name: LEVELS.index(levels[0]) for name, levels in regions.items()}
    size = {name: len(levels) for name, levels in regions.items()}
    offset = np.zeros(len(region), dtype=int)
    width = np.ones(len(region), dtype=int)
    for name in regions:
        mask = region == name
        offset[mask], width[mask] = first[name], size[name]
    return offset + (rng.random(len(region)) * width).astype(int)


def _events(rng: np.random.Generator, n: int, neuro: np.ndarray) -> list[pl.Series]:
    start = pl.Series([START] * n).dt.cast_time_unit("us") + pl.Series(
        (rng.random(n) * DAYS * 86_400_000_000).astype("int64")).cast(pl.Duration("us"))
    contact = _hours(start, np.where(neuro, rng.gamma(1.5, 0.5, n), rng.gamma(2.0, 8.0, n)))
    mri = _hours(start, np.where(neuro, rng.gamma(2.0, 8.0, n), rng.gamma(2.0, 48.0, n)))
    reported = _hours(mri, rng.gamma(2.0, 1.5, n))
    decision = _hours(reported, np.where(neuro, rng.gamma(2.0, 6.0, n), rng.gamma(2.0, 30.0, n)))
    treatment = _hours(decision, rng.gamma(2.0, 10.0, n))
    dex = _hours(start, rng.gamma(1.5, 2.5, n))
    return [
        start.alias("events_presentation"),
        _known(rng, contact.alias("events_coordinator_contact")),
        _known(rng, _hours(start, rng.gamma(1.0, 2.0, n)).alias("events_mri_requested")),
        _known(rng, mri.alias("events_mri_done"), 0.05),
        _known(rng, reported.alias("events_mri_reported")),
        pl.select(pl.when(pl.Series(neuro)).then(dex)).to_series()
        .alias("events_dexamethasone_first_dose"),
        _known(rng, reported.alias("events_diagnosis_confirmed")),
        _known(rng, decision.alias("events_decision_to_treat")),
        _known(rng, treatment.alias("events_treatment_start")),
        (start + pl.Series([2 * HOUR_US] * n).cast(pl.Duration("us"))).alias("assessed_at"),
    ]


def _hide_some(rng: np.random.Generator, frame: pl.DataFrame) -> pl.DataFrame:
    """Leave a share of optional inputs unrecorded, as real registries do."""
    optional = ["patient_age_years", "status_ecog", "status_frankel", "status_ambulatory",
                "disease_vertebral_metastases", "disease_extraspinal_bone_metastases",
                "disease_visceral_metastases", "disease_pathological_fracture",
                "labs_albumin_g_per_l", "status_fit_for_surgery", "status_life_expectancy_months",
                "lesion1_pain", "lesion1_collapse", "lesion1_posterolateral", "lesion1_escc",
                "lesion2_escc"]
    hidden = frame.with_columns(_known(rng, frame.get_column(name)) for name in optional)
    # An hours-since-walking entry needs the walking status it qualifies.
    return hidden.with_columns(
        pl.when(pl.col("status_ambulatory").is_null()).then(None)
        .otherwise(pl.col("status_non_ambulatory_hours")).alias("status_non_ambulatory_hours"))


def chunks(n: int, seed: int, size: int = CHUNK) -> Iterator[pl.DataFrame]:
    """The registry in chunks; the same `n` and `seed` give the same cases."""
    streams = np.random.SeedSequence(seed).spawn(max(1, math.ceil(n / size)))
    for index, stream in enumerate(streams):
        count = min(size, n - index * size)
        if count <= 0:
            return
        yield chunk(count, np.random.default_rng(stream), index * size, seed)


def registry(n: int, seed: int = 0) -> pl.DataFrame:
    """`n` synthetic cases in the flat form (in memory)."""
    from oncospine.batch.validate import canonical_frame

    parts = list(chunks(n, seed))
    return pl.concat(parts, how="vertical") if parts else canonical_frame([])


def csv_ready(frame: pl.DataFrame) -> pl.DataFrame:
    """Lists as `a|b` (`[]` when empty), times as ISO 8601 with offset, flags as true/false."""
    out = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if isinstance(dtype, pl.List):
            col = pl.when(col.list.len() == 0).then(pl.lit("[]")).otherwise(
                col.cast(pl.List(pl.String)).list.join("|"))
        elif isinstance(dtype, pl.Datetime):
            col = col.dt.to_string(ISO_FORMAT)
        elif dtype == pl.Boolean:
            col = pl.when(col).then(pl.lit("true")).when(~col).then(pl.lit("false"))
        out.append(col.alias(name))
    return frame.select(out)


def write_registry(path: str | Path, n: int, seed: int = 0) -> None:
    """Write `n` cases to a .parquet, .csv or .jsonl file."""
    path = Path(path)
    kind = path.suffix.lower()
    if kind not in (".parquet", ".csv", ".jsonl", ".ndjson"):
        raise OncospineError(f"{path}: write the registry as .parquet, .csv or .jsonl")
    writer: Any = None
    with path.open("wb") as handle:
        for part in chunks(n, seed) if n else iter([registry(0)]):
            if kind == ".parquet":
                table = part.to_arrow()
                if writer is None:
                    import pyarrow.parquet as pq  # type: ignore[import-untyped]

                    writer = pq.ParquetWriter(handle, table.schema, compression="zstd")
                writer.write_table(table)
            elif kind == ".csv":
                csv_ready(part).write_csv(handle, include_header=writer is None)
                writer = True
            else:
                for document in documents(part):
                    handle.write((json.dumps(document, ensure_ascii=False) + "\n").encode())
        if kind == ".parquet" and writer is not None:
            writer.close()


def documents(frame: pl.DataFrame) -> Iterator[dict[str, Any]]:
    """Case documents (oncospine-case/1) from flat rows, unknown fields left out."""
    from oncospine.batch.schema import COUNT_COLUMNS, unflatten

    times = [name for name, dtype in frame.schema.items() if isinstance(dtype, pl.Datetime)]
    ready = frame.with_columns(pl.col(name).dt.to_string(ISO_FORMAT) for name in times)
    for row in ready.to_dicts():
        counts = {section: row.get(column) for section, column in COUNT_COLUMNS.items()}
        yield unflatten(row, counts)
