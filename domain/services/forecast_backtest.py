"""Rolling-origin backtest: forecast each past month from what was known at 00:00 UTC on its 1st.

For every month M, each method forecasts M from the landmark state at M (the deals open then, by stage
and age in stage), the win rates learned from the landmarks whose months were over by M, and the monthly
won series as it stood on M's 1st — nothing recorded later. The forecast is compared with M's actual won
value. Naive baselines are scored the same way, so a method that loses to a naive guess cannot hide.

`auto` is chosen the same way at every instant T: among the methods, their blends and the naive rules,
the one with the lowest mean absolute percentage error over the months that were over by T (each forecast
from its own 1st), with the season detected at T. Nothing after T takes part in the choice.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Sequence

from domain.periods import add_months, month_start
from domain.services.forecast_calibration import Calibration, Calibrator
from domain.services.forecast_cohorts import Landmark, OpenGroup, instant
from domain.services.forecast_series import MonthlySeries, SeasonDetection, WonTable, detect_season
from domain.services.forecasting import (
    AUTO,
    BASELINES,
    BLENDS,
    METHODS,
    Inputs,
    MethodForecast,
    Model,
    Period,
    blend_name,
    candidate_forecasts,
    combine,
    describe,
)

CANDIDATES = ("pipeline", "historical", *(blend_name(w) for w in BLENDS), *BASELINES)
MIN_COMMON_MONTHS = 3  # months every candidate forecast, to compare them all on the same months


class BacktestRangeError(ValueError):
    """A bad --from/--to; the message starts with the option's name ("from: ..." / "to: ...")."""


# -- scores -------------------------------------------------------------------------------------------


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
    notes: tuple[str, ...] = ()  # auto: what it chose each month and why

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


def mape(pairs: Sequence[tuple[int | None, int]]) -> float | None:
    errors = [e for f, a in pairs if (e := abs_pct_error(f, a)) is not None]
    return sum(errors) / len(errors) if errors else None


def score(method: str, rows: Sequence[tuple[date, int | None, int]], notes: tuple[str, ...] = ()) -> BacktestResult:
    months = tuple(BacktestMonth(m, f, a, abs_pct_error(f, a)) for m, f, a in rows)
    return BacktestResult(method, months, mape([(f, a) for _, f, a in rows]), notes)


def head_to_head(a: BacktestResult, b: BacktestResult) -> tuple[int, float | None, float | None]:
    """(months both scored, a's MAPE on them, b's MAPE on them)."""
    both = [(x, y) for x, y in zip(a.months, b.months) if x.abs_pct_error is not None and y.abs_pct_error is not None]
    if not both:
        return 0, None, None
    return (len(both), sum(x.abs_pct_error for x, _ in both) / len(both),
            sum(y.abs_pct_error for _, y in both) / len(both))


# -- the choice ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    """What `auto` uses at an instant, and why: the equal-weight mean of `members`."""

    members: tuple[str, ...]  # methods, blends (`blend_1/2`) or naive rules, best first
    season: int | None
    months: tuple[date, ...]  # the months compared (each forecast from its 1st)
    scores: dict[str, float] = field(default_factory=dict)  # candidate -> MAPE over `months`

    @property
    def name(self) -> str:
        """`pipeline`, `blend_1/2`, … for one member; `mean of 3: a, b, c` for several."""
        if len(self.members) == 1:
            return self.members[0]
        return f"mean of {len(self.members)}: {', '.join(self.members)}"

    @property
    def in_words(self) -> str:
        if len(self.members) == 1:
            return describe(self.members[0])
        return f"the mean of {len(self.members)}: " + ", ".join(describe(m) for m in self.members)

    @property
    def reason(self) -> str:
        season = f"; season of {self.season} months detected" if self.season else "; no season detected"
        if not self.months:
            return f"no month before this one to compare the candidates on yet{season}"
        first, last = self.months[0], self.months[-1]
        span = f"{first:%Y-%m}" if first == last else f"{first:%Y-%m} to {last:%Y-%m}"
        ranked = ", ".join(f"{describe(n)} {self.scores[n] * 100:.1f}%" for n in self.members)
        worse = sorted((s, n) for n, s in self.scores.items() if n not in self.members)
        dropped = f"; best left out: {describe(worse[0][1])} {worse[0][0] * 100:.1f}%" if worse else ""
        return (f"the better half of {len(self.scores)} candidates by their error (MAPE) over {len(self.months)} "
                f"month(s), {span}, each forecast from its 1st: {ranked}{dropped}{season}")


