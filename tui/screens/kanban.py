"""Kanban: one column per stage, cards paged from the database, stalled and idle deals marked."""

from __future__ import annotations

import re
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
from textual.widget import Widget
from textual.widgets import Input

from domain.errors import Refused, VersionConflict
from domain.events import DataChanged
from domain.filter_syntax import opportunity_filter, parse_filter
from domain.filters import OpportunityFilter
from domain.pipeline import StageDef
from domain.services.metrics import MetricsRecomputed
from domain.services.pipeline_summary import PipelineSummary, StageSummary
from domain.services.stage_moves import MoveRefused, StageMover
from domain.views import OpportunityItem
from tui.failures import KeepsRunning
from tui.format import money
from tui.screens.base import PantryScreen
from tui.screens.list_base import describe
from tui.screens.move_dialogs import LostReasonScreen, MessageScreen
from tui.widgets.paged_table import PagedTable

# What usually sits between an account's name and the rest of a deal's name: "Acme — Q1 produce".
_AFTER_ACCOUNT = re.compile(r"\s*[—–:|·]\s*|\s+-\s+")


def card_title(name: str, account: str | None) -> str:
    """The deal's name without a leading account name and separator (the card's next line is the account),
    so that a narrow card shows what tells the account's deals apart."""
    if account and name.startswith(account):
        separator = _AFTER_ACCOUNT.match(name, len(account))
        if separator and name[separator.end():].strip():
            return name[separator.end():].strip()
    return name


def _fit(text: str, room: int) -> str:
    return text if cell_len(text) <= room else set_cell_size(text, max(room - 1, 0)) + "…"


def card_age(item: OpportunityItem, today, is_open: bool) -> str:
    """An open deal's days in its stage ("7d"); a closed one's close date ("Jul 30", "Jul 2025" another year),
    not the days since it closed ("496d" read as a deal stuck for 496 days)."""
    if is_open or item.actual_close_date is None:
        return f"{item.days_in_stage(today)}d"
    closed = item.actual_close_date
    return f"{closed:%b} {closed.day}" if closed.year == today.year else f"{closed:%b %Y}"


def card_facts(value: str, age: int | str, marks: list[tuple[str, str]], owner: str, room: int) -> str:
    """Value · age, the marks and the owner in `room` cells, no figure cut. The form depends on the room
    alone, so every card of a board reads the same way: wide, the marks in words and dots between the parts;
    narrower, the marks as signs; narrow (a column at 80x24), spaces instead of dots. Then the owner is
    shortened or left out, then the age, then the marks."""
    age = f"{age}d" if isinstance(age, int) else age
    words, signs = [word for word, _ in marks], [sign for _, sign in marks]
    if room >= 40:
        head, dot = " ".join([f"{value} · {age}", *words]), " · "
    elif room >= 20:
        head, dot = " ".join([f"{value} · {age}", *signs]), " · "
    else:
        head, dot = " ".join([f"{value} {age}", *signs]), " "
    if cell_len(head + dot + owner) <= room:
        return head + dot + owner
    left = room - cell_len(head) - cell_len(dot)
    if left >= 5:
        return f"{head}{dot}{_fit(owner, left)}"
    return next((short for short in (head, " ".join([value, *signs])) if cell_len(short) <= room), value)


class StageHeader(KeepsRunning, Widget):
    """A column's header: the stage and its deal count, then its value and weighted value, fitted to the
    column's width so that no figure is cut (the weighted value loses its dot and spaces, then its place)."""

    def __init__(self, stage: StageDef, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="kanban-header")
        self.stage = stage
        self.summary: StageSummary | None = None

    def show(self, summary: StageSummary) -> None:
        self.summary = summary
        self.refresh()

    def render(self) -> Text:
        room, name, line = self.size.width, self.stage.name, self.summary
        text = Text(no_wrap=True, overflow="ellipsis")
        if line is None:
            return text.append(name, style="bold")
        count = f"{line.count:,}"
        gap = next((gap for gap in ("  ", " ") if cell_len(name + gap + count) <= room), None)
        if gap is None and room - cell_len(count) - 1 >= min(cell_len(name), 8):
            name, gap = _fit(name, room - cell_len(count) - 1), " "
        if gap is None:  # too narrow for both: the name (enough of it to tell the columns apart), no count
            text.append(_fit(name, room), style="bold")
        else:
            text.append(name, style="bold").append(gap + count, style="dim")
        value = money(line.value_cents, compact=True)
        text.append("\n" + value)
        if line.stage.is_open:
            weighted = money(line.weighted_cents, compact=True)
            label = next((label for label in (" · w ", " w ", " w") if cell_len(value + label + weighted) <= room), None)
            if label is not None:
                text.append(label + weighted, style="dim")
        return text


