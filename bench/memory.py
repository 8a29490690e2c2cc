"""Peak resident memory of the app at each size.

A fresh process (on a scratch copy of the database) opens the app headless and visits the
dashboard, opportunities, leads, kanban and forecast, each until painted, then exits; its peak
resident set size (`ru_maxrss`, read by the parent from `wait4`) is one sample; the child also reports
the peak so far after each screen (`peak_after_mb` in the JSON), which shows which visit raised it.
"""

from __future__ import annotations

from bench.cold_start import SIZE
from bench.datasets import AS_OF

WALK = ("opportunities", "leads", "kanban", "forecast")


def child(db: str, login: str) -> dict:
    import resource

    from bench.painted import until_painted, watch
    from bench.screens import TICK_OFF, go
    from cli.main import parser_for
    from cli.options import global_options, session_for
    from tui.app import PantryApp

    argv = ["--db", db, "--as", login, "--as-of", AS_OF]
    args = parser_for(argv).parse_args(argv)

    steps: dict[str, float] = {}

    def peak_mb() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    async def pilot_script(pilot) -> None:
        await until_painted(pilot.app, "dashboard")
        steps["dashboard"] = peak_mb()
        for mode in WALK:
            await go(pilot, mode)
            steps[mode] = peak_mb()
        pilot.app.exit()

    with session_for(global_options(args)) as session:
        app = PantryApp(session, remember_visit=False, tune_gc=True)
        app.TICK_SECONDS = TICK_OFF
        watch(app)
        app.run(headless=True, size=SIZE, auto_pilot=pilot_script)
    return {"ru_maxrss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "steps_mb": steps}


def measure(db, login: str, size: int, repeat: int) -> dict:
    from bench import proc
    from bench.datasets import scratch
    from bench.stats import summary

    samples, steps = [], {}
    for _ in range(repeat):
        with scratch(db, f"memory-{size}.db") as copy:
            child_run = proc.probe("memory", "--db", str(copy), "--login", login)
        result = child_run.json()  # raises with the child's error if it failed
        samples.append(child_run.max_rss_mb)
        for mode, mb in result.get("steps_mb", {}).items():
            steps.setdefault(mode, []).append(mb)
    # the peak so far after each screen: which screen's visit raised it
    return {"peak_rss_mb": summary(samples, 1), "peak_after_mb": {m: summary(v, 1) for m, v in steps.items()}}
