"""Managing users: add one, change their role, manager, team, region, e-mail or name, deactivate.

Only an admin manages users. To start a database, the first admin may be added by anyone who can
open it (there is no one yet to ask); from then on every change needs an admin. Each change is
audited (table `user`). A user is never deleted — deactivate them, and their records keep their
owner; an inactive user cannot be given records.
"""

from __future__ import annotations

from pydantic import ValidationError

from domain.enums import Role
from domain.errors import Refused
from domain.permissions import inactive_refusal
from domain.records import User
from domain.session import Session
from domain.validation import field_errors

FIELD_NAMES = {"display_name": "name", "manager_id": "manager"}
CHANGEABLE = ("display_name", "email", "role", "manager_id", "team", "region", "active")


def _refuse(error: ValidationError) -> Refused:
    problem = field_errors(error, FIELD_NAMES)[0]
    return Refused(f"{problem.field or 'user'}: {problem.reason}")


class UserAdmin:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.store = session.store

    def _check(self, *, first_admin: bool = False) -> None:
        actor = self.session.actor
        if actor is not None and not actor.active:
            raise inactive_refusal(actor)  # reactivating themselves included
        if actor is not None and Role(actor.role) is Role.ADMIN:
            return
        if first_admin and not self.store.users.find(role=Role.ADMIN.value):
            return  # bootstrap: no admin exists yet (an inactive one counts: deactivating admins opens no door)
        who = f"{actor.login} ({Role(actor.role).value})" if actor else "this session (no Pantry user)"
        raise Refused(f"{who} cannot manage users: only an admin can (pass --as an admin's login)")

    def _manager_id(self, login: str | None, for_login: str) -> int | None:
        if not login:
            return None
        if login == for_login:
            raise Refused(f"manager: {login} cannot be their own manager")
        manager = self.store.user_by_login(login)
        if manager is None:
            raise Refused(f"manager: no user with login {login!r}")
        if Role(manager.role) is Role.REP:
            raise Refused(f"manager: {login} is a rep; a manager or an admin leads a team")
        return manager.id

    def add(self, login: str, display_name: str, role: str = "rep", *, email: str | None = None,
            manager: str | None = None, team: str = "", region: str = "") -> User:
        try:
            wanted_role = Role(role)
        except ValueError:
            raise Refused(f"role: must be one of {', '.join(r.value for r in Role)}, not {role!r}") from None
        self._check(first_admin=wanted_role is Role.ADMIN)
        now = self.session.clock.now()
        with self.session.write(at=now) as change:
            if self.store.user_by_login(login) is not None:
                raise Refused(f"login: {login!r} is taken")
            try:
                user = User(login=login, display_name=display_name, role=wanted_role, email=email or None,
                            manager_id=self._manager_id(manager, login), team=team, region=region, created_at=now)
            except ValidationError as error:
                raise _refuse(error) from None
            saved = self.store.users.insert(user)
            change.touch(user={saved.id})
            change.audit_create("user", saved.id, f"{login} ({wanted_role.value})")
        return saved

    def change(self, login: str, **changes) -> User:
        """Change some of: display_name, email, role, manager (a login, or "" for none), team, region, active."""
        self._check()
        values = dict(changes)
        unknown = set(values) - set(CHANGEABLE) - {"manager"}
        if unknown:
            raise Refused(f"{', '.join(sorted(unknown))}: not a user field that can be changed")
        with self.session.write() as unit:
            before = self.store.user_by_login(login)
            if before is None:
                raise Refused(f"user: no user with login {login!r}")
            if "manager" in values:
                values["manager_id"] = self._manager_id(values.pop("manager"), login)
            if "role" in values:
                try:
                    values["role"] = Role(values["role"])
                except ValueError:
                    raise Refused(f"role: must be one of {', '.join(r.value for r in Role)}") from None
                if values["role"] is Role.REP and self.store.users.find(manager_id=before.id):
                    raise Refused(f"role: {login} still leads a team; give those reps another manager first")
            if "email" in values:
                values["email"] = values["email"] or None
            try:
                after = User.model_validate({**before.model_dump(), **values})
            except ValidationError as error:
                raise _refuse(error) from None
            if self.session.actor is not None and after.id == self.session.actor.id and (
                    Role(after.role) is not Role.ADMIN or not after.active):
                raise Refused("role: you cannot take away your own admin rights (another admin can)")
            saved = self.store.users.update(after, fields=set(values) | {"version"}, changed_by=self.session.actor_login)
            unit.touch(user={saved.id})
            unit.audit_update("user", before.id, before, saved, values)
        return saved
