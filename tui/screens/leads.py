"""Leads: new ones first, with source, score, owner and flags."""

from __future__ import annotations

from domain.filters import LeadFilter
from domain.views import LeadItem
from tui.format import day, label
from tui.screens.list_base import ListScreen
from tui.widgets.paged_table import Column


class LeadsScreen(ListScreen):
    MODE = "leads"
    TITLE_TEXT = "Leads"
    KINDS = frozenset({"lead"})
    DEFAULT_SORT = "status"
    PLACEHOLDER = "@login or text: name, company or e-mail…  (/, M: mine)"

    def columns(self) -> list[Column]:
        return [
            Column("id", "#", 6, lambda x: str(x.id), align="right", hide_below=100),
            Column("name", "Name", 16, lambda x: x.name, flex=2, style=lambda x: "warning" if x.flagged else None),
            Column("company", "Company", 16, lambda x: x.company or "—", flex=2),
            Column("status", "Status", 11, lambda x: label(x.status)),
            Column("source", "Source", 14, lambda x: x.source or "—"),
            Column("score", "Score", 5, lambda x: str(x.score), align="right",
                   style=lambda x: "good" if x.score >= 70 else None),
            Column("owner", "Owner", 10, lambda x: x.owner_login or "unassigned"),
            Column("created", "Created", 10, lambda x: day(x.created_at), hide_below=100),
            Column("flag", "Flag", 12, lambda x: ("⚑ " + x.flag_reason) if x.flagged else "", sortable=False,
                   style=lambda x: "warning" if x.flagged else None, flex=1, hide_below=90),
        ]

    def fetch(self, offset: int, limit: int):
        owners, text = self.owner_filter
        flt = LeadFilter(text=text, owners=owners, sort=self.sort_key if self.sort_key != "status" or self.descending else "",
                         descending=self.descending)
        return self.session.leads(flt, offset, limit)

    def open_item(self, item: LeadItem) -> None:
        from tui.screens.lead_detail import LeadDetailScreen

        self.app.push_screen(LeadDetailScreen(item.id))
