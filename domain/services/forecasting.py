"""Sales forecasts: the seed's pipeline, historical and hybrid methods, done right.

Each method gives a forecast for a period with a best and a worst case (an 80 % interval),
a confidence figure, a split by rep and by product, and its methodology and assumptions in
words. Forecast categories (pipeline, best case, commit, closed, omitted) roll up as in
Salesforce and HubSpot, with quota and commit attainment.

The first half is pure: functions of a `PipelineState` (the open deals and standing wins at
an instant, `forecast_state`). The second half is the service layer, which reads through
`session.store.forecasting`. Money is integer cents; exact sums are `Fraction`s rounded
half-to-even once, at the end. Floats appear only in statistics (spreads, autocorrelations)
and come back to cents by explicit rounding. Definitions, formulas and where the seed's code
is wrong: docs/forecasting.md.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from statistics import NormalDist
from typing import TYPE_CHECKING, Any, Iterable, Mapping, Sequence

from domain.clock import start_of_day
from domain.enums import ForecastCategory
from domain.periods import add_months, month_end, month_start, quarter_end, quarter_start
from domain.services.forecast_state import NO_PRODUCTS, MonthlySeries, PipelineState, monthly_won, reconstruct

if TYPE_CHECKING:
    from domain.session import Session

METHODS = ("pipeline", "historical", "hybrid")
DEFAULT_HYBRID_WEIGHT = Fraction(3, 5)  # the pipeline's share of the hybrid blend (the seed's 0.6/0.4)
SEASON_CANDIDATES = (3, 4, 6, 12)  # season lengths, in months, the detector considers
MIN_SLIP_SAMPLE = 20  # wins needed before close-date slips are learned from the data
INTERVAL = 0.80  # best/worst case = the 90th / 10th percentile
Z = NormalDist().inv_cdf(0.5 + INTERVAL / 2)  # 1.2816
MEAN_ABS = math.sqrt(2 / math.pi)  # E|X| = 0.798 sigma for a normal error


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
    by_rep: dict[str, int]
    by_product: dict[str, int]
    methodology: str
    assumptions: tuple[str, ...]
    details: dict[str, Any] = field(default_factory=dict)
    expected: Fraction = field(default=Fraction(0), repr=False)  # the exact forecast before rounding
    sigma: float = field(default=0.0, repr=False)  # its standard deviation, cents
    rep_parts: dict[str, Fraction] = field(default_factory=dict, repr=False, compare=False)
    product_parts: dict[str, Fraction] = field(default_factory=dict, repr=False, compare=False)


def cents(amount: Fraction) -> int:
    """Exact amount -> integer cents, half to even (Fraction rounds that way)."""
    return round(amount)


def allocate(total: int, parts: Mapping[str, Fraction]) -> dict[str, int]:
    """Round each part to cents so the parts sum to `total` exactly (largest remainder;
    ties go to the key that sorts first). Parts are meant to sum to about `total`."""
    floors = {k: math.floor(v) for k, v in parts.items()}
    left = total - sum(floors.values())
    order = sorted(parts, key=lambda k: (-(parts[k] - floors[k]), k))
    if order:
        step = 1 if left > 0 else -1
        i = 0
        while left != 0:
            key = order[i % len(order)] if step > 0 else order[::-1][i % len(order)]
            floors[key] += step
            left -= step
            i += 1
    return {k: v for k, v in sorted(floors.items()) if v != 0 or parts[k] != 0}


def confidence_of(expected: Fraction, sigma: float) -> float:
    """1 - E|error| / forecast under a normal error of standard deviation `sigma`, in [0, 1].
    Comparable with the measured accuracy (1 - MAPE) and with the seed's 85 % KPI."""
    if expected <= 0:
        return 0.0
    return round(max(0.0, min(1.0, 1.0 - MEAN_ABS * sigma / float(expected))), 4)


