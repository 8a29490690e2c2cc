"""The deals open at each month's 1st, by stage and age in stage, and what they won: the landmark state.

A *landmark* is 00:00 UTC on a month's 1st. At each landmark the deals then open are grouped by their
stage and their age in it (`AGE_BUCKETS`), with their count, value and Σ value²; the *outcome* of a
group is how many of those deals were won within 1, 2 and 3 months of the landmark, and for how much
(the value recorded with the win). An outcome is known only once its months are over: a deal still open
then is *censored* — it counts as not won within the months that have passed, and says nothing about the
months that have not.

`build` folds a time-ordered stream of stage changes and value edits into landmarks (and, if asked, the
open deals at the stream's end). Everything it reads was recorded before `until`; a landmark's outcome
uses only the wins before `until`. Pure: no database here. How the forecasts use it:
docs/forecasting.md ("The calibrated pipeline").
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Iterable, Iterator

from domain.periods import add_months, month_start

# Age in the current stage, in days: bucket i holds ages in [AGE_BUCKETS[i-1], AGE_BUCKETS[i]).
AGE_BUCKETS = (7, 14, 30, 60, 90, 120, 180, 365)
HORIZONS = 3  # months of outcome kept per landmark
SECONDS_PER_DAY = 86_400


def age_bucket(days: float) -> int:
    for i, limit in enumerate(AGE_BUCKETS):
        if days < limit:
            return i
    return len(AGE_BUCKETS)


def bucket_label(bucket: int) -> str:
    low = 0 if bucket == 0 else AGE_BUCKETS[bucket - 1]
    if bucket >= len(AGE_BUCKETS):
        return f"{low}+ days"
    return f"{low}–{AGE_BUCKETS[bucket] - 1} days"


def bucket_bounds(at: datetime) -> tuple[datetime, ...]:
    """The instants a stage entry must be after to fall in buckets 0, 1, …: `at` minus each limit."""
    return tuple(at - timedelta(days=limit) for limit in AGE_BUCKETS)


def instant(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=timezone.utc)


# -- what the state holds --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Cohort:
    """Deals open at a landmark in one stage and age bucket, and (when known) what they won."""

    stage: str
    bucket: int
    deals: int
    value_cents: int
    value_sq: float
    won_deals: tuple[int | None, ...] = (None,) * HORIZONS  # within 1, 2, 3 months; None: not over yet
    won_cents: tuple[int | None, ...] = (None,) * HORIZONS


@dataclass(frozen=True)
class Landmark:
    start: date  # the month's 1st
    cohorts: tuple[Cohort, ...]

    def known(self, months: int, at: datetime) -> bool:
        """Whether the outcome within `months` is over by `at` (and so may be read as of `at`)."""
        return instant(add_months(self.start, months)) <= at

    @property
    def deals(self) -> int:
        return sum(c.deals for c in self.cohorts)

    @property
    def value_cents(self) -> int:
        return sum(c.value_cents for c in self.cohorts)


@dataclass(frozen=True, slots=True)
class OpenGroup:
    """Deals open at an instant with one owner, stage and age bucket (the present, aggregated)."""

    owner: str
    stage: str
    bucket: int
    deals: int
    value_cents: int
    value_sq: float


# -- the fold ----------------------------------------------------------------------------------------

# One event of a deal's history: (at, opportunity id, owner login, stage entered or None for a value edit,
# value in cents). The stream is ordered by time, a stage change before a value edit at the same instant.
Event = tuple[datetime, int, str, "str | None", int]


@dataclass
class _Deal:
    __slots__ = ("owner", "stage", "entered", "value", "marks")
    owner: str
    stage: str
    entered: datetime
    value: int
    marks: list  # [(landmark index, key)] for the landmarks of the last HORIZONS months it was open at


@dataclass(frozen=True)
class Fold:
    landmarks: tuple[Landmark, ...]
    present: tuple[OpenGroup, ...]  # the deals open at `until` (empty unless asked for)
    until: datetime
    open_deals: tuple[tuple[int, str, int, int], ...] = ()  # (id, stage, bucket, value) at `until`, if asked for


def landmark_days(first: datetime, until: datetime) -> list[date]:
    """Every month's 1st after the month of `first`, up to `until` (inclusive)."""
    out, day = [], add_months(month_start(first.date()), 1)
    while instant(day) <= until:
        out.append(day)
        day = add_months(day, 1)
    return out


