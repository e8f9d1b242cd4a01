"""HTML to PDF through WeasyPrint, with every outside fetch refused.

The reports are self-contained (inline CSS and SVG), so nothing needs fetching; a URL fetcher
that refuses every request makes that a guarantee rather than a habit: a stray link to an image
or stylesheet is skipped and noted, never downloaded. WeasyPrint is imported on first use only,
so neither the clinical core nor `oncospine assess` pays for it.
"""

from __future__ import annotations

import logging
from typing import Any


def refusing_fetcher(refused: list[str] | None = None) -> Any:
    """A WeasyPrint URL fetcher that loads nothing; each URL it was asked for goes to `refused`."""
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    class RefuseAll(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> Any:
            if refused is not None:
                refused.append(url)
            raise ValueError(f"reports load nothing from outside the document: {url}")

    return RefuseAll(allowed_protocols=())


def html_to_pdf(html: str, *, refused: list[str] | None = None) -> bytes:
    """Render one self-contained HTML report to PDF bytes (paper size from its CSS @page).

    Any URL the document asks for is refused and, when `refused` is given, recorded there.
    """
    import weasyprint  # type: ignore[import-untyped]

    # A refused fetch is logged by WeasyPrint as a warning; the caller gets the list instead.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    document = weasyprint.HTML(string=html, base_url=None, url_fetcher=refusing_fetcher(refused))
    pdf: bytes = document.write_pdf()
    return pdf
