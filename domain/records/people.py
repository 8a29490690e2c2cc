from __future__ import annotations

from datetime import date

from pydantic import Field, field_validator

from domain.enums import QuotaPeriod, Role
from domain.records.base import Cents, Email, Name, Record, ShortText, UTCDateTime


class User(Record):
    login: str = Field(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9._-]*$")
    display_name: Name
    email: Email | None = None
    role: Role = Role.REP
    manager_id: int | None = None
    team: ShortText = ""
    region: ShortText = ""
    active: bool = True
    last_seen_at: UTCDateTime | None = None
    created_at: UTCDateTime
    version: int = 1


class Quota(Record):
    user_id: int
    period: QuotaPeriod
    period_start: date
    amount_cents: Cents

    @field_validator("period_start")
    @classmethod
    def _first_of_period(cls, value: date) -> date:
        if value.day != 1:
            raise ValueError("a quota period starts on the first of a month")
        return value
