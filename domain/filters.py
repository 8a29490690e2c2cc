"""Filters and sort orders for lists, validated here so the CLI and the TUI refuse the same things."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.enums import (
    AccountStatus,
    AccountTier,
    LeadStatus,
    ProposalStatus,
    TaskStatus,
)


class _Filter(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = ""
    sort: str = ""
    descending: bool = False
    # Set by the session, never by the user: the owners whose records the viewer may see
    # (None: everyone). See domain/visibility.py.
    visible_owners: tuple[str, ...] | None = None
    # Archived records (`pantry archive`) are left out unless this is set (`--archived`).
    archived: bool = False


class OpportunityFilter(_Filter):
    owners: tuple[str, ...] = ()
    team: str = ""
    stages: tuple[str, ...] = ()
    status: Literal["any", "open", "won", "lost", "closed"] = "any"
    min_value_cents: int | None = Field(default=None, ge=0)
    max_value_cents: int | None = Field(default=None, ge=0)
    close_from: date | None = None
    close_to: date | None = None
    # the actual close date (closed deals: the Friday wrap-up's won:this-week, lost:last-week, closed:2026-12)
    closed_from: date | None = None
    closed_to: date | None = None
    account_id: int | None = None

    @model_validator(mode="after")
    def _ranges(self) -> "OpportunityFilter":
        if self.min_value_cents is not None and self.max_value_cents is not None:
            if self.min_value_cents > self.max_value_cents:
                raise ValueError("min_value: must not exceed max_value")
        if self.close_from and self.close_to and self.close_from > self.close_to:
            raise ValueError("close_from: must not be after close_to")
        if self.closed_from and self.closed_to and self.closed_from > self.closed_to:
            raise ValueError("closed_from: must not be after closed_to")
        return self


class LeadFilter(_Filter):
    statuses: tuple[LeadStatus, ...] = ()
    sources: tuple[str, ...] = ()
    owners: tuple[str, ...] = ()
    unassigned: bool = False
    flagged: bool | None = None
    # With visible_owners: also the leads nobody owns yet (a manager assigns those).
    visible_unassigned: bool = False


class AccountFilter(_Filter):
    tiers: tuple[AccountTier, ...] = ()
    statuses: tuple[AccountStatus, ...] = ()
    owners: tuple[str, ...] = ()
    industry: str = ""
    min_health: int | None = Field(default=None, ge=0, le=100)
    max_health: int | None = Field(default=None, ge=0, le=100)


class ContactFilter(_Filter):
    account_id: int | None = None


class ProposalFilter(_Filter):
    statuses: tuple[ProposalStatus, ...] = ()
    owners: tuple[str, ...] = ()


class TaskFilter(_Filter):
    assignees: tuple[str, ...] = ()
    statuses: tuple[TaskStatus, ...] = ()
    due_before: date | None = None


class UserFilter(_Filter):
    roles: tuple[str, ...] = ()
    active: bool | None = None


class ProductFilter(_Filter):
    category: str = ""


class Scope(BaseModel):
    """Whose records a figure covers: some reps (logins), one team, or everyone."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    owners: tuple[str, ...] = ()
    team: str = ""
    # Leads nobody owns yet count too (a manager's or admin's view of the whole queue, as on the
    # Leads list); only meaningful for lead figures, and only when no rep or team was asked for.
    unassigned_leads: bool = False

    @property
    def narrows(self) -> bool:
        return bool(self.owners or self.team)
