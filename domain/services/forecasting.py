"""Sales forecasts: the calibrated pipeline, the historical method, their hybrid, the naive rules, and `auto`.

Each method gives a forecast for a period with a best and a worst case (an 80 % interval), a confidence
figure, a split by rep and by product, and its methodology and assumptions in words. `auto` picks, as of the
instant T, the method or blend with the lowest error in a rolling-origin backtest over the months before T.

Pure: functions of aggregated facts (`Inputs`: the deals open at T grouped by owner, stage and age in
stage; the monthly won series; what is won to date) and of the landmark state (`forecast_cohorts`). The
service layer that reads them from the store is `forecast_service`. Money is integer cents; expectations
are summed in a fixed order and rounded half-to-even once, at the end. Definitions, formulas and where the
seed's code is wrong: docs/forecasting.md.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from functools import cached_property
from statistics import NormalDist
from typing import Any, Mapping, Sequence

from domain.clock import start_of_day
from domain.periods import add_months, month_end, month_start, quarter_end, quarter_start
from domain.services.forecast_calibration import Calibration, months_between
from domain.services.forecast_cohorts import OpenGroup
from domain.services.forecast_series import MonthlySeries, SeasonDetection, fit_series
from domain.services.forecast_state import NO_PRODUCTS

METHODS = ("pipeline", "historical", "hybrid")
AUTO = "auto"
SHOWN = (AUTO, *METHODS)  # what `pantry forecast show` and the report show, auto first
BASELINES = ("naive_last_month", "naive_mean_3", "naive_running_mean", "naive_seasonal")
BLENDS = (Fraction(1, 4), Fraction(1, 2), Fraction(3, 4))  # the pipeline's weight in auto's blends
DEFAULT_HYBRID_WEIGHT = Fraction(3, 5)  # the pipeline's share of the hybrid method (the seed's 0.6/0.4)
INTERVAL = 0.80  # best/worst case = the 90th / 10th percentile
Z = NormalDist().inv_cdf(0.5 + INTERVAL / 2)  # 1.2816
MEAN_ABS = math.sqrt(2 / math.pi)  # E|X| = 0.798 sigma for a normal error
UNASSIGNED = "(unassigned)"


# -- periods ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    kind: str  # "month", "quarter" or "custom"
    start: date
    end: date  # inclusive

    @classmethod
    def month(cls, day: date) -> "Period":
        return cls("month", month_start(day), month_end(day))

    @classmethod
    def quarter(cls, day: date) -> "Period":
        return cls("quarter", quarter_start(day), quarter_end(day))

    @classmethod
    def of(cls, kind: str, day: date) -> "Period":
        if kind == "month":
            return cls.month(day)
        if kind == "quarter":
            return cls.quarter(day)
        raise ValueError(f"period: expected month or quarter, got {kind!r}")

    def following(self) -> "Period":
        if self.kind == "custom":
            length = self.end - self.start
            return Period("custom", self.end + timedelta(days=1), self.end + timedelta(days=1) + length)
        return Period.of(self.kind, self.end + timedelta(days=1))

    @property
    def label(self) -> str:
        if self.kind == "month":
            return self.start.strftime("%Y-%m")
        if self.kind == "quarter":
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        return f"{self.start.isoformat()}..{self.end.isoformat()}"

    @property
    def opens(self) -> datetime:
        return start_of_day(self.start)

    @property
    def closes(self) -> datetime:
        """The instant just after the period (00:00 UTC of the next day)."""
        return start_of_day(self.end + timedelta(days=1))

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    def months(self) -> list[date]:
        out, m = [], month_start(self.start)
        while m <= self.end:
            out.append(m)
            m = add_months(m, 1)
        return out


def remaining_share(month: date, period: Period, at: datetime) -> float:
    """The part of `month` inside the period and after the instant, as a fraction of the month."""
    m_open, m_close = start_of_day(month), start_of_day(add_months(month, 1))
    lo, hi = max(m_open, period.opens, at), min(m_close, period.closes)
    if hi <= lo:
        return 0.0
    return (hi - lo).total_seconds() / (m_close - m_open).total_seconds()


# -- what the methods read ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Won:
    """Won in the period before the instant: the total, by owner login, by product."""

    cents: int = 0
    by_owner: Mapping[str, int] = field(default_factory=dict)
    by_product: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class Inputs:
    """Everything a forecast made at `at` reads, aggregated (nothing recorded at or after `at`)."""

    at: datetime
    open: tuple[OpenGroup, ...]  # the deals open at `at` by owner, stage, age bucket
    series: MonthlySeries  # won per complete month before `at`
    new: MonthlySeries  # of which: won by deals created in that same month
    products: tuple[tuple[str, str, int, float], ...] = ()  # (product, stage, bucket, weight: its line totals)
    history_owners: Mapping[str, float] = field(default_factory=dict)  # each rep's share of the series' wins
    history_products: Mapping[str, float] = field(default_factory=dict)  # each product's share


@dataclass(frozen=True)
class Model:
    """What is learned from the history before the instant: the season, and the win rates."""

    season: SeasonDetection
    calibration: Calibration

    @property
    def season_length(self) -> int | None:
        return self.season.length


# -- results ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class MethodForecast:
    method: str
    period: Period
    at: datetime
    forecast_cents: int
    worst_case_cents: int
    best_case_cents: int
    confidence: float  # 0-1: the accuracy (1 - |error| / forecast) the method's own error model expects
    won_to_date_cents: int  # already won in the period before `at` (part of every figure above)
    methodology: str
    assumptions: tuple[str, ...]
    details: dict[str, Any] = field(default_factory=dict)
    expected: float = field(default=0.0, repr=False)  # the forecast before rounding
    sigma: float = field(default=0.0, repr=False)  # its standard deviation, cents
    rep_parts: dict[str, float] = field(default_factory=dict, repr=False, compare=False)
    product_parts: dict[str, float] = field(default_factory=dict, repr=False, compare=False)

    @cached_property
    def by_rep(self) -> dict[str, int]:
        """The forecast split by rep, to the cent (the parts rounded to add up exactly)."""
        return allocate(self.forecast_cents, self.rep_parts)

    @cached_property
    def by_product(self) -> dict[str, int]:
        return allocate(self.forecast_cents, self.product_parts)


def cents(amount: float | Fraction) -> int:
    """An amount -> integer cents, half to even."""
    return round(Fraction(amount))


def allocate(total: int, parts: Mapping[str, float | Fraction]) -> dict[str, int]:
    """Round each part to cents so the parts sum to `total` exactly: scaled to `total` first (parts are
    meant to sum to about it), then largest remainder (ties go to the key that sorts first)."""
    if not parts:
        return {}
    whole = sum(parts.values())
    if whole <= 0:
        return {k: 0 for k in sorted(parts)} if total == 0 else {UNASSIGNED: total}
    scaled = {k: v * total / whole for k, v in parts.items()} if abs(whole - total) > 0.5 else dict(parts)
    floors = {k: math.floor(v) for k, v in scaled.items()}
    left = total - sum(floors.values())
    order = sorted(scaled, key=lambda k: (-(scaled[k] - floors[k]), k))
    step = 1 if left > 0 else -1
    i = 0
    while left != 0:
        key = order[i % len(order)] if step > 0 else order[::-1][i % len(order)]
        floors[key] += step
        left -= step
        i += 1
    return {k: v for k, v in sorted(floors.items()) if v != 0 or parts[k] != 0}


def confidence_of(expected: float, sigma: float) -> float:
    """1 - E|error| / forecast under a normal error of standard deviation `sigma`, in [0, 1].
    Comparable with the measured accuracy (1 - MAPE) and with the seed's 85 % KPI."""
    if expected <= 0:
        return 0.0
    return round(max(0.0, min(1.0, 1.0 - MEAN_ABS * sigma / float(expected))), 4)


