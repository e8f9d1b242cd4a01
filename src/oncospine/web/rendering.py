"""Jinja2 templates and the small text helpers pages share.

Codes are shown in words ("non ambulatory", "1c (borderline)"), times with their offset, and
every triage level and plan role with a word and a symbol as well as a colour.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates

from oncospine.knowledge import load
from oncospine.render import rows
from oncospine.web.forms import field_label

TEMPLATES = Path(__file__).parent / "templates"
templates = Jinja2Templates(directory=TEMPLATES)

PATHWAY_LABEL = {
    "mscc": "MSCC", "cord_compression": "cord compression", "cauda_equina": "cauda equina",
    "suspected_cancer": "suspected cancer", "infection": "infection", "fracture": "fracture",
    "back_pain": "back pain",
}
LEVEL_SHORT = {"emergency": "Emergency", "urgent": "Urgent", "soon": "Soon",
               "routine": "Routine"}
LEVEL_SYMBOL = {"emergency": "‼", "urgent": "!", "soon": "›", "routine": "·"}
CLOCK_LABEL = {"coordinator_contact": "MSCC coordinator contact", "mri_done": "MRI done",
               "mri_reported": "MRI reported", "treatment_start": "treatment start",
               "dexamethasone": "dexamethasone"}


def words(code: Any) -> str:
    """A code in words: `non_ambulatory` -> `non ambulatory`."""
    if code is None:
        return "not known"
    if isinstance(code, bool):
        return "yes" if code else "no"
    return str(code).replace("_", " ")


def when(value: Any) -> str:
    """A timestamp as `2026-11-20 09:30 +00:00`."""
    if not value:
        return ""
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return moment.strftime("%Y-%m-%d %H:%M %z")[:-2] + ":" + moment.strftime("%z")[-2:]


def time_left(due: datetime, now: datetime | None = None) -> tuple[str, bool]:
    """("3 h 20 min left", False) or ("overdue by 2 h", True)."""
    now = now or datetime.now(UTC)
    seconds = (due - now).total_seconds()
    minutes = int(abs(seconds) // 60)
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    if minutes == 0:
        return "due now", seconds < 0
    text = (f"{days} d {hours} h" if days else f"{hours} h {mins} min" if hours
            else f"{mins} min")
    return (f"{text} left", False) if seconds >= 0 else (f"overdue by {text}", True)


def option_title(option_id: str) -> str:
    entry = load("treatments").get(option_id)
    if isinstance(entry, dict) and entry.get("title"):
        return str(entry["title"])
    return words(option_id)


def source_short(source_id: str) -> str:
    entry = load("sources").get(source_id)
    return str(entry.get("short") or source_id) if isinstance(entry, dict) else source_id


def source_title(source_id: str) -> str:
    entry = load("sources").get(source_id)
    if isinstance(entry, dict):
        return str(entry.get("citation") or entry.get("short") or source_id)
    return source_id


def hours(value: Any) -> str:
    """'within 24 h', 'immediately', or nothing when no time applies."""
    return rows.hours_text(value if isinstance(value, int | float) else None)


templates.env.filters.update(words=words, when=when, option_title=option_title,
                             source_title=source_title, source_short=source_short, hours=hours,
                             value_text=rows.value_text, field_label=field_label)
templates.env.globals.update(
    LEVEL_LABEL=rows.LEVEL_LABEL, LEVEL_SHORT=LEVEL_SHORT, LEVEL_SYMBOL=LEVEL_SYMBOL,
    ROLE_MARK=rows.ROLE_MARK, SCORE_TITLES=rows.SCORE_TITLES, PATHWAY_LABEL=PATHWAY_LABEL,
    CLOCK_LABEL=CLOCK_LABEL, time_left=time_left)
