"""SQL for forecasting: history as it stood at an instant, won revenue by month, snapshots."""

from __future__ import annotations


class ForecastQueries:
    """Reached as `store.forecasting`."""
