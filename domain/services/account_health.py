"""Account health: the seed's calculateAccountHealth, with its four factors, made concrete.

Score = Recent Activity + Contract Value + Engagement + Growth, each 0–25, capped at 100.

- Recent Activity (seed, exact): days since the last completed customer interaction, as a
  fraction of days like the seed's `(now − last) / 86,400,000 ms`: ≤ 7 → 25 positive,
  ≤ 30 → 15 neutral, else 5 negative. An account with no interaction ever is the "else"
  case (the seed would crash on `lastActivityDate.getTime()`).
- Contract Value (seed, exact): the sum of the contracts in force on the as-of date (status
  active — or expired when looking back at a date inside its term — and start ≤ date ≤ end):
  > $500,000 → 25 positive, > $100,000 → 15 neutral, else 5 negative. The seed summed every
  contract ever signed, which counts each yearly renewal again; see docs/insights.md.
- Engagement (undefined in the seed; ours): the 90 days to as-of — interactions (≥ 12 → 10,
  ≥ 6 → 7, ≥ 3 → 4, ≥ 1 → 2), distinct contacts engaged (≥ 3 → 8, 2 → 5, 1 → 2) and average
  sentiment (≥ 0.30 → 7, ≥ 0.05 → 5, > −0.05 or none scored → 3, else 0; 0 with no interactions).
- Growth (undefined in the seed; ours): won value in the last 365 days vs the 365 before
  (≥ +10 % or new business → 12, within ±10 % → 8, ≥ half → 4, else 0), open pipeline
  (> 0 and ≥ last year's won → 8, > 0 → 5) and expansion deals (≥ 1 → 5).

Impact labels: the seed's (engagement > 15, growth > 10 → positive, else neutral) plus
"negative" at ≤ 5 for those two — the seed never labels them negative, which we treat as an
error. Risk: ≥ 70 low, 40–69 medium, < 40 high (the seed's calculateRiskLevel is undefined).

Everything is computed from grouped SQL aggregates (`store.insights.health_facts`): the
same code scores one account or all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Literal

from domain.enums import ActivityKind, ContractStatus
from domain.facts import AccountHealthFacts
from domain.money import format_money
from domain.session import Session

Impact = Literal["positive", "neutral", "negative"]
RiskLevel = Literal["low", "medium", "high"]

RECENT_ACTIVITY = "Recent Activity"
CONTRACT_VALUE = "Contract Value"
ENGAGEMENT = "Engagement"
GROWTH = "Growth"
FACTOR_NAMES = (RECENT_ACTIVITY, CONTRACT_VALUE, ENGAGEMENT, GROWTH)
FACTOR_MAX = 25
SCORE_MAX = 100

# Activities that are contact with the customer: everything but internal notes and the
# system's stage-change rows.
INTERACTION_KINDS: frozenset[str] = frozenset(k.value for k in ActivityKind) - {
    ActivityKind.NOTE.value, ActivityKind.STAGE_CHANGE.value,
}
# A contract counts on a date when its term contains the date and it was not cancelled or
# still pending (an "expired" contract was in force on any date inside its term).
IN_FORCE_CONTRACT_STATUSES = (ContractStatus.ACTIVE.value, ContractStatus.EXPIRED.value)

RECENT_DAYS = 7
STALE_DAYS = 30
CONTRACT_HIGH_CENTS = 500_000_00  # more than $500,000
CONTRACT_MID_CENTS = 100_000_00  # more than $100,000
ENGAGEMENT_WINDOW_DAYS = 90
GROWTH_WINDOW_DAYS = 365
LOW_RISK_FROM = 70
MEDIUM_RISK_FROM = 40
NEGATIVE_AT_MOST = 5  # engagement / growth at or below this is labelled negative (our addition)
RENEWAL_WARNING_DAYS = 90


@dataclass(frozen=True)
class HealthFactor:
    name: str
    score: int
    impact: Impact
    detail: str = ""  # what the score was computed from, for people


@dataclass(frozen=True)
class AccountHealth:
    account_id: int
    name: str
    tier: str
    status: str
    owner_login: str
    renewal_date: date | None
    health_score: int
    risk_level: RiskLevel
    factors: tuple[HealthFactor, ...]
    recommendations: tuple[str, ...]
    days_since_last_interaction: float | None
    facts: AccountHealthFacts
    as_of: datetime

    def factor(self, name: str) -> HealthFactor:
        return next(f for f in self.factors if f.name == name)


# -- the factors (pure) ---------------------------------------------------------------------------


def days_between(later: datetime, earlier: datetime) -> float:
    """Fractional days, as the seed's (Date.now() − date.getTime()) / (1000 × 60 × 60 × 24)."""
    return (later - earlier).total_seconds() / 86_400