def build(events: Iterable[Event], *, until: datetime, open_stages: Iterable[str], won_stage: str,
          present: bool = False) -> Fold:
    """Fold the history recorded before `until` into landmarks (and the deals open at `until`)."""
    open_ids = frozenset(open_stages)
    deals: dict[int, _Deal] = {}
    days: list[date] = []
    starts: list[datetime] = []
    groups: list[dict[tuple[str, int], list]] = []
    stream = iter(events)
    first = next(stream, None)
    if first is None or first[0] >= until:
        return Fold((), (), until)
    days = landmark_days(first[0], until)
    starts = [instant(d) for d in days]
    horizon_ends = [[instant(add_months(d, k)) for k in range(1, HORIZONS + 1)] for d in days]
    next_landmark = 0

    def snapshot(index: int) -> None:
        bounds = sorted(bucket_bounds(starts[index]))  # a deal entered after bound i is younger than limit i
        last = len(bounds)
        group: dict[tuple[str, int], list] = {}
        for deal in deals.values():
            key = (deal.stage, last - bisect_left(bounds, deal.entered))
            acc = group.get(key)
            if acc is None:
                acc = group[key] = [0, 0, 0.0, [0] * HORIZONS, [0] * HORIZONS]
            acc[0] += 1
            acc[1] += deal.value
            acc[2] += float(deal.value) ** 2
            deal.marks = [m for m in deal.marks if index - m[0] < HORIZONS] + [(index, key)]
        groups.append(group)

    def won(deal: _Deal, at: datetime, value: int) -> None:
        for index, key in deal.marks:
            acc = groups[index][key]
            for k in range(HORIZONS):
                if at < horizon_ends[index][k]:
                    acc[3][k] += 1
                    acc[4][k] += value

    for event in _chain(first, stream):
        at, opp, owner, stage, value = event
        if at >= until:
            break
        while next_landmark < len(days) and starts[next_landmark] <= at:
            snapshot(next_landmark)
            next_landmark += 1
        deal = deals.get(opp)
        if stage is None:  # an audited edit of the value
            if deal is not None:
                deal.value = value
            continue
        if stage in open_ids:
            if deal is None:
                deals[opp] = _Deal(owner, stage, at, value, [])
            else:
                deal.stage, deal.entered, deal.value, deal.owner = stage, at, value, owner
            continue
        if deal is not None:
            if stage == won_stage:
                won(deal, at, value)
            del deals[opp]  # won, lost or in a stage the pipeline does not know: not open
    while next_landmark < len(days):
        snapshot(next_landmark)
        next_landmark += 1
    landmarks = tuple(
        Landmark(day, tuple(
            Cohort(stage, bucket, acc[0], acc[1], acc[2],
                   tuple(acc[3][k] if horizon_ends[i][k] <= until else None for k in range(HORIZONS)),
                   tuple(acc[4][k] if horizon_ends[i][k] <= until else None for k in range(HORIZONS)))
            for (stage, bucket), acc in sorted(group.items())
        ))
        for i, (day, group) in enumerate(zip(days, groups))
    )
    if not present:
        return Fold(landmarks, (), until)
    each = tuple((opp, d.stage, bucket_at(d.entered, until), d.value)
                 for opp, d in sorted(deals.items()))
    return Fold(landmarks, open_groups(deals.values(), until), until, each)


def _chain(first: Event, rest: Iterator[Event]) -> Iterator[Event]:
    yield first
    yield from rest


def bucket_at(entered: datetime, at: datetime) -> int:
    """The age bucket at `at` of a stage entered at `entered`: the first whose limit the age is under."""
    bounds = sorted(bucket_bounds(at))
    return len(bounds) - bisect_left(bounds, entered)


def open_groups(deals: Iterable[_Deal], at: datetime) -> tuple[OpenGroup, ...]:
    grouped: dict[tuple[str, str, int], list] = {}
    for deal in deals:
        key = (deal.owner, deal.stage, bucket_at(deal.entered, at))
        acc = grouped.setdefault(key, [0, 0, 0.0])
        acc[0] += 1
        acc[1] += deal.value
        acc[2] += float(deal.value) ** 2
    return tuple(OpenGroup(o, s, b, a[0], a[1], a[2]) for (o, s, b), a in sorted(grouped.items()))
