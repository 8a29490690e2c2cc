"""Opportunities: a walk through the stages in time, line items, value, competitors, forecast fields.

Each deal is decided first (won, lost at some stage, or still open in some stage and how
lively it is), then placed in time: closed deals close anywhere in the 18 months, open deals
backwards from today so that their time in the current stage is what their liveliness says
(fresh, stalled 30-90 days, or idle with no activity for 20+ days).
"""

from __future__ import annotations

import math
import random
from bisect import bisect_right
from collections import defaultdict
from decimal import Decimal

from domain.money import line_total
from store.demo.accounts import Account
from store.demo.catalog import CATEGORIES, CATEGORY_WEIGHTS, PRODUCTS, PROGRAMS
from store.demo.chance import Weighted, chance, log_span, one, span, uniform
from store.demo.market import COMPETITORS, LEAD_SOURCES, LOST_REASONS
from store.demo.people import Roster
from store.demo.phrases import (
    COMPETITOR_NOTES,
    DEAL_DESCRIPTIONS,
    LOST_NEXT_STEPS,
    NEXT_STEPS,
    WON_NEXT_STEPS,
)
from store.demo.scale import Scale
from store.demo.timeline import DAY, HOUR, MINUTE, Timeline

STAGES = ("discovery", "qualification", "proposal", "negotiation", "closed_won", "closed_lost")
OPEN_STAGES = STAGES[:4]
PROBABILITY = dict(zip(STAGES, (20, 40, 60, 80, 100, 0)))
FORECAST = {
    "discovery": "pipeline",
    "qualification": "pipeline",
    "proposal": "best_case",
    "negotiation": "commit",
    "closed_won": "closed",
    "closed_lost": "omitted",
}
_FORECAST_OVERRIDE = {"discovery": "omitted", "qualification": "best_case", "proposal": "commit",
                      "negotiation": "best_case"}

OPPORTUNITY_COLUMNS = (
    "id", "external_id", "name", "account_id", "contact_id", "stage", "probability", "probability_overridden",
    "value_cents", "budget_cents", "started_on", "expected_close_date", "actual_close_date", "source", "owner_id",
    "lost_reason", "next_step", "description", "forecast_category", "forecast_category_overridden",
    "stage_entered_at", "last_activity_at", "created_at", "updated_at", "updated_by_id", "version",
)
LINE_ITEM_COLUMNS = ("id", "opportunity_id", "product_id", "name", "quantity", "unit_price_cents", "discount_pct",
                     "total_cents")
STAGE_CHANGE_COLUMNS = ("id", "opportunity_id", "from_stage", "to_stage", "changed_at", "changed_by_id",
                        "value_cents", "probability")
OPPORTUNITY_COMPETITOR_COLUMNS = ("id", "opportunity_id", "competitor_id", "notes")

# (outcome, index of the last open stage reached, proposal variant): the first deals make sure
# every stage and every proposal status appears even in a small data set.
_FORCED = (
    ("won", 3, None), ("lost", 0, None), ("lost", 1, None), ("lost", 2, "rejected"), ("lost", 2, "withdrawn"),
    ("lost", 2, "expired"), ("lost", 2, "draft"), ("lost", 3, None), ("open", 0, None), ("open", 1, None),
    ("open", 2, "draft"), ("open", 2, "sent"), ("open", 3, None),
)
_OUTCOME = Weighted((("won", 33), ("lost", 27), ("open", 40)))
_LOST_AT = Weighted(((0, 25), (1, 30), (2, 25), (3, 20)))
_OPEN_AT = Weighted(((0, 30), (1, 27), (2, 23), (3, 20)))
_MODE = Weighted((("fresh", 60), ("stalled", 20), ("idle", 20)))
_IN_STAGE_DAYS = {"fresh": (0.2, 25.0), "stalled": (31.5, 88.5), "idle": (22.0, 110.0)}
# Median days from one stage to the next (discovery->qualification ... negotiation->close), and to a loss.
_STEP_MEDIAN_DAYS = (9, 13, 11, 14)
_LOST_STEP_MEDIAN_DAYS = 18
_LINES = Weighted(((1, 35), (2, 30), (3, 20), (4, 15)))
_RIVALS = Weighted(((0, 35), (1, 45), (2, 20)))
_RIVAL = Weighted((i + 1, c.market_share) for i, c in enumerate(COMPETITORS))
_LOST_REASON = Weighted(LOST_REASONS)
_SOURCE = Weighted((name, weight) for name, _, _, weight in LEAD_SOURCES)
CATEGORY_BY_INDUSTRY = {industry: Weighted(zip(CATEGORIES, w)) for industry, w in CATEGORY_WEIGHTS.items()}
# What a customer buys week in, week out (everything but equipment): what day-to-day talk is about.
SUPPLY_BY_INDUSTRY = {
    industry: Weighted((c, weight) for c, weight in zip(CATEGORIES, w) if c != "kitchen equipment")
    for industry, w in CATEGORY_WEIGHTS.items()
}
_PRODUCTS = defaultdict(list)
for _pid, _product in enumerate(PRODUCTS, start=1):
    _PRODUCTS[_product.category].append((_pid, _product))
