"""The forecast at scale (issue 18): the Forecast screen's first load and later loads, a reload after a stage
move, and `pantry forecast show` as a whole process (time and peak memory), at each size.

* first load: a fresh process on a scratch copy of the database (so the day's snapshots are not taken yet,
  as on the day's first visit), the app on the dashboard, `f` until the Forecast screen is painted with
  every worker done;
* later loads: the screen's reload (`ctrl+r`), nothing changed meanwhile;
* after a move: one deal moved a stage by the stage-move service, then the reload (what a real change costs);
* show: `pantry forecast show` (the month, auto) as a whole process, interpreter start-up included; the
  first run warms the file cache and is not counted; peak RSS from `wait4`.
"""

from __future__ import annotations

import asyncio
import sys

from bench.cold_start import SIZE
from bench.datasets import AS_OF
from bench.painted import now, until_painted, watch
from bench.screens import TICK_OFF, press


async def script(pilot, repeat: int, results: dict) -> None:
    from domain.services.stage_moves import StageMover

    app = pilot.app
    await until_painted(app, "dashboard")
    await asyncio.sleep(0.05)
    started = now()
    press(app, "f")
    results["first_load"] = [await until_painted(app, "forecast", since=started) - started]
    for _ in range(repeat):
        await asyncio.sleep(0.05)
        started = now()
        app.screen.load()
        results.setdefault("later_load", []).append(await until_painted(app, "forecast", since=started) - started)
    session = app.session
    movable = [o for o in session.opportunities_in_stage("qualification", _everything(), 0, repeat)]
    for opp in movable[:repeat]:
        await asyncio.sleep(0.05)
        StageMover(session).move(opp.id, "proposal")  # announces the change: the screen reloads itself
        started = now()
        app.screen.load()
        results.setdefault("after_move", []).append(await until_painted(app, "forecast", since=started) - started)
    app.exit()


def _everything():
    from domain.filters import OpportunityFilter

    return OpportunityFilter()


def child(db: str, login: str, repeat: int) -> dict:
    from cli.main import parser_for
    from cli.options import global_options, session_for
    from tui.app import PantryApp

    argv = ["--db", db, "--as", login, "--as-of", AS_OF]
    args = parser_for(argv).parse_args(argv)
    results: dict[str, list[float]] = {}

    async def pilot_script(pilot) -> None:
        await script(pilot, repeat, results)

    with session_for(global_options(args)) as session:
        app = PantryApp(session, remember_visit=False, tune_gc=True)
        app.TICK_SECONDS = TICK_OFF
        watch(app)
        app.run(headless=True, size=SIZE, auto_pilot=pilot_script)
    return results


def measure(db, login: str, size: int, repeat: int) -> dict:
    from bench import proc
    from bench.cli_runs import PANTRY
    from bench.datasets import scratch
    from bench.stats import ms, summary

    out: dict = {}
    with scratch(db, f"forecast-{size}.db") as copy:
        found = proc.probe("forecast", "--db", str(copy), "--login", login, "--repeat", str(repeat)).json()
        for key, seconds in found.items():
            out[f"screen_{key}_ms"] = summary(ms(seconds), 1)
    with scratch(db, f"forecast-show-{size}.db") as copy:
        samples, rss = [], []
        argv = [*PANTRY, "forecast", "show", "--db", str(copy), "--as", login, "--as-of", AS_OF, "--format", "json"]
        for index in range(repeat + 1):
            run = proc.run(argv, timeout=900)
            if run.code != 0:
                raise proc.ChildFailed(f"pantry forecast show exit {run.code}: {run.stderr.strip()[-1000:]}")
            if index:  # the first run warms the file cache (and takes the day's snapshots)
                samples.append(run.seconds)
                rss.append(run.max_rss_mb)
        out["show_ms"] = summary(ms(samples), 1)
        out["show_peak_rss_mb"] = summary(rss, 1)
    return out


if __name__ == "__main__":
    sys.exit("run through python -m bench --only forecast")
