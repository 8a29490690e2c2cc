"""Turning what a person typed into validated changes, field by field (used by the TUI's forms).

Each function returns (result, errors) where errors maps a form field to its reason; the checks
are the domain's own (pydantic records, money parsing), so a form refuses what the CLI refuses.
"""

from __future__ import annotations

from datetime import date, datetime, time, timezone, tzinfo
from decimal import Decimal

from pydantic import ValidationError

from domain.enums import ActivityKind, ForecastCategory, Outcome
from domain.inputs import LONG_TEXT, InputError, check_text, parse_date
from domain.money import MAX_AMOUNT, MAX_CENTS, MoneyError, line_total, parse_cents
from domain.records import Opportunity
from domain.validation import field_errors

RECORD_TO_FORM = {"budget_cents": "budget", "value_cents": "value", "expected_close_date": "expected_close"}


def _errors(error: ValidationError) -> dict[str, str]:
    return {problem.field: problem.reason for problem in field_errors(error, RECORD_TO_FORM)}


def parse_day(text: str) -> date:
    """A date typed as YYYY-MM-DD (domain/inputs.py's one parser, whose refusal says what is wrong)."""
    return parse_date(text)


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
    try:
        close = parse_date(values.get("expected_close", ""))
        if close != current.expected_close_date:
            changes["expected_close_date"] = close
    except InputError as error:
        errors["expected_close"] = str(error)
    for name in ("name", "next_step", "source"):
        if name not in values:
            continue
        try:
            text = check_text(values[name], required=name == "name")
        except InputError as error:
            errors[name] = str(error)
            continue
        if text != getattr(current, name):
            changes[name] = text
    probability = values.get("probability", "").strip()
    if probability and probability != str(current.probability):
        if not (probability.isascii() and probability.isdigit()):
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
    try:
        check_text(subject, required=True)
    except InputError as error:
        errors["subject"] = str(error)
    try:
        check_text(values.get("description", ""), limit=LONG_TEXT, multiline=True)
    except InputError as error:
        errors["description"] = str(error)
    outcome = values.get("outcome", "")
    if errors:
        return None, errors
    return {
        "kind": ActivityKind(kind), "subject": subject, "description": values.get("description", "").strip(),
        "outcome": Outcome(outcome) if outcome else None, "completed": values.get("status", "done") == "done",
    }, {}


SCHEDULABLE = (ActivityKind.CALL, ActivityKind.MEETING, ActivityKind.DEMO, ActivityKind.PRESENTATION,
               ActivityKind.EVENT, ActivityKind.SUPPORT)


def schedule_entry(values: dict[str, str], today: date, zone: tzinfo = timezone.utc,
                   zone_name: str = "UTC") -> tuple[dict | None, dict[str, str]]:
    """The fields of the schedule form (kind, subject, day, time in the user's zone) -> OpportunityUpdates.schedule's
    (`when` in UTC). A time the zone skips that day (clocks put forward) is refused; one it repeats
    (clocks put back) is its first occurrence."""
    errors: dict[str, str] = {}
    kind = values.get("kind", "")
    if kind not in {k.value for k in SCHEDULABLE}:
        errors["kind"] = "choose a call, meeting, demo, presentation, event or support visit"
    subject = values.get("subject", "").strip()
    try:
        check_text(subject, required=True)
    except InputError as error:
        errors["subject"] = str(error)
    day = None
    try:
        day = parse_date(values.get("day", ""))
    except InputError as error:
        errors["day"] = str(error)
    if day is not None and day < today:
        errors["day"] = f"in the past (today is {today.isoformat()})"
    at = time(9, 0)
    text = values.get("time", "").strip()
    if text:
        try:
            at = time.fromisoformat(text).replace(tzinfo=None)
        except ValueError:
            errors["time"] = f"a time as HH:MM (24-hour, {zone_name})"
    when = None
    if day is not None and "time" not in errors:
        local = datetime.combine(day, at, tzinfo=zone)
        when = local.astimezone(timezone.utc)
        if when.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None):
            errors["time"] = f"{at:%H:%M} does not exist on {day.isoformat()} in {zone_name} (the clocks go forward)"
    if errors:
        return None, errors
    return {"kind": ActivityKind(kind), "subject": subject, "when": when}, {}


MAX_QUANTITY = Decimal(1_000_000)


def line_item_entry(values: dict[str, str], prices: dict[str, int]) -> tuple[dict | None, dict[str, str]]:
    """The fields of the add-a-product form (product, quantity, unit price, discount) -> add_line_item's
    arguments. `prices` maps each product's id (as the form holds it) to its list price."""
    errors: dict[str, str] = {}
    result: dict = {}
    quantity = _decimal(values.get("quantity", ""))
    if quantity is None or not 0 < quantity <= MAX_QUANTITY or quantity != quantity.quantize(Decimal("0.001")):
        errors["quantity"] = f"a positive number up to {MAX_QUANTITY:,} with at most 3 decimals"
    else:
        result["quantity"] = quantity
    discount = _decimal(values.get("discount", "").strip() or "0")
    if discount is None or not 0 <= discount <= 100 or discount != discount.quantize(Decimal("0.01")):
        errors["discount"] = "a percentage from 0 to 100 (at most 2 decimals)"
    else:
        result["discount_pct"] = discount.quantize(Decimal("0.01"))
    if values.get("unit_price", "").strip():
        try:
            result["unit_price_cents"] = parse_cents(values["unit_price"])
        except MoneyError as error:
            errors["unit_price"] = str(error)
    product = values.get("product", "")
    if product not in prices:
        errors["product"] = "choose a product"
    if not errors:
        price = result.get("unit_price_cents", prices[product])
        if line_total(price, result["quantity"], result["discount_pct"]) > MAX_CENTS:
            errors["quantity"] = f"the line would come to more than {MAX_AMOUNT}"
    result["product_id"] = int(product) if product in prices else 0
    return (None if errors else result), errors


def _decimal(text: str) -> Decimal | None:
    """Plain digits with an optional point (no exponent, NaN or infinity), else None."""
    cleaned = text.strip()
    if not cleaned or len(cleaned) > 20 or not all(c in "0123456789." for c in cleaned) or cleaned.count(".") > 1 \
            or cleaned == ".":
        return None
    return Decimal(cleaned)
