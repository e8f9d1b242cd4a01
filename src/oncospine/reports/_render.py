"""Template machinery shared by both reports: one Jinja2 environment, paper sizes, inline CSS.

Autoescaping is on and undefined names fail loudly, so a missing field is a test failure rather
than an empty cell. The CSS is read from the package and inlined, and the SVG is generated here,
so a report is one self-contained HTML document that fetches nothing.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from oncospine.errors import UnknownNameError

# CSS page sizes for WeasyPrint; margins leave room for the running footer.
PAPERS: dict[str, str] = {"a4": "A4", "letter": "letter"}


def page_size(paper: str) -> str:
    """The CSS `@page size` for a paper name; an unknown name is a user error."""
    try:
        return PAPERS[paper.lower()]
    except KeyError:
        raise UnknownNameError("paper", paper, PAPERS) from None


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("oncospine.reports", "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    return env


@cache
def stylesheet(name: str) -> str:
    return (resources.files("oncospine.reports") / "templates" / name).read_text("utf-8")


def render(template: str, **context: Any) -> str:
    """Render one template with the shared stylesheet inlined."""
    css = Markup(stylesheet("report.css"))  # our own file, inlined as it is
    return environment().get_template(template).render(css=css, **context)
