"""Who may do what: the role rules, checked in the domain so the TUI, the CLI and an SSH login
all obey them alike.

- rep: sees and edits their own leads, opportunities, activities and tasks; cannot reassign
  records to others or change quotas.
- manager: sees and edits everything of the reps who report to them (user.manager_id is the
  manager) and their own; assigns leads and opportunities (to themselves or their team); sets
  quotas for their team.
- admin: everything.
- an inactive user (any role): nothing. They read their own records (domain/visibility.py) and change
  none; the session's unit of work refuses their every write as well (domain/session.py).

`can_*` answer yes or no; `check_*` raise `Refused` with a message saying why. Automations and
the duration sweep act as the system and are not checked (they do not go through here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.enums import Role
from domain.errors import Refused
from domain.records import User

if TYPE_CHECKING:
    from domain.ports import Repositories


def describe(user: User) -> str:
    return f"{user.login} ({Role(user.role).value})"


def _user(owner: User | int | None, store: "Repositories") -> User | None:
    if owner is None or isinstance(owner, User):
        return owner
    return store.users.get(owner)


def _login(user: User | None, fallback: int | None = None) -> str:
    if user is not None:
        return user.login
    return "nobody" if fallback is None else f"user #{fallback}"


def team_ids(manager: User, store: "Repositories") -> set[int]:
    """The ids of the users who report to `manager` (manager_id is the manager)."""
    return {u.id for u in store.users.find(manager_id=manager.id)}


def is_team_member(manager: User, user: User | None) -> bool:
    return user is not None and user.manager_id is not None and user.manager_id == manager.id


def _owner_id(owner: User | int | None) -> int | None:
    return owner.id if isinstance(owner, User) else owner


# -- questions -----------------------------------------------------------------------------------


def inactive_refusal(actor: User) -> Refused:
    return Refused(f"{describe(actor)} is inactive: an inactive user cannot change anything "
                   "(an admin reactivates them with `pantry user set {0} --active`)".format(actor.login))


def can_edit_owned(actor: User | None, owner: User | int | None, store: "Repositories") -> bool:
    """May `actor` change a record owned by `owner` (a user, a user id or None)?"""
    if actor is None or not actor.active:
        return False
    role = Role(actor.role)
    if role is Role.ADMIN:
        return True
    owner_id = _owner_id(owner)
    if owner_id is not None and owner_id == actor.id:
        return True
    if role is Role.MANAGER:
        return is_team_member(actor, _user(owner, store))
    return False


can_see_owned = can_edit_owned
can_edit_opportunity = can_edit_owned
can_edit_lead = can_edit_owned
can_edit_activity = can_edit_owned
can_edit_task = can_edit_owned
can_see_opportunity = can_edit_owned


def can_assign(actor: User | None, current_owner: User | int | None, new_owner: User | int | None,
               store: "Repositories") -> bool:
    """May `actor` give a record owned by `current_owner` to `new_owner`?

    A rep may not reassign at all (giving a record to its current owner is no change). A manager
    may move records they can edit to themselves or a member of their team. An admin may do anything.
    """
    if actor is None or not actor.active:
        return False
    role = Role(actor.role)
    if role is Role.ADMIN:
        return True
    if _owner_id(current_owner) == _owner_id(new_owner):
        return can_edit_owned(actor, current_owner, store)
    if role is not Role.MANAGER:
        return False
    return can_edit_owned(actor, current_owner, store) and can_edit_owned(actor, new_owner, store)


def can_set_quota(actor: User | None, user: User | int | None, store: "Repositories") -> bool:
    """Admins set anyone's quota; a manager sets the quotas of the users who report to them."""
    if actor is None or not actor.active:
        return False
    role = Role(actor.role)
    if role is Role.ADMIN:
        return True
    if role is Role.MANAGER:
        return is_team_member(actor, _user(user, store))
    return False


# -- checks (raise Refused) ----------------------------------------------------------------------


def check_edit_owned(actor: User | None, owner: User | int | None, store: "Repositories", *, what: str) -> None:
    """Raise Refused unless `actor` may change `what` (e.g. "opportunity 42"), owned by `owner`."""
    if actor is None:
        raise Refused(f"cannot change {what}: no Pantry user for this session")
    if not actor.active:
        raise inactive_refusal(actor)
    if can_edit_owned(actor, owner, store):
        return
    owner_user = _user(owner, store)
    owner_login = _login(owner_user, _owner_id(owner))
    if owner_user is None and _owner_id(owner) is None:
        raise Refused(f"{describe(actor)} cannot change {what}: it has no owner")
    if Role(actor.role) is Role.MANAGER:
        raise Refused(f"{describe(actor)} cannot change {what}: it belongs to {owner_login}, "
                      f"who does not report to {actor.login}")
    raise Refused(f"{describe(actor)} cannot change {what}: it belongs to {owner_login}")


def check_edit_opportunity(actor: User | None, opportunity, store: "Repositories") -> None:
    check_edit_owned(actor, opportunity.owner_id, store, what=f"opportunity {opportunity.id}")


def check_assign(actor: User | None, current_owner: User | int | None, new_owner: User | int | None,
                 store: "Repositories", *, what: str) -> None:
    if actor is None:
        raise Refused(f"cannot reassign {what}: no Pantry user for this session")
    if not actor.active:
        raise inactive_refusal(actor)
    if can_assign(actor, current_owner, new_owner, store):
        return
    new_login = _login(_user(new_owner, store), _owner_id(new_owner))
    if Role(actor.role) is Role.REP:
        raise Refused(f"{describe(actor)} cannot reassign {what}: only a manager or an admin assigns records")
    if not can_edit_owned(actor, current_owner, store):
        check_edit_owned(actor, current_owner, store, what=what)
    raise Refused(f"{describe(actor)} cannot assign {what} to {new_login}: {new_login} does not report to {actor.login}")


def check_set_quota(actor: User | None, user: User | int | None, store: "Repositories") -> None:
    if actor is None:
        raise Refused("cannot set a quota: no Pantry user for this session")
    if not actor.active:
        raise inactive_refusal(actor)
    if can_set_quota(actor, user, store):
        return
    login = _login(_user(user, store), _owner_id(user))
    if Role(actor.role) is Role.REP:
        raise Refused(f"{describe(actor)} cannot set quotas: only a manager (for their team) or an admin can")
    raise Refused(f"{describe(actor)} cannot set the quota of {login}: {login} does not report to {actor.login}")
