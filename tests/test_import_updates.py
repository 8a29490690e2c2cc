"""Re-importing changed files: matched records (by external id) get the changed fields, each change
in the audit log with the importing user as actor; stage changes are appended to the history at
the source's date, never rewriting it; all or nothing still holds; an unchanged file changes nothing."""

from __future__ import annotations

import io
import shutil
from contextlib import redirect_stdout
from datetime import datetime, timezone
from pathlib import Path

import pytest

import cli.main
from store.store import Store

DATA = Path(__file__).resolve().parent / "data" / "import"
AS_ADMIN = ("--as", "boss", "--as-of", "2026-03-16")



@pytest.fixture
def people(make):
    make.user(login="boss", display_name="The Boss", role="admin")
    return make.user(login="dwhitfield", display_name="Dana Whitfield"), make.user(login="mlee", display_name="Marcus Lee")


def pantry(*argv) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = cli.main.main([str(a) for a in argv])
    return code, out.getvalue()


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def copy(name: str, tmp_path: Path) -> Path:
    target = tmp_path / name
    shutil.copytree(DATA / name, target)
    return target


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def history(url: str, external_id: str):
    with Store.open(url) as s:
        opp = next(o for o in s.opportunities.find() if o.external_id == external_id)
        return [(c.id, c.from_stage, c.to_stage, c.changed_at) for c in s.stage_changes.find(opportunity=opp.id)]


def audit(url: str) -> list[tuple]:
    with Store.open(url) as s:
        return [(a.actor, a.table_name, a.field, a.old_value, a.new_value) for a in s.audit.find()]


def test_hubspot_changed_files_update_matched_records(store, database_url, people, tmp_path):
    dana, marcus = people
    store.close()
    folder = copy("hubspot", tmp_path)
    code, out = pantry("import", folder, "--preset", "hubspot", *AS_ADMIN, "--db", database_url)
    assert code == 0, out
    before_7002 = history(database_url, "7002")
    # the deal moved on (HubSpot dates it), grew, and changed hands; a contact got a new title;
    # a company's revenue became known
    edit(folder / "deals.csv", "7002,Harbor Hotels Boston - dry goods,Presentation Scheduled,12000,2024-07-31,2024-02-01 09:00,"
         "dwhitfield,Sales Pipeline,5202,9102,newbusiness,2024-02-01 09:00,2024-02-15 13:00,2024-03-05 10:00,,,,",
         "7002,Harbor Hotels Boston - dry goods,Decision Maker Bought-In,15000,2024-07-31,2024-02-01 09:00,"
         "Marcus Lee,Sales Pipeline,5202,9102,newbusiness,2024-02-01 09:00,2024-02-15 13:00,2024-03-05 10:00,2024-04-10 09:00,,,")
    edit(folder / "contacts.csv", "Executive Chef", "Culinary Director")
    edit(folder / "companies.csv", "1800,,Sacramento", "1800,1500000,Sacramento")
    code, out = pantry("import", folder, "--preset", "hubspot", *AS_ADMIN, "--db", database_url)
    assert code == 0, out
    assert ("opportunities: inserted 0, updated 1, unchanged 4 (forecast_category ×1, owner_id ×1, probability ×1, "
            "stage ×1, stage_entered_at ×1, value_cents ×1)") in out
    assert "contacts: inserted 0, updated 1, unchanged 4 (title ×1)" in out
    assert "accounts: inserted 0, updated 1, unchanged 4 (annual_revenue_cents ×1)" in out
    with Store.open(database_url) as s:
        opp = next(o for o in s.opportunities.find() if o.external_id == "7002")
        assert opp.stage == "negotiation" and opp.value_cents == 15_000_00 and opp.owner_id == marcus.id
        assert opp.probability == 80 and opp.stage_entered_at == utc(2024, 4, 10, 9, 0) and opp.version == 2
        boss = s.user_by_login("boss")
        assert opp.updated_by_id == boss.id
        contact = next(c for c in s.contacts.find() if c.external_id == "9102")
        assert contact.title == "Culinary Director"
    # history is appended (at the source's date), never rewritten
    after = history(database_url, "7002")
    assert after[: len(before_7002)] == before_7002
    assert [(f, t, at) for _id, f, t, at in after[len(before_7002):]] == [("proposal", "negotiation", utc(2024, 4, 10, 9, 0))]
    entries = audit(database_url)
    assert ("boss", "opportunity", "value_cents", "1200000", "1500000") in entries
    assert ("boss", "opportunity", "stage", "proposal", "negotiation") in entries
    assert ("boss", "opportunity", "owner_id", str(dana.id), str(marcus.id)) in entries
    assert ("boss", "contact", "title", "Executive Chef", "Culinary Director") in entries
    assert ("boss", "account", "annual_revenue_cents", None, "150000000") in entries
    # the same files again: nothing changes, and the report says so
    code, out = pantry("import", folder, "--preset", "hubspot", *AS_ADMIN, "--db", database_url)
    assert code == 0 and "nothing changed" in out
    assert audit(database_url) == entries