def _finish(method: str, period: Period, at: datetime, expected: float, sigma: float, won: int, *,
            cap: float | None, rep_parts: dict[str, float], product_parts: dict[str, float],
            methodology: str, assumptions: tuple[str, ...], details: dict[str, Any]) -> MethodForecast:
    expected = max(float(won), expected)
    forecast = cents(expected)
    worst = max(float(won), expected - Z * sigma)
    best = expected + Z * sigma if cap is None else min(cap, expected + Z * sigma)
    return MethodForecast(
        method=method, period=period, at=at, forecast_cents=forecast, worst_case_cents=min(forecast, cents(worst)),
        best_case_cents=max(forecast, cents(best)), confidence=confidence_of(expected, sigma), won_to_date_cents=won,
        methodology=methodology,
        assumptions=assumptions, details=details, expected=expected, sigma=sigma, rep_parts=rep_parts,
        product_parts=product_parts,
    )


def _won_parts(won: Won) -> tuple[dict[str, float], dict[str, float]]:
    return ({k: float(v) for k, v in won.by_owner.items()}, {k: float(v) for k, v in won.by_product.items()})


def _spread(amount: float, shares: Mapping[str, float], into: dict[str, float]) -> None:
    if not amount:
        return
    if not shares:
        into[UNASSIGNED] = into.get(UNASSIGNED, 0.0) + amount
        return
    for key in sorted(shares):
        into[key] = into.get(key, 0.0) + amount * shares[key]


