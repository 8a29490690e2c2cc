from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import Field, field_validator, model_validator

from domain.enums import ForecastCategory, Pricing
from domain.money import line_total
from domain.records.base import (
    Cents,
    LongText,
    Name,
    Percent,
    Record,
    ShortText,
    UTCDateTime,
)


class Product(Record):
    sku: str = Field(min_length=1, max_length=64)
    name: Name
    category: ShortText
    unit: ShortText = "each"
    list_price_cents: Cents
    active: bool = True
    description: LongText = ""


class LineItem(Record):
    """The seed's OpportunityProduct: quantity x unit price less a discount."""

    opportunity_id: int
    product_id: int
    name: Name
    quantity: Decimal = Field(gt=0, max_digits=12, decimal_places=3)
    unit_price_cents: Cents
    discount_pct: Decimal = Field(default=Decimal(0), ge=0, le=100, max_digits=5, decimal_places=2)
    total_cents: Cents = 0

    @model_validator(mode="after")
    def _total_matches(self) -> "LineItem":
        expected = line_total(self.unit_price_cents, self.quantity, self.discount_pct)
        if self.total_cents != expected:
            # Always derived; a caller's stale total is corrected, never trusted.
            object.__setattr__(self, "total_cents", expected)
        return self


class Opportunity(Record):
    external_id: ShortText | None = None
    name: Name
    account_id: int | None = None
    contact_id: int | None = None
    stage: str = Field(min_length=1, max_length=40)
    probability: Percent
    probability_overridden: bool = False
    value_cents: Cents
    budget_cents: Cents | None = None
    started_on: date
    expected_close_date: date
    actual_close_date: date | None = None
    source: ShortText = ""
    owner_id: int
    lost_reason: ShortText = ""
    next_step: ShortText = ""
    description: LongText = ""
    forecast_category: ForecastCategory = ForecastCategory.PIPELINE
    forecast_category_overridden: bool = False
    stage_entered_at: UTCDateTime
    last_activity_at: UTCDateTime | None = None
    created_at: UTCDateTime
    updated_at: UTCDateTime
    updated_by_id: int | None = None
    version: int = 1
    archived_at: UTCDateTime | None = None  # retired: out of lists, figures and pickers


class Competitor(Record):
    name: Name
    strengths: list[ShortText] = []
    weaknesses: list[ShortText] = []
    pricing: Pricing = Pricing.COMPETITIVE
    market_share: float = Field(default=0.0, ge=0.0, le=1.0)
    website: ShortText = ""
    archived_at: UTCDateTime | None = None  # retired: out of lists, figures and pickers

    @field_validator("strengths", "weaknesses")
    @classmethod
    def _no_blank_points(cls, value: list[str]) -> list[str]:
        if any(not point.strip() for point in value):
            raise ValueError("blank entry in list")
        return value


class Battlecard(Record):
    competitor_id: int
    title: Name
    body: LongText = ""


class OpportunityCompetitor(Record):
    opportunity_id: int
    competitor_id: int
    notes: ShortText = ""
