from __future__ import annotations

from peewee import (
    BigIntegerField,
    CharField,
    DateField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from store.fields import UTCDateTimeField
from store.models.accounts import AccountRow, ContactRow
from store.models.base import BaseModel
from store.models.leads import LeadRow
from store.models.people import UserRow
from store.models.sales import OpportunityRow


class DocumentRow(BaseModel):
    opportunity = ForeignKeyField(OpportunityRow, null=True, backref="documents", on_delete="CASCADE")
    account = ForeignKeyField(AccountRow, null=True, backref="documents", on_delete="CASCADE")
    name = CharField(max_length=200)
    kind = CharField(max_length=32, default="other")
    uri = CharField(max_length=200, default="")
    size_bytes = BigIntegerField(null=True)
    created_by = ForeignKeyField(UserRow, null=True, backref="+", on_delete="SET NULL")
    created_at = UTCDateTimeField()

    class Meta:
        table_name = "document"


class ProposalRow(BaseModel):
    number = CharField(max_length=40, unique=True)
    opportunity = ForeignKeyField(OpportunityRow, backref="proposals", on_delete="CASCADE")
    title = CharField(max_length=200)
    amount_cents = BigIntegerField()
    status = CharField(max_length=16, index=True)
    sent_at = UTCDateTimeField(null=True)
    decided_at = UTCDateTimeField(null=True)
    valid_until = DateField(null=True)
    notes = TextField(default="")
    created_by = ForeignKeyField(UserRow, null=True, backref="+", on_delete="SET NULL")
    created_at = UTCDateTimeField()
    version = IntegerField(default=1)
    archived_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "proposal"


class TaskRow(BaseModel):
    title = CharField(max_length=200)
    description = TextField(default="")
    due_on = DateField(null=True)
    priority = CharField(max_length=16, default="normal")
    status = CharField(max_length=16, default="open")
    assignee = ForeignKeyField(UserRow, backref="tasks", on_delete="CASCADE")
    opportunity = ForeignKeyField(OpportunityRow, null=True, backref="tasks", on_delete="CASCADE")
    account = ForeignKeyField(AccountRow, null=True, backref="tasks", on_delete="CASCADE")
    contact = ForeignKeyField(ContactRow, null=True, backref="tasks", on_delete="SET NULL")
    lead = ForeignKeyField(LeadRow, null=True, backref="tasks", on_delete="CASCADE")
    created_by = ForeignKeyField(UserRow, null=True, backref="+", on_delete="SET NULL")
    created_by_automation = CharField(max_length=200, default="")
    created_at = UTCDateTimeField()
    completed_at = UTCDateTimeField(null=True)
    version = IntegerField(default=1)
    archived_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "task"
        indexes = ((("assignee", "status", "due_on"), False),)


class NotificationRow(BaseModel):
    recipient = ForeignKeyField(UserRow, backref="notifications", on_delete="CASCADE")
    kind = CharField(max_length=200, default="info")
    message = CharField(max_length=200)
    opportunity = ForeignKeyField(OpportunityRow, null=True, backref="+", on_delete="CASCADE")
    account = ForeignKeyField(AccountRow, null=True, backref="+", on_delete="CASCADE")
    lead = ForeignKeyField(LeadRow, null=True, backref="+", on_delete="CASCADE")
    created_at = UTCDateTimeField()
    read_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "notification"
        indexes = ((("recipient", "read_at"), False),)
