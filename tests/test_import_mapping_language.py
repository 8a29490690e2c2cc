"""The mapping language: [files], [columns], [constants], repeated_ids — and the shipped IBM Win/Loss
mapping, checked against figures computed here from the CSV with the csv module."""

from __future__ import annotations

import csv
import io
import json
from contextlib import redirect_stdout
from decimal import Decimal
from pathlib import Path

import pytest

import cli.main
from store.store import Store

ROOT = Path(__file__).resolve().parents[1]
IBM = ROOT / ".." / "shared" / "data" / "realdata" / "ibm-sales-win-loss" / "WA_Fn-UseC_-Sales-Win-Loss.csv"
IBM_MAPPING = ROOT / "docs" / "mappings" / "ibm-sales-win-loss.toml"


def pantry(*argv) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = cli.main.main([str(a) for a in argv])
    return code, out.getvalue()


@pytest.fixture
def admin(store, make):
    make.user(login="admin", display_name="Admin", role="admin")
    store.close()


def test_columns_constants_and_files(admin, database_url, tmp_path):
    sheet = tmp_path / "q3 deals.csv"
    sheet.write_text("Deal No,Title,Result,USD,Closed\n"
                     "A-1,Ovens,Won,\"1,200.50\",2024-03-01\n"
                     "A-2,Fridges,Lost,300,2024-03-02\n"
                     "A-1,Ovens again,Won,999,2024-03-03\n", encoding="utf-8")
    mapping = tmp_path / "map.toml"
    mapping.write_text('repeated_ids = "first"\n[files]\n"q3*.csv" = "opportunities"\n'
                       '[columns]\n"Deal No" = "Id"\n"Result" = "StageName"\n"USD" = "Amount"\n"Closed" = "CloseDate"\n'
                       '[constants]\n"Name" = "{Title} ({Deal No})"\n"OwnerId" = "{as}"\n"CreatedDate" = "2024-01-01"\n'
                       '[stages]\n"Won" = "closed_won"\n"Lost" = "closed_lost"\n', encoding="utf-8")
    code, out = pantry("import", sheet, "--mapping", mapping, "--as", "admin", "--db", database_url)
    assert code == 0, out
    assert "q3 deals.csv: read as opportunities (the mapping's [files]), 3 rows" in out
    assert "q3 deals.csv:4: Deal No: A-1 repeated (first at line 2): the first occurrence is imported" in out
    assert "1 repeating an id (not imported)" in out
    with Store.open(database_url) as store:
        deals = {o.external_id: o for o in store.opportunities.find()}
    assert deals["A-1"].name == "Ovens (A-1)" and deals["A-1"].value_cents == 120050 and deals["A-1"].stage == "closed_won"
    assert deals["A-2"].stage == "closed_lost" and deals["A-2"].actual_close_date.isoformat() == "2024-03-02"


def test_a_template_naming_no_column_is_refused(admin, database_url, tmp_path):
    sheet = tmp_path / "deals.csv"
    sheet.write_text("Id,StageName,OwnerId,CloseDate,CreatedDate\n1,Closed Won,admin,2024-01-02,2024-01-01\n",
                     encoding="utf-8")
    mapping = tmp_path / "map.toml"
    mapping.write_text('[files]\n"deals.csv" = "opportunities"\n[constants]\n"Name" = "{Nope}"\n', encoding="utf-8")
    code, out = pantry("import", sheet, "--mapping", mapping, "--as", "admin", "--db", database_url)
    assert code == 1 and "deals.csv:1: Name: [constants] names 'Nope': no such column in the file" in out
    bad = tmp_path / "bad.toml"
    bad.write_text('repeated_ids = "middle"\n[files]\n"x.csv" = "widgets"\n', encoding="utf-8")
    code, _out = pantry("import", sheet, "--mapping", bad, "--as", "admin", "--db", database_url)
    assert code == 2


@pytest.mark.skipif(not IBM.is_file(), reason="the realdata folder is not here")
def test_ibm_sheet_with_the_shipped_mapping(admin, database_url):
    with IBM.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    last = {row["Opportunity Number"]: row for row in rows}  # the mapping says: the last occurrence wins
    won = [row for row in last.values() if row["Opportunity Result"] == "Won"]
    lost = [row for row in last.values() if row["Opportunity Result"] == "Loss"]
    code, out = pantry("import", IBM, "--mapping", IBM_MAPPING, "--as", "admin", "--db", database_url)
    assert code == 0, out[-2000:]
    assert f"opportunities: inserted {len(last):,}" in out
    assert f"{len(rows) - len(last):,} repeating an id (not imported)" in out
    code, text = pantry("stats", "--format", "json", "--as", "admin", "--db", database_url)
    stats = json.loads(text)
    assert stats["won_count"] == len(won) and stats["lost_count"] == len(lost)
    assert Decimal(str(stats["won_value"])) == sum(Decimal(row["Opportunity Amount USD"]) for row in won)
