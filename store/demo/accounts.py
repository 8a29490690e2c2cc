"""Customer and prospect accounts: the businesses, their sites, account teams and contracts."""

from __future__ import annotations

import random
from bisect import bisect_right

from store.demo.businesses import NAME_MAKERS, SHOWCASE_ACCOUNTS, domain_for, site_name
from store.demo.chance import Weighted, chance, log_span, one, span, uniform
from store.demo.people import SEGMENT_OF_INDUSTRY, Roster
from store.demo.places import CITIES, CITY_BY_NAME, City, phone, postal_code, street
from store.demo.scale import Scale
from store.demo.timeline import DAY, Timeline

INDUSTRIES = (
    "restaurant", "qsr_chain", "hotel", "school_district", "hospital", "caterer", "grocery", "distributor",
    "university", "senior_living", "corporate_dining", "other",
)
SIZES = ("small", "medium", "large", "enterprise")
STATUSES = ("prospect", "customer", "partner", "inactive")
TIERS = ("strategic", "key", "standard", "basic")

_INDUSTRY = Weighted(zip(INDUSTRIES, (30, 7, 8, 8, 6, 8, 7, 3, 5, 6, 6, 4)))
_SIZE_BY_INDUSTRY = {
    "restaurant": (60, 30, 8, 2),
    "qsr_chain": (10, 30, 35, 25),
    "hotel": (20, 40, 30, 10),
    "school_district": (15, 40, 35, 10),
    "hospital": (5, 35, 40, 20),
    "caterer": (45, 40, 12, 3),
    "grocery": (35, 35, 20, 10),
    "distributor": (10, 40, 35, 15),
    "university": (10, 35, 40, 15),
    "senior_living": (30, 45, 20, 5),
    "corporate_dining": (15, 40, 30, 15),
    "other": (25, 35, 30, 10),
}
_SIZE = {industry: Weighted(zip(SIZES, weights)) for industry, weights in _SIZE_BY_INDUSTRY.items()}
_TIER = {
    "small": Weighted((("basic", 60), ("standard", 40))),
    "medium": Weighted((("standard", 70), ("key", 20), ("basic", 10))),
    "large": Weighted((("key", 55), ("standard", 30), ("strategic", 15))),
    "enterprise": Weighted((("strategic", 60), ("key", 40))),
}
_FORCED_TIER = {"enterprise": "strategic", "large": "key", "medium": "standard", "small": "basic"}
_FORCED_SIZE = {"restaurant": "small", "qsr_chain": "enterprise", "hotel": "large", "school_district": "medium"}
# Industries where one business owns several accounts (a chain, a group, a health system).
_GROUPS = frozenset(("restaurant", "qsr_chain", "hotel", "hospital", "caterer", "grocery", "distributor",
                     "senior_living", "corporate_dining", "other"))
_PARTNER_CHANCE = {"distributor": 0.45, "other": 0.12, "caterer": 0.06}
_REVENUE_DOLLARS = {"small": (400_000, 3_000_000), "medium": (3_000_000, 25_000_000),
                    "large": (25_000_000, 250_000_000), "enterprise": (250_000_000, 4_000_000_000)}
_CONTRACT_DOLLARS = {"small": (15_000, 120_000), "medium": (90_000, 600_000),
                     "large": (400_000, 3_000_000), "enterprise": (2_000_000, 15_000_000)}
SIZE_WEIGHT = {"small": 1.0, "medium": 2.0, "large": 3.0, "enterprise": 4.0}
_CITY = Weighted((c, c.weight) for c in CITIES)
_MULTI_SITE = {"qsr_chain", "grocery", "hotel", "hospital", "school_district", "university", "senior_living",
               "caterer", "corporate_dining"}

ACCOUNT_COLUMNS = (
    "id", "external_id", "name", "domain", "phone", "industry", "size", "annual_revenue_cents", "hq_street",
    "hq_city", "hq_region", "hq_postal_code", "hq_country", "parent_id", "status", "tier", "owner_id",
    "renewal_date", "last_activity_at", "health_score", "health_computed_at", "created_at", "updated_at", "version",
)
LOCATION_COLUMNS = ("id", "account_id", "name", "street", "city", "region", "postal_code", "country", "phone")
TEAM_COLUMNS = ("id", "account_id", "user_id", "role", "is_primary", "start_date", "end_date")
CONTRACT_COLUMNS = ("id", "account_id", "number", "value_cents", "start_date", "end_date", "status", "auto_renew")


