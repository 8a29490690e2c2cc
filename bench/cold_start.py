"""Cold start: process start to the first painted dashboard, beside an empty Textual app.

Each sample is a fresh `python -m bench.probe …` process, timed from just before it is forked (so
interpreter start-up and every import count) to the instant the child reports its first paint
(bench/painted.py), both read from the machine's monotonic clock. Both run headless at 120×40.
Pantry starts the way `pantry --db DB --as LOGIN --as-of 2026-03-16` does: the CLI's parser (`parser_for`,
which loads only the TUI's command module), the session, then the app (not recording the visit, so the
database is not written).
"""

from __future__ import annotations

from bench import proc
from bench.datasets import AS_OF
from bench.painted import until_painted, watch
from bench.stats import ms, summary

SIZE = (120, 40)

def pantry_child(db: str, login: str) -> dict:
    from cli.main import parser_for
    from cli.options import global_options, session_for

    argv = ["--db", db, "--as", login, "--as-of", AS_OF]
    args = parser_for(argv).parse_args(argv)
    from tui.app import PantryApp

    painted: list[float] = []

    async def pilot_script(pilot) -> None:
        painted.append(await until_painted(pilot.app, "dashboard"))
        pilot.app.exit()

    with session_for(global_options(args)) as session:
        app = PantryApp(session, remember_visit=False, tune_gc=True)
        watch(app)
        app.run(headless=True, size=SIZE, auto_pilot=pilot_script)
    return {"painted_at": painted[0]}

def empty_child() -> dict:
    from textual.app import App

    class Empty(App):
        pass

    painted: list[float] = []

    async def pilot_script(pilot) -> None:
        painted.append(await until_painted(pilot.app, None))
        pilot.app.exit()

    app = Empty()
    watch(app)
    app.run(headless=True, size=SIZE, auto_pilot=pilot_script)
    return {"painted_at": painted[0]}

def sample(kind: str, *args: str) -> float:
    child = proc.probe(kind, *args, timeout=600)
    return child.json()["painted_at"] - child.started

def measure(db: str, login: str, repeat: int) -> dict:
    """Interleaved (empty, pantry, empty, pantry, …) so a change of machine load hits both alike."""
    sample("cold-empty")  # warm the OS file cache for the interpreter and textual
    sample("cold-pantry", "--db", db, "--login", login)
    empty, pantry = [], []
    for _ in range(repeat):
        empty.append(sample("cold-empty"))
        pantry.append(sample("cold-pantry", "--db", db, "--login", login))
    return {"empty_app_ms": summary(ms(empty), 1), "pantry_ms": summary(ms(pantry), 1)}
