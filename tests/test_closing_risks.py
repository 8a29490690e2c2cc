"""Deals due to close this week that cannot close yet: every blocking requirement on the way to won."""

from __future__ import annotations

from datetime import date, timedelta

from domain.enums import ActivityKind, Role
from domain.pipeline import DEFAULT_PIPELINE
from domain.services.closing_risks import closing_risks
from domain.services.dashboard import build_dashboard
from domain.session import Session


def test_closing_this_week_with_open_requirements(store, make, clock):
    rep = make.user(login="ray", role=Role.REP)
    monday = clock.today() - timedelta(days=clock.today().weekday())
    sunday = monday + timedelta(days=6)
    # qualification, due Wednesday: needs products (proposal), a sent proposal (negotiation), products and value (won)
    make.opportunity(name="Early", owner_id=rep.id, stage="qualification", probability=40, value_cents=5_000_00,
                             expected_close_date=monday + timedelta(days=2))
    # negotiation, due Friday, products and a sent proposal: nothing open -> not listed
    ready = make.opportunity(name="Ready", owner_id=rep.id, stage="negotiation", probability=80, value_cents=9_000_00,
                             expected_close_date=monday + timedelta(days=4))
    product = make.product()
    make.line_item(opportunity_id=ready.id, product_id=product.id)
    make.proposal(opportunity_id=ready.id, status="sent", sent_at=clock.now())
    # negotiation (it met "proposal sent" to get there: a requirement is checked on entering a stage),
    # with products but no value: closing as won needs a value of at least $0.01
    draft = make.opportunity(name="Draft", owner_id=rep.id, stage="negotiation", probability=80, value_cents=0,
                             expected_close_date=sunday)
    make.line_item(opportunity_id=draft.id, product_id=product.id)
    make.proposal(opportunity_id=draft.id, status="draft")
    make.activity(opportunity_id=draft.id, kind=ActivityKind.CALL, completed_at=clock.now())  # a call is not a proposal
    # due next week, or already won: out of the window
    make.opportunity(name="Next week", owner_id=rep.id, stage="discovery", expected_close_date=sunday + timedelta(days=1))
    make.opportunity(name="Won", owner_id=rep.id, stage="closed_won", probability=100, expected_close_date=monday,
                     actual_close_date=monday)

    session = Session(store=store, clock=clock, pipeline=DEFAULT_PIPELINE, actor=rep)
    found = closing_risks(session, monday, sunday)
    assert (found.closing, found.checked) == (3, 3)  # Early, Ready, Draft are open and due this week
    # largest first. Early, from qualification: entering proposal needs products, negotiation a sent
    # proposal, closed won products (already listed) and a value (it has $5,000).
    assert [(r.name, r.unmet) for r in found.risks] == [
        ("Early", ("at least one product must be selected", "required activity 'proposal' not completed")),
        ("Draft", ("opportunity value must be at least $0.01",)),
    ]
    assert found.risks[0].expected_close_date == monday + timedelta(days=2)
    assert build_dashboard(session).closing_risks == found
    assert closing_risks(session, monday, sunday, limit=1).checked == 1  # the largest only, and it says so


def test_nothing_due_is_nothing_at_risk(store, make, clock):
    session = Session(store=store, clock=clock, pipeline=DEFAULT_PIPELINE, actor=None)
    found = closing_risks(session, date(2026, 1, 5), date(2026, 1, 11))
    assert (found.risks, found.closing, found.checked) == ((), 0, 0)


def test_expansion_deals_are_those_started_after_the_first_win(store, make, clock):
    from domain.services.details import account_detail

    rep = make.user(login="ray")
    account = make.account(owner_id=rep.id)
    first = make.opportunity(name="First order", owner_id=rep.id, account_id=account.id, stage="closed_won",
                             probability=100, started_on=date(2025, 1, 10), actual_close_date=date(2025, 3, 1))
    same_time = make.opportunity(name="Parallel bid", owner_id=rep.id, account_id=account.id,
                                 started_on=date(2025, 2, 1))  # began before the first win: new business
    upsell = make.opportunity(name="Second category", owner_id=rep.id, account_id=account.id,
                              started_on=date(2025, 3, 2))  # the day after: expansion
    other = make.account(owner_id=rep.id)
    make.opportunity(owner_id=rep.id, account_id=other.id, started_on=date(2025, 6, 1))  # never bought: new business
    session = Session(store=store, clock=clock, pipeline=DEFAULT_PIPELINE, actor=rep)
    d = account_detail(session, account.id)
    assert d.expansion_ids == frozenset({upsell.id})
    assert not d.is_expansion(first) and not d.is_expansion(same_time)
    assert account_detail(session, other.id).expansion_ids == frozenset()
