"""Pathway rules: triage with its clocks, work-up, immediate care, the NOMS plan, prognosis."""