def _finish(method: str, period: Period, at: datetime, expected: Fraction, sigma: float, won: int, *,
            cap: Fraction | None, rep_parts: dict[str, Fraction], product_parts: dict[str, Fraction],
            methodology: str, assumptions: tuple[str, ...], details: dict[str, Any]) -> MethodForecast:
    forecast = cents(expected)
    spread = Fraction(Z * sigma)
    worst = max(Fraction(won), expected - spread)
    best = expected + spread if cap is None else min(cap, expected + spread)
    return MethodForecast(
        method=method, period=period, at=at, forecast_cents=forecast, worst_case_cents=cents(worst),
        best_case_cents=max(forecast, cents(best)), confidence=confidence_of(expected, sigma), won_to_date_cents=won,
        by_rep=allocate(forecast, rep_parts), by_product=allocate(forecast, product_parts), methodology=methodology,
        assumptions=assumptions, details=details, expected=expected, sigma=sigma, rep_parts=rep_parts,
        product_parts=product_parts,
    )


def _split(amount: Fraction, products: Sequence[tuple[str, int]], into: dict[str, Fraction]) -> None:
    """Add `amount` to `into`, split over products in proportion to their line totals."""
    total = sum(t for _, t in products)
    if total <= 0:
        into[NO_PRODUCTS] = into.get(NO_PRODUCTS, Fraction(0)) + amount
        return
    for name, line in products:
        into[name] = into.get(name, Fraction(0)) + amount * Fraction(line, total)


def _won_parts(state: PipelineState, period: Period) -> tuple[int, dict[str, Fraction], dict[str, Fraction]]:
    """Won in the period before the state's instant: total, by rep, by product."""
    reps: dict[str, Fraction] = {}
    products: dict[str, Fraction] = {}
    total = 0
    for w in state.won_between(period.opens, period.closes):
        total += w.value_cents
        reps[w.owner] = reps.get(w.owner, Fraction(0)) + w.value_cents
        _split(Fraction(w.value_cents), w.products, products)
    return total, reps, products


# -- pipeline -----------------------------------------------------------------------------------


def slip_sample(state: PipelineState, minimum: int = MIN_SLIP_SAMPLE) -> tuple[int, ...]:
    """Days from the expected close date to the actual win, of every win standing at the instant.
    With fewer than `minimum` wins the dates are taken at face value: (0,)."""
    slips = sorted((w.won_at.date() - w.expected_close_date).days for w in state.wins if w.expected_close_date)
    return tuple(slips) if len(slips) >= minimum else (0,)


def time_weight(expected: date, period: Period, today: date, slips: Sequence[int]) -> Fraction:
    """The chance that an open deal expected to close on `expected` closes within `period`, if it is won.

    The close date is the expected date plus a slip drawn from `slips` (the slips of past wins, in
    days, sorted ascending), given that the deal is still open on `today`: only slips that land on
    or after today are possible. The weight is the share of those that land inside the part of the period from
    today on. With slips (0,) this is 1 for a deal expected in the period and 0 otherwise.

    A deal no possible slip brings to today or later (more overdue than any past win ever
    slipped) is stale: it is counted in the period containing today, with weight 1.
    """
    window_start = max(period.start, today)
    if period.end < window_start:
        return Fraction(0)
    base = expected.toordinal()
    floor, lo, hi = today.toordinal(), window_start.toordinal(), period.end.toordinal()
    # `slips` is sorted: count by bisection (open deals × past wins would be slow otherwise)
    first_possible = bisect_left(slips, floor - base)
    possible = len(slips) - first_possible
    if possible == 0:
        return Fraction(1) if period.contains(today) else Fraction(0)
    inside = bisect_right(slips, hi - base) - max(first_possible, bisect_left(slips, lo - base))
    return Fraction(max(0, inside), possible)


PIPELINE_ASSUMPTIONS = (
    "Each open deal is won with its recorded probability (the stage's, unless set by hand); deals are independent.",
    "A won deal closes on its expected close date plus a slip like those of past wins (at least "
    f"{MIN_SLIP_SAMPLE} wins; with fewer, the expected date is taken at face value).",
    "A deal more overdue than any past win ever slipped closes in the current period or not at all.",
    "Deals not yet created cannot be forecast: whatever is opened and won within the period is missed.",
    "Lost deals count for nothing; won deals count at the value recorded when they were won.",
)


