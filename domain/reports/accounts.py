"""`accounts`: every account's health score, risk level, factor breakdown and recommendations.

Health is computed as of `--as-of` from the activity, contract and opportunity tables (the
cached `account.health_score` is not read). Accounts are sorted by risk (high first), then
contract value, then open pipeline, both descending. `--rep` keeps the accounts those logins
own, `--team` the accounts whose owner is in the team; `--from/--to` do not apply (health is
a point-in-time figure). JSON keys: docs/insights.md.
"""

from __future__ import annotations

from domain.money import format_money, to_json_number
from domain.reports.base import Report, ReportParams, Table
from domain.services.account_health import (
    CONTRACT_VALUE,
    ENGAGEMENT,
    ENGAGEMENT_WINDOW_DAYS,
    FACTOR_NAMES,
    GROWTH,
    RECENT_ACTIVITY,
    RENEWAL_WARNING_DAYS,
    AccountHealth,
    account_healths,
    report_instant,
)
from domain.session import Session

NAME = "accounts"
TITLE = "Account health"

RISK_ORDER = {"high": 0, "medium": 1, "low": 2}
AT_RISK_ROWS = 20


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def sort_key(h: AccountHealth):
    return (RISK_ORDER[h.risk_level], -h.facts.contract_value_cents, -h.facts.open_pipeline_cents, h.name.lower(),
            h.account_id)


def account_json(h: AccountHealth) -> dict:
    f = h.facts
    return {
        "id": h.account_id,
        "name": h.name,
        "tier": h.tier,
        "status": h.status,
        "owner": f.owner_login or None,
        "health_score": h.health_score,
        "risk_level": h.risk_level,
        "factors": [{"name": x.name, "score": x.score, "impact": x.impact, "detail": x.detail} for x in h.factors],
        "recommendations": list(h.recommendations),
        "open_pipeline_value": to_json_number(f.open_pipeline_cents),
        "open_deals": f.open_deals,
        "contract_value": to_json_number(f.contract_value_cents),
        "contracts_in_force": f.contracts_in_force,
        "renewal_date": h.renewal_date.isoformat() if h.renewal_date else None,
        "last_interaction_at": f.last_interaction_at.isoformat() if f.last_interaction_at else None,
        "days_since_last_interaction": _round(h.days_since_last_interaction, 1),
        "interactions_90_days": f.interactions,
        "contacts_engaged_90_days": f.contacts_engaged,
        "average_sentiment_90_days": _round(f.sentiment_average, 4),
        "won_last_12_months": to_json_number(f.won_last_year_cents),
        "won_prior_12_months": to_json_number(f.won_prior_year_cents),
        "expansion_deals": f.expansion_deals,
    }


