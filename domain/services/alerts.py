"""Stage-duration alerts: stalled deals (too long in a stage) and idle deals (no activity), by severity."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from domain.session import Session


@dataclass(frozen=True)
class Alert:
    opportunity_id: int
    name: str
    account: str
    owner: str
    kind: str  # "stalled" | "idle"
    stage: str
    days: int
    threshold: int
    value_cents: int

    @property
    def severity(self) -> float:
        """How far past its threshold: 1.0 at the threshold, 2.0 at twice it."""
        return self.days / self.threshold

    def as_json(self) -> dict:
        from domain.money import to_json_number

        return {
            "opportunity_id": self.opportunity_id, "name": self.name, "account": self.account, "owner": self.owner,
            "kind": self.kind, "stage": self.stage, "days": self.days, "threshold": self.threshold,
            "severity": round(self.severity, 3), "value": to_json_number(self.value_cents),
        }


def days_between(earlier: datetime, today: date) -> int:
    """Whole calendar days from `earlier` (a UTC instant) to `today`."""
    return max(0, (today - earlier.date()).days)


def cutoff(today: date, days: int) -> datetime:
    """The instant before which something has lasted more than `days` whole days by `today`.

    days_between(t, today) > days  <=>  t.date() < today - days  <=>  t < midnight UTC of (today - days).
    """
    return datetime.combine(today - timedelta(days=days), time(0), tzinfo=timezone.utc)


def alerts(session: Session, owners: tuple[str, ...] = ()) -> list[Alert]:
    """Every alert now, most severe first (ties: larger deals first)."""
    pipeline, today = session.pipeline, session.clock.today()
    stalled_before = {stage.id: cutoff(today, stage.stall_days) for stage in pipeline.open_stages}
    found: list[Alert] = []
    for row in session.store.alert_candidates(stalled_before, cutoff(today, pipeline.idle_days), session.owners(owners)):
        stage = pipeline.stage(row.stage)
        in_stage = days_between(row.stage_entered_at, today)
        if in_stage > stage.stall_days:
            found.append(Alert(row.id, row.name, row.account, row.owner_login, "stalled", row.stage, in_stage,
                               stage.stall_days, row.value_cents))
        idle = days_between(row.last_touch_at, today)
        if idle > pipeline.idle_days:
            found.append(Alert(row.id, row.name, row.account, row.owner_login, "idle", row.stage, idle,
                               pipeline.idle_days, row.value_cents))
    found.sort(key=lambda a: (-a.severity, -a.value_cents, a.opportunity_id, a.kind))
    return found
