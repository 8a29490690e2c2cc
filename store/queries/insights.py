"""SQL for account health, competitive intelligence and interaction insights."""

from __future__ import annotations


class InsightQueries:
    """Reached as `store.insights`."""
