"""Time for the demo data: integer UTC epoch seconds anchored at `today`.

Generators work on plain ints (fast to add, compare and sort) and turn them into the
store's text form only when a row is written: naive UTC "YYYY-MM-DD HH:MM:SS" for
timestamps (what UTCDateTimeField stores) and "YYYY-MM-DD" for dates.

"Now" is noon UTC of `today` (the same instant as `domain.clock.FixedClock.on(today)`);
nothing in the past is later than that and the history starts 18 months before it.
"""

from __future__ import annotations

from datetime import date

DAY = 86_400
HOUR = 3_600
MINUTE = 60
HISTORY_DAYS = 548  # 18 months
_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
# Business hours in UTC: 13:00-23:00 is 8 am - 6 pm on the US east coast, 5 am - 3 pm in the west.
_WORKDAY_START = 13 * HOUR
_WORKDAY_LENGTH = 10 * HOUR


class _DayText(dict):
    """Epoch day number -> 'YYYY-MM-DD', filled on first use."""

    def __missing__(self, day: int) -> str:
        text = date.fromordinal(day + _EPOCH_ORDINAL).isoformat()
        self[day] = text
        return text


_TIME_OF_DAY = tuple(f" {s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}" for s in range(DAY))


class Timeline:
    def __init__(self, today: date) -> None:
        self.today = today
        self.today_day = today.toordinal() - _EPOCH_ORDINAL
        self.now = self.today_day * DAY + 12 * HOUR
        self.start = self.now - HISTORY_DAYS * DAY
        self.start_day = self.today_day - HISTORY_DAYS
        self._days = _DayText()

    # -- text forms -------------------------------------------------------------------
    def ts(self, t: int) -> str:
        return self._days[t // DAY] + _TIME_OF_DAY[t % DAY]

    def ts_or_none(self, t: int | None) -> str | None:
        return None if t is None else self._days[t // DAY] + _TIME_OF_DAY[t % DAY]

    def ds(self, day: int) -> str:
        return self._days[day]

    def ds_or_none(self, day: int | None) -> str | None:
        return None if day is None else self._days[day]

    def ts_formatter(self):
        """A fast local `ts` for hot loops."""
        days, tod = self._days, _TIME_OF_DAY

        def ts(t: int) -> str:
            return days[t // DAY] + tod[t % DAY]

        return ts

    # -- calendar ---------------------------------------------------------------------
    @staticmethod
    def to_date(day: int) -> date:
        return date.fromordinal(day + _EPOCH_ORDINAL)

    @staticmethod
    def day_of(value: date) -> int:
        return value.toordinal() - _EPOCH_ORDINAL

    @staticmethod
    def workday(day: int) -> int:
        """Saturday moves back to Friday, Sunday forward to Monday (1970-01-01 was a Thursday)."""
        weekday = (day + 3) % 7
        if weekday == 5:
            return day - 1
        if weekday == 6:
            return day + 1
        return day

    def at_work(self, rnd, t: int) -> int:
        """Some business-hours moment on the working day nearest to instant `t`."""
        return self.workday(t // DAY) * DAY + _WORKDAY_START + int(rnd() * _WORKDAY_LENGTH)

    def between(self, rnd, lo: int, hi: int) -> int:
        """A business-hours instant in [lo, hi] (plain uniform when the window is short)."""
        if hi <= lo:
            return lo
        t = self.at_work(rnd, lo + int(rnd() * (hi - lo)))
        if t < lo or t > hi:
            return lo + int(rnd() * (hi - lo))
        return t
