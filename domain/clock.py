"""Injectable time. Domain code asks a Clock for "now" and "today", never datetime.now()."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone, tzinfo
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, timezone-aware, in UTC."""

    def today(self) -> date:
        """The user's calendar date."""


class SystemClock:
    """The real clock; "today" is the date in the given zone (the machine's local zone by default)."""

    def __init__(self, tz: tzinfo | None = None) -> None:
        self._tz = tz

    def now(self) -> datetime:
        return datetime.now(timezone.utc)

    def today(self) -> date:
        return self.now().astimezone(self._tz).date()


class FixedClock:
    """A clock frozen at one instant (tests, snapshots and `--as-of`). `advance` moves it on."""

    def __init__(self, instant: datetime) -> None:
        if instant.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._now = instant.astimezone(timezone.utc)

    @classmethod
    def on(cls, day: date, at: time = time(12, 0)) -> "FixedClock":
        return cls(datetime.combine(day, at, tzinfo=timezone.utc))

    def now(self) -> datetime:
        return self._now

    def today(self) -> date:
        return self._now.date()

    def advance(self, delta: timedelta) -> None:
        self._now += delta


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """Shorthand for a UTC instant (fixtures, demo data)."""
    return datetime(year, month, day, hour, minute, tzinfo=timezone.utc)


def start_of_day(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=timezone.utc)
