"""Forecast: each past month's forecast against its actual (a chart and a table), the chosen method and why,
every method with best and worst case, the calibrated win rates beside the configured ones and the
calibration table, the month's and the quarter's categories against quota (overdue deals said), by rep
and by product, the accuracy of past snapshots, the backtest on `b` (in a worker), and the pipeline by
stage, deals by probability, stalled deals, weekly changes and velocity.

The month's figures are `pantry forecast show`'s: one service call (`domain.reports.forecast.find`)."""

from __future__ import annotations

from datetime import date, timedelta

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Static
from textual_plotext import PlotextPlot

from domain.events import DataChanged
from domain.periods import add_months, month_start
from domain.reports import forecast as forecast_report
from domain.reports.base import Report, ReportParams
from domain.services import forecast_service
from domain.services.forecast_categories import Attainment
from domain.services.forecasting import SHOWN, Period
from domain.services.pipeline_summary import PipelineSummary
from tui.format import label, money, money_ticks, pct
from tui.screens.base import PantryScreen
from tui.widgets.tables import rows

BACKTEST_MONTHS = 12  # the backtest from the screen: the last twelve months that have ended
VELOCITY_DAYS = 90  # stage progression and velocity: the stays that ended in the last 90 days
SHOWN_ROWS = 40  # the longest tables (a rep each: 481 at 100,000 deals) show their first rows here


