"""Quotas: each rep's quota and what they have won this month and this quarter, with attainment.

The figures are Reports → Rep performance's own (one definition): the same reps (yours, your team's,
everyone's), the same won amounts. `e` or Enter sets the rep's month and quarter quota (managers for
their team, admins for anyone), each change audited.
"""

from __future__ import annotations

from datetime import date

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from domain.enums import Role
from domain.errors import DomainError
from domain.money import MoneyError, parse_cents
from domain.periods import month_start, quarter_start
from domain.reports.base import ReportParams
from domain.services.analytics import rep_performance
from domain.services.quota_actions import QuotaActions
from tui.failures import KeepsRunning
from tui.format import money
from tui.screens.form import Field, FormScreen


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


class QuotasScreen(KeepsRunning, Screen):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back", id="quotas.back"),
        Binding("e", "set_quota", "Set quota", id="quotas.set"),
        Binding("ctrl+r", "reload", "Refresh", id="quotas.refresh"),
    ]

    @property
    def session(self):
        return self.app.session  # type: ignore[attr-defined]

    def compose(self) -> ComposeResult:
        yield Header(icon="◆")
        yield Static(id="quotas-title")
        yield DataTable(id="quotas", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Quotas"
        self.rows: dict[str, object] = {}
        table = self.query_one("#quotas", DataTable)
        self.narrow = self.app.size.width < 100  # at 80 columns: no team, short titles, every figure
        columns = (("Rep", "rep"), ("Team", "team"), ("Month quota", "mq"), ("Won", "mw"), ("%", "mp"),
                   ("Quarter quota", "qq"), ("Won", "qw"), ("%", "qp"))
        if self.narrow:
            columns = (("Rep", "rep"), ("Month", "mq"), ("Won", "mw"), ("%", "mp"), ("Quarter", "qq"), ("Won", "qw"),
                       ("%", "qp"))
        for title, key in columns:
            table.add_column(title, key=key)
        table.focus()
        self.load()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "set_quota":
            actor = self.session.actor
            return actor is not None and actor.role is not Role.REP
        return True

    def action_reload(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="quotas", name="Loading the quotas", exit_on_error=False)
    def load(self) -> None:
        today = self.session.clock.today()
        with self.session.connection():
            rows = rep_performance(self.session, ReportParams(as_of=today))
        self.app.call_from_thread(self.show, today, rows)

    def show(self, today: date, rows) -> None:
        self.today = today
        quarter = (quarter_start(today).month - 1) // 3 + 1
        self.query_one("#quotas-title", Static).update(Text(
            f" {today:%B %Y} and Q{quarter} {today.year}: quota, won and attainment by rep", style="bold"))
        table = self.query_one("#quotas", DataTable)
        row = table.cursor_row
        table.clear()
        self.rows = {}
        for r in sorted(rows, key=lambda r: (r.team, r.name)):
            self.rows[r.login] = r
            figure = (lambda cents: money(cents, compact=True)) if self.narrow else money
            cells = [Text(f"{r.name} ({r.login})" if not self.narrow else r.login, no_wrap=True, overflow="ellipsis"),
                     Text(r.team or "—"),
                     Text(figure(r.month_quota_cents), justify="right"), Text(figure(r.month_won_cents), justify="right"),
                     Text(percent(r.month_attainment), justify="right"),
                     Text(figure(r.quarter_quota_cents), justify="right"),
                     Text(figure(r.quarter_won_cents), justify="right"),
                     Text(percent(r.quarter_attainment), justify="right")]
            if self.narrow:
                del cells[1]
            table.add_row(*cells, key=r.login)
        if rows:
            table.move_cursor(row=min(row, len(rows) - 1))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_set_quota()

    def action_set_quota(self) -> None:
        table = self.query_one("#quotas", DataTable)
        if not table.row_count or not self.check_action("set_quota", ()):
            return
        login = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        rep = self.rows.get(login)
        if rep is None:
            return
        month, quarter = month_start(self.today), quarter_start(self.today)
        fields = [
            Field("month", f"Quota for {month:%B %Y} ($)", _amount(rep.month_quota_cents)),
            Field("quarter", f"Quota for the quarter from {quarter:%d %B %Y} ($)", _amount(rep.quarter_quota_cents)),
        ]

        def validate(values):
            errors, result = {}, {}
            for name, current in (("month", rep.month_quota_cents), ("quarter", rep.quarter_quota_cents)):
                text = values[name].strip()
                try:
                    cents = parse_cents(text or "0")
                except MoneyError as error:
                    errors[name] = str(error)
                    continue
                if cents < 0:
                    errors[name] = "must not be negative"
                elif cents != current:
                    result[name] = cents
            return (None if errors else result), errors

        def chosen(changes: dict | None) -> None:
            if changes:
                self.save(login, changes, month, quarter)

        self.app.push_screen(FormScreen(f"Quotas of {rep.name}", fields, validate, submit_label="Set"), chosen)

    @work(thread=True, group="quotas-write", name="Setting the quota", exit_on_error=False)
    def save(self, login: str, changes: dict, month: date, quarter: date) -> None:
        actions = QuotaActions(self.session)
        try:
            with self.session.connection(), self.session.write():  # both or neither
                for period, start in (("month", month), ("quarter", quarter)):
                    if period in changes:
                        actions.set_quota(login, period, start, changes[period])
        except DomainError as error:
            self.app.call_from_thread(self.app.notify, str(error), severity="error", markup=False)
            return
        self.app.call_from_thread(self.app.notify, f"Quota of {login} set", markup=False)
        self.app.call_from_thread(self.load)


def _amount(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"
