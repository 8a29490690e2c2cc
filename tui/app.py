"""The Pantry CRM application: screens as modes switched by single keys, a palette, themes."""

from __future__ import annotations

import gc
from importlib import import_module
from pathlib import Path
from typing import ClassVar

from textual import events, on, work
from textual.app import App
from textual.binding import Binding
from textual.widgets import Input
from textual.worker import Worker, WorkerFailed, WorkerState

from domain.events import DataChanged
from domain.services.duration_sweep import sweep_stage_durations
from domain.services.mailer import deliver_outbox
from domain.services.metrics import MetricsRecomputed, PipelineMetrics
from domain.session import Session
from tui.commands import RecordCommands, ScreenCommands
from tui.failures import LOG_NAME, FailureLog, KeepsRunning, humanise, notice
from tui.messages import MetricsRequested, MetricsUpdated, RecordsChanged
from tui.screens.base import PantryScreen
from tui.screens.detail_base import ReloadsOnChange
from tui.widgets.nav_bar import SCREENS

# Each mode's screen, imported when the mode is first opened: start-up pays only for the
# dashboard (the forecast's charts alone pull in plotext). See docs/performance.md.
SCREEN_MODULES: dict[str, tuple[str, str]] = {
    "dashboard": ("tui.screens.dashboard", "DashboardScreen"),
    "kanban": ("tui.screens.kanban", "KanbanScreen"),
    "forecast": ("tui.screens.forecast", "ForecastScreen"),
    "opportunities": ("tui.screens.opportunities", "OpportunitiesScreen"),
    "leads": ("tui.screens.leads", "LeadsScreen"),
    "accounts": ("tui.screens.accounts", "AccountsScreen"),
    "contacts": ("tui.screens.contacts", "ContactsScreen"),
    "proposals": ("tui.screens.proposals", "ProposalsScreen"),
    "tasks": ("tui.screens.tasks", "TasksScreen"),
    "reports": ("tui.screens.reports", "ReportsScreen"),
}


def screen_class(mode: str) -> type[PantryScreen]:
    module, name = SCREEN_MODULES[mode]
    return getattr(import_module(module), name)


def _opener(mode: str):
    def open_screen() -> PantryScreen:
        return screen_class(mode)()

    open_screen.__name__ = f"open_{mode}"
    return open_screen


