"""Forecast categories against quota: what is committed, what is best case, what is already won.

The open deals expected to close in a period (an overdue deal — expected before today, still open — counts
in the period containing today) by forecast category at face value, rolled up as Salesforce and HubSpot do:
commit = closed + commit; best case = commit + best case; pipeline = best case + pipeline; omitted never
rolls up. One roll-up (`Attainment`) for the report, `pantry forecast show` and the Forecast screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable, Sequence

from domain.enums import ForecastCategory
from domain.services.pipeline_summary import weighted_cents

CATEGORY_ORDER = (ForecastCategory.CLOSED, ForecastCategory.COMMIT, ForecastCategory.BEST_CASE,
                  ForecastCategory.PIPELINE, ForecastCategory.OMITTED)


@dataclass(frozen=True)
class CategoryLine:
    category: ForecastCategory
    count: int
    value_cents: int
    weighted_cents: int = 0  # value × the configured probability (the closed line: its value)


class AgainstQuota:
    """Won and commit against a quota (of a period, of a rep): `quota_cents`, `won_cents`, `commit_cents`."""

    @property
    def quota_attainment(self) -> float | None:
        return None if not self.quota_cents else self.won_cents / self.quota_cents

    @property
    def commit_attainment(self) -> float | None:
        return None if not self.quota_cents else self.commit_cents / self.quota_cents


@dataclass(frozen=True)
class Attainment(AgainstQuota):
    """Categories rolled up against the period's quota."""

    period_start: date
    period_end: date
    quota_cents: int | None
    won_count: int
    won_cents: int
    lines: tuple[CategoryLine, ...]  # closed, commit, best case, pipeline, omitted
    overdue_count: int = 0  # open deals expected before today counted in this (the current) period
    overdue_cents: int = 0

    def value_of(self, category: ForecastCategory) -> int:
        return sum(line.value_cents for line in self.lines if line.category is category)

    @property
    def commit_cents(self) -> int:
        """Closed + commit."""
        return self.won_cents + self.value_of(ForecastCategory.COMMIT)

    @property
    def best_case_cents(self) -> int:
        """Commit + best case."""
        return self.commit_cents + self.value_of(ForecastCategory.BEST_CASE)

    @property
    def pipeline_cents(self) -> int:
        """Best case + pipeline (omitted never rolls up)."""
        return self.best_case_cents + self.value_of(ForecastCategory.PIPELINE)

    def rollup(self, category: ForecastCategory) -> int | None:
        return {ForecastCategory.CLOSED: self.won_cents, ForecastCategory.COMMIT: self.commit_cents,
                ForecastCategory.BEST_CASE: self.best_case_cents,
                ForecastCategory.PIPELINE: self.pipeline_cents}.get(category)


# (owner, category, deals, value, Σ value × probability, overdue deals, overdue value): what the store's
# `category_lines` gives, and what a reconstructed pipeline is folded into.
Row = tuple[str, str, int, int, int, int, int]


def category_rows(open_deals: Iterable, start: date, end: date, today: date) -> list[Row]:
    """The same rows as the store's `category_lines`, from deals reconstructed at a past instant."""
    current = start <= today <= end
    out: dict[tuple[str, str], list[int]] = {}
    for deal in open_deals:
        due = deal.expected_close_date
        if not (due <= end if current else max(start, today) <= due <= end):
            continue
        acc = out.setdefault((deal.owner, deal.category.value), [0, 0, 0, 0, 0])
        acc[0] += 1
        acc[1] += deal.value_cents
        acc[2] += deal.value_cents * deal.probability
        if due < today:
            acc[3] += 1
            acc[4] += deal.value_cents
    return [(o, c, *acc) for (o, c), acc in sorted(out.items())]


def attainment(rows: Sequence[Row], start: date, end: date, won: tuple[int, int], quota: int | None,
               owners: Iterable[str] | None = None) -> Attainment:
    """The roll-up of `rows` (of `owners` only, when given): won = (count, value)."""
    wanted = None if owners is None else set(owners)
    count = {c: 0 for c in CATEGORY_ORDER}
    value = {c: 0 for c in CATEGORY_ORDER}
    weighted = {c: 0 for c in CATEGORY_ORDER}
    overdue = [0, 0]
    for owner, category, n, v, w, od, ov in rows:
        if wanted is not None and owner not in wanted:
            continue
        key = ForecastCategory(category)
        if key is ForecastCategory.CLOSED:  # an open deal marked closed is committed, not won
            key = ForecastCategory.COMMIT
        count[key] += n
        value[key] += v
        weighted[key] += w
        overdue[0] += od
        overdue[1] += ov
    won_count, won_cents = won
    lines = tuple(CategoryLine(ForecastCategory.CLOSED, won_count, won_cents, won_cents) if c is ForecastCategory.CLOSED
                  else CategoryLine(c, count[c], value[c], weighted_cents(weighted[c])) for c in CATEGORY_ORDER)
    return Attainment(start, end, quota, won_count, won_cents, lines, overdue[0], overdue[1])

