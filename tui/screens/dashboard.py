"""The manager's morning view: pipeline, weighted forecast against quota, leads, what needs attention."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import DataTable, Static

from domain.events import DataChanged
from domain.services.dashboard import Dashboard, build_dashboard
from domain.services.metrics import MetricsRecomputed
from tui.format import label, money, pct
from tui.screens.base import PantryScreen
from tui.widgets.kpi import Kpi

SORT_NAMES = {"risk": "value at risk", "overdue": "days overdue", "value": "value"}

EMPTY_HELP = (
    "This database has no pipeline yet.\n\n"
    "Load the demo dataset:   pantry demo --db <this database>\n"
    "or open the demo:        pantry --demo"
)


class DashboardScreen(PantryScreen):
    MODE = "dashboard"
    TITLE_TEXT = "Dashboard"
    BINDINGS = [
        Binding("ctrl+r", "reload", "Refresh", id="dashboard.refresh"),
        Binding("n", "attention", "Needs attention", id="dashboard.attention"),
        Binding("s", "sort_attention", "Sort attention", id="dashboard.attention-sort"),
        Binding("home", "top", "Top", show=False, priority=True, id="dashboard.top"),
    ]

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="dashboard"):
            with Horizontal(id="kpis"):
                yield Kpi("Pipeline", id="kpi-open")
                yield Kpi("Weighted", id="kpi-weighted")
                yield Kpi("Won MTD", id="kpi-won")
                yield Kpi("New leads", id="kpi-leads")
                yield Kpi("Closing", id="kpi-closing")
            yield Static(Text(EMPTY_HELP), id="empty-state")
            with Horizontal(id="dashboard-panels"):
                with Vertical(classes="panel", id="stage-panel"):
                    yield Static(Text("Pipeline by stage", style="bold"), classes="panel-title")
                    yield DataTable(id="stages", cursor_type="row", zebra_stripes=True)
                with Vertical(classes="panel", id="source-panel"):
                    yield Static(Text("Lead sources", style="bold"), classes="panel-title")
                    yield DataTable(id="sources", cursor_type="row", zebra_stripes=True)
            with Horizontal(id="dashboard-lower"):
                with Vertical(classes="panel", id="team-panel"):
                    yield Static(Text("Team this month", style="bold"), classes="panel-title")
                    yield DataTable(id="team", cursor_type="row", zebra_stripes=True)
                with Vertical(classes="panel", id="recent-panel"):
                    yield Static(Text("Recent activity", style="bold"), classes="panel-title")
                    yield DataTable(id="recent", cursor_type="row", zebra_stripes=True)
            with Vertical(classes="panel", id="attention-panel"):
                yield Static(Text("Needs attention", style="bold"), classes="panel-title", id="attention-title")
                yield DataTable(id="attention", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        super().on_mount()
        stages = self.query_one("#stages", DataTable)
        # Fixed widths: the tables keep their shape as figures change (no re-measuring on every refresh).
        stages.add_column("Stage", key="stage", width=14)
        stages.add_column("Deals", key="count", width=6)
        stages.add_column("Value", key="value", width=15)
        stages.add_column("Weighted", key="weighted", width=15)
        sources = self.query_one("#sources", DataTable)
        sources.add_column("Source", key="source", width=15)
        sources.add_column("Leads", key="leads", width=6)
        sources.add_column("Converted", key="converted", width=9)
        sources.add_column("Rate", key="rate", width=5)
        team = self.query_one("#team", DataTable)
        for title, key, width in (("Rep", "rep", 11), ("Won", "won", 8), ("Quota", "quota", 8), ("Attain.", "att", 7),
                                  ("Weighted", "weighted", 9)):
            team.add_column(title, key=key, width=width)
        recent = self.query_one("#recent", DataTable)
        # What takes the panel's width: the panel is half the screen beside Team from 100 columns, all of it below
        wide = self.app.size.width
        what_width = max(34, (wide // 2 if wide >= 100 else wide) - 31)
        for title, key, width in (("When", "when", 11), ("Who", "who", 10), ("What", "what", what_width)):
            recent.add_column(title, key=key, width=width)
        attention = self.query_one("#attention", DataTable)
        name_width = 36 if self.app.size.width >= 110 else 18
        for title, key, width in (("Alert", "kind", 9), ("Opportunity", "name", name_width), ("Owner", "owner", 10),
                                  ("Stage", "stage", 13), ("Days/limit", "days", 10), ("Value", "value", 8),
                                  ("At risk", "risk", 8)):
            attention.add_column(title, key=key, width=width)
        self.query_one("#empty-state").display = False
        self.load()

    def action_reload(self) -> None:
        self.load()

    def action_attention(self) -> None:
        """Jump to the deals that need attention (Enter opens one)."""
        self.query_one("#attention", DataTable).focus()

    def action_top(self) -> None:
        """Back to the figures at the top (the first panel takes the keyboard)."""
        self.query_one("#stages", DataTable).focus()
        self.query_one("#dashboard").scroll_home(animate=False)

    def on_descendant_focus(self, event) -> None:
        if getattr(event.widget, "id", None) == "stages":  # the first panel: show the KPI tiles above it too
            self.query_one("#dashboard").scroll_home(animate=False)

    def data_changed(self, event: DataChanged) -> None:
        if event.touches("opportunity", "lead", "quota"):
            self.load()

    @work(thread=True, exclusive=True, group="dashboard", name="Loading the dashboard", exit_on_error=False)
    def load(self) -> None:
        with self.session.connection():
            data = build_dashboard(self.session)
        self.app.call_from_thread(self.show, data)

    def show(self, data: Dashboard) -> None:
        s = data.summary
        empty = s.total_count == 0
        self.query_one("#empty-state").display = empty
        self.query_one("#kpi-open", Kpi).set(money(s.open_value_cents, compact=True), f"{s.open_count:,} open deals")
        self.query_one("#kpi-weighted", Kpi).set(money(s.weighted_value_cents, compact=True), "value × probability")
        attainment = data.attainment
        tone = None if attainment is None else ("good" if attainment >= 1 else "warning" if attainment < 0.5 else None)
        quota = f"{pct(attainment)} of {money(data.month_quota_cents, compact=True)}" if data.month_quota_cents else "no quota set"
        self.query_one("#kpi-won", Kpi).set(money(data.month_won_cents, compact=True), quota, tone)
        self.query_one("#kpi-leads", Kpi).set(f"{data.new_leads_since_last_visit:,}", "since last visit")
        self.query_one("#kpi-closing", Kpi).set(f"{data.closing_this_week:,}", "open, due this week")

        stages = self.query_one("#stages", DataTable)
        stages.clear()
        for line in s.stages:
            stages.add_row(
                Text(line.stage.name),
                Text(f"{line.count:,}", justify="right"),
                Text(money(line.value_cents), justify="right"),
                Text(money(line.weighted_cents) if line.stage.is_open else "", justify="right"),
                key=line.stage.id,
            )
        stages.add_row(
            Text("Open total", style="bold"),
            Text(f"{s.open_count:,}", justify="right", style="bold"),
            Text(money(s.open_value_cents), justify="right", style="bold"),
            Text(money(s.weighted_value_cents), justify="right", style="bold"),
            key="__open__",
        )
        team = self.query_one("#team", DataTable)
        team.clear()
        for rep in data.team:
            team.add_row(
                Text(rep.login), Text(money(rep.won_cents, compact=True), justify="right"),
                Text(money(rep.quota_cents, compact=True), justify="right"),
                Text(pct(rep.attainment), justify="right", style="green" if (rep.attainment or 0) >= 1 else ""),
                Text(money(rep.weighted_cents, compact=True), justify="right"),
                key=rep.login,
            )
        recent = self.query_one("#recent", DataTable)
        recent.clear()
        for index, item in enumerate(data.recent):
            recent.add_row(Text(f"{item.when:%m-%d %H:%M}"), Text(item.who),
                           Text(recent_what(item, self.session.pipeline), no_wrap=True, overflow="ellipsis"),
                           key=f"{index}:{item.opportunity_id or ''}")
        sources = self.query_one("#sources", DataTable)
        sources.clear()
        for line in data.sources:
            sources.add_row(
                Text(line.source),
                Text(f"{line.leads:,}", justify="right"),
                Text(f"{line.converted:,}", justify="right"),
                Text(pct(line.conversion), justify="right"),
            )
        self._closing_risks = data.closing_risks
        self._fill_attention()

    ATTENTION_ROWS = 12
    CLOSING_ROWS = 5  # at most this many of the rows are this week's blocked closes; alerts fill the rest

    def metrics_updated(self, metrics: MetricsRecomputed) -> None:
        self._latest_metrics = metrics
        self._fill_attention()
        if self.attention_sort != "risk":
            self.load_attention()  # another order than the published one: its top rows again

    def _fill_attention(self) -> None:
        """Deals due to close this week with requirements still open, then stalled and idle deals."""
        metrics = getattr(self, "_latest_metrics", None)
        closing = getattr(self, "_closing_risks", None)
        title = Text("Needs attention", style="bold")
        counts = []
        if closing is not None:
            more = "+" if closing.checked < closing.closing else ""
            shown = min(len(closing.risks), self.CLOSING_ROWS)
            note = f" ({shown} shown)" if shown < len(closing.risks) else ""
            counts.append(f"{len(closing.risks):,}{more} closing this week with open requirements{note}")
        if metrics is not None:
            counts.append(f"{metrics.stalled:,} stalled · {metrics.idle:,} idle · by {SORT_NAMES[self.attention_sort]}")
        title.append("   " + " · ".join(counts), style="dim")
        self.query_one("#attention-title", Static).update(title)
        table = self.query_one("#attention", DataTable)
        table.clear()
        names = {s.id: s.name for s in self.session.pipeline.stages}
        risks = closing.risks[: self.CLOSING_ROWS] if closing is not None else ()
        for risk in risks:
            name = Text(risk.name, no_wrap=True, overflow="ellipsis")
            name.append(f" — {risk.unmet[0]}" + (f" (+{len(risk.unmet) - 1})" if len(risk.unmet) > 1 else ""), style="dim")
            table.add_row(
                Text("⚑ closing", style="bold red"), name, Text(risk.owner),
                Text(names.get(risk.stage, risk.stage)),
                Text(f"due {risk.expected_close_date:%m-%d}", justify="right"),
                Text(money(risk.value_cents, compact=True), justify="right"),
                key=f"closing:{risk.opportunity_id}",
            )
        ranked = self._sorted_attention if self.attention_sort != "risk" else (
            metrics.attention if metrics is not None else ())
        shown = {risk.opportunity_id for risk in risks}  # one row a deal: a blocked close is already listed
        rows = [a for a in ranked if a.opportunity_id not in shown][: self.ATTENTION_ROWS - len(risks)]
        for item in rows:
            marks = "⚠ ◷ both" if len(item.marks) == 2 else "⚠ stalled" if item.stalled_days else "◷ idle"
            # the more overdue of its two counts (days in the stage or idle, over the limit)
            days = max((f"{d}/{t}" for d, t in ((item.stalled_days, item.stall_limit),
                                                 (item.idle_days, item.idle_limit)) if d is not None and t),
                       key=lambda text: int(text.split("/")[0]) / int(text.split("/")[1]), default="")
            table.add_row(
                Text(marks, style="bold yellow"),
                Text(item.name, no_wrap=True, overflow="ellipsis"),
                Text(item.owner),
                Text(names.get(item.stage, item.stage)),
                Text(days, justify="right"),
                Text(money(item.value_cents, compact=True), justify="right"),
                Text(money(item.value_at_risk_cents, compact=True), justify="right"),
                key=f"attention:{item.opportunity_id}",
            )

    attention_sort = "risk"
    _sorted_attention: tuple = ()

    def action_sort_attention(self) -> None:
        """Needs attention by value at risk, by how overdue, by value (the top rows of each order)."""
        order = list(SORT_NAMES)
        self.attention_sort = order[(order.index(self.attention_sort) + 1) % len(order)]
        self.load_attention()

    @work(thread=True, exclusive=True, group="dashboard-attention", name="Sorting Needs attention",
          exit_on_error=False)
    def load_attention(self) -> None:
        from domain.services.attention import needs_attention

        sort = self.attention_sort
        with self.session.connection():
            rows = tuple(needs_attention(self.session, limit=self.ATTENTION_ROWS, sort=sort))
        self.app.call_from_thread(self._show_sorted, sort, rows)

    def _show_sorted(self, sort: str, rows: tuple) -> None:
        if sort == self.attention_sort:
            self._sorted_attention = rows
            self._fill_attention()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "team":
            self.app.switch_mode("reports")
        elif event.data_table.id == "recent" and event.row_key.value and event.row_key.value.split(":")[1]:
            self.app.open_record("opportunity", int(event.row_key.value.split(":")[1]))
        elif event.data_table.id == "attention" and event.row_key.value:
            self.app.open_record("opportunity", int(event.row_key.value.split(":")[1]))
        elif event.data_table.id == "stages":
            self.app.switch_mode("kanban")
        elif event.data_table.id == "sources":
            self.app.switch_mode("leads")


def recent_what(item, pipeline) -> str:
    """A recent activity in few words: a stage change as "Stage: Discovery → Qualification" (its subject
    says "Stage changed from discovery to qualification", which the column cut), anything else as its kind
    and subject."""
    if item.kind == "stage_change":
        words = item.subject.removeprefix("Stage changed from ").split(" to ")
        if len(words) == 2:
            names = [pipeline.stage(w).name if pipeline.has(w) else w for w in words]
            return f"Stage: {names[0]} → {names[1]}"
    return f"{label(item.kind)}: {item.subject}"