_CASES = {"small": (10, 60), "medium": (30, 200), "large": (100, 600), "enterprise": (250, 1500)}
_POUNDS = {"small": (200, 1400), "medium": (600, 4000), "large": (2000, 12000), "enterprise": (5000, 30000)}
_MACHINES = {"small": (1, 2), "medium": (1, 3), "large": (1, 6), "enterprise": (2, 16)}
_SITES = {"small": "one location", "medium": "{n} locations", "large": "{n} sites", "enterprise": "{n} sites"}
_SCHOOL_YEAR = {"school_district", "university"}
_DISCOUNTS = tuple(f"{half / 2:.2f}" for half in range(31))  # "0.00", "0.50" ... "15.00"
_DISCOUNT_VALUE = {text: Decimal(text) for text in _DISCOUNTS}


class Deal:
    __slots__ = (
        "id", "account", "contact_id", "owner_id", "outcome", "variant", "path", "reached", "times", "values",
        "mode", "window_end", "lines", "value", "budget", "name", "category", "supply", "program", "source",
        "expected_day", "close_day", "lost_reason", "next_step", "description", "forecast", "forecast_overridden",
        "rivals", "proposals", "n_extra", "future", "recent",
    )

    @property
    def stage(self) -> str:
        return self.path[-1]

    @property
    def created_ts(self) -> int:
        return self.times[0]

    @property
    def closed(self) -> bool:
        return self.outcome != "open"


