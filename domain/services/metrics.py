"""The pipeline metrics, recomputed whenever data changes and published to subscribers.

Recomputed from SQL aggregates (stage totals, alert counts) and the most severe alerts only —
never by loading every opportunity or every alert. Subscribers (screens, tests) receive a MetricsRecomputed with the new figures.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from domain.events import DataChanged
from domain.services.alerts import Alert, alert_counts, alerts
from domain.services.pipeline_summary import PipelineSummary
from domain.session import Session

RELEVANT = frozenset({"opportunity", "stage_change", "activity", "line_item", "proposal", "clock", "automation_run",
                      "pipeline"})


@dataclass(frozen=True)
class MetricsRecomputed:
    summary: PipelineSummary
    alerts: tuple[Alert, ...]  # the most severe, at most PipelineMetrics.alert_limit
    stalled: int  # every stalled deal, counted
    idle: int  # every idle deal, counted
    as_of: date
    external: bool


class PipelineMetrics:
    """Subscribes to the session's change events; recomputes and publishes after each relevant one."""

    def __init__(self, session: Session, *, alert_limit: int = 50) -> None:
        self.session = session
        self.alert_limit = alert_limit  # the alerts published (the dashboard shows 12); the counts cover all
        self._subscribers: list[Callable[[MetricsRecomputed], None]] = []
        self._lock = threading.Lock()
        self._running = threading.Lock()
        self._dirty = False
        self._dirty_external = False
        self.latest: MetricsRecomputed | None = None
        self._unsubscribe = session.bus.subscribe(self._on_change)

    def subscribe(self, subscriber: Callable[[MetricsRecomputed], None]) -> Callable[[], None]:
        with self._lock:
            self._subscribers.append(subscriber)
        return lambda: self._subscribers.remove(subscriber) if subscriber in self._subscribers else None

    def close(self) -> None:
        self._unsubscribe()

    def _on_change(self, event: DataChanged) -> None:
        if event.external or not event.kinds or event.kinds & RELEVANT:
            self.request(external=event.external)

    def request(self, *, external: bool = False) -> None:
        """Recompute now, or — if a recompute is already running in another thread — once more after it.

        A burst of changes therefore costs at most two recomputes, never one per change.
        """
        with self._lock:
            self._dirty = True
            self._dirty_external = self._dirty_external or external
        while True:
            if not self._running.acquire(blocking=False):
                return  # the thread recomputing now re-checks the flag after it finishes
            try:
                with self._lock:
                    pending, external = self._dirty, self._dirty_external
                    self._dirty = self._dirty_external = False
                if pending:
                    self.recompute(external=external)
            finally:
                self._running.release()
            with self._lock:
                if not self._dirty:
                    return

    def recompute(self, *, external: bool = False) -> MetricsRecomputed:
        with self.session.connection():
            counts = alert_counts(self.session)
            result = MetricsRecomputed(
                summary=self.session.pipeline_summary(),
                alerts=tuple(alerts(self.session, limit=self.alert_limit)),
                stalled=counts.stalled,
                idle=counts.idle,
                as_of=self.session.clock.today(),
                external=external,
            )
        self.latest = result
        with self._lock:
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            subscriber(result)
        return result