# -- a series model over a period ---------------------------------------------------------------------


def series_ahead(series: MonthlySeries, period: Period, at: datetime, season: int | None) -> tuple[float, float, Any]:
    """(expected, variance, model) of the series' months in the period after `at`: a least-squares fit
    with a level per phase of `season` and a trend; each month counts for the part of it still ahead."""
    values = series.values
    if not values:
        return 0.0, 0.0, None
    model = fit_series(values, season or 1)
    expected = variance = 0.0
    for month in period.months():
        share = remaining_share(month, period, at)
        if share == 0:
            continue
        predicted = max(0.0, float(model.predict(series.index_of(month))))
        expected += predicted * share
        v = model.variance(series.index_of(month))
        variance += share ** 2 * (v if v is not None else predicted ** 2)
    return expected, variance, model


# -- the calibrated pipeline -----------------------------------------------------------------------------

PIPELINE_ASSUMPTIONS = (
    "An open deal is won within the period with the probability learned from the landmarks before the "
    "instant: the share of deals in the same stage, at the same age in it, that were won within as many months "
    "(deals still open when those months ended count as not won within them; months not over are left out).",
    "The value won is the open value times the value won per open dollar of those deals.",
    "When a season is detected, a month's rates are those of the same phase of the season (shrunk towards all).",
    "Deals opened after the instant and won within the period (new business) are the historical model of "
    "the value won by deals created in the month they were won.",
    "Deals are independent; lost deals count for nothing; a win counts at the value recorded with it.",
)


def pipeline_forecast(inputs: Inputs, period: Period, model: Model, won: Won = Won()) -> MethodForecast:
    """Won to date + Σ open value × calibrated rate of a win within the period + expected new business."""
    at = inputs.at
    begin_at = max(period.opens, at)
    rep_parts, product_parts = _won_parts(won)
    expected = float(won.cents)
    variance = 0.0
    open_part = 0.0
    counted = 0
    stages: dict[str, list] = {}
    calibration = model.calibration
    season = model.season_length
    if period.closes > begin_at:
        begin, end = months_between(at, begin_at), months_between(at, period.closes)
        phase = month_start(begin_at.date()) if month_start(begin_at.date()) == month_start(
            (period.closes - timedelta(microseconds=1)).date()) else None
        cache: dict[tuple[str, int], tuple[float, float]] = {}
        group_amounts: dict[tuple[str, int], float] = {}
        for group in inputs.open:
            key = (group.stage, group.bucket)
            if key not in cache:
                rates = calibration.rates(group.stage, group.bucket, phase)
                cache[key] = (rates.within(begin, end), rates.within(begin, end, by_value=False))
            rate, q = cache[key]
            amount = group.value_cents * rate
            open_part += amount
            group_amounts[key] = group_amounts.get(key, 0.0) + amount
            variance += group.value_sq * q * (1 - q)
            rep_parts[group.owner] = rep_parts.get(group.owner, 0.0) + amount
            line = stages.setdefault(group.stage, [0, 0, 0.0, 0.0])
            line[0] += group.deals
            line[1] += group.value_cents
            line[2] += q * group.deals
            line[3] += amount
            if q > 0:
                counted += group.deals
        _split_groups(group_amounts, inputs.products, product_parts)
    new, new_variance, new_model = series_ahead(inputs.new, period, at, season)
    expected += open_part + new
    variance += new_variance
    _spread(new, inputs.history_owners, rep_parts)
    _spread(new, inputs.history_products, product_parts)
    open_deals = sum(g.deals for g in inputs.open)
    details = {
        "open_deals": open_deals,
        "open_value_cents": sum(g.value_cents for g in inputs.open),
        "deals_counted": counted,
        "from_open_deals_cents": cents(open_part),
        "new_business_cents": cents(new),
        "landmarks_learned_from": calibration.landmarks,
        "season_length": season,
        "stages": {stage: {"deals": line[0], "value_cents": line[1],
                           "calibrated_probability": round(line[2] / line[0], 4) if line[0] else None,
                           "expected_cents": cents(line[3])}
                   for stage, line in sorted(stages.items())},
    }
    return _finish(
        "pipeline", period, at, expected, math.sqrt(variance), won.cents, cap=None, rep_parts=rep_parts,
        product_parts=product_parts,
        methodology="Won to date, plus every open deal's value times the calibrated rate of a win within the period "
        "(by stage and age in stage, learned from the month-start landmarks before the instant), plus the new "
        "business the history of same-month wins predicts.",
        assumptions=PIPELINE_ASSUMPTIONS, details=details,
    )


