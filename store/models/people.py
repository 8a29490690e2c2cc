from __future__ import annotations

from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    DateField,
    ForeignKeyField,
    IntegerField,
)

from store.fields import UTCDateTimeField
from store.models.base import BaseModel


class UserRow(BaseModel):
    login = CharField(max_length=64, unique=True)
    display_name = CharField(max_length=200)
    email = CharField(max_length=254, null=True)
    role = CharField(max_length=16, index=True)
    manager = ForeignKeyField("self", null=True, backref="reports", on_delete="SET NULL")
    team = CharField(max_length=200, default="")
    region = CharField(max_length=200, default="")
    active = BooleanField(default=True)
    last_seen_at = UTCDateTimeField(null=True)
    created_at = UTCDateTimeField()
    version = IntegerField(default=1)

    class Meta:
        table_name = "user"


class QuotaRow(BaseModel):
    user = ForeignKeyField(UserRow, backref="quotas", on_delete="CASCADE")
    period = CharField(max_length=16)
    period_start = DateField()
    amount_cents = BigIntegerField()

    class Meta:
        table_name = "quota"
        indexes = ((("user", "period", "period_start"), True),)
