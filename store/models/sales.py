from __future__ import annotations

from peewee import (
    BigIntegerField,
    BooleanField,
    CharField,
    DateField,
    DecimalField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from store.fields import JSONListField, UTCDateTimeField
from store.models.accounts import AccountRow, ContactRow
from store.models.base import BaseModel
from store.models.people import UserRow


class ProductRow(BaseModel):
    sku = CharField(max_length=64, unique=True)
    name = CharField(max_length=200, index=True)
    category = CharField(max_length=200)
    unit = CharField(max_length=200, default="each")
    list_price_cents = BigIntegerField()
    active = BooleanField(default=True)
    description = TextField(default="")

    class Meta:
        table_name = "product"


class OpportunityRow(BaseModel):
    external_id = CharField(max_length=200, null=True, unique=True)
    name = CharField(max_length=200, index=True)
    account = ForeignKeyField(AccountRow, null=True, backref="opportunities", on_delete="SET NULL")
    contact = ForeignKeyField(ContactRow, null=True, backref="opportunities", on_delete="SET NULL")
    stage = CharField(max_length=40)
    probability = IntegerField()
    probability_overridden = BooleanField(default=False)
    value_cents = BigIntegerField()
    budget_cents = BigIntegerField(null=True)
    started_on = DateField()
    expected_close_date = DateField(index=True)
    actual_close_date = DateField(null=True, index=True)
    source = CharField(max_length=200, default="", index=True)
    owner = ForeignKeyField(UserRow, backref="opportunities")
    lost_reason = CharField(max_length=200, default="")
    next_step = CharField(max_length=200, default="")
    description = TextField(default="")
    forecast_category = CharField(max_length=16, default="pipeline")
    forecast_category_overridden = BooleanField(default=False)
    stage_entered_at = UTCDateTimeField()
    last_activity_at = UTCDateTimeField(null=True)
    created_at = UTCDateTimeField()
    updated_at = UTCDateTimeField()
    updated_by = ForeignKeyField(UserRow, null=True, backref="+", on_delete="SET NULL")
    version = IntegerField(default=1)
    archived_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "opportunity"
        indexes = (
            (("stage", "owner"), False),
            (("owner", "stage"), False),
            (("stage", "value_cents"), False),
            (("stage", "stage_entered_at"), False),
        )


class LineItemRow(BaseModel):
    opportunity = ForeignKeyField(OpportunityRow, backref="line_items", on_delete="CASCADE")
    product = ForeignKeyField(ProductRow, backref="line_items")
    name = CharField(max_length=200)
    quantity = DecimalField(max_digits=12, decimal_places=3, auto_round=True)
    unit_price_cents = BigIntegerField()
    discount_pct = DecimalField(max_digits=5, decimal_places=2, auto_round=True, default=0)
    total_cents = BigIntegerField()

    class Meta:
        table_name = "line_item"


class CompetitorRow(BaseModel):
    name = CharField(max_length=200, unique=True)
    strengths = JSONListField(default=list)
    weaknesses = JSONListField(default=list)
    pricing = CharField(max_length=16, default="competitive")
    market_share = FloatField(default=0.0)
    website = CharField(max_length=200, default="")
    archived_at = UTCDateTimeField(null=True)

    class Meta:
        table_name = "competitor"


class BattlecardRow(BaseModel):
    competitor = ForeignKeyField(CompetitorRow, backref="battlecards", on_delete="CASCADE")
    title = CharField(max_length=200)
    body = TextField(default="")

    class Meta:
        table_name = "battlecard"


class OpportunityCompetitorRow(BaseModel):
    opportunity = ForeignKeyField(OpportunityRow, backref="competitors", on_delete="CASCADE")
    competitor = ForeignKeyField(CompetitorRow, backref="opportunities", on_delete="CASCADE")
    notes = CharField(max_length=200, default="")

    class Meta:
        table_name = "opportunity_competitor"
        indexes = ((("opportunity", "competitor"), True),)