def _split_groups(amounts: Mapping[tuple[str, int], float], products: Sequence[tuple[str, str, int, float]],
                  into: dict[str, float]) -> None:
    """Each (stage, age bucket) group's amount split over products by the group's line items' totals."""
    weights: dict[tuple[str, int], list[tuple[str, float]]] = {}
    for product, stage, bucket, weight in products:
        if weight > 0:
            weights.setdefault((stage, bucket), []).append((product, weight))
    for key in sorted(amounts):
        amount, parts = amounts[key], weights.get(key) or [(NO_PRODUCTS, 1.0)]
        total = sum(w for _, w in parts)
        for product, weight in parts:
            into[product] = into.get(product, 0.0) + amount * weight / total


# -- historical -----------------------------------------------------------------------------------------

HISTORICAL_ASSUMPTIONS = (
    "Monthly won value follows a level per phase of the season plus a straight-line trend, fitted by least squares "
    "to every complete month since the first win.",
    "The season length is detected from the data: an F-test of a level per phase against a trend alone, at 3, 4, "
    "6 and 12 months, with two full seasons of history, at 5 % over all the lengths tried.",
    "The rest of a month that has begun is worth the model's month in proportion to the time left; what is "
    "already won is certain.",
    "By rep and by product, the forecast is split as the won history was.",
    "Errors are normal with the residual spread of the fit, widened for a short history and a far horizon.",
)


def historical_forecast(inputs: Inputs, period: Period, model: Model, won: Won = Won()) -> MethodForecast:
    """Won to date + the fitted model's value for the rest of the period (with no history: what is won)."""
    series = inputs.series
    rep_parts, product_parts = _won_parts(won)
    remainder, variance, fitted = series_ahead(series, period, inputs.at, model.season_length)
    details: dict[str, Any] = {"history_months": len(series.values),
                               "history_start": series.start.isoformat() if series.start else None,
                               "season_length": model.season_length,
                               "season_p_values": {str(k): v for k, v in model.season.p_values.items()},
                               "season_test_level": round(model.season.level, 4)}
    if fitted is not None:
        details.update(trend_cents_per_month=cents(fitted.slope) if fitted.trend else None,
                       residual_sd_cents=None if fitted.sigma is None else round(fitted.sigma))
    _spread(remainder, inputs.history_owners, rep_parts)
    _spread(remainder, inputs.history_products, product_parts)
    result = _finish(
        "historical", period, inputs.at, won.cents + remainder, math.sqrt(variance), won.cents, cap=None,
        rep_parts=rep_parts, product_parts=product_parts,
        methodology="Won to date plus the rest of the period as a least-squares fit of monthly won value "
        "(a level per phase of a detected season plus a linear trend) predicts it.",
        assumptions=HISTORICAL_ASSUMPTIONS, details=details,
    )
    return result if series.values else replace(result, confidence=0.0)


