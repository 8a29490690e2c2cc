"""Stage-duration alerts: stalled deals (too long in a stage) and idle deals (no activity), by severity."""

from __future__ import annotations

from dataclasses import dataclass, replace
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


def _thresholds(session: Session) -> tuple[dict[str, datetime], datetime]:
    """Each open stage's stalled cutoff instant, and the idle cutoff instant, as of the session's today."""
    pipeline, today = session.pipeline, session.clock.today()
    stalled_before = {stage.id: cutoff(today, stage.stall_days) for stage in pipeline.open_stages}
    return stalled_before, cutoff(today, pipeline.idle_days)


def _sort_key(alert: Alert):
    return (-alert.severity, -alert.value_cents, alert.opportunity_id, alert.kind)


def alerts(session: Session, owners: tuple[str, ...] = (), *, limit: int | None = None,
           kinds: tuple[str, ...] = ("stalled", "idle")) -> list[Alert]:
    """The alerts now, most severe first (ties: larger deals first, then the lower id); the first `limit` only.

    With a limit, each query returns only its own first `limit` deals: a stalled alert's severity
    (days in stage / the stage's threshold) is one stage's days scaled by a constant, so the most
    severe `limit` of all are among the `limit` longest in each stage and the `limit` longest idle.
    The dashboard's few rows never load the thousands of alerts a large pipeline has.
    """
    pipeline, today = session.pipeline, session.clock.today()
    stalled_before, idle_before = _thresholds(session)
    logins = session.owners(owners)
    found: list[tuple[Alert, object]] = []
    if "stalled" in kinds:
        for stage_id, stage_cutoff in stalled_before.items():
            stage = pipeline.stage(stage_id)
            for key in session.store.stalled_alert_keys(stage_id, stage_cutoff, logins, limit):
                in_stage = days_between(key.stage_entered_at, today)
                if in_stage > stage.stall_days:
                    found.append((Alert(key.id, "", "", "", "stalled", key.stage, in_stage, stage.stall_days,
                                        key.value_cents), key))
    if "idle" in kinds:
        open_ids = tuple(stalled_before)
        for key in session.store.idle_alert_keys(open_ids, idle_before, logins, limit):
            idle = days_between(key.last_touch_at, today)
            if idle > pipeline.idle_days:
                found.append((Alert(key.id, "", "", "", "idle", key.stage, idle, pipeline.idle_days,
                                    key.value_cents), key))
    found.sort(key=lambda pair: _sort_key(pair[0]))
    chosen = [alert for alert, _ in found[:limit]]
    labels = session.store.alert_labels(sorted({a.opportunity_id for a in chosen}))
    return [replace(a, name=labels[a.opportunity_id].name, account=labels[a.opportunity_id].account,
                    owner=labels[a.opportunity_id].owner_login) for a in chosen if a.opportunity_id in labels]


@dataclass(frozen=True)
class AlertCounts:
    stalled: int
    idle: int


def alert_counts(session: Session, owners: tuple[str, ...] = ()) -> AlertCounts:
    """How many deals are stalled and how many idle now (a deal can be both), counted in SQL."""
    stalled_before, idle_before = _thresholds(session)
    stalled, idle = session.store.alert_counts(stalled_before, idle_before, session.owners(owners))
    return AlertCounts(stalled, idle)