class PantryApp(KeepsRunning, App):
    TITLE = "Pantry CRM"
    CSS_PATH = "app.tcss"
    MODES: ClassVar = {mode: _opener(mode) for mode in SCREEN_MODULES}
    DEFAULT_MODE = "dashboard"
    # Every screen gets `-narrow` below 100 columns (an 80x24 SSH terminal: panels stack instead of standing
    # side by side) and `-short` below 30 rows (dialogs and forms tighten): app.tcss styles them.
    HORIZONTAL_BREAKPOINTS: ClassVar = [(0, "-narrow"), (100, "-wide")]
    VERTICAL_BREAKPOINTS: ClassVar = [(0, "-short"), (30, "-tall")]
    COMMANDS = App.COMMANDS | {ScreenCommands, RecordCommands}
    BINDINGS = [
        *(Binding(key, f"switch_mode('{mode}')", name, show=False, id=f"go-{mode}") for mode, key, name in SCREENS),
        Binding("question_mark,f1", "help", "Keys", id="help"),
        # not in the footer (a preference, not work: on a narrow terminal it was cut to "^t T▏"); the help
        # screen and the palette list it
        Binding("ctrl+t", "toggle_dark", "Theme", show=False, id="theme"),
        Binding("q", "quit", "Quit", id="quit"),
        Binding("u,ctrl+z", "undo", "Undo", show=False, id="undo"),
    ]

    # Time-based state (a deal stalling overnight, duration automations) is re-checked this often.
    TICK_SECONDS: ClassVar[float] = 60.0

    def __init__(self, session: Session, *, demo: bool = False, animations: bool = True, watch: bool = True,
                 remember_visit: bool = True, tune_gc: bool = False, state_dir: Path | None = None) -> None:
        super().__init__()
        # Failures: a notification, and the traceback in errors.log (tui/failures.py).
        self.failures = FailureLog((state_dir or session.settings.state_path) / LOG_NAME)
        self._tune_gc = tune_gc
        self._records = None  # RecordActions, made when first used
        self.session = session
        self.demo = demo
        # Recomputed in a worker of this app (never on the thread that published the change).
        self.metrics = PipelineMetrics(session, schedule=self._schedule_metrics)
        self._unsubscribe_metrics = self.metrics.subscribe(self._on_metrics)
        self._watch = watch
        self._remember_visit = remember_visit
        self._watcher = None
        self._day = session.clock.today()
        # Tests and snapshots run without animation or cursor blink, so screens are repeatable.
        self.cursor_blink = animations
        if not animations:
            self.animation_level = "none"
        self._unsubscribe = session.bus.subscribe(self._on_bus_event)
        # The user's keys: binding id -> keys, from `[keymap]` in the settings (README, "Your own keys").
        self.user_keymap = dict(session.settings.keymap)

    def on_mount(self) -> None:
        if self.user_keymap:
            self.set_keymap(self.user_keymap)
        if self._tune_gc:
            self.call_after_refresh(quiet_collector)
        if self._watch:
            self._watcher = self.session.watch_other_processes()
        self.set_interval(self.TICK_SECONDS, self._tick)
        self.metrics.request_soon()
        actor = self.session.actor
        who = f"{actor.login} ({actor.role.value})" if actor else "no user: read-only"
        self.title = f"Pantry CRM · {who} · {self.session.clock.today():%a %d %b %Y}" + (" · demo" if self.demo else "")
        if self._remember_visit:
            self.record_visit()

    # -- failures: reported, never the end of the app (tui/failures.py) ---------------------

    def report_failure(self, what: str, error: BaseException) -> None:
        """Log the traceback and say what failed; callable from the UI thread only."""
        self.failures.write(what, error)
        message, severity = notice(what, error)
        try:
            self.notify(message, title=what, severity=severity, markup=False, timeout=8)
        except Exception:  # the app is closing: the log has it
            pass

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        """Every worker's failure, whichever screen or widget started it, lands here."""
        if event.state is WorkerState.ERROR and event.worker.error is not None:
            self.report_failure(humanise(event.worker.name or "work"), event.worker.error)

    async def run_action(self, action, default_namespace=None) -> bool:
        """Actions (keys, clicks, commands): one that raises is reported; the key press does not end the app."""
        try:
            return await super().run_action(action, default_namespace)
        except Exception as error:
            name = action if isinstance(action, str) else getattr(action, "__name__", "action")
            self.report_failure(humanise(name.split("(", 1)[0].rsplit(".", 1)[-1]), error)
            return True

    def _handle_exception(self, error: Exception) -> None:
        """Textual's last resort, which would end the app: report instead. A failed worker is reported
        by `_worker_failed` (its StateChanged arrives too), so it is not reported twice."""
        if isinstance(error, WorkerFailed):
            return
        self.report_failure("Pantry", error)

    # -- change events -------------------------------------------------------------------
    # Changes and figures arrive on whatever thread published them (a write worker, the change
    # watcher, the metrics worker). They become messages here (post_message is thread-safe and never
    # waits) and reach each screen as a message of its own, on the UI thread (tui/messages.py).

    def _on_bus_event(self, event: DataChanged) -> None:
        self.post_message(RecordsChanged(event))

    def on_key(self, event: events.Key) -> None:
        """A printable key that reaches the app while a text box has the keyboard was typed before the box
        took it (a burst after `/`: a paste, keys over a slow SSH link, queued behind the `/` that moved the
        focus): the box would have kept it, so it goes into the box instead of to a screen's keys."""
        focused = self.focused
        if isinstance(focused, Input) and event.is_printable and event.character:
            event.prevent_default()
            event.stop()
            focused.insert_text_at_cursor(event.character)

    def on_records_changed(self, message: RecordsChanged) -> None:
        for screen in self._all_screens():
            screen.post_message(RecordsChanged(message.event))
        for stack in self._screen_stacks.values():  # detail screens: the record they show may have changed
            for screen in stack:
                if isinstance(screen, ReloadsOnChange):
                    screen.post_message(RecordsChanged(message.event))

    def _all_screens(self) -> list[PantryScreen]:
        """Every live main screen (one per mode that has been opened), not just the visible one."""
        screens = []
        for stack in self._screen_stacks.values():
            screens.extend(s for s in stack if isinstance(s, PantryScreen))
        return screens

    def _on_metrics(self, metrics: MetricsRecomputed) -> None:
        self.post_message(MetricsUpdated(metrics))

    def on_metrics_updated(self, message: MetricsUpdated) -> None:
        for screen in self._all_screens():
            screen.post_message(MetricsUpdated(message.metrics))

    def _schedule_metrics(self, run) -> None:
        """PipelineMetrics asks (on any thread) for a recompute: it runs in a worker, one per burst."""
        self._metrics_run = run
        self.post_message(MetricsRequested())

    def on_metrics_requested(self, _message: MetricsRequested) -> None:
        self.recompute_metrics()

    @work(thread=True, group="visit", name="Remembering this visit", exit_on_error=False)
    def record_visit(self) -> None:
        """Remember this visit: "new leads since your last visit" counts from the previous one."""
        with self.session.connection():
            self.session.record_visit()

    @work(thread=True, group="metrics", name="Pipeline metrics", exit_on_error=False)
    def recompute_metrics(self) -> None:
        self._metrics_run()

    def _tick(self) -> None:
        today = self.session.clock.today()
        if today != self._day:
            self._day = today
            self.session.bus.publish(DataChanged(kinds=frozenset({"clock"})))
        self.run_time_based()

    @work(thread=True, exclusive=True, group="time-based", name="Background check", exit_on_error=False)
    def run_time_based(self) -> None:
        """The minute's background work. If it fails (another session holding the database, a mail
        server down) it is skipped and runs again at the next tick: it never ends the app."""
        try:
            with self.session.connection():
                sweep_stage_durations(self.session)
                deliver_outbox(self.session, self.session.settings.smtp)
        except Exception as error:
            self.call_from_thread(self.notify, f"Background check skipped ({error}); it runs again in a minute.",
                                  severity="warning", markup=False)
            return
        self.metrics.request_soon()  # stalls and idle deals age with time, not only with changes

    # -- actions -------------------------------------------------------------------------

    def keys_of(self, binding: Binding) -> str:
        """The keys a binding answers to, as the footer shows them: the user's keymap, else its own."""
        keys = self.user_keymap.get(binding.id or "") or binding.key
        return " / ".join(self.get_key_display(Binding(key.strip(), "")) for key in keys.split(","))

    def get_system_commands(self, screen):
        """Textual's own, without its "Keys" panel: the palette's "Show keys" (`?`) is the app's key map, and
        two entries for keys made the palette list both."""
        for command in super().get_system_commands(screen):
            if command.title != "Keys":
                yield command

    def action_help(self) -> None:
        """The keys of the app and of the screen underneath, each with its binding id (what `[keymap]` remaps)."""
        from tui.screens.help import HelpScreen
        from tui.widgets.paged_table import PagedTable

        def listed(bindings) -> list[tuple[str, str, str]]:
            found, seen = [], set()
            for binding in bindings:
                if isinstance(binding, Binding) and binding.description and binding.id not in seen:
                    seen.add(binding.id)
                    found.append((self.keys_of(binding), binding.description, binding.id or ""))
            return found

        go = [b for b in self.BINDINGS if isinstance(b, Binding) and (b.id or "").startswith("go-")]
        sections = [("Screens", listed(go))]
        app_keys = listed(b for b in self.BINDINGS if b not in go)
        app_keys.append(("ctrl+p", "Palette: screens, accounts, deals, actions", ""))
        sections.append(("Everywhere", app_keys))
        screen_keys = listed(b for cls in type(self.screen).__mro__ for b in cls.__dict__.get("BINDINGS", []))
        if screen_keys:
            sections.append((f"On this screen ({self.screen.sub_title or 'current'})", screen_keys))
        sections.append(("Lists and the kanban's columns", listed(PagedTable.BINDINGS)))
        self.push_screen(HelpScreen(sections))

    def action_toggle_dark(self) -> None:
        self.theme = "textual-light" if self.current_theme.dark else "textual-dark"

    def open_record(self, kind: str, record_id: int) -> None:
        if kind == "account":
            from tui.screens.account_detail import AccountDetailScreen

            self.push_screen(AccountDetailScreen(record_id))
        elif kind == "contact":
            from tui.screens.contact_detail import ContactDetailScreen

            self.push_screen(ContactDetailScreen(record_id))
        elif kind == "lead":
            from tui.screens.lead_detail import LeadDetailScreen

            self.push_screen(LeadDetailScreen(record_id))
        else:
            from tui.screens.opportunity_detail import OpportunityDetailScreen

            self.push_screen(OpportunityDetailScreen(record_id))

    # -- records by hand: New and Edit forms, archive, undo (tui/screens/record_actions.py) ------------

    @property
    def records(self):
        if self._records is None:
            from tui.screens.record_actions import RecordActions

            self._records = RecordActions(self)
        return self._records

    def new_record(self, entity: str, preset: dict[str, str] | None = None) -> None:
        self.records.new_record(entity, preset)

    def edit_record(self, entity: str, record_id: int) -> None:
        self.records.edit_record(entity, record_id)

    def archive_record(self, entity: str, record_id: int, name: str) -> None:
        self.records.archive_record(entity, record_id, name)

    def open_quotas(self) -> None:
        from tui.screens.quotas import QuotasScreen

        self.push_screen(QuotasScreen())

    def action_undo(self) -> None:
        """Undo my last change (asks first, naming what it puts back)."""
        self.records.undo_last()

    def on_unmount(self) -> None:
        self._unsubscribe()
        self._unsubscribe_metrics()
        self.metrics.close()
        if self._watcher is not None:
            self._watcher.stop()


# The collector's thresholds (CPython's default is 700, 10, 10). A worker turning 50,000 rows into records
# makes hundreds of young collections at 700; at 10,000 they are few and short. A middle collection every 5
# young ones keeps each small (every 20 let 100,000 objects pile up: 100-200 ms pauses). Full collections
# only every 100 middle ones: with the start-up heap frozen they have little to walk, but they stop every
# thread. Chosen by measuring the stalls with bench/ (docs/performance.md, "Input stalls").
GC_THRESHOLDS = (10_000, 5, 100)


def quiet_collector() -> None:
    """Keep the cyclic garbage collector from stalling input (docs/performance.md).

    Everything alive once the first screen is up (modules, classes, the app's widgets) is moved
    out of the collector's sight with `gc.freeze()`, so a full collection walks only what was made
    since; and collections start after more allocations. For the real app only: tests run many
    apps in one process, and frozen objects are never freed.
    """
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


def run_app(session: Session, *, demo: bool = False) -> int:
    app = PantryApp(session, demo=demo, tune_gc=True)
    app.run()
    return app.return_code or 0
