"""One contact and the people around them: who they report to, who reports to them, and the
account's other buyers with their roles (the relationship map of an account strategy session)."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static, Tree

from domain.services.details import contact_detail
from tui.failures import KeepsRunning
from tui.format import label
from tui.screens.detail_base import ReloadsOnChange
from tui.widgets.tables import facts


def _who(contact) -> Text:
    text = Text(contact.full_name, style="bold")
    if contact.title:
        text.append(f", {contact.title}")
    if contact.buying_role:
        text.append(f"  [{label(contact.buying_role.value)}]", style="italic")
    return text


class ContactDetailScreen(ReloadsOnChange, KeepsRunning, Screen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="contact.back"),
        Binding("a", "account", "Account", id="contact.account"),
        Binding("e", "edit", "Edit", id="contact.edit"),
        Binding("i", "log_interaction", "Log interaction", id="contact.log"),
        Binding("D,delete", "archive", "Archive", show=False, id="contact.archive"),
    ]
    contact_name = ""

    def action_edit(self) -> None:
        self.app.edit_record("contact", self.contact_id)

    def action_log_interaction(self) -> None:
        preset = {"contact": str(self.contact_id)}
        if self.account_id is not None:
            preset["account"] = str(self.account_id)
        self.app.new_record("interaction", preset)

    def action_archive(self) -> None:
        self.app.archive_record("contact", self.contact_id, self.contact_name or f"#{self.contact_id}")

    def __init__(self, contact_id: int) -> None:
        super().__init__()
        self.contact_id = contact_id
        self.account_id: int | None = None

    @property
    def session(self):
        return self.app.session  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        with VerticalScroll(id="detail"):
            yield Static("Loading…", id="contact-facts")
            yield Tree(Text("Relationships"), id="relationships")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Contact"
        self.load()

    @work(thread=True, exclusive=True, group="contact-detail", name="Loading the contact", exit_on_error=False)
    def load(self) -> None:
        try:
            with self.session.connection():
                found = contact_detail(self.session, self.contact_id)
        except Exception as error:  # refused (not visible) or gone: say so on the screen
            self.app.call_from_thread(self.query_one("#contact-facts", Static).update, Text(str(error)))
            return
        self.app.call_from_thread(self.show, found.contact, found.account, list(found.colleagues))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # "a Account" only once there is an account to open (not while loading, not when refused)
        return self.account_id is not None if action == "account" else True

    def show(self, contact, account, colleagues) -> None:
        self.account_id = account.id if account else None
        self.contact_name = f"{contact.first_name} {contact.last_name}".strip()
        self.refresh_bindings()
        by_id = {c.id: c for c in colleagues}
        self.query_one("#contact-facts", Static).update(facts([
            ("Name", contact.full_name), ("Title", contact.title or "—"),
            ("Account", account.name if account else "—"), ("Buying role", label(contact.buying_role.value) if contact.buying_role else "—"),
            ("E-mail", contact.email or "—"), ("Phone", contact.phone or "—"),
        ]))
        tree = self.query_one("#relationships", Tree)
        tree.clear()
        tree.root.expand()
        chain, boss = [], by_id.get(contact.reports_to_id)
        while boss is not None and boss not in chain and len(chain) < 10:
            chain.append(boss)
            boss = by_id.get(boss.reports_to_id)
        up = tree.root.add(Text("Reports to"), expand=True)
        node = up
        for person in reversed(chain):
            node = node.add(_who(person), expand=True)
        if not chain:
            up.add_leaf(Text("no one on record", style="dim"))
        me = node.add(_who(contact), expand=True) if chain else tree.root.add(_who(contact), expand=True)
        reports = [c for c in colleagues if c.reports_to_id == contact.id]
        for person in reports:
            me.add_leaf(_who(person))
        others = tree.root.add(Text(f"Others at {account.name}" if account else "Others"), expand=True)
        listed = {contact.id, *(c.id for c in chain), *(c.id for c in reports)}
        for person in colleagues:
            if person.id not in listed:
                others.add_leaf(_who(person))

    def action_account(self) -> None:
        if self.account_id is not None:
            from tui.screens.account_detail import AccountDetailScreen

            self.app.push_screen(AccountDetailScreen(self.account_id))
