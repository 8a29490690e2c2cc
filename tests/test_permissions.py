"""Roles enforced in the domain: rep, manager, admin, for every change to an opportunity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest

from domain import permissions as p
from domain.enums import ActivityKind, ProposalStatus, Role
from domain.errors import Refused
from domain.pipeline import DEFAULT_PIPELINE
from domain.records import Opportunity, User
from domain.services.opportunity_updates import OpportunityUpdates
from domain.services.stage_moves import StageMover
from domain.session import Session


@dataclass
class Org:
    admin: User
    mia: User  # manager of ray and rex
    zoe: User  # manager of sue
    ray: User
    rex: User
    sue: User
    opp: Opportunity  # ray's
    product_id: int
    proposal_id: int


@pytest.fixture
def org(store, make, clock) -> Org:
    admin = make.user(login="ada", role=Role.ADMIN)
    mia = make.user(login="mia", role=Role.MANAGER)
    zoe = make.user(login="zoe", role=Role.MANAGER)
    ray = make.user(login="ray", role=Role.REP, manager_id=mia.id)
    rex = make.user(login="rex", role=Role.REP, manager_id=mia.id)
    sue = make.user(login="sue", role=Role.REP, manager_id=zoe.id)
    opp = make.opportunity(owner_id=ray.id, stage="discovery", stage_entered_at=clock.now() - timedelta(days=2))
    product = make.product(list_price_cents=10_00)
    proposal = make.proposal(opportunity_id=opp.id, status=ProposalStatus.DRAFT)
    return Org(admin, mia, zoe, ray, rex, sue, opp, product.id, proposal.id)


def session(store, clock, actor) -> Session:
    return Session(store=store, clock=clock, pipeline=DEFAULT_PIPELINE, actor=actor)


ACTIONS = {
    "move": lambda s, o: StageMover(s).move(o.opp.id, "closed_lost", lost_reason="Price"),
    "log_activity": lambda s, o: OpportunityUpdates(s).log_activity(o.opp.id, ActivityKind.CALL, "Call"),
    "update_fields": lambda s, o: OpportunityUpdates(s).update_fields(o.opp.id, {"next_step": "Call Monday"}),
    "add_line_item": lambda s, o: OpportunityUpdates(s).add_line_item(o.opp.id, o.product_id, Decimal(2)),
    "send_proposal": lambda s, o: OpportunityUpdates(s).send_proposal(o.proposal_id),
}

TABLES = ("opportunity", "activity", "line_item", "proposal", "stage_change", "audit_log", "task", "notification", "outbox")


def snapshot(store) -> dict:
    from store.models import ALL_MODELS

    rows = {}
    for model in ALL_MODELS:
        if model._meta.table_name in TABLES:
            rows[model._meta.table_name] = sorted(map(repr, model.select().dicts()))
    return rows


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("who", ["ray", "mia", "ada"])
def test_the_owner_their_manager_and_an_admin_may_change_the_deal(org, store, clock, who, action):
    ACTIONS[action](session(store, clock, getattr(org, {"ada": "admin"}.get(who, who))), org)


@pytest.mark.parametrize("action", sorted(ACTIONS))
@pytest.mark.parametrize("who, why", [
    ("rex", "rex (rep) cannot change opportunity {id}: it belongs to ray"),
    ("sue", "sue (rep) cannot change opportunity {id}: it belongs to ray"),
    ("zoe", "zoe (manager) cannot change opportunity {id}: it belongs to ray, who does not report to zoe"),
])
def test_another_rep_or_another_team_manager_is_refused_and_nothing_changes(org, store, clock, who, why, action):
    before = snapshot(store)
    with pytest.raises(Refused) as refused:
        ACTIONS[action](session(store, clock, getattr(org, who)), org)
    assert str(refused.value) == why.format(id=org.opp.id)
    assert snapshot(store) == before


def test_a_manager_may_change_their_own_deal(org, store, make, clock):
    own = make.opportunity(owner_id=org.zoe.id)
    OpportunityUpdates(session(store, clock, org.zoe)).update_fields(own.id, {"next_step": "Lunch"})
    assert store.opportunities.require(own.id).next_step == "Lunch"


def test_a_refused_move_is_refused_before_the_stage_rules(org, store, clock):
    # a move that would break rules too: the permission is what the user hears about
    with pytest.raises(Refused, match="belongs to ray"):
        StageMover(session(store, clock, org.rex)).move(org.opp.id, "closed_won")


# -- the rules as questions ------------------------------------------------------------------------


def test_can_edit_by_role(org, store):
    assert p.can_edit_opportunity(org.ray, org.ray, store)
    assert p.can_edit_opportunity(org.ray, org.ray.id, store)
    assert not p.can_edit_opportunity(org.ray, org.rex, store)
    assert p.can_edit_opportunity(org.mia, org.rex.id, store)
    assert p.can_edit_opportunity(org.mia, org.mia, store)
    assert not p.can_edit_opportunity(org.mia, org.sue, store)
    assert not p.can_edit_opportunity(org.mia, org.zoe, store)
    assert p.can_edit_opportunity(org.admin, org.sue, store)
    assert not p.can_edit_opportunity(None, org.ray, store)
    assert p.team_ids(org.mia, store) == {org.ray.id, org.rex.id}


def test_assigning(org, store):
    assert not p.can_assign(org.ray, org.ray, org.rex, store)
    assert p.can_assign(org.ray, org.ray, org.ray, store)  # no change
    assert p.can_assign(org.mia, org.ray, org.rex, store)
    assert p.can_assign(org.mia, org.ray, org.mia, store)
    assert not p.can_assign(org.mia, org.ray, org.sue, store)
    assert not p.can_assign(org.mia, org.sue, org.ray, store)
    assert p.can_assign(org.admin, org.sue, org.ray, store)
    with pytest.raises(Refused, match="ray \\(rep\\) cannot reassign lead 3: only a manager or an admin"):
        p.check_assign(org.ray, org.ray, org.rex, store, what="lead 3")
    with pytest.raises(Refused, match="mia \\(manager\\) cannot assign lead 3 to sue: sue does not report to mia"):
        p.check_assign(org.mia, org.ray, org.sue, store, what="lead 3")
    with pytest.raises(Refused, match="belongs to sue, who does not report to mia"):
        p.check_assign(org.mia, org.sue, org.ray, store, what="lead 3")


def test_quotas(org, store):
    assert not p.can_set_quota(org.ray, org.ray, store)
    assert p.can_set_quota(org.mia, org.ray, store)
    assert not p.can_set_quota(org.mia, org.sue, store)
    assert p.can_set_quota(org.admin, org.mia, store)
    with pytest.raises(Refused, match="ray \\(rep\\) cannot set quotas"):
        p.check_set_quota(org.ray, org.ray, store)
    with pytest.raises(Refused, match="mia \\(manager\\) cannot set the quota of sue"):
        p.check_set_quota(org.mia, org.sue.id, store)
    p.check_set_quota(org.zoe, org.sue, store)


# -- through the command line: a refusal is exit 1 with the reason ----------------------------------


def test_the_cli_refuses_with_exit_1_and_the_reason(org, store, database_url, capsys):
    from cli.main import main

    code = main(["move", str(org.opp.id), "closed_lost", "--lost-reason", "Price", "--as", "rex",
                 "--db", database_url, "--as-of", "2026-03-16"])
    err = capsys.readouterr().err
    assert code == 1
    assert f"rex (rep) cannot change opportunity {org.opp.id}: it belongs to ray" in err
    assert store.opportunities.require(org.opp.id).stage == "discovery"
    code = main(["move", str(org.opp.id), "closed_lost", "--lost-reason", "Price", "--as", "mia",
                 "--db", database_url, "--as-of", "2026-03-16"])
    assert code == 0, capsys.readouterr().err
    assert store.opportunities.require(org.opp.id).stage == "closed_lost"
