from __future__ import annotations

from peewee import CharField, ForeignKeyField, TextField

from store.fields import UTCDateTimeField
from store.models.base import BaseModel
from store.models.people import UserRow
from store.models.sales import OpportunityRow


class OutboxRow(BaseModel):
    """E-mail rendered by automations: readable in the app, delivered by SMTP when one is configured."""

    created_at = UTCDateTimeField(index=True)
    to_address = CharField(max_length=254)
    to_user = ForeignKeyField(UserRow, null=True, backref="+", on_delete="SET NULL")
    subject = CharField(max_length=200)
    body = TextField()
    opportunity = ForeignKeyField(OpportunityRow, null=True, backref="+", on_delete="SET NULL")
    automation = CharField(max_length=200, default="")
    status = CharField(max_length=16, default="queued", index=True)
    sent_at = UTCDateTimeField(null=True)
    error = TextField(default="")

    class Meta:
        table_name = "outbox"


class AutomationRunRow(BaseModel):
    """One firing of an automation for one stay of an opportunity in a stage (fires once per stay)."""

    opportunity = ForeignKeyField(OpportunityRow, backref="+", on_delete="CASCADE")
    automation = CharField(max_length=200)
    stay_started_at = UTCDateTimeField()
    fired_at = UTCDateTimeField()

    class Meta:
        table_name = "automation_run"
        indexes = ((("opportunity", "automation", "stay_started_at"), True),)
