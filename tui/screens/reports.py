"""Reports: every analytics report on screen, exported to CSV or Markdown by key."""

from __future__ import annotations

from datetime import date

from rich.console import Group
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from domain.events import DataChanged
from domain.periods import named_period
from domain.reports.base import Report, ReportParams
from domain.reports.registry import REPORTS, report_kind
from domain.reports.render import to_csv, to_markdown
from tui.format import emphasised
from tui.screens.base import PantryScreen
from tui.screens.form import Field, FormScreen
from tui.widgets.tables import rows
from tui.widgets.work_status import WorkStatus


class ReportsScreen(PantryScreen):
    MODE = "reports"
    TITLE_TEXT = "Reports"
    BINDINGS = [
        Binding("e", "export('csv')", "Export CSV", id="reports.export-csv"),
        Binding("m", "export('md')", "Export Markdown", id="reports.export-markdown"),
        Binding("ctrl+r", "reload", "Refresh", id="reports.refresh"),
        Binding("P", "period", "Period", id="reports.period"),
    ]
    # `P` steps through these; "" is each report's own default (the 4 weeks up to today for activity)
    PERIODS = ("", "this-week", "last-week", "this-month", "last-month", "this-quarter", "custom")

    def __init__(self) -> None:
        super().__init__()
        self.current: Report | None = None
        self.selected = REPORTS[0].name
        self.period = ""  # a word of PERIODS
        self.period_range: tuple[date, date] | None = None  # [from, to] in force; None: the report's default

    def compose_body(self) -> ComposeResult:
        with Horizontal(id="reports"):
            yield OptionList(*(Option(kind.title, id=kind.name) for kind in REPORTS), id="report-list")
            with VerticalScroll(id="report-view"):
                yield Static("Loading…", id="report-body")
        yield WorkStatus(id="report-status")

    def on_mount(self) -> None:
        super().on_mount()
        self.query_one("#report-list", OptionList).focus()
        self.load()

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option.id and event.option.id != self.selected:
            self.selected = event.option.id
            self.load()

    def action_reload(self) -> None:
        self.load()

    def data_changed(self, event: DataChanged) -> None:
        self.load()

    def _params(self) -> ReportParams:
        today = self.session.clock.today()
        if self.period_range is None:
            return ReportParams(as_of=today)
        start, end = self.period_range
        return ReportParams(as_of=today, date_from=start, date_to=end)

    def period_label(self) -> str:
        if self.period_range is None:
            return ""
        start, end = self.period_range
        name = self.period.replace("-", " ") if self.period != "custom" else "custom"
        return f" — {name}: {start:%d %b %Y} to {end:%d %b %Y}"

    def action_period(self) -> None:
        """The next period (this week, last week, this month, last month, this quarter, custom…, the report's own)."""
        following = self.PERIODS[(self.PERIODS.index(self.period) + 1) % len(self.PERIODS)]
        if following == "custom":
            self._ask_custom()
            return
        self.period = following
        self.period_range = named_period(following, self.session.clock.today()) if following else None
        self.load()

    def _ask_custom(self) -> None:
        today = self.session.clock.today()
        start, end = self.period_range or (today.replace(day=1), today)
        fields = [Field("from", "From (YYYY-MM-DD)", start.isoformat()), Field("to", "To (YYYY-MM-DD)", end.isoformat())]

        def validate(values):
            errors, chosen = {}, {}
            for name in ("from", "to"):
                try:
                    chosen[name] = date.fromisoformat(values[name].strip())
                except ValueError:
                    errors[name] = "a date as YYYY-MM-DD"
            if not errors and chosen["from"] > chosen["to"]:
                errors["to"] = "must not be before From"
            return (None if errors else (chosen["from"], chosen["to"])), errors

        def chosen(period: tuple[date, date] | None) -> None:
            if period is None:  # cancelled: back to each report's own period
                self.period, self.period_range = "", None
            else:
                self.period, self.period_range = "custom", period
            self.load()

        self.app.push_screen(FormScreen("The reports' period", fields, validate, submit_label="Show"), chosen)

    @property
    def status(self) -> WorkStatus:
        return self.query_one("#report-status", WorkStatus)

    @work(thread=True, exclusive=True, group="report", name="Building the report", exit_on_error=False)
    def load(self) -> None:
        name = self.selected
        kind = report_kind(name)
        job = self.app.call_from_thread(self.status.start, f"Building the {kind.title} report…")
        try:
            with self.session.connection():
                report = kind.build(self.session, self._params())
        except Exception as error:  # shown on screen, never a crash
            self.app.call_from_thread(self._show_error, name, error)
            return
        finally:
            self.app.call_from_thread(self.status.finish, job)
        self.app.call_from_thread(self.show, report)

    def _show_error(self, name: str, error: Exception) -> None:
        self.current = None
        self.query_one("#report-body", Static).update(Text(f"Could not build the {name} report: {error}"))

    def show(self, report: Report) -> None:
        if report.name != self.selected:
            return
        self.current = report
        parts: list = [Text(f"{report.title} — as of {self._params().as_of:%d %b %Y}{self.period_label()}", style="bold")]
        for sentence in report.summary:
            parts.append(emphasised("• " + sentence))
        for table in report.tables:
            parts.append(rows(list(table.columns), table.rows, right=tuple(table.numeric), title=table.title,
                              key=tuple(table.key)))
        for note in report.notes:
            parts.append(emphasised(note, "dim italic"))
        parts.append(Text("e: export CSV · m: export Markdown · P: period", style="dim"))
        self.query_one("#report-body", Static).update(Group(*parts))

    def action_export(self, fmt: str) -> None:
        if self.current is None:
            self.notify("Nothing to export yet.", severity="warning")
            return
        self.export(self.current, fmt)

    EXPORT_CHUNK = 64 * 1024

    @work(thread=True, exclusive=True, group="report-export", name="Exporting the report", exit_on_error=False)
    def export(self, report: Report, fmt: str) -> None:
        """Render, then write in chunks with a progress bar (bytes written of the total)."""
        as_of = self._params().as_of.isoformat()
        data = (to_csv(report) if fmt == "csv" else to_markdown(report, as_of=as_of)).encode("utf-8")
        folder = self.session.settings.export_path  # export_dir, else `exports` in the data directory
        path = folder / f"{report.name}-{as_of}.{fmt}"
        job = self.app.call_from_thread(self.status.start, f"Exporting to {path}", len(data))
        try:
            folder.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(path.name + ".part")
            with partial.open("wb") as out:
                for start in range(0, len(data), self.EXPORT_CHUNK):
                    chunk = data[start : start + self.EXPORT_CHUNK]
                    out.write(chunk)
                    self.app.call_from_thread(self.status.advance, len(chunk))
            partial.replace(path)  # never a half-written file under the final name
        finally:  # a failure (a full disk, a folder it may not write) is shown by the app's failure handler

            self.app.call_from_thread(self.status.finish, job)
        self.app.call_from_thread(self.notify, f"Exported to {path}", title="Report exported", markup=False)
