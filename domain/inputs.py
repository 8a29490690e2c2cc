"""The one boundary for what a person or a file types: ids, dates and text, checked before anything is read
or written (money is parsed in domain/money.py, `parse_cents`). The TUI's forms, the CLI's options and the
importer call these, so they refuse the same things; each raises `InputError` (a ValueError) whose reason
reads after the field's name as the user typed it ("--value: at most $1,000,000,000,000.00, got '1e308'").

Limits (docs/reliability.md, "Input limits"):
- an id is a whole number from 1 to 9,223,372,036,854,775,807 (a 64-bit integer, the databases' own limit);
- a date is YYYY-MM-DD and exists (no 2026-02-30, no week or compact forms);
- a text field holds at most its record's length (`TEXT_LIMITS`) and no control character (tab and newline
  only where the field is multi-line), so nothing typed can rewrite the terminal of whoever reads it later.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date

MAX_ID = 2**63 - 1

# The records' own limits (domain/records/base.py): what may go in is what can come out again.
SHORT_TEXT = 200
LONG_TEXT = 20_000

_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_DIGITS = re.compile(r"[0-9]+")


class InputError(ValueError):
    """A value refused at the boundary; the message is the reason, without the field's name."""


def _shown(text: object) -> str:
    shown = repr(text)
    return shown if len(shown) <= 42 else shown[:40] + "…'"


def parse_id(text: str | int) -> int:
    """A record id: a whole number from 1 to MAX_ID."""
    if isinstance(text, bool):
        raise InputError(f"expected an id (a whole number), got {text!r}")
    if isinstance(text, int):
        value = text
    else:
        cleaned = text.strip()
        if not _DIGITS.fullmatch(cleaned) or len(cleaned) > 30:
            raise InputError(f"expected an id (a whole number from 1), got {_shown(text)}")
        value = int(cleaned)
    if not 1 <= value <= MAX_ID:
        raise InputError(f"expected an id from 1 to {MAX_ID:,}, got {_shown(text)}")
    return value


def parse_count(text: str, *, minimum: int = 0, maximum: int = MAX_ID) -> int:
    """A whole number in [minimum, maximum] (a limit, an offset, a version, a seed)."""
    cleaned = text.strip()
    negative = cleaned.startswith("-")
    digits = cleaned[1:] if negative else cleaned
    if not _DIGITS.fullmatch(digits) or len(digits) > 30:
        raise InputError(f"expected a whole number, got {_shown(text)}")
    value = -int(digits) if negative else int(digits)
    if value < minimum:
        raise InputError(f"must be {minimum} or more, got {value}")
    if value > maximum:
        raise InputError(f"must be at most {maximum:,}, got {_shown(text)}")
    return value


def parse_date(text: str) -> date:
    """YYYY-MM-DD, a day that exists; a refusal says what is wrong: the form, or the day itself
    ("2027-02-30": "no such day: February 2027 has 28 days")."""
    import calendar

    cleaned = text.strip()
    if not _DATE.fullmatch(cleaned):
        raise InputError(f"expected a date as YYYY-MM-DD, got {_shown(text)}")
    year, month, day = (int(part) for part in cleaned.split("-"))
    if not 1 <= month <= 12:
        raise InputError(f"no month {month:02d}: months run from 01 to 12")
    days = calendar.monthrange(year, month)[1] if year >= 1 else 31
    if year < 1 or not 1 <= day <= days:
        raise InputError(f"no such day: {date(max(year, 1), month, 1):%B %Y} has {days} days" if year >= 1
                         else f"no such day: {_shown(text)}")
    return date(year, month, day)


def control_character(text: str, *, multiline: bool = False) -> str | None:
    """The first control character in `text` (escape, bell, NUL, a bidi override ...), or None. Newlines and
    tabs are allowed in multi-line fields."""
    allowed = "\n\t\r" if multiline else ""
    for char in text:
        if char in allowed:
            continue
        if unicodedata.category(char) in ("Cc", "Cf") and char not in "\u200d":  # a ZWJ joins emoji
            return char
    return None


def check_text(text: str, *, limit: int = SHORT_TEXT, multiline: bool = False, required: bool = False) -> str:
    """Typed text, stripped; refused if longer than `limit` characters or holding a control character."""
    if not isinstance(text, str):
        raise InputError(f"expected text, got {_shown(text)}")
    cleaned = text.strip()
    if required and not cleaned:
        raise InputError("required")
    if len(cleaned) > limit:
        raise InputError(f"at most {limit:,} characters, got {len(cleaned):,}")
    bad = control_character(cleaned, multiline=multiline)
    if bad is not None:
        raise InputError(f"control character U+{ord(bad):04X} is not allowed")
    if any("\ud800" <= c <= "\udfff" for c in cleaned):  # a byte that was not UTF-8 (surrogateescape)
        raise InputError("not valid UTF-8 text")
    return cleaned
