"""Accounts: tier, status, health, open pipeline and renewals."""

from __future__ import annotations

from domain.filter_syntax import ACCOUNT_WORDS
from domain.filters import AccountFilter
from domain.views import AccountItem
from tui.format import day, label, money
from tui.screens.list_base import ListScreen
from tui.widgets.paged_table import Column


class AccountsScreen(ListScreen):
    MODE = "accounts"
    ENTITY = "account"
    TITLE_TEXT = "Accounts"
    KINDS = frozenset({"account", "opportunity"})
    DEFAULT_SORT = "name"
    PLACEHOLDER = "text, @owner, tier:key, status:customer, health<40 …  (/, M: mine)"
    FILTER_WORDS = ACCOUNT_WORDS

    def columns(self) -> list[Column]:
        return [
            Column("name", "Account", 22, lambda a: a.name, flex=3),
            Column("industry", "Segment", 16, lambda a: label(a.industry), hide_below=100),
            Column("tier", "Tier", 9, lambda a: label(a.tier)),
            Column("status", "Status", 9, lambda a: label(a.status), hide_below=110),
            Column("owner", "Owner", 10, lambda a: a.owner_login or "—"),
            Column("open_value", "Open pipeline", 14, lambda a: money(a.open_value_cents), align="right"),
            Column("health", "Health", 6, lambda a: "—" if a.health_score is None else str(a.health_score), align="right"),
            Column("renewal", "Renewal", 10, lambda a: day(a.renewal_date), hide_below=100),
            Column("parent", "Parent", 10, lambda a: a.parent, sortable=False, flex=1, hide_below=110),
        ]

    def build_filter(self, p):
        return AccountFilter(text=p.text, owners=tuple(p.owners), tiers=tuple(p.tiers), statuses=tuple(p.statuses),
                             min_health=p.min_health, max_health=p.max_health)

    def fetch(self, offset: int, limit: int):
        flt = self.active_filter.model_copy(update={"sort": self.sort_key, "descending": self.descending})
        return self.session.accounts(flt, offset, limit)

    def open_item(self, item: AccountItem) -> None:
        from tui.screens.account_detail import AccountDetailScreen

        self.app.push_screen(AccountDetailScreen(item.id))
