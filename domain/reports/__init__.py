"""Reports: every figure of the analytics issue, as tables, CSV, JSON and Markdown.

Each report module exposes `NAME`, `TITLE` and `build(session, params) -> Report`; the registry
below is what `pantry report NAME` and the Reports screen list.
"""
