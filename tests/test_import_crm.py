"""`pantry import --preset hubspot|salesforce`, `--mapping FILE` and `--show-mapping`."""

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
HUBSPOT = DATA / "hubspot"
SALESFORCE = DATA / "salesforce"



@pytest.fixture
def owners(make):
    """The Pantry users the samples' owners map to: one by display name, one by login; and an admin
    (`--as boss`) who imports them."""
    make.user(login="boss", display_name="The Boss", role="admin")
    return make.user(login="dwhitfield", display_name="Dana Whitfield"), make.user(login="mlee", display_name="Marcus Lee")


AS_ADMIN = ("--as", "boss")


def pantry(*argv) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = cli.main.main([str(a) for a in argv])
    return code, out.getvalue()


def snapshot(url: str):
    with Store.open(url) as store:
        return ([a.model_dump_json() for a in store.accounts.find()],
                [c.model_dump_json() for c in store.contacts.find()],
                [o.model_dump_json() for o in store.opportunities.find()],
                [s.model_dump_json() for s in store.stage_changes.find()])


def copy(folder: Path, tmp_path: Path) -> Path:
    target = tmp_path / folder.name
    tmp_path.mkdir(parents=True, exist_ok=True)
    shutil.copytree(folder, target)
    return target


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


# -- hubspot -------------------------------------------------------------------------------------


def test_hubspot_sample(store, database_url, owners):
    dana, marcus = owners
    store.close()
    code, out = pantry("import", HUBSPOT, "--preset", "hubspot", *AS_ADMIN, "--db", database_url)
    assert code == 0, out
    assert "accounts: inserted 5" in out and "contacts: inserted 5" in out and "opportunities: inserted 5" in out
    # the near-duplicate (same name but for "Inc." and a different domain) is reported, not merged
    assert ("companies.csv:6: Company name: possible duplicate of 'Greenleaf Bistro, Inc.': different domain "
            "(greenleafbistro.com vs greenleaf-catering.com); not merged (warning)") in out
    with Store.open(database_url) as s:
        accounts = {a.external_id: a for a in s.accounts.find()}
        assert len(accounts) == 5
        assert accounts["5202"].parent_id == accounts["5201"].id
        assert accounts["5201"].domain == "harborhg.com" and accounts["5201"].industry.value == "hotel"
        assert accounts["5201"].status.value == "customer" and accounts["5203"].status.value == "prospect"
        assert accounts["5204"].size.value == "large" and accounts["5204"].hq_region == "California"
        contacts = {c.external_id: c for c in s.contacts.find()}
        assert len(contacts) == 5
        assert contacts["9102"].account_id == accounts["5202"].id and contacts["9102"].last_name == "O'Neill"
        assert contacts["9103"].account_id == accounts["5203"].id
        assert contacts["9105"].account_id is None and contacts["9105"].email is None
        opps = {o.external_id: o for o in s.opportunities.find()}
        assert opps["7001"].owner_id == dana.id and opps["7002"].owner_id == dana.id  # display name, login
        assert opps["7003"].owner_id == marcus.id
        assert opps["7001"].stage == "closed_won" and opps["7001"].value_cents == 48_500_00
        assert opps["7001"].actual_close_date.isoformat() == "2024-04-30"
        assert opps["7002"].stage == "proposal" and opps["7002"].account_id == accounts["5202"].id
        assert opps["7005"].value_cents == 0 and opps["7005"].stage == "discovery"
        history = [(c.from_stage, c.to_stage, c.changed_at) for c in s.stage_changes.find()
                   if c.opportunity_id == opps["7001"].id]
        assert sorted(history, key=lambda h: h[2]) == [
            (None, "discovery", utc(2024, 1, 10, 10, 0)),
            ("discovery", "qualification", utc(2024, 1, 24, 15, 30)),
            ("qualification", "proposal", utc(2024, 2, 20, 11, 0)),
            ("proposal", "negotiation", utc(2024, 3, 18, 9, 45)),  # Contract Sent is negotiation too
            ("negotiation", "closed_won", utc(2024, 4, 30, 17, 0)),
        ]
        lost = sorted((c.from_stage or "", c.to_stage) for c in s.stage_changes.find() if c.opportunity_id == opps["7003"].id)
        assert ("qualification", "closed_lost") in lost and len(lost) == 3
        assert opps["7001"].stage_entered_at == utc(2024, 4, 30, 17, 0)
    before = snapshot(database_url)
    code, out = pantry("import", HUBSPOT, "--preset", "hubspot", *AS_ADMIN, "--db", database_url)
    assert code == 0, out
    assert "nothing changed" in out
    assert snapshot(database_url) == before


