"""Facts: the read models the store computes for the domain's formulas.

Each is a small frozen row of counts and sums (grouped SQL aggregates) that a domain rule turns
into a figure: the pipeline engine's requirement facts and alert keys, the analytics' closed,
conversion, duration, breakdown and source totals, account health's facts, interaction totals.
They live in the domain because the domain consumes them (`domain/ports.py` promises them);
the store only fills them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

# -- the pipeline engine (requirements, alerts) ---------------------------------------------------


@dataclass(frozen=True)
class RequirementFacts:
    completed_activity_kinds: frozenset[str]
    line_item_count: int
    sent_proposal_count: int


@dataclass(frozen=True)
class AlertKey:
    """What ranks an alert: enough to compute its days and severity, nothing to display."""
    id: int
    stage: str
    value_cents: int
    stage_entered_at: datetime
    last_touch_at: datetime
    probability: int = 0  # the deal's own (what weighs its value at risk on Needs attention)


@dataclass(frozen=True)
class AlertLabel:
    name: str
    account: str
    owner_login: str


# -- analytics ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClosedStats:
    won_count: int
    won_value: int
    lost_count: int
    lost_value: int
    won_cycle_days_sum: float
    closed_cycle_days_sum: float


@dataclass(frozen=True)
class ConversionRow:
    from_stage: str
    to_stage: str
    entered: int
    reached: int


@dataclass(frozen=True)
class StageDuration:
    stage: str
    stays: int
    total_days: float


@dataclass(frozen=True)
class Breakdown:
    key: str
    won_count: int
    won_value: int
    lost_count: int
    lost_value: int
    open_count: int
    open_value: int
    weighted_numerator: int


@dataclass(frozen=True)
class SourceLine:
    source: str
    leads: int
    converted: int
    won_count: int
    won_value: int
    cost: int | None
    response_hours_sum: float
    responded: int


@dataclass(frozen=True)
class RepProfile:
    user_id: int
    login: str
    name: str
    manager: str
    team: str
    region: str
    role: str


# -- account health and interactions --------------------------------------------------------------


def sentiment_mean(total: float, scored: int) -> float:
    """The mean of `scored` sentiments summing to `total`, the sum first rounded to 6 places: SQL adds floats
    in no fixed order, and the health panel and the interaction insights must show one mean, not +0.16
    beside +0.17."""
    return round(total, 6) / scored


@dataclass(frozen=True)
class AccountHealthFacts:
    """Everything the four health factors need for one account, as of one instant."""

    id: int
    name: str
    tier: str
    status: str
    owner_login: str  # '' when the account has no owner
    owner_name: str
    renewal_date: date | None
    last_interaction_at: datetime | None  # newest completed interaction at or before as-of
    contract_value_cents: int  # contracts in force on the as-of date
    contracts_in_force: int
    interactions: int  # completed interactions in the engagement window
    contacts_engaged: int  # distinct contacts in them (the activity's contact and attending participants)
    sentiment_sum: float
    sentiment_scored: int
    won_last_year_cents: int
    won_prior_year_cents: int
    open_pipeline_cents: int  # deals open at as-of
    open_deals: int
    expansion_deals: int  # open at as-of or won in the last year, started after the account's first win

    @property
    def sentiment_average(self) -> float | None:
        return None if self.sentiment_scored == 0 else sentiment_mean(self.sentiment_sum, self.sentiment_scored)


@dataclass(frozen=True)
class InteractionTotals:
    """Counts and sentiment of activities in a period, and in its two halves (for the trend)."""

    by_kind: dict[str, int]
    sentiment_sum: float
    scored: int
    positive: int
    neutral: int
    negative: int
    first_half: int
    first_half_sentiment_sum: float
    first_half_scored: int
    second_half: int
    second_half_sentiment_sum: float
    second_half_scored: int

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())


@dataclass(frozen=True)
class InteractionBucket:
    start: date
    count: int
    sentiment_sum: float
    scored: int


@dataclass(frozen=True)
class LeadResponseTotals:
    leads: int  # leads created in the period
    responded: int  # of which have a first response
    hours_sum: float  # creation -> first response, summed over the responded ones
    within_target: int  # responded within the target hours


@dataclass(frozen=True)
class RepName:
    id: int
    login: str
    name: str
    team: str