def pipeline_forecast(state: PipelineState, period: Period, *, slips: Sequence[int] | None = None) -> MethodForecast:
    """Won to date + Σ value × probability × time weight over the deals open at the instant.

    Spread: each deal is a Bernoulli trial won with q = probability × weight, so the variance is
    Σ value² × q × (1 − q). The best case is capped at everything with a non-zero weight won.
    """
    slips = tuple(sorted(slips)) if slips is not None else slip_sample(state)
    today = state.today
    won, rep_parts, product_parts = _won_parts(state, period)
    expected = Fraction(won)
    cap = Fraction(won)
    variance = 0.0
    counted = overdue = 0
    overdue_value = 0
    for deal in state.open_deals:
        weight = time_weight(deal.expected_close_date, period, today, slips)
        if deal.expected_close_date < today:
            overdue += 1
            overdue_value += deal.value_cents
        if weight == 0 or deal.probability == 0:
            continue
        counted += 1
        q = Fraction(deal.probability, 100) * weight
        amount = deal.value_cents * q
        expected += amount
        cap += deal.value_cents
        variance += float(deal.value_cents) ** 2 * float(q) * float(1 - q)
        rep_parts[deal.owner] = rep_parts.get(deal.owner, Fraction(0)) + amount
        _split(amount, deal.products, product_parts)
    learned = slips != (0,)
    details = {
        "open_deals": len(state.open_deals),
        "deals_counted": counted,
        "overdue_deals": overdue,
        "overdue_value_cents": overdue_value,
        "slip_sample": len(slips) if learned else 0,
        "slip_days_median": slips[len(slips) // 2] if learned else 0,
        "slip_days_range": [min(slips), max(slips)] if learned else [0, 0],
    }
    return _finish(
        "pipeline", period, state.at, expected, math.sqrt(variance), won, cap=cap, rep_parts=rep_parts,
        product_parts=product_parts,
        methodology="Won to date plus, over every deal open at the instant, value × probability × time weight "
        "(the chance its close date falls in the period, from the slips of past wins).",
        assumptions=PIPELINE_ASSUMPTIONS, details=details,
    )


# -- historical -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SeasonDetection:
    length: int | None  # None: no seasonality found
    autocorrelations: dict[int, float | None]  # lag -> r (None: too little history for that lag)
    threshold: float  # r must exceed this (2 / sqrt(n), the white-noise 95 % bound)


def season_eligible(n: int, lag: int) -> bool:
    """Two full seasons, and two degrees of freedom left after a level per phase and a trend."""
    return n >= 2 * lag and n - lag - 1 >= 2


def _detrended(values: Sequence[int]) -> list[float]:
    n = len(values)
    xs = range(n)
    mx, my = (n - 1) / 2, sum(values) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, values)) / sxx if sxx else 0.0
    return [y - (my + slope * (x - mx)) for x, y in zip(xs, values)]


def detect_season(values: Sequence[int], candidates: Sequence[int] = SEASON_CANDIDATES) -> SeasonDetection:
    """The season length with the highest autocorrelation of the linearly detrended series, among
    the candidates with enough history, if it is significant (r > 2 / sqrt(n)); else none."""
    n = len(values)
    threshold = 2 / math.sqrt(n) if n else math.inf
    acf: dict[int, float | None] = {lag: None for lag in candidates}
    if n < 3:
        return SeasonDetection(None, acf, threshold)
    e = _detrended(values)
    denominator = sum(v * v for v in e)
    best, best_r = None, threshold
    for lag in candidates:
        if not season_eligible(n, lag):
            continue
        r = sum(e[i] * e[i - lag] for i in range(lag, n)) / denominator if denominator > 1e-9 else 0.0
        acf[lag] = round(r, 4)
        if r > best_r:
            best, best_r = lag, r
    return SeasonDetection(best, acf, threshold)


@dataclass(frozen=True)
class SeriesModel:
    """y_i = level[i mod season] + slope × i: a level per phase of the season and a common trend,
    fitted by ordinary least squares (exactly, in fractions)."""

    season: int  # 1 = no seasonality
    trend: bool
    slope: Fraction
    levels: tuple[Fraction, ...]
    n: int
    phase_counts: tuple[int, ...]
    phase_index_means: tuple[Fraction, ...]
    sxx: Fraction
    sigma: float | None  # residual standard deviation (None: no degrees of freedom)
    dof: int

    def predict(self, i: int) -> Fraction:
        return self.levels[i % self.season] + self.slope * i

    def variance(self, i: int) -> float | None:
        """Variance of a new observation at index i: σ² (1 + 1/n_p + (i − ī_p)² / Sxx)."""
        if self.sigma is None:
            return None
        p = i % self.season
        extra = 1 / self.phase_counts[p]
        if self.trend and self.sxx:
            extra += float((i - self.phase_index_means[p]) ** 2 / self.sxx)
        return self.sigma ** 2 * (1 + extra)


