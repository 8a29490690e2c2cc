"""Forecast categories for a period: what is committed, what is best case, what is already won."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from domain.enums import ForecastCategory
from domain.services.pipeline_summary import weighted_cents
from domain.session import Session


@dataclass(frozen=True)
class CategoryLine:
    category: ForecastCategory
    count: int
    value_cents: int
    weighted_cents: int


@dataclass(frozen=True)
class PeriodForecast:
    label: str
    start: date
    end: date
    quota_cents: int
    won_count: int
    won_cents: int
    categories: tuple[CategoryLine, ...]

    def value_of(self, category: ForecastCategory) -> int:
        return sum(c.value_cents for c in self.categories if c.category is category)

    @property
    def commit_cents(self) -> int:
        """Closed won plus open deals in the commit category (how Salesforce and HubSpot roll up commit)."""
        return self.won_cents + self.value_of(ForecastCategory.COMMIT)

    @property
    def best_case_cents(self) -> int:
        return self.commit_cents + self.value_of(ForecastCategory.BEST_CASE)


def period_forecast(session: Session, label: str, start: date, end: date, quota_period: str) -> PeriodForecast:
    store = session.store
    # An open deal whose close date has passed is still expected: it counts in the period containing
    # today (as in `report forecast`, docs/forecasting.md), not in no period at all.
    current = start <= session.clock.today() <= end
    raw = {c: (n, v, w) for c, n, v, w in store.category_totals(None if current else start, end, session.pipeline,
                                                                 session.visible_logins())}
    lines = []
    for category in (ForecastCategory.COMMIT, ForecastCategory.BEST_CASE, ForecastCategory.PIPELINE, ForecastCategory.OMITTED):
        n, v, w = raw.get(category.value, (0, 0, 0))
        lines.append(CategoryLine(category, n, v, weighted_cents(w)))
    won_count, won_cents = store.won_between(session.pipeline.won.id, start, end, session.owners())
    return PeriodForecast(
        label=label,
        start=start,
        end=end,
        quota_cents=store.quota_total(quota_period, start, session.quota_logins()),
        won_count=won_count,
        won_cents=won_cents,
        categories=tuple(lines),
    )