def choose(table: dict[date, dict[str, int | None]], actual: dict[date, int], season: int | None) -> Choice:
    """The better half of the candidates by MAPE over the months in `table` (month -> candidate -> forecast).

    Candidates are compared on the same months: those every candidate forecast, when there are
    MIN_COMMON_MONTHS of them; otherwise only the candidates that forecast every month are compared. Ties
    go to the earlier candidate in CANDIDATES (the methods before the blends before the naive rules). A
    trimmed, equal-weight combination: one candidate's lucky months weigh less than in a pick of the best."""
    months = sorted(m for m in table if actual.get(m))
    if not months:
        return Choice(("hybrid",), season, ())
    names = [n for n in CANDIDATES if any(table[m].get(n) is not None for m in months)]
    common = [m for m in months if all(table[m].get(n) is not None for n in names)]
    if len(common) >= MIN_COMMON_MONTHS:
        months = common
    else:
        names = [n for n in names if all(table[m].get(n) is not None for m in months)]
    scores = {n: mape([(table[m][n], actual[m]) for m in months]) for n in names}
    scores = {n: s for n, s in scores.items() if s is not None}
    if not scores:
        return Choice(("hybrid",), season, ())
    ranked = sorted(scores, key=lambda n: (scores[n], CANDIDATES.index(n)))
    return Choice(tuple(ranked[: (len(ranked) + 1) // 2]), season, tuple(months), scores)


# -- what the backtest reads --------------------------------------------------------------------------------


class History:
    """The landmark state and the won revenue, recorded before `until`, that forecasts of past months read.

    `month_forecasts(M, season)` is every candidate's forecast of month M made on M's 1st; it depends on
    nothing recorded after M's 1st (the season, when given, was detected by the caller from its own past)."""

    def __init__(self, until: datetime, landmarks: Sequence[Landmark], won: WonTable) -> None:
        self.until = until
        self.landmarks = tuple(landmarks)
        self.by_start = {landmark.start: landmark for landmark in self.landmarks}
        self.won = won
        self._memo: dict[tuple[date, int | None], dict[str, int | None]] = {}
        self._series: dict[date, tuple[MonthlySeries, MonthlySeries]] = {}
        self._calibrators: dict[int | None, Calibrator] = {}
        self._seasons: dict[date, SeasonDetection] = {}

    def adopt(self, other: "History", before: date) -> None:
        """Take over what `other` computed (forecasts of past months, calibrations, series, seasons) when it
        read the same landmarks and the same wins of the months before `before` — all of those depend on
        nothing else (a win or a move this month changes none of them)."""
        if other.landmarks != self.landmarks or self._past(before) != other._past(before):
            return
        self._memo, self._series, self._calibrators, self._seasons = (
            other._memo, other._series, other._calibrators, other._seasons)

    def _past(self, before: date) -> tuple:
        return tuple(sorted((r for r in self.won.rows if r[0] < before), key=repr))

    def series_on(self, month: date) -> tuple[MonthlySeries, MonthlySeries]:
        """The won series (and its same-month part) as they stood at 00:00 UTC on `month`'s 1st."""
        if month not in self._series:
            self._series[month] = self.won.series(month, standing_on=month)
        return self._series[month]

    def actual(self, month: date, *, standing_on: date | None = None) -> int:
        """Won in `month`, standing on `standing_on`'s 1st (None: standing now)."""
        return self.won.actual(month, standing_on)

    def season_on(self, month: date) -> SeasonDetection:
        if month not in self._seasons:
            self._seasons[month] = detect_season(self.series_on(month)[0].values)
        return self._seasons[month]

    def inputs_on(self, month: date) -> Inputs:
        landmark = self.by_start.get(month)
        groups = () if landmark is None else tuple(
            OpenGroup("", c.stage, c.bucket, c.deals, c.value_cents, c.value_sq) for c in landmark.cohorts)
        series, new = self.series_on(month)
        return Inputs(instant(month), groups, series, new)

    def model_on(self, month: date, season: SeasonDetection) -> Model:
        return Model(season, self.calibrated(month, season.length))

    def calibrated(self, month: date, season_length: int | None) -> Calibration:
        """The win rates learned from the landmark outcomes over by `month`'s 1st."""
        if season_length not in self._calibrators:
            self._calibrators[season_length] = Calibrator(self.landmarks, season_length)
        return self._calibrators[season_length].at(instant(month))

    def month_forecasts(self, month: date, season: SeasonDetection) -> dict[str, MethodForecast]:
        inputs = self.inputs_on(month)
        return candidate_forecasts(inputs, Period.month(month), self.model_on(month, season))

    def month_cents(self, month: date, season_length: int | None) -> dict[str, int | None]:
        """Every candidate's forecast of `month` from its 1st, with that season length imposed (memoized)."""
        key = (month, season_length)
        if key not in self._memo:
            detected = self.season_on(month)
            season = SeasonDetection(season_length, detected.p_values, detected.level)
            found = self.month_forecasts(month, season)
            self._memo[key] = {name: (found[name].forecast_cents if name in found else None) for name in CANDIDATES}
        return self._memo[key]

    def origins_before(self, at: datetime) -> list[date]:
        """The months over by `at` that have at least one complete month of won history before them."""
        out = []
        for landmark in self.landmarks:
            month = landmark.start
            if instant(add_months(month, 1)) > at:
                break
            if self.series_on(month)[0].values:
                out.append(month)
        return out

    def choice(self, at: datetime, season: SeasonDetection) -> Choice:
        """auto's choice at `at`: the candidates scored on every month over by then, with the season
        detected at `at` imposed on each of those months' forecasts, against the actuals as they stood at
        `at` (a win undone in `at`'s own month counts as undone: the rows say only the month)."""
        first = month_start(at.date())
        standing = first if at == instant(first) else add_months(first, 1)
        months = self.origins_before(at)
        table = {m: self.month_cents(m, season.length) for m in months}
        return choose(table, {m: self.actual(m, standing_on=standing) for m in months}, season.length)


# -- the backtest ------------------------------------------------------------------------------------------


def check_range(first: date, last: date, today: date) -> tuple[date, date]:
    first, last = month_start(first), month_start(last)
    if first > last:
        raise BacktestRangeError(f"from: {first:%Y-%m} is after --to {last:%Y-%m}")
    if add_months(last, 1) > month_start(today):
        raise BacktestRangeError(
            f"to: {last:%Y-%m} has not ended yet (today is {today.isoformat()}); its actual is not known"
        )
    return first, last


def run(history: History, first: date, last: date, *, methods: Sequence[str] = (AUTO, *METHODS),
        baselines: bool = True, hybrid_weight=None) -> list[BacktestResult]:
    """One result per method (and per baseline when `baselines`), months first..last inclusive."""
    months: list[date] = []
    m = first
    while m <= last:
        months.append(m)
        m = add_months(m, 1)
    names = list(methods) + (list(BASELINES) if baselines else [])
    rows: dict[str, list[tuple[date, int | None, int]]] = {name: [] for name in names}
    notes: list[str] = []
    for month in months:
        actual = history.actual(month)
        season = history.season_on(month)
        found = history.month_forecasts(month, season)
        if hybrid_weight is not None:
            from domain.services.forecasting import hybrid_forecast

            found["hybrid"] = hybrid_forecast(found["pipeline"], found["historical"], hybrid_weight)
        if AUTO in names:
            choice = history.choice(instant(month), season)
            rows[AUTO].append((month, combine(found, choice.members).forecast_cents, actual))
            notes.append(f"{month:%Y-%m}: {choice.reason}")
        for name in names:
            if name == AUTO:
                continue
            rows[name].append((month, found[name].forecast_cents if name in found else None, actual))
    return [score(name, rows[name], tuple(notes) if name == AUTO else ()) for name in names]
