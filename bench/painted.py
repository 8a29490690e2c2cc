"""When is a screen "painted"? The definition every UI measurement of the harness waits for.

A screen counts as painted at the instant of its latest paint, read as soon as all of these hold:

1. it is the app's current screen and is mounted;
2. no Textual worker of the app is pending or running (screens load their data in thread
   workers, and a worker hands its result to the UI with `call_from_thread`, which returns only
   once the UI has applied it — so a finished worker means its data is on the widgets);
3. the screen's own data is on it: the dashboard's Pipeline KPI shows a figure and the pipeline
   metrics (stage totals and alerts) have been published; a list's table knows its row count and
   holds its first row; every kanban column shown knows its card count and the stage headers
   carry their totals; the forecast's month table and stage-progression table are filled;
4. nothing on the screen waits to be painted (no dirty widget, no pending layout or repaint).

A paint is the compositor rendering the screen's changed regions — what Textual then writes to
the terminal (headless, only that write is skipped). `watch(app)` timestamps every paint; the
check above is polled every millisecond from the pilot's task (it never blocks the app). For
the empty app "painted" is its first paint.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

POLL_SECONDS = 0.001


def now() -> float:
    """A monotonic clock shared by every process on the machine (CLOCK_MONOTONIC)."""
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def _text(widget) -> str:
    return str(getattr(widget, "content", "") or "")


def _dashboard(app, screen) -> bool:
    kpi = screen.query_one("#kpi-open")
    return getattr(kpi, "_figure", "…") != "…" and getattr(app, "metrics", None) is not None \
        and app.metrics.latest is not None


def _list(app, screen) -> bool:
    table = screen.query_one("#table")
    return table.total is not None and (table.total == 0 or table.item_at(0) is not None)


def _kanban(app, screen) -> bool:
    from tui.screens.kanban import CardList

    lists = [cards for cards in screen.query(CardList) if cards.parent.display]
    if not lists or any(cards.total is None for cards in lists):
        return False
    return all(getattr(head, "summary", None) is not None for head in screen.query(".kanban-header"))


def _forecast(app, screen) -> bool:
    return bool(_text(screen.query_one("#month-forecast"))) and bool(_text(screen.query_one("#velocity-forecast")))


CHECKS: dict[str, Callable] = {
    "dashboard": _dashboard,
    "opportunities": _list,
    "leads": _list,
    "kanban": _kanban,
    "forecast": _forecast,
}


def busy(app, screen=None) -> bool:
    """Is a worker pending or running — any of the app's, or only those started by `screen`'s widgets?"""
    for worker in app.workers:
        if worker.is_finished:
            continue
        node = worker.node
        if screen is None or node is screen or getattr(node, "screen", None) is screen:
            return True
    return False


def is_ready(app, mode: str | None, extra: Callable | None = None, *, only_screen: bool = False) -> bool:
    screen = app.screen
    if mode is not None and getattr(screen, "MODE", None) != mode:
        return False
    if not screen.is_mounted or busy(app, screen if only_screen else None):
        return False
    check = CHECKS.get(mode or "")
    try:
        return (check is None or bool(check(app, screen))) and (extra is None or bool(extra(app, screen)))
    except Exception:  # a widget not composed yet
        return False


def watch(app) -> None:
    """Timestamp every paint of the app's current screen (call before `app.run`)."""
    display = app._display
    app.bench_paints = []

    def timed_display(screen, renderable) -> None:
        display(screen, renderable)
        if renderable is not None and not app._batch_count and screen is app.screen:
            app.bench_paints.append(now())

    app._display = timed_display


def clean(screen) -> bool:
    """Has every change on the screen been painted?"""
    return not (screen._dirty_widgets or screen._repaint_required or screen._layout_required
                or screen._scroll_required or screen._recompose_required)


async def until_painted(app, mode: str | None, extra: Callable | None = None, *, only_screen: bool = False,
                        since: float = 0.0, timeout: float = 600.0) -> float:
    """Wait until the current screen (of `mode`, when given) is painted; returns the paint's instant.

    `extra` adds a condition (say, a moved card has left its column); `only_screen` waits only for
    the workers of the current screen (others, of screens in the background, may still run);
    `since`: only a paint after this instant counts (the instant a key was pressed)."""
    deadline = now() + timeout
    paints = app.bench_paints
    while not (is_ready(app, mode, extra, only_screen=only_screen) and clean(app.screen)
               and paints and paints[-1] >= since):
        if now() > deadline:
            raise TimeoutError(f"{mode or 'screen'} not painted within {timeout:.0f}s: {why_not(app, mode, since)}")
        await asyncio.sleep(POLL_SECONDS)
    return paints[-1]


def why_not(app, mode: str | None, since: float) -> str:
    screen = app.screen
    running = [f"{w.name}@{type(w.node).__name__}:{w.state.name}" for w in app.workers if not w.is_finished]
    check = CHECKS.get(mode or "")
    try:
        data = check is None or bool(check(app, screen))
    except Exception as error:
        data = repr(error)
    last = app.bench_paints[-1] if app.bench_paints else None
    return (f"screen {type(screen).__name__} (mounted {screen.is_mounted}), workers {running}, data shown {data}, "
            f"clean {clean(screen)}, last paint {'never' if last is None else f'{last - since:+.3f}s after the key'}")
