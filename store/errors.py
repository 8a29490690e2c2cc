"""Errors the store raises; the CLI and the TUI turn them into clear messages."""

from __future__ import annotations

from datetime import datetime


class StoreError(RuntimeError):
    pass


class NotFound(StoreError):
    def __init__(self, kind: str, record_id: int | str) -> None:
        super().__init__(f"{kind} {record_id} not found")
        self.kind = kind
        self.record_id = record_id


class VersionConflict(StoreError):
    """The record changed since it was read; nothing was written."""

    def __init__(self, kind: str, record_id: int, changed_by: str | None, changed_at: datetime | None) -> None:
        who = changed_by or "another session"
        when = f" at {changed_at:%Y-%m-%d %H:%M} UTC" if changed_at else ""
        super().__init__(f"{kind} {record_id} was changed by {who}{when} since you opened it; reload and try again")
        self.kind = kind
        self.record_id = record_id
        self.changed_by = changed_by
        self.changed_at = changed_at