def test_hubspot_unknown_owner_and_stage(store, database_url, owners, tmp_path):
    store.close()
    folder = copy(HUBSPOT, tmp_path)
    deals = folder / "deals.csv"
    text = deals.read_text(encoding="utf-8")
    text += "7006,Mystery deal,Verbal Yes,100,2024-09-30,2024-05-01,Pat Nobody,Sales Pipeline,5201,9101,newbusiness,,,,,,,\n"
    deals.write_text(text, encoding="utf-8")
    code, out = pantry("import", folder, "--preset", "hubspot", *AS_ADMIN, "--db", database_url)
    assert code == 1
    assert "deals.csv:7: Deal owner: unknown owner 'Pat Nobody'" in out
    assert "deals.csv:7: Deal Stage: unknown stage 'Verbal Yes'" in out
    assert "nothing was written" in out
    with Store.open(database_url) as s:
        assert list(s.opportunities.find()) == [] and list(s.accounts.find()) == []
    # mapped, the same file imports
    mapping = tmp_path / "map.toml"
    mapping.write_text('[owners]\n"Pat Nobody" = "mlee"\n"Dana Whitfield" = "dwhitfield"\n"dwhitfield" = "dwhitfield"\n'
                       '"Marcus Lee" = "Marcus Lee"\n[stages]\n"Verbal Yes" = "negotiation"\n'
                       '"Appointment Scheduled" = "discovery"\n"Qualified To Buy" = "qualification"\n'
                       '"Presentation Scheduled" = "proposal"\n"Decision Maker Bought-In" = "negotiation"\n'
                       '"Contract Sent" = "negotiation"\n"Closed Won" = "closed_won"\n"Closed Lost" = "closed_lost"\n')
    code, out = pantry("import", folder, "--preset", "hubspot", "--mapping", mapping, *AS_ADMIN, "--db", database_url)
    assert code == 0, out
    with Store.open(database_url) as s:
        opp = next(o for o in s.opportunities.find() if o.external_id == "7006")
        assert opp.stage == "negotiation"


# -- salesforce ----------------------------------------------------------------------------------


def test_salesforce_sample(store, database_url, owners):
    dana, marcus = owners
    store.close()
    code, out = pantry("import", SALESFORCE, "--preset", "salesforce", *AS_ADMIN, "--db", database_url)
    assert code == 0, out
    assert ("accounts.csv:5: Account Name: possible duplicate of 'Blue Fin Catering Co.': name differs only in "
            "case, punctuation or legal suffix; not merged (warning)") in out
    with Store.open(database_url) as s:
        accounts = {a.external_id: a for a in s.accounts.find()}
        assert len(accounts) == 4  # Blue-Fin Catering is not merged into Blue Fin Catering Co.
        parent, child = accounts["0015g00000AbCdEAAV"], accounts["0015g00000AbCdFAAV"]
        assert child.parent_id == parent.id
        assert parent.domain == "cascadeseniorliving.com" and parent.annual_revenue_cents == 56_000_000_00
        assert parent.size.value == "large" and parent.industry.value == "hospital"
        contacts = {c.email: c for c in s.contacts.find()}
        assert len(contacts) == 3
        assert contacts["lortega@cascadeseniorliving.com"].account_id == child.id
        opps = {o.external_id: o for o in s.opportunities.find()}
        assert len(opps) == 4
        cascade = opps["0065g00000PqRsAAAV"]
        assert cascade.stage == "negotiation" and cascade.owner_id == dana.id and cascade.account_id == parent.id
        assert cascade.value_cents == 96_000_00 and cascade.source == "Web"
        assert cascade.expected_close_date.isoformat() == "2024-06-28" and cascade.started_on.isoformat() == "2024-01-18"
        needs = opps["0065g00000PqRsCAAV"]
        assert needs.stage == "qualification" and needs.probability == 25 and needs.probability_overridden
        assert needs.owner_id == marcus.id
        won = opps["0065g00000PqRsBAAV"]
        assert won.stage == "closed_won" and won.actual_close_date.isoformat() == "2024-04-12"
        assert len(list(s.stage_changes.find())) == 4
    before = snapshot(database_url)
    code, out = pantry("import", SALESFORCE, "--preset", "salesforce", *AS_ADMIN, "--db", database_url)
    assert code == 0 and "nothing changed" in out
    assert snapshot(database_url) == before


def test_salesforce_unknown_owner_reported(store, database_url, tmp_path):
    store.close()  # no users at all
    code, out = pantry("import", SALESFORCE, "--preset", "salesforce", "--db", database_url)
    assert code == 1
    assert "opportunities.csv:2: Opportunity Owner: unknown owner 'Dana Whitfield'" in out
    assert "opportunities.csv:4: Opportunity Owner: unknown owner 'Marcus Lee'" in out


def test_contact_matched_on_email(store, database_url, owners, make):
    make.contact(first_name="Helen", email="HPark@cascadeseniorliving.com")
    store.close()
    code, out = pantry("import", SALESFORCE, "--preset", "salesforce", *AS_ADMIN, "--db", database_url)
    assert code == 0, out
    assert "contacts: inserted 2, updated 0, unchanged 1" in out


# -- mappings ------------------------------------------------------------------------------------


def test_mapping_validation_errors(store, database_url, owners, tmp_path):
    store.close()
    bad = tmp_path / "bad.toml"
    bad.write_text('preset = "salesforce"\ncolour = "blue"\n[stages]\n"Closed Won" = "won"\n"Other" = 3\n'
                   '[owners]\n"Pat" = "nobody"\n[industries]\n"Food" = "bakery"\n')
    code, out = pantry("import", HUBSPOT, "--preset", "hubspot", "--mapping", bad, "--db", database_url)
    assert code == 2
    with Store.open(database_url) as s:
        assert list(s.accounts.find()) == []


