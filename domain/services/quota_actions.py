"""Setting quotas: an admin sets anyone's, a manager those of the users who report to them, a rep none.

One quota per user, period kind (month or quarter) and period start. Setting it again replaces
the amount; both the first setting and every change land in the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic import ValidationError

from domain.enums import QuotaPeriod
from domain.errors import Refused, require_actor
from domain.permissions import check_set_quota
from domain.records import Quota
from domain.session import Session
from domain.validation import field_errors


@dataclass(frozen=True)
class QuotaLine:
    login: str
    name: str
    period: str
    period_start: date
    amount_cents: int


class QuotaActions:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.store = session.store

    def set_quota(self, login: str, period: str, period_start: date, amount_cents: int) -> Quota:
        """Create or replace the quota of `login` for the period starting on `period_start`."""
        require_actor(self.session)
        user = self.store.user_by_login(login)
        if user is None:
            raise Refused(f"user: no user with login {login!r}")
        check_set_quota(self.session.actor, user, self.store)
        try:
            kind = QuotaPeriod(period)
        except ValueError:
            raise Refused(f"period: must be one of {', '.join(p.value for p in QuotaPeriod)}, not {period!r}") from None
        if kind is QuotaPeriod.QUARTER and period_start.month % 3 != 1:
            raise Refused("start: a quarter starts on 1 January, April, July or October")
        try:
            wanted = Quota(user_id=user.id, period=kind, period_start=period_start, amount_cents=amount_cents)
        except ValidationError as error:
            problem = field_errors(error, {"period_start": "start", "amount_cents": "amount"})[0]
            raise Refused(f"{problem.field or 'quota'}: {problem.reason}") from None
        with self.session.write() as change:
            found = self.store.quotas.find(user=user.id, period=kind.value, period_start=period_start)
            if found:
                before = found[0]
                saved = self.store.quotas.update(before.model_copy(update={"amount_cents": amount_cents}),
                                                 fields={"amount_cents"}, changed_by=self.session.actor_login)
                change.audit_update("quota", before.id, before, saved, ("amount_cents",))
            else:
                saved = self.store.quotas.insert(wanted)
                change.audit_create("quota", saved.id,
                                    f"{login} {kind.value} from {period_start.isoformat()}: {amount_cents} cents")
            change.touch(quota={saved.id})
        return saved

    def quotas(self, period: str | None = None, period_start: date | None = None) -> list[QuotaLine]:
        """The quotas this session may see (a rep's own, a manager's team's, everyone's for an admin)."""
        visible = self.session.visible_logins()
        users = {u.id: u for u in self.store.users.find(order_by="login")
                 if visible is None or u.login in visible}
        filters = {}
        if period:
            filters["period"] = period
        if period_start:
            filters["period_start"] = period_start
        lines = [
            QuotaLine(users[q.user_id].login, users[q.user_id].display_name, q.period.value, q.period_start,
                      q.amount_cents)
            for q in self.store.quotas.find(order_by="period_start", **filters) if q.user_id in users
        ]
        return sorted(lines, key=lambda q: (q.period_start, q.period, q.login))