def recent_activity_points(days_since: float | None) -> int:
    """25 within 7 days, 15 within 30, else (and never) 5 — the seed's thresholds, on fractional days."""
    if days_since is None:
        return 5
    if days_since <= RECENT_DAYS:
        return 25
    if days_since <= STALE_DAYS:
        return 15
    return 5


def contract_value_points(total_cents: int) -> int:
    """25 above $500,000, 15 above $100,000, else 5 — the seed's thresholds, strictly greater, in cents."""
    if total_cents > CONTRACT_HIGH_CENTS:
        return 25
    if total_cents > CONTRACT_MID_CENTS:
        return 15
    return 5


_SEED_IMPACT: dict[int, Impact] = {25: "positive", 15: "neutral", 5: "negative"}


def recent_activity_factor(days_since: float | None) -> HealthFactor:
    score = recent_activity_points(days_since)
    detail = "no customer interaction on record" if days_since is None else f"last interaction {days_since:.1f} days ago"
    return HealthFactor(RECENT_ACTIVITY, score, _SEED_IMPACT[score], detail)


def contract_value_factor(total_cents: int) -> HealthFactor:
    score = contract_value_points(total_cents)
    return HealthFactor(CONTRACT_VALUE, score, _SEED_IMPACT[score],
                        f"{format_money(total_cents)} under contracts in force")


def engagement_points(interactions: int, contacts: int, sentiment_average: float | None) -> tuple[int, int, int]:
    """(interaction points 0–10, contact points 0–8, sentiment points 0–7) over the engagement window."""
    if interactions >= 12:
        volume = 10
    elif interactions >= 6:
        volume = 7
    elif interactions >= 3:
        volume = 4
    elif interactions >= 1:
        volume = 2
    else:
        volume = 0
    if contacts >= 3:
        breadth = 8
    elif contacts == 2:
        breadth = 5
    elif contacts == 1:
        breadth = 2
    else:
        breadth = 0
    if interactions == 0:
        mood = 0
    elif sentiment_average is None:
        mood = 3  # interactions, none scored: neutral
    elif sentiment_average >= 0.30:
        mood = 7
    elif sentiment_average >= 0.05:
        mood = 5
    elif sentiment_average > -0.05:
        mood = 3
    else:
        mood = 0
    return volume, breadth, mood


def _impact(score: int, positive_above: int) -> Impact:
    if score > positive_above:
        return "positive"
    if score <= NEGATIVE_AT_MOST:
        return "negative"
    return "neutral"


def engagement_factor(interactions: int, contacts: int, sentiment_average: float | None) -> HealthFactor:
    score = sum(engagement_points(interactions, contacts, sentiment_average))
    mood = "no sentiment scored" if sentiment_average is None else f"average sentiment {sentiment_average:+.2f}"
    detail = (f"{interactions} interaction{'s' if interactions != 1 else ''} with {contacts} "
              f"contact{'s' if contacts != 1 else ''} in {ENGAGEMENT_WINDOW_DAYS} days, {mood}")
    return HealthFactor(ENGAGEMENT, score, _impact(score, 15), detail)


def growth_points(won_last_cents: int, won_prior_cents: int, open_pipeline_cents: int,
                  expansion_deals: int) -> tuple[int, int, int]:
    """(won-trend points 0–12, pipeline points 0–8, expansion points 0–5). Integer arithmetic only."""
    if won_prior_cents > 0:
        if won_last_cents * 100 >= won_prior_cents * 110:
            trend = 12
        elif won_last_cents * 100 >= won_prior_cents * 90:
            trend = 8
        elif won_last_cents * 100 >= won_prior_cents * 50:
            trend = 4
        else:
            trend = 0
    else:
        trend = 12 if won_last_cents > 0 else 0  # new business counts as growth
    if open_pipeline_cents <= 0:
        pipeline = 0
    elif open_pipeline_cents >= won_last_cents:
        pipeline = 8
    else:
        pipeline = 5
    expansion = 5 if expansion_deals >= 1 else 0
    return trend, pipeline, expansion


def growth_factor(won_last_cents: int, won_prior_cents: int, open_pipeline_cents: int,
                  expansion_deals: int) -> HealthFactor:
    score = sum(growth_points(won_last_cents, won_prior_cents, open_pipeline_cents, expansion_deals))
    detail = (f"won {format_money(won_last_cents)} in the last 12 months vs {format_money(won_prior_cents)} "
              f"the 12 before; open pipeline {format_money(open_pipeline_cents)}; "
              f"{expansion_deals} expansion deal{'s' if expansion_deals != 1 else ''}")
    return HealthFactor(GROWTH, score, _impact(score, 10), detail)


