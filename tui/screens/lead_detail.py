"""One lead: who, from where, status and score, flag, response, and what it converted into."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.widgets import Static

from domain.services.details import lead_detail
from tui.format import day, label
from tui.screens.detail_base import DetailScreen
from tui.screens.lead_forms import LeadForms
from tui.widgets.tables import changes_table, facts, rows


class LeadDetailScreen(LeadForms, DetailScreen):
    BINDINGS = [
        Binding("A", "assign", "Assign", id="lead.assign"),
        Binding("F", "flag", "Flag", id="lead.flag"),
        Binding("C", "convert", "Convert", id="lead.convert"),
        Binding("o", "open_deal", "Its deal", id="lead.open-deal"),
    ]
    ENTITY = "lead"
    lead = None  # as last shown
    opportunity_id: int | None = None  # the deal it was converted into

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("assign", "flag", "convert") and self.lead is None:
            return False
        if action == "convert" and self.lead is not None and self.lead.converted_at is not None:
            return False  # converted already: `o` opens its deal
        if action == "open_deal" and self.opportunity_id is None:
            return False
        return super().check_action(action, parameters)

    def action_assign(self) -> None:
        self.assign_leads([self.lead_id])

    def action_flag(self) -> None:
        self.flag_lead(self.lead.id, self.lead.name, self.lead.flagged)

    def action_convert(self) -> None:
        self.convert_lead(self.lead.id, self.lead.name, self.lead.company)

    def action_open_deal(self) -> None:
        if self.opportunity_id is not None:
            self.app.open_record("opportunity", self.opportunity_id)

    def record_id(self) -> int | None:
        return self.lead_id
    def __init__(self, lead_id: int) -> None:
        super().__init__()
        self.lead_id = lead_id

    @work(thread=True, exclusive=True, group="lead-detail", name="Loading the lead", exit_on_error=False)
    def load(self) -> None:
        try:
            with self.session.connection():
                found = lead_detail(self.session, self.lead_id)
        except Exception as error:
            self.app.call_from_thread(self.show_refusal, error)
            return
        self.app.call_from_thread(self.show, found.lead, found.owner, found.opportunity, found.account, found.activities,
                                  found.changes)

    def show(self, lead, owner, opportunity, account, activities, changes=()) -> None:
        self.sub_title = f"Lead #{lead.id}"
        self.record_name = lead.name
        self.lead = lead
        self.opportunity_id = opportunity.id if opportunity else None
        self.refresh_bindings()
        response = "—"
        if lead.first_response_at is not None:
            hours = (lead.first_response_at - lead.created_at).total_seconds() / 3600
            response = f"{lead.first_response_at:%Y-%m-%d %H:%M} UTC ({hours:.1f} h after it came in)"
        profile = facts([
            ("Company", lead.company or "—"), ("Title", lead.title or "—"), ("E-mail", lead.email or "—"),
            ("Phone", lead.phone or "—"), ("Source", lead.source or "—"), ("Status", label(lead.status.value)),
            ("Score", str(lead.score)), ("Owner", f"{owner.display_name} ({owner.login})" if owner else "unassigned"),
            ("Flag", f"⚑ {lead.flag_reason}" if lead.flagged else "—"),
            ("Came in", f"{lead.created_at:%Y-%m-%d %H:%M} UTC"), ("First response", response),
            ("Converted", day(lead.converted_at)),
            ("Opportunity", opportunity.name if opportunity else "—"), ("Account", account.name if account else "—"),
            ("Notes", lead.notes or "—"),
        ])
        history = rows(["When", "Kind", "Subject"], [(day(a.created_at), label(a.kind.value), a.subject) for a in activities],
                       title="Activity", wrap=(2,))
        self.query_one("#detail-body", Static).update(Group(Text(lead.name, style="bold"), profile, history,
                                                                    changes_table(changes)))
