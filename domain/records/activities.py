from __future__ import annotations

from pydantic import Field, model_validator

from domain.enums import ActivityKind, Outcome, ParticipantRole
from domain.records.base import LongText, Record, ShortText, UTCDateTime


class Activity(Record):
    """One table for the seed's OpportunityActivity and CustomerInteraction.

    An activity may hang off an opportunity, an account, a contact or a lead (at least one).
    `created_by_id` is None for activities the system wrote (stage changes, automations).
    """

    kind: ActivityKind
    subject: ShortText = Field(min_length=1)
    description: LongText = ""
    outcome: Outcome | None = None
    sentiment: float | None = Field(default=None, ge=-1.0, le=1.0)
    next_steps: ShortText = ""
    scheduled_at: UTCDateTime | None = None
    completed_at: UTCDateTime | None = None
    follow_up_at: UTCDateTime | None = None
    duration_minutes: int | None = Field(default=None, ge=0, le=24 * 60)
    location: ShortText = ""
    attachments: list[ShortText] = []
    account_id: int | None = None
    contact_id: int | None = None
    opportunity_id: int | None = None
    lead_id: int | None = None
    created_by_id: int | None = None
    created_at: UTCDateTime
    archived_at: UTCDateTime | None = None  # retired: out of lists, figures and pickers

    @model_validator(mode="after")
    def _attached_somewhere(self) -> "Activity":
        if not any((self.account_id, self.contact_id, self.opportunity_id, self.lead_id)):
            raise ValueError("an activity belongs to an account, contact, opportunity or lead")
        return self


class Participant(Record):
    activity_id: int
    contact_id: int
    role: ParticipantRole = ParticipantRole.ATTENDEE
    attended: bool = True
    feedback: ShortText = ""
