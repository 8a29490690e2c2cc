"""The calibrated probability that an open deal is won within a window, learned from the landmarks before T.

For a deal open at T in stage s, aged a days in it, the chance it is won within the next k months is the
share of the deals that were in s at the same age on a past landmark and were won within k months — a
landmark (life-table) estimate of the cumulative incidence of a win, in which the deals still open when
the k months ended count as not won *within them* and the landmarks whose k months are not over yet are
left out (censored). Learned only from outcomes over before T.

Both a count rate (deals won / deals: the probability shown beside the configured one) and a value rate
(value won / value open: what the forecast multiplies the open value by; it also learns how a deal's value
changes when it is won) are kept. Sparse groups borrow from their parents: bucket → stage → all deals, each
with `PRIOR_DEALS` deals' worth of weight (empirical-Bayes shrinkage). When a season is detected, the rate
for a month is learned again from the landmarks of the same phase of the season (the same month of the
quarter for a quarterly season) and shrunk towards the all-phases rate.

Rates are floats computed in a fixed order (landmarks by date, groups sorted): two databases holding the
same history give the same figures to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Iterable, Sequence

from domain.periods import add_months, month_start
from domain.services.forecast_cohorts import HORIZONS, Landmark, instant

PRIOR_DEALS = 10  # the weight of a parent rate, in deals


def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def months_between(start: datetime, end: datetime) -> float:
    """Calendar months from `start` to `end` (fractional inside a month: Mar 16 12:00 → Apr 1 is 0.5)."""
    def position(t: datetime) -> float:
        first = month_start(t.date())
        opens, closes = instant(first), instant(add_months(first, 1))
        return month_index(first) + (t - opens).total_seconds() / (closes - opens).total_seconds()

    return position(end) - position(start)


class _Sums:
    """Deals (and their value) whose k-month outcome is known, and of them the won (and the value won)."""

    __slots__ = ("seen", "seen_value", "won_deals", "won_cents")

    def __init__(self, other: "_Sums | None" = None) -> None:
        if other is None:
            self.seen, self.seen_value = [0] * HORIZONS, [0] * HORIZONS
            self.won_deals, self.won_cents = [0] * HORIZONS, [0] * HORIZONS
        else:
            self.seen, self.seen_value = list(other.seen), list(other.seen_value)
            self.won_deals, self.won_cents = list(other.won_deals), list(other.won_cents)

    def add(self, cohort, k: int) -> None:
        self.seen[k] += cohort.deals
        self.seen_value[k] += cohort.value_cents
        self.won_deals[k] += cohort.won_deals[k]
        self.won_cents[k] += cohort.won_cents[k]


@dataclass(frozen=True)
class Rates:
    """Won within 1, 2, 3 months, per open deal and per open dollar, for one stage and age bucket."""

    deal: tuple[float, ...]
    value: tuple[float, ...]
    evidence: int  # deal-landmarks behind the 1-month rate of this very group

    def at(self, months: float, *, by_value: bool = True) -> float:
        """Won within `months` (fractional): linear inside a month, capped at the longest horizon."""
        rates = self.value if by_value else self.deal
        if months <= 0:
            return 0.0
        whole = int(months)
        if whole >= HORIZONS:
            return rates[-1]
        low = 0.0 if whole == 0 else rates[whole - 1]
        return low + (months - whole) * (rates[whole] - low)

    def within(self, begin: float, end: float, *, by_value: bool = True) -> float:
        """Won between `begin` and `end` months from now."""
        return max(0.0, self.at(end, by_value=by_value) - self.at(begin, by_value=by_value))


@dataclass(frozen=True)
class Calibration:
    """Rates learned from the landmark outcomes over before `at`; `season` is the season length of the phases."""

    at: datetime
    season: int | None
    overall: _Sums
    by_stage: dict[str, _Sums]
    by_group: dict[tuple[str, int], _Sums]
    by_phase: dict[tuple[int, str, int], _Sums]  # (phase, stage, bucket)
    landmarks: int  # landmarks with a known 1-month outcome

    def rates(self, stage: str, bucket: int, month: date | None = None) -> Rates:
        """The rates of one group; with `month` and a season, those of that month's phase."""
        root = self.overall
        top = _ratios(root, None, None)
        s = self.by_stage.get(stage, _EMPTY)
        average = _average(s, root)
        mid = _ratios(s, top, average)
        g = self.by_group.get((stage, bucket), _EMPTY)
        rates = _ratios(g, mid, average)
        if month is not None and self.season:
            p = self.by_phase.get((month_index(month) % self.season, stage, bucket))
            if p is not None:
                rates = _ratios(p, rates, average)
        return Rates(tuple(rates[0]), tuple(rates[1]), g.seen[0])


_EMPTY = _Sums()


def _average(s: _Sums, root: _Sums) -> float:
    """The average open value of a deal in the group's stage (the prior's weight in cents)."""
    if s.seen[0]:
        return s.seen_value[0] / s.seen[0]
    if root.seen[0]:
        return root.seen_value[0] / root.seen[0]
    return 1.0


