"""Who may import what: the role rules of domain/permissions.py applied to each row an import
would insert or change (rows it leaves unchanged need no right).

* users (and so teams and managers), products, and everything of the `pantry` preset (a restore of
  a whole export: ids, audit log, pipeline history): admin only;
* a record with an owner — an opportunity, a lead, an account with an owner, an activity (its
  assignee, else the owner of the deal, lead or account it is on), a contact (its account's owner):
  the importing user must be allowed to edit records of that owner (`can_edit_owned`: an admin
  any, a manager their own and their reps', a rep their own); changing a stored record also needs
  the right to edit it as stored, and giving it another owner the right to assign (`can_assign`);
* a new record without an owner (an account, contact, lead or activity the source gives none):
  anyone; changing a stored one without an owner: as `can_edit_owned` says (an admin).

* a row that matches a stored opportunity, lead or activity the importing user may not edit is
  refused whether or not it would change it, and counted nowhere: a dry run must not tell a rep
  whether a colleague's deal holds the values in their file (an oracle for its fields);
* an activity is checked against its assignee and also against the deal or lead it is on: a rep
  cannot log (by import, as with `pantry log`) on a colleague's deal by naming themselves.

A database without any user is being set up: its first import is not checked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.enums import Role
from domain.errors import Refused
from domain.permissions import can_assign, can_edit_owned, check_assign, check_edit_owned, describe
from domain.records import User

if TYPE_CHECKING:
    from domain.ports import Storage

NO_ACTOR = ("no Pantry user for this session: an import that changes the database needs one "
            "(run with --as LOGIN; `pantry list users` shows the logins)")


class Access:
    def __init__(self, actor: User | None, store: "Storage", *, bootstrap: bool) -> None:
        self.actor = actor
        self.store = store
        self.bootstrap = bootstrap
        self._edit: dict[int | None, bool] = {}
        self._logins: dict[int, str] = {}

    @property
    def unchecked(self) -> bool:
        return self.bootstrap or (self.actor is not None and Role(self.actor.role) is Role.ADMIN)

    def _may_edit(self, owner_id: int | None) -> bool:
        if owner_id not in self._edit:
            self._edit[owner_id] = can_edit_owned(self.actor, owner_id, self.store)
        return self._edit[owner_id]

    def _login(self, owner_id: int) -> str:
        if owner_id not in self._logins:
            user = self.store.users.get(owner_id)
            self._logins[owner_id] = user.login if user else f"user #{owner_id}"
        return self._logins[owner_id]

    def admin(self, what: str) -> str | None:
        """None when the actor may import `what` (e.g. "users"); else why not."""
        if self.unchecked:
            return None
        if self.actor is None:
            return NO_ACTOR
        return f"{describe(self.actor)} cannot import {what}: only an admin can"

    def add(self, owner_id: int | None, what: str) -> str | None:
        """May the actor add a record owned by `owner_id` (None: no owner)?"""
        if self.unchecked or (owner_id is None and self.actor is not None):
            return None
        if self.actor is None:
            return NO_ACTOR
        if self._may_edit(owner_id):
            return None
        owner = self._login(owner_id)
        if Role(self.actor.role) is Role.MANAGER:
            return f"{describe(self.actor)} cannot import {what} owned by {owner}: {owner} does not report to {self.actor.login}"
        return f"{describe(self.actor)} cannot import {what} owned by {owner}: a rep imports only their own records"

    def match(self, owner_id: int | None, what: str) -> str | None:
        """May the actor touch the stored `what` owned by `owner_id` at all (None: yes)? Asked before a
        row matched to it is compared, so the answer does not depend on the row's values. A session
        without a user reads everything anyway (docs/roles.md): its changes are refused by `change`."""
        if self.unchecked or self.actor is None:
            return None
        if self._may_edit(owner_id):
            return None
        try:
            check_edit_owned(self.actor, owner_id, self.store, what=what)
        except Refused as refused:
            return str(refused)
        return None

    def change(self, current_owner: int | None, new_owner: int | None, what: str) -> str | None:
        """May the actor change a stored record owned by `current_owner`, leaving it to `new_owner`?"""
        if self.unchecked:
            return None
        if self.actor is None:
            return NO_ACTOR
        if not self._may_edit(current_owner):
            try:
                check_edit_owned(self.actor, current_owner, self.store, what=what)
            except Refused as refused:
                return str(refused)
        if current_owner != new_owner and not can_assign(self.actor, current_owner, new_owner, self.store):
            try:
                check_assign(self.actor, current_owner, new_owner, self.store, what=what)
            except Refused as refused:
                return str(refused)
        return None
