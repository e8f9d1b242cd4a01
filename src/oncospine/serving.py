"""Process settings for serving the web app or the CDS service under load.

Answering a CDS call allocates many short-lived objects (the FHIR models of the prefetch), so
Python's cyclic collector runs often and, left as it is, walks every long-lived object the app
loaded at start (knowledge catalogues, models, routes) each time. Freezing what exists once the
app is built and collecting the young generation less often removes those pauses from the
latency tail (measured in benchmarks/cds_hooks.py; docs/benchmarks.md).
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 50_000


def settle_heap() -> None:
    """Call once, after the app is built and before serving."""
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
