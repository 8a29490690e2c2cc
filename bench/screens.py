"""Opening the lists and the kanban, switching screens, a kanban move — and how long input waits meanwhile.

One process per size runs the app headless (120×40, the session of `pantry --as LOGIN --as-of …`)
on a scratch copy of the database, visits every screen once (the forecast stores the day's
snapshots on first use), then measures, `repeat` times each:

* open: from the dashboard, a key (o, l, k) until the screen is painted (bench/painted.py) —
  a fresh screen every time (its mode is removed and added again first), as on the first visit;
* switch: d → k → f → d between screens already open, each until painted;
* kanban move: `[` on the top card of the Qualification column until the card has left the
  column, the new pipeline figures are published and the kanban's own workers are done (the
  dashboard and forecast reload in the background meanwhile, as they do for a user).

Beside each, the longest stall of the event loop during the operation: a task that asks to wake
every millisecond records how late it wakes. A key pressed during a stall waits that long before
the app even reads it; the target is one frame (1/60 s).
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from bench.cold_start import SIZE
from bench.datasets import AS_OF
from bench.painted import now, until_painted, watch

# The app's minute tick (stage-duration sweep, outbox) is pushed out of the measurements: at 100,000
# its sweep's writes collide with the forecast's snapshot write ("database is locked", and the
# worker's error ends the app) — a finding reported in docs/performance.md, not a UI cost to time.
TICK_OFF = 24 * 3600.0

KEYS = {"dashboard": "d", "kanban": "k", "forecast": "f", "opportunities": "o", "leads": "l"}
OPENED = ("opportunities", "leads", "kanban")
SWITCHES = (("dashboard", "kanban"), ("kanban", "forecast"), ("forecast", "dashboard"))


class StallMonitor:
    """The longest delay of the event loop past a 1 ms sleep, since the last `reset`."""

    def __init__(self) -> None:
        self.longest = 0.0
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._watch())

    async def _watch(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            before = loop.time()
            await asyncio.sleep(0.001)
            self.longest = max(self.longest, loop.time() - before - 0.001)

    def reset(self) -> float:
        longest, self.longest = self.longest, 0.0
        return longest

    def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()


CHARACTERS = {"left_square_bracket": "["}


def press(app, key: str) -> None:
    """Hand a key to the app as its terminal driver does — without `Pilot.press`, which then waits
    until the process looks idle (up to a second, twice), which would be timed too."""
    from textual import events

    event = events.Key(key, CHARACTERS.get(key, key if len(key) == 1 else None))
    event.set_sender(app)
    app._driver.send_message(event)


async def go(pilot, mode: str) -> None:
    if pilot.app.current_mode == mode:
        return
    started = now()
    press(pilot.app, KEYS[mode])
    await until_painted(pilot.app, mode, since=started)


class Profiles:
    """With PANTRY_BENCH_PROFILE=DIR, the first sample of each operation is profiled with pyinstrument
    (the UI thread only: workers' queries are profiled apart) into DIR/<database>-<operation>.txt."""

    def __init__(self, db: str) -> None:
        self.folder = os.environ.get("PANTRY_BENCH_PROFILE")
        self.prefix = Path(db).stem
        self.done: set[str] = set()

    def start(self, name: str):
        if not self.folder or name in self.done:
            return None
        from pyinstrument import Profiler

        self.done.add(name)
        profiler = Profiler(interval=0.001, async_mode="disabled")
        profiler.start()
        return profiler

    def stop(self, profiler, name: str) -> None:
        if profiler is None:
            return
        profiler.stop()
        folder = Path(self.folder)
        folder.mkdir(parents=True, exist_ok=True)
        safe = name.replace(" ", "-").replace("→", "-to-")
        for suffix, flat in (("", False), ("-flat", True)):
            text = profiler.output_text(unicode=True, show_all=True, flat=flat, time="percent_of_total")
            (folder / f"{self.prefix}-{safe}{suffix}.txt").write_text(text, encoding="utf-8")


async def timed(pilot, monitor: StallMonitor, profiles: Profiles, key: str, mode: str, name: str,
                **painted) -> tuple[float, float]:
    await asyncio.sleep(0.05)
    profiler = profiles.start(name)
    monitor.reset()
    started = now()
    press(pilot.app, key)
    done = await until_painted(pilot.app, mode, since=started, **painted)
    stall = monitor.reset()
    profiles.stop(profiler, name)
    return done - started, stall


async def background(app, monitor: StallMonitor, start) -> tuple[float, float]:
    """Database work in a worker with the UI idle: from `start()` until every worker has finished and
    the screen is painted; the longest stall is what a key pressed meanwhile would wait."""
    await asyncio.sleep(0.05)
    monitor.reset()
    started = now()
    start()
    done = await until_painted(app, getattr(app.screen, "MODE", None), since=started)
    return done - started, monitor.reset()


# What the database does behind an idle screen: at 100,000 deals, seconds of work (the forecast) that
# must not hold up a key. Appended to the table after the screen operations.
BACKGROUND = (
    ("dashboard", "dashboard reload (worker)", lambda app: app.screen.load()),
    ("dashboard", "metrics recompute (worker)", lambda app: app.metrics.request_soon()),
    ("forecast", "forecast reload (worker)", lambda app: app.screen.load()),
)


async def script(pilot, repeat: int, results: dict, profiles: Profiles) -> None:
    from tui.app import screen_class

    app = pilot.app
    await until_painted(app, "dashboard")
    for mode in (*OPENED, "forecast", "dashboard"):  # warm-up visit, not measured
        await go(pilot, mode)
    monitor = StallMonitor()
    monitor.start()
    for _ in range(repeat):
        for mode in OPENED:
            await app.remove_mode(mode)
            app.add_mode(mode, screen_class(mode))
            name = f"open {mode}"
            results.setdefault(name, []).append(await timed(pilot, monitor, profiles, KEYS[mode], mode, name))
            await go(pilot, "dashboard")
    for _ in range(repeat):
        for before, after in SWITCHES:
            name = f"switch {before}→{after}"
            results.setdefault(name, []).append(await timed(pilot, monitor, profiles, KEYS[after], after, name))
    for _ in range(repeat):
        await go(pilot, "kanban")
        column = app.screen.query_one("#cards-qualification")
        column.focus()
        await until_painted(app, "kanban")
        moved, published = column.current_item.id, app.metrics.latest

        def moved_away(app, screen, column=column, moved=moved, published=published) -> bool:
            first = column.item_at(0)
            return app.metrics.latest is not published and first is not None and first.id != moved

        results.setdefault("kanban move", []).append(
            await timed(pilot, monitor, profiles, "left_square_bracket", "kanban", "kanban move", extra=moved_away, only_screen=True))
        await until_painted(app, "kanban")  # let the background reloads finish before the next sample
        await go(pilot, "dashboard")
    for _ in range(repeat):
        for mode, name, start in BACKGROUND:
            await go(pilot, mode)
            results.setdefault(name, []).append(await background(app, monitor, lambda: start(app)))
    await go(pilot, "dashboard")
    monitor.stop()
    app.exit()


def child(db: str, login: str, repeat: int) -> dict:
    from cli.main import parser_for
    from cli.options import global_options, session_for
    from tui.app import PantryApp

    argv = ["--db", db, "--as", login, "--as-of", AS_OF]
    args = parser_for(argv).parse_args(argv)
    results: dict[str, list[tuple[float, float]]] = {}

    async def pilot_script(pilot) -> None:
        await script(pilot, repeat, results, Profiles(db))

    with session_for(global_options(args)) as session:
        app = PantryApp(session, remember_visit=False, tune_gc=True)
        app.TICK_SECONDS = TICK_OFF
        watch(app)
        app.run(headless=True, size=SIZE, auto_pilot=pilot_script)
    return {name: {"seconds": [s for s, _ in samples], "stall": [x for _, x in samples]} for name, samples in results.items()}


def measure(db, login: str, size: int, repeat: int) -> dict:
    from bench import proc
    from bench.datasets import scratch
    from bench.stats import ms, summary

    with scratch(db, f"screens-{size}.db") as copy:
        result = proc.probe("screens", "--db", str(copy), "--login", login, "--repeat", str(repeat)).json()
    return {
        name: {"ms": summary(ms(data["seconds"]), 1), "longest_stall_ms": summary(ms(data["stall"]), 1)}
        for name, data in result.items()
    }
