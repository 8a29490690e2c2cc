from __future__ import annotations

from pydantic import Field

from domain.records.base import Email, LongText, Record, ShortText, UTCDateTime


class OutboxMessage(Record):
    created_at: UTCDateTime
    to_address: Email
    to_user_id: int | None = None
    subject: ShortText
    body: LongText
    opportunity_id: int | None = None
    automation: ShortText = ""
    status: str = Field(default="queued", pattern=r"^(queued|sent|failed)$", max_length=16)
    sent_at: UTCDateTime | None = None
    error: LongText = ""


class AutomationRun(Record):
    opportunity_id: int
    automation: ShortText
    stay_started_at: UTCDateTime
    fired_at: UTCDateTime
