"""One opportunity: its fields, line items, competitors, stage history, proposals and activities."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal, InvalidOperation

from rich.console import Group
from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.widgets import Static

from domain.enums import ActivityKind, ForecastCategory, Outcome
from domain.forms import SCHEDULABLE, activity_entry, opportunity_changes, schedule_entry, zone_name
from domain.money import MoneyError, parse_cents
from domain.services.competition import analyze_competition
from domain.services.details import OpportunityDetail, opportunity_detail
from domain.services.opportunity_updates import OpportunityUpdates
from domain.services.stage_moves import MoveRefused, StageMover
from tui.format import day, label, money
from tui.screens.detail_base import DetailScreen
from tui.screens.form import Field, FormScreen
from tui.screens.move_dialogs import MessageScreen
from tui.widgets.tables import changes_table, facts, rows


class OpportunityDetailScreen(DetailScreen):
    BINDINGS = [
        Binding("l", "log_activity", "Log activity", id="opportunity.log"),
        Binding("e", "edit", "Edit", id="opportunity.edit"),
        Binding("s", "change_stage", "Stage", id="opportunity.stage"),
        Binding("p", "add_product", "Add product", id="opportunity.add-product"),
        Binding("S", "schedule", "Schedule call/meeting", id="opportunity.schedule"),
    ]

    def __init__(self, opportunity_id: int) -> None:
        super().__init__()
        self.opportunity_id = opportunity_id
        self.detail: OpportunityDetail | None = None

    # -- actions --------------------------------------------------------------------------

    def action_log_activity(self) -> None:
        kinds = tuple((label(k.value), k.value) for k in ActivityKind if k is not ActivityKind.STAGE_CHANGE)
        fields = [
            Field("kind", "Kind", "call", options=kinds, allow_blank=False),
            Field("subject", "Subject", placeholder="e.g. Tasting with the executive chef"),
            Field("outcome", "Outcome", options=tuple((label(o.value), o.value) for o in Outcome)),
            Field("status", "Status", "done", options=(("Done", "done"), ("Planned", "planned")), allow_blank=False),
            Field("description", "Notes"),
        ]
        self.app.push_screen(FormScreen("Log an activity", fields, activity_entry, submit_label="Log"), self._logged)

    def action_schedule(self) -> None:
        tz = self.session.settings.tz
        kinds = tuple((label(k.value), k.value) for k in SCHEDULABLE)
        tomorrow = self.session.clock.today() + timedelta(days=1)
        fields = [
            Field("kind", "Kind", "call", options=kinds, allow_blank=False),
            Field("subject", "Subject", placeholder="e.g. Follow-up call on the dairy pricing"),
            Field("day", "Day (YYYY-MM-DD)", tomorrow.isoformat()),
            Field("time", f"Time (HH:MM, {zone_name(tz)})", "09:00"),
        ]
        today = self.session.clock.today()

        def validate(values):
            return schedule_entry(values, today, tz)  # typed in the user's zone, stored in UTC

        def chosen(entry: dict | None) -> None:
            if entry:
                local = entry["when"].astimezone(tz)
                self.write(lambda updates: updates.schedule(self.opportunity_id, **entry),
                           f"{label(entry['kind'].value)} scheduled for {local:%Y-%m-%d %H:%M} {zone_name(tz)} "
                           f"({entry['when']:%H:%M} UTC; a task is due that day)")

        self.app.push_screen(FormScreen("Schedule a call or meeting", fields, validate, submit_label="Schedule"),
                             chosen)

    def _logged(self, entry: dict | None) -> None:
        if entry:
            self.write(lambda updates: updates.log_activity(self.opportunity_id, **entry), "Activity logged")

    def action_edit(self) -> None:
        if self.detail is None:
            return
        o = self.detail.opportunity
        fields = [
            Field("name", "Name", o.name),
            Field("value", "Value ($)", f"{o.value_cents / 100:.2f}"),
            Field("budget", "Budget ($)", "" if o.budget_cents is None else f"{o.budget_cents / 100:.2f}"),
            Field("expected_close", "Expected close (YYYY-MM-DD)", o.expected_close_date.isoformat()),
            Field("next_step", "Next step", o.next_step),
            Field("source", "Source", o.source),
            Field("probability", "Probability % (a change is a manual override)", str(o.probability)),
            Field("forecast_category", "Forecast category", o.forecast_category.value,
                  options=tuple((label(c.value), c.value) for c in ForecastCategory), allow_blank=False),
        ]
        current = o

        def validate(values):
            return opportunity_changes(current, values)

        def saved(changes: dict | None) -> None:
            if changes:
                self.write(lambda updates: updates.update_fields(self.opportunity_id, changes,
                                                                 expected_version=current.version), "Saved")

        self.app.push_screen(FormScreen(f"Edit {o.name}", fields, validate), saved)

    def action_change_stage(self) -> None:
        if self.detail is None:
            return
        o = self.detail.opportunity
        stages = tuple((s.name, s.id) for s in self.session.pipeline.stages if s.id != o.stage)
        lost = self.session.pipeline.lost.id
        following = self.session.pipeline.next_stage(o.stage) if self.session.pipeline.has(o.stage) else None
        default = following.id if following is not None else stages[0][1]  # forward is the usual move
        fields = [Field("stage", "Move to", options=stages, allow_blank=False, value=default),
                  Field("lost_reason", "Lost reason (closing as lost)")]

        def validate(values):
            if values["stage"] == lost and not values["lost_reason"].strip():
                return None, {"lost_reason": "required to close a deal as lost"}
            return values, {}

        def chosen(values: dict | None) -> None:
            if values:
                self.move(values["stage"], values["lost_reason"].strip() or None, o.version)

        self.app.push_screen(FormScreen(f"Change the stage of {o.name}", fields, validate, submit_label="Move"), chosen)

    def action_add_product(self) -> None:
        self.open_product_form()

    @work(thread=True, group="opportunity-write", name="Loading the products", exit_on_error=False)
    def open_product_form(self) -> None:
        with self.session.connection():
            products = self.session.active_products()
        options = tuple((f"{p.name} · {money(p.list_price_cents)} / {p.unit}", str(p.id)) for p in products)
        prices = {str(p.id): p.list_price_cents for p in products}
        fields = [Field("product", "Product", options=options, allow_blank=False, value=options[0][1] if options else ""),
                  Field("quantity", "Quantity", "1"), Field("unit_price", "Unit price ($, blank = list price)"),
                  Field("discount", "Discount %", "0")]

        def validate(values):
            errors, result = {}, {}
            try:
                quantity = Decimal(values["quantity"].strip())
                if quantity <= 0 or quantity != quantity.quantize(Decimal("0.001")):
                    raise InvalidOperation
                result["quantity"] = quantity
            except (InvalidOperation, ValueError):
                errors["quantity"] = "a positive number with at most 3 decimals"
            try:
                discount = Decimal(values["discount"].strip() or "0")
                if not 0 <= discount <= 100:
                    raise InvalidOperation
                result["discount_pct"] = discount.quantize(Decimal("0.01"))
            except (InvalidOperation, ValueError):
                errors["discount"] = "a percentage from 0 to 100"
            if values["unit_price"].strip():
                try:
                    result["unit_price_cents"] = parse_cents(values["unit_price"])
                except MoneyError as error:
                    errors["unit_price"] = str(error)
            if values["product"] not in prices:
                errors["product"] = "choose a product"
            result["product_id"] = int(values["product"]) if values["product"] in prices else 0
            return (None if errors else result), errors

        def added(result: dict | None) -> None:
            if result:
                product_id = result.pop("product_id")
                self.write(lambda updates: updates.add_line_item(self.opportunity_id, product_id, **result), "Product added")

        self.app.call_from_thread(self.app.push_screen, FormScreen("Add a product", fields, validate, submit_label="Add"), added)

    @work(thread=True, group="opportunity-write", name="Saving the deal", exit_on_error=False)
    def write(self, change, done: str) -> None:
        """A refusal, a conflict or a bad value is shown by the app's failure handler (tui/failures.py)."""
        with self.session.connection():
            change(OpportunityUpdates(self.session))
        self.app.call_from_thread(self.app.notify, done, markup=False)
        self.app.call_from_thread(self.load)

    @work(thread=True, group="opportunity-write", name="Moving the deal", exit_on_error=False)
    def move(self, stage: str, lost_reason: str | None, version: int) -> None:
        try:
            with self.session.connection():
                result = StageMover(self.session).move(self.opportunity_id, stage, expected_version=version,
                                                       lost_reason=lost_reason)
        except MoveRefused as refused:
            name = self.session.pipeline.stage(stage).name if self.session.pipeline.has(stage) else stage
            self.app.call_from_thread(self.app.push_screen, MessageScreen(f"Cannot move to {name}", refused.reasons))
            return
        names = {s.id: s.name for s in self.session.pipeline.stages}
        self.app.call_from_thread(self.app.notify, f"Moved: {names[result.from_stage]} → {names[result.to_stage]}",
                                  markup=False)
        self.app.call_from_thread(self.load)

    @work(thread=True, exclusive=True, group="opportunity-detail", name="Loading the deal", exit_on_error=False)
    def load(self) -> None:
        try:
            with self.session.connection():
                detail = opportunity_detail(self.session, self.opportunity_id)
                competition = analyze_competition(self.session, self.opportunity_id) if detail.competitors else None
        except Exception as error:
            self.app.call_from_thread(self.show_refusal, error)
            return
        self.app.call_from_thread(self.show, detail, competition)

    def show(self, d: OpportunityDetail, competition=None) -> None:
        self.detail = d
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
            ("Last changed", f"{o.updated_at:%Y-%m-%d %H:%M} UTC"),
        ])
        items = rows(
            ["Product", "Qty", "Unit price", "Discount", "Total"],
            [(i.name, f"{i.quantity.normalize():f}", money(i.unit_price_cents), f"{i.discount_pct.normalize():f}%", money(i.total_cents))
             for i in d.line_items] + [("Total", "", "", "", money(d.line_total_cents))],
            right=(1, 2, 3, 4), title="Line items",
        )
        analyses = competition.competitors if competition else ()
        competitors = rows(
            ["Competitor", "Threat", "Pricing", "Share", "Positioning", "Battlecards"],
            [(c.name, f"{c.threat.level} ({c.threat.score:g})", c.pricing, f"{c.market_share:.0%}", c.positioning,
              "; ".join(b.title for b in c.battlecards)) for c in analyses],
            title="Competitors", wrap=(4, 5),
        )
        advice = Text("\n".join("• " + r for r in competition.recommendations)) if competition else Text("")
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
            title="Activities (latest first)", wrap=(2,),
        )
        documents = rows(["Document", "Kind", "Added"], [(x.name, label(x.kind.value), day(x.created_at)) for x in d.documents], title="Documents")
        self.query_one("#detail-body", Static).update(
            Group(header, fields, items, competitors, advice, proposals, history, activities, documents,
                  changes_table(d.changes))
        )
