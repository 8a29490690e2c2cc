"""Forecast: charts of the pipeline by stage, the month against quota and the deals by probability; the
three methods, categories against quota for the month and quarter, by rep and by product, accuracy
history, stalled deals, weekly changes and velocity."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static
from textual_plotext import PlotextPlot

from domain.events import DataChanged
from domain.periods import month_end, month_start, quarter_end, quarter_start
from domain.reports.base import Report, ReportParams
from domain.reports.registry import report_kind
from domain.services.forecast_view import PeriodForecast, period_forecast
from domain.services.pipeline_summary import PipelineSummary
from tui.format import label, money, pct
from tui.screens.base import PantryScreen
from tui.widgets.tables import rows


class ForecastScreen(PantryScreen):
    MODE = "forecast"
    TITLE_TEXT = "Forecast"
    BINDINGS = [
        Binding("ctrl+r", "reload", "Refresh", id="forecast.refresh"),
        Binding("down", "scroll('down')", "Scroll", show=False, id="forecast.scroll-down"),
        Binding("up", "scroll('up')", "Scroll up", show=False, id="forecast.scroll-up"),
        Binding("pagedown", "scroll('page_down')", "Page down", show=False, id="forecast.page-down"),
        Binding("pageup", "scroll('page_up')", "Page up", show=False, id="forecast.page-up"),
        Binding("home", "scroll('home')", "Top", show=False, id="forecast.top"),
        Binding("end", "scroll('end')", "Bottom", show=False, id="forecast.bottom"),
    ]

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="forecast"):
            with Vertical(classes="panel", id="chart-panel"):
                title = Text("Open pipeline by stage, $K: ", style="bold")
                title.append("weighted", style="bold green")
                title.append(" + ", style="bold")
                title.append("rest of value", style="bold blue")
                yield Static(title, classes="panel-title")
                yield PlotextPlot(id="stage-chart")
                yield Static(Text("This month against quota, $K", style="bold"), classes="panel-title")
                yield PlotextPlot(id="quota-chart")
                yield Static(Text("Open deals by probability, $K", style="bold"), classes="panel-title")
                yield PlotextPlot(id="probability-chart")
            with VerticalScroll(classes="panel", id="categories-panel"):
                yield Static(id="methods-forecast")
                yield Static(id="month-forecast")
                yield Static(id="quarter-forecast")
                yield Static(id="rep-forecast")
                yield Static(id="product-forecast")
                yield Static(id="probability-forecast")
                yield Static(id="stalled-forecast")
                yield Static(id="weekly-forecast")
                yield Static(id="velocity-forecast")
                yield Static(id="accuracy-forecast")

    def on_mount(self) -> None:
        super().on_mount()
        self.load()

    def action_reload(self) -> None:
        self.load()

    def action_scroll(self, how: str) -> None:
        """Scroll the tables by keyboard: the whole screen when narrow (charts above), else the right panel."""
        target = self.query_one("#forecast" if self.has_class("-narrow") else "#categories-panel")
        getattr(target, f"scroll_{how}")(animate=False)

    def data_changed(self, event: DataChanged) -> None:
        if event.touches("opportunity", "quota"):
            self.load()

    @work(thread=True, exclusive=True, group="forecast", name="Loading the forecast", exit_on_error=False)
    def load(self) -> None:
        today = self.session.clock.today()
        with self.session.connection():
            summary = self.session.pipeline_summary()
            month = period_forecast(self.session, today.strftime("%B %Y"), month_start(today), month_end(today), "month")
            q = quarter_start(today)
            quarter = period_forecast(self.session, f"Q{(q.month - 1) // 3 + 1} {q.year}", q, quarter_end(today), "quarter")
            # the forecast report also stores the day's snapshots on first use
            methods = report_kind("forecast").build(self.session, ReportParams(as_of=today))
            extras = self._extras(today)
        self.app.call_from_thread(self.show, summary, month, quarter, methods)
        self.app.call_from_thread(self.show_extras, *extras)

    def _extras(self, today):
        """Deals by probability, the most stalled deals, weekly changes and days in each stage."""
        from domain.services import analytics
        from domain.services.alerts import alerts

        params = ReportParams(as_of=today)
        by_probability = self.session.probability_totals()
        stalled = alerts(self.session, kinds=("stalled",), limit=8)
        weeks = analytics.weekly_changes(self.session, params)
        velocity = analytics.velocity(self.session, params)
        return by_probability, stalled, weeks, velocity

    def show_extras(self, by_probability, stalled, weeks, velocity) -> None:
        names = {s.id: s.name for s in self.session.pipeline.stages}
        values = [v / 100_000 for _, _, v in by_probability]
        self._bars("#probability-chart", [f"{p}% ({n:,})" for p, n, _ in by_probability], values, "cyan")
        self.query_one("#probability-forecast", Static).update(rows(
            ["Probability", "Deals", "Value"],
            [(f"{p}%", f"{n:,}", money(v, compact=True)) for p, n, v in by_probability],
            right=(0, 1, 2), title="Open deals by probability"))
        self.query_one("#stalled-forecast", Static).update(rows(
            ["Deal", "Owner", "Stage", "Days/limit", "Value"],
            [(a.name, a.owner, names.get(a.stage, a.stage), f"{a.days}/{a.threshold}", money(a.value_cents, compact=True))
             for a in stalled], right=(3, 4), title="Most stalled deals"))
        self.query_one("#weekly-forecast", Static).update(rows(
            ["Week of", "Created", "Advanced", "Back", "Won", "Lost", "Value added", "Value removed"],
            [(w.week_start.isoformat(), w.created, w.advanced, w.moved_back, w.won, w.lost,
              money(w.value_added_cents, compact=True), money(w.value_removed_cents, compact=True)) for w in weeks],
            right=tuple(range(1, 8)), title="Weekly pipeline changes"))
        per_day = velocity.velocity_cents_per_day
        self.query_one("#velocity-forecast", Static).update(rows(
            ["Stage", "Completed stays", "Average days"],
            [(names[s.stage], f"{s.stays:,}", "—" if s.average_days is None else f"{s.average_days:.1f}")
             for s in velocity.stages],
            right=(1, 2), title=f"Stage progression · velocity {money(per_day) + ' / day' if per_day is not None else '—'}"))

    def show(self, summary: PipelineSummary, month: PeriodForecast, quarter: PeriodForecast, methods: Report) -> None:
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
        plt.xlim(0, max(values, default=0) * 1.05 or 1)  # the axis must hold the whole stacked bar
        plot.refresh()
        self._bars("#quota-chart", ["Won", "Commit", "Best case", "Quota"],
                   [month.won_cents / 100_000, month.commit_cents / 100_000, month.best_case_cents / 100_000,
                    month.quota_cents / 100_000], "green")
        self.query_one("#month-forecast", Static).update(self._period_table(month))
        self.query_one("#quarter-forecast", Static).update(self._period_table(quarter))
        for widget_id, prefix, keep in (
            ("#methods-forecast", "Forecast for", ("Method", "Forecast", "Worst case", "Best case", "Confidence")),
            ("#rep-forecast", "By rep", ("Rep", "Quota", "Won", "Commit", "Attainment")),
            ("#product-forecast", "By product", ("Product", "Pipeline", "Historical", "Hybrid")),
            ("#accuracy-forecast", "Forecast accuracy", ("Month", "Method", "Forecast", "Actual", "Error")),
        ):
            table = next((t for t in methods.tables if t.title.startswith(prefix)), None)
            if table is None:
                continue
            index = [table.columns.index(c) for c in keep if c in table.columns]
            data = [tuple(row[i] for i in index) for row in table.rows] or [tuple("—" for _ in index)]
            numeric = tuple(n for n, i in enumerate(index) if i in table.numeric)
            self.query_one(widget_id, Static).update(
                rows([table.columns[i] for i in index], data, right=numeric, title=table.title.split(":")[0])
            )

    def _bars(self, widget_id: str, labels: list[str], values: list[float], color: str) -> None:
        """Horizontal bars (labels on the y axis stay put; plotext moves x labels between runs)."""
        plot = self.query_one(widget_id, PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        if labels:
            plt.bar(labels, values, orientation="horizontal", width=0.5, color=color)
            plt.xlim(0, max(values, default=0) * 1.05 or 1)
        plot.refresh()

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
