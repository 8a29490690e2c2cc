"""Proposals: pending ones first, with amount, status and validity."""

from __future__ import annotations

from domain.filters import ProposalFilter
from domain.views import ProposalItem
from tui.format import day, label, money
from tui.screens.list_base import ListScreen
from tui.widgets.paged_table import Column


class ProposalsScreen(ListScreen):
    MODE = "proposals"
    TITLE_TEXT = "Proposals"
    KINDS = frozenset({"proposal", "opportunity"})
    DEFAULT_SORT = "status"
    PLACEHOLDER = "@login or text: number, title or account…  (/, M: mine)"

    def columns(self) -> list[Column]:
        today = self.session.clock.today()

        def expiring(p: ProposalItem) -> str | None:
            if p.status == "sent" and p.valid_until is not None and p.valid_until < today:
                return "warning"
            return None

        return [
            Column("number", "Number", 13, lambda p: p.number),
            Column("status", "Status", 10, lambda p: label(p.status)),
            Column("account", "Account", 18, lambda p: p.account or "—", flex=1),
            Column("title", "Title", 16, lambda p: p.title, sortable=False, flex=2, hide_below=110),
            Column("amount", "Amount", 13, lambda p: money(p.amount_cents), align="right"),
            Column("owner", "Owner", 10, lambda p: p.owner_login, hide_below=90),
            Column("sent", "Sent", 10, lambda p: day(p.sent_at), hide_below=100),
            Column("valid_until", "Valid until", 11, lambda p: day(p.valid_until), style=expiring),
        ]

    def fetch(self, offset: int, limit: int):
        sort = "" if self.sort_key == "status" and not self.descending else self.sort_key
        owners, text = self.owner_filter
        flt = ProposalFilter(text=text, owners=owners, sort=sort, descending=self.descending)
        return self.session.proposals(flt, offset, limit)

    def open_item(self, item: ProposalItem) -> None:
        from tui.screens.opportunity_detail import OpportunityDetailScreen

        self.app.push_screen(OpportunityDetailScreen(item.opportunity_id))