class CardList(PagedTable):
    """Opportunity cards, three lines each and a gap, rendered only when visible."""

    def __init__(self, stage: StageDef, fetch, *, idle_days: int, today, id: str | None = None,
                 paused: bool = False) -> None:
        super().__init__([], fetch, page_size=40, row_height=4, show_header=False, empty_text="No deals.", id=id,
                         paused=paused)
        self.stage = stage
        self.idle_days = idle_days
        self.today = today

    def _content_width(self) -> int:
        # Cards fill whatever width the column has; never wider, so there is no horizontal scrolling
        # (and the virtual size does not depend on whether the vertical scrollbar is showing).
        return 1

    def render_item_line(self, item: OpportunityItem, sub_line: int, width: int, row_style: Style) -> Strip:
        """Line 1 the deal, line 2 the account, line 3 value · owner · days in stage and the marks."""
        if sub_line == 3:
            return Strip.blank(width, self.rich_style)
        days = item.days_in_stage(self.today)
        idle = item.days_idle(self.today)
        stalled = self.stage.is_open and days > self.stage.stall_days
        is_idle = self.stage.is_open and (idle is None or idle > self.idle_days)
        style = row_style
        if sub_line == 0:
            text = card_title(item.name, item.account)
            style = style + Style(bold=True)
        elif sub_line == 1:
            text = item.account or "no account"
            style = style + Style(dim=True)
        else:
            marks = []
            if stalled:
                marks.append(("⚠ stalled", "⚠"))
            if is_idle:
                marks.append(("◷ idle", "◷"))
            age = card_age(item, self.today, self.stage.is_open)
            text = card_facts(money(item.value_cents, compact=True), age, marks, item.owner_login, width - 1)
            if marks:
                style = style + self._cell_style("warning")  # its colour on the row's background (the cursor's)
        body = " " + text
        if cell_len(body) > width:
            body = set_cell_size(body, width - 1) + "…"
        return Strip([Segment(body, style)]).extend_cell_length(width, row_style)


