from __future__ import annotations

from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from store.fields import UTCDateTimeField
from store.models.accounts import AccountRow, ContactRow
from store.models.base import BaseModel
from store.models.people import UserRow
from store.models.sales import OpportunityRow


class LeadSourceRow(BaseModel):
    name = CharField(max_length=200, unique=True)
    channel = CharField(max_length=200, default="")
    cost_cents = BigIntegerField(null=True)

    class Meta:
        table_name = "lead_source"


class LeadRow(BaseModel):
    external_id = CharField(max_length=200, null=True, unique=True)
    name = CharField(max_length=200)
    company = CharField(max_length=200, default="")
    title = CharField(max_length=200, default="")
    email = CharField(max_length=254, null=True, index=True)
    phone = CharField(max_length=40, default="")
    source = CharField(max_length=200, default="", index=True)
    status = CharField(max_length=16)
    score = IntegerField(default=0)
    owner = ForeignKeyField(UserRow, null=True, backref="leads", on_delete="SET NULL")
    flagged = BooleanField(default=False)
    flag_reason = CharField(max_length=200, default="")
    notes = TextField(default="")
    created_at = UTCDateTimeField()
    first_response_at = UTCDateTimeField(null=True)
    converted_at = UTCDateTimeField(null=True)
    converted_opportunity = ForeignKeyField(OpportunityRow, null=True, backref="+", on_delete="SET NULL")
    converted_account = ForeignKeyField(AccountRow, null=True, backref="+", on_delete="SET NULL")
    converted_contact = ForeignKeyField(ContactRow, null=True, backref="+", on_delete="SET NULL")
    version = IntegerField(default=1)
    archived_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "lead"
        indexes = ((("status", "created_at"), False), (("status",), False))
