"""Backtest: forecast each past month from the database as it stood at 00:00 UTC on its 1st.

For every month M in the range, the pipeline is reconstructed at T = M's first instant
(`forecast_state.reconstruct`: stage history, audited edits, nothing recorded later), each
method forecasts M from that state alone, and the forecast is compared with the actual won
value of M (wins standing now whose stage change into the won stage happened in M, at the
value recorded with the win). Naive baselines are scored the same way, from the same
reconstructed history, so a method that loses to a naive guess cannot hide.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import TYPE_CHECKING, Sequence

from domain.clock import start_of_day
from domain.periods import add_months, month_start
from domain.services.forecast_state import MonthlySeries, PipelineState, monthly_won
from domain.services.forecasting import (
    DEFAULT_HYBRID_WEIGHT,
    METHODS,
    Period,
    cents,
    detect_season,
    forecast_methods,
    load_state,
)

if TYPE_CHECKING:
    from domain.session import Session

BASELINES = ("naive_last_month", "naive_mean_3", "naive_seasonal")
BASELINE_NAMES = {
    "naive_last_month": "last month's actual",
    "naive_mean_3": "mean of the last three months",
    "naive_seasonal": "the same month one season earlier (12 months without a detected season)",
}


class BacktestRangeError(ValueError):
    """A bad --from/--to; the message starts with the option's name ("from: ..." / "to: ...")."""


@dataclass(frozen=True)
class BacktestMonth:
    month: date
    forecast_cents: int | None  # None: the method had nothing to go on (a baseline before enough history)
    actual_cents: int
    abs_pct_error: float | None  # |forecast − actual| / actual; None when there is no forecast or actual is 0


@dataclass(frozen=True)
class BacktestResult:
    method: str
    months: tuple[BacktestMonth, ...]
    mape: float | None  # mean of abs_pct_error over the months that have one

    @property
    def accuracy(self) -> float | None:
        """1 − MAPE (it goes below 0 when the errors average more than 100 %)."""
        return None if self.mape is None else 1 - self.mape

    @property
    def scored(self) -> int:
        return sum(1 for m in self.months if m.abs_pct_error is not None)


def abs_pct_error(forecast: int | None, actual: int) -> float | None:
    if forecast is None or actual == 0:
        return None
    return abs(forecast - actual) / actual


def score(method: str, rows: Sequence[tuple[date, int | None, int]]) -> BacktestResult:
    months = tuple(BacktestMonth(m, f, a, abs_pct_error(f, a)) for m, f, a in rows)
    errors = [m.abs_pct_error for m in months if m.abs_pct_error is not None]
    return BacktestResult(method, months, sum(errors) / len(errors) if errors else None)


def naive_forecasts(series: MonthlySeries, month: date, season: int | None) -> dict[str, int | None]:
    """The baselines for `month` from the monthly history known before it."""
    last = series.value(add_months(month, -1))
    three = [series.value(add_months(month, -k)) for k in (1, 2, 3)]
    mean3 = None if any(v is None for v in three) else cents(Fraction(sum(three), 3))  # type: ignore[arg-type]
    seasonal = series.value(add_months(month, -(season or 12)))
    return {"naive_last_month": last, "naive_mean_3": mean3, "naive_seasonal": seasonal}


def month_forecasts(state: PipelineState, month: date, *,
                    hybrid_weight: Fraction = DEFAULT_HYBRID_WEIGHT) -> dict[str, int | None]:
    """Every method's and baseline's forecast of `month` from `state` (taken at the month's first instant)."""
    series = monthly_won(state)
    methods = forecast_methods(state, Period.month(month), hybrid_weight=hybrid_weight, series=series)
    out: dict[str, int | None] = {name: m.forecast_cents for name, m in methods.items()}
    out.update(naive_forecasts(series, month, detect_season(series.values).length))
    return out


def actual_by_month(state: PipelineState, months: Sequence[date]) -> dict[date, int]:
    """Won value per month: wins standing at the state's instant, by the month they were won in."""
    return {m: sum(w.value_cents for w in state.won_between(start_of_day(m), start_of_day(add_months(m, 1))))
            for m in months}


def check_range(first: date, last: date, today: date) -> tuple[date, date]:
    first, last = month_start(first), month_start(last)
    if first > last:
        raise BacktestRangeError(f"from: {first:%Y-%m} is after --to {last:%Y-%m}")
    if add_months(last, 1) > month_start(today):
        raise BacktestRangeError(
            f"to: {last:%Y-%m} has not ended yet (today is {today.isoformat()}); its actual is not known"
        )
    return first, last


def backtest(session: "Session", first: date, last: date, *, methods: Sequence[str] = METHODS,
             hybrid_weight: Fraction = DEFAULT_HYBRID_WEIGHT, baselines: bool = True) -> list[BacktestResult]:
    """One result per method (and per baseline when `baselines`), months first..last inclusive."""
    now = session.clock.now()
    first, last = check_range(first, last, now.date())
    months: list[date] = []
    m = first
    while m <= last:
        months.append(m)
        m = add_months(m, 1)
    actual = actual_by_month(load_state(session, now), months)
    names = list(methods) + (list(BASELINES) if baselines else [])
    rows: dict[str, list[tuple[date, int | None, int]]] = {name: [] for name in names}
    for month in months:
        state = load_state(session, start_of_day(month))
        found = month_forecasts(state, month, hybrid_weight=hybrid_weight)
        for name in names:
            rows[name].append((month, found[name], actual[month]))
    return [score(name, rows[name]) for name in names]
