"""One lead: who, from where, status and score, flag, response, and what it converted into."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual import work
from textual.widgets import Static

from domain.services.details import lead_detail
from tui.format import day, label
from tui.screens.detail_base import DetailScreen
from tui.widgets.tables import changes_table, facts, rows


class LeadDetailScreen(DetailScreen):
    ENTITY = "lead"

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
