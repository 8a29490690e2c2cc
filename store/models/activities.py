from __future__ import annotations

from peewee import (
    BooleanField,
    CharField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from store.fields import JSONListField, UTCDateTimeField
from store.models.accounts import AccountRow, ContactRow
from store.models.base import BaseModel
from store.models.leads import LeadRow
from store.models.people import UserRow
from store.models.sales import OpportunityRow


class ActivityRow(BaseModel):
    kind = CharField(max_length=32)
    subject = CharField(max_length=200)
    description = TextField(default="")
    outcome = CharField(max_length=16, null=True)
    sentiment = FloatField(null=True)
    next_steps = CharField(max_length=200, default="")
    scheduled_at = UTCDateTimeField(null=True)
    completed_at = UTCDateTimeField(null=True)
    follow_up_at = UTCDateTimeField(null=True)
    duration_minutes = IntegerField(null=True)
    location = CharField(max_length=200, default="")
    attachments = JSONListField(default=list)
    account = ForeignKeyField(AccountRow, null=True, backref="activities", on_delete="CASCADE")
    contact = ForeignKeyField(ContactRow, null=True, backref="activities", on_delete="SET NULL")
    opportunity = ForeignKeyField(OpportunityRow, null=True, backref="activities", on_delete="CASCADE")
    lead = ForeignKeyField(LeadRow, null=True, backref="activities", on_delete="CASCADE")
    created_by = ForeignKeyField(UserRow, null=True, backref="activities", on_delete="SET NULL")
    created_at = UTCDateTimeField(index=True)
    archived_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "activity"
        indexes = (
            (("created_by", "created_at"), False),
            (("account", "created_at"), False),
            (("completed_at", "kind", "created_by"), False),
        )


class ParticipantRow(BaseModel):
    activity = ForeignKeyField(ActivityRow, backref="participants", on_delete="CASCADE")
    contact = ForeignKeyField(ContactRow, backref="participations", on_delete="CASCADE")
    role = CharField(max_length=16, default="attendee")
    attended = BooleanField(default=True)
    feedback = CharField(max_length=200, default="")

    class Meta:
        table_name = "participant"