def health_score(factors: tuple[HealthFactor, ...] | list[HealthFactor]) -> int:
    """Sum of the factors, capped at 100 (the seed's Math.min(100, healthScore))."""
    return min(SCORE_MAX, sum(f.score for f in factors))


def risk_level(score: int) -> RiskLevel:
    if score >= LOW_RISK_FROM:
        return "low"
    if score >= MEDIUM_RISK_FROM:
        return "medium"
    return "high"


def health_recommendations(factors: tuple[HealthFactor, ...], facts: AccountHealthFacts, as_of: date,
                           days_since: float | None) -> tuple[str, ...]:
    """What to do about the weak factors (the seed's undefined generateHealthRecommendations)."""
    by_name = {f.name: f for f in factors}
    out: list[str] = []

    recency = by_name[RECENT_ACTIVITY]
    if days_since is None:
        out.append("No customer interaction on record — book an introductory call with the chef or buyer this week.")
    elif recency.impact == "negative":
        out.append(f"No customer contact for {days_since:.1f} days — book a kitchen visit or a menu review "
                   "with the chef this week.")
    elif recency.impact == "neutral":
        out.append(f"Last contact {days_since:.1f} days ago — check in on this week's order guide, shorts and "
                   "substitutions.")

    engagement = by_name[ENGAGEMENT]
    average = facts.sentiment_average
    if engagement.impact != "positive":
        if facts.interactions < 6:
            out.append(f"Only {facts.interactions} interaction{'s' if facts.interactions != 1 else ''} in the last "
                       f"{ENGAGEMENT_WINDOW_DAYS} days — set a cadence: a call every two weeks and a visit each month.")
        if facts.contacts_engaged < 3:
            out.append(f"Only {facts.contacts_engaged} contact{'s' if facts.contacts_engaged != 1 else ''} engaged — "
                       "meet the executive chef, the purchasing manager and the operator, not just one buyer.")
    if average is not None and average <= -0.05:
        out.append(f"Average sentiment is {average:+.2f} — call the buyer about open service issues (late drops, "
                   "shorts, substitutions) before pitching anything new.")

    contract = by_name[CONTRACT_VALUE]
    if contract.impact == "negative":
        if facts.contract_value_cents == 0 and facts.status == "prospect":
            out.append("No supply agreement in force — quote a trial order on their top ten items and propose a "
                       "one-year agreement.")
        elif facts.contract_value_cents == 0:
            out.append("No supply agreement in force — renew or re-sign before the volume moves to another "
                       "distributor.")
        else:
            out.append(f"Only {format_money(facts.contract_value_cents)} under contract — add a category they still "
                       "buy elsewhere (produce, proteins, disposables) to the agreement.")
    elif contract.impact == "neutral":
        out.append(f"{format_money(facts.contract_value_cents)} under contract — find the categories they still "
                   "buy from other distributors to pass $500,000.")

    growth = by_name[GROWTH]
    if growth.impact != "positive":
        if facts.won_prior_year_cents > 0 and facts.won_last_year_cents * 100 < facts.won_prior_year_cents * 90:
            out.append(f"Won business fell from {format_money(facts.won_prior_year_cents)} to "
                       f"{format_money(facts.won_last_year_cents)} year on year — review their order history for "
                       "lost categories and offer a tasting of replacement items.")
        if facts.open_pipeline_cents == 0:
            out.append("No open opportunity — pitch the next seasonal menu change or a new category.")
        if facts.expansion_deals == 0 and (facts.won_last_year_cents or facts.won_prior_year_cents):
            out.append("No expansion deal since the first win — propose a second category or more of their sites.")

    score = health_score(factors)
    if facts.renewal_date is not None and risk_level(score) != "low":
        days_left = (facts.renewal_date - as_of).days
        if 0 <= days_left <= RENEWAL_WARNING_DAYS:
            out.append(f"Renewal due {facts.renewal_date.isoformat()} (in {days_left} days) at "
                       f"{risk_level(score)} risk — start the renewal conversation now.")
    if not out:
        out.append("Healthy account — keep the cadence and ask for a referral or a case study.")
    return tuple(out)


def days_since_last_interaction(facts: AccountHealthFacts, as_of: datetime) -> float | None:
    if facts.last_interaction_at is None:
        return None
    return max(0.0, days_between(as_of, facts.last_interaction_at))


def score_of(facts: AccountHealthFacts, as_of: datetime) -> int:
    """The health score alone (no factor texts or recommendations): what refresh_health_scores stores."""
    return min(SCORE_MAX, recent_activity_points(days_since_last_interaction(facts, as_of))
               + contract_value_points(facts.contract_value_cents)
               + sum(engagement_points(facts.interactions, facts.contacts_engaged, facts.sentiment_average))
               + sum(growth_points(facts.won_last_year_cents, facts.won_prior_year_cents, facts.open_pipeline_cents,
                                   facts.expansion_deals)))


