"""Forecast: the pipeline by stage as a chart, and forecast categories against quota for the month and quarter."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Static
from textual_plotext import PlotextPlot

from domain.events import DataChanged
from domain.periods import month_end, month_start, quarter_end, quarter_start
from domain.services.forecast_view import PeriodForecast, period_forecast
from domain.services.pipeline_summary import PipelineSummary
from tui.format import label, money, pct
from tui.screens.base import PantryScreen
from tui.widgets.tables import rows


class ForecastScreen(PantryScreen):
    MODE = "forecast"
    TITLE_TEXT = "Forecast"
    BINDINGS = [Binding("ctrl+r", "reload", "Refresh")]

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="forecast"):
            with Vertical(classes="panel", id="chart-panel"):
                title = Text("Open pipeline by stage, $K: ", style="bold")
                title.append("weighted", style="bold green")
                title.append(" + ", style="bold")
                title.append("rest of value", style="bold blue")
                yield Static(title, classes="panel-title")
                yield PlotextPlot(id="stage-chart")
            with Vertical(classes="panel", id="categories-panel"):
                yield Static(id="month-forecast")
                yield Static(id="quarter-forecast")

    def on_mount(self) -> None:
        super().on_mount()
        self.load()

    def action_reload(self) -> None:
        self.load()

    def data_changed(self, event: DataChanged) -> None:
        if event.touches("opportunity", "quota"):
            self.load()

    @work(thread=True, exclusive=True, group="forecast")
    def load(self) -> None:
        today = self.session.clock.today()
        with self.session.connection():
            summary = self.session.pipeline_summary()
            month = period_forecast(self.session, today.strftime("%B %Y"), month_start(today), month_end(today), "month")
            q = quarter_start(today)
            quarter = period_forecast(self.session, f"Q{(q.month - 1) // 3 + 1} {q.year}", q, quarter_end(today), "quarter")
        self.app.call_from_thread(self.show, summary, month, quarter)

    def show(self, summary: PipelineSummary, month: PeriodForecast, quarter: PeriodForecast) -> None:
        plot = self.query_one("#stage-chart", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        stages = [s for s in summary.stages if s.stage.is_open]
        names = [s.stage.name for s in stages]
        values = [s.value_cents / 100_000 for s in stages]
        weighted = [s.weighted_cents / 100_000 for s in stages]
        rest = [v - w for v, w in zip(values, weighted)]
        # One bar per stage: the weighted part, then the rest of the value. Horizontal, so stage
        # names sit on the y axis (plotext's x-label placement varies from run to run).
        plt.stacked_bar(names, [weighted, rest], orientation="horizontal", width=0.5, color=["green", "blue"])
        plot.refresh()
        self.query_one("#month-forecast", Static).update(self._period_table(month))
        self.query_one("#quarter-forecast", Static).update(self._period_table(quarter))

    def _period_table(self, period: PeriodForecast):
        def m(cents: int) -> str:
            return money(cents, compact=True)

        data = [("Closed won", f"{period.won_count:,}", m(period.won_cents), m(period.won_cents))]
        for line in period.categories:
            data.append((label(line.category.value), f"{line.count:,}", m(line.value_cents), m(line.weighted_cents)))
        attainment = None if not period.quota_cents else period.won_cents / period.quota_cents
        commit = None if not period.quota_cents else period.commit_cents / period.quota_cents
        data.append(("Quota", "", m(period.quota_cents), ""))
        data.append(("Won ÷ quota", "", pct(attainment), ""))
        data.append(("Commit (won + commit)", "", m(period.commit_cents), pct(commit)))
        data.append(("Best case (commit + best)", "", m(period.best_case_cents), ""))
        return rows(["Category", "Deals", "Value", "Weighted"], data, right=(1, 2, 3),
                    title=f"{period.label} · closing {period.start:%b %d} – {period.end:%b %d}")
