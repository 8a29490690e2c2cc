"""Everything a detail screen shows about one opportunity or one account, gathered in one call."""

from __future__ import annotations

from dataclasses import dataclass

from domain.records import (
    Account,
    AccountLocation,
    AccountTeamMember,
    Activity,
    Battlecard,
    Competitor,
    Contact,
    Contract,
    Document,
    LineItem,
    Opportunity,
    Proposal,
    StageChange,
    User,
)
from domain.session import Session


@dataclass(frozen=True)
class OpportunityDetail:
    opportunity: Opportunity
    account: Account | None
    contact: Contact | None
    owner: User
    line_items: tuple[LineItem, ...]
    competitors: tuple[tuple[Competitor, tuple[Battlecard, ...]], ...]
    stage_history: tuple[StageChange, ...]
    activities: tuple[Activity, ...]
    proposals: tuple[Proposal, ...]
    documents: tuple[Document, ...]
    user_logins: dict[int, str]

    @property
    def line_total_cents(self) -> int:
        return sum(item.total_cents for item in self.line_items)


@dataclass(frozen=True)
class AccountDetail:
    account: Account
    owner: User | None
    parent: Account | None
    subsidiaries: tuple[Account, ...]
    locations: tuple[AccountLocation, ...]
    contacts: tuple[Contact, ...]
    team: tuple[AccountTeamMember, ...]
    contracts: tuple[Contract, ...]
    opportunities: tuple[Opportunity, ...]
    recent_activities: tuple[Activity, ...]
    user_logins: dict[int, str]


def opportunity_detail(session: Session, opportunity_id: int, activity_limit: int = 50) -> OpportunityDetail:
    store = session.store
    opp = store.opportunities.require(opportunity_id)
    competitors = []
    for link in store.opportunity_competitors.find(opportunity=opp.id):
        competitor = store.competitors.require(link.competitor_id)
        competitors.append((competitor, tuple(store.battlecards.find(competitor=competitor.id))))
    history = tuple(store.stage_changes.find(opportunity=opp.id, order_by="changed_at"))
    activities = tuple(store.activities.find(opportunity=opp.id, order_by="created_at", descending=True, limit=activity_limit))
    ids = {opp.owner_id} | {h.changed_by_id for h in history if h.changed_by_id} | {
        a.created_by_id for a in activities if a.created_by_id
    }
    return OpportunityDetail(
        opportunity=opp,
        account=store.accounts.get(opp.account_id) if opp.account_id else None,
        contact=store.contacts.get(opp.contact_id) if opp.contact_id else None,
        owner=store.users.require(opp.owner_id),
        line_items=tuple(store.line_items.find(opportunity=opp.id)),
        competitors=tuple(competitors),
        stage_history=history,
        activities=activities,
        proposals=tuple(store.proposals.find(opportunity=opp.id, order_by="created_at")),
        documents=tuple(store.documents.find(opportunity=opp.id)),
        user_logins=store.user_logins(ids),
    )


def account_detail(session: Session, account_id: int, limit: int = 200) -> AccountDetail:
    store = session.store
    account = store.accounts.require(account_id)
    team = tuple(store.team_members.find(account=account.id))
    opportunities = tuple(store.opportunities.find(account=account.id, order_by="expected_close_date", descending=True, limit=limit))
    ids = {m.user_id for m in team} | {o.owner_id for o in opportunities}
    if account.owner_id:
        ids.add(account.owner_id)
    return AccountDetail(
        account=account,
        owner=store.users.get(account.owner_id) if account.owner_id else None,
        parent=store.accounts.get(account.parent_id) if account.parent_id else None,
        subsidiaries=tuple(store.accounts.find(parent=account.id, order_by="name")),
        locations=tuple(store.locations.find(account=account.id)),
        contacts=tuple(store.contacts.find(account=account.id, order_by="last_name")),
        team=team,
        contracts=tuple(store.contracts.find(account=account.id, order_by="start_date")),
        opportunities=opportunities,
        recent_activities=tuple(store.activities.find(account=account.id, order_by="created_at", descending=True, limit=20)),
        user_logins=store.user_logins(ids),
    )
