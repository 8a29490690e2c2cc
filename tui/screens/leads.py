"""Leads: new ones first, with source, score, owner and flags."""

from __future__ import annotations

from textual import work
from textual.binding import Binding

from domain.filter_syntax import LEAD_WORDS
from domain.filters import LeadFilter, UserFilter
from domain.inputs import InputError, check_text
from domain.money import MoneyError, parse_cents
from domain.services.lead_actions import LeadActions
from domain.views import LeadItem
from tui.format import day, label
from tui.screens.form import Field, FormScreen
from tui.screens.list_base import ListScreen
from tui.widgets.paged_table import Column


class LeadsScreen(ListScreen):
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
        targets = self._targets()
        if targets:
            self.open_assign_form(targets)

    @work(thread=True, group="lead-action", name="Loading the reps", exit_on_error=False)
    def open_assign_form(self, targets: list[int]) -> None:
        with self.session.connection():
            users = self.session.users(UserFilter(roles=("rep", "manager"), active=True), 0, 500).items
        visible = self.session.visible_logins()  # a manager assigns within the team: offer only those
        users = [u for u in users if visible is None or u.login in visible]
        options = tuple((f"{u.display_name} ({u.login}) · {u.team}", u.login) for u in users)
        # no one chosen beforehand among several (it used to be the first in the list: the manager herself):
        # Enter alone changes nothing, the form asks who; a single possible answer is filled in
        only = options[0][1] if len(options) == 1 else ""
        fields = [Field("login", "Assign to", options=options, allow_blank=not only, value=only)]

        def validate(values):
            return (values["login"], {}) if values["login"] else (None, {"login": "choose who gets the leads"})

        def chosen(login: str | None) -> None:
            if login:
                self.act(lambda actions: actions.assign(targets, login), f"Assigned {len(targets)} lead(s) to {login}")

        title = f"Assign {len(targets)} lead(s)"
        self.app.call_from_thread(self.app.push_screen, FormScreen(title, fields, validate, submit_label="Assign"), chosen)

    def action_flag(self) -> None:
        item = self.table.current_item
        if item is None:
            return
        if item.flagged:
            self.act(lambda actions: actions.flag(item.id, None), "Flag cleared")
            return
        fields = [Field("reason", "Why does this lead need attention?", placeholder="e.g. hot: asked for a call today")]

        def validate(values):
            reason = values["reason"].strip()
            return (reason, {}) if reason else (None, {"reason": "required to flag a lead"})

        self.app.push_screen(FormScreen(f"Flag {item.name}", fields, validate, submit_label="Flag"),
                             lambda reason: reason and self.act(lambda actions: actions.flag(item.id, reason), "Flagged"))

    def action_convert(self) -> None:
        item = self.table.current_item
        if item is None:
            return
        fields = [
            Field("account", "Account (found by name, or created)", item.company),
            Field("name", "Opportunity name", f"{item.company or item.name} — new business"),
            Field("value", "Estimated value ($)", "0"),
        ]

        def validate(values):
            errors, result = {}, {}
            for name, key in (("account", "account_name"), ("name", "opportunity_name")):
                try:
                    result[key] = check_text(values[name], required=True)
                except InputError as error:
                    errors[name] = str(error)
            try:
                result["value_cents"] = parse_cents(values["value"] or "0")
            except MoneyError as error:
                errors["value"] = str(error)
            return (None if errors else result), errors

        def chosen(result: dict | None) -> None:
            if result:
                self.act(lambda actions: actions.convert(item.id, **result), "Converted to an opportunity")

        self.app.push_screen(FormScreen(f"Convert {item.name}", fields, validate, submit_label="Convert"), chosen)

    @work(thread=True, group="lead-action", name="Updating the leads", exit_on_error=False)
    def act(self, change, done: str) -> None:
        """A refusal or a conflict is shown by the app's failure handler (tui/failures.py)."""
        with self.session.connection():
            change(LeadActions(self.session))
        self.marked.clear()
        self.app.call_from_thread(self.app.notify, done, markup=False)
        self.app.call_from_thread(self.reload, True)
