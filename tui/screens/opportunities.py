"""Opportunities list: every deal, filtered and sorted in the database, paged on screen."""

from __future__ import annotations

from domain.filter_syntax import OPPORTUNITY_WORDS, opportunity_filter
from domain.views import OpportunityItem
from tui.format import day, label, money
from tui.screens.list_base import ListScreen
from tui.widgets.paged_table import Column


class OpportunitiesScreen(ListScreen):
    MODE = "opportunities"
    ENTITY = "opportunity"
    TITLE_TEXT = "Opportunities"
    KINDS = frozenset({"opportunity", "account", "user"})
    DEFAULT_SORT = "close"
    DEFAULT_DESCENDING = True  # the latest expected close first: this quarter's deals, not 2025's
    PLACEHOLDER = "text, @rep, stage:proposal, >50000, close:2026-03 …  (/, M: mine)"
    FILTER_WORDS = OPPORTUNITY_WORDS

    def columns(self) -> list[Column]:
        today = self.session.clock.today()
        pipeline = self.session.pipeline

        def closing(o: OpportunityItem) -> str:
            if o.actual_close_date is None:
                return day(o.expected_close_date)
            outcome = "won" if o.stage == pipeline.won.id else "lost" if o.stage == pipeline.lost.id else "closed"
            return f"{day(o.actual_close_date)} {outcome}"

        def stale(item: OpportunityItem) -> str | None:
            stage = self.session.pipeline.stage(item.stage) if self.session.pipeline.has(item.stage) else None
            if stage and stage.is_open and item.days_in_stage(today) > stage.stall_days:
                return "warning"
            return None

        return [
            Column("id", "#", 6, lambda o: str(o.id), align="right", hide_below=100),
            Column("name", "Opportunity", 24, lambda o: o.name, flex=3, shrink=16),  # room for the Owner at 80
            Column("account", "Account", 14, lambda o: o.account or "—", flex=2, hide_below=100),
            Column("stage", "Stage", 13, lambda o: label(o.stage)),
            Column("value", "Value", 13, lambda o: money(o.value_cents), align="right"),
            Column("probability", "Prob", 5, lambda o: f"{o.probability}%", align="right", hide_below=100),
            Column("owner", "Owner", 9, lambda o: o.owner_login, hide_below=90),
            # a closed deal's actual close date, marked won or lost; an open deal's expected one (the column
            # sorts by the date it shows; `close:` filters on the expected date, `won:`/`lost:` on the actual)
            Column("close", "Close", 15, closing),
            Column("days_in_stage", "Days", 5, lambda o: str(o.days_in_stage(today)) if o.actual_close_date is None else "",
                   align="right", style=stale),
        ]

    def build_filter(self, p):
        return opportunity_filter(p, self.session.pipeline)

    def fetch(self, offset: int, limit: int):
        flt = self.active_filter.model_copy(update={"sort": self.sort_key, "descending": self.descending})
        return self.session.opportunities(flt, offset, limit)

    def open_item(self, item: OpportunityItem) -> None:
        from tui.screens.opportunity_detail import OpportunityDetailScreen

        self.app.push_screen(OpportunityDetailScreen(item.id))
