"""stage_duration_exceeded: fire each such automation once per stay, when the threshold passes.

Run by the TUI on a timer and when the date changes, by `pantry automations run`, and after
`pantry move`. Each opportunity's firing is a unit of work of its own (committed and announced on
its own), so one failure does not undo the others.

A catch-up is not news. When no process ran the sweep on the day a deal passed its stage's time
limit (Pantry was not open; a database restored or imported), the sweep that finds it later still
fires the automation — once per stay, as always — but the inbox notifications it posts are filed as
read: the deal has shown as stalled on the dashboard and the kanban since that day. Instead each
recipient gets one unread digest naming how many deals passed their limit since their last visit,
by stage; what passed before their last visit (they saw it stalled then) is not announced at all.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date, datetime, time, timedelta, timezone

from domain.pipeline.rules import Trigger
from domain.records import AutomationRun, Notification
from domain.services.alerts import cutoff, days_between
from domain.services.automations import AutomationRunner, Fired, automation_key
from domain.session import Session

DIGEST_KIND = "digest"


def passed_limit_at(stage_entered_at: datetime, threshold: int) -> datetime:
    """The instant a stay passed `threshold` whole days (midnight UTC of the first day it counts as
    exceeded: `cutoff`'s rule read the other way)."""
    day: date = stage_entered_at.date() + timedelta(days=threshold + 1)
    return datetime.combine(day, time(0), tzinfo=timezone.utc)


def sweep_stage_durations(session: Session, limit: int = 500) -> list[tuple[int, str]]:
    """Returns (opportunity id, automation key) for every automation fired."""
    store, pipeline = session.store, session.pipeline
    now, today = session.clock.now(), session.clock.today()
    done: list[tuple[int, str]] = []
    today_starts = datetime.combine(today, time(0), tzinfo=timezone.utc)
    caught_up: dict[int, Counter] = defaultdict(Counter)  # recipient -> stage name -> deals not yet seen
    for stage in pipeline.open_stages:
        for index, automation in enumerate(stage.automations):
            if automation.trigger is not Trigger.STAGE_DURATION_EXCEEDED:
                continue
            key = automation_key(stage, automation, index)
            threshold = automation.parameters.threshold or stage.stall_days
            # "exceeded": more than `threshold` whole days in the stage, counted as alerts count them
            for opportunity_id in store.overdue_without_run(stage.id, key, cutoff(today, threshold), limit):
                with session.write(at=now) as change:
                    opp = store.opportunities.require(opportunity_id)
                    if opp.stage != stage.id or store.automation_has_run(opp.id, key, opp.stage_entered_at):
                        continue
                    passed = passed_limit_at(opp.stage_entered_at, threshold)
                    catch_up = passed < today_starts
                    fired = AutomationRunner(session, quiet=catch_up).run(
                        stage, Trigger.STAGE_DURATION_EXCEEDED, opp, now=now,
                        days=days_between(opp.stage_entered_at, today), only={key}, fired=Fired())
                    for recipient in fired.notified if catch_up else ():
                        if passed > _last_visit(session, recipient):
                            caught_up[recipient][stage.name] += 1
                    store.automation_runs.insert(AutomationRun(
                        opportunity_id=opp.id, automation=key, stay_started_at=opp.stage_entered_at, fired_at=now,
                    ))
                    change.touch("automation_run")
                done.append((opportunity_id, key))
    if caught_up:
        _post_digests(session, caught_up, now)
    return done


_NEVER = datetime.min.replace(tzinfo=timezone.utc)


def _last_visit(session: Session, user_id: int) -> datetime:
    """When the user last opened Pantry, before this session: the acting user's as the session found
    it at its start (this session's own visit is stamped meanwhile), anyone else's as stored."""
    if session.actor is not None and session.actor.id == user_id:
        return session.actor.last_seen_at or _NEVER
    user = session.store.users.get(user_id)
    return (user.last_seen_at if user else None) or _NEVER


def _post_digests(session: Session, caught_up: dict[int, Counter], now: datetime) -> None:
    with session.write(at=now) as change:
        for recipient, by_stage in caught_up.items():
            total = sum(by_stage.values())
            stages = ", ".join(f"{name} {n}" for name, n in by_stage.most_common())
            deals = "deal" if total == 1 else "deals"
            message = f"Since your last visit {total} {deals} passed their stage's time limit: {stages}"
            session.store.notifications.insert(Notification(
                recipient_id=recipient, kind=DIGEST_KIND, message=message[:200], created_at=now))
            change.touch("notification")
