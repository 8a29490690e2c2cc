"""Contacts: who buys, who influences, who reports to whom."""

from __future__ import annotations

from domain.filters import ContactFilter
from domain.views import ContactItem
from tui.format import label
from tui.screens.list_base import ListScreen
from tui.widgets.paged_table import Column


class ContactsScreen(ListScreen):
    MODE = "contacts"
    ENTITY = "contact"
    TITLE_TEXT = "Contacts"
    KINDS = frozenset({"contact", "account"})
    DEFAULT_SORT = "name"
    PLACEHOLDER = "Filter by name, e-mail or account…  (/)"
    FILTER_WORDS = frozenset({"archived"})  # text, and archived

    def columns(self) -> list[Column]:
        return [
            Column("name", "Name", 18, lambda c: c.name, flex=1),
            Column("title", "Title", 24, lambda c: c.title or "—", hide_below=100),
            Column("account", "Account", 18, lambda c: c.account or "—", flex=1),
            Column("buying_role", "Buying role", 14, lambda c: label(c.buying_role)),
            Column("email", "E-mail", 20, lambda c: c.email or "—", flex=1),
            Column("reports_to", "Reports to", 18, lambda c: c.reports_to or "—", sortable=False, hide_below=130),
        ]

    def build_filter(self, p):
        return ContactFilter(text=p.text)

    def fetch(self, offset: int, limit: int):
        flt = self.active_filter.model_copy(update={"sort": self.sort_key, "descending": self.descending})
        return self.session.contacts(flt, offset, limit)

    def action_mine(self) -> None:
        self.notify("Contacts have no owner: filter the accounts with M instead.", severity="information")

    def open_item(self, item: ContactItem) -> None:
        from tui.screens.contact_detail import ContactDetailScreen

        self.app.push_screen(ContactDetailScreen(item.id))
