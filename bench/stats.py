"""Samples to figures: the median reported, every sample kept."""

from __future__ import annotations

import statistics


def summary(samples: list[float], digits: int = 4) -> dict:
    values = [round(s, digits) for s in samples]
    return {"median": round(statistics.median(samples), digits) if samples else None, "samples": values}


def ms(seconds: list[float]) -> list[float]:
    return [s * 1000 for s in seconds]
