"""The `pantry` command line, run in-process: `main(argv)` with captured stdout/stderr.

Every test uses its own SQLite file under tmp_path (`--db`) and points PANTRY_DATA_DIR at
tmp_path, so nothing touches the real user data dir. Data is built through the store's
repositories, so these tests do not depend on the demo generator (a fake stands in for it;
one test runs the real generator when `store.demo` provides it).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import sqlite3
import subprocess
import sys
import types
from datetime import date, datetime, timezone
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # importable however pytest is started
    sys.path.insert(0, str(ROOT))

from cli.commands import list_cmd  # noqa: E402
from cli.commands.list_entities import ENTITIES, OPPORTUNITY_KEYS  # noqa: E402
from cli.main import build_parser, main  # noqa: E402
from domain import records as r  # noqa: E402
from domain.enums import AccountSize, Industry, LeadStatus, Role, TaskStatus  # noqa: E402
from domain.filters import UserFilter  # noqa: E402
from store.store import Store  # noqa: E402

AS_OF = "2026-03-16"
NOW = datetime(2026, 3, 16, 12, 0, tzinfo=timezone.utc)
MARKUP = "[bold red]x[/]"
EMOJI = "🍕🥗"
TRICKY_NAME = f"{MARKUP} {EMOJI}"
QUOTED_NAME = 'Big, "Quoted" Deal'


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


# -- fixtures ------------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def data_dir(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "data"
    monkeypatch.setenv("PANTRY_DATA_DIR", str(path))
    monkeypatch.delenv("PANTRY_DB", raising=False)
    monkeypatch.delenv("NO_COLOR", raising=False)
    return path


@pytest.fixture
def db(tmp_path) -> str:
    """A SQLite file with 2 users, 2 accounts and 3 opportunities (one of them won)."""
    path = tmp_path / "crm.db"
    with Store.open(str(path)) as store:
        alice = store.users.insert(
            r.User(login="alice", display_name="Alice Able", team="east", created_at=NOW)
        )
        bob = store.users.insert(
            r.User(login="bob", display_name=f"Bob {EMOJI}", role=Role.MANAGER, team="west", created_at=NOW)
        )
        acme = store.accounts.insert(
            r.Account(
                name="Acme Foods", industry=Industry.RESTAURANT, size=AccountSize.SMALL, owner_id=alice.id,
                annual_revenue_cents=123_456_789, health_score=80, created_at=NOW, updated_at=NOW,
            )
        )
        bistro = store.accounts.insert(
            r.Account(
                name=f"{TRICKY_NAME} Bistro", industry=Industry.HOTEL, size=AccountSize.LARGE,
                owner_id=bob.id, created_at=NOW, updated_at=NOW,
            )
        )
        common = dict(started_on=date(2026, 1, 5), created_at=NOW, updated_at=NOW)
        store.opportunities.insert(
            r.Opportunity(
                name=QUOTED_NAME, account_id=acme.id, stage="proposal", probability=60,
                value_cents=1_234_567, expected_close_date=date(2026, 4, 30), owner_id=alice.id,
                stage_entered_at=utc(2026, 3, 1, 9, 0), **common,
            )
        )
        store.opportunities.insert(
            r.Opportunity(
                name=TRICKY_NAME, account_id=bistro.id, stage="discovery", probability=20,
                value_cents=100_000, expected_close_date=date(2026, 5, 31), owner_id=bob.id,
                stage_entered_at=utc(2026, 2, 14, 23, 30), last_activity_at=utc(2026, 3, 10, 8, 0), **common,
            )
        )
        store.opportunities.insert(
            r.Opportunity(
                name="Walk-in freezers", account_id=acme.id, stage="closed_won", probability=100,
                value_cents=50_000, expected_close_date=date(2026, 3, 10), actual_close_date=date(2026, 3, 10),
                owner_id=alice.id, stage_entered_at=utc(2026, 3, 10, 15, 0), forecast_category="closed", **common,
            )
        )
    return str(path)


@pytest.fixture
def full_db(db) -> str:
    """`db` plus one contact, product, lead, task and proposal."""
    with Store.open(db) as store:
        alice = store.user_by_login("alice")
        store.contacts.insert(
            r.Contact(first_name="Zoë", last_name=MARKUP, account_id=1, email="zoe@example.com",
                      created_at=NOW, updated_at=NOW)
        )
        store.products.insert(r.Product(sku="OIL-1", name=f"Olive oil {EMOJI}", category="dry goods",
                                        list_price_cents=12_50))
        store.leads.insert(r.Lead(name="Lena Lead", company="Lena's", status=LeadStatus.NEW, owner_id=alice.id,
                                  created_at=NOW))
        store.tasks.insert(r.Task(title="Call back", assignee_id=alice.id, due_on=date(2026, 3, 20),
                                  status=TaskStatus.OPEN, opportunity_id=1, created_at=NOW))
        store.proposals.insert(r.Proposal(number="P-1", opportunity_id=1, title="Spring menu",
                                          amount_cents=9_999_99, created_at=NOW))
    return db


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys, *argv: str):
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    return json.loads(out)


# -- global options, help, version ---------------------------------------------------------


def test_global_options_before_or_after_the_subcommand_give_identical_output(capsys, db):
    tail = ["--format", "json"]
    variants = [
        ["--db", db, "--as", "alice", "--as-of", AS_OF, "list", "opportunities", *tail],
        ["list", "opportunities", *tail, "--db", db, "--as", "alice", "--as-of", AS_OF],
        ["--db", db, "list", "--as-of", AS_OF, "opportunities", "--as", "alice", *tail],
        ["--as-of", "2001-01-01", "list", "opportunities", *tail, "--db", db, "--as", "alice", "--as-of", AS_OF],
    ]
    outputs = []
    for argv in variants:
        code, out, err = run(capsys, *argv)
        assert code == 0, (argv, err)
        outputs.append(out)
    assert len(json.loads(outputs[0])) == 2  # alice is a rep: her own two deals, not bob's
    assert all(out == outputs[0] for out in outputs)


def test_global_options_before_or_after_for_nested_and_other_commands(capsys, db):
    a = run(capsys, "--db", db, "db", "status")
    b = run(capsys, "db", "status", "--db", db)
    c = run(capsys, "db", "--db", db, "status")
    assert a == b == c and a[0] == 0
    assert run(capsys, "--db", db, "stats", "--format", "json") == run(capsys, "stats", "--format", "json", "--db", db)


def _all_command_paths(parser: argparse.ArgumentParser, prefix=()) -> list[tuple[str, ...]]:
    paths = [prefix]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                paths += _all_command_paths(sub, (*prefix, name))
    return paths


COMMAND_PATHS = _all_command_paths(build_parser())


def test_the_registry_has_every_command():
    names = {" ".join(p) for p in COMMAND_PATHS}
    expected = {"", "list", "stats", "db", "db upgrade", "db status", "demo", "tui"}
    expected |= {f"list {e.name}" for e in ENTITIES}
    assert expected <= names
    assert {e.name for e in ENTITIES} == {
        "accounts", "contacts", "leads", "opportunities", "products", "proposals", "tasks", "users",
    }


def test_the_lazy_registry_names_every_command_and_its_module():
    from cli.commands import COMMAND_NAMES, MODULES, load

    registered = {}
    for module in MODULES:
        top = {path[0] for path in _all_command_paths(build_parser((load(module),))) if path}
        registered.update({name: module for name in top})
    assert registered == COMMAND_NAMES


def test_a_command_line_loads_only_the_command_it_names():
    # a fresh interpreter: the TUI path and `pantry stats` import no other command module
    script = (
        "import sys; from cli.main import parser_for; parser_for(sys.argv[1:]).parse_args(sys.argv[1:]); "
        "print(sorted(m for m in sys.modules if m.startswith('cli.commands.')))"
    )
    for argv, expected in ((["--db", "x.db"], ["cli.commands.demo_cmd", "cli.commands.tui_cmd"]),
                           (["stats", "--db", "x.db"], ["cli.commands.demo_cmd", "cli.commands.stats_cmd",
                                                        "cli.commands.tui_cmd"])):
        done = subprocess.run([sys.executable, "-c", script, *argv], capture_output=True, text=True, check=True,
                              cwd=Path(__file__).resolve().parents[1])
        assert done.stdout.strip() == repr(expected)


@pytest.mark.parametrize("path", COMMAND_PATHS, ids=lambda p: " ".join(p) or "pantry")
def test_help_for_every_subcommand_exits_0(capsys, path):
    code, out, err = run(capsys, *path, "--help")
    assert code == 0
    assert out.startswith("usage: pantry")
    assert "--db" in out  # the global options are accepted everywhere
    assert err == ""


def test_version(capsys):
    code, out, _ = run(capsys, "--version")
    assert code == 0
    assert out.startswith("pantry ")


# -- exit codes ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["list", "widgets"], "invalid choice: 'widgets'"),
        (["list"], "required"),
        (["list", "opportunities", "--min-value", "abc"], "--min-value"),
        (["list", "opportunities", "--min-value", "1.234"], "--min-value"),
        (["list", "opportunities", "--min-value", "-5"], "--min-value"),
        (["list", "opportunities", "--min-value", "10", "--max-value", "5"], "--min-value: must not exceed --max-value"),
        (["list", "opportunities", "--close-from", "2026-02-30"], "--close-from"),
        (["list", "opportunities", "--stage", "nope"], "--stage: unknown stage 'nope'"),
        (["list", "opportunities", "--status", "pending"], "--status"),
        (["list", "opportunities", "--sort", "colour"], "--sort: unknown column 'colour'"),
        (["list", "users", "--sort", "colour"], "--sort: unknown column 'colour'"),
        (["list", "accounts", "--min-health", "101"], "--min-health"),
        (["list", "accounts", "--tier", "gold"], "--tier"),
        (["list", "users", "--limit", "-1"], "--limit"),
        (["--as-of", "2026-13-01", "list", "users"], "--as-of"),
        (["list", "users", "--as-of", "yesterday"], "--as-of"),
        (["list", "users", "--db", "mysql://host/crm"], "--db"),
        (["stats", "--format", "csv"], "--format"),
        (["demo", "--opportunities", "0"], "--opportunities"),
        (["frobnicate"], "invalid choice"),
    ],
)
def test_usage_errors_exit_2(capsys, db, argv, fragment):
    if "--db" not in argv:
        argv = [*argv, "--db", db] if argv[0] != "frobnicate" else argv
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert fragment in err
    assert "Traceback" not in err
    assert out == ""


def test_unknown_stage_names_the_choices(capsys, db):
    code, _, err = run(capsys, "list", "opportunities", "--stage", "won", "--db", db)
    assert code == 2
    assert err.startswith("pantry: ")
    for stage in ("discovery", "qualification", "proposal", "negotiation", "closed_won", "closed_lost"):
        assert stage in err


def test_unknown_login_for_as_is_a_refusal(capsys, db):
    code, out, err = run(capsys, "--as", "nobody", "list", "users", "--db", db)
    assert code == 1
    assert out == ""
    assert err.startswith("pantry: ") and "nobody" in err
    assert err.count("\n") == 1


# -- list opportunities --------------------------------------------------------------------


def test_list_opportunities_json_has_the_required_keys_and_values(capsys, db):
    rows = run_json(capsys, "list", "opportunities", "--format", "json", "--as-of", AS_OF, "--db", db)
    assert [row["id"] for row in rows] == [1, 2, 3]
    for row in rows:
        assert list(row) == list(OPPORTUNITY_KEYS)
    big, tricky, won = rows
    assert big == {
        "id": 1,
        "name": QUOTED_NAME,
        "account_id": 1,
        "account": "Acme Foods",
        "stage": "proposal",
        "value": 12345.67,
        "probability": 60,
        "weighted_value": 7407.40,  # 1,234,567 cents x 60% = 740,740.2 -> 740,740 cents
        "owner": "alice",
        "owner_name": "Alice Able",
        "expected_close_date": "2026-04-30",
        "actual_close_date": None,
        "forecast_category": "pipeline",
        "days_in_stage": 15,  # 2026-03-01 -> 2026-03-16
        "days_idle": None,
        "stage_entered_at": "2026-03-01T09:00:00+00:00",
        "last_activity_at": None,
        "version": 1,
    }
    assert isinstance(big["value"], float) and isinstance(tricky["value"], int)
    assert tricky["value"] == 1000 and tricky["weighted_value"] == 200
    assert tricky["days_in_stage"] == 30  # 2026-02-14 -> 2026-03-16 (February 2026 has 28 days)
    assert tricky["days_idle"] == 6
    assert tricky["owner"] == "bob"
    assert won["actual_close_date"] == "2026-03-10"
    assert won["forecast_category"] == "closed"
    assert won["days_in_stage"] == 6
    assert won["value"] == 500


def test_as_of_moves_days_in_stage(capsys, db):
    rows = run_json(capsys, "list", "opportunities", "--format", "json", "--as-of", "2026-03-20", "--db", db)
    assert [row["days_in_stage"] for row in rows] == [19, 34, 10]
    rows = run_json(capsys, "list", "opportunities", "--format", "json", "--as-of", "2020-01-01", "--db", db)
    assert [row["days_in_stage"] for row in rows] == [0, 0, 0]


def test_csv_has_a_header_of_the_json_keys_and_quotes_commas_and_quotes(capsys, db):
    code, out, err = run(capsys, "list", "opportunities", "--format", "csv", "--as-of", AS_OF, "--db", db)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == ",".join(OPPORTUNITY_KEYS)
    assert lines[1].startswith('1,"Big, ""Quoted"" Deal",1,Acme Foods,proposal,12345.67,60,7407.40,alice,')
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [row["name"] for row in rows] == [QUOTED_NAME, TRICKY_NAME, "Walk-in freezers"]
    assert rows[0]["actual_close_date"] == "" and rows[2]["actual_close_date"] == "2026-03-10"
    assert rows[1]["days_in_stage"] == "30"
    assert rows[1]["value"] == "1000.00"


def test_markup_and_emoji_round_trip_unchanged_in_every_format(capsys, db):
    rows = run_json(capsys, "list", "opportunities", "--format", "json", "--db", db)
    assert rows[1]["name"] == TRICKY_NAME
    assert rows[1]["account"] == f"{TRICKY_NAME} Bistro"

    code, out, _ = run(capsys, "list", "opportunities", "--format", "json", "--db", db)
    assert TRICKY_NAME in out  # written as is, not \\u-escaped

    code, out, _ = run(capsys, "list", "opportunities", "--format", "csv", "--db", db)
    assert list(csv.DictReader(io.StringIO(out)))[1]["name"] == TRICKY_NAME

    code, out, _ = run(capsys, "list", "opportunities", "--db", db)
    assert code == 0
    assert TRICKY_NAME in out and f"{TRICKY_NAME} Bistro" in out

    users = run_json(capsys, "list", "users", "--format", "json", "--db", db)
    assert users[1]["display_name"] == f"Bob {EMOJI}"


def test_table_is_plain_aligned_text_with_right_aligned_money(capsys, db):
    code, out, err = run(capsys, "list", "opportunities", "--as-of", AS_OF, "--db", db)
    assert code == 0, err
    assert "\x1b" not in out  # not a terminal: no ANSI
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "Name", "Account", "Stage", "Value", "Prob", "Owner", "Close", "Days"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    assert len(lines) == 5
    assert "$12,345.67" in lines[2] and "$1,000.00" in lines[3] and "$500.00" in lines[4]
    # right-aligned: the money column's values end at the same position as its header
    value_end = lines[0].index("Value") + len("Value")
    assert lines[2][:value_end].endswith("$12,345.67")
    assert lines[4][:value_end].endswith("$500.00")
    assert err == ""  # every row shown: no footer


def test_table_escapes_control_characters_so_rows_stay_on_one_line(capsys, db):
    with Store.open(db) as store:
        opp = store.opportunities.require(3)
        store.opportunities.update(opp.model_copy(update={"name": "two\nlines\x1b[2J"}))
    code, out, _ = run(capsys, "list", "opportunities", "--db", db)
    assert code == 0
    assert len(out.splitlines()) == 5
    assert "two\\nlines\\x1b[2J" in out
    rows = run_json(capsys, "list", "opportunities", "--format", "json", "--db", db)
    assert rows[2]["name"] == "two\nlines\x1b[2J"


@pytest.mark.parametrize(
    "filters, ids",
    [
        ([], [1, 2, 3]),
        (["--owner", "alice"], [1, 3]),
        (["--owner", "alice", "--owner", "bob"], [1, 2, 3]),
        (["--team", "west"], [2]),
        (["--stage", "proposal", "--stage", "discovery"], [1, 2]),
        (["--status", "open"], [1, 2]),
        (["--status", "won"], [3]),
        (["--status", "lost"], []),
        (["--min-value", "1,000"], [1, 2]),
        (["--min-value", "$1000.01"], [1]),
        (["--max-value", "1000"], [2, 3]),
        (["--close-from", "2026-04-01", "--close-to", "2026-04-30"], [1]),
        (["--search", "bistro"], [2]),
        (["--search", "quoted"], [1]),
        (["--account-id", "1"], [1, 3]),
        (["--sort", "value", "--desc"], [1, 2, 3]),
        (["--sort", "value"], [3, 2, 1]),
        (["--sort", "days_in_stage", "--desc"], [2, 1, 3]),
        (["--limit", "2"], [1, 2]),
        (["--offset", "1"], [2, 3]),
        (["--offset", "1", "--limit", "1"], [2]),
    ],
)
def test_opportunity_filters(capsys, db, filters, ids):
    rows = run_json(capsys, "list", "opportunities", "--format", "json", *filters, "--as-of", AS_OF, "--db", db)
    assert [row["id"] for row in rows] == ids


def test_list_options_may_precede_the_entity(capsys, db):
    a = run(capsys, "list", "--format", "csv", "--sort", "name", "opportunities", "--db", db)
    b = run(capsys, "list", "opportunities", "--format", "csv", "--sort", "name", "--db", db)
    assert a == b and a[0] == 0


def test_csv_and_json_page_through_every_row_in_batches(capsys, db, monkeypatch):
    calls = []
    real = list_cmd.iter_pages

    def spy(fetch, offset, limit, batch=list_cmd.BATCH):
        def counted(o, n):
            calls.append((o, n))
            return fetch(o, n)
        return real(counted, offset, limit, batch=1)

    monkeypatch.setattr(list_cmd, "iter_pages", spy)
    rows = run_json(capsys, "list", "opportunities", "--format", "json", "--db", db)
    assert [row["id"] for row in rows] == [1, 2, 3]
    assert calls == [(0, 1), (1, 1), (2, 1)]
    code, out, _ = run(capsys, "list", "opportunities", "--format", "csv", "--offset", "1", "--db", db)
    assert len(out.splitlines()) == 3


def test_table_default_limit_and_footer(capsys, db, monkeypatch):
    monkeypatch.setattr(list_cmd, "TABLE_LIMIT", 2)
    code, out, err = run(capsys, "list", "opportunities", "--db", db)
    assert code == 0
    assert len(out.splitlines()) == 4  # header, rule, 2 rows
    assert "1-2 of 3" in err
    code, out, err = run(capsys, "list", "opportunities", "--limit", "0", "--db", db)
    assert len(out.splitlines()) == 5 and err == ""
    code, out, err = run(capsys, "list", "opportunities", "--status", "lost", "--db", db)
    assert code == 0 and len(out.splitlines()) == 2 and "no opportunities" in err


# -- other entities ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["table", "csv", "json"])
@pytest.mark.parametrize("entity", [e.name for e in ENTITIES])
def test_every_entity_lists_in_every_format(capsys, full_db, entity, fmt):
    code, out, err = run(capsys, "list", entity, "--format", fmt, "--db", full_db)
    assert code == 0, err
    assert "Traceback" not in err
    if fmt == "json":
        rows = json.loads(out)
        assert rows and all(isinstance(row, dict) for row in rows)
        assert not any(key.endswith("_cents") for key in rows[0])
    elif fmt == "csv":
        header = out.splitlines()[0].split(",")
        assert header == list(next(e for e in ENTITIES if e.name == entity).keys)


def test_other_entities_rename_money_to_dollars_and_dates_to_iso(capsys, full_db):
    accounts = run_json(capsys, "list", "accounts", "--format", "json", "--db", full_db)
    acme = accounts[0]
    assert acme["name"] == "Acme Foods"
    assert acme["annual_revenue"] == 1234567.89
    assert acme["open_value"] == 12345.67  # the open deal only; the won one is not open
    assert acme["owner_login"] == "alice"
    assert accounts[1]["annual_revenue"] is None

    products = run_json(capsys, "list", "products", "--format", "json", "--db", full_db)
    assert products == [{"id": 1, "sku": "OIL-1", "name": f"Olive oil {EMOJI}", "category": "dry goods",
                         "unit": "each", "list_price": 12.5, "active": True}]

    proposals = run_json(capsys, "list", "proposals", "--format", "json", "--db", full_db)
    assert proposals[0]["amount"] == 9999.99 and proposals[0]["opportunity"] == QUOTED_NAME

    tasks = run_json(capsys, "list", "tasks", "--format", "json", "--db", full_db)
    assert tasks[0]["due_on"] == "2026-03-20" and tasks[0]["assignee_login"] == "alice"

    leads = run_json(capsys, "list", "leads", "--format", "json", "--db", full_db)
    assert leads[0]["created_at"] == "2026-03-16T12:00:00+00:00" and leads[0]["flagged"] is False

    contacts = run_json(capsys, "list", "contacts", "--format", "json", "--db", full_db)
    assert contacts[0]["name"] == f"Zoë {MARKUP}"


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["users", "--role", "manager"], ["bob"]),
        (["users", "--role", "rep"], ["alice"]),
        (["accounts", "--tier", "standard", "--owner", "bob"], [f"{TRICKY_NAME} Bistro"]),
        (["accounts", "--industry", "restaurant"], ["Acme Foods"]),
        (["accounts", "--min-health", "50"], ["Acme Foods"]),
        (["accounts", "--search", "bistro"], [f"{TRICKY_NAME} Bistro"]),
        (["contacts", "--account-id", "2"], []),
        (["contacts", "--search", "zo"], [f"Zoë {MARKUP}"]),
        (["products", "--category", "dry goods"], [f"Olive oil {EMOJI}"]),
        (["products", "--category", "frozen"], []),
        (["tasks", "--assignee", "bob"], []),
        (["tasks", "--status", "open"], ["Call back"]),
        (["leads", "--status", "new", "--owner", "alice"], ["Lena Lead"]),
        (["leads", "--unassigned"], []),
        (["leads", "--no-flagged"], ["Lena Lead"]),
        (["proposals", "--status", "draft"], ["Spring menu"]),
    ],
)
def test_entity_filters(capsys, full_db, argv, expected):
    rows = run_json(capsys, "list", *argv, "--format", "json", "--db", full_db)
    label = {"users": "login", "tasks": "title", "proposals": "title"}.get(argv[0], "name")
    assert [row[label] for row in rows] == expected


# -- stats ---------------------------------------------------------------------------------


def test_stats_json(capsys, db):
    doc = run_json(capsys, "stats", "--format", "json", "--db", db)
    assert doc["open_count"] == 2
    assert doc["open_value"] == 13345.67
    assert doc["weighted_value"] == 7607.40  # (1,234,567 x 60 + 100,000 x 20) / 100, rounded once
    assert (doc["won_count"], doc["won_value"], doc["lost_count"], doc["lost_value"]) == (1, 500, 0, 0)
    assert doc["win_rate"] == 1.0
    stages = {s["id"]: s for s in doc["stages"]}
    assert list(stages) == ["discovery", "qualification", "proposal", "negotiation", "closed_won", "closed_lost"]
    assert stages["proposal"] == {
        "id": "proposal", "name": "Proposal", "kind": "open", "probability": 60, "count": 1,
        "value": 12345.67, "weighted_value": 7407.4, "share_of_open_value": 0.9251,
    }
    assert stages["qualification"]["count"] == 0 and stages["qualification"]["value"] == 0
    for stage in doc["stages"]:
        share = stage["share_of_open_value"]
        assert share is None or 0 <= share <= 1


def test_stats_table_and_owner_filter(capsys, db):
    code, out, err = run(capsys, "stats", "--db", db)
    assert code == 0, err
    assert "Proposal" in out and "$12,345.67" in out and "$7,607.40" in out and "Win rate: 100.0%" in out
    doc = run_json(capsys, "stats", "--format", "json", "--owner", "bob", "--db", db)
    assert (doc["open_count"], doc["won_count"], doc["win_rate"]) == (1, 0, None)


# -- db status / upgrade -------------------------------------------------------------------


def test_db_status_and_upgrade_on_a_fresh_file(capsys, tmp_path):
    path = tmp_path / "fresh.db"
    code, out, err = run(capsys, "db", "status", "--db", str(path))
    assert code == 0, err
    assert "does not exist" in out
    assert not path.exists()  # status creates nothing

    code, out, err = run(capsys, "db", "upgrade", "--db", str(path))
    assert code == 0, err
    assert "applied 0001_initial" in out
    assert path.exists()

    code, out, _ = run(capsys, "db", "upgrade", "--db", str(path))
    assert code == 0 and "schema is up to date" in out

    code, out, _ = run(capsys, "db", "status", "--db", str(path))
    assert code == 0
    assert "applied:  0001_initial" in out and "pending:  (none)" in out and "schema is up to date" in out

    code, out, err = run(capsys, "list", "users", "--format", "json", "--db", str(path))
    assert code == 0 and json.loads(out) == []


def test_db_status_finds_a_relative_sqlite_url(capsys, tmp_path, monkeypatch):
    """sqlite:///x.db is x.db in the working directory, as the store opens it (it was once read as /x.db)."""
    monkeypatch.chdir(tmp_path)
    assert run(capsys, "db", "upgrade", "--db", "sqlite:///rel.db")[0] == 0
    assert (tmp_path / "rel.db").exists()
    code, out, err = run(capsys, "db", "status", "--db", "sqlite:///rel.db")
    assert code == 0, err
    assert "does not exist" not in out and "applied:  0001_initial" in out and "schema is up to date" in out


