"""Running stage automations: create_task, send_email, schedule_meeting, update_field, notify_manager.

Actions write inside the caller's unit of work (`session.write` joins it), so a move and everything
it triggers commit together or not at all, and are announced once. E-mail is written to the outbox;
delivery happens after commit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.enums import ActivityKind, TaskStatus
from domain.money import format_money
from domain.pipeline import StageDef
from domain.pipeline.rules import (
    CreateTask,
    NotifyManager,
    ScheduleMeeting,
    SendEmail,
    Trigger,
    UpdateField,
    parse_offset_days,
)
from domain.records import Activity, Notification, Opportunity, OutboxMessage, Task
from domain.session import Session
from domain.unit_of_work import Change

PLACEHOLDER = re.compile(r"\{(opportunity|account|value|owner|stage|days|threshold)\}")


def automation_key(stage: StageDef, automation, index: int) -> str:
    return automation.name or f"{stage.id}:{automation.trigger.value}:{automation.action}:{index}"


def render(template: str, values: dict[str, str]) -> str:
    """Fill the known {placeholders}; anything else in the text stays as written."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


@dataclass
class Fired:
    """What automations did in one unit of work: the labels of those that fired, the deal as they left it."""

    labels: list[str] = field(default_factory=list)
    opportunity: Opportunity | None = None


class AutomationRunner:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.store = session.store

    def run(self, stage: StageDef, trigger: Trigger, opportunity: Opportunity, *, now: datetime, days: int | None = None,
            only: set[str] | None = None, fired: Fired | None = None) -> Fired:
        """Run the stage's automations for `trigger` (all, or those whose keys are in `only`)."""
        fired = fired or Fired()
        fired.opportunity = opportunity
        with self.session.write(at=now) as change:  # joins the caller's unit of work
            for index, automation in enumerate(stage.automations):
                if automation.trigger is not trigger:
                    continue
                key = automation_key(stage, automation, index)
                if only is not None and key not in only:
                    continue
                threshold = automation.parameters.threshold or stage.stall_days
                values = self._values(fired.opportunity, stage, days, threshold)
                fired.opportunity = self._apply(automation, key, fired.opportunity, values, now, change)
                fired.labels.append(key)
        return fired

    # -- placeholders --------------------------------------------------------------------

    def _values(self, opp: Opportunity, stage: StageDef, days: int | None, threshold: int) -> dict[str, str]:
        account = self.store.accounts.get(opp.account_id) if opp.account_id else None
        owner = self.store.users.get(opp.owner_id)
        return {
            "opportunity": opp.name,
            "account": account.name if account else "no account",
            "value": format_money(opp.value_cents),
            "owner": owner.display_name if owner else "the owner",
            "stage": stage.name,
            "days": str(days if days is not None else 0),
            "threshold": str(threshold),
        }

    # -- actions -------------------------------------------------------------------------

    def _apply(self, automation, key: str, opp: Opportunity, values: dict[str, str], now: datetime,
               change: Change) -> Opportunity:
        today = self.session.clock.today()
        p = automation.parameters
        if isinstance(automation, CreateTask):
            # a deal moved back and forth re-enters the stage: while the task this automation made for it is
            # still open, it is not made again (done or cancelled, the next entry makes a new one)
            if self.store.tasks.count_where(opportunity=opp.id, created_by_automation=key, status=TaskStatus.OPEN.value):
                return opp
            self.store.tasks.insert(Task(
                title=render(p.title, values), description=render(p.description, values),
                due_on=today + timedelta(days=parse_offset_days(p.due)), priority=p.priority, status=TaskStatus.OPEN,
                assignee_id=opp.owner_id, opportunity_id=opp.id, account_id=opp.account_id,
                created_by_automation=key, created_at=now,
            ))
            change.touch("task")
        elif isinstance(automation, NotifyManager):
            self._notify_manager(opp, render(p.message, values), key, now)
            change.touch("notification")
        elif isinstance(automation, ScheduleMeeting):
            self.store.activities.insert(Activity(
                kind=ActivityKind.MEETING, subject=render(p.subject, values), description=render(p.description, values),
                scheduled_at=now + timedelta(days=parse_offset_days(p.when)), duration_minutes=p.duration_minutes,
                location=render(p.location, values), opportunity_id=opp.id, account_id=opp.account_id,
                contact_id=opp.contact_id, created_at=now,
            ))
            change.touch("activity")
        elif isinstance(automation, SendEmail):
            self._send_email(opp, p.to, render(p.subject, values), render(p.body, values), key, now)
            change.touch("outbox", "notification")
        elif isinstance(automation, UpdateField):
            opp = self._update_field(opp, p.field, p.value, key, now, change)
            change.touch("opportunity")
        return opp

    def _notify_manager(self, opp: Opportunity, message: str, key: str, now: datetime) -> None:
        owner = self.store.users.require(opp.owner_id)
        recipient = owner.manager_id
        text = message if recipient else f"{message} (you have no manager on record)"
        self.store.notifications.insert(Notification(
            recipient_id=recipient or owner.id, kind="automation", message=f"{opp.name}: {text}"[:200],
            opportunity_id=opp.id, account_id=opp.account_id, created_at=now,
        ))

    def _send_email(self, opp: Opportunity, to: str, subject: str, body: str, key: str, now: datetime) -> None:
        address, user_id, who = None, None, to
        if to in ("owner", "manager"):
            owner = self.store.users.require(opp.owner_id)
            user = owner if to == "owner" else (self.store.users.get(owner.manager_id) if owner.manager_id else None)
            if user is not None:
                address, user_id, who = user.email, user.id, user.login
        elif to == "contact":
            contact = self.store.contacts.get(opp.contact_id) if opp.contact_id else None
            address = contact.email if contact else None
        else:
            address = to
        if not address:
            self.store.notifications.insert(Notification(
                recipient_id=opp.owner_id, kind="automation",
                message=f"Could not e-mail {who} about {opp.name}: no e-mail address on record"[:200],
                opportunity_id=opp.id, created_at=now,
            ))
            return
        self.store.outbox.insert(OutboxMessage(
            created_at=now, to_address=address, to_user_id=user_id, subject=subject[:200], body=body,
            opportunity_id=opp.id, automation=key,
        ))

    def _update_field(self, opp: Opportunity, name: str, value, key: str, now: datetime, change: Change) -> Opportunity:
        if name not in self.session.pipeline.update_field_allowed:
            raise ValueError(f"automation {key}: field {name!r} is not allowed")
        changes = {name: value, "updated_at": now}
        if name == "probability":
            changes["probability_overridden"] = True
        if name == "forecast_category":
            changes["forecast_category_overridden"] = True
        updated = opp.model_copy(update=changes)
        updated = Opportunity.model_validate(updated.model_dump())  # validate the new value
        saved = self.store.opportunities.update(updated, fields=set(changes) | {"version"})
        change.audit_update("opportunity", opp.id, opp, saved, (name,), actor=f"automation:{key}")
        return saved
