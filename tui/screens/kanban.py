"""Kanban: one column per stage, cards paged from the database, stalled and idle deals marked."""

from __future__ import annotations

from typing import Any

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.strip import Strip
from textual.widgets import Static

from domain.events import DataChanged
from domain.filters import OpportunityFilter
from domain.pipeline import StageDef
from domain.services.metrics import MetricsRecomputed
from domain.services.pipeline_summary import PipelineSummary
from domain.services.stage_moves import MoveRefused, StageMover
from domain.views import OpportunityItem
from store.errors import VersionConflict
from tui.format import money
from tui.screens.base import PantryScreen
from tui.screens.move_dialogs import LostReasonScreen, MessageScreen
from tui.widgets.paged_table import PagedTable


class CardList(PagedTable):
    """Opportunity cards, three lines each and a gap, rendered only when visible."""

    def __init__(self, stage: StageDef, fetch, *, idle_days: int, today, id: str | None = None) -> None:
        super().__init__([], fetch, page_size=40, row_height=4, show_header=False, empty_text="No deals.", id=id)
        self.stage = stage
        self.idle_days = idle_days
        self.today = today

    def _content_width(self) -> int:
        # Cards fill whatever width the column has; never wider, so there is no horizontal scrolling
        # (and the virtual size does not depend on whether the vertical scrollbar is showing).
        return 1

    def render_item_line(self, item: OpportunityItem, sub_line: int, width: int, row_style: Style) -> Strip:
        if sub_line == 3:
            return Strip.blank(width, self.rich_style)
        days = item.days_in_stage(self.today)
        idle = item.days_idle(self.today)
        stalled = self.stage.is_open and days > self.stage.stall_days
        is_idle = self.stage.is_open and (idle is None or idle > self.idle_days)
        if sub_line == 0:
            text = item.name
        elif sub_line == 1:
            left, right = item.account or "—", money(item.value_cents, compact=True)
            room = max(0, width - 2 - cell_len(right) - 1)
            text = set_cell_size(left, room) + " " + right
        else:
            marks = ("⚠ stalled " if stalled else "") + ("◷ idle" if is_idle else "")
            text = f"{item.owner_login} · {days}d " + marks
        body = " " + text
        if cell_len(body) > width:
            body = set_cell_size(body, width - 1) + "…"
        style = row_style
        if sub_line == 2 and (stalled or is_idle):
            style = row_style + self.get_component_rich_style("paged-table--warning")
        if sub_line == 0:
            style = style + Style(bold=True)
        return Strip([Segment(body, style)]).extend_cell_length(width, row_style)


