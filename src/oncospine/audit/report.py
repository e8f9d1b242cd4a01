"""The audit report: CSV tables, two plots and a summary in Markdown and HTML.

Plots use matplotlib's Agg backend (no display needed): monthly compliance per measure with
the standard's target as a dashed line, and the distribution of hours from presentation to
whole-spine MRI for the emergency and urgent populations, with their 24-hour and 1-week clocks.
The Markdown and HTML summaries show the same tables, built once.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import polars as pl

from oncospine.audit.measures import HOURS, Measure, populations

SHOWN_CASES = 50  # rows of each case list in the summaries; the CSV files hold them all
EXPLANATION = (
    "A case whose closing event is not recorded counts as a miss (not recorded). A case "
    "whose start time is not recorded cannot be measured (unmeasurable), and a case that may "
    "belong to a population but lacks a fact that decides it is unclassified: both are left "
    "out of the denominator and listed in unmeasurable.csv, in every report until the record "
    "is completed.")


@dataclass(frozen=True, slots=True)
class Table:
    title: str | None
    head: list[str]
    rows: list[list[Any]]


def write_report(folder: Path, summary: pl.DataFrame, outcome_rows: pl.DataFrame,
                 registry: pl.DataFrame | None, measures: tuple[Measure, ...], version: str,
                 first: date | None, last: date | None, report: Any) -> list[str]:
    """Write every file of the report; returns their names."""
    summary.write_csv(folder / "measures.csv")
    misses = outcome_rows.filter(pl.col("outcome").is_in(["late", "not recorded"])).sort(
        "measure", "start", "row")
    misses.write_csv(folder / "misses.csv")
    apart = outcome_rows.filter(pl.col("outcome").is_in(["unmeasurable", "unclassified"])).sort(
        "measure", "row")
    apart.write_csv(folder / "unmeasurable.csv")
    compliance_plot(summary, measures, folder / "compliance.png")
    mri_plot(registry, folder / "time_to_mri.png")
    tables = summary_tables(summary, misses, apart)
    heading = f"Spinal metastases pathway audit (NICE QS56, {version} version)"
    intro = (f"Period: {_period(first, last)}. Cases audited: {report.cases:,}; rows rejected "
             f"as invalid: {report.rejected:,} (see errors.csv).")
    (folder / "summary.md").write_text(markdown(heading, intro, tables), encoding="utf-8")
    (folder / "summary.html").write_text(as_html(heading, intro, tables, version),
                                         encoding="utf-8")
    return ["measures.csv", "misses.csv", "unmeasurable.csv", "compliance.png",
            "time_to_mri.png", "summary.md", "summary.html", "errors.csv"]


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def compliance_plot(summary: pl.DataFrame, measures: tuple[Measure, ...], path: Path) -> None:
    plt = _pyplot()
    monthly = summary.filter(pl.col("month") != "all")
    months = sorted(set(monthly.get_column("month").to_list()))
    fig, ax = plt.subplots(figsize=(9, 4.8), dpi=100)
    colours = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    for i, measure in enumerate(measures):
        rows = monthly.filter(pl.col("measure") == measure.id).sort("month")
        colour = colours[i % len(colours)]
        x = [months.index(m) for m in rows.get_column("month").to_list()]
        y = [None if v is None else 100 * v for v in rows.get_column("compliance").to_list()]
        ax.plot(x, y, marker="o", color=colour, label=f"{measure.id} {measure.title}")
        if measure.target is not None:
            ax.axhline(100 * measure.target, color=colour, linestyle="--", linewidth=1,
                       alpha=0.7)
    ax.set_xticks(range(len(months)), months, rotation=45, ha="right")
    ax.set_ylim(0, 105)
    ax.set_ylabel("cases meeting the measure (%)")
    ax.set_title("Monthly compliance (dashed: the standard's target)")
    ax.legend(fontsize=7, loc="lower left")
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def mri_hours(registry: pl.DataFrame | None) -> dict[str, list[float]]:
    """Hours from presentation to whole-spine MRI, for the emergency and urgent populations."""
    if registry is None:
        return {"emergency": [], "urgent": []}
    groups = populations()
    hours = ((pl.col("events_mri_done") - pl.col("events_presentation")).dt.total_microseconds()
             / HOURS)
    out = {}
    for label, population in (("emergency", groups["neuro_mscc"]),
                              ("urgent", groups["pain_no_neuro"])):
        values = registry.filter(population.certain()).select(hours.alias("h")).drop_nulls()
        out[label] = values.get_column("h").to_list()
    return out


def mri_plot(registry: pl.DataFrame | None, path: Path) -> None:
    plt = _pyplot()
    data = mri_hours(registry)
    fig, axes = plt.subplots(1, 2, figsize=(10, 4), dpi=100)
    for ax, (label, clock) in zip(axes, (("emergency", 24), ("urgent", 168)), strict=True):
        values = data[label]
        if values:
            ax.hist(values, bins=40, color="#4477aa")
        ax.axvline(clock, color="#cc3311", linestyle="--", label=f"{clock} h")
        ax.set_title(f"{label}: presentation → MRI (n = {len(values):,})")
        ax.set_xlabel("hours")
        ax.set_ylabel("cases")
        ax.legend()
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def _period(first: date | None, last: date | None) -> str:
    if not first and not last:
        return "all dates in the file"
    return f"{first or 'the start'} to {last or 'the end'} (start events, inclusive)"


def _share(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _time(value: Any) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d %H:%M")


def _cases(frame: pl.DataFrame) -> list[list[Any]]:
    return [[r["measure"], r["row"], r["case_id"] or "", _time(r["start"]), _time(r["done_at"]),
             "" if r["hours"] is None else r["hours"], r["outcome"], r["why"] or ""]
            for r in frame.head(SHOWN_CASES).iter_rows(named=True)]


def _shown(count: int) -> str:
    return f"{count:,}, the first {SHOWN_CASES} shown" if count > SHOWN_CASES else f"{count:,}"


def summary_tables(summary: pl.DataFrame, misses: pl.DataFrame,
                   apart: pl.DataFrame) -> list[Table]:
    """The summary's tables: overall, by month, the cases that missed, the cases counted apart."""
    overall = [[r["measure"], r["title"], f"{r['numerator']} / {r['denominator']}",
                _share(r["compliance"]), _share(r["target"]), r["late"], r["not_recorded"],
                r["unmeasurable"], r["unclassified"], r["source"]]
               for r in summary.filter(pl.col("month") == "all").iter_rows(named=True)]
    monthly = [[r["measure"], r["month"], f"{r['numerator']} / {r['denominator']}",
                _share(r["compliance"]), r["unclassified"]]
               for r in summary.filter(pl.col("month") != "all").iter_rows(named=True)]
    case_head = ["measure", "row", "case", "start", "done", "hours", "outcome", "why"]
    return [
        Table(None, ["measure", "what", "met / eligible", "compliance", "target", "late",
                     "not recorded", "unmeasurable", "unclassified", "source"], overall),
        Table("By month", ["measure", "month", "met / eligible", "compliance", "unclassified"],
              monthly),
        Table(f"Cases that missed ({_shown(misses.height)}; all in misses.csv)", case_head,
              _cases(misses)),
        Table(f"Cases counted apart ({_shown(apart.height)}; all in unmeasurable.csv)",
              case_head, _cases(apart)),
    ]


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|")


