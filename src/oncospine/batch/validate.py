"""Row validation in bulk, with the case model as the final judge.

Every column is parsed by a Polars expression that accepts only values the case model would
accept unchanged (an enumerated code, an integer within its bounds, an ISO 8601 time with an
offset, …) and the cross-field checks of `consistency_issues` are repeated as expressions. A row
that passes all of them is certainly valid. A row that fails any of them is handed to
`oncospine.case.validate_case`, which either rejects it, giving the errors file the same
messages the single-case command gives, or accepts it (the model reads "yes" as true, for
example), and then the validated case is flattened back into the batch. So the verdict on every
row is the case model's own, while valid rows in canonical form never leave the vectorised path.

References: shared spec case-format.md; DESIGN.md principle 4 "Errors as data".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from oncospine.batch import schema as fs
from oncospine.case import G_PER_DL_HINTS, validate_case
from oncospine.errors import CaseValidationError
from oncospine.vocab import LEVELS

TIME_FORMAT = "%Y-%m-%dT%H:%M:%S%.f%z"
TIME_PATTERN = (r"^[0-9]{4}-[0-9]{2}-[0-9]{2}T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
                r"(\.[0-9]{1,6})?(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$")
INT_PATTERN = r"^-?[0-9]{1,18}$"
FLOAT_PATTERN = r"^-?[0-9]{1,15}(\.[0-9]{1,15})?$"
TIME_DTYPE = pl.Datetime("us", "UTC")
DTYPES: dict[str, pl.DataType] = {
    "int": pl.Int64(), "float": pl.Float64(), "bool": pl.Boolean(), "text": pl.String(),
    "choice": pl.String(), "time": TIME_DTYPE, "choices": pl.List(pl.String()),
    "ints": pl.List(pl.Int64()),
}
ROW = "row"
_LEVEL_CODES = next(f.allowed for f in fs.SLOT_TEMPLATES["lesions"] if f.path[-1] == "level")
if _LEVEL_CODES != LEVELS:  # the consistency check compares level codes as positions
    raise RuntimeError("the lesion level vocabulary is not in anatomical order")


@dataclass(slots=True)
class Prepared:
    """Valid rows in canonical types (with their input row numbers) and the rejected rows."""

    cases: pl.DataFrame
    errors: list[dict[str, Any]] = field(default_factory=list)


def dtype_of(f: fs.Field) -> pl.DataType:
    """Canonical dtype of a field: codes as a Polars Enum of the allowed values (each value is
    hashed once, when read, and later steps work on its small integer code)."""
    return pl.Enum(list(f.allowed)) if f.kind == "choice" else DTYPES[f.kind]


def typed_schema(slots: Mapping[str, int]) -> dict[str, pl.DataType]:
    """Column → canonical dtype of a validated batch with this many slots per section."""
    out: dict[str, pl.DataType] = {ROW: pl.Int64()}
    out.update({f.column: dtype_of(f) for f in fs.SCALARS})
    for section, count_column in fs.COUNT_COLUMNS.items():
        out[count_column] = pl.Int64()
        for n in range(1, slots.get(section, 0) + 1):
            out.update({(f := fs.slot_field(section, t, n)).column: dtype_of(f)
                        for t in fs.SLOT_TEMPLATES[section]})
    return out


# ---------------------------------------------------------------- one column


def _is_int(dtype: Any) -> bool:
    return dtype.is_integer()


def parse_column(f: fs.Field, raw: pl.Expr, dtype: pl.DataType) -> tuple[pl.Expr, pl.Expr]:
    """(canonical value, rejected?) for one raw column; rejected is False where raw is null.

    The value means nothing where the row is rejected: such rows never reach the kernel.
    """
    value = _value(f, raw, dtype)
    invalid = value.is_null()
    if f.kind in ("int", "float"):
        if f.kind == "float":
            invalid = invalid | value.is_nan()
        if f.ge is not None:
            invalid = invalid | (value < f.ge)
        if f.le is not None:
            invalid = invalid | (value > f.le)
        if f.multiple_of is not None:
            invalid = invalid | (value % int(f.multiple_of) != 0)
    elif f.kind == "choices":
        invalid = invalid | ~value.list.eval(
            pl.element().is_in(f.allowed).fill_null(False)).list.all()
    elif f.kind == "ints":
        element = pl.element()
        ok = element.is_not_null()
        if f.ge is not None:
            ok = ok & (element >= f.ge)
        if f.le is not None:
            ok = ok & (element <= f.le)
        invalid = invalid | ~value.list.eval(ok.fill_null(False)).list.all()
    elif f.kind == "time":
        invalid = invalid | (value.dt.year() < 1)
    rejected = raw.is_not_null() & invalid.fill_null(True)
    return value.cast(dtype_of(f)), rejected


def _value(f: fs.Field, raw: pl.Expr, dtype: pl.DataType) -> pl.Expr:
    kind = f.kind
    text = dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Enum | pl.Categorical)
    if dtype == pl.Null:
        return pl.lit(None, dtype_of(f))
    if kind == "int":
        if _is_int(dtype):
            return raw.cast(pl.Int64, strict=False)
        if dtype.is_float():
            return pl.when(raw.is_finite() & (raw == raw.floor())).then(
                raw.cast(pl.Int64, strict=False))
        if text:
            return pl.when(raw.cast(pl.String).str.contains(INT_PATTERN)).then(
                raw.cast(pl.String).cast(pl.Int64, strict=False))
    elif kind == "float":
        if dtype.is_numeric():
            return raw.cast(pl.Float64)
        if text:
            return pl.when(raw.cast(pl.String).str.contains(FLOAT_PATTERN)).then(
                raw.cast(pl.String).cast(pl.Float64, strict=False))
    elif kind == "bool":
        if dtype == pl.Boolean:
            return raw
        if text:
            s = raw.cast(pl.String)
            return pl.when(s == "true").then(True).when(s == "false").then(False)
    elif kind == "text":
        if text:
            return raw.cast(pl.String)
    elif kind == "choice":
        if text:  # a value outside the codes becomes null, and so is rejected
            return raw.cast(pl.String).cast(dtype_of(f), strict=False)
    elif kind == "time":
        return _time(raw, dtype, text)
    elif kind in ("choices", "ints"):
        return _list(kind, raw, dtype, text)
    return pl.lit(None, dtype_of(f))  # a type the reader has already refused


def _time(raw: pl.Expr, dtype: pl.DataType, text: bool) -> pl.Expr:
    if isinstance(dtype, pl.Datetime):
        if dtype.time_zone is None:  # a time without an offset: the model refuses it
            return pl.lit(None, TIME_DTYPE)
        return raw.dt.convert_time_zone("UTC").dt.cast_time_unit("us")
    if text:
        s = raw.cast(pl.String)
        return pl.when(s.str.contains(TIME_PATTERN)).then(
            s.str.replace(r"Z$", "+00:00").str.to_datetime(TIME_FORMAT, strict=False,
                                                           time_zone="UTC", time_unit="us"))
    return pl.lit(None, TIME_DTYPE)


def _list(kind: str, raw: pl.Expr, dtype: pl.DataType, text: bool) -> pl.Expr:
    target = DTYPES[kind]
    if isinstance(dtype, pl.List):
        inner = dtype.inner
        if kind == "ints" and inner is not None and (_is_int(inner) or inner == pl.Null):
            return raw.cast(target)
        if kind == "choices" and inner is not None and (
                inner in (pl.String, pl.Null) or isinstance(inner, pl.Enum | pl.Categorical)):
            return raw.cast(target)
        return pl.lit(None, target)
    if text:
        s = raw.cast(pl.String)
        parts = pl.when(s.str.strip_chars() == fs.EMPTY_LIST).then(
            pl.lit([], pl.List(pl.String))).otherwise(s.str.split(fs.LIST_SEPARATOR))
        if kind == "choices":
            return parts
        element = pl.element()
        good = element.str.contains(INT_PATTERN)
        return parts.list.eval(pl.when(good).then(element.cast(pl.Int64, strict=False)))
    return pl.lit(None, target)


# ---------------------------------------------------------------- cross-field checks


def consistency_flags(c: Callable[[str], pl.Expr], slots: Mapping[str, int]) -> pl.Expr:
    """True where `consistency_issues` would object (over canonical values)."""
    nonempty = lambda name: c(name).list.len().fill_null(0) > 0  # noqa: E731
    flags = [
        c("disease_brain_metastases").fill_null(False)
        & (c("disease_visceral_metastases") == "none").fill_null(False),
        c("status_non_ambulatory_hours").is_not_null()
        & c("status_ambulatory").is_in(["independent", "with_aid"]).fill_null(False),
        c("primary_tumour_benign_behaviour").is_not_null()
        & c("primary_tumour_grade").is_in(["low", "high"]).fill_null(False),
        c("primary_tumour_metastasis").fill_null(False)
        & c("primary_tumour_benign_behaviour").is_in(["latent", "active"]).fill_null(False),
        (c("presentation_spinal_pain") == False).fill_null(False)  # noqa: E712
        & (nonempty("presentation_pain_features") | nonempty("presentation_pain_sites")),
        (c("presentation_neuro_features").list.len() == 0).fill_null(False)
        & c("presentation_neuro_onset_hours").is_not_null(),
        (c("cancer_haematological") == "confirmed").fill_null(False)
        & (c("cancer_history") == "none").fill_null(False),
    ]
    for name, below, _example in G_PER_DL_HINTS:
        flags.append((c(f"labs_{name}_g_per_l") < below).fill_null(False))
    for n in range(1, slots.get("lesions", 0) + 1):
        # Levels are Enums in anatomical order (LEVELS), so their codes compare as levels do.
        level = c(f"lesion{n}_level").to_physical()
        last = c(f"lesion{n}_extends_to").to_physical()
        flags.append(last.is_not_null() & (level.is_null() | (last < level)))
    return pl.any_horizontal(flags)


# ---------------------------------------------------------------- a whole batch


def slot_numbers(columns: Iterable[str]) -> dict[str, int]:
    """Highest slot number present per repeated section."""
    out = {section: 0 for section in fs.REPEATED}
    for column in columns:
        parsed = fs.parse_slot_column(column)
        if parsed:
            out[parsed[0]] = max(out[parsed[0]], parsed[1])
    return out


def prepare(raw: pl.DataFrame, original: Callable[[int], Any] | None = None) -> Prepared:
    """Validate a raw flat batch (with a `row` column) into canonical rows and row errors.

    `original(row)` returns the document a row was read from, when there is one (JSON Lines),
    so rejected rows are judged on exactly what was written. Columns a reader adds with a `!`
    prefix mark rows to hand to the case model whatever the bulk checks say.
    """
    slots = slot_numbers(raw.columns)
    present = set(raw.columns)
    values: list[pl.Expr] = []
    rejected: list[pl.Expr] = [pl.col(name) for name in raw.columns if name.startswith("!")]
    for f in fs.fields(slots):
        if f.column in present:
            value, bad = parse_column(f, pl.col(f.column), raw.schema[f.column])
            values.append(value.alias(f.column))
            rejected.append(bad.alias(f"!{f.column}"))
        else:
            values.append(pl.lit(None, dtype_of(f)).alias(f.column))
    counts, structural = _counts(raw, slots)
    frame = raw.select(pl.col(ROW), *values, *rejected, *counts, *structural)
    c = pl.col
    frame = frame.with_columns(
        pl.any_horizontal([*[c(n) for n in _names(rejected)], consistency_flags(c, slots),
                           pl.lit(False)]).alias("!!row"),
        pl.any_horizontal([c(n) for n in _names(structural)] or [pl.lit(False)])
        .alias("!!shape"))
    schema = typed_schema(slots)
    renamed = {count: f"={count}" for count in fs.COUNT_COLUMNS.values()}
    good = frame.filter(~c("!!row") & ~c("!!shape")).select(
        [c(renamed.get(name, name)).alias(name) for name in schema])
    prepared = Prepared(good)
    shape_bad = frame.filter(c("!!shape"))
    if shape_bad.height:
        prepared.errors.extend(_shape_errors(shape_bad, raw, _names(structural)))
    suspects = frame.filter(c("!!row") & ~c("!!shape")).select(
        ROW, *[c(n) for n in frame.columns if n[:1] in "=#"])
    if suspects.height:
        rows = raw.select(c for c in raw.columns if not c.startswith(("!", "^")))
        rows = rows.join(suspects, on=ROW, how="inner")
        rescued = judge(rows.to_dicts(), slots, original, prepared.errors)
        if rescued:
            prepared.cases = pl.concat([good, canonical_frame(rescued, slots)],
                                       how="diagonal_relaxed").sort(ROW)
    return prepared


def _names(exprs: Sequence[pl.Expr]) -> list[str]:
    return [e.meta.output_name() for e in exprs]


def _counts(raw: pl.DataFrame, slots: Mapping[str, int]) -> tuple[list[pl.Expr], list[pl.Expr]]:
    """Entries per repeated section (given or inferred) and the shape checks on them."""
    counts: list[pl.Expr] = []
    checks: list[pl.Expr] = []
    present = set(raw.columns)
    for section, count_column in fs.COUNT_COLUMNS.items():
        used = [pl.any_horizontal([pl.col(c).is_not_null() for c in _slot_columns(section, n)
                                   if c in present] or [pl.lit(False)])
                for n in range(1, slots.get(section, 0) + 1)]
        inferred = pl.max_horizontal([pl.when(u).then(n) for n, u in enumerate(used, 1)]
                                     + [pl.lit(0)]).cast(pl.Int64)
        limit = fs.REPEATED[section][1]
        if count_column in present:
            spec = fs.Field(count_column, (count_column,), "int", ge=0, le=limit)
            given, bad = parse_column(spec, pl.col(count_column), raw.schema[count_column])
            beyond = pl.any_horizontal([u & (given < n) for n, u in enumerate(used, 1)]
                                       or [pl.lit(False)]).fill_null(False)
            checks.append((bad | beyond).alias(f"?{count_column}"))
            counts.append(pl.coalesce(given, inferred).alias(f"={count_column}"))
            counts.append(given.is_not_null().alias(f"#{count_column}"))
        else:
            counts.append(inferred.alias(f"={count_column}"))
            counts.append(pl.lit(False).alias(f"#{count_column}"))
        if "^" + section in present:  # JSON Lines: the real length of the list
            checks.append((pl.col("^" + section) > limit).fill_null(False)
                          .alias(f"?{section}"))
    return counts, checks


def _slot_columns(section: str, n: int) -> list[str]:
    return [fs.slot_field(section, t, n).column for t in fs.SLOT_TEMPLATES[section]]


def _shape_errors(bad: pl.DataFrame, raw: pl.DataFrame,
                  checks: list[str]) -> list[dict[str, Any]]:
    out = []
    ids = dict(raw.select(ROW, "case_id").iter_rows()) if "case_id" in raw.columns else {}
    for record in bad.select(ROW, *checks).to_dicts():
        for check in checks:
            if not record[check]:
                continue
            name = check[1:]
            if name in fs.REPEATED:
                limit = fs.REPEATED[name][1]
                message = (f"more than {limit} {name} entries: the flat form holds {limit}; "
                           "merge contiguous levels with extends_to")
            else:
                section = next(s for s, c in fs.COUNT_COLUMNS.items() if c == name)
                message = (f"{name} must be a whole number from 0 to "
                           f"{fs.REPEATED[section][1]}, and no numbered {section} column beyond "
                           "it may hold a value")
            out.append(error(record[ROW], ids.get(record[ROW]), name, message, None))
    return out


def error(row: int, case_id: Any, column: str, message: str, value: Any,
          allowed: Sequence[str] = (), suggestion: str | None = None) -> dict[str, Any]:
    """One line of the errors file."""
    return {"row": row, "case_id": case_id if isinstance(case_id, str) else None,
            "field": column, "message": message,
            "value": None if value is None else str(value),
            "allowed": "|".join(allowed) if allowed else None, "did_you_mean": suggestion}


def judge(rows: list[dict[str, Any]], slots: Mapping[str, int],
          original: Callable[[int], Any] | None,
          errors: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Let the case model decide the rows the bulk checks did not clear."""
    rescued = []
    names = {f.column for f in fs.fields(slots)}
    for row in rows:
        number = row[ROW]
        if original is not None:
            doc = original(number)
        else:
            counts = {section: (row[f"={count}"]
                                if row[f"#{count}"] or row[f"={count}"] else None)
                      for section, count in fs.COUNT_COLUMNS.items()}
            doc = fs.unflatten({k: v for k, v in row.items() if k in names}, counts)
        flat = judge_document(number, doc, errors)
        if flat is not None:
            rescued.append(flat)
    return rescued