@pytest.mark.parametrize(("url", "path"), [
    ("sqlite:///rel.db", Path("rel.db")),
    ("sqlite:///sub/rel.db", Path("sub/rel.db")),
    ("sqlite:////abs/x.db", Path("/abs/x.db")),
    ("sqlite://", None),
    ("sqlite:///:memory:", None),
    ("postgresql://u@h/db", None),
])
def test_sqlite_path_is_the_file_the_store_opens(url, path):
    from store.database import sqlite_path

    assert sqlite_path(url) == path


@pytest.mark.parametrize("argv", [
    ("list", "users"), ("db", "status"), ("db", "upgrade"), ("stats",), ("tui",), ("pipeline", "show"),
])
def test_a_postgresql_url_without_the_driver_names_the_install_line(capsys, monkeypatch, argv):
    from cli.commands import tui_cmd

    monkeypatch.setitem(sys.modules, "psycopg2", None)  # as if psycopg2-binary were not installed
    monkeypatch.setattr(tui_cmd, "has_terminal", lambda: True)  # `tui` gets as far as opening the database
    code, out, err = run(capsys, *argv, "--db", "postgresql://pantry@127.0.0.1:1/pantry")
    assert code == 1 and out == ""
    assert err == ("pantry: PostgreSQL needs the psycopg2 driver, which is not installed: "
                   "pip install 'pantry-crm[postgres]'\n")