class KanbanScreen(PantryScreen):
    MODE = "kanban"
    TITLE_TEXT = "Kanban"
    BINDINGS = [
        # priority: the focused card list would otherwise take left/right as horizontal scrolling
        Binding("left", "column(-1)", "◀ Column", show=False, priority=True),
        Binding("right", "column(1)", "Column ▶", show=False, priority=True),
        Binding("shift+right,right_square_bracket", "move(1)", "Move ▶"),
        Binding("shift+left,left_square_bracket", "move(-1)", "◀ Move"),
        Binding("x", "lose", "Lost"),
        Binding("w", "toggle_closed", "Won/lost"),
        Binding("ctrl+r", "reload", "Refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.show_closed = False

    def _stages(self) -> list[StageDef]:
        stages = list(self.session.pipeline.open_stages)
        if self.show_closed:
            stages += [self.session.pipeline.won, self.session.pipeline.lost]
        return stages

    def compose_body(self) -> ComposeResult:
        yield Horizontal(id="kanban")

    def on_mount(self) -> None:
        super().on_mount()
        self.build_columns()

    def build_columns(self) -> None:
        board = self.query_one("#kanban", Horizontal)
        board.remove_children()
        today = self.session.clock.today()
        columns = []
        for stage in self._stages():
            column = Vertical(classes="kanban-column", id=f"col-{stage.id}")
            header = Static(Text(stage.name, style="bold"), classes="kanban-header", id=f"head-{stage.id}")
            cards = CardList(stage, self._fetcher(stage.id), idle_days=self.session.pipeline.idle_days, today=today,
                             id=f"cards-{stage.id}")
            column.compose_add_child(header)
            column.compose_add_child(cards)
            columns.append(column)
        board.mount(*columns)
        self.call_after_refresh(self._focus_first)
        self.load_totals()

    def _focus_first(self) -> None:
        lists = list(self.query(CardList))
        if lists:
            lists[0].focus()

    def _fetcher(self, stage_id: str):
        def fetch(offset: int, limit: int) -> Any:
            with self.session.connection():
                return self.session.opportunities(OpportunityFilter(stages=(stage_id,), sort="value", descending=True), offset, limit)

        return fetch

    @work(thread=True, exclusive=True, group="kanban-totals")
    def load_totals(self) -> None:
        with self.session.connection():
            summary = self.session.pipeline_summary()
        self.app.call_from_thread(self.show_totals, summary)

    def show_totals(self, summary: PipelineSummary) -> None:
        for line in summary.stages:
            for header in self.query(f"#head-{line.stage.id}"):
                text = Text(line.stage.name, style="bold")
                text.append(f"  {line.count:,}\n", style="dim")
                text.append(money(line.value_cents, compact=True))
                if line.stage.is_open:
                    text.append(f" · w {money(line.weighted_cents, compact=True)}", style="dim")
                header.update(text)

    def action_column(self, delta: int) -> None:
        lists = list(self.query(CardList))
        if not lists:
            return
        focused = self.focused
        index = lists.index(focused) if focused in lists else 0
        lists[(index + delta) % len(lists)].focus()

    def action_toggle_closed(self) -> None:
        self.show_closed = not self.show_closed
        self.build_columns()

    def action_reload(self) -> None:
        for cards in self.query(CardList):
            cards.reload(keep_cursor=True)
        self.load_totals()

    def data_changed(self, event: DataChanged) -> None:
        if event.external or event.touches("opportunity"):
            for cards in self.query(CardList):
                cards.reload(keep_cursor=True)

    def metrics_updated(self, metrics: MetricsRecomputed) -> None:
        self.show_totals(metrics.summary)

    # -- moving cards ----------------------------------------------------------------------

    def _selected(self) -> tuple[CardList, OpportunityItem] | None:
        focused = self.focused
        if isinstance(focused, CardList) and focused.current_item is not None:
            return focused, focused.current_item
        return None

    def action_move(self, delta: int) -> None:
        selected = self._selected()
        if selected is None:
            return
        cards, item = selected
        pipeline = self.session.pipeline
        target = pipeline.next_stage(item.stage) if delta > 0 else pipeline.previous_stage(item.stage)
        if target is None:
            self.notify("No stage that way.", severity="warning")
            return
        self.run_move(item, target.id, None)

    def action_lose(self) -> None:
        selected = self._selected()
        if selected is None:
            return
        _, item = selected
        lost = self.session.pipeline.lost.id
        if item.stage == lost:
            self.notify("Already closed as lost.", severity="warning")
            return

        def chosen(reason: str | None) -> None:
            if reason:
                self.run_move(item, lost, reason)

        self.app.push_screen(LostReasonScreen(item.name), chosen)

    @work(thread=True, group="kanban-move")
    def run_move(self, item: OpportunityItem, target: str, lost_reason: str | None) -> None:
        try:
            with self.session.connection():
                result = StageMover(self.session).move(item.id, target, expected_version=item.version,
                                                       lost_reason=lost_reason)
        except MoveRefused as refused:
            self.app.call_from_thread(
                self.app.push_screen, MessageScreen(f"Cannot move “{item.name}” to {target}", refused.reasons)
            )
            return
        except VersionConflict as conflict:
            def reload(answer: bool | None) -> None:
                if answer:
                    self.action_reload()

            self.app.call_from_thread(
                self.app.push_screen,
                MessageScreen("Someone else changed this deal", [str(conflict)], confirm_label="Reload"),
                reload,
            )
            return
        names = {s.id: s.name for s in self.session.pipeline.stages}
        message = f"{result.opportunity.name}: {names.get(result.from_stage)} → {names.get(result.to_stage)}"
        if result.automations:
            message += f" · {len(result.automations)} automation(s) ran"
        self.app.call_from_thread(self.app.notify, message, markup=False)

    def on_paged_table_row_selected(self, event: PagedTable.RowSelected) -> None:
        from tui.screens.opportunity_detail import OpportunityDetailScreen

        self.app.push_screen(OpportunityDetailScreen(event.item.id))
