"""A Salesforce Data Loader folder written here (object names as file names, API column names):
users matched or created with their managers, products and line items, the org's stage picklist
mapped automatically (printed by --dry-run, overridden by [stages]), and OpportunityHistory turned
into stage changes that carry the amount and probability of their time."""

from __future__ import annotations

import io
from contextlib import redirect_stdout
from pathlib import Path

import pytest

import cli.main
from store.store import Store

FILES = {
    "sf_User_2024.csv": "Id,Name,Email,Username,ManagerId,IsActive\n"
                        "005A,Olga Boss,olga@example.com,olga@example.com.org,,true\n"
                        "005B,Rita Rep,rita@example.com,rita@example.com.org,005A,true\n"
                        "005C,Gone Rep,gone@example.com,gone@example.com.org,005A,false\n"
                        "005D,Known Person,KNOWN@example.com,known@example.com.org,005A,true\n",
    "ACCOUNT.csv": "Id,Name,OwnerId\n001A,Acme Foods,005B\n001B,Acme Foods,005C\n",
    "Product2.csv": "Id,Name,ProductCode,Family\n01tA,Walk-in Cooler,WIC-1,Refrigeration\n",
    "Opportunity.csv": "Id,Name,AccountId,StageName,Amount,CloseDate,CreatedDate,OwnerId,IsWon,IsClosed,Probability,"
                       "ForecastCategoryName\n"
                       "006A,Cooler deal,001A,Signed,9000,2024-03-01,2024-01-01T10:00:00.000Z,005B,true,true,100,Closed\n"
                       "006B,Second,001B,Pitching,500,2024-06-01,2024-02-01T10:00:00.000Z,005C,false,false,55,BestCase\n"
                       "006C,Third,001A,Scoping,700,2024-06-01,2024-02-01T10:00:00.000Z,005B,false,false,,Pipeline\n",
    "OpportunityLineItem.csv": "Id,OpportunityId,Product2Id,Quantity,UnitPrice,TotalPrice\n"
                               "00kA,006A,01tA,3,3000,9000\n00kB,006Z,01tA,1,10,10\n",
    "OpportunityHistory.csv": "Id,OpportunityId,StageName,Amount,Probability,CloseDate,CreatedDate\n"
                              "008A,006A,Scoping,5000,10,2024-04-01,2024-01-01T10:00:00.000Z\n"
                              "008B,006A,Pitching,7000,55,2024-04-01,2024-01-20T10:00:00.000Z\n"
                              "008C,006A,Signed,9000,100,2024-03-01,2024-03-01T10:00:00.000Z\n",
}


def pantry(*argv) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = cli.main.main([str(a) for a in argv])
    return code, out.getvalue()


@pytest.fixture
def folder(tmp_path, store, make) -> Path:
    make.user(login="admin", display_name="Admin", role="admin")
    make.user(login="known", display_name="Known P.", email="known@example.com")
    store.close()
    target = tmp_path / "export"
    target.mkdir()
    for name, text in FILES.items():
        (target / name).write_text(text, encoding="utf-8")
    return target


def test_dry_run_prints_what_each_file_is_and_the_stage_table(folder, database_url):
    code, out = pantry("import", folder, "--preset", "salesforce", "--dry-run", "--as", "admin", "--db", database_url)
    assert code == 0, out
    assert "sf_User_2024.csv: read as users (by its name), 4 rows" in out
    assert "OpportunityLineItem.csv: read as line items (by its name), 2 rows" in out
    assert "OpportunityHistory.csv: read as stage history (by its name), 3 rows" in out
    assert "stage 'Signed' (1 deal) -> closed_won (won: 1 of its 1 deals)" in out
    assert "stage 'Pitching' (1 deal) -> proposal (probability 55% nearest to Proposal's 60%)" in out
    assert "stage 'Scoping' (1 deal) -> discovery (forecast category pipeline)" in out
    assert "dry run: nothing was written" in out


