"""A real Salesforce export folder (../shared/data/realdata/sfdc-tcrm-sales-analytics) imported with
`--preset salesforce --skip-invalid` and no mapping: every file read as what it is, the org's users
created, its accounts kept apart by source id, its stage picklist mapped automatically, exactly the
deals whose account is missing rejected — and the reports equal figures computed here from the CSVs."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter
from contextlib import redirect_stdout
from decimal import Decimal
from pathlib import Path

import pytest

import cli.main
from store.store import Store

FOLDER = Path(__file__).resolve().parents[1] / ".." / "shared" / "data" / "realdata" / "sfdc-tcrm-sales-analytics"
pytestmark = pytest.mark.skipif(not FOLDER.is_dir(), reason="the realdata folder is not here")


def pantry(*argv) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = cli.main.main([str(a) for a in argv])
    return code, out.getvalue()


def rows(name: str) -> list[dict[str, str]]:
    with (FOLDER / name).open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def imported(store, database_url, make, tmp_path):
    make.user(login="admin", display_name="Admin", role="admin")
    store.close()
    code, out = pantry("import", FOLDER, "--preset", "salesforce", "--skip-invalid", "--as", "admin", "--db",
                       database_url, "--rejected", tmp_path / "rejected.csv")
    return code, out, database_url, tmp_path / "rejected.csv"


def check_each_file_is_read_as_what_it_is(imported):
    code, out, url, _rejected = imported
    assert code == 0, out[-2000:]
    for name, kind in [("Account.csv", "accounts"), ("lead.csv", "leads"), ("opportunity.csv", "opportunities"),
                       ("pipeline_trending.csv", "stage history"), ("product.csv", "products"), ("user.csv", "users")]:
        assert f"{name}: read as {kind} (by its name), {len(rows(name)):,} rows" in out
    accounts, leads, products, users = rows("Account.csv"), rows("lead.csv"), rows("product.csv"), rows("user.csv")
    with Store.open(url) as store:
        stored_accounts = list(store.accounts.find())
        assert sorted(a.external_id for a in stored_accounts) == sorted(a["Id"] for a in accounts)
        assert sorted(lead.external_id for lead in store.leads.find()) == sorted(lead["Id"] for lead in leads)
        assert sorted(p.name for p in store.products.find()) == sorted(p["Name"] for p in products)
        stored_users = {u.display_name: u for u in store.users.find() if u.login != "admin"}
    assert Counter(u.display_name for u in stored_users.values()) == Counter(u["Name"] for u in users)
    assert f"accounts: inserted {len(accounts):,}" in out and f"leads: inserted {len(leads):,}" in out
    # same-name accounts with other ids are separate records, and reported as possible duplicates
    names = Counter(a["Name"] for a in accounts)
    repeated = sum(n - 1 for n in names.values() if n > 1)
    assert repeated > 0
    assert len(re.findall(r"possible duplicate of .*: the same name, another source id", out)) == repeated


def check_stage_table_is_automatic(imported):
    _code, out, _url, _rejected = imported
    assert "stage 'Closed Won' (" in out and re.search(r"stage 'Closed Won' \(\S+ deals\) -> closed_won \(won", out)
    assert re.search(r"stage 'Closed Lost' \(\S+ deals\) -> closed_lost \(closed and not won", out)
    assert re.search(r"stage 'Proposal/Quote' \(\S+ deals\) -> proposal \(", out)
    assert "unmapped" not in out.split("stage '")[-1].split("\n")[0]


def check_exactly_the_deals_without_their_account_are_rejected(imported):
    _code, out, _url, rejected_csv = imported
    account_ids = {a["Id"] for a in rows("Account.csv")}
    deals = rows("opportunity.csv")
    missing = {d["Id"]: d["AccountId"] for d in deals if d["AccountId"] not in account_ids}
    assert missing
    with rejected_csv.open(encoding="utf-8", newline="") as handle:
        rejected = list(csv.DictReader(handle))
    assert all(r["file"] == "opportunity.csv" for r in rejected)
    assert len(rejected) == len(missing)
    for line in rejected:
        assert "AccountId: unknown or rejected account '" in line["problems"]
    named = set(re.findall(r"opportunity\.csv:\d+: AccountId: unknown or rejected account '(\w+)'", out))
    assert named == set(missing.values())


def check_reports_equal_the_csv(imported):
    _code, _out, url, _rejected = imported
    account_ids = {a["Id"] for a in rows("Account.csv")}
    names = {u["Id"]: u["Name"] for u in rows("user.csv")}
    deals = [d for d in rows("opportunity.csv") if d["AccountId"] in account_ids]
    won = [d for d in deals if d["IsWon"].lower() == "true"]
    lost = [d for d in deals if d["IsClosed"].lower() == "true" and d["IsWon"].lower() != "true"]
    won_amount = sum(Decimal(d["Amount"]) for d in won)
    per_owner: Counter = Counter()
    for d in won:
        per_owner[names[d["OwnerId"]]] += Decimal(d["Amount"])

    code, text = pantry("stats", "--format", "json", "--as", "admin", "--db", url)
    assert code == 0, text
    stats = json.loads(text)
    assert stats["won_count"] == len(won)
    assert Decimal(str(stats["won_value"])) == won_amount
    assert stats["lost_count"] == len(lost)
    assert stats["win_rate"] == round(len(won) / (len(won) + len(lost)), 4)

    code, text = pantry("report", "reps", "--format", "json", "--from", "2000-01-01", "--to", "2099-12-31",
                        "--as", "admin", "--db", url)
    assert code == 0, text
    reported = {r["name"]: Decimal(str(r["won_value"])) for r in json.loads(text) if r["won_value"]}
    assert reported == dict(per_owner)


def test_salesforce_org_folder(imported):
    """One import (it takes seconds), every check on it."""
    check_each_file_is_read_as_what_it_is(imported)
    check_stage_table_is_automatic(imported)
    check_exactly_the_deals_without_their_account_are_rejected(imported)
    check_reports_equal_the_csv(imported)


def test_a_file_read_as_nothing_is_an_error(store, database_url, make, tmp_path, capsys):
    make.user(login="admin", display_name="Admin", role="admin")
    store.close()
    sheet = tmp_path / "External_Upsert.csv"
    sheet.write_text("External_Id__c,Amount__c\nX-1,100\n", encoding="utf-8")
    product = tmp_path / "Product2_export.csv"
    product.write_text("Id,Name,ProductCode,Family\n01t1,Tyres,T-1,Wheels\n", encoding="utf-8")
    code, out = pantry("import", tmp_path, "--preset", "salesforce", "--as", "admin", "--db", database_url)
    err = capsys.readouterr().err
    assert code == 1
    assert "External_Upsert.csv: read as nothing" in err and "accounts: Account ID / Id, Account Name / Name" in err
    with Store.open(database_url) as s:
        assert list(s.products.find()) == []
    code, out = pantry("import", tmp_path, "--preset", "salesforce", "--skip-unknown", "--as", "admin",
                       "--db", database_url)
    assert code == 0, out
    assert "Product2_export.csv: read as products (by its name), 1 rows" in out
    assert "External_Upsert.csv: read as nothing: 1 rows unread" in out
    assert "nothing changed" not in out
    code, out = pantry("import", tmp_path, "--preset", "salesforce", "--skip-unknown", "--as", "admin",
                       "--db", database_url)
    assert "products: inserted 0, updated 0, unchanged 1" in out
    assert "nothing changed: every record" not in out  # a file was left unread: not "everything is up to date"
