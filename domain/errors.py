"""Refusals the domain raises: the CLI exits 1 with the message, the TUI shows it."""

from __future__ import annotations


class Refused(Exception):
    """A rule or a permission refused the action; nothing was written."""


class NoActor(Refused):
    def __init__(self) -> None:
        super().__init__(
            "no Pantry user for this session: changes need a user of this database "
            "(run with --as LOGIN; `pantry list users` shows the logins)"
        )


def require_actor(session) -> None:
    if session.actor is None:
        raise NoActor()