def judge_document(number: int, doc: Any, errors: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Validate one case document; its flat row, or None after recording its errors."""
    case_id = doc.get("id") if isinstance(doc, dict) else None
    try:
        case = validate_case(doc)
    except CaseValidationError as exc:
        for issue in exc.issues:
            errors.append(error(number, case_id, issue.path or "<case>", issue.message,
                                issue.value, issue.allowed, issue.suggestion))
        return None
    for section, (_, limit) in fs.REPEATED.items():
        entries = getattr(case, section) or ()
        if len(entries) > limit:
            errors.append(error(number, case_id, section,
                                f"more than {limit} {section} entries: the flat form holds "
                                f"{limit}; merge contiguous levels with extends_to",
                                len(entries)))
            return None
    flat = fs.flatten(case)
    flat[ROW] = number
    return flat


def canonical_frame(rows: list[dict[str, Any]], slots: Mapping[str, int] | None = None
                    ) -> pl.DataFrame:
    """Flattened validated cases as a frame in canonical types."""
    wanted = dict(slots or {})
    for row in rows:
        for section, count in fs.COUNT_COLUMNS.items():
            wanted[section] = max(wanted.get(section, 0), row.get(count) or 0)
    schema = typed_schema(wanted)
    return pl.DataFrame([{k: row.get(k) for k in schema} for row in rows], schema=schema,
                        orient="row")