def test_mapping_validation_messages(tmp_path):
    from domain.importing.mapping import MappingError
    from domain.importing.runner import ImportError_, load_mapping
    from domain.pipeline import default_pipeline

    bad = tmp_path / "bad.toml"
    bad.write_text('preset = "salesforce"\ncolour = "blue"\n[stages]\n"Closed Won" = "won"\n"Other" = 3\n'
                   '[owners]\n"Pat" = "nobody"\n[industries]\n"Food" = "bakery"\n')

    class Existing:
        users = {"mlee": 1}
        user_names = {"Marcus Lee": "mlee"}

    with pytest.raises(ImportError_) as caught:
        load_mapping(bad, "hubspot", default_pipeline(), Existing())
    lines = str(caught.value).splitlines()
    assert f"{bad}:preset: the file is for preset 'salesforce', not 'hubspot'" in lines
    assert f"{bad}:colour: unknown key (expected preset, source, repeated_ids, stages, owners, industries, countries, lead_statuses, thresholds, files, columns, constants)" in lines
    assert any(line.startswith(f'{bad}:stages."Closed Won": \'won\' is not a stage of the pipeline') for line in lines)
    assert f"{bad}:stages.Other: must be a non-blank string" in lines
    assert f"{bad}:owners.Pat: no Pantry user has the login or display name 'nobody'" in lines
    assert any(line.startswith(f"{bad}:industries.Food: 'bakery' is not an industry") for line in lines)
    broken = tmp_path / "broken.toml"
    broken.write_text("[stages\n")
    with pytest.raises(ImportError_, match="broken.toml: not valid TOML"):
        load_mapping(broken, "hubspot", default_pipeline())
    assert issubclass(MappingError, ValueError)


@pytest.mark.parametrize("preset,folder", [("hubspot", HUBSPOT), ("salesforce", SALESFORCE), ("maven", DATA / "maven_small")])
def test_show_mapping_round_trip(database_url, tmp_path, preset, folder, make):
    code, printed = pantry("import", "--preset", preset, "--show-mapping")
    assert code == 0, printed
    assert f'preset = "{preset}"' in printed and "[stages]" in printed
    saved = tmp_path / "mapping.toml"
    saved.write_text(printed, encoding="utf-8")
    code, again = pantry("import", "--preset", preset, "--mapping", saved, "--show-mapping", "--db", database_url)
    assert code == 0 and again == printed

    def run(url, where, *extra):
        if preset != "maven":
            with Store.open(url) as s:
                from domain import records as r

                for login, name in (("dwhitfield", "Dana Whitfield"), ("mlee", "Marcus Lee")):
                    s.users.insert(r.User(login=login, display_name=name, created_at=make.now))
                s.users.insert(r.User(login="boss", display_name="The Boss", role="admin", created_at=make.now))
            extra = (*extra, *AS_ADMIN)
        code, out = pantry("import", copy(folder, tmp_path / where), "--preset", preset,
                           *extra, "--db", url)
        assert code == 0, out
        return snapshot(url)

    from conftest import ON_POSTGRES, wipe_postgres

    from store.database import sqlite_url

    first = run(database_url, "first")
    if ON_POSTGRES:
        wipe_postgres(database_url)
        second_url = database_url
    else:
        second_url = sqlite_url(tmp_path / "second.db")
    assert run(second_url, "second", "--mapping", saved) == first


def test_hubspot_owner_emails_become_reps(store, database_url, owners, tmp_path):
    store.close()
    deals = tmp_path / "deals.csv"
    deals.write_text("Record ID,Deal Name,Deal Stage,Amount,Close Date,Create Date,Deal owner\n"
                     "1,A,closedwon,10,2024-02-01,2024-01-01,pat.nobody@example.com\n"
                     "2,B,closedlost,10,2024-02-01,2024-01-01,Pat.Nobody@Example.com\n", encoding="utf-8")
    code, out = pantry("import", deals, "--preset", "hubspot", *AS_ADMIN, "--db", database_url)
    assert code == 0, out
    assert "deals.csv:2: owner 'pat.nobody@example.com' is no Pantry user: created as rep 'pat.nobody'" in out
    with Store.open(database_url) as s:
        pat = next(u for u in s.users.find() if u.login == "pat.nobody")
        assert pat.display_name == "Pat Nobody" and pat.role.value == "rep"
        assert {o.owner_id for o in s.opportunities.find()} == {pat.id}
    # a rep may not create users: the same file imported by one is refused
    deals.write_text(deals.read_text(encoding="utf-8").replace("pat.nobody", "kim.new").replace("Pat.Nobody", "Kim.New"),
                     encoding="utf-8")
    code, out = pantry("import", deals, "--preset", "hubspot", "--as", "dwhitfield", "--db", database_url)
    assert code == 1 and "Deal owner" in out
