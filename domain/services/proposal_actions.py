"""A proposal's lifecycle: draft → sent → accepted / rejected / expired, or withdrawn; follow-ups."""

from __future__ import annotations

from datetime import timedelta

from domain.enums import Priority, ProposalStatus, TaskStatus
from domain.errors import Refused, require_actor
from domain.records import Proposal, Task
from domain.session import Session

NEXT: dict[ProposalStatus, tuple[ProposalStatus, ...]] = {
    ProposalStatus.DRAFT: (ProposalStatus.SENT, ProposalStatus.WITHDRAWN),
    ProposalStatus.SENT: (ProposalStatus.ACCEPTED, ProposalStatus.REJECTED, ProposalStatus.EXPIRED,
                          ProposalStatus.WITHDRAWN),
    ProposalStatus.EXPIRED: (ProposalStatus.SENT, ProposalStatus.WITHDRAWN),  # re-sent after a refresh
    ProposalStatus.ACCEPTED: (),
    ProposalStatus.REJECTED: (),
    ProposalStatus.WITHDRAWN: (),
}


def set_proposal_status(session: Session, proposal_id: int, status: ProposalStatus) -> Proposal:
    """Move a proposal along its lifecycle; anything else is refused with the allowed next steps."""
    require_actor(session)
    store, now = session.store, session.clock.now()
    with session.write({"proposal"}, ids={"proposal": {proposal_id}}, at=now) as change:
        proposal = store.proposals.require(proposal_id)
        allowed = NEXT[proposal.status]
        if status not in allowed:
            choices = ", ".join(s.value for s in allowed) or "none: the proposal is decided"
            raise Refused(f"status: proposal {proposal.number} is {proposal.status.value} and cannot become "
                          f"{status.value} (next: {choices})")
        changes: dict = {"status": status}
        if status is ProposalStatus.SENT:
            changes["sent_at"] = now
            changes["decided_at"] = None
        elif status in (ProposalStatus.ACCEPTED, ProposalStatus.REJECTED, ProposalStatus.WITHDRAWN):
            changes["decided_at"] = now
        saved = store.proposals.update(Proposal.model_validate({**proposal.model_dump(), **changes}),
                                       fields=set(changes) | {"version"}, changed_by=session.actor_login)
        change.audit_update("proposal", proposal_id, proposal, saved, ("status",))
        if status is ProposalStatus.SENT:
            # a sent proposal can satisfy negotiation's requirement: check the deal's automations
            from domain.services.automations import Fired
            from domain.services.stage_moves import RequirementsWatcher

            RequirementsWatcher(session).check(store.opportunities.require(proposal.opportunity_id), now=now,
                                               fired=Fired())
    return saved


def follow_up(session: Session, proposal_id: int, *, title: str, in_days: int) -> Task:
    """A follow-up task for the deal's owner, due in `in_days` days."""
    require_actor(session)
    if not title.strip():
        raise Refused("title: required")
    store, now, today = session.store, session.clock.now(), session.clock.today()
    with session.write({"task"}, at=now):
        proposal = store.proposals.require(proposal_id)
        deal = store.opportunities.require(proposal.opportunity_id)
        task = store.tasks.insert(Task(
            title=title.strip(), description=f"Proposal {proposal.number} ({proposal.status.value})",
            due_on=today + timedelta(days=in_days), priority=Priority.HIGH, status=TaskStatus.OPEN,
            assignee_id=deal.owner_id, opportunity_id=deal.id, account_id=deal.account_id,
            created_by_id=session.actor.id, created_at=now,
        ))
    return task
