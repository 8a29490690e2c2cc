"""Pantry's benchmark harness: `python -m bench` (see docs/performance.md). Measurements, not tests."""
