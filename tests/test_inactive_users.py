"""An inactive user, whatever their role, reads their own records and changes nothing (issue 14,
docs/roles.md "Inactive users"): moves, edits, logs, assignments, quotas, user admin (reactivating
themselves included) and imports are refused, the database unchanged."""

from __future__ import annotations

import pytest

from cli.main import main
from domain.enums import ActivityKind, Role
from domain.errors import Refused
from domain.filters import OpportunityFilter
from domain.pipeline import DEFAULT_PIPELINE
from domain.services.lead_actions import LeadActions
from domain.services.opportunity_updates import OpportunityUpdates
from domain.services.quota_actions import QuotaActions
from domain.services.stage_moves import StageMover
from domain.services.user_admin import UserAdmin
from domain.session import Session
from tests.test_unit_of_work import digest


@pytest.fixture
def people(store, make):
    ada = make.user(login="ada", role=Role.ADMIN)
    old = make.user(login="old", role=Role.ADMIN, active=False)
    mia = make.user(login="mia", role=Role.MANAGER, active=False)
    ray = make.user(login="ray", manager_id=mia.id, active=False)
    rob = make.user(login="rob", manager_id=mia.id)
    deal = make.opportunity(name="Ray's deal", owner_id=ray.id, value_cents=100_00)
    other = make.opportunity(name="Rob's deal", owner_id=rob.id, value_cents=200_00)
    lead = make.lead(name="Rob's lead", owner_id=rob.id)
    return dict(ada=ada, old=old, mia=mia, ray=ray, rob=rob, deal=deal, other=other, lead=lead)


def as_(store, clock, user) -> Session:
    return Session(store=store, clock=clock, pipeline=DEFAULT_PIPELINE, actor=user)


def test_an_inactive_user_changes_nothing(store, clock, people):
    before = digest(store)
    ray, mia, old = (as_(store, clock, people[k]) for k in ("ray", "mia", "old"))
    deal, other = people["deal"], people["other"]
    attempts = [
        lambda: StageMover(ray).move(deal.id, "qualification"),
        lambda: OpportunityUpdates(ray).update_fields(deal.id, {"value_cents": 5_00}),
        lambda: OpportunityUpdates(ray).log_activity(deal.id, ActivityKind.CALL, "a call"),
        lambda: OpportunityUpdates(mia).reassign(other.id, "rob"),
        lambda: OpportunityUpdates(mia).update_fields(other.id, {"value_cents": 5_00}),
        lambda: LeadActions(mia).assign([people["lead"].id], "rob"),
        lambda: QuotaActions(mia).set_quota("rob", "month", clock.today().replace(day=1), 1_000_00),
        lambda: OpportunityUpdates(old).update_fields(other.id, {"value_cents": 5_00}),
        lambda: UserAdmin(old).add("eve", "Eve", "admin"),
        lambda: UserAdmin(old).change("old", active=True),
        lambda: UserAdmin(old).change("ray", active=True),
    ]
    for attempt in attempts:
        with pytest.raises(Refused, match=r"is inactive: an inactive user cannot change anything"):
            attempt()
    assert digest(store) == before


def test_an_inactive_user_reads_only_their_own_records(store, clock, people):
    assert as_(store, clock, people["ray"]).visible_logins() == ("ray",)
    assert as_(store, clock, people["mia"]).visible_logins() == ("mia",)  # not her team any more
    old = as_(store, clock, people["old"])
    assert old.visible_logins() == ("old",)
    assert old.opportunities(OpportunityFilter()).items == []
    assert [o.name for o in as_(store, clock, people["ray"]).opportunities(OpportunityFilter()).items] == ["Ray's deal"]


def test_deactivated_while_the_session_is_open(store, clock, people):
    rob = as_(store, clock, people["rob"])
    UserAdmin(as_(store, clock, people["ada"])).change("rob", active=False)
    with pytest.raises(Refused, match=r"rob \(rep\) is inactive"):
        OpportunityUpdates(rob).update_fields(people["other"].id, {"value_cents": 5_00})
    assert store.opportunities.require(people["other"].id).value_cents == 200_00


def test_the_cli_refuses_an_inactive_user_and_an_admin_reactivates_them(store, database_url, people, capsys):
    deal = people["deal"]
    assert main(["--db", database_url, "--as", "ray", "edit", str(deal.id), "--value", "5"]) == 1
    assert "ray (rep) is inactive" in capsys.readouterr().err
    assert main(["--db", database_url, "--as", "old", "user", "set", "old", "--active"]) == 1
    assert main(["--db", database_url, "--as", "ada", "user", "set", "ray", "--active"]) == 0
    assert main(["--db", database_url, "--as", "ray", "edit", str(deal.id), "--value", "5"]) == 0


def test_inactive_admins_open_no_bootstrap_door(store, clock, make):
    make.user(login="gone", role=Role.ADMIN, active=False)
    rep = make.user(login="rex")
    for actor in (None, rep):
        with pytest.raises(Refused, match="cannot manage users"):
            UserAdmin(as_(store, clock, actor)).add("eve", "Eve", "admin")
    assert store.user_by_login("eve") is None
