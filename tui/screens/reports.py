"""Reports: the pipeline report and lead-source performance, on screen."""

from __future__ import annotations

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static

from domain.events import DataChanged
from domain.services.dashboard import Dashboard, build_dashboard
from tui.format import money, pct
from tui.screens.base import PantryScreen
from tui.widgets.tables import facts, rows


class ReportsScreen(PantryScreen):
    MODE = "reports"
    TITLE_TEXT = "Reports"
    BINDINGS = [Binding("ctrl+r", "reload", "Refresh")]

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="reports"):
            yield Static(id="pipeline-report", classes="panel")
            yield Static(id="sources-report", classes="panel")

    def on_mount(self) -> None:
        super().on_mount()
        self.load()

    def action_reload(self) -> None:
        self.load()

    def data_changed(self, event: DataChanged) -> None:
        if event.touches("opportunity", "lead"):
            self.load()

    @work(thread=True, exclusive=True, group="reports")
    def load(self) -> None:
        with self.session.connection():
            data = build_dashboard(self.session)
        self.app.call_from_thread(self.show, data)

    def show(self, data: Dashboard) -> None:
        s = data.summary
        open_value = s.open_value_cents or 1
        stage_rows = [
            (
                line.stage.name,
                f"{line.count:,}",
                money(line.value_cents),
                money(line.weighted_cents) if line.stage.is_open else "",
                pct(line.value_cents / open_value) if line.stage.is_open and s.open_value_cents else "",
            )
            for line in s.stages
        ]
        average = None if s.won_count == 0 else s.won_value_cents // s.won_count
        summary = facts([
            ("Opportunities", f"{s.total_count:,}"),
            ("Open", f"{s.open_count:,} · {money(s.open_value_cents)}"),
            ("Weighted pipeline", money(s.weighted_value_cents)),
            ("Won", f"{s.won_count:,} · {money(s.won_value_cents)}"),
            ("Lost", f"{s.lost_count:,} · {money(s.lost_value_cents)}"),
            ("Win rate", pct(s.win_rate, 1)),
            ("Average deal size (won)", money(average)),
        ])
        self.query_one("#pipeline-report", Static).update(
            Group(
                Text("Pipeline report", style="bold"),
                summary,
                rows(["Stage", "Deals", "Value", "Weighted", "Share of open"], stage_rows, right=(1, 2, 3, 4)),
            )
        )
        self.query_one("#sources-report", Static).update(
            rows(
                ["Lead source", "Leads", "Converted", "Conversion"],
                [(x.source, f"{x.leads:,}", f"{x.converted:,}", pct(x.conversion, 1)) for x in data.sources],
                right=(1, 2, 3),
                title="Lead sources",
            )
        )