class Account:
    __slots__ = (
        "id", "name", "industry", "size", "tier", "status", "segment", "city", "street", "postal", "phone",
        "domain", "revenue", "parent_id", "owner_id", "created_ts", "updated_ts", "version", "weight", "fixed",
        "contact_ids", "contact_ts", "wins", "open_deals", "first_win_day", "last_win_day", "renewal_day",
        "interactions", "interactions_end", "future_interactions", "engaged",
    )

    def __init__(self) -> None:
        self.parent_id = None
        self.contact_ids: list[int] = []
        self.contact_ts: list[int] = []
        self.wins = 0
        self.open_deals = 0
        self.first_win_day = None
        self.last_win_day = None
        self.renewal_day = None
        self.interactions = 0
        self.interactions_end = 0
        self.future_interactions = 0
        self.fixed = False

    def contact_at(self, rnd, t: int) -> int:
        """A contact of this account that already existed at instant t."""
        k = bisect_right(self.contact_ts, t) or 1
        return self.contact_ids[int(rnd() * k)]


def make_accounts(rng: random.Random, timeline: Timeline, scale: Scale, roster: Roster) -> list[Account]:
    rnd = rng.random
    now, start = timeline.now, timeline.start
    taken: set[str] = set()
    accounts: list[Account] = []
    for i in range(scale.accounts):
        a = Account()
        showcase = None
        if i < len(INDUSTRIES):
            # The first dozen cover every industry, size and tier.
            a.industry = INDUSTRIES[i]
            a.size = _FORCED_SIZE.get(a.industry) or _SIZE[a.industry].pick(rnd)
            a.tier = _FORCED_TIER[a.size] if a.industry in _FORCED_SIZE else _TIER[a.size].pick(rnd)
            a.fixed = True
        elif i < len(INDUSTRIES) + len(SHOWCASE_ACCOUNTS):
            showcase = SHOWCASE_ACCOUNTS[i - len(INDUSTRIES)]
            a.industry, a.size = showcase[1], showcase[2]
            a.tier = _TIER[a.size].pick(rnd)
            a.fixed = True
        else:
            a.industry = _INDUSTRY.pick(rnd)
            a.size = _SIZE[a.industry].pick(rnd)
            a.tier = _TIER[a.size].pick(rnd)
        a.city = CITY_BY_NAME[showcase[3]] if showcase else _CITY.pick(rnd)
        if showcase:
            a.name = showcase[0]
        else:
            a.name = _unique_name(rnd, a.industry, a.city, taken)
        taken.add(a.name)
        a.segment = SEGMENT_OF_INDUSTRY[a.industry]
        a.street = street(rnd)
        a.postal = postal_code(rnd, a.city)
        a.phone = phone(rnd, a.city)
        a.domain = domain_for(a.name, a.industry)
        lo, hi = _REVENUE_DOLLARS[a.size]
        a.revenue = None if chance(rnd, 0.06) else int(log_span(rnd, lo, hi) / 1000) * 1000 * 100
        a.owner_id = roster.rep_for(rnd, a.segment, a.city.region).id
        if i == 0:
            a.created_ts = timeline.at_work(rnd, start - 1300 * DAY)
        elif a.fixed or chance(rnd, 0.7):
            # Most accounts predate the 18-month history.
            a.created_ts = timeline.at_work(rnd, start - span(rnd, 15, 1250) * DAY)
        else:
            a.created_ts = timeline.at_work(rnd, start + int(rnd() * (now - start - 25 * DAY)))
        a.weight = SIZE_WEIGHT[a.size]
        # Only engaged accounts ever sign a deal; the others stay prospects (or were customers before).
        a.engaged = a.fixed or chance(rnd, 0.6)
        accounts.append(a)
    accounts.sort(key=lambda acc: acc.created_ts)
    for index, a in enumerate(accounts, start=1):
        a.id = index
    _link_parents(rnd, accounts, taken)
    return accounts


def _unique_name(rnd, industry: str, city: City, taken: set[str]) -> str:
    make = NAME_MAKERS[industry]
    for _ in range(4):
        name = make(rnd)
        if name not in taken:
            return name
    name = f"{name} ({city.name})"
    k = 2
    while name in taken:
        name = f"{make(rnd)} ({city.name}) #{k}"
        k += 1
    return name