def score_account(facts: AccountHealthFacts, as_of: datetime) -> AccountHealth:
    """The health of one account from its facts, as of an instant (pure)."""
    days_since = days_since_last_interaction(facts, as_of)
    factors = (
        recent_activity_factor(days_since),
        contract_value_factor(facts.contract_value_cents),
        engagement_factor(facts.interactions, facts.contacts_engaged, facts.sentiment_average),
        growth_factor(facts.won_last_year_cents, facts.won_prior_year_cents, facts.open_pipeline_cents,
                      facts.expansion_deals),
    )
    score = health_score(factors)
    return AccountHealth(
        account_id=facts.id, name=facts.name, tier=facts.tier, status=facts.status, owner_login=facts.owner_login,
        renewal_date=facts.renewal_date, health_score=score, risk_level=risk_level(score), factors=factors,
        recommendations=health_recommendations(factors, facts, as_of.date(), days_since),
        days_since_last_interaction=days_since, facts=facts, as_of=as_of,
    )


# -- services ---------------------------------------------------------------------------------


def report_instant(session: Session, day: date) -> datetime:
    """The instant a report "as of `day`" is evaluated at: now when `day` is the session's today,
    else noon UTC on `day` (where `--as-of` puts the clock)."""
    if day == session.clock.today():
        return session.clock.now()
    return datetime.combine(day, time(12, 0), tzinfo=timezone.utc)


def health_windows(as_of: datetime) -> dict:
    """The windows of the engagement and growth factors for an as-of instant."""
    today = as_of.date()
    last_year_from = today - timedelta(days=GROWTH_WINDOW_DAYS - 1)  # 365 days ending on as-of, inclusive
    return {
        # the 90 whole UTC days to as-of, as-of's included: the days the interaction insights count
        # (one definition of "interactions in the last 90 days" for the account detail's two panels)
        "engaged_since": datetime.combine(today - timedelta(days=ENGAGEMENT_WINDOW_DAYS - 1), time(0), tzinfo=timezone.utc),
        "last_year_from": last_year_from,
        "prior_year_from": last_year_from - timedelta(days=GROWTH_WINDOW_DAYS),
    }


def _facts(session: Session, as_of: datetime, *, account_ids=None, owners=(), team: str = "", deal_owners=None):
    return session.store.insights.health_facts(
        as_of=as_of, kinds=INTERACTION_KINDS, contract_statuses=IN_FORCE_CONTRACT_STATUSES,
        won_stage=session.pipeline.won.id, open_stages=tuple(s.id for s in session.pipeline.open_stages),
        account_ids=account_ids, owners=tuple(owners), team=team, deal_owners=deal_owners, **health_windows(as_of),
    )


def account_health(session: Session, account_id: int, *, as_of: datetime | None = None) -> AccountHealth:
    """The seed's calculateAccountHealth for one account (read-only; see refresh_health_scores to cache it)."""
    as_of = as_of or session.clock.now()
    session.store.accounts.require(account_id)  # NotFound for an unknown id
    facts = _facts(session, as_of, account_ids=(account_id,))
    if not facts:
        raise ValueError(f"account {account_id} did not exist yet on {as_of.date().isoformat()}")
    return score_account(facts[0], as_of)


def account_healths(session: Session, *, as_of: datetime | None = None, owners: tuple[str, ...] = (),
                    team: str = "", account_ids=None, deal_owners=None) -> list[AccountHealth]:
    """Health of every account in scope (owner logins, owner team, or ids), in id order.
    `deal_owners` (None: everyone's): only these users' deals count in the won and open figures."""
    as_of = as_of or session.clock.now()
    return [score_account(f, as_of) for f in _facts(session, as_of, account_ids=account_ids, owners=owners, team=team,
                                                    deal_owners=deal_owners)]


def refresh_health_scores(session: Session, account_ids=None) -> int:
    """Recompute and store `account.health_score` / `health_computed_at` (all accounts, or these ids).

    The factors come from grouped aggregates and the scores are written in bulk (one UPDATE per
    distinct score), in one unit of work, announced ({"account"}) after commit when any was written.
    Returns the number of accounts written.
    """
    now = session.clock.now()
    store = session.store
    with session.write(at=now) as change:
        scores = {f.id: score_of(f, now) for f in _facts(session, now, account_ids=account_ids)}
        written = store.insights.write_health_scores(scores, now) if scores else 0
        if written:
            change.touch(account=scores)
    return written
