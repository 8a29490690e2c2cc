"""The SSH gate's allow-list is read-only: no command on it writes anything (issue 14).

`forecast show` and `report forecast` stored the day's forecast snapshots as a side effect — at any
`--as-of` a client chose. A gated command's session now refuses every unit of work, and the forecast
skips its snapshot; the database digest before and after every allowed command is the same.
"""

from __future__ import annotations

import hashlib

import pytest

from cli.main import main
from domain.clock import FixedClock
from domain.errors import Refused
from domain.pipeline import DEFAULT_PIPELINE
from domain.session import Session
from store.models import ALL_MODELS
from store.store import Store

AS_OF = "2026-06-15"
ALLOWED = [
    "forecast show --as-of 2031-01-01",
    "report forecast --as-of 2031-01-01",
    "forecast show",
    "report forecast",
    "pantry report accounts --format json",
    "report activities",
    "report pipeline --as-of 2030-02-01",
    "list opportunities",
    "list accounts",
    "alerts",
    "stats",
    "pipeline show",
]


def digest(url: str) -> str:
    """Every row of every table."""
    with Store.open(url):
        rows = [sorted(map(repr, model.select().dicts())) for model in ALL_MODELS]
    return hashlib.sha256(repr(rows).encode()).hexdigest()


@pytest.fixture
def demo(database_url, capsys) -> str:
    assert main(["demo", "--db", database_url, "--opportunities", "120", "--as-of", AS_OF]) == 0
    assert main(["--db", database_url, "--as", "admin", "list", "users"]) == 0  # in use: its pipeline stored
    capsys.readouterr()
    return database_url


@pytest.mark.parametrize("login", ["pshah", "admin"])
def test_no_allowed_command_writes_anything(demo, monkeypatch, capsys, login):
    before = digest(demo)
    for command in ALLOWED:
        monkeypatch.setenv("SSH_ORIGINAL_COMMAND", command)
        code = main(["--ssh-gate", "--as", login, "--db", demo])
        out, err = capsys.readouterr()
        assert code == 0, (command, err)
        assert digest(demo) == before, f"{command!r} as {login} wrote to the database"
    # the same command without the gate stores the day's snapshots: the check above could fail
    monkeypatch.delenv("SSH_ORIGINAL_COMMAND")
    assert main(["--as", login, "--db", demo, "forecast", "show", "--as-of", "2031-01-01"]) == 0
    assert digest(demo) != before


def test_a_read_only_session_refuses_every_unit_of_work(store):
    session = Session(store=store, clock=FixedClock.on(__import__("datetime").date(2026, 6, 15)),
                      pipeline=DEFAULT_PIPELINE, actor=None, read_only=True)
    with pytest.raises(Refused, match="read-only"):
        with session.write():
            pass


def test_a_gated_command_on_a_database_without_a_stored_pipeline_reads_the_default_without_storing_it(
        database_url, monkeypatch, capsys):
    assert main(["demo", "--db", database_url, "--opportunities", "60", "--as-of", AS_OF]) == 0
    before = digest(database_url)
    monkeypatch.setenv("SSH_ORIGINAL_COMMAND", "report pipeline --format json")
    assert main(["--ssh-gate", "--as", "pshah", "--db", database_url]) == 0
    assert digest(database_url) == before
