from __future__ import annotations

from datetime import date

from pydantic import Field, model_validator

from domain.enums import (
    AccountSize,
    AccountStatus,
    AccountTier,
    BuyingRole,
    ContractStatus,
    Industry,
    TeamRole,
)
from domain.records.base import (
    Cents,
    Email,
    Name,
    Phone,
    Record,
    ShortText,
    UTCDateTime,
)


class Account(Record):
    external_id: ShortText | None = None
    name: Name
    domain: ShortText = ""
    phone: Phone = ""
    industry: Industry
    size: AccountSize
    annual_revenue_cents: Cents | None = None
    # Headquarters address, structured.
    hq_street: ShortText = ""
    hq_city: ShortText = ""
    hq_region: ShortText = ""
    hq_postal_code: ShortText = ""
    hq_country: ShortText = ""
    parent_id: int | None = None
    status: AccountStatus = AccountStatus.PROSPECT
    tier: AccountTier = AccountTier.STANDARD
    owner_id: int | None = None
    renewal_date: date | None = None
    last_activity_at: UTCDateTime | None = None
    health_score: int | None = Field(default=None, ge=0, le=100)
    health_computed_at: UTCDateTime | None = None
    created_at: UTCDateTime
    updated_at: UTCDateTime
    version: int = 1
    archived_at: UTCDateTime | None = None  # retired: out of lists, figures and pickers

    @model_validator(mode="after")
    def _not_own_parent(self) -> "Account":
        if self.id is not None and self.parent_id == self.id:
            raise ValueError("parent_id: an account cannot be its own parent")
        return self


class AccountLocation(Record):
    account_id: int
    name: Name
    street: ShortText = ""
    city: ShortText = ""
    region: ShortText = ""
    postal_code: ShortText = ""
    country: ShortText = ""
    phone: Phone = ""


class AccountTeamMember(Record):
    account_id: int
    user_id: int
    role: TeamRole
    is_primary: bool = False
    start_date: date
    end_date: date | None = None

    @model_validator(mode="after")
    def _dates_in_order(self) -> "AccountTeamMember":
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValueError("end_date: must not be before start_date")
        return self


class Contract(Record):
    account_id: int
    number: ShortText = ""
    value_cents: Cents
    start_date: date
    end_date: date
    status: ContractStatus = ContractStatus.ACTIVE
    auto_renew: bool = False

    @model_validator(mode="after")
    def _dates_in_order(self) -> "Contract":
        if self.end_date < self.start_date:
            raise ValueError("end_date: must not be before start_date")
        return self


class Contact(Record):
    external_id: ShortText | None = None
    account_id: int | None = None
    first_name: Name
    last_name: ShortText = ""
    title: ShortText = ""
    email: Email | None = None
    phone: Phone = ""
    buying_role: BuyingRole | None = None
    reports_to_id: int | None = None
    created_at: UTCDateTime
    updated_at: UTCDateTime
    version: int = 1
    archived_at: UTCDateTime | None = None  # retired: out of lists, figures and pickers

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()
