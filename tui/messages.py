"""The app's messages: how changes and figures reach the screens, on the UI thread, a burst at a time.

Whatever thread a change is published on (a write worker, the change watcher, the metrics worker),
the app turns it into one of these with `post_message` (thread-safe), and forwards it to every
screen the same way: no screen is ever called from a foreign thread. A burst collapses while it
waits in a queue: `can_replace` merges a change into the next one (`DataChanged.merge`), and
newer figures replace older ones.
"""

from __future__ import annotations

from dataclasses import replace

from textual.message import Message

from domain.events import DataChanged
from domain.services.metrics import MetricsRecomputed


class RecordsChanged(Message, bubble=False):
    """Records changed, here or in another process."""

    def __init__(self, event: DataChanged) -> None:
        super().__init__()
        self.event = event

    def can_replace(self, message: Message) -> bool:
        if not isinstance(message, RecordsChanged):
            return False
        # Textual drops this message and handles `message` instead: it carries both changes.
        message.event = self.event = self.event.merge(message.event)
        return True


class MetricsUpdated(Message, bubble=False):
    """The pipeline's figures and alerts were recomputed."""

    def __init__(self, metrics: MetricsRecomputed) -> None:
        super().__init__()
        self.metrics = metrics

    def can_replace(self, message: Message) -> bool:
        if not isinstance(message, MetricsUpdated):
            return False
        newest = message.metrics
        message.metrics = self.metrics = replace(newest, external=newest.external or self.metrics.external)
        return True


class MetricsRequested(Message, bubble=False):
    """A change made the figures stale: recompute them in a worker (one request stands for a burst)."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, MetricsRequested)