def fit_series(values: Sequence[int], season: int = 1) -> SeriesModel:
    """Least squares with a level per phase and, when there is history enough (n ≥ season + 3), a trend."""
    n = len(values)
    if n == 0:
        raise ValueError("no history to fit")
    season = season if season > 1 and season_eligible(n, season) else 1
    trend = n >= season + 3
    phases = [[i for i in range(n) if i % season == p] for p in range(season)]
    index_means = tuple(Fraction(sum(ix), len(ix)) for ix in phases)
    value_means = tuple(Fraction(sum(values[i] for i in ix), len(ix)) for ix in phases)
    sxx = sxy = Fraction(0)
    if trend:
        for p, ix in enumerate(phases):
            for i in ix:
                sxx += (i - index_means[p]) ** 2
                sxy += (i - index_means[p]) * (values[i] - value_means[p])
    slope = sxy / sxx if sxx else Fraction(0)
    levels = tuple(value_means[p] - slope * index_means[p] for p in range(season))
    sse = sum((values[i] - (levels[i % season] + slope * i)) ** 2 for i in range(n))
    dof = n - season - (1 if trend else 0)
    sigma = math.sqrt(float(sse) / dof) if dof > 0 else None
    return SeriesModel(season, trend, slope, levels, n, tuple(len(ix) for ix in phases), index_means, sxx, sigma, dof)


