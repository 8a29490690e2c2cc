"""Queries of the pipeline engine: requirement facts, stage-duration and idle candidates, automation runs."""

from __future__ import annotations

import operator
from datetime import datetime
from functools import reduce

from peewee import JOIN, Case, fn

from domain.facts import AlertKey, AlertLabel, RequirementFacts
from store.models import (
    AccountRow,
    ActivityRow,
    AutomationRunRow,
    LineItemRow,
    OpportunityRow,
    ProposalRow,
    UserRow,
)
from store.queries.common import restrict
from store.queries.sqltime import as_date

Owner = UserRow.alias("alert_owner")


def requirement_facts(opportunity_id: int) -> RequirementFacts:
    kinds = (
        ActivityRow.select(ActivityRow.kind)
        .where((ActivityRow.opportunity == opportunity_id) & ActivityRow.completed_at.is_null(False))
        .distinct()
    )
    items = LineItemRow.select().where(LineItemRow.opportunity == opportunity_id).count()
    sent = (
        ProposalRow.select()
        .where((ProposalRow.opportunity == opportunity_id) & ProposalRow.sent_at.is_null(False))
        .count()
    )
    return RequirementFacts(frozenset(k for (k,) in kinds.tuples()), items, sent)


def requirement_facts_many(ids: list[int]) -> dict[int, RequirementFacts]:
    """requirement_facts for many opportunities in three grouped queries (ids without any: empty facts)."""
    kinds: dict[int, set[str]] = {i: set() for i in ids}
    items: dict[int, int] = {}
    sent: dict[int, int] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        for opp, kind in (
            ActivityRow.select(ActivityRow.opportunity, ActivityRow.kind)
            .where(ActivityRow.opportunity.in_(chunk) & ActivityRow.completed_at.is_null(False))
            .distinct().tuples()
        ):
            kinds[opp].add(kind)
        items.update(LineItemRow.select(LineItemRow.opportunity, fn.COUNT(LineItemRow.id))
                     .where(LineItemRow.opportunity.in_(chunk)).group_by(LineItemRow.opportunity).tuples())
        sent.update(ProposalRow.select(ProposalRow.opportunity, fn.COUNT(ProposalRow.id))
                    .where(ProposalRow.opportunity.in_(chunk) & ProposalRow.sent_at.is_null(False))
                    .group_by(ProposalRow.opportunity).tuples())
    return {i: RequirementFacts(frozenset(kinds[i]), int(items.get(i, 0)), int(sent.get(i, 0))) for i in ids}


def _last_touch():
    return fn.COALESCE(OpportunityRow.last_activity_at, OpportunityRow.created_at)


def _stalled(stalled_before: dict[str, datetime]):
    clauses = [(OpportunityRow.stage == stage) & (OpportunityRow.stage_entered_at < cut)
               for stage, cut in stalled_before.items()]
    return reduce(operator.or_, clauses) if clauses else (OpportunityRow.id < 0)


def _idle(open_stages, idle_before: datetime):
    return OpportunityRow.stage.in_(list(open_stages)) & (_last_touch() < idle_before)


def alert_counts(stalled_before: dict[str, datetime], idle_before: datetime,
                 logins: tuple[str, ...] | None = None) -> tuple[int, int]:
    """(stalled, idle) counts in one pass over the open deals; `stalled_before` maps each open stage to its cutoff."""
    row = OpportunityRow
    query = row.select(
        fn.COALESCE(fn.SUM(Case(None, [(_stalled(stalled_before), 1)], 0)), 0),
        fn.COALESCE(fn.SUM(Case(None, [(_idle(stalled_before, idle_before), 1)], 0)), 0),
    ).where(row.stage.in_(list(stalled_before)) & row.archived_at.is_null())
    stalled, idle = restrict(query, row.owner, logins).tuples().get()
    return int(stalled), int(idle)


def _keys(condition, order_column, logins, limit: int | None) -> list[AlertKey]:
    """Alert keys matching `condition`, the oldest `order_column` days first (then larger deals, then id)."""
    row = OpportunityRow
    last_touch = _last_touch()
    query = restrict(
        row.select(row.id, row.stage, row.value_cents, row.stage_entered_at, row.last_activity_at, row.created_at,
                   row.probability)
        .where(condition & row.archived_at.is_null()), row.owner, logins)
    if limit is not None:
        # days = today - date(column): ordering by the date ascending is ordering by days descending, and the
        # severity's tiebreaks (value descending, id ascending) follow, so the first `limit` rows are exact
        query = query.order_by(as_date(order_column(row, last_touch)).asc(), row.value_cents.desc(), row.id.asc())
        query = query.limit(limit)
    return [AlertKey(i, stage, value, entered, touched or created, int(probability or 0))
            for i, stage, value, entered, touched, created, probability in query.tuples()]


def stalled_alert_keys(stage: str, cutoff: datetime, logins: tuple[str, ...] | None = None,
                       limit: int | None = None) -> list[AlertKey]:
    """Deals in `stage` since before `cutoff`, the longest there first (at most `limit`)."""
    condition = (OpportunityRow.stage == stage) & (OpportunityRow.stage_entered_at < cutoff)
    return _keys(condition, lambda row, _: row.stage_entered_at, logins, limit)


def idle_alert_keys(open_stages: tuple[str, ...], idle_before: datetime, logins: tuple[str, ...] | None = None,
                    limit: int | None = None) -> list[AlertKey]:
    """Open deals last touched before `idle_before`, the longest untouched first (at most `limit`)."""
    return _keys(_idle(open_stages, idle_before), lambda _, last_touch: last_touch, logins, limit)


def alert_labels(ids: list[int]) -> dict[int, AlertLabel]:
    """Name, account name and owner login of these opportunities, by id."""
    found: dict[int, AlertLabel] = {}
    for start in range(0, len(ids), 500):
        query = (
            OpportunityRow.select(OpportunityRow.id, OpportunityRow.name, fn.COALESCE(AccountRow.name, ""), Owner.login)
            .join(Owner, on=(OpportunityRow.owner == Owner.id))
            .switch(OpportunityRow)
            .join(AccountRow, JOIN.LEFT_OUTER, on=(OpportunityRow.account == AccountRow.id))
            .where(OpportunityRow.id.in_(ids[start : start + 500]))
        )
        found.update({i: AlertLabel(name, account, login) for i, name, account, login in query.tuples()})
    return found


def overdue_without_run(stage_id: str, automation: str, cutoff: datetime, limit: int = 500) -> list[int]:
    """Ids of opportunities in `stage_id` since before `cutoff` for which `automation` has not fired this stay."""
    fired = AutomationRunRow.select(AutomationRunRow.id).where(
        (AutomationRunRow.opportunity == OpportunityRow.id)
        & (AutomationRunRow.automation == automation)
        & (AutomationRunRow.stay_started_at == OpportunityRow.stage_entered_at)
    )
    query = (
        OpportunityRow.select(OpportunityRow.id)
        .where((OpportunityRow.stage == stage_id) & (OpportunityRow.stage_entered_at < cutoff) & ~fn.EXISTS(fired))
        .order_by(OpportunityRow.id)
        .limit(limit)
    )
    return [i for (i,) in query.tuples()]


def has_run(opportunity_id: int, automation: str, stay_started_at: datetime) -> bool:
    return (
        AutomationRunRow.select()
        .where(
            (AutomationRunRow.opportunity == opportunity_id)
            & (AutomationRunRow.automation == automation)
            & (AutomationRunRow.stay_started_at == stay_started_at)
        )
        .exists()
    )
