"""Change events: services publish what changed after a commit; screens and the metrics subscribe."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class DataChanged:
    """Records of these kinds (table names) changed; `ids` maps a kind to the ids touched (empty = unknown)."""

    kinds: frozenset[str]
    ids: dict[str, frozenset[int]] = field(default_factory=dict)
    external: bool = False  # True when noticed from another process

    def touches(self, *kinds: str) -> bool:
        """Could records of these kinds have changed? An event with no kinds (another process
        changed something, SQLite cannot say what) touches everything."""
        return not self.kinds or bool(self.kinds.intersection(kinds))

    def merge(self, other: "DataChanged") -> "DataChanged":
        """One event standing for both (a screen that was hidden catches up once, not per change).

        No kinds on either side (anything may have changed) stays no kinds; a kind's ids are kept only
        when both events name them (an event without ids for a kind means any of that kind).
        """
        kinds = frozenset() if not self.kinds or not other.kinds else self.kinds | other.kinds
        ids = {kind: self.ids[kind] | other.ids[kind] for kind in kinds if kind in self.ids and kind in other.ids}
        return DataChanged(kinds=kinds, ids=ids, external=self.external or other.external)


Subscriber = Callable[[DataChanged], None]


class EventBus:
    """A small synchronous publish/subscribe hub. Thread-safe; subscribers must not block."""

    def __init__(self) -> None:
        self._subscribers: list[Subscriber] = []
        self._lock = threading.Lock()

    def subscribe(self, subscriber: Subscriber) -> Callable[[], None]:
        with self._lock:
            self._subscribers.append(subscriber)

        def unsubscribe() -> None:
            with self._lock:
                if subscriber in self._subscribers:
                    self._subscribers.remove(subscriber)

        return unsubscribe

    def publish(self, event: DataChanged) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for subscriber in subscribers:
            subscriber(event)
