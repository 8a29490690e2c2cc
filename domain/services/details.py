"""Everything a detail screen shows about one opportunity or one account, gathered in one call."""

from __future__ import annotations

from dataclasses import dataclass

from domain.errors import Refused
from domain.records import (
    Account,
    AccountLocation,
    AccountTeamMember,
    Activity,
    AuditEntry,
    Battlecard,
    Competitor,
    Contact,
    Contract,
    Document,
    Lead,
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
    changes: tuple[AuditEntry, ...] = ()

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
    changes: tuple[AuditEntry, ...] = ()
    expansion_ids: frozenset[int] = frozenset()  # the opportunities that are expansion business

    def is_expansion(self, opportunity: Opportunity) -> bool:
        return opportunity.id in self.expansion_ids


@dataclass(frozen=True)
class ContactDetail:
    contact: Contact
    account: Account | None
    colleagues: tuple[Contact, ...]


@dataclass(frozen=True)
class LeadDetail:
    lead: Lead
    owner: User | None
    opportunity: Opportunity | None
    account: Account | None
    activities: tuple[Activity, ...]
    changes: tuple[AuditEntry, ...] = ()


def expansion_ids(opportunities, first_win) -> frozenset[int]:
    """Expansion business: deals started after the account first bought (`first_win`, the earliest
    close of a won deal). The rest — and every deal of an account that never bought — is new business."""
    if first_win is None:
        return frozenset()
    return frozenset(o.id for o in opportunities if o.started_on > first_win)


def first_win(session: Session, account_id: int):
    """The day the account first bought: the earliest close date of its won deals (None: never)."""
    won = session.store.opportunities.find(account=account_id, stage=session.pipeline.won.id,
                                           order_by="actual_close_date", limit=1)
    return won[0].actual_close_date if won else None


def changes_of(session: Session, table: str, record_id: int, limit: int = 30) -> tuple[AuditEntry, ...]:
    """The record's audit trail (who changed which field, from what to what), newest first."""
    return tuple(session.store.audit.find(table_name=table, record_id=record_id, order_by="at", descending=True,
                                          limit=limit))


def _who(session: Session) -> str:
    actor = session.actor
    return f"{actor.login} ({actor.role.value})" if actor else "this session"


def _logins(session: Session, *user_ids: int | None) -> set[str]:
    return set(session.store.user_logins({i for i in user_ids if i}).values())


def check_sees_owned(session: Session, owner_id: int | None, what: str) -> None:
    """Refuse unless the session sees records of the user `owner_id` (see domain/visibility.py)."""
    visible = session.visible_logins()
    if visible is None:
        return
    owner = _logins(session, owner_id)
    if not owner & set(visible):
        whose = f"it belongs to {next(iter(owner))}" if owner else "it has no owner"
        raise Refused(f"{_who(session)} cannot see {what}: {whose}")


def sees_account(session: Session, account: Account) -> bool:
    visible = session.visible_logins()
    if visible is None:
        return True
    team = [m.user_id for m in session.store.team_members.find(account=account.id)]
    return bool(_logins(session, account.owner_id, *team) & set(visible))


def check_sees_account(session: Session, account: Account) -> None:
    if not sees_account(session, account):
        raise Refused(f"{_who(session)} cannot see account {account.id}: neither its owner nor on its account team")


def opportunity_detail(session: Session, opportunity_id: int, activity_limit: int = 50) -> OpportunityDetail:
    store = session.store
    opp = store.opportunities.require(opportunity_id)
    check_sees_owned(session, opp.owner_id, f"opportunity {opp.id}")
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
        changes=changes_of(session, "opportunity", opp.id),
    )


def account_detail(session: Session, account_id: int, limit: int = 200) -> AccountDetail:
    store = session.store
    account = store.accounts.require(account_id)
    check_sees_account(session, account)
    team = tuple(store.team_members.find(account=account.id))
    opportunities = tuple(store.opportunities.find(account=account.id, order_by="expected_close_date", descending=True, limit=limit))
    activities = tuple(store.activities.find(account=account.id, order_by="created_at", descending=True, limit=20))
    expansion = expansion_ids(opportunities, first_win(session, account.id))
    if session.visible_logins() is not None:  # a rep sees the account, but only their own deals on it
        logins = store.user_logins({o.owner_id for o in opportunities} | {a.created_by_id for a in activities if a.created_by_id})
        opportunities = tuple(o for o in opportunities if session.can_see(logins.get(o.owner_id)))
        mine = {o.id for o in opportunities}
        activities = tuple(a for a in activities if a.opportunity_id in mine
                           or (a.opportunity_id is None and session.can_see(logins.get(a.created_by_id))))
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
        recent_activities=activities,
        user_logins=store.user_logins(ids),
        changes=changes_of(session, "account", account.id),
        expansion_ids=expansion,
    )


def contact_detail(session: Session, contact_id: int) -> ContactDetail:
    """A contact, their account and the account's other contacts (for the relationship tree)."""
    store = session.store
    contact = store.contacts.require(contact_id)
    account = store.accounts.get(contact.account_id) if contact.account_id else None
    if session.visible_logins() is not None and (account is None or not sees_account(session, account)):
        raise Refused(f"{_who(session)} cannot see contact {contact.id}: their account is not one of yours")
    colleagues = tuple(store.contacts.find(account=contact.account_id, order_by="last_name")) if account else ()
    return ContactDetail(contact, account, colleagues)


def lead_detail(session: Session, lead_id: int) -> LeadDetail:
    store = session.store
    lead = store.leads.require(lead_id)
    if not (lead.owner_id is None and session.sees_unassigned_leads()):
        check_sees_owned(session, lead.owner_id, f"lead {lead.id}")
    return LeadDetail(
        lead=lead,
        owner=store.users.get(lead.owner_id) if lead.owner_id else None,
        opportunity=store.opportunities.get(lead.converted_opportunity_id) if lead.converted_opportunity_id else None,
        account=store.accounts.get(lead.converted_account_id) if lead.converted_account_id else None,
        activities=tuple(store.activities.find(lead=lead.id, order_by="created_at", descending=True, limit=20)),
        changes=changes_of(session, "lead", lead.id),
    )
