"""The Pantry CRM application: screens as modes switched by single keys, a palette, themes."""

from __future__ import annotations

import threading
from typing import ClassVar

from textual import work
from textual.app import App
from textual.binding import Binding

from domain.events import DataChanged
from domain.services.duration_sweep import sweep_stage_durations
from domain.services.mailer import SmtpSettings, deliver_outbox
from domain.services.metrics import MetricsRecomputed, PipelineMetrics
from domain.session import Session
from tui.commands import RecordCommands, ScreenCommands
from tui.screens.accounts import AccountsScreen
from tui.screens.base import PantryScreen
from tui.screens.contacts import ContactsScreen
from tui.screens.dashboard import DashboardScreen
from tui.screens.forecast import ForecastScreen
from tui.screens.help import HelpScreen
from tui.screens.kanban import KanbanScreen
from tui.screens.leads import LeadsScreen
from tui.screens.opportunities import OpportunitiesScreen
from tui.screens.proposals import ProposalsScreen
from tui.screens.reports import ReportsScreen
from tui.screens.tasks import TasksScreen
from tui.widgets.nav_bar import SCREENS

SCREEN_CLASSES: dict[str, type[PantryScreen]] = {
    "dashboard": DashboardScreen,
    "kanban": KanbanScreen,
    "forecast": ForecastScreen,
    "opportunities": OpportunitiesScreen,
    "leads": LeadsScreen,
    "accounts": AccountsScreen,
    "contacts": ContactsScreen,
    "proposals": ProposalsScreen,
    "tasks": TasksScreen,
    "reports": ReportsScreen,
}