def test_salesforce_stage_change_without_a_source_date_is_dated_at_the_import(store, database_url, people, tmp_path):
    store.close()
    folder = copy("salesforce", tmp_path)
    code, out = pantry("import", folder, "--preset", "salesforce", *AS_ADMIN, "--db", database_url)
    assert code == 0, out
    edit(folder / "opportunities.csv", '"Needs Analysis","USD 22,000.00","25"', '"Proposal/Price Quote","USD 22,000.00","60"')
    code, out = pantry("import", folder, "--preset", "salesforce", *AS_ADMIN, "--db", database_url)
    assert code == 0, out
    changes = history(database_url, "0065g00000PqRsCAAV")
    assert [(f, t, at) for _id, f, t, at in changes] == [
        (None, "qualification", utc(2024, 2, 6)),
        ("qualification", "proposal", utc(2026, 3, 16, 12, 0)),  # the import's time (--as-of, noon UTC)
    ]
    with Store.open(database_url) as s:
        opp = next(o for o in s.opportunities.find() if o.external_id == "0065g00000PqRsCAAV")
        assert opp.stage == "proposal" and opp.probability == 60 and not opp.probability_overridden


def test_invalid_last_row_leaves_updates_unwritten(store, database_url, people, tmp_path):
    store.close()
    folder = copy("salesforce", tmp_path)
    code, out = pantry("import", folder, "--preset", "salesforce", *AS_ADMIN, "--db", database_url)
    assert code == 0, out
    edit(folder / "opportunities.csv", '"USD 96,000.00"', '"USD 99,000.00"')
    path = folder / "opportunities.csv"
    path.write_text(path.read_text(encoding="utf-8") + '"0065g00000PqRsEAAV","Bad","Cascade Senior Living","Closed Won",'
                    '"lots","100","6/28/2024","1/18/2024","Dana Whitfield","Web","New Customer"\n', encoding="utf-8")
    code, out = pantry("import", folder, "--preset", "salesforce", *AS_ADMIN, "--db", database_url)
    assert code == 1
    assert "opportunities.csv:6: Amount:" in out and "nothing was written" in out
    with Store.open(database_url) as s:
        opp = next(o for o in s.opportunities.find() if o.external_id == "0065g00000PqRsAAAV")
        assert opp.value_cents == 96_000_00 and opp.version == 1
    assert audit(database_url) == []
    code, out = pantry("import", folder, "--preset", "salesforce", *AS_ADMIN, "--dry-run", "--skip-invalid",
                       "--rejected", tmp_path / "rej.csv", "--db", database_url)
    assert code == 0, out
    assert "opportunities: would insert 0, would update 1, unchanged 3 (value_cents ×1)" in out
    with Store.open(database_url) as s:
        assert next(o for o in s.opportunities.find() if o.external_id == "0065g00000PqRsAAAV").value_cents == 96_000_00


def test_maven_changed_close_value_updates_the_deal_and_its_line(database_url, tmp_path):
    folder = copy("maven_small", tmp_path)
    code, out = pantry("import", folder, "--preset", "maven", "--db", database_url)  # an empty database: set up
    assert code == 0, out
    edit(folder / "sales_pipeline.csv", "ZNBS69V1,Anna Snelling,MG Special,Ron-tech,Won,2016-10-29,2017-03-01,49",
         "ZNBS69V1,Anna Snelling,MG Special,Ron-tech,Won,2016-10-29,2017-03-01,59")
    with Store.open(database_url) as s:
        from domain import records as r

        s.users.insert(r.User(login="admin", display_name="Admin", role="admin", created_at=utc(2026, 1, 1)))
    code, out = pantry("import", folder, "--preset", "maven", "--as", "admin", "--db", database_url)
    assert code == 0, out
    assert "opportunities: inserted 0, updated 1, unchanged 17 (line_items ×1, value_cents ×1)" in out
    with Store.open(database_url) as s:
        opp = next(o for o in s.opportunities.find() if o.external_id == "ZNBS69V1")
        assert opp.value_cents == 59_00
        assert [(i.unit_price_cents, i.total_cents) for i in s.line_items.find(opportunity=opp.id)] == [(59_00, 59_00)]
        # the history recorded the old closing value; it stays as it was
        assert [c.value_cents for c in s.stage_changes.find(opportunity=opp.id)][-1] == 49_00
    code, out = pantry("import", folder, "--preset", "maven", "--as", "admin", "--db", database_url)
    assert code == 0 and "nothing changed" in out


def test_pantry_preset_updates_records_but_not_history(store, database_url, make, tmp_path):
    boss = make.user(login="boss", role="admin")
    opp = make.opportunity(owner_id=boss.id, name="Old name")
    make.account(name="Acme")
    store.stage_changes.insert(__import__("domain.records", fromlist=["StageChange"]).StageChange(
        opportunity_id=opp.id, to_stage="discovery", changed_at=make.now, value_cents=1_000_00, probability=20))
    store.close()
    exported = tmp_path / "export"
    exported.mkdir()
    for entity in ("opportunities", "stage_changes"):
        code, out = pantry("export", entity, "--out", exported / f"{entity}.csv", "--db", database_url)
        assert code == 0, out
    edit(exported / "opportunities.csv", "Old name", "New name")
    edit(exported / "stage_changes.csv", ",100000,20", ",100000,25")
    code, out = pantry("import", exported, "--preset", "pantry", "--as", "boss", "--db", database_url)
    assert code == 0, out
    assert "opportunities: inserted 0, updated 1, unchanged 0 (name ×1)" in out
    assert "stage_changes.csv:2: id: differs from the stored stage_changes record 1 (probability): history is not rewritten (warning)" in out
    with Store.open(database_url) as s:
        assert s.opportunities.require(opp.id).name == "New name"
        assert s.stage_changes.find()[0].probability == 20
    assert ("boss", "opportunity", "name", "Old name", "New name") in audit(database_url)
