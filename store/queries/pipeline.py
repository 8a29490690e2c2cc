"""Queries of the pipeline engine: requirement facts, stage-duration and idle candidates, automation runs."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from peewee import JOIN, fn

from store.models import (
    AccountRow,
    ActivityRow,
    AutomationRunRow,
    LineItemRow,
    OpportunityRow,
    ProposalRow,
    UserRow,
)

Owner = UserRow.alias("alert_owner")


@dataclass(frozen=True)
class RequirementFacts:
    completed_activity_kinds: frozenset[str]
    line_item_count: int
    sent_proposal_count: int


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


@dataclass(frozen=True)
class AlertRow:
    id: int
    name: str
    account: str
    owner_login: str
    owner_id: int
    stage: str
    value_cents: int
    stage_entered_at: datetime
    last_touch_at: datetime


def alert_candidates(stalled_before: dict[str, datetime], idle_before: datetime,
                     owners: tuple[str, ...] = ()) -> list[AlertRow]:
    """Open opportunities that entered their stage before its cutoff, or were last touched before `idle_before`.

    `stalled_before` maps every open stage to its cutoff instant (the caller turns thresholds into instants).
    """
    last_touch = fn.COALESCE(OpportunityRow.last_activity_at, OpportunityRow.created_at)
    stalled = None
    for stage_id, cutoff in stalled_before.items():
        clause = (OpportunityRow.stage == stage_id) & (OpportunityRow.stage_entered_at < cutoff)
        stalled = clause if stalled is None else (stalled | clause)
    idle = OpportunityRow.stage.in_(list(stalled_before)) & (last_touch < idle_before)
    condition = idle if stalled is None else (stalled | idle)
    query = (
        OpportunityRow.select(
            OpportunityRow.id, OpportunityRow.name, fn.COALESCE(AccountRow.name, "").alias("account_name"),
            Owner.login.alias("owner_login"), OpportunityRow.owner, OpportunityRow.stage, OpportunityRow.value_cents,
            OpportunityRow.stage_entered_at, OpportunityRow.last_activity_at, OpportunityRow.created_at,
        )
        .join(Owner, on=(OpportunityRow.owner == Owner.id))
        .switch(OpportunityRow)
        .join(AccountRow, JOIN.LEFT_OUTER, on=(OpportunityRow.account == AccountRow.id))
        .where(condition)
    )
    if owners:
        query = query.where(Owner.login.in_(owners))
    return [
        AlertRow(
            id=r["id"], name=r["name"], account=r["account_name"], owner_login=r["owner_login"], owner_id=r["owner"],
            stage=r["stage"], value_cents=r["value_cents"], stage_entered_at=r["stage_entered_at"],
            last_touch_at=r["last_activity_at"] or r["created_at"],
        )
        for r in query.dicts()
    ]


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
