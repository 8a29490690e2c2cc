from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints


def _must_be_aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        raise ValueError("timestamp must carry a timezone (timestamps are stored in UTC)")
    return value.astimezone(timezone.utc)


UTCDateTime = Annotated[datetime, AfterValidator(_must_be_aware)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
ShortText = Annotated[str, StringConstraints(max_length=200)]
LongText = Annotated[str, StringConstraints(max_length=20_000)]
Cents = Annotated[int, Field(ge=0, le=10**15)]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40, pattern=r"^[0-9+()./\- x]*$")]
Percent = Annotated[int, Field(ge=0, le=100)]


class Record(BaseModel):
    """Base of every record: validated on assignment, unknown fields refused."""

    model_config = ConfigDict(validate_assignment=True, extra="forbid", use_enum_values=False)

    id: int | None = None
