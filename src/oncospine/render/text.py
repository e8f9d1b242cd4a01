"""Terminal rendering with Rich: the triage banner first, then scores, plan and unknowns.

Colour is never the only signal: every level, role and band is also written in words.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from oncospine.render import rows as r

LEVEL_STYLE = {"emergency": "bold white on red", "urgent": "bold black on dark_orange",
               "soon": "bold black on yellow", "routine": "bold white on green"}


def _table(title: str, header: list[str], body: list[list[str]]) -> Table:
    table = Table(title=title, title_justify="left", show_lines=False, expand=True)
    for i, name in enumerate(header):
        table.add_column(name, overflow="fold", ratio=3 if i == 3 else 1)
    for row in body:
        table.add_row(*(Text(cell) for cell in row))
    return table


def banner(a: dict[str, Any]) -> Panel:
    t = a["triage"]
    lines = [Text(r.LEVEL_LABEL[t["level"]], style=LEVEL_STYLE[t["level"]]),
             Text(f"pathway: {t['pathway'].replace('_', ' ')}")]
    if t["coordinator_contact_within_hours"] is not None:
        when = r.hours_text(t["coordinator_contact_within_hours"])
        lines.append(Text(f"MSCC coordinator: {when}"))
    if t["mri_within_hours"] is not None:
        lines.append(Text(f"whole-spine MRI: {r.hours_text(t['mri_within_hours'])}"))
    for clock in t["clocks"]:
        style = "bold red" if clock["state"] in ("overdue", "late") else ""
        left = f", {clock['hours_left']:g} h left" if clock["hours_left"] is not None else ""
        lines.append(Text(f"clock {clock['id']}: due {clock['due']} ({clock['state']}{left})",
                          style=style))
    for reason in t["reasons"]:
        lines.append(Text(f"• {reason['rule']}: {reason['text']} [{reason['evidence']}]"))
    title = f"Triage — {a.get('case_id') or 'case'} — assessed {a['assessed_at']}"
    return Panel(Group(*lines), title=title, border_style=LEVEL_STYLE[t["level"]].split()[-1])


def render(a: dict[str, Any], console: Console) -> None:
    console.print(banner(a))
    console.print(_table("Actions now", ["role", "action", "when", "why", "rules"],
                         r.option_rows(a["triage"]["actions"])))
    if a["scores"]["sins"]["lesions"]:
        console.print(_table("Lesions: SINS (higher = more unstable) and ESCC",
                             ["level", "SINS", "band", "components", "ESCC"], r.sins_rows(a)))
    console.print(_table("Prognostic scores", ["score", "value", "band", "direction", "missing"],
                         r.prognostic_rows(a)))
    enn = r.enneking_text(a)
    if enn:
        console.print(enn)
    console.print(_table("Work-up", ["role", "test", "when", "why", "rules"],
                         r.option_rows(a["workup"])))
    console.print(_table("Plan", ["role", "option", "when", "why", "rules"],
                         r.option_rows(a["plan"]["options"])))
    for note in a["plan"]["notes"]:
        console.print(Text.assemble(("note ", "bold"), f"{note['rule']}: {note['text']}"))
    for conflict in a["plan"]["conflicts"]:
        console.print(Text.assemble((f"sources disagree {conflict['id']} ", "bold"),
                                    f"{conflict['title']}: {conflict['text']}"))
    if a["missing_inputs"]:
        console.print(Text.assemble(("Missing inputs (unknown, not zero): ", "bold"),
                                    ", ".join(a["missing_inputs"])))
    for warning in a["warnings"]:
        console.print(Text.assemble(("warning ", "bold"), warning["text"]))
    console.print(f"ruleset {a['ruleset']['version']} · decision support only: the clinical team "
                  "decides with the person")


def render_score(result: dict[str, Any], console: Console) -> None:
    table = Table(title=f"{result['score']}", title_justify="left")
    table.add_column("field")
    table.add_column("value", overflow="fold")
    for key, value in result.items():
        if key in ("score", "sources", "rules"):
            continue
        table.add_row(key, Text(str(value)))
    table.add_row("sources", ", ".join(result.get("sources", [])))
    console.print(table)
