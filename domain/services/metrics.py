"""The pipeline metrics, recomputed whenever data changes and published to subscribers.

Recomputed from SQL aggregates (stage totals, alert counts) and the most severe alerts only —
never by loading every opportunity or every alert. Subscribers (screens, tests) receive a MetricsRecomputed with the new figures.

Never on the thread that published the change: a write worker's "Moved" notice does not wait for
the figures, nor does the UI thread when the date changes at midnight. A change asks `schedule` to
run the recompute somewhere else — by default a thread of its own; the TUI passes a Textual worker —
and a burst of changes costs at most two recomputes (`request`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from domain.events import DataChanged
from domain.services.alerts import Alert, alert_counts, alerts
from domain.services.attention import Attention, needs_attention
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
    attention: tuple[Attention, ...] = ()  # Needs attention: a row a deal, most value at risk first (alert_limit)


Schedule = Callable[[Callable[[], None]], None]


def in_a_thread(run: Callable[[], None]) -> None:
    """The default `schedule`: run the recompute in a thread of its own (a failure is logged, never raised)."""

    def guarded() -> None:
        try:
            run()
        except Exception:  # a figure that could not be recomputed now is recomputed at the next change
            logging.getLogger(__name__).exception("the pipeline metrics could not be recomputed")

    threading.Thread(target=guarded, name="pantry-metrics", daemon=True).start()


class PipelineMetrics:
    """Subscribes to the session's change events; recomputes and publishes after each relevant one, off
    the publishing thread (`schedule`, default `in_a_thread`)."""

    def __init__(self, session: Session, *, alert_limit: int = 50, schedule: Schedule = in_a_thread) -> None:
        self.session = session
        self.alert_limit = alert_limit  # the alerts published (the dashboard shows 12); the counts cover all
        self._schedule = schedule
        self._subscribers: list[Callable[[MetricsRecomputed], None]] = []
        self._lock = threading.Lock()
        self._running = threading.Lock()
        self._dirty = False
        self._dirty_external = False
        self._scheduled = False  # a run asked of `schedule` and not finished: it will see new changes too
        self._idle = threading.Condition(self._lock)
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
            self.request_soon(external=event.external)

    def request_soon(self, *, external: bool = False) -> None:
        """Ask for a recompute off this thread; returns at once. One run is scheduled at a time: while it
        is pending or running, later requests only mark the figures stale, and it recomputes once more."""
        with self._lock:
            self._dirty = True
            self._dirty_external = self._dirty_external or external
            if self._scheduled:
                return
            self._scheduled = True
        self._schedule(self._run_scheduled)

    def _run_scheduled(self) -> None:
        try:
            while True:
                self._drain(blocking=True)
                with self._lock:
                    if not self._dirty:
                        self._scheduled = False
                        self._idle.notify_all()
                        return
        except BaseException:
            with self._lock:
                self._scheduled = False
                self._idle.notify_all()
            raise

    def wait_until_idle(self, timeout: float = 10.0) -> bool:
        """Wait until the recompute asked for has run (tests, benchmarks); False on timeout."""
        with self._lock:
            return self._idle.wait_for(lambda: not self._scheduled and not self._dirty, timeout)

    def request(self, *, external: bool = False) -> None:
        """Recompute now, on this thread, or — if a recompute is already running in another thread — let
        that one recompute once more after it. A burst of changes costs at most two recomputes."""
        with self._lock:
            self._dirty = True
            self._dirty_external = self._dirty_external or external
        self._drain(blocking=False)

    def _drain(self, *, blocking: bool) -> None:
        """Recompute while the figures are stale. Not blocking: leave it to a thread recomputing now."""
        while True:
            if not self._running.acquire(blocking=blocking):
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
                attention=tuple(needs_attention(self.session, limit=self.alert_limit)),
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
