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
from store.models.people import UserRow


class AccountRow(BaseModel):
    external_id = CharField(max_length=200, null=True, unique=True)
    name = CharField(max_length=200, index=True)
    domain = CharField(max_length=200, default="")
    phone = CharField(max_length=40, default="")
    industry = CharField(max_length=32, index=True)
    size = CharField(max_length=16)
    annual_revenue_cents = BigIntegerField(null=True)
    hq_street = CharField(max_length=200, default="")
    hq_city = CharField(max_length=200, default="")
    hq_region = CharField(max_length=200, default="")
    hq_postal_code = CharField(max_length=200, default="")
    hq_country = CharField(max_length=200, default="")
    parent = ForeignKeyField("self", null=True, backref="subsidiaries", on_delete="SET NULL")
    status = CharField(max_length=16, index=True)
    tier = CharField(max_length=16, index=True)
    owner = ForeignKeyField(UserRow, null=True, backref="accounts", on_delete="SET NULL")
    renewal_date = DateField(null=True)
    last_activity_at = UTCDateTimeField(null=True)
    health_score = IntegerField(null=True)
    health_computed_at = UTCDateTimeField(null=True)
    created_at = UTCDateTimeField()
    updated_at = UTCDateTimeField()
    version = IntegerField(default=1)
    archived_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "account"


class AccountLocationRow(BaseModel):
    account = ForeignKeyField(AccountRow, backref="locations", on_delete="CASCADE")
    name = CharField(max_length=200)
    street = CharField(max_length=200, default="")
    city = CharField(max_length=200, default="")
    region = CharField(max_length=200, default="")
    postal_code = CharField(max_length=200, default="")
    country = CharField(max_length=200, default="")
    phone = CharField(max_length=40, default="")

    class Meta:
        table_name = "account_location"


class AccountTeamMemberRow(BaseModel):
    account = ForeignKeyField(AccountRow, backref="team_members", on_delete="CASCADE")
    user = ForeignKeyField(UserRow, backref="account_memberships", on_delete="CASCADE")
    role = CharField(max_length=32)
    is_primary = BooleanField(default=False)
    start_date = DateField()
    end_date = DateField(null=True)

    class Meta:
        table_name = "account_team_member"


class ContractRow(BaseModel):
    account = ForeignKeyField(AccountRow, backref="contracts", on_delete="CASCADE")
    number = CharField(max_length=200, default="")
    value_cents = BigIntegerField()
    start_date = DateField()
    end_date = DateField()
    status = CharField(max_length=16, default="active")
    auto_renew = BooleanField(default=False)

    class Meta:
        table_name = "contract"


class ContactRow(BaseModel):
    external_id = CharField(max_length=200, null=True, unique=True)
    account = ForeignKeyField(AccountRow, null=True, backref="contacts", on_delete="SET NULL")
    first_name = CharField(max_length=200)
    last_name = CharField(max_length=200, default="")
    title = CharField(max_length=200, default="")
    email = CharField(max_length=254, null=True, index=True)
    phone = CharField(max_length=40, default="")
    buying_role = CharField(max_length=32, null=True)
    reports_to = ForeignKeyField("self", null=True, backref="direct_reports", on_delete="SET NULL")
    created_at = UTCDateTimeField()
    updated_at = UTCDateTimeField()
    version = IntegerField(default=1)
    archived_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "contact"