# -- hybrid and blends ------------------------------------------------------------------------------------


def parse_weight(value: str | float | Fraction | Decimal) -> Fraction:
    """The hybrid's pipeline weight, 0-1 ('0.6' -> 3/5). ValueError when out of range or not a number."""
    try:
        weight = Fraction(Decimal(str(value))) if not isinstance(value, Fraction) else value
    except (InvalidOperation, ValueError):
        raise ValueError(f"expected a number from 0 to 1, got {value!r}") from None
    if not 0 <= weight <= 1:
        raise ValueError(f"expected a number from 0 to 1, got {value}")
    return weight


def blend(a: MethodForecast, b: MethodForecast, weight: Fraction, name: str,
          methodology: str | None = None, assumptions: tuple[str, ...] = ()) -> MethodForecast:
    """weight × a + (1 − weight) × b, by rep and by product alike. Their errors are taken as independent:
    σ² = (wσa)² + ((1−w)σb)² (the seed blends best and worst linearly, which assumes them perfectly correlated)."""
    w = float(weight)
    expected = w * a.expected + (1 - w) * b.expected
    sigma = math.sqrt((w * a.sigma) ** 2 + ((1 - w) * b.sigma) ** 2)

    def mix(x: Mapping[str, float], y: Mapping[str, float]) -> dict[str, float]:
        return {k: w * x.get(k, 0.0) + (1 - w) * y.get(k, 0.0) for k in sorted(set(x) | set(y))}

    return _finish(
        name, a.period, a.at, expected, sigma, a.won_to_date_cents, cap=None,
        rep_parts=mix(a.rep_parts, b.rep_parts), product_parts=mix(a.product_parts, b.product_parts),
        methodology=methodology or f"A weighted blend: {w:g} × {a.method} + {1 - w:g} × {b.method}.",
        assumptions=assumptions or (
            f"The {a.method} forecast weighs {w:g} and the {b.method} {1 - w:g}.",
            "The two methods' errors are independent, so the blend's spread is narrower than either's.",
        ),
        details={f"{a.method}_weight": w, f"{a.method}_cents": a.forecast_cents, f"{b.method}_cents": b.forecast_cents},
    )


def hybrid_forecast(pipeline: MethodForecast, historical: MethodForecast,
                    weight: Fraction = DEFAULT_HYBRID_WEIGHT) -> MethodForecast:
    pw = float(weight)
    result = blend(pipeline, historical, weight, "hybrid", assumptions=(
        f"The pipeline forecast weighs {pw:g} and the historical {1 - pw:g} (configurable; the seed's 0.6/0.4 "
        "by default).",
        "The two methods' errors are independent, so the blend's spread is narrower than either's.",
        *pipeline.assumptions[:2], *historical.assumptions[:2],
    ))
    return replace(result, details={"pipeline_weight": pw, "pipeline_cents": pipeline.forecast_cents,
                                    "historical_cents": historical.forecast_cents})


# -- the naive rules ---------------------------------------------------------------------------------------

BASELINE_NAMES = {
    "naive_last_month": "last month's actual",
    "naive_mean_3": "the mean of the last three months",
    "naive_running_mean": "the mean of every month so far",
    "naive_seasonal": "the same month one season earlier (the detected season; 12 months without one)",
}


def naive_month(rule: str, series: MonthlySeries, month: date, season: int | None) -> Fraction | None:
    """A rule's forecast of `month` from the complete months of `series` (None: not enough of them)."""
    values = series.values
    if not values:
        return None
    if rule == "naive_last_month":
        return Fraction(values[-1])
    if rule == "naive_mean_3":
        return None if len(values) < 3 else Fraction(sum(values[-3:]), 3)
    if rule == "naive_running_mean":
        return Fraction(sum(values), len(values))
    if rule == "naive_seasonal":
        step = season or 12
        back = add_months(month, -step)
        while series.value(back) is None and series.start is not None and back >= series.start:
            back = add_months(back, -step)  # the month a season ago is not over yet: the season before
        found = series.value(back)
        return None if found is None else Fraction(found)
    raise ValueError(f"unknown rule {rule!r}")


