"""What `generate_demo` reports back, and the error it raises."""

from __future__ import annotations

from dataclasses import dataclass, fields


class DemoError(ValueError):
    """The demo data cannot be generated here (e.g. the database already holds data)."""


@dataclass(frozen=True)
class DemoSummary:
    """Rows written per table."""

    users: int = 0
    quotas: int = 0
    accounts: int = 0
    account_locations: int = 0
    account_team_members: int = 0
    contracts: int = 0
    contacts: int = 0
    products: int = 0
    lead_sources: int = 0
    opportunities: int = 0
    line_items: int = 0
    competitors: int = 0
    battlecards: int = 0
    opportunity_competitors: int = 0
    leads: int = 0
    activities: int = 0
    participants: int = 0
    documents: int = 0
    proposals: int = 0
    tasks: int = 0
    notifications: int = 0
    stage_changes: int = 0

    @property
    def total(self) -> int:
        return sum(getattr(self, f.name) for f in fields(self))

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


# Table name in the store -> DemoSummary field.
SUMMARY_FIELD = {
    "user": "users",
    "quota": "quotas",
    "account": "accounts",
    "account_location": "account_locations",
    "account_team_member": "account_team_members",
    "contract": "contracts",
    "contact": "contacts",
    "product": "products",
    "lead_source": "lead_sources",
    "opportunity": "opportunities",
    "line_item": "line_items",
    "competitor": "competitors",
    "battlecard": "battlecards",
    "opportunity_competitor": "opportunity_competitors",
    "lead": "leads",
    "activity": "activities",
    "participant": "participants",
    "document": "documents",
    "proposal": "proposals",
    "task": "tasks",
    "notification": "notifications",
    "stage_change": "stage_changes",
}
