"""stage_duration_exceeded: fire each such automation once per stay, when the threshold passes.

Run by the TUI on a timer and when the date changes, by `pantry automations run`, and after
`pantry move`. Each opportunity's firing is a unit of work of its own (committed and announced on
its own), so one failure does not undo the others.
"""

from __future__ import annotations

from domain.pipeline.rules import Trigger
from domain.records import AutomationRun
from domain.services.alerts import cutoff, days_between
from domain.services.automations import AutomationRunner, Fired, automation_key
from domain.session import Session


def sweep_stage_durations(session: Session, limit: int = 500) -> list[tuple[int, str]]:
    """Returns (opportunity id, automation key) for every automation fired."""
    store, pipeline = session.store, session.pipeline
    now, today = session.clock.now(), session.clock.today()
    done: list[tuple[int, str]] = []
    for stage in pipeline.open_stages:
        for index, automation in enumerate(stage.automations):
            if automation.trigger is not Trigger.STAGE_DURATION_EXCEEDED:
                continue
            key = automation_key(stage, automation, index)
            threshold = automation.parameters.threshold or stage.stall_days
            # "exceeded": more than `threshold` whole days in the stage, counted as alerts count them
            for opportunity_id in store.overdue_without_run(stage.id, key, cutoff(today, threshold), limit):
                with session.write(at=now) as change:
                    # locked: another process's sweep (after its own `pantry move`) waits, then finds the run
                    opp = store.opportunities.require_for_update(opportunity_id)
                    if opp.stage != stage.id or store.automation_has_run(opp.id, key, opp.stage_entered_at):
                        continue
                    AutomationRunner(session).run(stage, Trigger.STAGE_DURATION_EXCEEDED, opp, now=now,
                                                  days=days_between(opp.stage_entered_at, today), only={key},
                                                  fired=Fired())
                    store.automation_runs.insert(AutomationRun(
                        opportunity_id=opp.id, automation=key, stay_started_at=opp.stage_entered_at, fired_at=now,
                    ))
                    change.touch("automation_run")
                done.append((opportunity_id, key))
    return done