class PantryApp(App):
    TITLE = "Pantry CRM"
    CSS_PATH = "app.tcss"
    MODES: ClassVar = dict(SCREEN_CLASSES)
    DEFAULT_MODE = "dashboard"
    COMMANDS = App.COMMANDS | {ScreenCommands, RecordCommands}
    BINDINGS = [
        *(Binding(key, f"switch_mode('{mode}')", name, show=False, id=f"go-{mode}") for mode, key, name in SCREENS),
        Binding("question_mark,f1", "help", "Keys", id="help"),
        Binding("ctrl+t", "toggle_dark", "Theme", id="theme"),
        Binding("q", "quit", "Quit", id="quit"),
    ]

    # Time-based state (a deal stalling overnight, duration automations) is re-checked this often.
    TICK_SECONDS: ClassVar[float] = 60.0

    def __init__(self, session: Session, *, demo: bool = False, animations: bool = True, watch: bool = True,
                 remember_visit: bool = True) -> None:
        super().__init__()
        self.session = session
        self.demo = demo
        self.metrics = PipelineMetrics(session)
        self._unsubscribe_metrics = self.metrics.subscribe(self._on_metrics)
        self._watch = watch
        self._remember_visit = remember_visit
        self._watcher = None
        self._day = session.clock.today()
        # Tests and snapshots run without animation or cursor blink, so screens are repeatable.
        self.cursor_blink = animations
        if not animations:
            self.animation_level = "none"
        self._main_thread = threading.get_ident()
        self._unsubscribe = session.bus.subscribe(self._on_bus_event)

    def on_mount(self) -> None:
        if self._watch:
            self._watcher = self.session.store.watch(self._on_external_change)
        self.set_interval(self.TICK_SECONDS, self._tick)
        self.recompute_metrics()
        actor = self.session.actor
        who = f"{actor.login} ({actor.role.value})" if actor else "no user: read-only"
        self.title = f"Pantry CRM · {who} · {self.session.clock.today():%a %d %b %Y}" + (" · demo" if self.demo else "")
        if self._remember_visit:
            self.record_visit()

    # -- change events -------------------------------------------------------------------

    def _on_bus_event(self, event: DataChanged) -> None:
        if threading.get_ident() == self._main_thread:
            self._dispatch_change(event)
        else:
            try:
                self.call_from_thread(self._dispatch_change, event)
            except RuntimeError:  # the app is shutting down
                pass

    def _dispatch_change(self, event: DataChanged) -> None:
        for screen in self._all_screens():
            screen.data_changed(event)

    def _all_screens(self) -> list[PantryScreen]:
        """Every live main screen (one per mode that has been opened), not just the visible one."""
        screens = []
        for stack in self._screen_stacks.values():
            screens.extend(s for s in stack if isinstance(s, PantryScreen))
        return screens

    def _on_external_change(self, kinds: frozenset[str]) -> None:
        """Another process committed (watcher thread): announce it like a change of our own."""
        self.session.bus.publish(DataChanged(kinds=kinds, external=True))

    def _on_metrics(self, metrics: MetricsRecomputed) -> None:
        if threading.get_ident() == self._main_thread:
            self._dispatch_metrics(metrics)
        else:
            try:
                self.call_from_thread(self._dispatch_metrics, metrics)
            except RuntimeError:  # the app is shutting down
                pass

    def _dispatch_metrics(self, metrics: MetricsRecomputed) -> None:
        for screen in self._all_screens():
            screen.metrics_updated(metrics)

    @work(thread=True, group="visit")
    def record_visit(self) -> None:
        """Remember this visit: "new leads since your last visit" counts from the previous one."""
        if self.session.actor is not None:
            with self.session.connection():
                self.session.store.touch_last_seen(self.session.actor.id, self.session.clock.now())

    @work(thread=True, exclusive=True, group="metrics")
    def recompute_metrics(self) -> None:
        self.metrics.request()

    def _tick(self) -> None:
        today = self.session.clock.today()
        if today != self._day:
            self._day = today
            self.session.bus.publish(DataChanged(kinds=frozenset({"clock"})))
        self.run_time_based()

    @work(thread=True, exclusive=True, group="time-based", exit_on_error=False)
    def run_time_based(self) -> None:
        """The minute's background work. If it fails (another session holding the database, a mail
        server down) it is skipped and runs again at the next tick: it never ends the app."""
        try:
            with self.session.connection():
                sweep_stage_durations(self.session)
                deliver_outbox(self.session, SmtpSettings.from_env())
        except Exception as error:
            self.call_from_thread(self.notify, f"Background check skipped ({error}); it runs again in a minute.",
                                  severity="warning", markup=False)
            return
        self.metrics.request()

    # -- actions -------------------------------------------------------------------------

    def action_help(self) -> None:
        def keys(binding: Binding) -> str:
            return " / ".join(self.get_key_display(Binding(key.strip(), "")) for key in binding.key.split(","))

        sections = [("Screens", [(key, name) for _, key, name in SCREENS])]
        app_keys = [(keys(b), b.description) for b in self.BINDINGS
                    if isinstance(b, Binding) and b.description and not (b.id or "").startswith("go-")]
        app_keys.append(("ctrl+p", "Command palette: screens, accounts and deals by name, actions"))
        sections.append(("Everywhere", app_keys))
        screen_keys = []
        seen: set[str] = set()
        for cls in type(self.screen).__mro__:
            for binding in cls.__dict__.get("BINDINGS", []):
                if isinstance(binding, Binding) and binding.description and binding.description not in seen:
                    seen.add(binding.description)
                    screen_keys.append((keys(binding), binding.description))
        if screen_keys:
            sections.append((f"On this screen ({self.screen.sub_title or 'current'})", screen_keys))
        sections.append(("Lists", [("↑ ↓ PgUp PgDn Home End", "move"), ("Enter", "open the record")]))
        self.push_screen(HelpScreen(sections))

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def open_record(self, kind: str, record_id: int) -> None:
        if kind == "account":
            from tui.screens.account_detail import AccountDetailScreen

            self.push_screen(AccountDetailScreen(record_id))
        else:
            from tui.screens.opportunity_detail import OpportunityDetailScreen

            self.push_screen(OpportunityDetailScreen(record_id))

    def on_unmount(self) -> None:
        self._unsubscribe()
        self._unsubscribe_metrics()
        self.metrics.close()
        if self._watcher is not None:
            self._watcher.stop()


def run_app(session: Session, *, demo: bool = False) -> int:
    app = PantryApp(session, demo=demo)
    app.run()
    return app.return_code or 0