class KanbanScreen(PantryScreen):
    MODE = "kanban"
    TITLE_TEXT = "Kanban"
    BINDINGS = [
        # priority: the focused card list would otherwise take left/right as horizontal scrolling
        Binding("left", "column(-1)", "◀ Column", show=False, priority=True, id="kanban.column-left"),
        Binding("right", "column(1)", "Column ▶", show=False, priority=True, id="kanban.column-right"),
        # the footer shows the first key: "]"
        Binding("right_square_bracket,shift+right", "move(1)", "Move ▶", id="kanban.move-next"),
        Binding("left_square_bracket,shift+left", "move(-1)", "◀ Move", id="kanban.move-previous"),
        Binding("x", "lose", "Lost", id="kanban.lose"),
        Binding("w", "toggle_closed", "Won/lost", id="kanban.closed-columns"),
        Binding("slash", "filter", "Filter", id="kanban.filter"),
        Binding("escape", "cards", "Back to the cards", show=False, id="kanban.cards"),
        Binding("M", "mine", "Mine", id="kanban.mine"),
        Binding("ctrl+r", "reload", "Refresh", id="kanban.refresh"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.show_closed = False
        self._column: CardList | None = None  # the column the last ←/→ moved to
        self.board_filter = OpportunityFilter(sort="value", descending=True)
        self.filter_text = ""

    def compose_body(self) -> ComposeResult:
        today = self.session.clock.today()
        filter_box = Input(placeholder="Filter the board: @rep, team:Name, stage:ID, >50000, text…  (Enter applies, Esc back)",
                           id="board-filter")
        filter_box.display = False
        yield filter_box
        with Horizontal(id="kanban"):
            for stage in self.session.pipeline.stages:
                with Vertical(classes="kanban-column" + ("" if stage.is_open else " closed-column"), id=f"col-{stage.id}"):
                    yield StageHeader(stage, id=f"head-{stage.id}")
                    yield CardList(stage, self._fetcher(stage.id), idle_days=self.session.pipeline.idle_days,
                                   today=today, id=f"cards-{stage.id}", paused=not stage.is_open)

    def on_mount(self) -> None:
        super().on_mount()
        self._show_columns()
        self.call_after_refresh(self._focus_first)
        latest = getattr(self.app, "metrics", None) and self.app.metrics.latest
        if latest is not None and not self.filter_text:
            self.show_totals(latest.summary)  # the whole pipeline's, just published: no second scan
        else:
            self.load_totals()

    def _shown(self, stage: StageDef) -> bool:
        """`stage:` words in the filter narrow the board to those columns (a closed one too, when named);
        otherwise the open columns, and the won and lost ones when `w` shows them."""
        named = self.board_filter.stages
        return stage.id in named if named else stage.is_open or self.show_closed

    def _show_columns(self) -> None:
        """Columns are built once and shown or hidden (never rebuilt); hidden, they fetch nothing (the won
        and lost ones hold most of the deals: at 100,000 their first pages cost more than the open columns')."""
        for cards in self.query(CardList):
            shown = self._shown(cards.stage)
            cards.parent.display = shown
            cards.resume() if shown else cards.pause()

    def _focus_first(self) -> None:
        lists = [cards for cards in self.query(CardList) if cards.parent.display]
        if lists:
            lists[0].focus()

    def _fetcher(self, stage_id: str):
        def fetch(offset: int, limit: int) -> Any:
            with self.session.connection():
                flt = self.board_filter.model_copy(update={"stages": (stage_id,)})
                return self.session.opportunities(flt, offset, limit)

        return fetch

    @work(thread=True, exclusive=True, group="kanban-totals", name="Loading the board totals", exit_on_error=False)
    def load_totals(self) -> None:
        with self.session.connection():
            summary = self.session.pipeline_summary(self.board_filter)
        self.app.call_from_thread(self.show_totals, summary)

    def show_totals(self, summary: PipelineSummary) -> None:
        for line in summary.stages:
            for header in self.query(f"#head-{line.stage.id}").results(StageHeader):
                header.show(line)

    def action_column(self, delta: int) -> None:
        lists = [cards for cards in self.query(CardList) if cards.parent.display]
        if not lists:
            return
        # From the column last asked for, not `self.focused`: focus moves after this handler, so keys
        # pressed in quick succession would otherwise all start from the same column.
        current = self._column if self._column in lists else self.focused
        index = lists.index(current) if current in lists else 0
        self._column = lists[(index + delta) % len(lists)]
        self._column.focus()

    def on_descendant_focus(self, event) -> None:
        if isinstance(event.widget, CardList):
            self._column = event.widget

    def action_toggle_closed(self) -> None:
        self.show_closed = not self.show_closed
        self._show_columns()
        if isinstance(self.focused, CardList) and not self._shown(self.focused.stage):
            self._focus_first()

    def action_reload(self) -> None:
        for cards in self.query(CardList):
            cards.reload(keep_cursor=True)
        self.load_totals()

    def data_changed(self, event: DataChanged) -> None:
        if event.external or event.touches("opportunity"):
            for cards in self.query(CardList):
                cards.reload(keep_cursor=True)

    def pipeline_changed(self) -> None:
        """Another pipeline version: the columns are the stages, so the board is built again."""
        self.rebuild()

    @work(exclusive=True, group="kanban-rebuild", name="Rebuilding the board", exit_on_error=False)
    async def rebuild(self) -> None:
        self._column = None
        await self.recompose()
        self._show_columns()
        self._focus_first()
        self.load_totals()

    def metrics_updated(self, metrics: MetricsRecomputed) -> None:
        if self.filter_text:
            self.load_totals()  # the board is filtered: its totals are its own, not the whole pipeline's
        else:
            self.show_totals(metrics.summary)

    # -- filtering ---------------------------------------------------------------------------

    def action_filter(self) -> None:
        box = self.query_one("#board-filter", Input)
        box.display = True
        self.set_focus(box)  # at once: keys typed right after `/` go into the box, not to the board's keys

    def action_cards(self) -> None:
        box = self.query_one("#board-filter", Input)
        box.display = bool(self.filter_text)
        self._focus_first()

    def action_mine(self) -> None:
        if self.session.actor is None:
            self.notify("No user for this session: start Pantry with --as LOGIN.", severity="warning")
            return
        token = f"@{self.session.actor.login}"
        words = self.filter_text.split()
        self.apply_filter(" ".join(w for w in words if w != token) if token in words else " ".join([token, *words]))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "board-filter":
            self.apply_filter(event.value)

    def apply_filter(self, text: str) -> None:
        """The opportunities list's filter words, on the board; a mistake is named and the board stays as it was."""
        try:
            flt = opportunity_filter(parse_filter(text, self.session.clock.today()), self.session.pipeline, "the board", sort="value", descending=True)
        except ValueError as error:  # a pydantic ValidationError is one too
            self.notify(describe(error), severity="error", markup=False)
            return
        self.check_filter(text, flt)

    @work(thread=True, exclusive=True, group="kanban-filter", name="Filtering the board", exit_on_error=False)
    def check_filter(self, text: str, flt: OpportunityFilter) -> None:
        """`@rep` outside what the session sees is refused here, as the opportunities list refuses it, before
        the board's columns and totals are asked for it (they would each fail with the same refusal)."""
        try:
            with self.session.connection():
                self.session.owners(flt.owners)
        except Refused as refused:
            self.app.call_from_thread(self.notify, describe(refused), severity="error", markup=False)
            return
        self.app.call_from_thread(self.use_filter, text, flt)

    def use_filter(self, text: str, flt: OpportunityFilter) -> None:
        box = self.query_one("#board-filter", Input)
        self.filter_text, self.board_filter = text.strip(), flt
        box.value = self.filter_text
        box.display = bool(self.filter_text)
        self.sub_title = f"Kanban · {self.filter_text}" if self.filter_text else self.TITLE_TEXT
        self._show_columns()
        self._focus_first()
        self.action_reload()

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
        if target.kind.value == "won":
            # Winning sends e-mail and starts the hand-over: ask first.
            def confirmed(answer: bool | None) -> None:
                if answer:
                    self.run_move(item, target.id, None)

            self.app.push_screen(
                MessageScreen(f"Close “{item.name}” as won?",
                              [f"Value {money(item.value_cents)}, owner {item.owner_login}.",
                               "Its won automations run (e-mail to the manager, hand-over task)."],
                              confirm_label="Close as won"),
                confirmed,
            )
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

    @work(thread=True, group="kanban-move", name="Moving the deal", exit_on_error=False)
    def run_move(self, item: OpportunityItem, target: str, lost_reason: str | None) -> None:
        try:
            with self.session.connection():
                result = StageMover(self.session).move(item.id, target, expected_version=item.version,
                                                       lost_reason=lost_reason)
        except MoveRefused as refused:
            stage_name = self.session.pipeline.stage(target).name if self.session.pipeline.has(target) else target
            self.app.call_from_thread(
                self.app.push_screen,
                MessageScreen(f"Cannot move “{item.name}” to {stage_name}",
                              [*refused.reasons, "Open the deal (Enter) to log the activity or fill in the field."]),
            )
            return
        except Refused as refused:
            self.app.call_from_thread(self.app.push_screen, MessageScreen(f"Cannot move “{item.name}”", [str(refused)]))
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
        moved = result.opportunity
        with self.session.connection():
            rank = self.session.rank_in_stage(moved.stage, self.board_filter, moved.value_cents, moved.id)
        self.app.call_from_thread(self._follow, moved.stage, rank, result.from_stage)
        names = {s.id: s.name for s in self.session.pipeline.stages}
        message = f"{result.opportunity.name}: {names.get(result.from_stage)} → {names.get(result.to_stage)}"
        if result.automations:
            message += f" · {len(result.automations)} automation(s) ran"
        self.app.call_from_thread(self.app.notify, message, title="Moved", markup=False)

    def _follow(self, stage_id: str, row: int, from_stage: str | None = None) -> None:
        """The cursor follows the moved card into its new column (so `]` twice moves it twice). A card closed
        into a hidden column (won or lost, `w` off) leaves the keyboard on the column it left, on the card
        that took its place: the board keeps the focus (`x`, arrows and `]` go on working)."""
        columns = {cards.stage.id: cards for cards in self.query(CardList) if cards.parent.display}
        if stage_id in columns:
            columns[stage_id].focus()
            columns[stage_id].place_cursor(row)
        elif from_stage in columns:
            columns[from_stage].focus()
        elif columns:
            self._focus_first()

    def on_paged_table_row_selected(self, event: PagedTable.RowSelected) -> None:
        from tui.screens.opportunity_detail import OpportunityDetailScreen

        self.app.push_screen(OpportunityDetailScreen(event.item.id))
