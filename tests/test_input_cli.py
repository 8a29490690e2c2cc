"""Hostile input at the command line: every refusal names the option as typed, exits 1 or 2, writes nothing.

Run on SQLite, and on PostgreSQL when PANTRY_TEST_DATABASE_URL is set (the `database_url` fixture).
"""

from __future__ import annotations

import contextlib
import io

import pytest
from pydantic import ValidationError

from cli.main import main
from domain.enums import AccountSize, Industry, Role
from domain.records import Account, Opportunity, Product, User
from domain.services.stage_moves import MoveRefused, StageMover
from store.store import Store
from tests.conftest import NOW
from tests.db_digest import digest

HUGE_ID = "999999999999999999999999999999"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def crm(database_url) -> str:
    return make_crm(database_url)


def make_crm(database_url: str) -> str:
    """An admin, a manager with two reps, an account, a product and three deals (ids 1-3, ray's)."""
    with Store.open(database_url) as store:
        ada = store.users.insert(User(login="ada", display_name="Ada", role=Role.ADMIN, created_at=NOW))
        mia = store.users.insert(User(login="mia", display_name="Mia", role=Role.MANAGER, created_at=NOW,
                                      manager_id=ada.id))
        ray = store.users.insert(User(login="ray", display_name="Ray", role=Role.REP, created_at=NOW,
                                      manager_id=mia.id))
        store.users.insert(User(login="sue", display_name="Sue", role=Role.REP, created_at=NOW, manager_id=mia.id))
        acct = store.accounts.insert(Account(name="Harbor", industry=Industry.RESTAURANT, size=AccountSize.SMALL,
                                              created_at=NOW, updated_at=NOW, owner_id=ray.id))
        store.products.insert(Product(sku="MILK", name="Milk", category="dairy", list_price_cents=100))
        for n in range(3):
            store.opportunities.insert(Opportunity(
                name=f"Deal {n}", stage="discovery", probability=20, value_cents=1_000_00, owner_id=ray.id,
                account_id=acct.id, started_on=NOW.date(), expected_close_date=NOW.date(), stage_entered_at=NOW,
                created_at=NOW, updated_at=NOW))
    with contextlib.redirect_stdout(io.StringIO()):
        main(["--db", database_url, "--as", "ada", "pipeline", "show"])  # the pipeline's first version, stored
    return database_url


def refused(capsys, url: str, *argv, option: str, code: int = 2) -> str:
    before = digest(url)
    got, _, err = run(capsys, "--db", url, "--as-of", "2026-03-16", *argv)
    assert got == code, err
    assert option in err, err
    assert "Traceback" not in err and "_cents" not in err
    assert digest(url) == before
    return err


# -- money -----------------------------------------------------------------------------------


@pytest.mark.parametrize("amount", ["1e30", "1e308", "-100", "1000000000000.01"])  # the rest: test_input_properties
@pytest.mark.parametrize(("argv", "option"), [
    (("--as", "ada", "edit", "1", "--value"), "--value"),
    (("--as", "ada", "edit", "1", "--budget"), "--budget"),
    (("--as", "ada", "list", "opportunities", "--min-value"), "--min-value"),
    (("--as", "ada", "list", "opportunities", "--max-value"), "--max-value"),
    (("--as", "ada", "quota", "set", "ray", "--start", "2026-03"), "DOLLARS"),
])
def test_an_amount_out_of_range_or_in_exponent_form_is_refused_naming_the_option(capsys, crm, argv, option, amount):
    refused(capsys, crm, *argv, amount, option=option)


def test_the_largest_amount_is_accepted(capsys, crm):
    code, out, err = run(capsys, "--db", crm, "--as", "ada", "edit", "1", "--value", "1,000,000,000,000.00")
    assert code == 0, err
    assert "$1,000,000,000,000.00" in out
    assert run(capsys, "--db", crm, "--as", "ada", "export", "opportunities")[0] == 0


# -- ids -------------------------------------------------------------------------------------


@pytest.mark.parametrize(("argv", "option"), [
    (("edit", HUGE_ID, "--value", "5"), "OPPORTUNITY_ID"),
    (("log", HUGE_ID, "--kind", "call", "--subject", "hi"), "OPPORTUNITY_ID"),
    (("move", HUGE_ID, "proposal"), "OPPORTUNITY_ID"),
    (("assign", "opportunity", HUGE_ID, "--to", "ray"), "ID"),
    (("assign", "lead", HUGE_ID, "--to", "ray"), "ID"),
    (("list", "opportunities", "--account-id", HUGE_ID), "--account-id"),
    (("list", "contacts", "--account-id", HUGE_ID), "--account-id"),
    (("audit", "--record", HUGE_ID), "--record"),
    (("edit", "1", "--value", "5", "--expect-version", HUGE_ID), "--expect-version"),
    (("edit", "0", "--value", "5"), "OPPORTUNITY_ID"),
    (("edit", "-1", "--value", "5"), "OPPORTUNITY_ID"),
    (("edit", "1", "--probability", "101"), "--probability"),
])
def test_an_id_out_of_range_is_refused_naming_the_option(capsys, crm, argv, option):
    refused(capsys, crm, "--as", "ada", *argv, option=option)