def test_db_upgrade_on_an_empty_sqlite_file(capsys, tmp_path):
    path = tmp_path / "empty.db"
    sqlite3.connect(path).close()
    code, out, err = run(capsys, "db", "status", "--db", str(path))
    assert code == 0 and "pending:  0001_initial" in out and "no schema yet" in out
    code, out, err = run(capsys, "db", "upgrade", "--db", str(path))
    assert code == 0 and "applied 0001_initial" in out


def _snapshot(path: Path) -> tuple[bytes, list, list]:
    con = sqlite3.connect(path)
    try:
        history = con.execute("SELECT name FROM schema_migration ORDER BY name").fetchall()
        tables = con.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()
    finally:
        con.close()
    return path.read_bytes(), history, tables


def test_a_newer_schema_is_refused_and_left_unchanged(capsys, db):
    path = Path(db)
    con = sqlite3.connect(path)
    with con:
        con.execute("INSERT INTO schema_migration (name, applied) VALUES ('9999_future', '2030-01-01 00:00:00')")
    con.close()
    before = _snapshot(path)

    for argv in (
        ["db", "upgrade"],
        ["list", "users"],
        ["list", "opportunities", "--format", "json"],
        ["stats"],
        ["demo"],
    ):
        code, out, err = run(capsys, *argv, "--db", db)
        assert code == 1, argv
        assert err.startswith("pantry: ") and "9999_future" in err and "newer Pantry" in err
        assert err.count("\n") == 1 and "Traceback" not in err
        assert out in ("", f"database: SQLite {path}\n") or out.startswith("database: ")

    code, out, _ = run(capsys, "db", "status", "--db", db)
    assert code == 0
    assert "unknown:  9999_future" in out and "newer Pantry" in out

    assert _snapshot(path) == before
    assert not Path(f"{db}-wal").exists() or Path(f"{db}-wal").stat().st_size == 0


