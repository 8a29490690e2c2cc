"""Calendar periods: months and quarters, as [start, end] dates."""

from __future__ import annotations

from datetime import date, timedelta


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    index = day.year * 12 + (day.month - 1) + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(day: date) -> date:
    return add_months(month_start(day), 1) - timedelta(days=1)


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def quarter_end(day: date) -> date:
    return add_months(quarter_start(day), 3) - timedelta(days=1)


def week_start(day: date) -> date:
    """Monday of the ISO week containing `day`."""
    return day - timedelta(days=day.weekday())


PERIOD_WORDS = ("today", "this-week", "last-week", "this-month", "last-month", "this-quarter", "last-quarter")


def named_period(text: str, today: date) -> tuple[date, date]:
    """A period as a person names it -> [start, end]: this-week, last-week, this-month, last-month,
    this-quarter, last-quarter, today, 2026-12 (a month), 2026-Q4 (a quarter), 2026-12-04 (a day).
    Weeks start on Monday. A ValueError says what is understood."""
    word = text.strip().lower()
    if word == "today":
        return today, today
    if word in ("this-week", "last-week"):
        start = week_start(today) - (timedelta(days=7) if word == "last-week" else timedelta(0))
        return start, start + timedelta(days=6)
    if word in ("this-month", "last-month"):
        start = add_months(month_start(today), -1 if word == "last-month" else 0)
        return start, month_end(start)
    if word in ("this-quarter", "last-quarter"):
        start = add_months(quarter_start(today), -3 if word == "last-quarter" else 0)
        return start, quarter_end(start)
    try:
        if len(word) == 7 and word[4] == "-" and word.isascii() and word[5:].isdigit():
            start = date(int(word[:4]), int(word[5:]), 1)
            return start, month_end(start)
        if len(word) == 7 and word[4:6] == "-q" and word[6] in "1234" and word.isascii() and word[:4].isdigit():
            start = date(int(word[:4]), 3 * (int(word[6]) - 1) + 1, 1)
            return start, quarter_end(start)
        day = date.fromisoformat(word)
        return day, day
    except ValueError:
        raise ValueError(f"expected {', '.join(PERIOD_WORDS)}, YYYY-MM, YYYY-Qn or YYYY-MM-DD, got {text!r}") from None
