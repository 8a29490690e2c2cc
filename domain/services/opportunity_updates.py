"""Changes to an opportunity other than its stage: activities, products, fields, proposals.

Each one is a unit of work (`session.write`). Each can make the next stage's requirements true, so
each ends by checking the stage_requirements_met automations, in the same unit of work.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from domain.enums import ActivityKind, Outcome, ProposalStatus
from domain.errors import Refused, require_actor
from domain.money import MAX_AMOUNT, MAX_CENTS
from domain.permissions import check_assign, check_edit_opportunity
from domain.records import Activity, LineItem, Opportunity, Proposal, Task
from domain.services.automations import Fired
from domain.services.stage_moves import RequirementsWatcher
from domain.session import Session

EDITABLE_FIELDS = (
    "name", "account_id", "contact_id", "value_cents", "budget_cents", "expected_close_date", "source",
    "next_step", "description", "probability", "forecast_category",
)


class OpportunityUpdates:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.store = session.store

    def _check(self) -> None:
        require_actor(self.session)

    def _finish(self, opp: Opportunity, now: datetime) -> Opportunity:
        """Run the automations the change may have enabled (in the caller's unit of work)."""
        fired = Fired()
        RequirementsWatcher(self.session).check(opp, now=now, fired=fired)
        return fired.opportunity or opp

    def _allowed(self, opp: Opportunity) -> None:
        check_edit_opportunity(self.session.actor, opp, self.store)

    def _write(self, opportunity_id: int, kinds: set[str], now: datetime):
        """The unit of work of a change to this deal."""
        return self.session.write(kinds, ids={"opportunity": {opportunity_id}}, at=now)

    def log_activity(self, opportunity_id: int, kind: ActivityKind, subject: str, *, description: str = "",
                     outcome: Outcome | None = None, completed: bool = True, sentiment: float | None = None,
                     next_steps: str = "") -> Activity:
        self._check()
        now = self.session.clock.now()
        actor = self.session.actor
        with self._write(opportunity_id, {"activity", "opportunity"}, now):
            opp = self.store.opportunities.require_for_update(opportunity_id)  # automations may update it
            self._allowed(opp)
            if sentiment is None and description.strip():
                from domain.services.sentiment import sentiment_score

                sentiment = sentiment_score(description)
            activity = self.store.activities.insert(Activity(
                kind=kind, subject=subject, description=description, outcome=outcome, sentiment=sentiment,
                next_steps=next_steps, completed_at=now if completed else None,
                scheduled_at=None if completed else now, opportunity_id=opp.id, account_id=opp.account_id,
                contact_id=opp.contact_id, created_by_id=actor.id if actor else None, created_at=now,
            ))
            if completed:
                self.store.set_last_activity(opp.id, opp.account_id, now)
            self._finish(self.store.opportunities.require(opportunity_id), now)
        return activity

    def add_line_item(self, opportunity_id: int, product_id: int, quantity: Decimal, *,
                      unit_price_cents: int | None = None, discount_pct: Decimal = Decimal(0),
                      update_value: bool = True) -> LineItem:
        self._check()
        now = self.session.clock.now()
        with self.session.write({"line_item"}, at=now) as change:
            opp = self.store.opportunities.require_for_update(opportunity_id)
            self._allowed(opp)
            product = self.store.products.require(product_id)
            item = self.store.line_items.insert(LineItem(
                opportunity_id=opp.id, product_id=product.id, name=product.name, quantity=quantity,
                unit_price_cents=product.list_price_cents if unit_price_cents is None else unit_price_cents,
                discount_pct=discount_pct,
            ))
            if update_value:
                total = sum(i.total_cents for i in self.store.line_items.find(opportunity=opp.id))
                if total > MAX_CENTS:
                    raise Refused(f"value: the products of opportunity {opp.id} would come to more than {MAX_AMOUNT}")
                updated = opp.model_copy(update={"value_cents": total, "updated_at": now,
                                                 "updated_by_id": self.session.actor.id if self.session.actor else None})
                saved = self.store.opportunities.update(updated, fields={"value_cents", "updated_at", "updated_by_id"},
                                                        changed_by=self.session.actor_login)
                change.audit_update("opportunity", opp.id, opp, saved, ("value_cents",))
                change.touch(opportunity={opp.id})
                opp = saved
            self._finish(opp, now)
        return item

    def update_fields(self, opportunity_id: int, changes: dict, *, expected_version: int | None = None,
                      seen: Opportunity | None = None) -> Opportunity:
        """Change some fields. `expected_version` (`--expect-version`): refused if the row has changed at all
        since. `seen` (a form's record as it was opened): refused only if a field being changed no longer
        holds the value the user saw; another session's change of other fields is kept, not a conflict."""
        unknown = set(changes) - set(EDITABLE_FIELDS)
        if unknown:
            raise ValueError(f"{', '.join(sorted(unknown))}: not editable here (stage changes go through a move)")
        self._check()
        now = self.session.clock.now()
        with self._write(opportunity_id, {"opportunity"}, now) as change:
            # locked: without --expect-version the change applies to the row as committed now (another
            # session's edit of other fields is kept, never reported as a conflict); with one, the row
            # must still stand at that version (the user saw its values)
            opp = self.store.opportunities.require_for_update(opportunity_id)
            self._allowed(opp)
            if seen is not None:
                stale = [name for name in changes if getattr(opp, name) != getattr(seen, name)]
                if stale:  # the user saw an older value of a field they change
                    self.store.opportunities.check_version(opp, seen.version)
            if expected_version is not None:
                opp = opp.model_copy(update={"version": expected_version})
            values = dict(changes)
            if "probability" in values:
                values["probability_overridden"] = True
            if "forecast_category" in values:
                values["forecast_category_overridden"] = True
            values.update(updated_at=now, updated_by_id=self.session.actor.id if self.session.actor else None)
            updated = Opportunity.model_validate({**opp.model_dump(), **values})
            saved = self.store.opportunities.update(updated, fields=set(values) | {"version"},
                                                    changed_by=self.session.actor_login)
            change.audit_update("opportunity", opp.id, opp, saved, changes)
            saved = self._finish(saved, now)
        return saved

    def schedule(self, opportunity_id: int, kind: ActivityKind, subject: str, when: datetime) -> tuple[Activity, Task]:
        """Plan a call, meeting or demo: a planned activity at `when` and a task due that day for the
        acting user, so it shows under Tasks (today / upcoming) until it is done."""
        self._check()
        now = self.session.clock.now()
        actor = self.session.actor
        with self.session.write({"activity", "task"}, at=now) as change:
            opp = self.store.opportunities.require(opportunity_id)
            self._allowed(opp)
            activity = self.store.activities.insert(Activity(
                kind=kind, subject=subject, scheduled_at=when, completed_at=None, opportunity_id=opp.id,
                account_id=opp.account_id, contact_id=opp.contact_id, created_by_id=actor.id, created_at=now,
            ))
            task = self.store.tasks.insert(Task(
                title=f"{kind.value.replace('_', ' ').capitalize()}: {subject}"[:200], due_on=when.date(),
                assignee_id=actor.id, opportunity_id=opp.id, account_id=opp.account_id, contact_id=opp.contact_id,
                description=f"Scheduled for {when:%Y-%m-%d %H:%M} UTC", created_by_id=actor.id, created_at=now,
            ))
            change.audit_create("task", task.id,
                                f"{kind.value} scheduled on opportunity {opp.id} for {when:%Y-%m-%d %H:%M} UTC")
        return activity, task

    def reassign(self, opportunity_id: int, login: str, *, expected_version: int | None = None) -> Opportunity:
        """Give the deal to another user: a manager within their team, an admin to anyone; never a rep."""
        self._check()
        now = self.session.clock.now()
        owner = self.store.user_by_login(login)
        if owner is None or not owner.active:
            raise Refused(f"owner: no active user with login {login!r}")
        with self.session.write(at=now) as change:  # announced only when the owner changes
            opp = self.store.opportunities.require_for_update(opportunity_id)
            check_assign(self.session.actor, opp.owner_id, owner, self.store, what=f"opportunity {opp.id}")
            if opp.owner_id == owner.id:
                return opp
            if expected_version is not None:
                opp = opp.model_copy(update={"version": expected_version})
            values = {"owner_id": owner.id, "updated_at": now, "updated_by_id": self.session.actor.id}
            saved = self.store.opportunities.update(opp.model_copy(update=values), fields=set(values) | {"version"},
                                                    changed_by=self.session.actor_login)
            change.touch(opportunity={opp.id})
            change.audit_owner("opportunity", opp.id, opp.owner_id, owner.id)
        return saved

    def reassign_all(self, opportunity_ids: list[int], login: str) -> list[Opportunity]:
        """Give every one of these deals to `login`, all or nothing: every id is looked up and every
        permission checked before the first change, and the changes are one unit of work."""
        self._check()
        ids = list(dict.fromkeys(opportunity_ids))
        with self.session.write(at=self.session.clock.now()):  # the reassignments join it: one transaction
            for opportunity_id in ids:
                self.store.opportunities.require(opportunity_id)
            return [self.reassign(opportunity_id, login) for opportunity_id in ids]

    def send_proposal(self, proposal_id: int) -> Proposal:
        self._check()
        now = self.session.clock.now()
        with self.session.write({"proposal"}, at=now) as change:
            proposal = self.store.proposals.require(proposal_id)
            change.touch(proposal={proposal_id})
            self._allowed(self.store.opportunities.require(proposal.opportunity_id))
            if proposal.status is not ProposalStatus.DRAFT:
                raise ValueError(f"status: only a draft can be sent (this one is {proposal.status.value})")
            sent = self.store.proposals.update(
                proposal.model_copy(update={"status": ProposalStatus.SENT, "sent_at": now}), fields={"status", "sent_at"}
            )
            self._finish(self.store.opportunities.require(proposal.opportunity_id), now)
        return sent
