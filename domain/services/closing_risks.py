"""Deals expected to close in a window that cannot close yet: requirements still open on the way to won.

A deal in Qualification due to close this week must still meet the requirements of Proposal,
Negotiation and Closed won (a move skipping stages is checked against each skipped stage, see
`stage_moves.stages_entered`). Every blocking requirement still unmet on that path is listed, so a
manager sees on Monday which of this week's deals need a proposal sent or a budget confirmed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.filters import OpportunityFilter
from domain.pipeline.requirements import Facts, evaluate
from domain.services.stage_moves import stages_entered
from domain.session import Session

# A week's closing deals for one team are tens; for a whole 100,000-deal company a few hundred.
# The largest `LIMIT` by value are checked (4 queries in all); the result says when there were more.
LIMIT = 500


@dataclass(frozen=True)
class ClosingRisk:
    opportunity_id: int
    name: str
    owner: str
    stage: str
    expected_close_date: date
    value_cents: int
    unmet: tuple[str, ...]


@dataclass(frozen=True)
class ClosingRisks:
    risks: tuple[ClosingRisk, ...]  # largest first
    closing: int  # open deals expected to close in the window
    checked: int  # how many of them were checked (the largest, up to LIMIT)


def closing_risks(session: Session, start: date, end: date, limit: int = LIMIT) -> ClosingRisks:
    """Open deals expected to close in [start, end] with blocking requirements unmet on the way to won."""
    page = session.opportunities(
        OpportunityFilter(status="open", close_from=start, close_to=end, sort="value", descending=True), 0, limit
    )
    ids = [item.id for item in page.items]
    records = session.store.opportunity_records(ids)
    facts = session.store.requirement_facts_many(ids)
    won = session.pipeline.won
    risks = []
    for item in page.items:
        opportunity = records.get(item.id)
        if opportunity is None:  # deleted between the two reads
            continue
        raw = facts[item.id]
        known = Facts(raw.completed_activity_kinds, raw.line_item_count, raw.sent_proposal_count)
        unmet: list[str] = []
        for stage in stages_entered(session, opportunity.stage, won):
            unmet += [r for r in evaluate(stage.requirements, opportunity, known).blocking if r not in unmet]
        if unmet:
            risks.append(ClosingRisk(item.id, item.name, item.owner_login, item.stage, item.expected_close_date,
                                     item.value_cents, tuple(unmet)))
    return ClosingRisks(tuple(risks), page.total, len(ids))
