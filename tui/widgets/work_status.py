"""A one-line status for long work: what is running, a progress bar, the seconds so far.

Hidden while idle. Workers drive it through `app.call_from_thread`: `start(text, total)`
(total None: an indeterminate, pulsing bar), `advance(n)`, `finish()`.
"""

from __future__ import annotations

from time import monotonic

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label, ProgressBar

from tui.failures import KeepsRunning


class WorkStatus(KeepsRunning, Horizontal):
    DEFAULT_CSS = """
    WorkStatus {
        height: 1;
        display: none;
        padding: 0 1;
        background: $panel;
    }
    WorkStatus.-busy {
        display: block;
    }
    WorkStatus Label {
        width: auto;
        margin-right: 2;
    }
    WorkStatus ProgressBar {
        width: auto;
    }
    WorkStatus #work-elapsed {
        margin-left: 2;
        color: $text-muted;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._started = 0.0
        self._timer = None
        self._job = 0

    def compose(self) -> ComposeResult:
        yield Label(id="work-text", markup=False)
        yield ProgressBar(total=None, show_eta=False, id="work-bar")
        yield Label(id="work-elapsed", markup=False)

    @property
    def busy(self) -> bool:
        return self.has_class("-busy")

    def start(self, text: str, total: float | None = None) -> int:
        """Show `text` and a bar; returns the job's number, for `finish` (a later start supersedes it)."""
        self.query_one("#work-text", Label).update(Text(text))
        bar = self.query_one("#work-bar", ProgressBar)
        bar.update(total=total, progress=0)
        self._started = monotonic()
        self.query_one("#work-elapsed", Label).update("")
        self.add_class("-busy")
        if self._timer is None:
            self._timer = self.set_interval(0.5, self._tick)
        self._job += 1
        return self._job

    def advance(self, steps: float = 1) -> None:
        self.query_one("#work-bar", ProgressBar).advance(steps)

    def finish(self, job: int | None = None) -> None:
        """Hide the status, unless a newer job has started since `job`."""
        if job is not None and job != self._job:
            return
        self.remove_class("-busy")
        if self._timer is not None:
            self._timer.stop()
            self._timer = None

    def _tick(self) -> None:
        self.query_one("#work-elapsed", Label).update(Text(f"{monotonic() - self._started:.0f} s"))