def _remaining_share(month: date, period: Period, at: datetime) -> Fraction:
    """The part of `month` inside the period and after the instant, as a fraction of the month."""
    m_open, m_close = start_of_day(month), start_of_day(add_months(month, 1))
    lo, hi = max(m_open, period.opens, at), min(m_close, period.closes)
    if hi <= lo:
        return Fraction(0)
    micro = timedelta(microseconds=1)
    return Fraction((hi - lo) // micro, (m_close - m_open) // micro)


HISTORICAL_ASSUMPTIONS = (
    "Monthly won value follows a level per phase of the season plus a straight-line trend, fitted by least squares "
    "to every complete month since the first win.",
    "The season length is detected from the data (autocorrelation at 3, 4, 6 and 12 months, two full seasons of "
    "history needed, significant above 2/√n); without one, the series has no seasonality.",
    "The rest of a month that has begun is worth the model's month in proportion to the time left; what is "
    "already won is certain.",
    "By rep and by product, the forecast is split as the won history was.",
    "Errors are normal with the residual spread of the fit, widened for a short history and a far horizon.",
)


def historical_forecast(state: PipelineState, period: Period, *, series: MonthlySeries | None = None,
                        candidates: Sequence[int] = SEASON_CANDIDATES) -> MethodForecast:
    """Won to date + the fitted model's value for the rest of the period.

    With no complete month of history the forecast is what is already won, with confidence 0.
    With one month, that month is the level and its spread is assumed as large as itself.
    """
    series = series if series is not None else monthly_won(state)
    won, rep_won, product_won = _won_parts(state, period)
    values = series.values
    remainder = Fraction(0)
    variance = 0.0
    details: dict[str, Any] = {"history_months": len(values),
                               "history_start": series.start.isoformat() if series.start else None}
    if values:
        detection = detect_season(values, candidates)
        model = fit_series(values, detection.length or 1)
        for month in period.months():
            share = _remaining_share(month, period, state.at)
            if share == 0:
                continue
            i = series.index_of(month)
            predicted = max(Fraction(0), model.predict(i))
            remainder += predicted * share
            v = model.variance(i)
            variance += float(share) ** 2 * (v if v is not None else float(predicted) ** 2)
        details.update(
            season_length=model.season if model.season > 1 else None,
            autocorrelations={str(k): v for k, v in detection.autocorrelations.items()},
            significance_threshold=round(detection.threshold, 4),
            trend_cents_per_month=cents(model.slope) if model.trend else None,
            residual_sd_cents=None if model.sigma is None else round(model.sigma),
        )
    rep_parts = dict(rep_won)
    product_parts = dict(product_won)
    if remainder:
        rep_share, product_share = _history_shares(state, series)
        _spread(remainder, rep_share, rep_parts)
        _spread(remainder, product_share, product_parts)
    expected = won + remainder
    sigma = math.sqrt(variance)
    result = _finish(
        "historical", period, state.at, expected, sigma, won, cap=None, rep_parts=rep_parts,
        product_parts=product_parts,
        methodology="Won to date plus the rest of the period as a least-squares fit of monthly won value "
        "(a level per phase of a detected season plus a linear trend) predicts it.",
        assumptions=HISTORICAL_ASSUMPTIONS, details=details,
    )
    if not values:
        return replace(result, confidence=0.0)
    return result


def _history_shares(state: PipelineState, series: MonthlySeries) -> tuple[dict[str, Fraction], dict[str, Fraction]]:
    """Each rep's and product's share of the won value over the series' months."""
    reps: dict[str, Fraction] = {}
    products: dict[str, Fraction] = {}
    if series.start is None:
        return reps, products
    opens, closes = start_of_day(series.start), start_of_day(add_months(series.start, len(series.values)))
    total = 0
    for w in state.won_between(opens, closes):
        total += w.value_cents
        reps[w.owner] = reps.get(w.owner, Fraction(0)) + w.value_cents
        _split(Fraction(w.value_cents), w.products, products)
    if total == 0:
        return {}, {}
    return {k: v / total for k, v in reps.items()}, {k: v / total for k, v in products.items()}


UNASSIGNED = "(unassigned)"


def _spread(amount: Fraction, shares: Mapping[str, Fraction], into: dict[str, Fraction]) -> None:
    if not shares:
        into[UNASSIGNED] = into.get(UNASSIGNED, Fraction(0)) + amount
        return
    for key, share in shares.items():
        into[key] = into.get(key, Fraction(0)) + amount * share


# -- hybrid ---------------------------------------------------------------------------------------


def parse_weight(value: str | float | Fraction | Decimal) -> Fraction:
    """The hybrid's pipeline weight, 0-1 ('0.6' -> 3/5). ValueError when out of range or not a number."""
    try:
        weight = Fraction(Decimal(str(value))) if not isinstance(value, Fraction) else value
    except (InvalidOperation, ValueError):
        raise ValueError(f"expected a number from 0 to 1, got {value!r}") from None
    if not 0 <= weight <= 1:
        raise ValueError(f"expected a number from 0 to 1, got {value}")
    return weight


def hybrid_forecast(pipeline: MethodForecast, historical: MethodForecast,
                    weight: Fraction = DEFAULT_HYBRID_WEIGHT) -> MethodForecast:
    """weight × pipeline + (1 − weight) × historical, by rep and by product alike.

    The spread treats the two methods' errors as independent: σ² = (wσp)² + ((1−w)σh)². (The
    seed blends the best and worst cases linearly, which assumes perfectly correlated errors.)
    """
    a, b = weight, 1 - weight
    expected = a * pipeline.expected + b * historical.expected
    sigma = math.sqrt((float(a) * pipeline.sigma) ** 2 + (float(b) * historical.sigma) ** 2)

    def blend(x: Mapping[str, Fraction], y: Mapping[str, Fraction]) -> dict[str, Fraction]:
        return {k: a * x.get(k, Fraction(0)) + b * y.get(k, Fraction(0)) for k in sorted(set(x) | set(y))}

    pw = float(a)
    return _finish(
        "hybrid", pipeline.period, pipeline.at, expected, sigma, pipeline.won_to_date_cents, cap=None,
        rep_parts=blend(pipeline.rep_parts, historical.rep_parts),
        product_parts=blend(pipeline.product_parts, historical.product_parts),
        methodology=f"A weighted blend: {pw:g} × pipeline + {1 - pw:g} × historical.",
        assumptions=(
            f"The pipeline forecast weighs {pw:g} and the historical {1 - pw:g} (configurable; the seed's 0.6/0.4 "
            "by default).",
            "The two methods' errors are independent, so the blend's spread is narrower than either's.",
            *pipeline.assumptions[:2], *historical.assumptions[:2],
        ),
        details={"pipeline_weight": pw, "pipeline_cents": pipeline.forecast_cents,
                 "historical_cents": historical.forecast_cents},
    )


def forecast_methods(state: PipelineState, period: Period, *, hybrid_weight: Fraction = DEFAULT_HYBRID_WEIGHT,
                     slips: Sequence[int] | None = None, series: MonthlySeries | None = None) -> dict[str, MethodForecast]:
    p = pipeline_forecast(state, period, slips=slips)
    h = historical_forecast(state, period, series=series)
    return {"pipeline": p, "historical": h, "hybrid": hybrid_forecast(p, h, hybrid_weight)}


# -- forecast categories --------------------------------------------------------------------------

CATEGORY_ORDER = (ForecastCategory.CLOSED, ForecastCategory.COMMIT, ForecastCategory.BEST_CASE,
                  ForecastCategory.PIPELINE, ForecastCategory.OMITTED)


@dataclass(frozen=True)
class CategoryLine:
    category: ForecastCategory
    count: int
    value_cents: int


def category_lines(state: PipelineState, period: Period) -> dict[ForecastCategory, CategoryLine]:
    """Open deals whose expected close date falls in the period (an overdue deal belongs to the
    period containing today), by forecast category at face value. Closed is filled in by the caller."""
    today = state.today
    count: dict[ForecastCategory, int] = {c: 0 for c in CATEGORY_ORDER}
    value: dict[ForecastCategory, int] = {c: 0 for c in CATEGORY_ORDER}
    for deal in state.open_deals:
        due = deal.expected_close_date
        in_period = period.contains(due) if due >= today else period.contains(today)
        if not in_period:
            continue
        category = deal.category if deal.category is not ForecastCategory.CLOSED else ForecastCategory.COMMIT
        count[category] += 1
        value[category] += deal.value_cents
    return {c: CategoryLine(c, count[c], value[c]) for c in CATEGORY_ORDER}


@dataclass(frozen=True)
class Attainment:
    """Categories rolled up as Salesforce and HubSpot do, against the period's quota."""

    period: Period
    quota_cents: int | None
    won_count: int
    won_cents: int
    lines: tuple[CategoryLine, ...]  # closed, commit, best case, pipeline, omitted

    def value_of(self, category: ForecastCategory) -> int:
        return sum(line.value_cents for line in self.lines if line.category is category)

    @property
    def commit_cents(self) -> int:
        """Closed + commit."""
        return self.won_cents + self.value_of(ForecastCategory.COMMIT)

    @property
    def best_case_cents(self) -> int:
        """Commit + best case."""
        return self.commit_cents + self.value_of(ForecastCategory.BEST_CASE)

    @property
    def pipeline_cents(self) -> int:
        """Best case + pipeline (omitted never rolls up)."""
        return self.best_case_cents + self.value_of(ForecastCategory.PIPELINE)

    def rollup(self, category: ForecastCategory) -> int | None:
        return {ForecastCategory.CLOSED: self.won_cents, ForecastCategory.COMMIT: self.commit_cents,
                ForecastCategory.BEST_CASE: self.best_case_cents,
                ForecastCategory.PIPELINE: self.pipeline_cents}.get(category)

    @property
    def quota_attainment(self) -> float | None:
        return None if not self.quota_cents else self.won_cents / self.quota_cents

    @property
    def commit_attainment(self) -> float | None:
        return None if not self.quota_cents else self.commit_cents / self.quota_cents


# == the service layer ================================================================================


def load_state(session: "Session", at: datetime, *, products: bool = False) -> PipelineState:
    """The pipeline as it stood at `at` (reconstructed; nothing recorded at or after `at` changes it).

    The present is the exception: at the clock's own instant (or later), what was recorded at
    that very instant counts as past, so an edit made "now" shows in a forecast made now.
    """
    cutoff = at + timedelta(microseconds=1) if at >= session.clock.now() else at
    histories = session.store.forecasting.deal_histories(cutoff, lost_stage=session.pipeline.lost.id,
                                                         with_products=products)
    return replace(reconstruct(cutoff, histories, session.pipeline), at=at)


def scope_logins(session: "Session", owners: Iterable[str] = (), team: str = "") -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(whose deals, whose quotas) a --rep/--team scope stands for; empty: everyone (reps' quotas).

    A team's deals are its members'; its quota is its reps' (a manager's quota rolls theirs up).
    """
    requested = tuple(owners)
    owners = session.owners(requested)  # within what the session sees; refused names raise
    if not team:
        if requested or session.visible_logins() is None:
            return owners, owners
        return owners, session.quota_logins()
    members = session.store.users.find(team=team)
    if owners:
        chosen = tuple(sorted({u.login for u in members} & set(owners)))
        deals, quotas = chosen, chosen
    else:
        deals = tuple(sorted(u.login for u in members))
        quotas = tuple(sorted(u.login for u in members if u.role.value == "rep"))
    nobody = ("-nobody-",)  # a scope with nobody in it forecasts nothing and has no quota
    return deals or nobody, quotas or nobody


def attainment(session: "Session", state: PipelineState, period: Period, logins: tuple[str, ...] = (),
               quota_logins: tuple[str, ...] | None = None) -> Attainment:
    """Quota via `store.quota_total` (of `quota_logins`, default `logins`); won via `store.won_between`
    (closes up to the state's day). Empty logins: everyone, and the reps' quotas."""
    store = session.store
    lines = category_lines(state, period)
    last_day = min(period.end, state.today)
    won_count, won_cents = (store.won_between(session.pipeline.won.id, period.start, last_day, logins)
                            if last_day >= period.start else (0, 0))
    quota_logins = logins if quota_logins is None else quota_logins
    quota = (store.quota_total(period.kind, period.start, quota_logins)
             if period.kind in ("month", "quarter") else None)
    closed = CategoryLine(ForecastCategory.CLOSED, won_count, won_cents)
    ordered = tuple(closed if c is ForecastCategory.CLOSED else lines[c] for c in CATEGORY_ORDER)
    return Attainment(period, quota, won_count, won_cents, ordered)


@dataclass(frozen=True)
class RepLine:
    login: str
    quota_cents: int | None
    won_cents: int
    commit_cents: int
    forecasts: dict[str, int]  # method -> this rep's share of the forecast

    @property
    def quota_attainment(self) -> float | None:
        return None if not self.quota_cents else self.won_cents / self.quota_cents

    @property
    def commit_attainment(self) -> float | None:
        return None if not self.quota_cents else self.commit_cents / self.quota_cents


@dataclass(frozen=True)
class ForecastSet:
    period: Period
    at: datetime
    methods: dict[str, MethodForecast]
    attainment: Attainment
    reps: tuple[RepLine, ...]
    hybrid_weight: Fraction


def forecast(session: "Session", period: Period, *, at: datetime | None = None, owners: Iterable[str] = (),
             team: str = "", hybrid_weight: Fraction = DEFAULT_HYBRID_WEIGHT, by_rep: bool = True,
             state: PipelineState | None = None) -> ForecastSet:
    """Every method for `period` as of `at` (default: now), with categories, attainment and reps.

    `state`: the whole pipeline at `at` with products (`load_state`), when the caller has it already.
    """
    at = at or session.clock.now()
    logins, quota_logins = scope_logins(session, owners, team)
    state = (state if state is not None else load_state(session, at, products=True)).only(logins)
    methods = forecast_methods(state, period, hybrid_weight=hybrid_weight)
    overall = attainment(session, state, period, logins, quota_logins)
    reps: list[RepLine] = []
    if by_rep:
        known = {u.login for u in session.store.users.find(role="rep", active=True)}
        names = set(known if not logins else set(logins) & known)
        for m in methods.values():
            names |= {k for k in m.by_rep if k != UNASSIGNED}
        split = state.by_owner()
        empty = PipelineState(state.at, (), ())
        for login in sorted(names):
            mine = split.get(login, empty)
            a = attainment(session, mine, period, (login,))
            reps.append(RepLine(login, a.quota_cents, a.won_cents, a.commit_cents,
                                {name: m.by_rep.get(login, 0) for name, m in methods.items()}))
    return ForecastSet(period, at, methods, overall, tuple(reps), hybrid_weight)
