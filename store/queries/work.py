"""Proposal and task lists."""

from __future__ import annotations

from peewee import JOIN, Case, fn

from domain.filters import ProposalFilter, TaskFilter
from domain.views import ProposalItem, TaskItem
from store.models import (
    AccountRow,
    LeadRow,
    OpportunityRow,
    ProposalRow,
    TaskRow,
    UserRow,
)
from store.queries.common import Page, any_contains, page_of, restrict

Owner = UserRow.alias("proposal_owner")
Assignee = UserRow.alias("assignee")
TaskOpp = OpportunityRow.alias("task_opp")
TaskAccount = AccountRow.alias("task_account")

# Pending first: drafts and sent proposals await a decision.
PROPOSAL_RANK = Case(ProposalRow.status, (("sent", 0), ("draft", 1)), 2)


def _proposals(columns):
    return (
        ProposalRow.select(*columns)
        .join(OpportunityRow, on=(ProposalRow.opportunity == OpportunityRow.id))
        .join(Owner, on=(OpportunityRow.owner == Owner.id))
        .switch(OpportunityRow)
        .join(AccountRow, JOIN.LEFT_OUTER, on=(OpportunityRow.account == AccountRow.id))
    )


def _proposal_where(query, flt: ProposalFilter):
    query = restrict(query, OpportunityRow.owner, flt.visible_owners)
    if not flt.archived:
        query = query.where(ProposalRow.archived_at.is_null() & OpportunityRow.archived_at.is_null())
    if flt.statuses:
        query = query.where(ProposalRow.status.in_([s.value for s in flt.statuses]))
    if flt.owners:
        query = query.where(Owner.login.in_(flt.owners))
    if flt.text:
        query = query.where(any_contains(flt.text, ProposalRow.number, ProposalRow.title, AccountRow.name))
    return query


def proposal_count(flt: ProposalFilter) -> int:
    return _proposal_where(_proposals([fn.COUNT(ProposalRow.id)]), flt).scalar() or 0


def proposal_page(flt: ProposalFilter, offset: int, limit: int) -> Page[ProposalItem]:
    columns = {
        "id": ProposalRow.id, "number": ProposalRow.number, "amount": ProposalRow.amount_cents,
        "status": PROPOSAL_RANK, "sent": ProposalRow.sent_at, "valid_until": ProposalRow.valid_until,
        "account": AccountRow.name, "owner": Owner.login,
    }
    query = _proposal_where(
        _proposals([
            ProposalRow,
            OpportunityRow.name.alias("opp_name"),
            fn.COALESCE(AccountRow.name, "").alias("account_name"),
            Owner.login.alias("owner_login"),
        ]),
        flt,
    )
    return page_of(query, flt, offset, limit, columns=columns, default="id", tiebreak=ProposalRow.id,
                   item=_proposal_item, total=lambda: proposal_count(flt),
                   unsorted=(PROPOSAL_RANK, ProposalRow.valid_until.asc(nulls="LAST"), ProposalRow.id))


def _proposal_item(r: dict) -> ProposalItem:
    return ProposalItem(
        id=r["id"], number=r["number"], title=r["title"], opportunity_id=r["opportunity"],
        opportunity=r["opp_name"], account=r["account_name"], owner_login=r["owner_login"],
        amount_cents=r["amount_cents"], status=r["status"], sent_at=r["sent_at"],
        decided_at=r["decided_at"], valid_until=r["valid_until"],
    )


def _tasks(columns):
    return (
        TaskRow.select(*columns)
        .join(Assignee, on=(TaskRow.assignee == Assignee.id))
        .switch(TaskRow)
        .join(TaskOpp, JOIN.LEFT_OUTER, on=(TaskRow.opportunity == TaskOpp.id))
        .switch(TaskRow)
        .join(TaskAccount, JOIN.LEFT_OUTER, on=(TaskRow.account == TaskAccount.id))
        .switch(TaskRow)
        .join(LeadRow, JOIN.LEFT_OUTER, on=(TaskRow.lead == LeadRow.id))
    )


def _task_where(query, flt: TaskFilter):
    query = restrict(query, TaskRow.assignee, flt.visible_owners)
    if not flt.archived:
        query = query.where(TaskRow.archived_at.is_null())
    if flt.assignees:
        query = query.where(Assignee.login.in_(flt.assignees))
    if flt.statuses:
        query = query.where(TaskRow.status.in_([s.value for s in flt.statuses]))
    if flt.due_before is not None:
        query = query.where(TaskRow.due_on <= flt.due_before)
    if flt.text:
        query = query.where(any_contains(flt.text, TaskRow.title, TaskOpp.name, TaskAccount.name))
    return query


def task_count(flt: TaskFilter) -> int:
    return _task_where(_tasks([fn.COUNT(TaskRow.id)]), flt).scalar() or 0


def task_page(flt: TaskFilter, offset: int, limit: int) -> Page[TaskItem]:
    columns = {
        "id": TaskRow.id, "title": TaskRow.title, "due": TaskRow.due_on, "priority": TaskRow.priority,
        "status": TaskRow.status, "assignee": Assignee.login,
    }
    related = fn.COALESCE(TaskOpp.name, TaskAccount.name, LeadRow.name, "")
    query = _task_where(
        _tasks([TaskRow, Assignee.login.alias("assignee_login"), related.alias("related")]), flt
    )
    return page_of(query, flt, offset, limit, columns=columns, default="due", tiebreak=TaskRow.id,
                   item=_task_item, total=lambda: task_count(flt), unsorted=(TaskRow.due_on.asc(nulls="LAST"), TaskRow.id))


def _task_item(r: dict) -> TaskItem:
    return TaskItem(
        id=r["id"], title=r["title"], due_on=r["due_on"], priority=r["priority"], status=r["status"],
        assignee_login=r["assignee_login"], related=r["related"], opportunity_id=r["opportunity"],
        account_id=r["account"], lead_id=r["lead"], created_by_automation=r["created_by_automation"],
    )


def proposal_status_counts(logins: tuple[str, ...] | None = None) -> dict[str, int]:
    query = ProposalRow.select(ProposalRow.status, fn.COUNT(ProposalRow.id)).where(ProposalRow.archived_at.is_null())
    if logins is not None:
        query = query.join(OpportunityRow, on=(ProposalRow.opportunity == OpportunityRow.id))
        query = restrict(query, OpportunityRow.owner, logins)
    return {status: int(n) for status, n in query.group_by(ProposalRow.status).tuples()}
