"""Reading source values: timestamps, money, sizes, domains, durations. Shared by the presets."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timezone

from domain.enums import AccountSize
from domain.money import MoneyError, parse_cents

_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ",
            "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S", "%m/%d/%Y %I:%M %p",
            "%m/%d/%Y %H:%M", "%m/%d/%Y")
DATE_HINT = "YYYY-MM-DD, YYYY-MM-DD HH:MM, ISO 8601 or MM/DD/YYYY [HH:MM [AM]]"


def midnight(day: date) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=timezone.utc)


def parse_when(text: str) -> datetime | None:
    """A timestamp (UTC) from the formats CRMs export; None when not understood. A date alone is
    00:00 UTC; a time without an offset is read as UTC."""
    text = text.strip()
    if len(text) == 10:
        try:
            return midnight(date.fromisoformat(text))
        except ValueError:
            pass
    if text[:4].isascii() and text[:4].isdigit():
        try:  # ISO 8601, with or without an offset or Z
            found = datetime.fromisoformat(text)
        except ValueError:
            pass
        else:
            return found.replace(tzinfo=timezone.utc) if found.tzinfo is None else found.astimezone(timezone.utc)
    for fmt in _FORMATS:
        try:
            found = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return found.replace(tzinfo=timezone.utc) if found.tzinfo is None else found.astimezone(timezone.utc)
    return None


MAX_CENTS = 10**15  # records.base.Cents: what an amount may be


def parse_money(text: str) -> int:
    """Dollars to cents: `USD 1,000.00`, `$1,000`, `1000 USD` and `1000` all read (MoneyError if not,
    and for an amount beyond what Pantry stores, such as `1e308`)."""
    try:
        cents = parse_cents(re.sub(r"^[A-Z]{3}\s+|\s+[A-Z]{3}$", "", text.strip()))
    except (ArithmeticError, ValueError) as exc:  # decimal.InvalidOperation on 1e308 and the like
        if isinstance(exc, MoneyError):
            raise
        raise MoneyError(f"not an amount Pantry can store: {text!r}") from None
    if abs(cents) > MAX_CENTS:
        raise MoneyError(f"too large: {text!r} (at most {MAX_CENTS // 100:,} dollars)")
    return cents


def parse_whole(text: str) -> int:
    """`1,250`, `1250` or `1250.0` -> 1250 (ValueError if not a number, or beyond 10**15)."""
    try:
        value = int(float(text.replace(",", "")))
    except OverflowError:
        raise ValueError(f"not a finite number: {text!r}") from None
    if abs(value) > 10**15:
        raise ValueError(f"too large: {text!r}")
    return value


def account_size(employees: int | None, small_below: int = 100, medium_below: int = 1000,
                 large_below: int = 5000) -> AccountSize:
    """Size by head count (blank: small)."""
    if employees is None or employees < small_below:
        return AccountSize.SMALL
    if employees < medium_below:
        return AccountSize.MEDIUM
    if employees < large_below:
        return AccountSize.LARGE
    return AccountSize.ENTERPRISE


def domain_of(text: str) -> str:
    """`https://www.example.com/about` -> `example.com`."""
    text = text.strip().lower()
    text = re.sub(r"^[a-z]+://", "", text)
    text = text.split("/")[0]
    return text.removeprefix("www.")


def minutes_of(text: str, unit: str) -> int:
    """A duration in whole minutes (rounded) from `HH:MM:SS`, `MM:SS` or a number of `unit`
    ("ms", "s" or "min"). ValueError if not understood."""
    text = text.strip()
    if ":" in text:
        parts = [int(p) for p in text.split(":")]
        if len(parts) > 3 or any(p < 0 for p in parts):
            raise ValueError(text)
        seconds = 0
        for part in parts:
            seconds = seconds * 60 + part
        return round(seconds / 60)
    value = float(text.replace(",", ""))
    if value < 0:
        raise ValueError(text)
    return round(value / {"ms": 60_000, "s": 60, "min": 1}[unit])


def first_id(text: str) -> str:
    """The first of a `;`-separated list of ids (HubSpot's `Associated … IDs`)."""
    return text.split(";")[0].strip()


def all_ids(text: str) -> list[str]:
    return [part.strip() for part in text.split(";") if part.strip()]


def letters(text: str) -> str:
    """A picklist value compared without case, spaces or punctuation (`In Progress` = `IN_PROGRESS`)."""
    return re.sub(r"[^a-z]", "", text.lower())
