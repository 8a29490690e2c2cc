"""The distributor's own people (admin, managers, reps) and their sales quotas."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date

from store.demo.chance import one, span, uniform
from store.demo.names import FIRST_NAMES, LAST_NAMES, STAFF, fold
from store.demo.places import REGIONS
from store.demo.scale import FIXED_TEAM_UP_TO, Scale
from store.demo.timeline import DAY, HOUR, Timeline

SEGMENTS = ("Restaurants & QSR", "Institutions")
SEGMENT_OF_INDUSTRY = {
    "restaurant": 0,
    "qsr_chain": 0,
    "hotel": 0,
    "caterer": 0,
    "grocery": 0,
    "distributor": 0,
    "other": 0,
    "school_district": 1,
    "hospital": 1,
    "university": 1,
    "senior_living": 1,
    "corporate_dining": 1,
}
STAFF_DOMAIN = "pantryfoods.example"

USER_COLUMNS = (
    "id", "login", "display_name", "email", "role", "manager_id", "team", "region", "active",
    "last_seen_at", "created_at", "version",
)
QUOTA_COLUMNS = ("id", "user_id", "period", "period_start", "amount_cents")


class Staff:
    __slots__ = ("id", "login", "display_name", "role", "team", "segment", "region", "manager_id",
                 "created_ts", "last_seen_ts")

    def __init__(self, login, display_name, role, team, segment, region, manager_id, created_ts, last_seen_ts):
        self.id = 0
        self.login = login
        self.display_name = display_name
        self.role = role
        self.team = team
        self.segment = segment
        self.region = region
        self.manager_id = manager_id
        self.created_ts = created_ts
        self.last_seen_ts = last_seen_ts


class Roster:
    """Everyone, with look-ups by segment and region for assigning owners."""

    def __init__(self, admin: Staff, managers: list[Staff], reps: list[Staff]) -> None:
        self.admin = admin
        self.managers = managers
        self.reps = reps
        self.users = [admin, *managers, *reps]
        for index, user in enumerate(self.users, start=1):
            user.id = index
        self.by_id = {u.id: u for u in self.users}
        self._by_place: dict[tuple[int, str], list[Staff]] = defaultdict(list)
        self._by_segment: dict[int, list[Staff]] = defaultdict(list)
        self.team_of: dict[int, list[Staff]] = defaultdict(list)  # manager id -> reps
        for rep in reps:
            self._by_place[(rep.segment, rep.region)].append(rep)
            self._by_segment[rep.segment].append(rep)
            self.team_of[rep.manager_id].append(rep)

    def rep_for(self, rnd, segment: int, region: str) -> Staff:
        candidates = self._by_place.get((segment, region)) or self._by_segment[segment]
        return one(rnd, candidates)

    def rep_in(self, rnd, segment: int) -> Staff:
        return one(rnd, self._by_segment[segment])

    def manager_of(self, user_id: int) -> Staff | None:
        manager_id = self.by_id[user_id].manager_id
        return self.by_id.get(manager_id) if manager_id else None


def make_roster(rng: random.Random, timeline: Timeline, scale: Scale) -> Roster:
    rnd = rng.random
    now = timeline.now
    logins: set[str] = {"admin"}

    def login_for(first: str, last: str) -> str:
        base = (fold(first)[:1] + fold(last))[:60] or "user"
        login, k = base, 2
        while login in logins:
            login, k = f"{base}{k}", k + 1
        logins.add(login)
        return login

    def since(lo_days: int, hi_days: int) -> int:
        return timeline.at_work(rnd, now - span(rnd, lo_days, hi_days) * DAY)

    def seen() -> int:
        return now - int(rnd() * 3 * DAY) - 10 * 60

    names = iter(STAFF)

    def next_name() -> tuple[str, str]:
        picked = next(names, None)
        return picked if picked else (one(rnd, FIRST_NAMES), one(rnd, LAST_NAMES))

    admin = Staff("admin", "Pantry Administrator", "admin", "", 0, "", None, since(1200, 1300), now - 2 * HOUR)
    managers: list[Staff] = []
    for m in range(scale.managers):
        first, last = next_name()
        if scale.opportunities <= FIXED_TEAM_UP_TO:
            segment, region, team = m % 2, "National", SEGMENTS[m % 2]
        else:
            segment = m % 2
            region = REGIONS[(m // 2) % len(REGIONS)]
            copy = m // (2 * len(REGIONS)) + 1
            team = f"{SEGMENTS[segment]} — {region}" + (f" {copy}" if copy > 1 else "")
        managers.append(
            Staff(login_for(first, last), f"{first} {last}", "manager", team, segment, region, None,
                  since(700, 1500), seen())
        )
    # Managers get their ids first (admin is 1), so reps can point at them.
    for index, manager in enumerate(managers, start=2):
        manager.id = index
    reps: list[Staff] = []
    for r in range(scale.reps):
        first, last = next_name()
        if scale.opportunities <= FIXED_TEAM_UP_TO:
            manager = managers[(r // 4) % len(managers)]
            region = REGIONS[r % len(REGIONS)]
        else:
            manager = managers[r % len(managers)]
            region = manager.region
        reps.append(
            Staff(login_for(first, last), f"{first} {last}", "rep", manager.team, manager.segment, region,
                  manager.id, since(570, 1400), seen())
        )
    return Roster(admin, managers, reps)


def user_rows(roster: Roster, timeline: Timeline):
    ts = timeline.ts
    for u in roster.users:
        yield (
            u.id, u.login, u.display_name, f"{u.login}@{STAFF_DOMAIN}", u.role, u.manager_id, u.team, u.region,
            True, ts(u.last_seen_ts), ts(u.created_ts), 1,
        )


# -- quotas ---------------------------------------------------------------------------------


def _month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def _month_start(index: int) -> date:
    return date(index // 12, index % 12 + 1, 1)


def _round_within(amount: float, lo: float, hi: float) -> int:
    """Whole $100s when that stays within [lo, hi], else whole dollars (else cents)."""
    for unit in (10_000, 100, 1):
        rounded = round(amount / unit) * unit
        if lo <= rounded <= hi:
            return int(rounded)
    return max(1, int(amount))


def make_quotas(rng: random.Random, timeline: Timeline, roster: Roster, won: dict[int, dict[int, int]]):
    """Monthly and quarterly quotas for every rep (managers: the sum of their reps).

    `won` maps rep id -> month index -> won value in cents. This is demo data, so quotas are
    made to fit the generated results: a slowly growing per-rep plan (with a summer bump),
    leaned towards each finished month's result so that attainment mostly lands in 60-130%,
    but never more than 0.55-1.8x away from the plan (a month with hardly any wins still
    shows as a bad month). Months run from the first full month of the history to at least
    three months ahead (to the end of that quarter); quarters are those whose three months
    are all covered.
    """
    rnd = rng.random
    opening = timeline.to_date(timeline.start_day)
    first = _month_index(opening) + (opening.day != 1)
    current = _month_index(timeline.today)
    last = current + 3
    last += 2 - last % 3
    months = range(first, last + 1)
    history = [m for m in months if m < current]
    middle = (first + last) / 2

    monthly: dict[int, dict[int, int]] = {}
    team_average = []
    for rep in roster.reps:
        wins = won.get(rep.id, {})
        if history:
            team_average.append(sum(wins.get(m, 0) for m in history) / len(history))
    fallback = max(5_000_000, int(sum(team_average) / max(1, len(team_average))))
    for rep in roster.reps:
        wins = won.get(rep.id, {})
        average = sum(wins.get(m, 0) for m in history) / len(history) if history else 0
        base = (average or fallback) / uniform(rnd, 0.85, 1.1)
        plan = {}
        for m in months:
            amount = base * (1 + 0.012 * (m - middle)) * (1.06 if m % 12 in (5, 6, 7) else 1.0)
            done = wins.get(m, 0)
            if m < current and done > 0:
                target = done / rng.triangular(0.6, 1.3, 0.97)
                leaning = amount ** 0.35 * target ** 0.65
                lo, hi = max(done / 1.3, amount * 0.55), min(done / 0.6, amount * 1.8)
                if lo <= hi:
                    plan[m] = _round_within(min(max(leaning, lo), hi), lo, hi)
                else:  # the month is too far off the plan to reach 60-130%
                    plan[m] = round(min(max(leaning, amount * 0.55), amount * 1.8) / 10_000) * 10_000
            else:
                plan[m] = max(100_000, round(amount / 10_000) * 10_000)
        monthly[rep.id] = plan
    for manager in roster.managers:
        team = roster.team_of[manager.id]
        monthly[manager.id] = {m: sum(monthly[r.id][m] for r in team) for m in months}

    rows = []
    next_id = 1
    for user in roster.users:
        plan = monthly.get(user.id)
        if plan is None:
            continue
        for m in months:
            rows.append((next_id, user.id, "month", _month_start(m).isoformat(), plan[m]))
            next_id += 1
        for q in range(first + (3 - first % 3) % 3, last + 1, 3):
            rows.append((next_id, user.id, "quarter", _month_start(q).isoformat(), plan[q] + plan[q + 1] + plan[q + 2]))
            next_id += 1
    return rows
