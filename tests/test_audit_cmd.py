"""`pantry audit`: the audit log, newest first, filtered by record, table and user."""

from __future__ import annotations

import argparse
import json
from datetime import timedelta

import pytest

from cli.commands import audit_cmd
from cli.options import add_global_options, global_options
from domain.enums import AuditAction
from domain.records import AuditEntry


def run(capsys, *argv: str) -> tuple[int, str]:
    parser = argparse.ArgumentParser(prog="pantry")
    add_global_options(parser, top=True)
    audit_cmd.register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(list(argv))
    code = args.handler(args, global_options(args))
    return code, capsys.readouterr().out


@pytest.fixture
def log(store, clock):
    t = clock.now()

    def entry(minutes, actor, table, record, field, old, new, action=AuditAction.UPDATE):
        return store.audit.insert(AuditEntry(at=t + timedelta(minutes=minutes), actor=actor, action=action,
                                             table_name=table, record_id=record, field=field,
                                             old_value=old, new_value=new))

    entry(0, "ray", "opportunity", 1, "", None, None, action=AuditAction.CREATE)
    entry(5, "ray", "opportunity", 1, "stage", "discovery", "qualification")
    entry(5, "ray", "opportunity", 1, "probability", "20", "40")
    entry(10, "mia", "opportunity", 2, "value_cents", "100", "200")
    entry(20, "mia", "account", 1, "name", "Old", "New")
    entry(-60, "sue", "opportunity", 1, "next_step", "", "Call")
    return store


def run_json(capsys, database_url, *extra):
    code, out = run(capsys, "audit", "--format", "json", "--db", database_url, *extra)
    assert code == 0
    return json.loads(out)


def test_json_is_newest_first_with_every_key(capsys, log, database_url):
    rows = run_json(capsys, database_url)
    assert [(r["actor"], r["table_name"], r["record_id"], r["field"]) for r in rows] == [
        ("mia", "account", 1, "name"),
        ("mia", "opportunity", 2, "value_cents"),
        ("ray", "opportunity", 1, "probability"),  # same instant: the last written first
        ("ray", "opportunity", 1, "stage"),
        ("ray", "opportunity", 1, ""),
        ("sue", "opportunity", 1, "next_step"),
    ]
    assert rows[0] == {
        "at": "2026-03-16T12:20:00Z", "actor": "mia", "action": "update", "table_name": "account",
        "record_id": 1, "field": "name", "old_value": "Old", "new_value": "New",
    }
    assert rows[4]["action"] == "create" and rows[4]["old_value"] is None


def test_filters(capsys, log, database_url):
    assert len(run_json(capsys, database_url, "--record", "1")) == 5
    assert len(run_json(capsys, database_url, "--record", "1", "--table", "opportunity")) == 4
    assert {r["table_name"] for r in run_json(capsys, database_url, "--table", "account")} == {"account"}
    assert [r["field"] for r in run_json(capsys, database_url, "--user", "mia")] == ["name", "value_cents"]
    assert run_json(capsys, database_url, "--user", "nobody") == []


def test_limit_keeps_the_newest_even_through_one_instant(capsys, log, database_url):
    rows = run_json(capsys, database_url, "--limit", "3")
    assert [r["field"] for r in rows] == ["name", "value_cents", "probability"]
    rows = run_json(capsys, database_url, "--limit", "1", "--user", "ray")
    assert [r["field"] for r in rows] == ["probability"]


def test_table(capsys, log, database_url):
    code, out = run(capsys, "audit", "--db", database_url, "--limit", "2")
    assert code == 0
    lines = out.splitlines()
    assert "At" in lines[0] and "Actor" in lines[0] and "Old" in lines[0] and "New" in lines[0]
    assert "2026-03-16 12:20 UTC" in out and "account" in out
    assert out.endswith("\n2 entries\n")


def test_bad_limit_is_a_usage_error(capsys, database_url):
    with pytest.raises(SystemExit) as exit_:
        run(capsys, "audit", "--limit", "0", "--db", database_url)
    assert exit_.value.code == 2
