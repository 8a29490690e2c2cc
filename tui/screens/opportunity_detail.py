"""One opportunity: its fields, line items, competitors, stage history, proposals and activities."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual import work
from textual.widgets import Static

from domain.services.details import OpportunityDetail, opportunity_detail
from tui.format import day, label, money
from tui.screens.detail_base import DetailScreen
from tui.widgets.tables import facts, rows


class OpportunityDetailScreen(DetailScreen):
    def __init__(self, opportunity_id: int) -> None:
        super().__init__()
        self.opportunity_id = opportunity_id

    @work(thread=True, exclusive=True, group="opportunity-detail")
    def load(self) -> None:
        try:
            with self.session.connection():
                detail = opportunity_detail(self.session, self.opportunity_id)
        except Exception as error:
            self.app.call_from_thread(self.query_one("#detail-body", Static).update, Text(str(error)))
            return
        self.app.call_from_thread(self.show, detail)

    def show(self, d: OpportunityDetail) -> None:
        o = d.opportunity
        self.sub_title = f"Opportunity #{o.id}"
        today = self.session.clock.today()
        stage_name = self.session.pipeline.stage(o.stage).name if self.session.pipeline.has(o.stage) else o.stage
        probability = f"{o.probability}%" + (" (manual override)" if o.probability_overridden else "")
        category = label(o.forecast_category.value) + (" (override)" if o.forecast_category_overridden else "")
        days = (today - o.stage_entered_at.date()).days
        header = Text(o.name, style="bold")
        fields = facts([
            ("Account", d.account.name if d.account else "—"),
            ("Contact", d.contact.full_name if d.contact else "—"),
            ("Stage", f"{stage_name} · {days} days in stage"),
            ("Value", money(o.value_cents)),
            ("Probability", probability),
            ("Forecast category", category),
            ("Budget", money(o.budget_cents)),
            ("Expected close", day(o.expected_close_date)),
            ("Actual close", day(o.actual_close_date)),
            ("Owner", f"{d.owner.display_name} ({d.owner.login})"),
            ("Source", o.source or "—"),
            ("Next step", o.next_step or "—"),
            ("Lost reason", o.lost_reason or "—"),
            ("Started", day(o.started_on)),
            ("Version", str(o.version)),
        ])
        items = rows(
            ["Product", "Qty", "Unit price", "Discount", "Total"],
            [(i.name, f"{i.quantity.normalize():f}", money(i.unit_price_cents), f"{i.discount_pct.normalize():f}%", money(i.total_cents))
             for i in d.line_items] + [("Total", "", "", "", money(d.line_total_cents))],
            right=(1, 2, 3, 4), title="Line items",
        )
        competitors = rows(
            ["Competitor", "Pricing", "Share", "Strengths", "Weaknesses", "Battlecards"],
            [(c.name, c.pricing.value, f"{c.market_share:.0%}", "; ".join(c.strengths), "; ".join(c.weaknesses),
              "; ".join(b.title for b in cards)) for c, cards in d.competitors],
            title="Competitors",
        )
        history = rows(
            ["When", "From", "To", "By", "Value"],
            [(f"{h.changed_at:%Y-%m-%d %H:%M}", label(h.from_stage), label(h.to_stage),
              d.user_logins.get(h.changed_by_id, "system") if h.changed_by_id else "system", money(h.value_cents))
             for h in d.stage_history],
            right=(4,), title="Stage history",
        )
        proposals = rows(
            ["Number", "Status", "Amount", "Sent", "Valid until"],
            [(p.number, label(p.status.value), money(p.amount_cents), day(p.sent_at), day(p.valid_until)) for p in d.proposals],
            right=(2,), title="Proposals",
        )
        activities = rows(
            ["When", "Kind", "Subject", "Outcome", "By"],
            [(f"{a.created_at:%Y-%m-%d}", label(a.kind.value), a.subject, label(a.outcome.value if a.outcome else None),
              d.user_logins.get(a.created_by_id, "system") if a.created_by_id else "system") for a in d.activities],
            title="Activities (latest first)",
        )
        documents = rows(["Document", "Kind", "Added"], [(x.name, label(x.kind.value), day(x.created_at)) for x in d.documents], title="Documents")
        self.query_one("#detail-body", Static).update(
            Group(header, fields, items, competitors, proposals, history, activities, documents)
        )