def test_a_file_that_is_not_a_database_is_a_refusal(capsys, tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("this is not a database, just some text that is long enough " * 20)
    code, out, err = run(capsys, "list", "users", "--db", str(path))
    assert code == 1
    assert err.startswith("pantry: ") and "Traceback" not in err


# -- demo and the TUI (with stand-ins for the generator and the app) -------------------------


class FakeDemo:
    """Stands in for `store.demo`: records its calls and writes a tiny dataset."""

    class DemoError(RuntimeError):
        pass

    def __init__(self, fail: str | None = None) -> None:
        self.calls: list[dict] = []
        self.fail = fail

    def generate_demo(self, db, *, seed=7, opportunities=2000, today, progress=None):
        self.calls.append({"seed": seed, "opportunities": opportunities, "today": today})
        if self.fail:
            raise self.DemoError(self.fail)
        store = Store(db)
        user = store.users.insert(r.User(login="demo.manager", display_name="Demo Manager", role=Role.MANAGER,
                                         created_at=NOW))
        if progress:
            progress("users", 1, 1)
        for i in range(opportunities):
            store.opportunities.insert(
                r.Opportunity(name=f"Demo deal {i}", stage="discovery", probability=20, value_cents=100_00,
                              started_on=today, expected_close_date=today, owner_id=user.id,
                              stage_entered_at=NOW, created_at=NOW, updated_at=NOW)
            )
            if progress:
                progress("opportunities", i + 1, opportunities)
        return None

    def module(self) -> types.ModuleType:
        module = types.ModuleType("store.demo")
        module.generate_demo = self.generate_demo
        module.DemoError = self.DemoError
        return module


@pytest.fixture
def fake_demo(monkeypatch) -> FakeDemo:
    fake = FakeDemo()
    monkeypatch.setitem(sys.modules, "store.demo", fake.module())
    return fake


def test_demo_writes_reports_and_refuses_to_write_twice(capsys, tmp_path, fake_demo):
    path = tmp_path / "demo-here.db"
    code, out, err = run(capsys, "demo", "--db", str(path), "--opportunities", "3", "--seed", "11", "--as-of", AS_OF)
    assert code == 0, err
    assert fake_demo.calls == [{"seed": 11, "opportunities": 3, "today": date(2026, 3, 16)}]
    assert "generated users: 1/1" in err and "generated opportunities: 3/3" in err  # a line per table
    assert "\r" not in err  # not a terminal
    assert "demo data written to" in out and "opportunities" in out
    assert any(line.split() == ["opportunities", "3"] for line in out.splitlines())

    code, out, err = run(capsys, "demo", "--db", str(path), "--opportunities", "3")
    assert code == 1
    assert err.startswith("pantry: ") and "already has data" in err and "--force" in err
    assert len(fake_demo.calls) == 1

    Path(f"{path}-shm").write_bytes(b"stale")
    code, out, err = run(capsys, "demo", "--db", str(path), "--opportunities", "2", "--force")
    assert code == 0, err
    assert any(line.split() == ["opportunities", "2"] for line in out.splitlines())  # replaced, not added
    rows = run_json(capsys, "list", "opportunities", "--format", "json", "--db", str(path))
    assert len(rows) == 2


def test_demo_defaults_to_the_demo_database_in_the_data_dir(capsys, data_dir, fake_demo):
    code, out, err = run(capsys, "demo", "--opportunities", "2")
    assert code == 0, err
    assert (data_dir / "demo.db").exists()
    assert fake_demo.calls[0]["seed"] == 7


def test_demo_force_is_refused_on_postgres(capsys, fake_demo):
    code, out, err = run(capsys, "demo", "--db", "postgresql://nobody@127.0.0.1:1/none", "--force")
    assert code == 1
    assert "PostgreSQL" in err and "--force" in err
    assert fake_demo.calls == []


def test_demo_generator_failure_is_a_refusal(capsys, tmp_path, monkeypatch):
    fake = FakeDemo(fail="not enough names")
    monkeypatch.setitem(sys.modules, "store.demo", fake.module())
    code, out, err = run(capsys, "demo", "--db", str(tmp_path / "d.db"))
    assert code == 1
    assert err.strip().endswith("not enough names") and "Traceback" not in err


def test_the_real_demo_generator_when_available(capsys, tmp_path):
    demo = pytest.importorskip("store.demo")
    if not hasattr(demo, "generate_demo"):
        pytest.skip("store.demo does not provide generate_demo yet")
    path = tmp_path / "real-demo.db"
    code, out, err = run(capsys, "demo", "--db", str(path), "--opportunities", "40", "--as-of", AS_OF)
    assert code == 0, err
    rows = run_json(capsys, "list", "opportunities", "--format", "json", "--db", str(path))
    assert len(rows) == 40
    code, _, _ = run(capsys, "stats", "--db", str(path))
    assert code == 0


class FakeApp:
    def __init__(self) -> None:
        self.calls: list[tuple] = []

    def run_app(self, session, *, demo=False):
        users = session.users(UserFilter())
        self.calls.append((session.store.description, demo, session.actor_login, users.total))
        return 0

    def module(self) -> types.ModuleType:
        module = types.ModuleType("tui.app")
        module.run_app = self.run_app
        return module


@pytest.fixture
def fake_app(monkeypatch) -> FakeApp:
    from cli.commands import tui_cmd

    fake = FakeApp()
    monkeypatch.setitem(sys.modules, "tui.app", fake.module())
    monkeypatch.setattr(tui_cmd, "has_terminal", lambda: True)  # capsys is no terminal
    return fake


def test_without_a_terminal_the_tui_is_refused_in_one_line(capsys, db, monkeypatch):
    monkeypatch.setitem(sys.modules, "tui.app", FakeApp().module())
    code, out, err = run(capsys, "--db", db, "--as", "alice")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "the terminal UI needs a terminal" in err and "ssh -t" in err


def test_no_subcommand_opens_the_tui_on_the_given_database(capsys, db, fake_app):
    assert main(["--db", db, "--as", "alice"]) == 0
    assert main(["tui", "--db", db]) == 0
    assert [c[1:] for c in fake_app.calls] == [(False, "alice", 2), (False, "anonymous", 2)]
    assert db in fake_app.calls[0][0]


def test_demo_flag_creates_the_demo_database_first_then_reuses_it(capsys, data_dir, fake_app, fake_demo):
    assert main(["--demo", "--as-of", AS_OF]) == 0
    _, err = capsys.readouterr()
    assert "creating the demo database" in err
    assert (data_dir / "demo.db").exists()
    assert fake_demo.calls == [{"seed": 7, "opportunities": 2000, "today": date(2026, 3, 16)}]
    description, demo, actor, _ = fake_app.calls[0]
    assert demo is True and "demo.db" in description
    assert actor == "demo.manager"  # an unknown OS login acts as the demo's first manager

    assert main(["--demo"]) == 0  # already there: not generated again
    assert len(fake_demo.calls) == 1 and len(fake_app.calls) == 2


def test_demo_flag_rebuilds_a_demo_database_without_opportunities(capsys, data_dir, fake_app, fake_demo):
    data_dir.mkdir(parents=True)
    with Store.open(str(data_dir / "demo.db")) as store:  # say, an interrupted generation
        store.users.insert(r.User(login="demo.manager", display_name="Half", created_at=NOW))
    assert main(["--demo"]) == 0
    assert len(fake_demo.calls) == 1


# -- output helpers ------------------------------------------------------------------------


class TtyStream(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_one_updating_line_on_a_terminal():
    from cli.commands.demo_cmd import Progress

    stream = TtyStream()
    progress = Progress(stream)
    for table, total in (("users", 2), ("accounts", 3)):
        for done in range(1, total + 1):
            progress(table, done, total)
    progress.close()
    text = stream.getvalue()
    assert "\n" not in text and text.count("\r") >= 2
    assert "generating accounts: 3/3" in text


def test_progress_is_a_line_per_table_otherwise():
    from cli.commands.demo_cmd import Progress

    stream = io.StringIO()
    progress = Progress(stream)
    progress("users", 1, 2)
    progress("users", 2, 2)
    progress("accounts", 5, 10)  # the generator moved on before reporting the total
    progress("contacts", 1, 1)
    progress.close()
    assert stream.getvalue().splitlines() == [
        "generated users: 2/2", "generated accounts: 5/10", "generated contacts: 1/1",
    ]


def test_tables_align_wide_characters_and_use_ansi_only_on_a_terminal(monkeypatch):
    from cli.output import col, display_width, write_table

    rows = [{"name": EMOJI, "n": 5}, {"name": "ab", "n": 12345}]
    columns = (col("Name", "name"), col("N", "n", numeric=True))
    plain = io.StringIO()
    write_table(rows, columns, plain)
    lines = plain.getvalue().splitlines()
    assert len({display_width(line) for line in lines}) == 1  # every line ends at the same cell
    assert "\x1b" not in plain.getvalue()

    tty = TtyStream()
    write_table(rows, columns, tty)
    assert tty.getvalue().startswith("\x1b[1m")
    monkeypatch.setenv("NO_COLOR", "1")
    tty = TtyStream()
    write_table(rows, columns, tty)
    assert "\x1b" not in tty.getvalue()


def test_demo_data_is_generated_for_a_day_whose_noon_has_passed():
    # the demo's history ends at noon UTC of its day: before noon, yesterday's, so nothing is later than now
    from cli.context import demo_day
    from domain.clock import FixedClock

    assert demo_day(FixedClock(datetime(2026, 11, 21, 6, 7, tzinfo=timezone.utc))) == date(2026, 11, 20)
    assert demo_day(FixedClock(datetime(2026, 11, 21, 12, 0, tzinfo=timezone.utc))) == date(2026, 11, 21)
    assert demo_day(FixedClock(datetime(2026, 11, 21, 23, 59, tzinfo=timezone.utc))) == date(2026, 11, 21)
