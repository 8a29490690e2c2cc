"""Turning what a person typed into validated changes, field by field (used by the TUI's forms).

Each function returns (result, errors) where errors maps a form field to its reason; the checks
are the domain's own (pydantic records, money parsing), so a form refuses what the CLI refuses.
"""

from __future__ import annotations

from datetime import date

from pydantic import ValidationError

from domain.enums import ActivityKind, ForecastCategory, Outcome
from domain.money import MoneyError, parse_cents
from domain.records import Opportunity
from domain.validation import field_errors

RECORD_TO_FORM = {"budget_cents": "budget", "value_cents": "value", "expected_close_date": "expected_close"}


def _errors(error: ValidationError) -> dict[str, str]:
    return {problem.field: problem.reason for problem in field_errors(error, RECORD_TO_FORM)}


def parse_day(text: str) -> date:
    """A date typed as YYYY-MM-DD; a ValueError saying what is wrong: the form, or the day itself
    ("2027-02-30": February 2027 has 28 days, not "expected a date as YYYY-MM-DD")."""
    import calendar
    import re

    match = re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", text.strip())
    if not match:
        raise ValueError("expected a date as YYYY-MM-DD")
    year, month, day = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        raise ValueError(f"no month {month:02d}: months run from 01 to 12")
    days = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days:
        raise ValueError(f"no such day: {date(year, month, 1):%B %Y} has {days} days")
    return date(year, month, day)


def opportunity_changes(current: Opportunity, values: dict[str, str]) -> tuple[dict | None, dict[str, str]]:
    """The fields of the edit form -> changes for OpportunityUpdates.update_fields (only what changed)."""
    errors: dict[str, str] = {}
    changes: dict = {}
    for form_name, record_name in (("budget", "budget_cents"), ("value", "value_cents")):
        text = values.get(form_name, "").strip()
        if not text:
            if form_name == "budget" and current.budget_cents is not None:
                changes[record_name] = None
            elif form_name == "value":
                errors[form_name] = "required"
            continue
        try:
            cents = parse_cents(text)
        except MoneyError as error:
            errors[form_name] = str(error)
            continue
        if cents != getattr(current, record_name):
            changes[record_name] = cents
    text = values.get("expected_close", "").strip()
    try:
        close = parse_day(text)
        if close != current.expected_close_date:
            changes["expected_close_date"] = close
    except ValueError as error:
        errors["expected_close"] = str(error)
    for name in ("name", "next_step", "source"):
        if name in values and values[name].strip() != getattr(current, name):
            changes[name] = values[name].strip()
    probability = values.get("probability", "").strip()
    if probability and probability != str(current.probability):
        if not probability.isdigit():
            errors["probability"] = "a whole number from 0 to 100"
        else:
            changes["probability"] = int(probability)
    category = values.get("forecast_category", "")
    if category and category != current.forecast_category.value:
        changes["forecast_category"] = ForecastCategory(category)
    if changes:
        # the record's own checks on what did parse, in the same round as the parsing errors: every invalid
        # field is named at once (not Budget and Expected close first, then Value, Probability and Name)
        try:
            Opportunity.model_validate({**current.model_dump(), **changes})
        except ValidationError as error:
            errors.update({k: v for k, v in _errors(error).items() if k not in errors})
    if not errors and not changes:
        errors[""] = "nothing changed"
    return (None if errors else changes), errors


def activity_entry(values: dict[str, str]) -> tuple[dict | None, dict[str, str]]:
    """The fields of the log-activity form -> keyword arguments for OpportunityUpdates.log_activity."""
    errors: dict[str, str] = {}
    kind = values.get("kind", "")
    subject = values.get("subject", "").strip()
    if kind not in {k.value for k in ActivityKind} or kind == ActivityKind.STAGE_CHANGE.value:
        errors["kind"] = "choose what kind of activity it was"
    if not subject:
        errors["subject"] = "required"
    elif len(subject) > 200:
        errors["subject"] = "at most 200 characters"
    outcome = values.get("outcome", "")
    if errors:
        return None, errors
    return {
        "kind": ActivityKind(kind), "subject": subject, "description": values.get("description", "").strip(),
        "outcome": Outcome(outcome) if outcome else None, "completed": values.get("status", "done") == "done",
    }, {}


SCHEDULABLE = (ActivityKind.CALL, ActivityKind.MEETING, ActivityKind.DEMO, ActivityKind.PRESENTATION,
               ActivityKind.EVENT, ActivityKind.SUPPORT)


def schedule_entry(values: dict[str, str], today: date, tz=None) -> tuple[dict | None, dict[str, str]]:
    """The fields of the schedule form (kind, subject, day, time in the user's zone `tz`, UTC by default) ->
    OpportunityUpdates.schedule's, the instant in UTC."""
    from datetime import datetime, time, timezone

    tz = tz or timezone.utc

    errors: dict[str, str] = {}
    kind = values.get("kind", "")
    if kind not in {k.value for k in SCHEDULABLE}:
        errors["kind"] = "choose a call, meeting, demo, presentation, event or support visit"
    subject = values.get("subject", "").strip()
    if not subject:
        errors["subject"] = "required"
    elif len(subject) > 200:
        errors["subject"] = "at most 200 characters"
    day = None
    try:
        day = parse_day(values.get("day", ""))
    except ValueError as error:
        errors["day"] = str(error)
    if day is not None and day < today:
        errors["day"] = f"in the past (today is {today.isoformat()})"
    at = time(9, 0)
    text = values.get("time", "").strip()
    if text:
        try:
            at = time.fromisoformat(text)
        except ValueError:
            errors["time"] = "a time as HH:MM (24-hour)"
    if errors:
        return None, errors
    local = datetime.combine(day, at.replace(tzinfo=None), tzinfo=tz)
    return {"kind": ActivityKind(kind), "subject": subject, "when": local.astimezone(timezone.utc)}, {}


def zone_name(tz) -> str:
    """A zone as the user knows it: its IANA name ("Europe/Berlin"), else its abbreviation ("UTC", "CET")."""
    from datetime import datetime

    return getattr(tz, "key", None) or datetime.now(tz).tzname() or "UTC"
