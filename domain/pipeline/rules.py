"""Stage requirements and automations: the seed's StageRequirement and StageAutomation, validated."""

from __future__ import annotations

import re
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator

from domain.enums import ActivityKind, Priority

# Opportunity fields a field_populated requirement may name (the record's own fields).
REQUIRABLE_FIELDS = (
    "name", "account", "contact", "value", "budget", "expected_close_date", "source", "next_step",
    "description", "lost_reason", "forecast_category",
)

DUE_PATTERN = re.compile(r"^\+\s*(\d{1,4})\s*(day|days|week|weeks)$")


def parse_offset_days(text: str) -> int:
    """'+3 days' -> 3, '+2 weeks' -> 14."""
    match = DUE_PATTERN.match(text.strip())
    if not match:
        raise ValueError(f"expected an offset like '+3 days' or '+2 weeks', got {text!r}")
    amount, unit = int(match.group(1)), match.group(2)
    return amount * 7 if unit.startswith("week") else amount


class _Rule(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ActivityCompleted(_Rule):
    """An activity of this kind was completed on the opportunity.

    A sent proposal counts as a completed 'proposal' activity.
    """

    type: Literal["activity_completed"]
    value: ActivityKind
    required: bool = True

    def describe(self) -> str:
        return f"required activity '{self.value.value}' not completed"


class FieldPopulated(_Rule):
    type: Literal["field_populated"]
    field: str
    value: None = None
    required: bool = True

    @field_validator("field")
    @classmethod
    def _known_field(cls, name: str) -> str:
        if name not in REQUIRABLE_FIELDS:
            raise ValueError(f"unknown opportunity field {name!r} (choose from {', '.join(REQUIRABLE_FIELDS)})")
        return name

    def describe(self) -> str:
        return f"required field '{self.field}' not populated"


class MinimumValue(_Rule):
    type: Literal["minimum_value"]
    value: Decimal = Field(ge=0, decimal_places=2)
    required: bool = True

    @property
    def cents(self) -> int:
        return int(self.value * 100)

    def describe(self) -> str:
        return f"opportunity value must be at least ${self.value:,.2f}"


class ProductsSelected(_Rule):
    type: Literal["products_selected"]
    value: None = None
    required: bool = True

    def describe(self) -> str:
        return "at least one product must be selected"


Requirement = Annotated[
    Union[ActivityCompleted, FieldPopulated, MinimumValue, ProductsSelected], Field(discriminator="type")
]


class Trigger(StrEnum):
    STAGE_ENTERED = "stage_entered"
    STAGE_DURATION_EXCEEDED = "stage_duration_exceeded"
    STAGE_REQUIREMENTS_MET = "stage_requirements_met"


class _Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CreateTaskParams(_Params):
    title: str = Field(min_length=1, max_length=200)
    description: str = ""
    due: str = "+1 days"
    priority: Priority = Priority.NORMAL
    threshold: int | None = Field(default=None, ge=1)

    @field_validator("due")
    @classmethod
    def _due(cls, value: str) -> str:
        parse_offset_days(value)
        return value


class SendEmailParams(_Params):
    to: str = Field(default="owner", description="owner, manager, contact, or an e-mail address")
    subject: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1)
    threshold: int | None = Field(default=None, ge=1)

    @field_validator("to")
    @classmethod
    def _recipient(cls, value: str) -> str:
        if value in ("owner", "manager", "contact") or re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", value):
            return value
        raise ValueError("must be owner, manager, contact or an e-mail address")


class ScheduleMeetingParams(_Params):
    subject: str = Field(min_length=1, max_length=200)
    description: str = ""
    when: str = "+2 days"
    duration_minutes: int = Field(default=30, ge=5, le=480)
    location: str = ""
    threshold: int | None = Field(default=None, ge=1)

    @field_validator("when")
    @classmethod
    def _when(cls, value: str) -> str:
        parse_offset_days(value)
        return value


class UpdateFieldParams(_Params):
    field: str = Field(min_length=1)
    value: str | int | bool
    threshold: int | None = Field(default=None, ge=1)


class NotifyManagerParams(_Params):
    message: str = Field(min_length=1, max_length=200)
    threshold: int | None = Field(default=None, ge=1)


class _Automation(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    trigger: Trigger
    name: str = ""

    def label(self, stage_id: str) -> str:
        return self.name or f"{stage_id}:{self.trigger.value}:{self.action}"  # type: ignore[attr-defined]


class CreateTask(_Automation):
    action: Literal["create_task"]
    parameters: CreateTaskParams


class SendEmail(_Automation):
    action: Literal["send_email"]
    parameters: SendEmailParams


class ScheduleMeeting(_Automation):
    action: Literal["schedule_meeting"]
    parameters: ScheduleMeetingParams


class UpdateField(_Automation):
    action: Literal["update_field"]
    parameters: UpdateFieldParams


class NotifyManager(_Automation):
    action: Literal["notify_manager"]
    parameters: NotifyManagerParams


Automation = Annotated[
    Union[CreateTask, SendEmail, ScheduleMeeting, UpdateField, NotifyManager], Field(discriminator="action")
]