def make_deals(rng: random.Random, timeline: Timeline, scale: Scale, accounts: list[Account],
               roster: Roster) -> list[Deal]:
    rnd = rng.random
    account_created = [a.created_ts for a in accounts]
    book = _Book(rng, accounts, roster)
    deals: list[Deal] = []
    for k in range(scale.opportunities):
        d = Deal()
        if k < len(_FORCED):
            outcome, reached, d.variant = _FORCED[k]
        else:
            outcome = _OUTCOME.pick(rnd)
            reached = 3 if outcome == "won" else (_LOST_AT if outcome == "lost" else _OPEN_AT).pick(rnd)
            d.variant = None
        d.outcome, d.reached = outcome, reached
        if outcome == "won":
            d.path = STAGES[:4] + ("closed_won",)
        elif outcome == "lost":
            d.path = STAGES[: reached + 1] + ("closed_lost",)
        else:
            d.path = STAGES[: reached + 1]
        d.times = _place_in_time(rng, timeline, d)
        created = d.times[0]

        # Whose deal: an account that existed a day before, bigger accounts more often. Wins go to
        # an account of a rep who is behind for that month, so reps' results are steady.
        a = book.account_for_win(rnd, created, d.times[-1]) if outcome == "won" else None
        if a is None:
            k_max = bisect_right(account_created, created - DAY) or 1
            for _ in range(1000):
                a = accounts[int(rnd() * k_max)]
                if rnd() * 5.0 < a.weight and (a.engaged or outcome != "won"):
                    break
        d.account = a
        d.contact_id = a.contact_at(rnd, created)
        if outcome == "won":
            d.owner_id = a.owner_id
        else:
            d.owner_id = a.owner_id if chance(rnd, 0.85) else roster.rep_in(rnd, a.segment).id

        _line_items(rnd, d, a)
        d.values = [max(10_000, round(d.value * uniform(rnd, 0.7, 1.3) / 10_000) * 10_000)
                    for _ in d.times[:-1]] + [d.value]
        d.budget = (max(50_000, round(d.value * uniform(rnd, 0.85, 1.45) / 50_000) * 50_000)
                    if reached >= 1 else None)
        _close_dates(rnd, timeline, d)
        d.program = one(rnd, PROGRAMS[d.category])
        d.name = _deal_name(timeline, a, d)
        d.source = _SOURCE.pick(rnd)
        _rivals_and_reasons(rnd, d)
        d.next_step = (one(rnd, NEXT_STEPS) if outcome == "open" else
                       one(rnd, WON_NEXT_STEPS) if outcome == "won" else one(rnd, LOST_NEXT_STEPS))
        sites = _SITES[a.size].format(n=span(rnd, 2, 6) if a.size == "medium" else span(rnd, 5, 40))
        incumbent = COMPETITORS[d.rivals[0][0] - 1].name if d.rivals else "a regional distributor"
        d.description = one(rnd, DEAL_DESCRIPTIONS).format(account=a.name, category=d.category, sites=sites,
                                                           incumbent=incumbent)
        d.forecast = FORECAST[d.stage]
        d.forecast_overridden = False
        if outcome == "open" and chance(rnd, 0.04):
            d.forecast, d.forecast_overridden = _FORECAST_OVERRIDE[d.stage], True
        _plan_activity(rnd, timeline, d)
        d.proposals = []
        if outcome == "won":
            book.record(d.owner_id, d.times[-1], d.value)
            a.wins += 1
            a.first_win_day = d.close_day if a.first_win_day is None else min(a.first_win_day, d.close_day)
            a.last_win_day = d.close_day if a.last_win_day is None else max(a.last_win_day, d.close_day)
        elif outcome == "open":
            a.open_deals += 1
        deals.append(d)
    order = sorted(range(len(deals)), key=lambda i: (deals[i].times[0], i))
    deals = [deals[i] for i in order]
    for index, d in enumerate(deals, start=1):
        d.id = index
    return deals