def _link_parents(rnd, accounts: list[Account], taken: set[str]) -> None:
    """About 5% of accounts belong to a group: a large or enterprise account of the same trade
    created before them (half of them are then named as one of the group's sites)."""
    groups: dict[str, list[Account]] = {}
    first_eligible: tuple[Account, Account] | None = None
    linked = 0
    for a in accounts:
        same_trade = groups.get(a.industry)
        if same_trade and not a.fixed:
            parent = one(rnd, same_trade)
            first_eligible = first_eligible or (a, parent)
            if chance(rnd, 0.07):
                _join_group(rnd, a, parent, taken)
                linked += 1
        if a.size in ("large", "enterprise") and a.industry in _GROUPS:
            groups.setdefault(a.industry, []).append(a)
    if not linked and first_eligible:
        # A small data set where nobody drew a group: still show one hierarchy.
        _join_group(rnd, *first_eligible, taken)


def _join_group(rnd, a: Account, parent: Account, taken: set[str]) -> None:
    a.parent_id = parent.id
    renamed = f"{parent.name} — {a.city.name}"
    if chance(rnd, 0.5) and renamed not in taken and len(renamed) <= 120:
        # One of the group's sites, looked after by the group's rep.
        taken.add(renamed)
        a.name = renamed
        a.domain = parent.domain
        a.owner_id = parent.owner_id


# -- after the deals are known ---------------------------------------------------------------


def settle_accounts(rng: random.Random, timeline: Timeline, accounts: list[Account], roster: Roster):
    """Statuses from deal outcomes; then contracts, account teams, sites and interaction volume.

    Returns (location rows, team member rows, contract rows).
    """
    rnd = rng.random
    today = timeline.today_day
    for a in accounts:
        if chance(rnd, _PARTNER_CHANCE.get(a.industry, 0.0)):
            a.status = "partner"
        elif a.wins:
            stale = a.last_win_day is not None and a.last_win_day < today - 300 and not a.open_deals
            a.status = "inactive" if stale and chance(rnd, 0.35) else "customer"
        else:
            r = rnd()
            a.status = "prospect" if r < 0.72 else ("inactive" if r < 0.85 else "customer")
    present = {a.status for a in accounts}
    for status in STATUSES:
        if status not in present:
            for a in accounts:
                if not a.fixed and not a.wins and not a.open_deals:
                    a.status = status
                    break
    locations = _locations(rnd, accounts)
    contracts = _contracts(rnd, timeline, accounts)
    team = _teams(rnd, timeline, accounts, roster)
    for a in accounts:
        a.updated_ts = a.created_ts + int(rnd() * (timeline.now - a.created_ts) * 0.9)
        a.version = 1 + int(rnd() * 4)
        _plan_interactions(rnd, timeline, a)
    return locations, team, contracts


def _locations(rnd, accounts: list[Account]):
    rows = []
    for a in accounts:
        if a.industry not in _MULTI_SITE or a.size == "small":
            continue
        count = int(rnd() * 4) if a.size != "medium" else int(rnd() * 2)
        for _ in range(count):
            city = a.city if chance(rnd, 0.6) else _CITY.pick(rnd)
            if city.country != a.city.country:
                city = a.city
            rows.append((
                len(rows) + 1, a.id, site_name(rnd, a.industry, city.name), street(rnd), city.name, city.state,
                postal_code(rnd, city), city.country, phone(rnd, city),
            ))
    return rows