def markdown(heading: str, intro: str, tables: list[Table]) -> str:
    lines = [f"# {heading}", "", intro, "", EXPLANATION, ""]
    for i, table in enumerate(tables):
        if table.title:
            lines += [f"## {table.title}", ""]
        lines += ["| " + " | ".join(table.head) + " |", "|" + "---|" * len(table.head)]
        lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in table.rows]
        lines.append("")
        if i == 0:
            lines += ["![Monthly compliance](compliance.png)", "",
                      "![Hours from presentation to MRI](time_to_mri.png)", ""]
    return "\n".join(lines)


def as_html(heading: str, intro: str, tables: list[Table], version: str) -> str:
    e = html.escape

    def render(table: Table) -> str:
        out = [f"<h2>{e(table.title)}</h2>" if table.title else "",
               "<table><thead><tr>", *[f"<th>{e(h)}</th>" for h in table.head],
               "</tr></thead><tbody>"]
        for row in table.rows:
            out.append("<tr>" + "".join(f"<td>{e(str(cell))}</td>" for cell in row) + "</tr>")
        out.append("</tbody></table>")
        return "".join(out)

    body = [render(tables[0]),
            '<img src="compliance.png" alt="Monthly compliance per measure, with target lines">',
            '<img src="time_to_mri.png" alt="Hours from presentation to whole-spine MRI">',
            *[render(t) for t in tables[1:]]]
    return "\n".join([
        "<!doctype html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>QS56 audit ({e(version)})</title>",
        "<style>body{font-family:sans-serif;max-width:70em;margin:2em auto;padding:0 1em}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #999;"
        "padding:.3em .6em;text-align:left}th{background:#eee}img{max-width:100%}</style>",
        "</head><body>", f"<h1>{e(heading)}</h1>", f"<p>{e(intro)}</p>",
        f"<p>{e(EXPLANATION)}</p>", *body, "</body></html>", ""])
