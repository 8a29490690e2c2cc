"""Who sees what, and who may assign and set quotas: the role table, on every read and the new writes.

The org: ada (admin); mia manages ray and rob; zoe manages sue.
Accounts: A1 (ray's), A2 (sue's, ray on its account team), A3 (sue's).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta

import pytest

from cli.main import main
from domain.enums import Role, TeamRole
from domain.errors import Refused
from domain.filters import AccountFilter, ContactFilter, LeadFilter, OpportunityFilter, ProposalFilter, TaskFilter
from domain.pipeline import DEFAULT_PIPELINE
from domain.records import Account, AccountTeamMember, Contact, Lead, Opportunity, User
from domain.reports.base import ReportParams
from domain.services.analytics import pipeline_figures
from domain.services.dashboard import build_dashboard
from domain.services.details import account_detail, contact_detail, lead_detail, opportunity_detail
from domain.services.lead_actions import LeadActions
from domain.services.opportunity_updates import OpportunityUpdates
from domain.services.quota_actions import QuotaActions
from domain.session import Session


@dataclass
class Org:
    ada: User
    mia: User
    zoe: User
    ray: User
    rob: User
    sue: User
    a1: Account
    a2: Account
    a3: Account
    c3: Contact
    ray_deal: Opportunity
    ray_deal_on_a2: Opportunity
    rob_deal: Opportunity
    sue_deal: Opportunity
    ray_lead: Lead
    sue_lead: Lead
    free_lead: Lead


@pytest.fixture
def org(store, make, clock) -> Org:
    ada = make.user(login="ada", role=Role.ADMIN)
    mia = make.user(login="mia", role=Role.MANAGER)
    zoe = make.user(login="zoe", role=Role.MANAGER)
    ray = make.user(login="ray", manager_id=mia.id)
    rob = make.user(login="rob", manager_id=mia.id)
    sue = make.user(login="sue", manager_id=zoe.id)
    a1 = make.account(name="Alpha Bistro", owner_id=ray.id)
    a2 = make.account(name="Beta Hotels", owner_id=sue.id)
    a3 = make.account(name="Gamma Schools", owner_id=sue.id)
    store.team_members.insert(AccountTeamMember(account_id=a2.id, user_id=ray.id, role=TeamRole.SUPPORT,
                                                start_date=date(2026, 1, 1)))
    for account in (a1, a2):
        make.contact(account_id=account.id, first_name=f"Chef of {account.name}")
    c3 = make.contact(account_id=a3.id, first_name="Principal")
    close = clock.today() + timedelta(days=3)
    ray_deal = make.opportunity(name="Deal ray 1", owner_id=ray.id, account_id=a1.id, value_cents=100_00,
                                stage="proposal", probability=60, expected_close_date=close)
    ray_deal_on_a2 = make.opportunity(name="Deal ray 2", owner_id=ray.id, account_id=a2.id, value_cents=200_00)
    rob_deal = make.opportunity(name="Deal rob", owner_id=rob.id, value_cents=400_00)
    sue_deal = make.opportunity(name="Deal sue", owner_id=sue.id, account_id=a2.id, value_cents=800_00,
                                expected_close_date=close)
    ray_lead = make.lead(name="Lead of ray", owner_id=ray.id, source="web")
    sue_lead = make.lead(name="Lead of sue", owner_id=sue.id, source="trade_show")
    free_lead = make.lead(name="Nobody's lead", source="web")
    for deal in (ray_deal, sue_deal):
        make.proposal(opportunity_id=deal.id, status="sent", sent_at=clock.now())
        make.task(assignee_id=deal.owner_id, opportunity_id=deal.id)
        make.activity(opportunity_id=deal.id, created_by_id=deal.owner_id, subject=f"Call on {deal.name}")
    for user, cents in ((ray, 1_000_00), (rob, 2_000_00), (sue, 4_000_00), (mia, 3_000_00)):
        make.quota(user_id=user.id, period="month", period_start=clock.today().replace(day=1), amount_cents=cents)
    return Org(ada, mia, zoe, ray, rob, sue, a1, a2, a3, c3, ray_deal, ray_deal_on_a2, rob_deal, sue_deal,
               ray_lead, sue_lead, free_lead)


def as_(store, clock, user: User | None) -> Session:
    return Session(store=store, clock=clock, pipeline=DEFAULT_PIPELINE, actor=user)


def names(page) -> set[str]:
    return {getattr(item, "name", None) or getattr(item, "title", None) for item in page.items}


# -- reads -----------------------------------------------------------------------------------------


def test_a_rep_sees_their_own_book_and_the_accounts_they_work_on(store, clock, org):
    ray = as_(store, clock, org.ray)
    assert ray.visible_logins() == ("ray",)
    assert names(ray.opportunities(OpportunityFilter())) == {"Deal ray 1", "Deal ray 2"}
    assert names(ray.leads(LeadFilter())) == {"Lead of ray"}  # not sue's, not the unassigned one
    assert names(ray.accounts(AccountFilter())) == {"Alpha Bistro", "Beta Hotels"}  # owner, and account team
    assert {c.account for c in ray.contacts(ContactFilter()).items} == {"Alpha Bistro", "Beta Hotels"}
    assert [p.owner_login for p in ray.proposals(ProposalFilter()).items] == ["ray"]
    assert [t.assignee_login for t in ray.tasks(TaskFilter()).items] == ["ray"]
    assert {h.label for h in ray.search("Deal")} == {"Deal ray 1", "Deal ray 2"}
    summary = ray.pipeline_summary()
    assert (summary.open_count, summary.open_value_cents) == (2, 300_00)  # 100 + 200


def test_a_manager_sees_the_team_and_the_unassigned_leads_an_admin_everything(store, clock, org):
    mia = as_(store, clock, org.mia)
    assert mia.visible_logins() == ("mia", "ray", "rob")
    assert names(mia.opportunities(OpportunityFilter())) == {"Deal ray 1", "Deal ray 2", "Deal rob"}
    assert names(mia.leads(LeadFilter())) == {"Lead of ray", "Nobody's lead"}
    assert mia.quota_logins() == ("ray", "rob")  # the reps' quotas, not mia's roll-up as well
    for everyone in (as_(store, clock, org.ada), as_(store, clock, None)):
        assert everyone.visible_logins() is None
        assert len(everyone.opportunities(OpportunityFilter()).items) == 4
        assert len(everyone.leads(LeadFilter()).items) == 3


def test_asking_for_someone_you_cannot_see_is_refused_not_silently_empty(store, clock, org):
    ray = as_(store, clock, org.ray)
    with pytest.raises(Refused, match=r"ray \(rep\) cannot see the records of sue"):
        ray.opportunities(OpportunityFilter(owners=("sue",)))
    with pytest.raises(Refused, match="cannot see the records of sue"):
        pipeline_figures(ray, ReportParams(as_of=clock.today(), reps=("sue",)))
    mia = as_(store, clock, org.mia)
    assert names(mia.opportunities(OpportunityFilter(owners=("rob",)))) == {"Deal rob"}
    with pytest.raises(Refused, match=r"mia \(manager\) cannot see the records of sue"):
        mia.tasks(TaskFilter(assignees=("sue",)))


def test_dashboard_and_report_figures_cover_only_what_the_user_sees(store, clock, org):
    ray = build_dashboard(as_(store, clock, org.ray))
    assert ray.summary.open_value_cents == 300_00
    assert ray.month_quota_cents == 1_000_00  # his own quota
    assert ray.closing_this_week == 1  # his deal closing in 3 days; sue's is not his
    assert [a.subject for a in ray.recent] == ["Call on Deal ray 1"]
    assert {s.source for s in ray.sources} == {"web"} and sum(s.leads for s in ray.sources) == 1
    mia = build_dashboard(as_(store, clock, org.mia))
    assert mia.month_quota_cents == 3_000_00  # ray 1,000 + rob 2,000
    assert sum(s.leads for s in mia.sources) == 2  # ray's lead and the unassigned one
    admin = build_dashboard(as_(store, clock, org.ada))
    assert admin.month_quota_cents == 7_000_00  # every rep: 1,000 + 2,000 + 4,000 (managers' roll-ups excluded)
    figures = pipeline_figures(as_(store, clock, org.mia), ReportParams(as_of=clock.today()))
    assert figures.summary.open_value_cents == 700_00  # 100 + 200 + 400


def test_detail_screens_refuse_what_is_not_yours_and_hide_others_deals_on_shared_accounts(store, clock, org):
    ray = as_(store, clock, org.ray)
    assert opportunity_detail(ray, org.ray_deal.id).opportunity.name == "Deal ray 1"
    with pytest.raises(Refused, match="cannot see opportunity .*: it belongs to sue"):
        opportunity_detail(ray, org.sue_deal.id)
    shared = account_detail(ray, org.a2.id)  # on the account team: sees the account, only his own deal on it
    assert [o.name for o in shared.opportunities] == ["Deal ray 2"]
    assert all(a.opportunity_id != org.sue_deal.id for a in shared.recent_activities)
    with pytest.raises(Refused, match="cannot see account"):
        account_detail(ray, org.a3.id)
    with pytest.raises(Refused, match="cannot see contact"):
        contact_detail(ray, org.c3.id)
    with pytest.raises(Refused, match="cannot see lead .*: it has no owner"):
        lead_detail(ray, org.free_lead.id)
    assert lead_detail(as_(store, clock, org.mia), org.free_lead.id).lead.name == "Nobody's lead"
    assert len(account_detail(as_(store, clock, org.ada), org.a2.id).opportunities) == 2


# -- assigning --------------------------------------------------------------------------------------


def test_lead_assignment_by_role(store, clock, org):
    mia = LeadActions(as_(store, clock, org.mia))
    assert mia.assign([org.free_lead.id], "ray") == 1  # an unassigned lead, to her rep
    with pytest.raises(Refused, match="sue does not report to mia"):
        mia.assign([org.ray_lead.id], "sue")
    with pytest.raises(Refused, match="cannot change lead .*: it belongs to sue"):
        mia.assign([org.sue_lead.id], "rob")
    with pytest.raises(Refused, match="rep\\) cannot assign leads"):
        LeadActions(as_(store, clock, org.ray)).assign([org.ray_lead.id], "rob")
    with pytest.raises(Refused, match="cannot change lead"):
        LeadActions(as_(store, clock, org.ray)).flag(org.sue_lead.id, "spam")
    assert store.leads.require(org.sue_lead.id).owner_id == org.sue.id  # nothing changed by the refusals
    entry = [e for e in store.audit.find(table_name="lead") if e.field == "owner"]
    assert [(e.actor, e.old_value, e.new_value) for e in entry] == [("mia", None, "ray")]
    assert LeadActions(as_(store, clock, org.ada)).assign([org.sue_lead.id], "rob") == 1


def test_opportunity_reassignment_by_role(store, clock, org):
    mia = OpportunityUpdates(as_(store, clock, org.mia))
    moved = mia.reassign(org.ray_deal.id, "rob")
    assert moved.owner_id == org.rob.id and moved.version == org.ray_deal.version + 1
    with pytest.raises(Refused, match="sue does not report to mia"):
        mia.reassign(org.rob_deal.id, "sue")
    with pytest.raises(Refused, match="only a manager or an admin assigns records"):
        OpportunityUpdates(as_(store, clock, org.ray)).reassign(org.ray_deal_on_a2.id, "rob")
    with pytest.raises(Refused, match="owner: no active user with login 'nobody'"):
        mia.reassign(org.rob_deal.id, "nobody")
    assert OpportunityUpdates(as_(store, clock, org.ada)).reassign(org.sue_deal.id, "ray").owner_id == org.ray.id
    owners = [(e.actor, e.old_value, e.new_value) for e in store.audit.find(table_name="opportunity", order_by="id")
              if e.field == "owner"]
    assert owners == [("mia", "ray", "rob"), ("ada", "sue", "ray")]


# -- quotas -----------------------------------------------------------------------------------------


def test_quotas_are_set_by_managers_for_their_team_and_by_admins(store, clock, org):
    april = date(2026, 4, 1)
    mia = QuotaActions(as_(store, clock, org.mia))
    first = mia.set_quota("ray", "month", april, 1_500_00)
    again = mia.set_quota("ray", "month", april, 1_750_00)  # replaces, never a second row
    assert first.id == again.id and store.quotas.require(first.id).amount_cents == 1_750_00
    audit = [(e.action.value, e.field, e.old_value, e.new_value) for e in store.audit.find(table_name="quota", order_by="id")]
    assert audit[0][0] == "create" and audit[1] == ("update", "amount_cents", "150000", "175000")
    with pytest.raises(Refused, match="sue does not report to mia"):
        mia.set_quota("sue", "month", april, 1_00)
    with pytest.raises(Refused, match="rep\\) cannot set quotas"):
        QuotaActions(as_(store, clock, org.ray)).set_quota("ray", "month", april, 1_00)
    with pytest.raises(Refused, match="start: a quarter starts on 1 January, April, July or October"):
        mia.set_quota("ray", "quarter", date(2026, 5, 1), 1_00)
    with pytest.raises(Refused, match="amount: "):
        mia.set_quota("ray", "month", april, -1)
    assert QuotaActions(as_(store, clock, org.ada)).set_quota("sue", "quarter", april, 9_00).amount_cents == 9_00
    assert {q.login for q in QuotaActions(as_(store, clock, org.ray)).quotas()} == {"ray"}
    assert {q.login for q in mia.quotas()} == {"ray", "rob", "mia"}


# -- the CLI goes through the same checks -----------------------------------------------------------


def test_cli_reports_lists_and_audit_are_scoped_to_the_user(store, clock, org, database_url, capsys):
    as_of = ["--db", database_url, "--as-of", clock.today().isoformat()]

    def run(*argv):
        code = main([*argv, *as_of])
        out, err = capsys.readouterr()
        return code, out, err

    code, out, _ = run("report", "pipeline", "--format", "json", "--as", "ray")
    assert code == 0 and json.loads(out)["open_value"] == 300  # dollars: ray's 100 + 200
    code, _, err = run("report", "pipeline", "--as", "ray", "--rep", "sue")
    assert code == 1 and "cannot see the records of sue" in err
    code, out, _ = run("list", "opportunities", "--format", "json", "--as", "mia")
    assert code == 0 and {o["owner"] for o in json.loads(out)} == {"ray", "rob"}
    assert run("assign", "lead", str(org.free_lead.id), "--to", "rob", "--as", "mia")[0] == 0
    code, _, err = run("quota", "set", "sue", "100", "--start", "2026-04", "--as", "mia")
    assert code == 1 and "sue does not report to mia" in err
    code, out, _ = run("audit", "--format", "json", "--as", "ray")
    assert code == 0 and json.loads(out) == []  # mia's assignment is not ray's doing
    code, out, _ = run("audit", "--format", "json", "--as", "mia")
    assert [(e["actor"], e["field"], e["new_value"]) for e in json.loads(out)] == [("mia", "owner", "rob")]


# -- what screens and commands read through the Session (issue 13: never `session.store`) -------------


def test_session_figures_for_screens_are_scoped_by_role(store, clock, org):
    """The forecast's deals by probability and the proposals' acceptance counts, as each role sees them."""
    ray, mia = as_(store, clock, org.ray), as_(store, clock, org.mia)
    everyone = [as_(store, clock, org.ada), as_(store, clock, None)]
    # open deals: ray 1 (60 %, $100), ray 2 (20 %, $200), rob (20 %, $400), sue (20 %, $800)
    assert ray.probability_totals() == [(60, 1, 100_00), (20, 1, 200_00)]  # highest probability first
    assert mia.probability_totals() == [(60, 1, 100_00), (20, 2, 600_00)]  # ray 2 + rob
    for session in everyone:
        assert session.probability_totals() == [(60, 1, 100_00), (20, 3, 1_400_00)]  # 200 + 400 + 800
    # one sent proposal each on ray 1 and sue's deal
    assert ray.proposal_status_counts() == {"sent": 1}
    assert as_(store, clock, org.zoe).proposal_status_counts() == {"sent": 1}
    assert as_(store, clock, org.rob).proposal_status_counts() == {}
    for session in everyone:
        assert session.proposal_status_counts() == {"sent": 2}


def test_the_outbox_shows_each_role_the_mail_of_the_deals_and_people_it_sees(store, clock, org):
    from domain.records import OutboxMessage
    from domain.services.mailer import outbox

    def mail(subject, **fields):
        store.outbox.insert(OutboxMessage(created_at=clock.now(), to_address="x@example.com", subject=subject,
                                          body="", **fields))

    mail("about ray's deal", opportunity_id=org.ray_deal.id)
    mail("to sue", to_user_id=org.sue.id)
    mail("about rob's deal, to mia", opportunity_id=org.rob_deal.id, to_user_id=org.mia.id)
    mail("to nobody in particular")

    def subjects(user):
        return {m.subject for m in outbox(as_(store, clock, user))}

    assert subjects(org.ray) == {"about ray's deal"}
    assert subjects(org.mia) == {"about ray's deal", "about rob's deal, to mia"}
    assert subjects(org.zoe) == {"to sue"}
    assert subjects(org.ada) == subjects(None) == {"about ray's deal", "to sue", "about rob's deal, to mia",
                                                    "to nobody in particular"}
    assert [m.subject for m in outbox(as_(store, clock, org.ada), limit=1)] == ["about ray's deal"]
    assert outbox(as_(store, clock, org.ada), status="sent") == []


def test_the_audit_log_is_read_through_the_domain_with_the_roles_scope(store, clock, org):
    from domain.services.audit import audit_log

    for session in (as_(store, clock, org.ray), as_(store, clock, org.sue)):
        OpportunityUpdates(session).update_fields(
            (org.ray_deal if session.actor.login == "ray" else org.sue_deal).id, {"next_step": "call"})
    actors = lambda user, **kw: {e.actor for e in audit_log(as_(store, clock, user), **kw)}  # noqa: E731
    assert actors(org.ray) == {"ray"}
    assert actors(org.mia) == {"ray"}  # the team's changes
    assert actors(org.zoe) == {"sue"}
    assert actors(org.ada) == {"ray", "sue"}
    with pytest.raises(Refused, match="cannot see the records of sue"):
        audit_log(as_(store, clock, org.ray), user="sue")


def test_the_catalogue_is_everyones(store, clock, org, make):
    make.product(name="Zucchini", active=True)
    make.product(name="Apples", active=True)
    make.product(name="Old stock", active=False)
    for user in (org.ray, org.mia, org.ada, None):
        assert [p.name for p in as_(store, clock, user).active_products()] == ["Apples", "Zucchini"]


# -- account and activity reports, MRR, the accounts list (issue 14) ----------------------------------


def _report(session: Session, name: str, clock, **params):
    from domain.reports.registry import report_kind
    return report_kind(name).build(session, ReportParams(as_of=clock.today(), **params))


def test_the_accounts_report_shows_the_callers_accounts_and_only_their_deals_in_them(store, clock, make, org):
    make.opportunity(name="Deal sue on ray's account", owner_id=org.sue.id, account_id=org.a1.id, value_cents=5_000_00)
    ray = _report(as_(store, clock, org.ray), "accounts", clock).data
    assert [(a["name"], a["open_pipeline_value"]) for a in ray] == [("Alpha Bistro", 100.0)]  # not sue's 5,000
    mia = _report(as_(store, clock, org.mia), "accounts", clock).data
    assert {a["name"] for a in mia} == {"Alpha Bistro"}
    zoe = _report(as_(store, clock, org.zoe), "accounts", clock).data
    assert {a["name"] for a in zoe} == {"Beta Hotels", "Gamma Schools"}
    assert {a["name"]: a["open_pipeline_value"] for a in zoe}["Beta Hotels"] == 800.0  # not ray's 200 on it
    admin = {a["name"]: a["open_pipeline_value"] for a in _report(as_(store, clock, org.ada), "accounts", clock).data}
    assert admin == {"Alpha Bistro": 5_100.0, "Beta Hotels": 1_000.0, "Gamma Schools": 0.0}


def test_the_activities_report_counts_the_callers_activities_only(store, clock, make, org):
    end = clock.today() + timedelta(days=1)
    for deal in (org.ray_deal, org.sue_deal):
        make.activity(opportunity_id=deal.id, created_by_id=deal.owner_id, kind="call", completed_at=clock.now())
    ray = _report(as_(store, clock, org.ray), "activities", clock, date_to=end).data
    mia = _report(as_(store, clock, org.mia), "activities", clock, date_to=end).data
    admin = _report(as_(store, clock, org.ada), "activities", clock, date_to=end).data
    assert [r["rep"] for r in ray["reps"]] == ["ray"] and ray["total_activities"] == 1
    assert [r["rep"] for r in mia["reps"]] == ["ray", "rob"] and mia["total_activities"] == 1
    assert admin["total_activities"] == 2 and [r["rep"] for r in admin["reps"]] == ["ray", "rob", "sue"]


@pytest.mark.parametrize("name", ["accounts", "activities", "pipeline", "reps"])
def test_every_report_refuses_a_rep_or_team_outside_the_callers_scope(store, clock, make, org, name):
    make.user(login="tia", manager_id=org.zoe.id, team="South")
    make.user(login="tom", manager_id=org.mia.id, team="North")
    store.users.update(org.mia.model_copy(update={"team": "North"}))
    ray, mia = as_(store, clock, org.ray), as_(store, clock, store.users.require(org.mia.id))
    with pytest.raises(Refused, match="cannot see the records of sue"):
        _report(ray, name, clock, reps=("sue",))
    with pytest.raises(Refused, match="cannot see the team 'North': it includes mia, tom"):
        _report(ray, name, clock, team="North")
    with pytest.raises(Refused, match=r"mia \(manager\) cannot see the team 'South': it includes tia"):
        _report(mia, name, clock, team="South")
    _report(mia, name, clock, team="North")  # her own team
    _report(as_(store, clock, org.ada), name, clock, team="South")


def test_mrr_is_the_callers_accounts_contracts(store, clock, org):
    from domain.records import Contract
    start, end = clock.today() - timedelta(days=100), clock.today() + timedelta(days=265)  # 366 days
    for account, cents in ((org.a1, 12_000_00), (org.a2, 24_000_00)):
        store.contracts.insert(Contract(account_id=account.id, value_cents=cents, start_date=start, end_date=end))

    def mrr(user):
        return _report(as_(store, clock, user), "pipeline", clock).data["mrr"]

    month = 30.4375 / 366
    assert mrr(org.ray) == round(12_000 * month, 2)  # his account's contract only
    assert mrr(org.zoe) == round(24_000 * month, 2)
    assert mrr(org.ada) == round(36_000 * month, 2)


def test_the_accounts_list_sums_only_the_deals_the_reader_may_see(store, clock, make, org):
    make.opportunity(name="Deal sue on ray's account", owner_id=org.sue.id, account_id=org.a1.id, value_cents=5_000_00)
    ray = {a.name: a.open_value_cents for a in as_(store, clock, org.ray).accounts(AccountFilter()).items}
    assert ray == {"Alpha Bistro": 100_00, "Beta Hotels": 200_00}  # his deals only, on his and the shared account
    admin = {a.name: a.open_value_cents for a in as_(store, clock, org.ada).accounts(AccountFilter()).items}
    assert admin["Alpha Bistro"] == 5_100_00 and admin["Beta Hotels"] == 1_000_00


def test_the_cli_names_the_option_that_asks_outside_the_scope(store, database_url, org, capsys):
    assert main(["--db", database_url, "--as", "ray", "report", "accounts", "--rep", "sue"]) == 1
    assert "--rep: ray (rep) cannot see the records of sue" in capsys.readouterr().err
    assert main(["--db", database_url, "--as", "ray", "report", "activities", "--team", "Nowhere"]) == 0
    store.users.update(org.sue.model_copy(update={"team": "South"}))
    capsys.readouterr()
    assert main(["--db", database_url, "--as", "ray", "report", "activities", "--team", "South"]) == 1
    assert "--team: ray (rep) cannot see the team 'South'" in capsys.readouterr().err