def _ratios(s: _Sums, parent: tuple | None, average: float | None) -> tuple[list[float], list[float]]:
    """(deal rates, value rates) for k = 1..HORIZONS, shrunk towards `parent`; each at least the shorter one."""
    deal: list[float] = []
    value: list[float] = []
    for k in range(HORIZONS):
        if parent is None:
            d = s.won_deals[k] / s.seen[k] if s.seen[k] else 0.0
            v = s.won_cents[k] / s.seen_value[k] if s.seen_value[k] else d
        else:
            d = (s.won_deals[k] + PRIOR_DEALS * parent[0][k]) / (s.seen[k] + PRIOR_DEALS)
            weight = PRIOR_DEALS * average
            v = (s.won_cents[k] + weight * parent[1][k]) / (s.seen_value[k] + weight)
        if k:
            d, v = max(d, deal[-1]), max(v, value[-1])
        deal.append(d)
        value.append(v)
    return deal, value


class Calibrator:
    """Calibrations as of successive months, built cumulatively: a landmark's k-month outcome becomes known
    on the 1st k months after it, and from then on every later calibration counts it."""

    def __init__(self, landmarks: Sequence[Landmark], season: int | None = None) -> None:
        self.season = season
        self.known: dict[date, list[tuple[Landmark, int]]] = {}
        for landmark in landmarks:
            for k in range(HORIZONS):
                if any(c.won_deals[k] is not None for c in landmark.cohorts):
                    self.known.setdefault(add_months(landmark.start, k + 1), []).append((landmark, k))
        self.order = sorted(self.known)
        self.done: list[tuple[date, Calibration]] = []  # in month order

    def at(self, at: datetime) -> Calibration:
        """What was learned from the outcomes over by `at` (the 1st of its month: outcomes end on 1sts)."""
        month = month_start(at.date())
        while len(self.done) < len(self.order) and self.order[len(self.done)] <= month:
            self._step(self.order[len(self.done)])
        found = None
        for day, calibration in reversed(self.done):
            if day <= month:
                found = calibration
                break
        base = found or Calibration(at, self.season, _Sums(), {}, {}, {}, 0)
        return Calibration(at, self.season, base.overall, base.by_stage, base.by_group, base.by_phase, base.landmarks)

    def _step(self, day: date) -> None:
        previous = self.done[-1][1] if self.done else None
        overall = _Sums(previous.overall) if previous else _Sums()
        by_stage = {k: _Sums(v) for k, v in previous.by_stage.items()} if previous else {}
        by_group = {k: _Sums(v) for k, v in previous.by_group.items()} if previous else {}
        by_phase = {k: _Sums(v) for k, v in previous.by_phase.items()} if previous else {}
        count = previous.landmarks if previous else 0
        for landmark, k in self.known[day]:
            if k == 0:
                count += 1
            phase = month_index(landmark.start) % self.season if self.season else None
            for cohort in landmark.cohorts:
                if cohort.won_deals[k] is None:
                    continue
                overall.add(cohort, k)
                by_stage.setdefault(cohort.stage, _Sums()).add(cohort, k)
                by_group.setdefault((cohort.stage, cohort.bucket), _Sums()).add(cohort, k)
                if phase is not None:
                    by_phase.setdefault((phase, cohort.stage, cohort.bucket), _Sums()).add(cohort, k)
        self.done.append((day, Calibration(instant(day), self.season, overall, by_stage, by_group, by_phase, count)))


def calibrate(landmarks: Iterable[Landmark], at: datetime, season: int | None = None) -> Calibration:
    """Learn the rates from every landmark outcome over by `at` (nothing later takes part)."""
    return Calibrator(tuple(landmarks), season).at(at)


# -- the calibration table: predicted against observed ------------------------------------------------

BINS = (0.05, 0.10, 0.20, 0.30, 0.40, 0.50, 0.70, 1.0)


@dataclass(frozen=True)
class CalibrationBin:
    low: float
    high: float
    deals: int  # deal-landmarks predicted in this bin
    predicted: float  # average predicted probability of a win within the month
    observed: float  # share actually won within the month
    configured: float  # average configured stage probability of the same deals (a win at any time)

    @property
    def label(self) -> str:
        return f"{self.low * 100:.0f}–{self.high * 100:.0f}%"


def calibration_table(landmarks: Sequence[Landmark], at: datetime, probabilities: dict[str, int],
                      model_of) -> tuple[CalibrationBin, ...]:
    """Out of sample: each landmark's groups predicted by `model_of(day)`, the model learned from the
    landmarks before it (with the season detected then), binned by predicted probability, against what
    was won."""
    bins = [[0, 0.0, 0, 0] for _ in BINS]  # deals, Σ predicted, Σ won, Σ configured
    for landmark in landmarks:
        start = instant(landmark.start)
        if start >= at or not landmark.known(1, at):
            continue
        model = model_of(landmark.start)
        if not model.landmarks:
            continue
        for cohort in landmark.cohorts:
            if cohort.won_deals[0] is None:
                continue
            p = model.rates(cohort.stage, cohort.bucket, landmark.start).deal[0]
            i = next(j for j, high in enumerate(BINS) if p < high or high == BINS[-1])
            acc = bins[i]
            acc[0] += cohort.deals
            acc[1] += p * cohort.deals
            acc[2] += cohort.won_deals[0]
            acc[3] += probabilities.get(cohort.stage, 0) * cohort.deals
    out = []
    low = 0.0
    for high, (n, predicted, won, configured) in zip(BINS, bins):
        if n:
            out.append(CalibrationBin(low, high, n, predicted / n, won / n, configured / (100 * n)))
        low = high
    return tuple(out)