def test_import_users_products_lines_and_history(folder, database_url, tmp_path):
    code, out = pantry("import", folder, "--preset", "salesforce", "--as", "admin", "--db", database_url)
    assert code == 0, out
    assert "OpportunityLineItem.csv: 1 rows about deals that are not in the files: not imported" in out
    with Store.open(database_url) as s:
        users = {u.display_name: u for u in s.users.find()}
        assert "Known Person" not in users  # matched by e-mail (case ignored) to the existing user
        assert users["Olga Boss"].role.value == "manager" and users["Rita Rep"].manager_id == users["Olga Boss"].id
        assert users["Gone Rep"].active is False and users["Rita Rep"].role.value == "rep"
        accounts = sorted(s.accounts.find(), key=lambda a: a.external_id)
        assert [a.external_id for a in accounts] == ["001A", "001B"]  # same name, two ids: two accounts
        deals = {o.external_id: o for o in s.opportunities.find()}
        assert deals["006A"].owner_id == users["Rita Rep"].id and deals["006A"].stage == "closed_won"
        lines = list(s.line_items.find())
        assert [(line.name, line.quantity, line.unit_price_cents) for line in lines] == [("Walk-in Cooler", 3, 300000)]
        changes = sorted((c for c in s.stage_changes.find() if c.opportunity_id == deals["006A"].id),
                         key=lambda c: c.changed_at)
    # each change carries the amount and probability of its time, never the deal's later ones
    assert [(c.from_stage, c.to_stage, c.value_cents, c.probability) for c in changes] == [
        (None, "discovery", 500000, 10), ("discovery", "proposal", 700000, 55), ("proposal", "closed_won", 900000, 100)]
    assert ("ACCOUNT.csv:3: Name: possible duplicate of 'Acme Foods': the same name, another source id (001A); "
            "not merged (warning)") in out


def test_stages_in_a_mapping_override_the_automatic_table(folder, database_url, tmp_path):
    mapping = tmp_path / "map.toml"
    mapping.write_text('[stages]\n"Pitching" = "negotiation"\n', encoding="utf-8")
    code, out = pantry("import", folder, "--preset", "salesforce", "--mapping", mapping, "--dry-run", "--as", "admin",
                       "--db", database_url)
    assert code == 0, out
    assert "stage 'Pitching' (1 deal) -> negotiation ([stages] in the mapping)" in out
    assert "stage 'Signed' (1 deal) -> closed_won (won" in out


def test_data_loader_upsert_files_keyed_by_external_ids(tmp_path, store, make, database_url):
    make.user(login="admin", display_name="Admin", role="admin")
    store.close()
    folder = tmp_path / "upsert"
    folder.mkdir()
    (folder / "User.csv").write_text("External_Id__c,FirstName,LastName,Email,Username,IsActive\n"
                                     "U.1,Kim,Lee,kim@example.com,kim@example.com.x,true\n", encoding="utf-8")
    (folder / "Account.csv").write_text("External_Id__c,Name,Owner.External_Id__c\nA.1,Bistro,U.1\n", encoding="utf-8")
    (folder / "Opportunity.csv").write_text(
        "External_Id__c,Name,Account.External_Id__c,Owner.External_Id__c,StageName,Amount,CloseDate\n"
        "O.1,Bistro 1,A.1,U.1,Closed Won,100,2024-02-01\nO.2,Bistro 2,A.1,U.1,Discovery,50,2024-12-01\n",
        encoding="utf-8")
    (folder / "UserRole.csv").write_text("DeveloperName,Name\nWest,West\n", encoding="utf-8")
    code, out = pantry("import", folder, "--preset", "salesforce", "--as", "admin", "--db", database_url)
    assert code == 1  # UserRole.csv is read as nothing
    code, out = pantry("import", folder, "--preset", "salesforce", "--skip-unknown", "--as", "admin",
                       "--db", database_url, "--as-of", "2024-06-01")
    assert code == 0, out
    assert "UserRole.csv: read as nothing (roles are not imported): 1 rows unread (--skip-unknown)" in out
    assert "Opportunity.csv: no creation date column" in out
    with Store.open(database_url) as s:
        kim = next(u for u in s.users.find() if u.display_name == "Kim Lee")
        deals = {o.external_id: o for o in s.opportunities.find()}
    assert deals["O.1"].owner_id == kim.id and deals["O.1"].started_on.isoformat() == "2024-02-01"
    assert deals["O.2"].started_on.isoformat() == "2024-06-01"  # open: known from the import's day
