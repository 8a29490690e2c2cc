"""Small helpers over one `random.Random`: weighted picks and ranges, cheap enough for hot loops."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable, Sequence
from typing import Generic, TypeVar

T = TypeVar("T")


class Weighted(Generic[T]):
    """A weighted choice prepared once: `table.pick(rnd)` with `rnd = rng.random`."""

    __slots__ = ("values", "_cum", "_total")

    def __init__(self, pairs: Iterable[tuple[T, float]]) -> None:
        values: list[T] = []
        cum: list[float] = []
        total = 0.0
        for value, weight in pairs:
            if weight <= 0:
                continue
            total += weight
            values.append(value)
            cum.append(total)
        if not values:
            raise ValueError("Weighted needs at least one positive weight")
        self.values = tuple(values)
        self._cum = tuple(cum)
        self._total = total

    def pick(self, rnd) -> T:
        return self.values[bisect_right(self._cum, rnd() * self._total)]


def one(rnd, items: Sequence[T]) -> T:
    return items[int(rnd() * len(items))]


def uniform(rnd, lo: float, hi: float) -> float:
    return lo + (hi - lo) * rnd()


def span(rnd, lo: int, hi: int) -> int:
    """An int in [lo, hi]."""
    return lo + int(rnd() * (hi - lo + 1))


def log_span(rnd, lo: float, hi: float) -> float:
    """Log-uniform in [lo, hi]: small values common, large ones rare (order sizes, amounts)."""
    return lo * (hi / lo) ** rnd()


def chance(rnd, p: float) -> bool:
    return rnd() < p