class _Book:
    """Who wins what: each rep has a steady skill; a win goes to the rep furthest behind (of a few
    sampled) for the month it closes, on one of their engaged accounts."""

    SAMPLED = 6

    def __init__(self, rng: random.Random, accounts: list[Account], roster: Roster) -> None:
        rnd = rng.random
        self.reps = roster.reps
        self.skill = {rep.id: uniform(rnd, 0.75, 1.25) for rep in self.reps}
        self.month: dict[tuple[int, int], int] = defaultdict(int)
        self.accounts: dict[int, list[Account]] = defaultdict(list)
        for a in accounts:  # already in creation order
            if a.engaged:
                self.accounts[a.owner_id].append(a)
        self.created = {rep: [a.created_ts for a in owned] for rep, owned in self.accounts.items()}

    @staticmethod
    def _month(closed: int) -> int:
        when = Timeline.to_date(closed // DAY)
        return when.year * 12 + when.month

    def account_for_win(self, rnd, created: int, closed: int) -> Account | None:
        month = self._month(closed)
        best, best_load = None, 0.0
        for _ in range(self.SAMPLED):
            rep = self.reps[int(rnd() * len(self.reps))].id
            load = self.month[(rep, month)] / self.skill[rep]
            if best is None or load < best_load:
                best, best_load = rep, load
        owned = self.accounts.get(best)
        if not owned:
            return None
        k = bisect_right(self.created[best], created - DAY)
        if k == 0:
            return None
        for _ in range(50):
            a = owned[int(rnd() * k)]
            if rnd() * 5.0 < a.weight:
                return a
        return a

    def record(self, rep_id: int, closed: int, value: int) -> None:
        self.month[(rep_id, self._month(closed))] += value


def _gap(rng: random.Random, median_days: float) -> int:
    """Days to the next stage: log-normal around the median, between 1 and 90 days."""
    days = min(90.0, max(1.0, median_days * math.exp(0.6 * rng.gauss(0.0, 1.0))))
    return int(days * DAY)


def _place_in_time(rng: random.Random, timeline: Timeline, d: Deal) -> list[int]:
    rnd = rng.random
    now, start = timeline.now, timeline.start
    steps = len(d.path) - 1
    gaps = [_gap(rng, _STEP_MEDIAN_DAYS[i]) for i in range(steps)]
    if d.outcome == "lost":
        gaps[-1] = _gap(rng, _LOST_STEP_MEDIAN_DAYS)
    if d.outcome == "open":
        d.mode = _MODE.pick(rnd)
        lo, hi = _IN_STAGE_DAYS[d.mode]
        target = now - int(uniform(rnd, lo, hi) * DAY)
        room = target - (start + DAY)
        total = sum(gaps)
        if total > room:
            factor = room / total * uniform(rnd, 0.5, 1.0)
            gaps = [max(6 * HOUR, int(g * factor)) for g in gaps]
        t0 = timeline.at_work(rnd, target - sum(gaps))
    else:
        # Closes spread over the whole history (a little busier lately); older deals may have
        # been opened shortly before the history starts.
        d.mode = "closed"
        close = start + int((now - 2 * DAY - start) * rnd() ** 0.85)
        t0 = timeline.at_work(rnd, close - sum(gaps))
    times = [t0]
    t = t0
    for g in gaps:
        nxt = timeline.at_work(rnd, t + g)
        if nxt < t + 4 * HOUR:
            nxt = t + 4 * HOUR + int(rnd() * 4 * HOUR)
        times.append(nxt)
        t = nxt
    limit = now - 30 * MINUTE
    if times[-1] > limit:
        shift = times[-1] - limit + int(rnd() * 2 * HOUR)
        times = [x - shift for x in times]
    return times


def _line_items(rnd, d: Deal, a: Account) -> None:
    table = CATEGORY_BY_INDUSTRY[a.industry]
    chosen: set[int] = set()
    lines = []
    best = best_supply = -1
    d.supply = None
    for _ in range(_LINES.pick(rnd)):
        category = table.pick(rnd)
        pid, product = one(rnd, _PRODUCTS[category])
        if pid in chosen:
            continue
        chosen.add(pid)
        if category == "kitchen equipment":
            quantity = f"{span(rnd, *_MACHINES[a.size])}.000"
            price = round(product.list_price_cents * uniform(rnd, 0.93, 1.05) / 500) * 500
        elif product.unit == "lb":
            halves = int(log_span(rnd, *_POUNDS[a.size]) * 2)
            quantity = f"{halves // 2}.{'500' if halves % 2 else '000'}"
            price = round(product.list_price_cents * uniform(rnd, 0.93, 1.07))
        else:
            quantity = f"{int(log_span(rnd, *_CASES[a.size]))}.000"
            price = round(product.list_price_cents * uniform(rnd, 0.93, 1.07))
        discount = _DISCOUNTS[0] if rnd() < 0.4 else _DISCOUNTS[1 + int(rnd() * 30)]
        total = line_total(price, Decimal(quantity), _DISCOUNT_VALUE[discount])
        lines.append((pid, product.name, quantity, price, discount, total))
        if total > best:
            best, d.category = total, category
        if total > best_supply and category != "kitchen equipment":
            best_supply, d.supply = total, category
    if d.supply is None:
        d.supply = SUPPLY_BY_INDUSTRY[a.industry].pick(rnd)
    d.lines = lines
    d.value = sum(line[5] for line in lines)


def _close_dates(rnd, timeline: Timeline, d: Deal) -> None:
    today = timeline.today_day
    created_day = d.times[0] // DAY
    if d.closed:
        d.close_day = d.times[-1] // DAY
        d.expected_day = max(created_day, d.close_day + span(rnd, -25, 20))
        return
    d.close_day = None
    if chance(rnd, 0.12) and created_day < today - 1:
        d.expected_day = max(created_day + 1, today - span(rnd, 1, 45))
    else:
        lo, hi = ((25, 120), (15, 100), (7, 75), (0, 45))[d.reached]
        d.expected_day = today + span(rnd, lo, hi)


def _deal_name(timeline: Timeline, a: Account, d: Deal) -> str:
    when = timeline.to_date(d.expected_day)
    if a.industry in _SCHOOL_YEAR:
        year = when.year if when.month >= 7 else when.year - 1
        label = f"SY {year}–{(year + 1) % 100:02d}"
    else:
        label = f"Q{(when.month - 1) // 3 + 1}"
    return f"{a.name[:140]} — {label} {d.program}"


def _rivals_and_reasons(rnd, d: Deal) -> None:
    d.lost_reason = _LOST_REASON.pick(rnd) if d.outcome == "lost" else ""
    count = _RIVALS.pick(rnd)
    if d.lost_reason == "competitor":
        count = max(1, count)
    rivals: list[tuple[int, str]] = []
    seen: set[int] = set()
    for _ in range(count * 2):
        if len(rivals) == count:
            break
        cid = _RIVAL.pick(rnd)
        if cid in seen:
            continue
        seen.add(cid)
        rivals.append((cid, one(rnd, COMPETITOR_NOTES).format(category=d.category)))
    d.rivals = rivals


def _plan_activity(rnd, timeline: Timeline, d: Deal) -> None:
    """The window activities fall in, and how many there are besides the required ones."""
    now = timeline.now
    entered = d.times[-1]
    if d.mode == "closed":
        d.window_end = entered
    elif d.mode == "idle":
        quiet_from = now - 20 * DAY - HOUR
        d.window_end = entered + int(rnd() * max(0, quiet_from - entered)) if entered <= quiet_from else entered
    else:
        d.window_end = now - 30 * MINUTE
    d.recent = d.mode in ("fresh", "stalled")
    d.future = d.recent and chance(rnd, 0.4)
    span_days = (d.window_end - d.times[0]) / DAY
    d.n_extra = min(14, 1 + int(rnd() * (1.5 + d.reached * 1.2 + span_days / 14)))


def won_by_rep_month(deals: list[Deal], timeline: Timeline) -> dict[int, dict[int, int]]:
    won: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for d in deals:
        if d.outcome == "won":
            when = timeline.to_date(d.close_day)
            won[d.owner_id][when.year * 12 + when.month - 1] += d.value
    return won


# -- rows -------------------------------------------------------------------------------------


def opportunity_rows(deals: list[Deal], timeline: Timeline):
    ts, ds = timeline.ts, timeline.ds
    for d in deals:
        stage = d.stage
        yield (
            d.id, None, d.name, d.account.id, d.contact_id, stage, PROBABILITY[stage], False, d.value, d.budget,
            ds(d.times[0] // DAY), ds(d.expected_day), timeline.ds_or_none(d.close_day), d.source, d.owner_id,
            d.lost_reason, d.next_step, d.description, d.forecast, d.forecast_overridden, ts(d.times[-1]), None,
            ts(d.times[0]), ts(d.times[-1]), d.owner_id, len(d.times),
        )


def line_item_rows(deals: list[Deal]):
    next_id = 1
    for d in deals:
        for pid, name, quantity, price, discount, total in d.lines:
            yield (next_id, d.id, pid, name, quantity, price, discount, total)
            next_id += 1


def stage_change_rows(deals: list[Deal], timeline: Timeline):
    ts = timeline.ts
    next_id = 1
    for d in deals:
        previous = None
        for stage, t, value in zip(d.path, d.times, d.values):
            yield (next_id, d.id, previous, stage, ts(t), d.owner_id, value, PROBABILITY[stage])
            next_id += 1
            previous = stage


def opportunity_competitor_rows(deals: list[Deal]):
    next_id = 1
    for d in deals:
        for cid, note in d.rivals:
            yield (next_id, d.id, cid, note)
            next_id += 1
