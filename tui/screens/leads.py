"""Leads: new ones first, with source, score, owner and flags."""

from __future__ import annotations

from textual.binding import Binding

from domain.filter_syntax import LEAD_WORDS
from domain.filters import LeadFilter
from domain.views import LeadItem
from tui.format import day, label
from tui.screens.lead_forms import LeadForms
from tui.screens.list_base import ListScreen
from tui.widgets.paged_table import Column


class LeadsScreen(LeadForms, ListScreen):
    BINDINGS = [
        Binding("space", "mark", "Mark", id="leads.mark"),
        Binding("A", "assign", "Assign", id="leads.assign"),
        Binding("F", "flag", "Flag", id="leads.flag"),
        Binding("C", "convert", "Convert", id="leads.convert"),
    ]
    MODE = "leads"
    ENTITY = "lead"
    TITLE_TEXT = "Leads"
    KINDS = frozenset({"lead"})
    DEFAULT_SORT = "status"
    PLACEHOLDER = "text, @rep, status:new, source:Referral, flagged …  (/, M: mine)"
    FILTER_WORDS = LEAD_WORDS

    def __init__(self) -> None:
        super().__init__()
        self.marked: set[int] = set()

    def columns(self) -> list[Column]:
        return [
            Column("mark", "✓", 1, lambda x: "✓" if x.id in self.marked else "", sortable=False),
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

    def build_filter(self, p):
        return LeadFilter(text=p.text, owners=tuple(p.owners), statuses=tuple(p.statuses), sources=tuple(p.sources),
                          flagged=p.flagged)

    def fetch(self, offset: int, limit: int):
        sort = self.sort_key if self.sort_key != "status" or self.descending else ""
        flt = self.active_filter.model_copy(update=dict(sort=sort, descending=self.descending))
        return self.session.leads(flt, offset, limit)

    def open_item(self, item: LeadItem) -> None:
        from tui.screens.lead_detail import LeadDetailScreen

        self.app.push_screen(LeadDetailScreen(item.id))

    # -- actions ---------------------------------------------------------------------------

    def _targets(self) -> list[int]:
        if self.marked:
            return sorted(self.marked)
        item = self.table.current_item
        return [item.id] if item is not None else []

    def action_mark(self) -> None:
        item = self.table.current_item
        if item is None:
            return
        self.marked.symmetric_difference_update({item.id})
        self.table.refresh()  # the cursor stays: space, ↓, space marks two rows side by side, none skipped
        self.notify(f"{len(self.marked)} lead(s) marked", timeout=1.5, markup=False)

    def action_assign(self) -> None:
        self.assign_leads(self._targets())

    def action_flag(self) -> None:
        item = self.table.current_item
        if item is not None:
            self.flag_lead(item.id, item.name, item.flagged)

    def action_convert(self) -> None:
        item = self.table.current_item
        if item is not None:
            self.convert_lead(item.id, item.name, item.company)

    def lead_changed(self, done: str) -> None:
        self.marked.clear()
        self.app.notify(done, markup=False)
        self.reload(True)
