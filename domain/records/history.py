from __future__ import annotations

from datetime import date

from pydantic import Field

from domain.enums import AuditAction
from domain.records.base import Cents, Record, ShortText, UTCDateTime


class StageChange(Record):
    """One entry of an opportunity's stage history (from None when it was created)."""

    opportunity_id: int
    from_stage: str | None = Field(default=None, max_length=40)
    to_stage: str = Field(max_length=40)
    changed_at: UTCDateTime
    changed_by_id: int | None = None
    value_cents: Cents
    probability: int = Field(ge=0, le=100)


class ForecastSnapshot(Record):
    taken_on: date
    period_kind: str = Field(default="month", max_length=16)
    period_start: date
    method: str = Field(max_length=32)
    scope: ShortText = "team"
    forecast_cents: Cents
    best_case_cents: Cents
    worst_case_cents: Cents
    commit_cents: Cents = 0
    confidence: float = Field(ge=0.0, le=1.0)
    created_at: UTCDateTime


class PipelineVersion(Record):
    """One version of the pipeline configuration, as stored: the TOML text exactly as it was given."""

    number: int = Field(ge=1)
    toml: str = Field(max_length=1_000_000)
    created_by: ShortText
    created_at: UTCDateTime


class AuditEntry(Record):
    at: UTCDateTime
    actor: ShortText
    action: AuditAction
    table_name: ShortText
    record_id: int
    field: ShortText = ""
    old_value: str | None = None
    new_value: str | None = None
    unit: str | None = Field(default=None, max_length=32)  # the unit of work that wrote it
