"""Read models: what list screens, the CLI and reports receive from the store's queries.

These are flat rows with the names of related records already joined in, so a screen
never needs a second query per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its items, where it starts, and how many the whole list has."""

    items: list[T]
    offset: int
    total: int


@dataclass(frozen=True, slots=True)
class StageTotal:
    """One stage's aggregate. `weighted_numerator` = SUM(value_cents x probability), exact."""

    stage: str
    count: int
    value_cents: int
    weighted_numerator: int


@dataclass(frozen=True, slots=True)
class OpportunityItem:
    id: int
    name: str
    account_id: int | None
    account: str
    stage: str
    value_cents: int
    probability: int
    owner_login: str
    owner_name: str
    expected_close_date: date
    actual_close_date: date | None
    stage_entered_at: datetime
    last_activity_at: datetime | None
    forecast_category: str
    version: int

    def days_in_stage(self, today: date) -> int:
        return max(0, (today - self.stage_entered_at.date()).days)

    def days_idle(self, today: date) -> int | None:
        if self.last_activity_at is None:
            return None
        return max(0, (today - self.last_activity_at.date()).days)


@dataclass(frozen=True, slots=True)
class LeadItem:
    id: int
    name: str
    company: str
    email: str | None
    phone: str
    source: str
    status: str
    score: int
    owner_login: str
    flagged: bool
    flag_reason: str
    created_at: datetime
    first_response_at: datetime | None
    version: int


@dataclass(frozen=True, slots=True)
class AccountItem:
    id: int
    name: str
    industry: str
    size: str
    status: str
    tier: str
    owner_login: str
    parent: str
    hq_city: str
    hq_region: str
    annual_revenue_cents: int | None
    health_score: int | None
    open_value_cents: int
    renewal_date: date | None
    last_activity_at: datetime | None


@dataclass(frozen=True, slots=True)
class ContactItem:
    id: int
    name: str
    title: str
    account_id: int | None
    account: str
    email: str | None
    phone: str
    buying_role: str | None
    reports_to: str


@dataclass(frozen=True, slots=True)
class ProposalItem:
    id: int
    number: str
    title: str
    opportunity_id: int
    opportunity: str
    account: str
    owner_login: str
    amount_cents: int
    status: str
    sent_at: datetime | None
    decided_at: datetime | None
    valid_until: date | None


@dataclass(frozen=True, slots=True)
class TaskItem:
    id: int
    title: str
    due_on: date | None
    priority: str
    status: str
    assignee_login: str
    related: str
    opportunity_id: int | None
    account_id: int | None
    lead_id: int | None
    created_by_automation: str


@dataclass(frozen=True, slots=True)
class UserItem:
    id: int
    login: str
    display_name: str
    email: str | None
    role: str
    manager_login: str
    team: str
    region: str
    active: bool


@dataclass(frozen=True, slots=True)
class ProductItem:
    id: int
    sku: str
    name: str
    category: str
    unit: str
    list_price_cents: int
    active: bool


@dataclass(frozen=True, slots=True)
class PickerOption:
    """One choice a form's picker offers: `value` is what the record editor takes (an id, a login)."""

    value: str
    label: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class SearchHit:
    kind: str  # "account" | "opportunity" | "contact" | "lead"
    id: int
    label: str
    detail: str