# -- dates and text --------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["2026-02-30", "2026-13-01", "20260316", "2026-W12-1", "tomorrow"])
def test_a_day_that_does_not_exist_is_refused(capsys, crm, day):
    refused(capsys, crm, "--as", "ada", "edit", "1", "--expected-close", day, option="--expected-close")


@pytest.mark.parametrize(("argv", "option"), [
    (("move", "1", "closed_lost", "--lost-reason", "x" * 201), "--lost-reason"),
    (("edit", "1", "--next-step", "x" * 201), "--next-step"),
    (("edit", "1", "--source", "x" * 201), "--source"),
    (("edit", "1", "--name", "x" * 201), "--name"),
    (("edit", "1", "--name", "\x1b]0;owned\x07\x1b[2J"), "--name"),
    (("log", "1", "--kind", "call", "--subject", "x" * 201), "--subject"),
    (("log", "1", "--kind", "call", "--subject", "ok", "--next-steps", "x" * 201), "--next-steps"),
    (("log", "1", "--kind", "call", "--subject", "bell\x07"), "--subject"),
    (("user", "add", "newbie", "--name", "x" * 201), "--name"),
    (("user", "add", "newbie", "--name", "N", "--team", "x" * 201), "--team"),
    (("user", "set", "ray", "--name", "a\x1bb"), "--name"),
    (("user", "set", "ray", "--region", "\u202eevil"), "--region"),
])
def test_text_too_long_or_with_control_characters_is_refused_on_the_way_in(capsys, crm, argv, option):
    err = refused(capsys, crm, "--as", "ada", *argv, option=option)
    assert "\x1b" not in err and "\x07" not in err


def test_a_201_character_lost_reason_is_refused_by_the_move_itself(crm, clock):
    from domain.pipeline import DEFAULT_PIPELINE
    from domain.session import Session

    before = digest(crm)
    with Store.open(crm) as store:
        session = Session(store=store, clock=clock, pipeline=DEFAULT_PIPELINE, actor=store.user_by_login("ada"))
        with pytest.raises(MoveRefused) as refusal:
            StageMover(session).move(1, "closed_lost", lost_reason="x" * 201)
        assert any(reason.startswith("lost reason: at most 200 characters") for reason in refusal.value.reasons)
    assert digest(crm) == before
    with Store.open(crm) as store:
        session = Session(store=store, clock=clock, pipeline=DEFAULT_PIPELINE, actor=store.user_by_login("ada"))
        assert StageMover(session).move(1, "closed_lost", lost_reason="x" * 200).opportunity.lost_reason == "x" * 200


def test_a_record_the_database_could_not_give_back_is_never_written(crm):
    """A record built with model_copy skips pydantic's checks: the store checks it again before writing."""
    with Store.open(crm) as store:
        deal = store.opportunities.require(1)
        with pytest.raises(ValidationError, match="lost_reason"):
            store.opportunities.update(deal.model_copy(update={"lost_reason": "x" * 201}))
        with pytest.raises(ValidationError, match="value_cents"):
            store.opportunities.insert(deal.model_copy(update={"id": None, "value_cents": -1}))
        assert store.opportunities.require(1).lost_reason == ""


# -- all or nothing --------------------------------------------------------------------------


def test_assigning_several_deals_is_all_or_nothing(capsys, crm):
    err = refused(capsys, crm, "--as", "mia", "assign", "opportunity", "1", "2", "99999999", "--to", "sue",
                  option="99999999", code=1)
    assert "opportunity 99999999 not found" in err
    code, out, err = run(capsys, "--db", crm, "--as", "mia", "assign", "opportunity", "1", "2", "--to", "sue")
    assert code == 0, err
    assert out.count("owner sue") == 2


# -- bytes that are not UTF-8, and the last resort -------------------------------------------


@pytest.mark.parametrize(("argv", "option"), [
    (("edit", "1", "--next-step", "ab\udcffc"), "--next-step"),
    (("list", "opportunities", "--team=ab\udcffc"), "--team"),
    (("list", "opportunities", "--search", "\udcc3"), "--search"),
    (("user", "add", "x\udcff", "--name", "N"), "argument"),
])
def test_a_byte_that_is_not_utf8_is_refused_naming_the_option(capsys, crm, argv, option):
    err = refused(capsys, crm, "--as", "ada", *argv, option=option)
    assert "not valid UTF-8" in err and "PYTHONIOENCODING" not in err


