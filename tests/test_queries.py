"""The list queries behind every screen and `pantry list`, through the Store's methods.

One small, hand-made world per test. Names are lowercase ASCII so that SQLite's BINARY
and PostgreSQL's collation agree on their order, and sort columns hold no NULLs (the two
databases place NULLs at opposite ends).
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone

import pydantic
import pytest

from domain.enums import (
    AccountStatus,
    AccountTier,
    BuyingRole,
    Industry,
    LeadStatus,
    Priority,
    ProposalStatus,
    Role,
    TaskStatus,
)
from domain.filters import (
    AccountFilter,
    ContactFilter,
    LeadFilter,
    OpportunityFilter,
    ProductFilter,
    ProposalFilter,
    TaskFilter,
    UserFilter,
)
from domain.pipeline import DEFAULT_PIPELINE
from domain.views import SearchHit

P = DEFAULT_PIPELINE


def at(month: int, day: int, hour: int = 12) -> datetime:
    return datetime(2026, month, day, hour, 0, tzinfo=timezone.utc)


class World:
    """Users, accounts, opportunities, leads, proposals, tasks, contacts and products (ids 1..n)."""

    def __init__(self, store, make) -> None:
        self.store = store
        u = self.users = {
            "ana": make.user(login="ana", display_name="ana a", role=Role.REP, team="east"),
            "ben": make.user(login="ben", display_name="ben b", role=Role.REP, team="west"),
            "cy": make.user(login="cy", display_name="cy c", role=Role.MANAGER, team="east"),
            "dee": make.user(login="dee", display_name="dee d", role=Role.ADMIN, team="", active=False),
        }

        def account(name, city, tier, status, owner, industry, revenue, health, renewal):
            return make.account(
                name=name, hq_city=city, tier=tier, status=status, owner_id=u[owner].id, industry=industry,
                annual_revenue_cents=revenue, health_score=health, renewal_date=renewal,
            )

        a = self.accounts = {
            "alpha": account("alpha bistro", "lyon", AccountTier.STRATEGIC, AccountStatus.CUSTOMER, "ana",
                             Industry.RESTAURANT, 500_000_000, 80, date(2026, 9, 1)),
            "beta": account("beta diner", "", AccountTier.STANDARD, AccountStatus.PROSPECT, "ben",
                            Industry.HOTEL, 100_000, 40, date(2026, 5, 1)),
            "gamma": account("gamma grill", "oslo", AccountTier.KEY, AccountStatus.CUSTOMER, "cy",
                             Industry.RESTAURANT, 2_000_000_000, 65, date(2027, 1, 15)),
            "delta": account("delta 50%_off cafe", "rome", AccountTier.BASIC, AccountStatus.INACTIVE, "ana",
                             Industry.CATERER, 5_000, 10, date(2026, 4, 1)),
            "epsilon": account("epsilon 50x off", "rome", AccountTier.BASIC, AccountStatus.PARTNER, "dee",
                               Industry.OTHER, 7_000, 90, date(2026, 4, 2)),
        }

        def opp(name, owner, acct, stage, probability, cents, close, entered, last, **more):
            return make.opportunity(
                name=name, owner_id=u[owner].id, account_id=a[acct].id, stage=stage, probability=probability,
                value_cents=cents, expected_close_date=close, stage_entered_at=entered, last_activity_at=last, **more,
            )

        # ids 1..8 in this order
        self.opps = [
            opp("walk-in cooler", "ana", "alpha", "discovery", 20, 100_000, date(2026, 4, 1), at(3, 1), at(3, 10)),
            opp("fryer 100% oil_deal", "ben", "beta", "qualification", 40, 250_000, date(2026, 3, 20), at(2, 1), at(3, 15)),
            opp("fryer 100x oilxdeal", "cy", "gamma", "proposal", 60, 500_000, date(2026, 5, 15), at(3, 5), at(3, 10)),
            opp("ice machine", "ana", "alpha", "negotiation", 80, 750_000, date(2026, 3, 31), at(2, 20), at(3, 14)),
            opp("dish pit", "ben", "beta", "closed_won", 100, 1_200_000, date(2026, 3, 5), at(3, 5), at(3, 5),
                actual_close_date=date(2026, 3, 5)),
            opp("prep\\tables", "cy", "gamma", "closed_lost", 0, 50_000, date(2026, 2, 28), at(2, 28), at(2, 27)),
            opp("combi oven", "ana", "gamma", "discovery", 20, 2_000_000, date(2026, 6, 30), at(3, 12), at(3, 12)),
            opp("blast chiller", "ben", "alpha", "proposal", 60, 100_000, date(2026, 4, 1), at(3, 1), at(3, 15)),
        ]

    def opp_ids(self, *numbers: int) -> set[int]:
        return {self.opps[n - 1].id for n in numbers}


@pytest.fixture
def world(store, make) -> World:
    return World(store, make)


def ids(page) -> list[int]:
    return [item.id for item in page.items]


def choices(call) -> list[str]:
    """The sort columns a list offers, read from the error an unknown column raises."""
    with pytest.raises(ValueError, match=r"sort: unknown column 'no_such_column' \(choose from ") as caught:
        call()
    listed = re.search(r"choose from ([^)]*)\)", str(caught.value)).group(1)
    return listed.split(", ")


def assert_sorted(items, key, descending: bool) -> None:
    """Ordered by `key`, ties broken by id in the same direction."""
    expected = sorted(items, key=lambda i: (key(i), i.id), reverse=descending)
    assert [i.id for i in items] == [i.id for i in expected], [(key(i), i.id) for i in items]


# -- opportunities ----------------------------------------------------------------------------


def opp_page(store, **filters):
    return store.opportunity_page(OpportunityFilter(**filters), P, 0, 100)


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, {1, 2, 3, 4, 5, 6, 7, 8}),
        ({"owners": ("ana",)}, {1, 4, 7}),
        ({"owners": ("ana", "ben")}, {1, 2, 4, 5, 7, 8}),
        ({"team": "west"}, {2, 5, 8}),
        ({"stages": ("discovery", "proposal")}, {1, 3, 7, 8}),
        ({"status": "open"}, {1, 2, 3, 4, 7, 8}),
        ({"status": "won"}, {5}),
        ({"status": "lost"}, {6}),
        ({"status": "closed"}, {5, 6}),
        ({"status": "any"}, {1, 2, 3, 4, 5, 6, 7, 8}),
        ({"min_value_cents": 100_000, "max_value_cents": 500_000}, {1, 2, 3, 8}),  # both ends inclusive
        ({"min_value_cents": 1_000_000}, {5, 7}),
        ({"max_value_cents": 99_999}, {6}),
        ({"close_from": date(2026, 3, 20), "close_to": date(2026, 4, 1)}, {1, 2, 4, 8}),  # inclusive
        ({"close_to": date(2026, 3, 5)}, {5, 6}),
        ({"owners": ("ana",), "status": "open", "min_value_cents": 500_000}, {4, 7}),
        # text: name or account name, case-insensitive, % _ and \ literal
        ({"text": "100% oil_deal"}, {2}),  # unescaped, "%100% oil_deal%" would also match 3 ("100x oilxdeal")
        ({"text": "OIL_DEAL"}, {2}),
        ({"text": "%"}, {2}),
        ({"text": "_"}, {2}),
        ({"text": "\\"}, {6}),
        ({"text": "gamma"}, {3, 6, 7}),  # the account's name
        ({"text": "fryer"}, {2, 3}),
        ({"text": "nothing like it"}, set()),
    ],
)
def test_opportunity_filters(store, world, filters, expected):
    page = opp_page(store, **filters)
    assert set(ids(page)) == world.opp_ids(*expected)
    assert page.total == len(expected)


def test_opportunity_filter_by_account(store, world):
    page = opp_page(store, account_id=world.accounts["alpha"].id)
    assert set(ids(page)) == world.opp_ids(1, 4, 8)


def test_opportunity_item_fields(store, world):
    item = next(i for i in opp_page(store).items if i.id == world.opps[1].id)
    assert (item.name, item.account, item.stage, item.value_cents, item.probability) == (
        "fryer 100% oil_deal", "beta diner", "qualification", 250_000, 40,
    )
    assert (item.owner_login, item.owner_name, item.version) == ("ben", "ben b", 1)
    assert item.stage_entered_at == at(2, 1) and item.stage_entered_at.tzinfo is timezone.utc
    assert item.days_in_stage(date(2026, 3, 16)) == 43  # Feb 1 -> Mar 16: 27 + 16 days
    assert item.days_idle(date(2026, 3, 16)) == 1


OPPORTUNITY_KEYS = {
    "id": lambda i: i.id,
    "name": lambda i: i.name,
    "account": lambda i: i.account,
    "stage": lambda i: i.stage,
    "value": lambda i: i.value_cents,
    "probability": lambda i: i.probability,
    "owner": lambda i: i.owner_login,
    "close": lambda i: i.actual_close_date or i.expected_close_date,  # the date the Close column shows
    "last_activity": lambda i: i.last_activity_at,
}


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
def test_opportunity_sorting_by_every_column(store, world, descending):
    offered = choices(lambda: opp_page(store, sort="no_such_column"))
    assert set(offered) == set(OPPORTUNITY_KEYS) | {"days_in_stage"}, "a new sort column needs a key here"
    for column, key in OPPORTUNITY_KEYS.items():
        assert_sorted(opp_page(store, sort=column, descending=descending).items, key, descending)
    # "days in stage" grows as stage_entered_at gets older, so ascending days = newest entry first.
    items = opp_page(store, sort="days_in_stage", descending=descending).items
    assert_sorted(items, lambda i: i.stage_entered_at, not descending)
    days = [i.days_in_stage(date(2026, 3, 16)) for i in items]
    assert days == sorted(days, reverse=descending)


def test_opportunity_default_order_is_by_id(store, world):
    assert ids(opp_page(store)) == [o.id for o in world.opps]


def test_unknown_sort_column_names_the_choices(store, world):
    with pytest.raises(ValueError) as caught:
        opp_page(store, sort="color")
    message = str(caught.value)
    assert "unknown column 'color'" in message
    for column in ("account", "close", "days_in_stage", "id", "last_activity", "name", "owner", "probability", "stage", "value"):
        assert column in message


def test_opportunity_paging(store, world):
    everything = ids(store.opportunity_page(OpportunityFilter(sort="value"), P, 0, 100))
    pages = [store.opportunity_page(OpportunityFilter(sort="value"), P, offset, 3) for offset in (0, 3, 6)]
    assert [len(p.items) for p in pages] == [3, 3, 2]
    assert [p.offset for p in pages] == [0, 3, 6]
    assert all(p.total == 8 for p in pages)
    assert sum((ids(p) for p in pages), []) == everything
    beyond = store.opportunity_page(OpportunityFilter(), P, 50, 10)
    assert beyond.items == [] and beyond.total == 8
    filtered = store.opportunity_page(OpportunityFilter(status="open", sort="value"), P, 2, 2)
    assert filtered.total == 6 and len(filtered.items) == 2


def test_opportunities_in_stage_biggest_first(store, world):
    items = store.opportunities_in_stage("discovery", OpportunityFilter(), P, 0, 10)
    assert [i.id for i in items] == [world.opps[6].id, world.opps[0].id]  # $20,000.00 before $1,000.00
    assert store.opportunities_in_stage("discovery", OpportunityFilter(owners=("ben",)), P, 0, 10) == []


def test_rank_in_stage_is_the_row_the_kanban_shows(store, world, make):
    # a third discovery deal worth the same $1,000.00 as the walk-in cooler: equal values, newer first
    twin = make.opportunity(name="twin cooler", owner_id=world.opps[0].owner_id, stage="discovery",
                            value_cents=100_000)
    board = OpportunityFilter(stages=("discovery",), sort="value", descending=True)
    shown = [i.id for i in store.opportunity_page(board, P, 0, 10).items]
    assert shown == [world.opps[6].id, twin.id, world.opps[0].id]  # $20,000, then $1,000 twice (higher id first)
    assert [i.id for i in store.opportunities_in_stage("discovery", OpportunityFilter(), P, 0, 10)] == shown
    for row, opp_id in enumerate(shown):
        value = store.opportunities.require(opp_id).value_cents
        assert store.rank_in_stage("discovery", OpportunityFilter(), P, value, opp_id) == row


def test_opportunity_filter_validation():
    with pytest.raises(pydantic.ValidationError, match="min_value"):
        OpportunityFilter(min_value_cents=10, max_value_cents=5)
    with pytest.raises(pydantic.ValidationError, match="close_from"):
        OpportunityFilter(close_from=date(2026, 4, 2), close_to=date(2026, 4, 1))
    with pytest.raises(pydantic.ValidationError):
        OpportunityFilter(min_value_cents=-1)
    with pytest.raises(pydantic.ValidationError):
        OpportunityFilter(status="pending")
    with pytest.raises(pydantic.ValidationError):
        OpportunityFilter(colour="red")
    assert OpportunityFilter(min_value_cents=5, max_value_cents=5).min_value_cents == 5  # equal is fine


# -- leads --------------------------------------------------------------------------------------


@pytest.fixture
def leads(store, make, world):
    u = world.users
    specs = [  # ids 1..7
        dict(name="lena", status=LeadStatus.CONTACTED, created_at=at(3, 10), source="web", owner_id=u["ana"].id),
        dict(name="mo", status=LeadStatus.NEW, created_at=at(3, 1), source="trade show", owner_id=u["ben"].id),
        dict(name="nia", status=LeadStatus.NEW, created_at=at(3, 12), source="web", email="nia@50%_off.test"),
        dict(name="otto", status=LeadStatus.CONVERTED, created_at=at(3, 14), source="referral", owner_id=u["ana"].id),
        dict(name="pia", status=LeadStatus.QUALIFIED, created_at=at(3, 2), source="web", owner_id=u["cy"].id,
             flagged=True, flag_reason="hot"),
        dict(name="quinn", status=LeadStatus.UNQUALIFIED, created_at=at(3, 13), source="", company="50x off ltd",
             owner_id=u["ben"].id),
        dict(name="rae", status=LeadStatus.NEW, created_at=at(3, 12), source="web", company="rae & co",
             owner_id=u["cy"].id, score=90),
    ]
    return [make.lead(**spec) for spec in specs]


def lead_page(store, **filters):
    return store.lead_page(LeadFilter(**filters), 0, 100)


def test_leads_new_first_by_default(store, leads):
    # new (newest first, ties by id), then contacted, qualified, unqualified, converted
    expected = [leads[2], leads[6], leads[1], leads[0], leads[4], leads[5], leads[3]]
    assert ids(lead_page(store)) == [lead.id for lead in expected]


def test_the_default_lead_order_pages_across_statuses(store, leads):
    # the default order is read one status at a time: every window of every size is the same slice
    expected = [leads[n].id for n in (2, 6, 1, 0, 4, 5, 3)]  # as in test_leads_new_first_by_default
    for limit in (1, 2, 3, 7):
        for offset in range(0, 9):
            page = store.lead_page(LeadFilter(), offset, limit)
            assert ids(page) == expected[offset : offset + limit] and page.total == 7, (offset, limit)
    web = store.lead_page(LeadFilter(sources=("web",)), 1, 2)  # filtered: nia, rae, lena, pia
    assert ids(web) == [leads[6].id, leads[0].id] and web.total == 4


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"statuses": (LeadStatus.NEW,)}, {2, 3, 7}),
        ({"statuses": (LeadStatus.NEW, LeadStatus.CONVERTED)}, {2, 3, 4, 7}),
        ({"sources": ("web",)}, {1, 3, 5, 7}),
        ({"sources": ("",)}, {6}),
        ({"owners": ("ben",)}, {2, 6}),
        ({"unassigned": True}, {3}),
        ({"flagged": True}, {5}),
        ({"flagged": False}, {1, 2, 3, 4, 6, 7}),
        ({"text": "50%_off"}, {3}),  # the email; "50x off ltd" must not match
        ({"text": "RAE"}, {7}),
        ({"text": "&"}, {7}),
    ],
)
def test_lead_filters(store, leads, filters, expected):
    page = lead_page(store, **filters)
    assert set(ids(page)) == {leads[n - 1].id for n in expected}
    assert page.total == len(expected)


LEAD_RANK = {"new": 0, "contacted": 1, "qualified": 2, "unqualified": 3, "converted": 4}


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
def test_lead_sorting_by_every_column(store, leads, descending):
    keys = {
        "id": lambda i: i.id, "name": lambda i: i.name, "company": lambda i: i.company, "source": lambda i: i.source,
        "status": lambda i: LEAD_RANK[i.status], "score": lambda i: i.score, "created": lambda i: i.created_at,
    }
    assigned = {"owners": ("ana", "ben", "cy")}  # the owner column is NULL for unassigned leads
    offered = choices(lambda: lead_page(store, sort="no_such_column"))
    assert set(offered) == set(keys) | {"owner"}
    for column, key in keys.items():
        assert_sorted(lead_page(store, sort=column, descending=descending).items, key, descending)
    assert_sorted(lead_page(store, sort="owner", descending=descending, **assigned).items, lambda i: i.owner_login, descending)


def test_lead_paging_and_figures(store, leads):
    first = store.lead_page(LeadFilter(), 0, 4)
    rest = store.lead_page(LeadFilter(), 4, 4)
    assert (len(first.items), len(rest.items), first.total, rest.total) == (4, 3, 7, 7)
    assert ids(first) + ids(rest) == ids(lead_page(store))
    assert store.leads_created_since(at(3, 12)) == 4  # nia, otto, quinn, rae (12th noon inclusive)
    assert store.leads_by_source() == [("web", 4, 0), ("(none)", 1, 0), ("referral", 1, 1), ("trade show", 1, 0)]


# -- accounts and contacts ------------------------------------------------------------------------


def account_page(store, **filters):
    return store.account_page(AccountFilter(**filters), P, 0, 100)


def test_accounts_open_value_and_fields(store, world):
    by_name = {i.name: i for i in account_page(store).items}
    # open deals only: alpha 1 + 4 + 8 = 100,000 + 750,000 + 100,000
    assert by_name["alpha bistro"].open_value_cents == 950_000
    assert by_name["beta diner"].open_value_cents == 250_000  # deal 5 is won: not open
    assert by_name["gamma grill"].open_value_cents == 2_500_000  # 3 + 7; deal 6 is lost
    assert by_name["delta 50%_off cafe"].open_value_cents == 0
    assert by_name["alpha bistro"].owner_login == "ana"
    assert by_name["gamma grill"].tier == "key"


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"tiers": (AccountTier.BASIC,)}, {"delta", "epsilon"}),
        ({"statuses": (AccountStatus.CUSTOMER,)}, {"alpha", "gamma"}),
        ({"owners": ("ana",)}, {"alpha", "delta"}),
        ({"industry": "restaurant"}, {"alpha", "gamma"}),
        ({"min_health": 65}, {"alpha", "gamma", "epsilon"}),
        ({"max_health": 40}, {"beta", "delta"}),
        ({"min_health": 40, "max_health": 65}, {"beta", "gamma"}),
        ({"text": "50%_off"}, {"delta"}),  # "epsilon 50x off" must not match
        ({"text": "ROME"}, {"delta", "epsilon"}),  # the HQ city
    ],
)
def test_account_filters(store, world, filters, expected):
    page = account_page(store, **filters)
    assert set(ids(page)) == {world.accounts[name].id for name in expected}
    assert page.total == len(expected)


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
def test_account_sorting_by_every_column(store, world, descending):
    keys = {
        "id": lambda i: i.id, "name": lambda i: i.name, "industry": lambda i: i.industry,
        "tier": lambda i: i.tier,  # by the stored word, alphabetically (see docs/data-model.md)
        "status": lambda i: i.status, "owner": lambda i: i.owner_login, "revenue": lambda i: i.annual_revenue_cents,
        "health": lambda i: i.health_score, "renewal": lambda i: i.renewal_date, "open_value": lambda i: i.open_value_cents,
    }
    assert set(choices(lambda: account_page(store, sort="no_such_column"))) == set(keys)
    for column, key in keys.items():
        assert_sorted(account_page(store, sort=column, descending=descending).items, key, descending)
    assert [i.name for i in account_page(store).items][:2] == ["alpha bistro", "beta diner"]  # default: by name


def test_account_paging(store, world):
    first = store.account_page(AccountFilter(), P, 0, 2)
    assert len(first.items) == 2 and first.total == 5


@pytest.fixture
def contacts(store, make, world):
    a = world.accounts
    marie = make.contact(first_name="marie", last_name="curie", title="chef", email="marie@alpha.test",
                         account_id=a["alpha"].id, buying_role=BuyingRole.CHAMPION)
    zoe = make.contact(first_name="zoe", last_name="adams", title="buyer", email="zoe@beta.test",
                       account_id=a["beta"].id, buying_role=BuyingRole.DECISION_MAKER, reports_to_id=marie.id)
    li = make.contact(first_name="li", last_name="wei", title="owner", email="li@gamma.test",
                      account_id=a["gamma"].id, buying_role=BuyingRole.INFLUENCER)
    return marie, zoe, li


def test_contacts(store, world, contacts):
    marie, zoe, li = contacts
    page = store.contact_page(ContactFilter(), 0, 100)
    assert ids(page) == [zoe.id, marie.id, li.id]  # by last name: adams, curie, wei
    zoe_item = page.items[0]
    assert (zoe_item.name, zoe_item.account, zoe_item.reports_to) == ("zoe adams", "beta diner", "marie curie")
    assert ids(store.contact_page(ContactFilter(account_id=world.accounts["gamma"].id), 0, 100)) == [li.id]
    assert ids(store.contact_page(ContactFilter(text="GAMMA"), 0, 100)) == [li.id]  # the account's name
    assert ids(store.contact_page(ContactFilter(text="zoe@"), 0, 100)) == [zoe.id]
    last_names = {marie.id: "curie", zoe.id: "adams", li.id: "wei"}
    keys = {
        "id": lambda i: i.id, "name": lambda i: last_names[i.id], "title": lambda i: i.title,
        "account": lambda i: i.account, "email": lambda i: i.email, "buying_role": lambda i: i.buying_role,
    }
    assert set(choices(lambda: store.contact_page(ContactFilter(sort="no_such_column"), 0, 10))) == set(keys)
    for descending in (False, True):
        for column, key in keys.items():
            items = store.contact_page(ContactFilter(sort=column, descending=descending), 0, 100).items
            assert_sorted(items, key, descending)


# -- proposals and tasks --------------------------------------------------------------------------


@pytest.fixture
def proposals(store, make, world):
    o = world.opps
    specs = [  # ids 1..7; owners are the opportunities' owners
        dict(opportunity_id=o[0].id, status=ProposalStatus.ACCEPTED, sent_at=at(3, 1), decided_at=at(3, 9),
             valid_until=date(2026, 3, 20), amount_cents=100_000),
        dict(opportunity_id=o[1].id, status=ProposalStatus.DRAFT, valid_until=date(2026, 4, 10), amount_cents=250_000,
             title="100% oil_deal quote"),
        dict(opportunity_id=o[2].id, status=ProposalStatus.SENT, sent_at=at(3, 2), valid_until=date(2026, 4, 1),
             amount_cents=500_000, title="100x oilxdeal quote"),
        dict(opportunity_id=o[3].id, status=ProposalStatus.SENT, sent_at=at(3, 3), valid_until=date(2026, 3, 25),
             amount_cents=750_000),
        dict(opportunity_id=o[7].id, status=ProposalStatus.DRAFT, valid_until=None, amount_cents=90_000),
        dict(opportunity_id=o[5].id, status=ProposalStatus.REJECTED, sent_at=at(2, 20), decided_at=at(2, 27),
             valid_until=date(2026, 3, 18), amount_cents=50_000),
        dict(opportunity_id=o[2].id, status=ProposalStatus.EXPIRED, sent_at=at(1, 5), valid_until=date(2026, 3, 1),
             amount_cents=480_000),
    ]
    return [make.proposal(**spec) for spec in specs]


def test_proposals_pending_first(store, proposals):
    p = proposals
    page = store.proposal_page(ProposalFilter(), 0, 100)
    # sent (soonest expiry first), then drafts (no expiry last), then the decided ones by expiry
    assert ids(page) == [p[3].id, p[2].id, p[1].id, p[4].id, p[6].id, p[5].id, p[0].id]
    assert page.total == 7
    item = page.items[0]
    assert (item.opportunity, item.account, item.owner_login, item.status) == ("ice machine", "alpha bistro", "ana", "sent")


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"statuses": (ProposalStatus.SENT, ProposalStatus.DRAFT)}, {2, 3, 4, 5}),
        ({"owners": ("cy",)}, {3, 6, 7}),
        ({"text": "100% oil_deal"}, {2}),
        ({"text": "gamma"}, {3, 6, 7}),  # the account's name
    ],
)
def test_proposal_filters(store, proposals, filters, expected):
    page = store.proposal_page(ProposalFilter(**filters), 0, 100)
    assert set(ids(page)) == {proposals[n - 1].id for n in expected}
    assert page.total == len(expected)


PROPOSAL_RANK = {"sent": 0, "draft": 1}


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
def test_proposal_sorting_by_every_column(store, proposals, descending):
    numbers = {p.id: p.number for p in proposals}
    sent = {p.id: p.sent_at for p in proposals}
    keys = {
        "id": lambda i: i.id, "number": lambda i: numbers[i.id], "amount": lambda i: i.amount_cents,
        "status": lambda i: PROPOSAL_RANK.get(i.status, 2), "account": lambda i: i.account, "owner": lambda i: i.owner_login,
    }
    nullable = {"sent": lambda i: sent[i.id], "valid_until": lambda i: i.valid_until}
    assert set(choices(lambda: store.proposal_page(ProposalFilter(sort="no_such_column"), 0, 10))) == set(keys) | set(nullable)
    for column, key in keys.items():
        assert_sorted(store.proposal_page(ProposalFilter(sort=column, descending=descending), 0, 100).items, key, descending)
    # Columns with NULLs are compared on the rows that have a value (the databases disagree where NULLs go).
    for column, key in nullable.items():
        items = [i for i in store.proposal_page(ProposalFilter(sort=column, descending=descending), 0, 100).items if key(i)]
        assert_sorted(items, key, descending)


@pytest.fixture
def tasks(store, make, world, leads):
    u, o, a = world.users, world.opps, world.accounts
    specs = [  # ids 1..5
        dict(title="send samples", due_on=date(2026, 3, 20), assignee_id=u["ana"].id, priority=Priority.HIGH,
             opportunity_id=o[0].id),
        dict(title="chase payment", due_on=None, assignee_id=u["ben"].id, priority=Priority.URGENT,
             account_id=a["beta"].id),
        dict(title="qualify lead", due_on=date(2026, 3, 18), assignee_id=u["cy"].id, priority=Priority.LOW,
             status=TaskStatus.DONE, lead_id=leads[0].id, completed_at=at(3, 15)),
        dict(title="call 100% back", due_on=date(2026, 3, 18), assignee_id=u["ana"].id, priority=Priority.NORMAL),
        dict(title="call 100x back", due_on=date(2026, 4, 1), assignee_id=u["ben"].id, priority=Priority.NORMAL,
             status=TaskStatus.CANCELLED, opportunity_id=o[2].id),
    ]
    return [make.task(**spec) for spec in specs]


def test_tasks_soonest_first_undated_last(store, tasks):
    t = tasks
    page = store.task_page(TaskFilter(), 0, 100)
    assert ids(page) == [t[2].id, t[3].id, t[0].id, t[4].id, t[1].id]
    related = {i.id: i.related for i in page.items}
    assert related[t[0].id] == "walk-in cooler" and related[t[1].id] == "beta diner"
    assert related[t[2].id] == "lena" and related[t[3].id] == ""


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"assignees": ("ana",)}, {1, 4}),
        ({"statuses": (TaskStatus.OPEN,)}, {1, 2, 4}),
        ({"due_before": date(2026, 3, 18)}, {3, 4}),  # inclusive; undated tasks are not due
        ({"text": "100%"}, {4}),
        ({"text": "gamma"}, set()),  # task 5's opportunity is "fryer 100x ...", not the account name
        ({"text": "fryer"}, {5}),  # the opportunity's name
        ({"text": "beta"}, {2}),  # the account's name
    ],
)
def test_task_filters(store, tasks, filters, expected):
    page = store.task_page(TaskFilter(**filters), 0, 100)
    assert set(ids(page)) == {tasks[n - 1].id for n in expected}
    assert page.total == len(expected)


@pytest.mark.parametrize("descending", [False, True], ids=["asc", "desc"])
def test_task_sorting_by_every_column(store, tasks, descending):
    keys = {
        "id": lambda i: i.id, "title": lambda i: i.title, "due": lambda i: i.due_on,
        "priority": lambda i: i.priority,  # by the stored word, alphabetically (see docs/data-model.md)
        "status": lambda i: i.status, "assignee": lambda i: i.assignee_login,
    }
    assert set(choices(lambda: store.task_page(TaskFilter(sort="no_such_column"), 0, 10))) == set(keys)
    dated = TaskFilter(due_before=date(2026, 12, 31))  # leave out the undated task: NULLs sort differently
    for column, key in keys.items():
        items = store.task_page(dated.model_copy(update={"sort": column, "descending": descending}), 0, 100).items
        assert len(items) == 4
        assert_sorted(items, key, descending)


# -- users and products ---------------------------------------------------------------------------


def test_users(store, world):
    def page(**filters):
        return store.user_page(UserFilter(**filters), 0, 100)

    assert [i.login for i in page().items] == ["ana", "ben", "cy", "dee"]
    assert [i.login for i in page(roles=("rep",)).items] == ["ana", "ben"]
    assert [i.login for i in page(active=False).items] == ["dee"]
    assert [i.login for i in page(text="DEE D").items] == ["dee"]
    assert page(active=True).total == 3
    keys = {"id": lambda i: i.id, "login": lambda i: i.login, "name": lambda i: i.display_name,
            "role": lambda i: i.role, "team": lambda i: i.team}
    assert set(choices(lambda: page(sort="no_such_column"))) == set(keys)
    for descending in (False, True):
        for column, key in keys.items():
            assert_sorted(page(sort=column, descending=descending).items, key, descending)


def test_products(store, make):
    oil = make.product(sku="OO_1", name="olive oil 100%", category="oils", list_price_cents=25_00)
    decoy = make.product(sku="OOX1", name="olive oil 100x", category="oils", list_price_cents=24_00)
    paste = make.product(sku="TP-1", name="tomato paste", category="canned", list_price_cents=12_00)

    def page(**filters):
        return store.product_page(ProductFilter(**filters), 0, 100)

    assert ids(page()) == [oil.id, decoy.id, paste.id]  # by name
    assert ids(page(category="oils")) == [oil.id, decoy.id]
    assert ids(page(text="oil 100%")) == [oil.id]
    assert ids(page(text="oo_")) == [oil.id]  # the SKU, case-insensitive, "_" literal
    keys = {"id": lambda i: i.id, "sku": lambda i: i.sku, "name": lambda i: i.name,
            "category": lambda i: i.category, "price": lambda i: i.list_price_cents}
    assert set(choices(lambda: page(sort="no_such_column"))) == set(keys)
    for descending in (False, True):
        for column, key in keys.items():
            assert_sorted(page(sort=column, descending=descending).items, key, descending)
    first = store.product_page(ProductFilter(), 1, 1)
    assert ids(first) == [decoy.id] and first.total == 3


# -- search -------------------------------------------------------------------------------------


def test_search_finds_accounts_and_opportunities(store, world):
    a, o = world.accounts, world.opps
    assert store.search("alpha") == [SearchHit("account", a["alpha"].id, "alpha bistro", "lyon · strategic")]
    assert store.search("BETA") == [SearchHit("account", a["beta"].id, "beta diner", "standard")]  # no city
    assert store.search("fryer") == [
        SearchHit("opportunity", o[1].id, "fryer 100% oil_deal", "beta diner · qualification · ben"),
        SearchHit("opportunity", o[2].id, "fryer 100x oilxdeal", "gamma grill · proposal · cy"),
    ]
    assert [h.id for h in store.search("100%")] == [o[1].id]  # % is literal
    assert [h.id for h in store.search("oil_d")] == [o[1].id]  # _ is literal: "oilxdeal" does not match
    assert [h.id for h in store.search("50%_off")] == [a["delta"].id]
    assert store.search("zzz") == []


def test_search_limit_applies_per_kind(store, world, make):
    for n in range(5):
        make.account(name=f"shared {n}")
        make.opportunity(name=f"shared deal {n}", owner_id=world.users["ana"].id)
    hits = store.search("shared", limit=3)
    assert [h.kind for h in hits] == ["account"] * 3 + ["opportunity"] * 3