def _contracts(rnd, timeline: Timeline, accounts: list[Account]):
    rows = []
    today = timeline.today_day
    seq: dict[int, int] = {}
    for a in accounts:
        if a.status not in ("customer", "partner", "inactive") or (a.status == "inactive" and not a.wins):
            continue
        if a.status == "inactive" and not chance(rnd, 0.6):
            continue
        lo, hi = _CONTRACT_DOLLARS[a.size]
        first_start = a.first_win_day if a.first_win_day is not None else today - span(rnd, 60, 700)
        first_start = min(first_start, today - 1)
        # Yearly terms running up to today; keep the last three.
        terms = []
        begin = first_start
        while True:
            terms.append((begin, begin + 364))
            if begin + 364 >= today:
                break
            begin += 365
        terms = terms[-3:]
        if a.status == "inactive":
            # The last term ran out and was not renewed.
            terms = [t for t in terms if t[1] < today] or [(first_start, max(first_start + 30, today - 40))]
        value = int(log_span(rnd, lo, hi) / 100) * 100 * 100
        for begin, end in terms:
            status = "expired" if end < today else "active"
            if status == "active" and chance(rnd, 0.04):
                status = "cancelled"
            year = timeline.to_date(begin).year
            seq[year] = seq.get(year, 0) + 1
            rows.append((len(rows) + 1, a.id, f"C-{year}-{seq[year]:05d}", value, begin, end, status,
                         chance(rnd, 0.45)))
            value = int(value * uniform(rnd, 0.97, 1.12) / 10_000) * 10_000
        last_begin, last_end = terms[-1]
        last_status = rows[-1][6]
        if last_status == "active":
            a.renewal_day = last_end
            if last_end - today <= 60 and chance(rnd, 0.3):
                year = timeline.to_date(last_end + 1).year
                seq[year] = seq.get(year, 0) + 1
                rows.append((len(rows) + 1, a.id, f"C-{year}-{seq[year]:05d}", value, last_end + 1, last_end + 365,
                             "pending", chance(rnd, 0.45)))
        elif last_status == "expired" and last_end >= today - 60:
            a.renewal_day = last_end
    return rows


def _teams(rnd, timeline: Timeline, accounts: list[Account], roster: Roster):
    rows = []
    today = timeline.today_day
    for a in accounts:
        created_day = a.created_ts // DAY
        owner = roster.by_id[a.owner_id]
        colleagues = [r for r in roster.team_of[owner.manager_id] if r.id != owner.id]
        manager = roster.by_id[owner.manager_id]
        role = "account_manager" if a.status in ("customer", "partner") else "sales_rep"
        start = created_day + span(rnd, 0, 30)
        if chance(rnd, 0.15) and colleagues and today - start > 200:
            # A previous owner who handed the account over.
            former = one(rnd, colleagues)
            handover = start + span(rnd, 60, today - start - 30)
            rows.append((len(rows) + 1, a.id, former.id, "sales_rep", False, timeline.ds(start), timeline.ds(handover)))
            start = handover + 1
            used = {owner.id, former.id}
        else:
            used = {owner.id}
        rows.append((len(rows) + 1, a.id, owner.id, role, True, timeline.ds(min(start, today)), None))
        extra = 0 if a.size == "small" else int(rnd() * 3)
        for _ in range(extra):
            member = manager if chance(rnd, 0.3) else (one(rnd, colleagues) if colleagues else manager)
            if member.id in used:
                continue
            used.add(member.id)
            member_role = "technical" if chance(rnd, 0.35) else "support"
            begin = min(today, created_day + span(rnd, 0, max(1, today - created_day)))
            end = None
            if chance(rnd, 0.2) and today - begin > 40:
                end = timeline.ds(begin + span(rnd, 30, today - begin - 1))
            rows.append((len(rows) + 1, a.id, member.id, member_role, False, timeline.ds(begin), end))
    return rows


def _plan_interactions(rnd, timeline: Timeline, a: Account) -> None:
    """How many account-level interactions (outside any deal) and until when."""
    if a.status == "customer":
        a.interactions = span(rnd, 4, 12)
        a.future_interactions = 1 if chance(rnd, 0.12) else 0
        a.interactions_end = timeline.now - 1800
    elif a.status == "partner":
        a.interactions = span(rnd, 3, 9)
        a.interactions_end = timeline.now - 1800
    elif a.status == "inactive":
        a.interactions = span(rnd, 1, 3)
        a.interactions_end = timeline.now - span(rnd, 120, 400) * DAY
    else:
        a.interactions = span(rnd, 1, 5)
        a.interactions_end = timeline.now - 1800


def contract_rows(rows, timeline: Timeline):
    """Contract rows carry day numbers until written."""
    ds = timeline.ds
    for cid, account_id, number, value, begin, end, status, auto_renew in rows:
        yield (cid, account_id, number, value, ds(begin), ds(end), status, auto_renew)


def account_rows(accounts: list[Account], timeline: Timeline):
    ts, ds = timeline.ts, timeline.ds_or_none
    for a in accounts:
        c = a.city
        yield (
            a.id, None, a.name, a.domain, a.phone, a.industry, a.size, a.revenue, a.street, c.name, c.state,
            a.postal, c.country, a.parent_id, a.status, a.tier, a.owner_id, ds(a.renewal_day), None, None, None,
            ts(a.created_ts), ts(max(a.updated_ts, a.created_ts)), a.version,
        )
