"""Proposals: pending ones first, with amount, status and validity."""

from __future__ import annotations

from textual import work
from textual.binding import Binding

from domain.enums import ProposalStatus
from domain.filter_syntax import OWNER_AND_STATUS
from domain.filters import ProposalFilter
from domain.services.proposal_actions import NEXT, follow_up, set_proposal_status
from domain.views import ProposalItem
from tui.format import day, label, money
from tui.screens.form import Field, FormScreen
from tui.screens.list_base import ListScreen
from tui.widgets.paged_table import Column


class ProposalsScreen(ListScreen):
    BINDINGS = [
        Binding("u", "update_status", "Status", id="proposals.status"),
        Binding("T", "follow_up", "Follow-up task", id="proposals.follow-up"),
    ]
    MODE = "proposals"
    ENTITY = "proposal"
    TITLE_TEXT = "Proposals"
    KINDS = frozenset({"proposal", "opportunity"})
    DEFAULT_SORT = "status"
    PLACEHOLDER = "text, @owner, status:sent …  (/, M: mine)"
    FILTER_WORDS = OWNER_AND_STATUS

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

    def build_filter(self, p):
        return ProposalFilter(text=p.text, owners=tuple(p.owners), statuses=tuple(p.statuses))

    def fetch(self, offset: int, limit: int):
        sort = "" if self.sort_key == "status" and not self.descending else self.sort_key
        flt = self.active_filter.model_copy(update={"sort": sort, "descending": self.descending})
        return self.session.proposals(flt, offset, limit)

    def open_item(self, item: ProposalItem) -> None:
        from tui.screens.opportunity_detail import OpportunityDetailScreen

        self.app.push_screen(OpportunityDetailScreen(item.opportunity_id))

    # -- lifecycle ---------------------------------------------------------------------------

    def on_mount(self) -> None:
        super().on_mount()
        self.load_rate()

    def status_extra(self) -> str:
        return getattr(self, "_rate_text", "")

    @work(thread=True, exclusive=True, group="proposal-rate", name="Loading the acceptance rate", exit_on_error=False)
    def load_rate(self) -> None:
        with self.session.connection():
            counts = self.session.proposal_status_counts()
        accepted, rejected = counts.get("accepted", 0), counts.get("rejected", 0)
        decided = accepted + rejected
        self._rate_text = f"acceptance {accepted / decided:.0%} ({accepted} of {decided} decided)" if decided else ""
        self.app.call_from_thread(self._show_status)

    def data_changed(self, event) -> None:
        super().data_changed(event)
        if event.touches("proposal"):
            self.load_rate()

    def action_update_status(self) -> None:
        item = self.table.current_item
        if item is None:
            return
        allowed = NEXT[ProposalStatus(item.status)]
        if not allowed:
            message = f"{item.number} is {item.status}: decided, nothing follows."  # user text: never markup
            self.notify(message, severity="information", markup=False)
            return
        # no status chosen beforehand (it used to be the first allowed, "Accepted"): the form asks
        fields = [Field("status", f"{item.number} is {item.status}; new status", value="",
                        options=tuple((label(s.value), s.value) for s in allowed), allow_blank=True)]

        def validate(values: dict) -> tuple:
            return (values, {}) if values["status"] else (None, {"status": "choose the new status"})

        def chosen(values: dict | None) -> None:
            if values:
                self.act(lambda: set_proposal_status(self.session, item.id, ProposalStatus(values["status"])),
                         f"{item.number}: {values['status']}")

        self.app.push_screen(FormScreen(f"Proposal {item.number}", fields, validate, submit_label="Update"), chosen)

    def action_follow_up(self) -> None:
        item = self.table.current_item
        if item is None:
            return
        fields = [Field("title", "Task", f"Follow up on proposal {item.number}"), Field("days", "Due in (days)", "2")]

        def validate(values):
            errors = {}
            if not values["title"].strip():
                errors["title"] = "required"
            if not (values["days"].strip().isascii() and values["days"].strip().isdigit()):
                errors["days"] = "a whole number of days"
            return (None if errors else values), errors

        def chosen(values: dict | None) -> None:
            if values:
                self.act(lambda: follow_up(self.session, item.id, title=values["title"], in_days=int(values["days"])),
                         "Follow-up task created")

        self.app.push_screen(FormScreen(f"Follow up {item.number}", fields, validate, submit_label="Create"), chosen)

    @work(thread=True, group="proposal-action", name="Updating the proposal", exit_on_error=False)
    def act(self, change, done: str) -> None:
        """A refusal or a conflict is shown by the app's failure handler (tui/failures.py)."""
        with self.session.connection():
            change()
        self.app.call_from_thread(self.app.notify, done, markup=False)
        self.app.call_from_thread(self.reload, True)
