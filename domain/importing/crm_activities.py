"""Activities in HubSpot and Salesforce exports: HubSpot calls, meetings, e-mails, notes and tasks
(one export per type, or one with an `Activity type` column); Salesforce Task and Event exports
(Data Loader) or an activities report. Each row becomes one Activity on the deal, company,
contact or lead it is associated with."""

from __future__ import annotations

from datetime import datetime

from domain import records as r
from domain.enums import ActivityKind
from domain.importing import crm_columns as cc
from domain.importing.crm import Columns, Reader, Row
from domain.importing.csvfile import CsvFile
from domain.importing.plan import StagedActivity
from domain.importing.values import first_id, letters, minutes_of

ACTIVITY_SOURCES = {  # record field -> logical field (shared names of both presets)
    "subject": "title", "description": "body", "scheduled_at": "when", "completed_at": "when",
    "duration_minutes": "duration", "location": "location", "created_by_id": "owner",
}
SALESFORCE_SOURCES = dict(ACTIVITY_SOURCES, subject="subject", description="description", scheduled_at="date",
                          completed_at="status")
SUBJECT_MAX = 200
COMPLETED_TASK = {"completed", "complete", "done"}
NOT_HELD_MEETING = {"scheduled", "rescheduled", "noshow", "canceled", "cancelled"}


def activities(reader: Reader, csv_file: CsvFile, columns: Columns) -> None:
    file_kind = next((cc.HUBSPOT_KIND_BY_COLUMN[c] for c in csv_file.header if c in cc.HUBSPOT_KIND_BY_COLUMN), "note")
    interpret = _hubspot if reader.preset == "hubspot" else _salesforce
    sources = ACTIVITY_SOURCES if reader.preset == "hubspot" else SALESFORCE_SOURCES
    fields = {"scheduled_at", "completed_at"}
    for field_name, logical in (("description", ("body", "description")), ("location", ("location",)),
                                ("created_by_id", ("owner",)),
                                ("duration_minutes", ("duration", "call_duration", "end"))):
        if any(columns.has(f) for f in logical):
            fields.add(field_name)
    for row in reader.rows(csv_file, columns):
        problems = len(reader.plan.problems)
        owner = reader.owner(row)
        values = interpret(reader, row, file_kind)
        if values is None or len(reader.plan.problems) > problems:
            continue
        links = values.pop("links")
        if not any(links.values()):
            reader.plan.reject(row.source, row.col["id"], "not associated with any deal, company, contact or lead")
            continue
        kind = values["kind"]
        subject = values.pop("title") or _first_line(values.get("description", "")) or kind.value.replace("_", " ").capitalize()
        if len(subject) > SUBJECT_MAX:
            subject = subject[: SUBJECT_MAX - 1] + "…"
        record = reader.validated(row, r.Activity, dict(values, subject=subject, opportunity_id=1), sources)
        if record is None:
            continue
        link_columns = {name: column for name, column in values_columns(reader.preset, row).items() if links.get(name)}
        reader.plan.activities.append(StagedActivity(
            row.get("id"), record.model_copy(update={"opportunity_id": None}), row.source, owner or None,
            {k: v for k, v in links.items() if v}, {"owner": row.col["owner"], "id": row.col["id"], **link_columns},
            frozenset(fields),
        ))


def values_columns(preset: str, row: Row) -> dict[str, str]:
    """The column each association was read from (for problems about it)."""
    if preset == "hubspot":
        return {"opportunity": row.col["deal"], "account": row.col["company"], "person": row.col["person"]}
    return {"person": row.col["who"], "what": row.col["what"], "account": row.col["account"]}


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _kind(text: str, default: str = "note") -> ActivityKind:
    return ActivityKind(cc.ACTIVITY_KINDS.get(letters(text), default))


def _duration(reader: Reader, row: Row, field_name: str, unit: str) -> int | None | bool:
    text = row.get(field_name)
    if not text:
        return None
    try:
        return minutes_of(text, unit)
    except ValueError:
        reader.plan.reject(row.source, row.col[field_name], f"not a duration: {text!r} (HH:MM:SS or a number)")
        return False


def _hubspot(reader: Reader, row: Row, file_kind: str) -> dict | None:
    """kind, title, description, times and links of a HubSpot activity row."""
    type_text = letters(row.get("type")) or file_kind
    task = type_text == "task"
    kind = _kind(row.get("task_type") if task else type_text, "note")
    when = reader.when(row, "when")
    start = reader.when(row, "start")
    end = reader.when(row, "end")
    created = reader.when(row, "created")
    completed_on = reader.when(row, "completed")
    duration = _duration(reader, row, "duration", "ms")
    if any(v is False for v in (when, start, end, created, completed_on, duration)):
        return None
    at = start or when
    if at is None:
        reader.plan.reject(row.source, row.col["when"], "blank: an activity needs its date")
        return None
    if start and end and duration is None:
        duration = max(0, round((end - start).total_seconds() / 60))
    if task:
        done = letters(row.get("task_status")) in COMPLETED_TASK
        scheduled, completed = at, (completed_on or at) if done else None
    elif kind is ActivityKind.MEETING:
        outcome = letters(row.get("meeting_outcome"))
        held = outcome == "completed" or (not outcome and at <= reader.now)
        scheduled, completed = at, at if held else None
    else:
        scheduled, completed = None, at
    return dict(
        kind=kind, title=row.get("title"), description=row.get("body"), scheduled_at=scheduled,
        completed_at=completed, duration_minutes=duration, location=row.get("location"), created_at=created or at,
        links={"opportunity": first_id(row.get("deal")), "account": first_id(row.get("company")),
               "person": first_id(row.get("person"))},
    )


def _salesforce(reader: Reader, row: Row, _file_kind: str) -> dict | None:
    """kind, title, description, times and links of a Salesforce Task or Event row."""
    due = reader.when(row, "date")
    start = reader.when(row, "start")
    end = reader.when(row, "end")
    created = reader.when(row, "created")
    completed_on = reader.when(row, "completed")
    minutes = _duration(reader, row, "duration", "min")
    call_minutes = _duration(reader, row, "call_duration", "s")
    if any(v is False for v in (due, start, end, created, completed_on, minutes, call_minutes)):
        return None
    is_task = row.get("is_task").lower() in ("1", "true", "yes") if row.get("is_task") else start is None
    subtype = letters(row.get("subtype"))
    type_text = subtype if subtype and subtype not in ("task", "event") else letters(row.get("type"))
    duration = call_minutes if call_minutes is not None else minutes
    scheduled: datetime | None
    if is_task:
        kind = _kind(type_text, "note")
        done = letters(row.get("status")) in COMPLETED_TASK or row.get("closed").lower() in ("1", "true")
        scheduled = due
        completed = (completed_on or due or created) if done else None
    else:
        kind = _kind(type_text or "meeting", "meeting")
        scheduled = start or due
        if start and end and duration is None:
            duration = max(0, round((end - start).total_seconds() / 60))
        completed = scheduled if scheduled is not None and scheduled <= reader.now else None
    at = completed or scheduled or created
    if at is None:
        reader.plan.reject(row.source, row.col["date"], "blank: an activity needs its date")
        return None
    return dict(
        kind=kind, title=row.get("subject"), description=row.get("description"), scheduled_at=scheduled,
        completed_at=completed, duration_minutes=duration, location=row.get("location"), created_at=created or at,
        links={"person": row.get("who"), "what": row.get("what"), "account": row.get("account")},
    )
