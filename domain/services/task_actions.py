"""Completing (or reopening) a task."""

from __future__ import annotations

from domain.enums import TaskStatus
from domain.errors import Refused, require_actor
from domain.records import Task
from domain.session import Session


def set_task_done(session: Session, task_id: int, done: bool = True) -> Task:
    require_actor(session)
    store, now = session.store, session.clock.now()
    actor = session.actor
    with session.write({"task"}, ids={"task": {task_id}}, at=now) as change:
        task = store.tasks.require(task_id)
        if actor.role.value == "rep" and task.assignee_id != actor.id:
            raise Refused(f"{actor.login} (rep) cannot complete task {task_id}: it is assigned to someone else")
        changes = {"status": TaskStatus.DONE if done else TaskStatus.OPEN, "completed_at": now if done else None}
        saved = store.tasks.update(task.model_copy(update=changes), fields=set(changes) | {"version"},
                                   changed_by=session.actor_login)
        change.audit_update("task", task_id, task, saved, ("status",))
    return saved