def test_a_real_non_utf8_argument_from_the_shell_is_refused_in_one_line(crm):
    import os
    import subprocess
    import sys

    env = {**os.environ, "LC_ALL": "C.UTF-8", "PYTHONIOENCODING": ""}
    result = subprocess.run([sys.executable, "-m", "cli", "--db", crm, "--as", "ada", "edit", "1", "--next-step",
                             os.fsdecode(b"caf\xe9")], capture_output=True, env=env, timeout=60)
    assert result.returncode == 2, result
    assert result.stderr.decode().splitlines() == [
        "pantry: --next-step: not valid UTF-8 (byte 0xe9); use UTF-8 text (check the terminal's or locale's encoding)"]


def test_an_unforeseen_error_is_one_line_and_a_logged_traceback(capsys, crm, monkeypatch, tmp_path):
    from domain.services.opportunity_updates import OpportunityUpdates

    def broken(*args, **kwargs):
        raise ZeroDivisionError("/srv/pantry/secret/path.py went wrong")

    monkeypatch.setattr(OpportunityUpdates, "update_fields", broken)
    monkeypatch.setenv("PANTRY_STATE_DIR", str(tmp_path / "state"))
    code, out, err = run(capsys, "--db", crm, "--as", "ada", "edit", "1", "--value", "5")
    assert code == 1 and out == ""
    assert err.splitlines() == ["pantry: unexpected error (ZeroDivisionError); the details are in errors.log in "
                                "Pantry's state directory"]
    log = (tmp_path / "state" / "errors.log").read_text()
    assert " pantry --db " in log and " failed\n" in log
    assert "Traceback" in log and "ZeroDivisionError: /srv/pantry/secret/path.py went wrong" in log


# -- amounts in an import --------------------------------------------------------------------


@pytest.mark.parametrize(("file", "column", "value", "reason"), [
    ("sales_pipeline.csv", "close_value", "1e30", "not an amount: '1e30'"),
    ("sales_pipeline.csv", "close_value", "-100", "must be 0 or more"),
    ("accounts.csv", "revenue", "1e300", "not an amount: '1e300'"),
    ("accounts.csv", "revenue", "2000000000", "at most $1,000,000,000,000.00 (the column is in millions)"),
])
def test_an_import_amount_out_of_range_is_a_rejected_row_and_nothing_is_written(database_url, tmp_path, capsys,
                                                                                file, column, value, reason):
    import csv
    import shutil
    from pathlib import Path

    folder = tmp_path / "maven"
    shutil.copytree(Path(__file__).resolve().parent / "data" / "import" / "maven_small", folder)
    path = folder / file
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    row = next(i for i, r in enumerate(rows) if r[column])
    rows[row][column] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    run(capsys, "pipeline", "show", "--db", database_url)  # the first open stores the pipeline's version 1
    before = digest(database_url)
    code, out, err = run(capsys, "import", folder, "--preset", "maven", "--db", database_url)
    assert code == 1, out + err
    line = next(line for line in (out + err).splitlines() if line.startswith(f"{file}:{row + 2}: {column}: "))
    assert reason in line, line
    assert "Traceback" not in out + err and digest(database_url) == before


# -- user text in messages -------------------------------------------------------------------

HOSTILE = "\x1b]0;owned\x07\x1b[2J\u202eDeal"


def test_a_name_with_terminal_escapes_is_never_echoed_raw(capsys, crm):
    """Names stored before the boundary refused control characters (or by another tool) are shown escaped
    by every message: edit, log, move, assign, and the refusals that quote them."""
    with Store.open(crm) as store:
        deal = store.opportunities.require(1)
        store.db.execute_sql("UPDATE opportunity SET name = ? WHERE id = ?".replace("?", "%s")
                             if "postgres" in crm else "UPDATE opportunity SET name = ? WHERE id = ?", (HOSTILE, deal.id))
    outputs = []
    for argv in (("edit", "1", "--value", "7"), ("log", "1", "--kind", "call", "--subject", "Called"),
                 ("move", "1", "closed_lost", "--lost-reason", "price"), ("assign", "opportunity", "1", "--to", "sue"),
                 ("move", "1", "closed_lost", "--lost-reason", "again")):
        code, out, err = run(capsys, "--db", crm, "--as", "ada", "--as-of", "2026-03-16", *argv)
        outputs.append(out + err)
        assert "\x1b" not in out + err and "\x07" not in out + err and "\u202e" not in out + err, argv
    assert "\\x1b]0;owned\\x07\\x1b[2J" in outputs[0]


@pytest.mark.parametrize("day", ["2026-02-30", "20260316", "2026-W12-1"])
def test_an_as_of_day_that_does_not_exist_is_a_usage_error(capsys, crm, day):
    code, _, err = run(capsys, "--db", crm, "--as-of", day, "list", "users")
    assert code == 2 and err.startswith("pantry: --as-of: ") and "Traceback" not in err
