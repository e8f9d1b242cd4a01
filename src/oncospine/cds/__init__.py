"""CDS Hooks 2.0 service: `patient-view` triage and scores, `order-select` spine imaging advice.

Build it with `create_cds_router(CdsConfig(...))` to mount in a FastAPI app, or
`create_cds_app(...)` for a standalone app. See docs/integration.md.
"""

from oncospine.cds.service import CdsConfig, TrustedIssuer, create_cds_app, create_cds_router

__all__ = ["CdsConfig", "TrustedIssuer", "create_cds_app", "create_cds_router"]
