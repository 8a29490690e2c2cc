"""Monthly won revenue as a series: the season detector and the least-squares model the historical method,
the new business of the pipeline method and the seasonal baseline use. Pure; docs/forecasting.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Iterable, Sequence

from domain.periods import add_months, month_start

SEASON_CANDIDATES = (3, 4, 6, 12)  # season lengths, in months, the detector considers
SEASON_ALPHA = 0.05  # the family-wise level: each of the k candidates tested is tested at SEASON_ALPHA / k


@dataclass(frozen=True)
class MonthlySeries:
    """A value per calendar month (UTC), complete months only. `start` is the first month."""

    start: date | None
    values: tuple[int, ...]

    @property
    def months(self) -> tuple[date, ...]:
        if self.start is None:
            return ()
        return tuple(add_months(self.start, i) for i in range(len(self.values)))

    def index_of(self, month: date) -> int:
        """Months from the series start to `month` (may be negative or beyond the end)."""
        assert self.start is not None
        return (month.year - self.start.year) * 12 + month.month - self.start.month

    def value(self, month: date) -> int | None:
        if self.start is None:
            return None
        i = self.index_of(month)
        return self.values[i] if 0 <= i < len(self.values) else None

    def before(self, month: date) -> "MonthlySeries":
        """The months before `month` only (the series as a forecast made on `month`'s 1st could see it)."""
        if self.start is None or month <= self.start:
            return MonthlySeries(None, ())
        return MonthlySeries(self.start, self.values[: self.index_of(month)])


WonRow = tuple[date, bool, date | None, str, int]  # (month won, created that month, month undone, owner, cents)
ProductRow = tuple[date, date | None, str, int]  # (month won, month undone, product, Σ line totals)


def _stands(undone: date | None, standing_on: date | None) -> bool:
    """A win undone in `undone`'s month still stood on `standing_on`'s 1st if it was undone that month or
    later; `standing_on` None: standing now (never undone)."""
    return undone is None or (standing_on is not None and undone >= standing_on)


class WonTable:
    """The won revenue by month, rep and whether the deal was new that month, with when a win was undone:
    everything the historical method, the naive rules, the actuals and the splits by rep read."""

    def __init__(self, rows: Iterable[WonRow], products: Iterable[ProductRow] = ()) -> None:
        self.rows = tuple(rows)
        self.products = tuple(products)
        totals: dict[tuple[date, bool, date | None], int] = {}
        for w, same, u, _owner, v in self.rows:
            key = (month_start(w), same, u)
            totals[key] = totals.get(key, 0) + v
        self._months: dict[date, list[tuple[bool, date | None, int]]] = {}
        for (month, same, u), v in sorted(totals.items(), key=lambda x: (x[0][0], x[0][1], x[0][2] or date.max)):
            self._months.setdefault(month, []).append((same, u, v))

    def only(self, owners: Iterable[str] | None) -> "WonTable":
        if owners is None:
            return self
        wanted = set(owners)
        return WonTable((r for r in self.rows if r[3] in wanted), self.products)

    def series(self, before: date, standing_on: date | None = None) -> tuple[MonthlySeries, MonthlySeries]:
        """(won per month, of which won by deals created in the same month) for the complete months before
        `before`, of the wins standing on `standing_on`'s 1st (None: now).

        The series starts with the first month that begins after the first win: the month of the first
        win is partial (the history may start in the middle of it), and months before any win say nothing
        (the CRM was not in use yet). Later months with no win are true zeros.
        """
        months = sorted(m for m, entries in self._months.items()
                        if m < before and any(_stands(u, standing_on) for _s, u, _v in entries))
        if not months:
            return MonthlySeries(None, ()), MonthlySeries(None, ())
        first = add_months(months[0], 1)
        if first >= before:
            return MonthlySeries(None, ()), MonthlySeries(None, ())
        count = (before.year - first.year) * 12 + before.month - first.month
        won, new = [0] * count, [0] * count
        for i in range(count):
            for same, u, v in self._months.get(add_months(first, i), ()):
                if _stands(u, standing_on):
                    won[i] += v
                    if same:
                        new[i] += v
        return MonthlySeries(first, tuple(won)), MonthlySeries(first, tuple(new))

    def actual(self, month: date, standing_on: date | None = None) -> int:
        return sum(v for _s, u, v in self._months.get(month, ()) if _stands(u, standing_on))

    def by_owner(self, months: Iterable[date], standing_on: date | None = None) -> dict[str, int]:
        wanted = set(months)
        out: dict[str, int] = {}
        for w, _s, u, owner, v in self.rows:
            if w in wanted and _stands(u, standing_on):
                out[owner] = out.get(owner, 0) + v
        return dict(sorted(out.items()))

    def by_product(self, months: Iterable[date], standing_on: date | None = None) -> dict[str, int]:
        wanted = set(months)
        out: dict[str, int] = {}
        for w, u, product, v in self.products:
            if w in wanted and _stands(u, standing_on):
                out[product] = out.get(product, 0) + v
        return dict(sorted(out.items()))


# -- the least-squares model -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SeriesModel:
    """y_i = level[i mod season] + slope × i: a level per phase of the season and a common trend,
    fitted by ordinary least squares."""

    season: int  # 1 = no seasonality
    trend: bool
    slope: float
    levels: tuple[float, ...]
    n: int
    phase_counts: tuple[int, ...]
    phase_index_means: tuple[float, ...]
    sxx: float
    sse: float
    sigma: float | None  # residual standard deviation (None: no degrees of freedom)
    dof: int

    def predict(self, i: int) -> float:
        return self.levels[i % self.season] + self.slope * i

    def variance(self, i: int) -> float | None:
        """Variance of a new observation at index i: σ² (1 + 1/n_p + (i − ī_p)² / Sxx)."""
        if self.sigma is None:
            return None
        p = i % self.season
        extra = 1 / self.phase_counts[p]
        if self.trend and self.sxx:
            extra += (i - self.phase_index_means[p]) ** 2 / self.sxx
        return self.sigma ** 2 * (1 + extra)


def fit_series(values: Sequence[int], season: int = 1) -> SeriesModel:
    """Least squares with a level per phase (when every phase has a month: n ≥ season) and, when there is
    history enough (n ≥ season + 3), a trend."""
    n = len(values)
    if n == 0:
        raise ValueError("no history to fit")
    season = season if 1 < season <= n else 1
    trend = n >= season + 3
    phases = [range(p, n, season) for p in range(season)]
    index_means = tuple(sum(ix) / len(ix) for ix in phases)
    value_means = tuple(sum(values[i] for i in ix) / len(ix) for ix in phases)
    sxx = sxy = 0.0
    if trend:
        for p, ix in enumerate(phases):
            for i in ix:
                sxx += (i - index_means[p]) ** 2
                sxy += (i - index_means[p]) * (values[i] - value_means[p])
    slope = sxy / sxx if sxx else 0.0
    levels = tuple(value_means[p] - slope * index_means[p] for p in range(season))
    sse = sum((values[i] - (levels[i % season] + slope * i)) ** 2 for i in range(n))
    dof = n - season - (1 if trend else 0)
    sigma = math.sqrt(sse / dof) if dof > 0 else None
    return SeriesModel(season, trend, slope, levels, n, tuple(len(ix) for ix in phases), index_means, sxx, sse,
                       sigma, dof)


# -- the season detector -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeasonDetection:
    length: int | None  # None: no seasonality found
    p_values: dict[int, float | None]  # lag -> p-value of the F-test (None: too little history for that lag)
    level: float  # each candidate's test level: SEASON_ALPHA / the number of candidates tested


def season_eligible(n: int, lag: int) -> bool:
    """Two full seasons, and two degrees of freedom left after a level per phase and a trend."""
    return n >= 2 * lag and n - lag - 1 >= 2


def detect_season(values: Sequence[int], candidates: Sequence[int] = SEASON_CANDIDATES) -> SeasonDetection:
    """The season length whose model (a level per phase plus a trend) explains the series significantly
    better than a trend alone — an F-test of the nested least-squares fits — at the family-wise level
    SEASON_ALPHA (Bonferroni over the candidates with two full seasons of history); the most significant
    one if several are. Two quarters of history suffice for a quarterly season."""
    n = len(values)
    eligible = [lag for lag in candidates if season_eligible(n, lag)]
    p_values: dict[int, float | None] = {lag: None for lag in candidates}
    level = SEASON_ALPHA / len(eligible) if eligible else SEASON_ALPHA
    if not eligible:
        return SeasonDetection(None, p_values, level)
    base = fit_series(values, 1).sse
    best, best_p = None, level
    for lag in eligible:
        seasonal = fit_series(values, lag)
        p = f_test(base, seasonal.sse, lag - 1, seasonal.dof)
        p_values[lag] = round(p, 6)
        if p < best_p:
            best, best_p = lag, p
    return SeasonDetection(best, p_values, level)


def f_test(sse_restricted: float, sse_full: float, extra: int, dof: int) -> float:
    """The p-value of F = ((SSE0 − SSE1) / extra) / (SSE1 / dof) for nested least-squares models."""
    if sse_restricted <= 0 or sse_restricted - sse_full <= 1e-9 * sse_restricted:
        return 1.0  # nothing to explain, or the season explains nothing
    if sse_full <= 1e-12 * sse_restricted:
        return 0.0  # a perfect fit
    f = ((sse_restricted - sse_full) / extra) / (sse_full / dof)
    return f_survival(f, extra, dof)


def f_survival(f: float, d1: int, d2: int) -> float:
    """P(F > f) for an F(d1, d2) variable: the regularized incomplete beta I_x(d2/2, d1/2), x = d2/(d2 + d1 f)."""
    if f <= 0:
        return 1.0
    return incomplete_beta(d2 / 2, d1 / 2, d2 / (d2 + d1 * f))


def incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b), by its continued fraction (Lentz's method)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log(1 - x))
    if x < (a + 1) / (a + b + 2):
        return front * _beta_fraction(a, b, x) / a
    return 1 - front * _beta_fraction(b, a, 1 - x) / b


def _beta_fraction(a: float, b: float, x: float) -> float:
    tiny = 1e-300
    c, d = 1.0, 1 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    h = d
    for m in range(1, 300):
        for numerator in (m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
                          -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))):
            d = 1 + numerator * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + numerator / c
            c = c if abs(c) > tiny else tiny
            h *= d * c
        if abs(d * c - 1) < 1e-14:
            break
    return h