def naive_forecast(rule: str, inputs: Inputs, period: Period, model: Model, won: Won = Won()) -> MethodForecast | None:
    """Won to date + the rule's value of every month of the period, for the part of it still ahead."""
    rep_parts, product_parts = _won_parts(won)
    remainder = 0.0
    for month in period.months():
        share = remaining_share(month, period, inputs.at)
        if share == 0:
            continue
        value = naive_month(rule, inputs.series, month, model.season_length)
        if value is None:
            return None
        remainder += float(value) * share
    _spread(remainder, inputs.history_owners, rep_parts)
    _spread(remainder, inputs.history_products, product_parts)
    sigma = _series_sigma(inputs.series) * math.sqrt(max(1, len(period.months())))
    return _finish(rule, period, inputs.at, won.cents + remainder, sigma, won.cents, cap=None,
                   rep_parts=rep_parts, product_parts=product_parts,
                   methodology=f"Won to date plus {BASELINE_NAMES[rule]} for the rest of the period.",
                   assumptions=("A naive rule: the future repeats the past as the rule reads it.",),
                   details={"season_length": model.season_length if rule == "naive_seasonal" else None})


def _series_sigma(series: MonthlySeries) -> float:
    values = series.values
    if len(values) < 2:
        return float(values[0]) if values else 0.0
    return math.sqrt(sum((v - values[i - 1]) ** 2 for i, v in enumerate(values) if i) / (2 * (len(values) - 1)))


# -- every method at once -------------------------------------------------------------------------------------


def candidate_forecasts(inputs: Inputs, period: Period, model: Model, won: Won = Won(), *,
                        hybrid_weight: Fraction = DEFAULT_HYBRID_WEIGHT) -> dict[str, MethodForecast]:
    """The three methods, auto's blends and the naive rules (a rule without history enough is absent)."""
    p = pipeline_forecast(inputs, period, model, won)
    h = historical_forecast(inputs, period, model, won)
    out = {"pipeline": p, "historical": h, "hybrid": hybrid_forecast(p, h, hybrid_weight)}
    for w in BLENDS:
        out[blend_name(w)] = blend(p, h, w, blend_name(w))
    for rule in BASELINES:
        found = naive_forecast(rule, inputs, period, model, won)
        if found is not None:
            out[rule] = found
    return out


def combine(found: Mapping[str, MethodForecast], members: Sequence[str], method: str = "auto") -> MethodForecast:
    """The equal-weight mean of some candidates (those present; the hybrid when none is), by rep and by
    product alike. The spread is the mean of theirs: the candidates' errors are far from independent."""
    chosen = [found[m] for m in members if m in found] or [found["hybrid"]]
    if len(chosen) == 1:
        return replace(chosen[0], method=method)
    n = len(chosen)
    first = chosen[0]

    def mean(parts: list[Mapping[str, float]]) -> dict[str, float]:
        return {k: sum(p.get(k, 0.0) for p in parts) / n for k in sorted(set().union(*parts))}

    return _finish(
        method, first.period, first.at, sum(c.expected for c in chosen) / n, sum(c.sigma for c in chosen) / n,
        first.won_to_date_cents, cap=None, rep_parts=mean([c.rep_parts for c in chosen]),
        product_parts=mean([c.product_parts for c in chosen]),
        methodology=f"The mean of {n} forecasts: " + "; ".join(describe(c.method) for c in chosen) + ".",
        assumptions=("Each forecast is as good as its error over the months before suggests; their mean errs "
                     "less than one chosen on a few lucky months.",),
        details={c.method: c.forecast_cents for c in chosen},
    )


def blend_name(weight: Fraction) -> str:
    return f"blend_{weight.numerator}/{weight.denominator}"


SHORT_NAMES = {
    "naive_last_month": "last month", "naive_mean_3": "mean of 3 months", "naive_running_mean": "mean of all months",
    "naive_seasonal": "same month a season ago",
}


def describe(name: str) -> str:
    """A candidate's name in a few words: `blend_1/4` is "1/4 pipeline + 3/4 historical"."""
    if name.startswith("blend_"):
        w = Fraction(name.removeprefix("blend_"))
        return f"{w} pipeline + {1 - w} historical"
    return SHORT_NAMES.get(name, name)
