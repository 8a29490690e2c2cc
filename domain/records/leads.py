from __future__ import annotations

from pydantic import Field, model_validator

from domain.enums import LeadStatus
from domain.records.base import (
    Cents,
    Email,
    LongText,
    Name,
    Phone,
    Record,
    ShortText,
    UTCDateTime,
)


class LeadSource(Record):
    name: Name
    channel: ShortText = ""
    cost_cents: Cents | None = None


class Lead(Record):
    external_id: ShortText | None = None
    name: Name
    company: ShortText = ""
    title: ShortText = ""
    email: Email | None = None
    phone: Phone = ""
    source: ShortText = ""
    status: LeadStatus = LeadStatus.NEW
    score: int = Field(default=0, ge=0, le=100)
    owner_id: int | None = None
    flagged: bool = False
    flag_reason: ShortText = ""
    notes: LongText = ""
    created_at: UTCDateTime
    first_response_at: UTCDateTime | None = None
    converted_at: UTCDateTime | None = None
    converted_opportunity_id: int | None = None
    converted_account_id: int | None = None
    converted_contact_id: int | None = None
    version: int = 1
    archived_at: UTCDateTime | None = None  # retired: out of lists, figures and pickers

    @model_validator(mode="after")
    def _flag_needs_reason(self) -> "Lead":
        if self.flagged and not self.flag_reason.strip():
            raise ValueError("flag_reason: a flagged lead needs a reason")
        if self.first_response_at is not None and self.first_response_at < self.created_at:
            raise ValueError("first_response_at: cannot be before the lead was created")
        return self
