"""Who sees what: the read half of the role rules (the write half is `domain.permissions`).

- rep: their own leads, opportunities (with their proposals), activities and tasks; the accounts
  they own or are on the account team of, and those accounts' contacts.
- manager: the same for themselves and every rep who reports to them (user.manager_id), plus the
  unassigned leads (assigning them is a manager's job).
- admin: everything.
- an inactive user, whatever their role: their own records only (and they change nothing).

Visibility is a tuple of logins (`None`: no restriction). The session adds it to every list
filter (`visible_owners`) and every figure (`Scope.owners`, quota and won totals), so the TUI,
the CLI and the SSH allow-list show a rep only their book and a manager only their team's.

A session without a Pantry user (a local OS login that is not a user) is not restricted on
reads: whoever can open the database file can read it anyway; writes still need a user.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from domain.enums import Role
from domain.errors import Refused
from domain.records import User

if TYPE_CHECKING:
    from domain.ports import Repositories


def visible_logins(actor: User | None, store: "Repositories") -> tuple[str, ...] | None:
    """The logins whose records `actor` sees, sorted; None when `actor` sees everything."""
    if actor is None:
        return None
    if not actor.active:  # an inactive user reads their own records only, whatever their role
        return (actor.login,)
    role = Role(actor.role)
    if role is Role.ADMIN:
        return None
    if role is Role.MANAGER:
        team = {u.login for u in store.users.find(manager_id=actor.id)}
        return tuple(sorted(team | {actor.login}))
    return (actor.login,)


def narrow(actor: User | None, visible: tuple[str, ...] | None, requested: Iterable[str]) -> tuple[str, ...]:
    """The owners a figure covers: those `requested` (all visible ones when none is), checked.

    Asking for someone the actor cannot see is refused with the names, never silently dropped.
    Returns () for "everyone" only when nothing restricts the actor.
    """
    wanted = tuple(dict.fromkeys(requested))
    if visible is None:
        return wanted
    if not wanted:
        return visible
    hidden = [login for login in wanted if login not in visible]
    if hidden:
        who = f"{actor.login} ({Role(actor.role).value})" if actor else "this session"
        names = ", ".join(hidden)
        reach = "their own records" if actor is not None and Role(actor.role) is Role.REP else "their team's records"
        raise Refused(f"{who} cannot see the records of {names}: a {Role(actor.role).value if actor else 'user'} "
                      f"sees {reach}")
    return wanted


def check_team(actor: User | None, visible: tuple[str, ...] | None, team: str, members: Iterable[str]) -> str:
    """`team` (a user's team name) when every member of it is visible to `actor`; else Refused.

    A rep's team holds colleagues a rep cannot see, so a rep naming any team is refused; a manager
    may name their own team (their reps share it). An empty team, or an unrestricted actor, passes.
    """
    if not team or visible is None:
        return team
    hidden = sorted(login for login in members if login not in visible)
    if hidden:
        who = f"{actor.login} ({Role(actor.role).value})" if actor else "this session"
        more = f" and {len(hidden) - 3} more" if len(hidden) > 3 else ""
        raise Refused(f"{who} cannot see the team {team!r}: it includes {', '.join(hidden[:3])}{more}, "
                      f"whose records are not theirs to see")
    return team


def can_see_owner(visible: tuple[str, ...] | None, owner_login: str | None) -> bool:
    return visible is None or (owner_login is not None and owner_login in visible)
