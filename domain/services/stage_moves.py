"""Moving an opportunity between stages: the one service every stage change goes through.

From the TUI, the CLI or an import alike: every unmet requirement is reported together; the
probability, forecast category and close date follow the stage; the stage history, an activity,
the audit log and the stage_entered automations are written in the same unit of work as the
move (`session.write`), so a failure leaves nothing half done; it announces the change once, after commit.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.enums import ActivityKind, Outcome
from domain.errors import Refused, require_actor
from domain.inputs import SHORT_TEXT, InputError, check_text
from domain.permissions import check_edit_opportunity
from domain.pipeline import StageDef, StageKind
from domain.pipeline.requirements import Facts, evaluate
from domain.pipeline.rules import Trigger
from domain.records import Activity, AutomationRun, Opportunity, StageChange
from domain.services.automations import AutomationRunner, Fired, automation_key
from domain.session import Session

MOVE_FIELDS = (
    "stage", "probability", "probability_overridden", "forecast_category", "forecast_category_overridden",
    "actual_close_date", "lost_reason", "stage_entered_at", "updated_at", "updated_by_id",
)


class MoveRefused(Refused):
    """The move breaks a rule; `reasons` lists every one. Nothing was written."""

    def __init__(self, opportunity_id: int, target: str, reasons: list[str]) -> None:
        self.opportunity_id = opportunity_id
        self.target = target
        self.reasons = reasons
        super().__init__(f"Cannot move to {target}: " + "; ".join(reasons))


@dataclass(frozen=True)
class MoveResult:
    opportunity: Opportunity
    from_stage: str
    to_stage: str
    automations: tuple[str, ...]
    advisories: tuple[str, ...]


def facts_for(session: Session, opportunity_id: int) -> Facts:
    raw = session.store.requirement_facts(opportunity_id)
    return Facts(raw.completed_activity_kinds, raw.line_item_count, raw.sent_proposal_count)


def stages_entered(session: Session, current: str, target: StageDef) -> list[StageDef]:
    """The stages whose requirements a move must meet: on a forward move every open stage it
    skips and the target; backwards, or to the lost stage, only the target."""
    pipeline = session.pipeline
    if target.kind is StageKind.LOST or not pipeline.has(current):
        return [target]
    path = [*pipeline.open_stages, pipeline.won]
    ids = [s.id for s in path]
    if current not in ids or target.id not in ids or ids.index(target.id) <= ids.index(current):
        return [target]
    return path[ids.index(current) + 1 : ids.index(target.id) + 1]


def unmet_requirements(session: Session, opportunity: Opportunity, target: StageDef, *,
                       from_stage: str | None = None) -> tuple[list[str], list[str]]:
    facts = facts_for(session, opportunity.id)
    blocking: list[str] = []
    advisory: list[str] = []
    stages = stages_entered(session, from_stage, target) if from_stage else [target]
    for stage in stages:
        evaluation = evaluate(stage.requirements, opportunity, facts)
        blocking += [r for r in evaluation.blocking if r not in blocking]
        advisory += [r for r in evaluation.advisory if r not in advisory]
    return blocking, advisory


def moved(opportunity: Opportunity, target: StageDef, *, now: datetime, today, actor_id: int | None,
          lost_reason: str | None) -> Opportunity:
    """The opportunity as it stands in `target` (pure: the rules of probability, category and close date)."""
    changes: dict = {
        "stage": target.id, "stage_entered_at": now, "updated_at": now, "updated_by_id": actor_id,
    }
    if target.kind is StageKind.OPEN:
        if not opportunity.probability_overridden:
            changes["probability"] = target.probability
        if not opportunity.forecast_category_overridden:
            changes["forecast_category"] = target.forecast_category
        changes["actual_close_date"] = None
        changes["lost_reason"] = ""
    else:
        # A closed deal is certain either way: overrides end with the deal.
        changes.update(probability=target.probability, probability_overridden=False,
                       forecast_category=target.forecast_category, forecast_category_overridden=False,
                       actual_close_date=today)
        changes["lost_reason"] = (lost_reason or "").strip() if target.kind is StageKind.LOST else ""
    return opportunity.model_copy(update=changes)


class StageMover:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.store = session.store
        self.pipeline = session.pipeline

    def move(self, opportunity_id: int, target_id: str, *, expected_version: int | None = None,
             lost_reason: str | None = None) -> MoveResult:
        if not self.pipeline.has(target_id):
            known = ", ".join(s.id for s in self.pipeline.stages)
            raise MoveRefused(opportunity_id, target_id, [f"unknown stage {target_id!r} (stages: {known})"])
        require_actor(self.session)
        target = self.pipeline.stage(target_id)
        now, today = self.session.clock.now(), self.session.clock.today()
        actor = self.session.actor
        fired = Fired()
        with self.session.write(("opportunity", "stage_change", "activity"), ids={"opportunity": {opportunity_id}},
                                at=now) as change:
            current = self.store.opportunities.require_for_update(opportunity_id)  # see update_fields
            check_edit_opportunity(actor, current, self.store)
            self.store.opportunities.check_version(current, expected_version)
            if current.stage == target.id:
                raise MoveRefused(opportunity_id, target.id, [f"it is already in {target.id}"])
            reasons, advisories = unmet_requirements(self.session, current, target, from_stage=current.stage)
            if target.kind is StageKind.LOST and not (lost_reason or "").strip():
                reasons.append("a lost reason is required to close as lost")
            elif target.kind is StageKind.LOST:
                try:
                    check_text(lost_reason or "", limit=SHORT_TEXT)
                except InputError as error:
                    reasons.append(f"lost reason: {error}")
            if reasons:
                raise MoveRefused(opportunity_id, target.id, reasons)

            updated = moved(current, target, now=now, today=today, actor_id=actor.id if actor else None,
                            lost_reason=lost_reason)
            saved = self.store.opportunities.update(updated, fields=set(MOVE_FIELDS) | {"version"},
                                                    changed_by=self.session.actor_login)
            self.store.stage_changes.insert(StageChange(
                opportunity_id=saved.id, from_stage=current.stage, to_stage=target.id, changed_at=now,
                changed_by_id=actor.id if actor else None, value_cents=saved.value_cents,
                probability=saved.probability,
            ))
            self.store.activities.insert(Activity(
                kind=ActivityKind.STAGE_CHANGE, subject=f"Stage changed from {current.stage} to {target.id}",
                description=f"Moved by {self.session.actor_login}" + (f": {saved.lost_reason}" if saved.lost_reason else ""),
                outcome=Outcome.NEGATIVE if target.kind is StageKind.LOST else Outcome.POSITIVE,
                completed_at=now, opportunity_id=saved.id, account_id=saved.account_id,
                created_by_id=actor.id if actor else None, created_at=now,
            ))
            change.audit_update("opportunity", saved.id, current, saved,
                                ("stage", "probability", "forecast_category", "actual_close_date", "lost_reason"))
            runner = AutomationRunner(self.session)
            runner.run(target, Trigger.STAGE_ENTERED, saved, now=now, days=0, fired=fired)
            saved = fired.opportunity or saved
            RequirementsWatcher(self.session).check(saved, now=now, fired=fired)
            saved = fired.opportunity or saved
        return MoveResult(saved, current.stage, target.id, tuple(fired.labels), tuple(advisories))


class RequirementsWatcher:
    """stage_requirements_met: fires once per stay, when everything the next stage requires holds."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.store = session.store
        self.pipeline = session.pipeline

    def check(self, opportunity: Opportunity, *, now: datetime, fired: Fired) -> None:
        if not self.pipeline.has(opportunity.stage):
            return
        stage = self.pipeline.stage(opportunity.stage)
        if not stage.is_open:
            return
        pending = [
            (index, a) for index, a in enumerate(stage.automations) if a.trigger is Trigger.STAGE_REQUIREMENTS_MET
        ]
        if not pending:
            return
        following = self.pipeline.next_stage(stage.id)
        if following is None:
            return
        blocking, _ = unmet_requirements(self.session, opportunity, following)
        if blocking:
            return
        keys = set()
        for index, automation in pending:
            key = automation_key(stage, automation, index)
            if not self.store.automation_has_run(opportunity.id, key, opportunity.stage_entered_at):
                keys.add(key)
        if not keys:
            return
        with self.session.write(at=now):  # joins the caller's unit of work (the automations add their kinds)
            # claimed before they run: an automation whose effect checks the requirements again (in this unit)
            # finds them taken instead of firing them a second time (a duplicate key, the unit lost)
            for key in keys:
                self.store.automation_runs.insert(AutomationRun(
                    opportunity_id=opportunity.id, automation=key, stay_started_at=opportunity.stage_entered_at,
                    fired_at=now,
                ))
            AutomationRunner(self.session).run(stage, Trigger.STAGE_REQUIREMENTS_MET, opportunity, now=now, only=keys,
                                               fired=fired)
