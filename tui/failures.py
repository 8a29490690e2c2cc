"""One place for what goes wrong in the TUI: a notification naming what failed, the traceback in a log file.

The app never exits on an error. Three doors lead here (tui/app.py):
- a worker that fails: the app's `Worker.StateChanged` handler (every worker runs with
  `exit_on_error=False`, so Textual does not end the app for it). Textual posts a worker's state
  changes to the screen or widget that started it and they do not bubble: `KeepsRunning` hands a
  failure on to the app, so the one handler sees them all;
- an exception in a message handler or an action (a key press, a click, a command): `KeepsRunning`
  catches it where Textual dispatches it, so the widget's message loop goes on;
- anything else Textual meets: `App._handle_exception`, overridden to report instead of exiting.

What the user sees: a domain error (a refusal, a conflict, a record gone, the database busy) as its own
message, titled with what was being done; anything unexpected as "X failed: <its first line>". What
the log gets: the time, what failed and the whole traceback, appended to `errors.log` in the user state
directory (platformdirs' user_state_dir("pantry-crm"); the `state_dir` setting moves it, tests use their own).
"""

from __future__ import annotations

import threading
import traceback
from datetime import datetime, timezone
from pathlib import Path

from textual.worker import Worker, WorkerState

from domain.errors import DomainError

LOG_NAME = "errors.log"


def first_line(error: BaseException) -> str:
    text = str(error).strip()
    return text.splitlines()[0].strip() if text else type(error).__name__


def notice(what: str, error: BaseException) -> tuple[str, str]:
    """(message, severity) of the notification for `error` while doing `what`."""
    if isinstance(error, DomainError):
        return " ".join(str(error).split()) or type(error).__name__, "warning"
    return f"{what} failed: {first_line(error)}", "error"


def humanise(name: str) -> str:
    """`load_rate` / `on_paged_table_selected` -> "Load rate" / "Paged table selected"."""
    words = name.removeprefix("on_").removeprefix("action_").replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else "Pantry"


class FailureLog:
    """Appends each failure with its traceback to one file; never raises (a full disk must not end the app)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()

    def write(self, what: str, error: BaseException) -> None:
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
        trace = "".join(traceback.format_exception(type(error), error, error.__traceback__))
        try:
            with self._lock:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                with self.path.open("a", encoding="utf-8") as log:
                    log.write(f"{stamp} {what} failed\n{trace}\n")
        except OSError:
            pass


class KeepsRunning:
    """Mixed into the app, its screens and its widgets: an exception in one of their message handlers
    (a key, a click, a timer, a reply from a worker) is reported, and the message loop goes on; a
    worker of theirs that fails is handed to the app's one failure handler."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state is WorkerState.ERROR and self is not self.app:  # type: ignore[attr-defined]
            self.app.post_message(Worker.StateChanged(event.worker, event.state))  # type: ignore[attr-defined]

    async def _dispatch_message(self, message) -> None:
        try:
            await super()._dispatch_message(message)  # type: ignore[misc]
        except Exception as error:  # asyncio's CancelledError is a BaseException: it still stops the loop
            self.app.report_failure(humanise(getattr(message, "handler_name", "") or type(message).__name__), error)