def build(session: Session, params: ReportParams) -> Report:
    as_of = report_instant(session, params.as_of)
    # A rep sees the accounts they own, a manager their team's, an admin every one (or those asked
    # for); the won and open figures count only the deals the caller may see (docs/roles.md).
    owners, team = session.owners(params.reps), session.team(params.team)
    healths = sorted(account_healths(session, as_of=as_of, owners=owners, team=team,
                                     deal_owners=session.visible_logins()), key=sort_key)
    data = [account_json(h) for h in healths]

    by_risk = []
    for level in ("high", "medium", "low"):
        group = [h for h in healths if h.risk_level == level]
        contract = sum(h.facts.contract_value_cents for h in group)
        pipeline = sum(h.facts.open_pipeline_cents for h in group)
        average = sum(h.health_score for h in group) / len(group) if group else None
        by_risk.append((level, len(group), contract, pipeline, average))
    risk_table = Table(
        "Health by risk level", ("Risk", "Accounts", "Contract value", "Open pipeline", "Average score"),
        tuple((level, f"{n:,}", format_money(c), format_money(p), "—" if avg is None else f"{avg:.1f}")
              for level, n, c, p, avg in by_risk),
        numeric=frozenset({1, 2, 3, 4}),
    )

    def score(h: AccountHealth, name: str) -> int:
        return h.factor(name).score

    accounts_table = Table(
        "Accounts (risk, then contract value)",
        ("Account", "Owner", "Tier", "Status", "Score", "Risk", "Activity", "Contract", "Engage.", "Growth",
         "Contract value", "Open pipeline", "Renewal"),
        tuple((h.name, h.owner_login, h.tier, h.status, h.health_score, h.risk_level, score(h, RECENT_ACTIVITY),
               score(h, CONTRACT_VALUE), score(h, ENGAGEMENT), score(h, GROWTH),
               format_money(h.facts.contract_value_cents), format_money(h.facts.open_pipeline_cents),
               h.renewal_date.isoformat() if h.renewal_date else "") for h in healths),
        numeric=frozenset({4, 6, 7, 8, 9, 10, 11}),
        key=frozenset({0, 5}),  # the account and its risk level: what the table is read for
    )
    at_risk = [h for h in healths if h.risk_level == "high"][:AT_RISK_ROWS]
    actions_table = Table(
        f"High-risk accounts: what to do first (top {AT_RISK_ROWS} by contract value)",
        ("Account", "Owner", "Score", "Contract value", "Recommendation"),
        tuple((h.name, h.owner_login, h.health_score, format_money(h.facts.contract_value_cents), h.recommendations[0])
              for h in at_risk),
        numeric=frozenset({2, 3}),
    )

    summary: list[str] = []
    total = len(healths)
    if total == 0:
        summary.append("No accounts in scope.")
    else:
        high, medium, low = (n for _, n, _, _, _ in by_risk)
        average = sum(h.health_score for h in healths) / total
        summary.append(f"{total:,} accounts: **{high:,} at high risk**, {medium:,} medium, {low:,} low; "
                       f"average health {average:.0f}/100.")
        contract_total = sum(h.facts.contract_value_cents for h in healths)
        contract_high = by_risk[0][2]
        if contract_total:
            summary.append(f"{format_money(contract_high)} of {format_money(contract_total)} contract value "
                           f"({contract_high / contract_total * 100:.0f}%) is in high-risk accounts.")
        if at_risk:
            top = ", ".join(f"{h.name} ({format_money(h.facts.contract_value_cents, compact=True)}, "
                            f"score {h.health_score})" for h in at_risk[:3])
            summary.append(f"Largest high-risk accounts: {top}.")
        renewing = [h for h in healths if h.risk_level != "low" and h.renewal_date is not None
                    and 0 <= (h.renewal_date - params.as_of).days <= RENEWAL_WARNING_DAYS]
        if renewing:
            value = sum(h.facts.contract_value_cents for h in renewing)
            summary.append(f"{len(renewing):,} medium- or high-risk accounts renew within {RENEWAL_WARNING_DAYS} days "
                           f"({format_money(value)} under contract).")
        negatives = {name: sum(1 for h in healths if h.factor(name).impact == "negative") for name in FACTOR_NAMES}
        weakest = max(FACTOR_NAMES, key=lambda name: negatives[name])
        if negatives[weakest]:
            summary.append(f"Most common weak factor: {weakest} (negative for {negatives[weakest]:,} accounts).")

    notes = (
        "Score = Recent Activity + Contract Value + Engagement + Growth (0–25 each). Recent Activity: ≤ 7 days since "
        "the last completed customer interaction 25, ≤ 30 days 15, else (or never) 5. Contract Value: contracts in "
        "force on the as-of date, > $500,000 25, > $100,000 15, else 5. Engagement: interactions, distinct contacts "
        f"and average sentiment over {ENGAGEMENT_WINDOW_DAYS} days. Growth: won value in the last 12 months vs the "
        "12 before, open pipeline, expansion deals. Risk: ≥ 70 low, 40–69 medium, < 40 high. "
        "Details in docs/insights.md; --from/--to do not apply.",
    )
    return Report(NAME, TITLE, data, (risk_table, actions_table, accounts_table), tuple(summary), notes)
