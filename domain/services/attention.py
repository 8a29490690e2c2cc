"""Needs attention: one row per deal that is stalled, idle or both, ranked by the value at risk.

value at risk = value × probability × how overdue, where "how overdue" is the larger of the deal's
alerts' severities (days ÷ the threshold: 1.0 at the threshold, 2.0 at twice it). A $878 deal idle for a
long time no longer outranks a $500,000 deal just past its limit; a deal both stalled and idle is one row
with both marks.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_EVEN, Decimal

from domain.services.alerts import _thresholds, days_between
from domain.session import Session


@dataclass(frozen=True)
class Attention:
    opportunity_id: int
    name: str
    account: str
    owner: str
    stage: str
    value_cents: int
    probability: int
    stalled_days: int | None  # days in the stage, when past its limit
    stall_limit: int | None
    idle_days: int | None  # days without activity, when past the idle limit
    idle_limit: int | None

    @property
    def marks(self) -> tuple[str, ...]:
        return tuple(k for k, d in (("stalled", self.stalled_days), ("idle", self.idle_days)) if d is not None)

    @property
    def overdue(self) -> float:
        """The larger severity of its alerts (days ÷ limit)."""
        parts = [d / t for d, t in ((self.stalled_days, self.stall_limit), (self.idle_days, self.idle_limit))
                 if d is not None and t]
        return max(parts, default=0.0)

    @property
    def value_at_risk_cents(self) -> int:
        exact = Decimal(self.value_cents) * self.probability / 100 * Decimal(repr(self.overdue))
        return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))

    def as_json(self) -> dict:
        from domain.money import to_json_number

        return {"opportunity_id": self.opportunity_id, "name": self.name, "account": self.account,
                "owner": self.owner, "stage": self.stage, "marks": list(self.marks),
                "stalled_days": self.stalled_days, "idle_days": self.idle_days, "overdue": round(self.overdue, 3),
                "value": to_json_number(self.value_cents), "probability": self.probability,
                "value_at_risk": to_json_number(self.value_at_risk_cents)}


SORTS = {
    "risk": lambda a: (-a.value_at_risk_cents, -a.overdue, a.opportunity_id),
    "overdue": lambda a: (-a.overdue, -a.value_at_risk_cents, a.opportunity_id),
    "value": lambda a: (-a.value_cents, -a.value_at_risk_cents, a.opportunity_id),
}


def needs_attention(session: Session, owners: tuple[str, ...] = (), *, limit: int | None = None,
                    sort: str = "risk") -> list[Attention]:
    """The stalled and idle deals, one row each, by value at risk (or `sort`: "overdue", "value"); the first
    `limit`. Every alert key is read (id, stage, value, probability and two dates a deal: small even at
    100,000 deals); names are read for the rows returned only."""
    pipeline, today = session.pipeline, session.clock.today()
    stalled_before, idle_before = _thresholds(session)
    logins = session.owners(owners)
    rows: dict[int, dict] = {}
    for stage_id, stage_cutoff in stalled_before.items():
        stage = pipeline.stage(stage_id)
        for key in session.store.stalled_alert_keys(stage_id, stage_cutoff, logins, None):
            days = days_between(key.stage_entered_at, today)
            if days > stage.stall_days:
                row = rows.setdefault(key.id, _row(key))
                row.update(stalled_days=days, stall_limit=stage.stall_days)
    for key in session.store.idle_alert_keys(tuple(stalled_before), idle_before, logins, None):
        days = days_between(key.last_touch_at, today)
        if days > pipeline.idle_days:
            row = rows.setdefault(key.id, _row(key))
            row.update(idle_days=days, idle_limit=pipeline.idle_days)
    found = sorted((Attention(name="", account="", owner="", **row) for row in rows.values()), key=SORTS[sort])
    chosen = found[:limit]
    labels = session.store.alert_labels(sorted(a.opportunity_id for a in chosen))
    return [replace(a, name=labels[a.opportunity_id].name, account=labels[a.opportunity_id].account,
                    owner=labels[a.opportunity_id].owner_login) for a in chosen if a.opportunity_id in labels]


def _row(key) -> dict:
    return {"opportunity_id": key.id, "stage": key.stage, "value_cents": key.value_cents,
            "probability": key.probability, "stalled_days": None, "stall_limit": None, "idle_days": None,
            "idle_limit": None}
