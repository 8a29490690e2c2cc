from __future__ import annotations

from datetime import date

from pydantic import Field, model_validator

from domain.enums import DocumentKind, Priority, ProposalStatus, TaskStatus
from domain.records.base import Cents, LongText, Name, Record, ShortText, UTCDateTime


class Document(Record):
    opportunity_id: int | None = None
    account_id: int | None = None
    name: Name
    kind: DocumentKind = DocumentKind.OTHER
    uri: ShortText = ""
    size_bytes: int | None = Field(default=None, ge=0)
    created_by_id: int | None = None
    created_at: UTCDateTime


class Proposal(Record):
    number: str = Field(min_length=1, max_length=40)
    opportunity_id: int
    title: Name
    amount_cents: Cents
    status: ProposalStatus = ProposalStatus.DRAFT
    sent_at: UTCDateTime | None = None
    decided_at: UTCDateTime | None = None
    valid_until: date | None = None
    notes: LongText = ""
    created_by_id: int | None = None
    created_at: UTCDateTime
    version: int = 1
    archived_at: UTCDateTime | None = None  # retired: out of lists, figures and pickers

    @model_validator(mode="after")
    def _lifecycle_dates(self) -> "Proposal":
        needs_sent = {ProposalStatus.SENT, ProposalStatus.ACCEPTED, ProposalStatus.REJECTED, ProposalStatus.EXPIRED}
        if self.status in needs_sent and self.sent_at is None:
            raise ValueError(f"sent_at: a {self.status.value} proposal must have been sent")
        decided = {ProposalStatus.ACCEPTED, ProposalStatus.REJECTED, ProposalStatus.WITHDRAWN}
        if self.status in decided and self.decided_at is None:
            raise ValueError(f"decided_at: a {self.status.value} proposal needs a decision date")
        return self


class Task(Record):
    title: Name
    description: LongText = ""
    due_on: date | None = None
    priority: Priority = Priority.NORMAL
    status: TaskStatus = TaskStatus.OPEN
    assignee_id: int
    opportunity_id: int | None = None
    account_id: int | None = None
    contact_id: int | None = None
    lead_id: int | None = None
    created_by_id: int | None = None
    created_by_automation: ShortText = ""
    created_at: UTCDateTime
    completed_at: UTCDateTime | None = None
    version: int = 1
    archived_at: UTCDateTime | None = None  # retired: out of lists, figures and pickers


class Notification(Record):
    recipient_id: int
    kind: ShortText = "info"
    message: Name
    opportunity_id: int | None = None
    account_id: int | None = None
    lead_id: int | None = None
    created_at: UTCDateTime
    read_at: UTCDateTime | None = None