class ForecastScreen(PantryScreen):
    MODE = "forecast"
    TITLE_TEXT = "Forecast"
    _loaded: tuple | None = None  # (data version, what `show` shows, what `show_extras` shows)
    BINDINGS = [
        Binding("ctrl+r", "reload", "Refresh", id="forecast.refresh"),
        Binding("b", "backtest", "Backtest", id="forecast.backtest"),
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
                title = Text("Won by month, $K: ", style="bold")
                title.append("actual", style="bold green")
                title.append(" · ", style="bold")
                title.append("auto", style="bold cyan")
                yield Static(title, classes="panel-title")
                yield PlotextPlot(id="accuracy-chart")
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
                yield Static(id="forecast-status")
                yield Static(id="methods-forecast")
                yield Static(id="month-forecast")
                yield Static(id="quarter-forecast")
                yield Static(id="rep-forecast")
                yield Static(id="history-forecast")
                yield Static(id="calibration-forecast")
                yield Static(id="backtest-forecast")
                yield Static(id="accuracy-forecast")
                yield Static(id="product-forecast")
                yield Static(id="probability-forecast")
                yield Static(id="stalled-forecast")
                yield Static(id="weekly-forecast")
                yield Static(id="velocity-forecast")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#backtest-forecast", Static).update(
            Text("Backtest: press b to forecast each of the last twelve months from its 1st with every method and "
                 "naive rule, side by side.", style="dim"))
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

    # -- loading (workers: the UI never waits on the database) -------------------------------------------

    @work(thread=True, exclusive=True, group="forecast", name="Loading the forecast", exit_on_error=False)
    def load(self) -> None:
        session = self.session
        today = session.clock.today()
        params = ReportParams(as_of=today)
        with session.connection():
            # nothing a forecast reads changed since the last load (and the clock is in the same minute): the
            # figures are those already computed; a reload then costs these few primary-key reads
            version = (session.clock.now().replace(second=0, microsecond=0), forecast_service.data_version(session))
            if self._loaded is not None and self._loaded[0] == version:
                # on screen already: say so (a one-line repaint) instead of drawing every table again
                self.app.call_from_thread(self.show_status, version[0], True)
                return
            summary = session.pipeline_summary()
            # the same call as `pantry forecast show`: the month's forecast (and the day's snapshots on first use)
            found = forecast_report.find(session, params)
            report = forecast_report.build_from(session, found, params)
            quarter = found.context.attainment(Period.quarter(today))
            extras = self._extras(today)
            if found.snapshot is not None and found.snapshot.written:
                version = (version[0], forecast_service.data_version(session))  # the snapshot just taken
            self._loaded = (version, (summary, found, report, quarter), extras)
        self.app.call_from_thread(self.show, summary, found, report, quarter)
        self.app.call_from_thread(self.show_extras, *extras)
        self.app.call_from_thread(self.show_status, version[0], False)

    def show_status(self, at, unchanged: bool) -> None:
        note = Text(f"Figures as of {at:%H:%M} UTC", style="dim")
        if unchanged:
            note.append(" · nothing they read has changed since", style="dim")
        self.query_one("#forecast-status", Static).update(note)

    def _extras(self, today: date):
        """Deals by probability, the most stalled deals, weekly changes, and stage progression over the last
        VELOCITY_DAYS days (a window the stage history's index answers, whatever the size of the history)."""
        from domain.services import analytics
        from domain.services.alerts import alerts

        session = self.session
        params = ReportParams(as_of=today)
        by_probability = session.probability_totals()
        stalled = alerts(session, kinds=("stalled",), limit=8)
        weeks = analytics.weekly_changes(session, params)
        recent = ReportParams(as_of=today, date_from=today - timedelta(days=VELOCITY_DAYS), date_to=today)
        velocity = analytics.velocity(session, recent)
        return by_probability, stalled, weeks, velocity

    def action_backtest(self) -> None:
        self.query_one("#backtest-forecast", Static).update(Text("Backtest: running…", style="dim"))
        self.run_backtest()

    @work(thread=True, exclusive=True, group="forecast-backtest", name="Running the backtest", exit_on_error=False)
    def run_backtest(self) -> None:
        from domain.services.forecast_backtest import BacktestRangeError
        from domain.services.forecast_service import backtest

        session = self.session
        last = add_months(month_start(session.clock.today()), -1)
        first = add_months(last, -(BACKTEST_MONTHS - 1))
        with session.connection():
            try:
                results = backtest(session, first, last)
            except BacktestRangeError as exc:
                results, first = str(exc), None
        self.app.call_from_thread(self.show_backtest, results)

    # -- showing ---------------------------------------------------------------------------------------

    def show(self, summary: PipelineSummary, found: forecast_report.Found, report: Report, quarter: Attainment) -> None:
        fs = found.forecast
        self._stage_chart(summary)
        month = fs.attainment
        self._bars("#quota-chart", ["Won", "Commit", "Best case", "Quota"],
                   [month.won_cents / 100_000, month.commit_cents / 100_000, month.best_case_cents / 100_000,
                    (month.quota_cents or 0) / 100_000], "green")
        self._accuracy_chart(fs.months)
        choice = Text("auto uses ", style="bold")
        choice.append(fs.choice.in_words)
        choice.append(f": {fs.choice.reason}.", style="dim")
        self.query_one("#methods-forecast", Static).update(Group(
            self._table(report, "Forecast for", ("Method", "Forecast", "Worst case", "Best case", "Confidence")),
            choice))
        self.query_one("#month-forecast", Static).update(self._period_table(month, fs.period))
        self.query_one("#quarter-forecast", Static).update(self._period_table(quarter, Period.quarter(fs.period.start)))
        self.query_one("#history-forecast", Static).update(self._table(
            report, "Forecast against actual by month", ("Month", "Actual", *SHOWN, "auto chose"),
            title="Forecast against actual by month (each from its 1st)"))
        self.query_one("#calibration-forecast", Static).update(Group(
            self._table(report, "Win rates", ("Stage", "Configured", "Calibrated", "Open deals", "Expected")),
            self._table(report, "Calibration:", ("Predicted", "Deal-months", "Predicted rate", "Observed rate"),
                        title="Calibration: predicted against observed wins within a month")))
        for widget_id, prefix, keep in (
            ("#rep-forecast", "By rep", ("Rep", "Quota", "Won", "Commit", "Attainment", "Auto")),
            ("#product-forecast", "By product", ("Product", "Auto", "Pipeline", "Historical", "Hybrid")),
            ("#accuracy-forecast", "Forecast accuracy", ("Month", "Method", "Forecast", "Actual", "Error")),
        ):
            self.query_one(widget_id, Static).update(self._table(report, prefix, keep, limit=SHOWN_ROWS))

    def _table(self, report: Report, prefix: str, keep: tuple[str, ...], title: str | None = None,
               limit: int | None = None):
        """Some columns of one of the report's tables (the same figures `pantry forecast show` prints); with
        `limit`, its first rows and a line saying how many more the report has."""
        table = next((t for t in report.tables if t.title.startswith(prefix)), None)
        if table is None:
            return Text("")
        index = [table.columns.index(c) for c in keep if c in table.columns]
        data = [tuple(row[i] for i in index) for row in table.rows] or [tuple("—" for _ in index)]
        more = len(data) - limit if limit is not None and len(data) > limit else 0
        numeric = tuple(n for n, i in enumerate(index) if i in table.numeric)
        # the columns that say which row it is (a method, a month, a rep…) are never left out
        key = tuple(n for n, i in enumerate(index) if table.columns[i] in IDENTIFYING) or (0,)
        shown = rows([table.columns[i] for i in index], data[: len(data) - more], right=numeric,
                     title=title or table.title.split(":")[0], key=key)
        if not more:
            return shown
        return Group(shown, Text(f"… and {more:,} more in `pantry report forecast`", style="dim"))

    def show_backtest(self, results) -> None:
        widget = self.query_one("#backtest-forecast", Static)
        if isinstance(results, str):
            widget.update(Text(f"Backtest: {results}"))
            return
        from domain.services.forecast_backtest import head_to_head

        names = [r.method for r in results]
        data = []
        for i, m in enumerate(results[0].months):
            data.append((m.month.strftime("%Y-%m"), money(m.actual_cents, compact=True),
                         *(money(r.months[i].forecast_cents, compact=True) for r in results)))
        data.append(("Accuracy", "", *(pct(r.accuracy, 1) for r in results)))
        table = rows(["Month", "Actual", *names], data, right=tuple(range(1, 2 + len(names))),
                     title="Backtest: each month forecast from its 1st (accuracy = 1 − MAPE)")
        auto = results[0]
        verdicts = []
        for r in results[4:]:
            n, mine, theirs = head_to_head(auto, r)
            if n:
                word = "beats" if mine < theirs else "ties" if mine == theirs else "loses to"
                verdicts.append(f"{word} {r.method} ({pct(1 - mine, 1)} vs {pct(1 - theirs, 1)}, {n} months)")
        widget.update(Group(table, Text("auto, head to head: " + "; ".join(verdicts) + ".")))

    def _accuracy_chart(self, months) -> None:
        """Actual and auto's forecast (from each month's 1st) by month: numeric x with month ticks, which plotext
        places the same way every time."""
        plot = self.query_one("#accuracy-chart", PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        shown = [m for m in months if m.forecasts.get("auto") is not None]
        if shown:
            x = list(range(1, len(shown) + 1))
            actual = [m.actual_cents / 100_000 for m in shown]
            auto = [m.forecasts["auto"] / 100_000 for m in shown]
            plt.plot(x, actual, color="green", marker="hd")
            plt.plot(x, auto, color="cyan", marker="hd")
            step = 1 if len(shown) <= 6 else 2
            plt.xticks(x[::-step][::-1], [m.month.strftime("%b") for m in shown][::-step][::-1])
            top = max(actual + auto, default=0) * 1.1 or 1
            plt.ylim(0, top)
            plt.yticks(*money_ticks(top))
        plot.refresh()

    def _stage_chart(self, summary: PipelineSummary) -> None:
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
        top = max(values, default=0) * 1.05 or 1
        plt.xlim(0, top)  # the axis must hold the whole stacked bar
        plt.xticks(*money_ticks(top))
        plot.refresh()

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
            right=(1, 2), title=f"Stage progression, last {VELOCITY_DAYS} days · velocity "
                                f"{money(per_day) + ' / day' if per_day is not None else '—'}"))

    def _bars(self, widget_id: str, labels: list[str], values: list[float], color: str) -> None:
        """Horizontal bars (labels on the y axis stay put; plotext moves x labels between runs)."""
        plot = self.query_one(widget_id, PlotextPlot)
        plt = plot.plt
        plt.clear_data()
        plt.clear_figure()
        if labels:
            plt.bar(labels, values, orientation="horizontal", width=0.5, color=color)
            top = max(values, default=0) * 1.05 or 1
            plt.xlim(0, top)
            plt.xticks(*money_ticks(top))
        plot.refresh()

    def _period_table(self, period: Attainment, span: Period):
        def m(cents: int) -> str:
            return money(cents, compact=True)

        data = []
        for line in period.lines:
            data.append((label(line.category.value) if line.category.value != "closed" else "Closed won",
                         f"{line.count:,}", m(line.value_cents), m(line.weighted_cents)))
        data.append(("Quota", "", money(period.quota_cents, compact=True), ""))
        data.append(("Won ÷ quota", "", pct(period.quota_attainment), ""))
        data.append(("Commit (won + commit)", "", m(period.commit_cents), pct(period.commit_attainment)))
        data.append(("Best case (commit + best)", "", m(period.best_case_cents), ""))
        title = f"{_label(span)} · closing {span.start:%b %d} – {span.end:%b %d}"
        if period.overdue_count:
            title += (f" · includes {period.overdue_count:,} overdue deal{'s' if period.overdue_count != 1 else ''}, "
                      f"{m(period.overdue_cents)}")
        return rows(["Category", "Deals", "Value", "Weighted"], data, right=(1, 2, 3), title=title)


IDENTIFYING = frozenset({"Method", "Month", "Rep", "Product", "Stage", "Predicted", "Week of"})


def _label(span: Period) -> str:
    if span.kind == "quarter":
        return f"Q{(span.start.month - 1) // 3 + 1} {span.start.year}"
    return date(span.start.year, span.start.month, 1).strftime("%B %Y")
