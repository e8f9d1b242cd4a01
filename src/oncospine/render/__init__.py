"""Renderers of an assessment for people: terminal text, Markdown. Edges of the core."""
