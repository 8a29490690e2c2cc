"""Leads and activities from HubSpot and Salesforce exports, the HubSpot deal -> contact link,
lead de-duplication (e-mail or phone, normalised) and the `pantry` round trip of leads/activities."""

from __future__ import annotations

import io
import shutil
from contextlib import redirect_stdout
from datetime import datetime, timezone
from pathlib import Path

import pytest
from conftest import ON_POSTGRES, wipe_postgres

import cli.main
from domain.enums import ActivityKind, LeadStatus
from domain.importing.keys import phone_key
from store.database import sqlite_url
from store.store import Store

DATA = Path(__file__).resolve().parent / "data" / "import"
HUBSPOT = DATA / "hubspot"
SALESFORCE = DATA / "salesforce"
SF_ACTIVITIES = DATA / "salesforce_activities"
SF_OWNERS = DATA / "salesforce_owners.toml"
AS_ADMIN = ("--as", "boss", "--as-of", "2026-03-16")



@pytest.fixture
def people(make):
    """An admin who imports, and the two owners the samples name (by display name and by login)."""
    boss = make.user(login="boss", display_name="The Boss", role="admin")
    return boss, make.user(login="dwhitfield", display_name="Dana Whitfield"), make.user(login="mlee", display_name="Marcus Lee")


def pantry(*argv) -> tuple[int, str]:
    out = io.StringIO()
    with redirect_stdout(out):
        code = cli.main.main([str(a) for a in argv])
    return code, out.getvalue()


def utc(*parts) -> datetime:
    return datetime(*parts, tzinfo=timezone.utc)


def copy(folder: Path, tmp_path: Path) -> Path:
    target = tmp_path / folder.name
    shutil.copytree(folder, target)
    return target


# -- HubSpot -------------------------------------------------------------------------------------


def test_hubspot_contacts_with_lead_lifecycle_are_leads(store, database_url, people):
    _boss, dana, marcus = people
    store.close()
    code, out = pantry("import", HUBSPOT, "--preset", "hubspot", *AS_ADMIN, "--db", database_url)
    assert code == 0, out
    assert "contacts: inserted 5," in out and "leads: inserted 3," in out
    # +1 206.555.0175 is (206) 555-0175: the same lead, reported, not imported twice
    assert "contacts.csv:9: Phone Number: same phone as line 7: the same lead, not imported twice (warning)" in out
    with Store.open(database_url) as s:
        leads = {lead.external_id: lead for lead in s.leads.find()}
        assert set(leads) == {"9106", "9107", "9109"}
        kevin = leads["9106"]
        assert kevin.name == "Kevin Walsh" and kevin.company == "Northshore Deli" and kevin.title == "Owner"
        assert kevin.status is LeadStatus.CONTACTED and kevin.owner_id == marcus.id  # "Attempted to Contact"
        assert kevin.source == "Organic Search" and kevin.created_at == utc(2024, 4, 2, 13, 45)
        assert leads["9107"].status is LeadStatus.NEW and leads["9107"].owner_id is None  # MQL, no status, no owner
        assert leads["9109"].status is LeadStatus.QUALIFIED and leads["9109"].owner_id == dana.id  # "Open Deal"
        assert {c.external_id for c in s.contacts.find()} == {"9101", "9102", "9103", "9104", "9105"}


def test_hubspot_deal_contact_is_the_first_associated_contact(store, database_url, people):
    store.close()
    code, out = pantry("import", HUBSPOT, "--preset", "hubspot", *AS_ADMIN, "--db", database_url)
    assert code == 0, out
    with Store.open(database_url) as s:
        contacts = {c.external_id: c.id for c in s.contacts.find()}
        opps = {o.external_id: o for o in s.opportunities.find()}
        assert opps["7001"].contact_id == contacts["9101"]
        assert opps["7002"].contact_id == contacts["9102"]
        assert opps["7005"].contact_id == contacts["9101"]  # "9106;9101": 9106 is a lead, 9101 the first contact


def test_hubspot_deal_contact_problems(store, database_url, people, tmp_path):
    store.close()
    folder = copy(HUBSPOT, tmp_path)
    deals = folder / "deals.csv"
    text = deals.read_text(encoding="utf-8")
    text += "7006,Lead-only deal,Qualified To Buy,500,2024-09-30,2024-05-01,Marcus Lee,Sales Pipeline,5203,9107,newbusiness,,,,,,,\n"
    text += "7007,Ghost contact deal,Qualified To Buy,500,2024-09-30,2024-05-01,Marcus Lee,Sales Pipeline,5203,9999,newbusiness,,,,,,,\n"
    deals.write_text(text, encoding="utf-8")
    code, out = pantry("import", folder, "--preset", "hubspot", *AS_ADMIN, "--db", database_url)
    assert code == 1
    assert "deals.csv:7: Associated Contact IDs: 9107: a lead, not a contact: the deal has no contact (warning)" in out
    assert "deals.csv:8: Associated Contact IDs: unknown or rejected contact '9999'" in out
    assert "nothing was written" in out


def test_hubspot_activities(store, database_url, people):
    _boss, dana, marcus = people
    store.close()
    code, out = pantry("import", HUBSPOT, "--preset", "hubspot", *AS_ADMIN, "--db", database_url)
    assert code == 0, out
    assert "activities: inserted 6," in out
    with Store.open(database_url) as s:
        opps = {o.external_id: o.id for o in s.opportunities.find()}
        accounts = {a.external_id: a.id for a in s.accounts.find()}
        contacts = {c.external_id: c.id for c in s.contacts.find()}
        leads = {lead.external_id: lead.id for lead in s.leads.find()}
        acts = {a.subject: a for a in s.activities.find()}
        intro = acts["Intro call with Maria"]
        assert intro.kind is ActivityKind.CALL and intro.completed_at == utc(2024, 1, 12, 15, 0)
        assert intro.duration_minutes == 12 and intro.created_by_id == dana.id  # 750,000 ms
        assert (intro.opportunity_id, intro.account_id, intro.contact_id) == (opps["7001"], accounts["5201"], contacts["9101"])
        # a call without a title: its first line; on a lead (a HubSpot contact in the Lead stage)
        voicemail = acts["Left a voicemail about the deli menu."]
        assert voicemail.lead_id == leads["9106"] and voicemail.contact_id is None and voicemail.created_by_id == marcus.id
        tasting = acts["Tasting at Harbor HG"]
        assert tasting.kind is ActivityKind.MEETING and tasting.duration_minutes == 90
        assert tasting.scheduled_at == utc(2024, 2, 20, 11, 0) and tasting.completed_at == utc(2024, 2, 20, 11, 0)
        assert tasting.location == "Harbor HG kitchen, Boston" and tasting.created_at == utc(2024, 2, 10, 9, 0)
        review = acts["Coffee service review"]  # outcome Scheduled, in the future: planned, not done
        assert review.completed_at is None and review.scheduled_at == utc(2026, 4, 8, 14, 0)
        note = acts["Lost to the incumbent on price."]
        assert note.kind is ActivityKind.NOTE and note.description.endswith("They may revisit in Q4.")
    before = [a.model_dump_json() for a in Store.open(database_url).activities.find()]
    code, out = pantry("import", HUBSPOT, "--preset", "hubspot", *AS_ADMIN, "--db", database_url)
    assert code == 0 and "nothing changed" in out
    with Store.open(database_url) as s:
        assert [a.model_dump_json() for a in s.activities.find()] == before


def test_hubspot_activity_with_unknown_deal_is_rejected(store, database_url, people, tmp_path):
    store.close()
    folder = copy(HUBSPOT, tmp_path)
    calls = folder / "calls.csv"
    calls.write_text(calls.read_text(encoding="utf-8") + "8004,2024-06-01 10:00,Marcus Lee,Ghost,,,,,,,7999,2024-06-01 10:00\n"
                     "8005,2024-06-01 10:00,Marcus Lee,Loose,,,,,,,,2024-06-01 10:00\n"
                     "8006,June 1st,Marcus Lee,Bad date,,,,,,5203,,\n", encoding="utf-8")
    code, out = pantry("import", folder, "--preset", "hubspot", *AS_ADMIN, "--db", database_url)
    assert code == 1
    assert "calls.csv:5: Associated Deal IDs: unknown or rejected deal '7999'" in out
    assert "calls.csv:6: Record ID: not associated with any deal, company, contact or lead" in out
    assert "calls.csv:7: Activity date: not a date: 'June 1st'" in out
    with Store.open(database_url) as s:
        assert s.activities.count() == 0 and s.leads.count() == 0


# -- Salesforce ----------------------------------------------------------------------------------


def test_salesforce_leads_tasks_and_events(store, database_url, people):
    _boss, dana, marcus = people
    store.close()
    code, out = pantry("import", SALESFORCE, "--preset", "salesforce", *AS_ADMIN, "--db", database_url)
    assert code == 0, out
    assert "leads: inserted 3," in out
    assert "leads.csv:4: Email: same e-mail as line 3: the same lead, not imported twice (warning)" in out
    # Data Loader exports name owners by Salesforce user id: mapped in [owners]
    code, out = pantry("import", SF_ACTIVITIES, "--preset", "salesforce", "--mapping", SF_OWNERS, *AS_ADMIN,
                       "--db", database_url)
    assert code == 0, out
    assert "activities: inserted 4," in out
    with Store.open(database_url) as s:
        leads = {lead.external_id: lead for lead in s.leads.find()}
        nina = leads["00Q5g00000LdAaAEAV"]
        assert nina.company == "Lakeside Unified School District" and nina.status is LeadStatus.NEW
        assert nina.owner_id == dana.id and nina.created_at == utc(2024, 3, 1) and nina.source == "Web"
        assert leads["00Q5g00000LdAbAEAV"].status is LeadStatus.CONTACTED
        assert leads["00Q5g00000LdAdAEAV"].status is LeadStatus.UNQUALIFIED
        contacts = {c.external_id: c.id for c in s.contacts.find()}
        accounts = {a.external_id: a.id for a in s.accounts.find()}
        opps = {o.external_id: o.id for o in s.opportunities.find()}
        acts = {a.subject: a for a in s.activities.find()}
        call = acts["Call: produce volumes for 2024"]
        assert call.kind is ActivityKind.CALL and call.completed_at == utc(2024, 1, 25, 16, 16)
        assert call.duration_minutes == 14 and call.created_by_id == dana.id  # 840 s
        assert call.contact_id == contacts["0035g00000XyZaBAAV"] and call.opportunity_id == opps["0065g00000PqRsAAAV"]
        assert call.account_id == accounts["0015g00000AbCdEAAV"]  # the deal's account
        email = acts["Email: price list"]
        assert email.kind is ActivityKind.EMAIL and email.lead_id == leads["00Q5g00000LdAbAEAV"].id
        assert email.created_by_id == marcus.id
        todo = acts["Send seafood spec sheets"]  # an open task: planned for its due date
        assert todo.kind is ActivityKind.NOTE and todo.completed_at is None and todo.scheduled_at == utc(2024, 9, 2)
        walk = acts["Kitchen walkthrough"]  # an Event on an account (WhatId 001…)
        assert walk.kind is ActivityKind.MEETING and walk.account_id == accounts["0015g00000AbCdFAAV"]
        assert walk.duration_minutes == 60 and walk.completed_at == utc(2024, 2, 2, 17, 0)
    code, out = pantry("import", SF_ACTIVITIES, "--preset", "salesforce", "--mapping", SF_OWNERS, *AS_ADMIN,
                       "--db", database_url)
    assert code == 0 and "nothing changed" in out


def test_salesforce_task_owner_id_needs_mapping(store, database_url, people):
    store.close()
    code, out = pantry("import", SALESFORCE, "--preset", "salesforce", *AS_ADMIN, "--db", database_url)
    assert code == 0, out
    code, out = pantry("import", SF_ACTIVITIES, "--preset", "salesforce", *AS_ADMIN, "--db", database_url)
    assert code == 1
    assert "Task.csv:2: OwnerId: unknown owner '0055g00000DwHtAAAU'" in out


# -- de-duplication against the database --------------------------------------------------------


def test_phone_key_normalises():
    assert phone_key("+1 (617) 555-0142") == phone_key("617.555.0142") == "6175550142"
    assert phone_key("555-01") is None and phone_key("") is None


def test_leads_match_stored_leads_on_email_or_phone(store, database_url, people, make):
    make.lead(name="Kevin W.", email="KWalsh@NorthshoreDeli.com", external_id=None)
    make.lead(name="Ravi P.", phone="415.555.0188")
    make.lead(name="Sofia Marin", company="Bluewave Oyster Bar", email="sofia.marin@example.com")
    store.close()
    code, out = pantry("import", HUBSPOT, "--preset", "hubspot", *AS_ADMIN, "--db", database_url)
    assert code == 0, out
    assert "leads: inserted 1, updated 0, unchanged 2" in out  # Kevin by e-mail, Ravi by phone
    assert ("contacts.csv:8: Email: possible duplicate of 'Sofia Marin' (lead 3): same name and company, different "
            "e-mail and phone; not merged (warning)") in out
    with Store.open(database_url) as s:
        assert s.leads.count() == 4


def test_a_lead_that_became_a_contact(store, database_url, people, tmp_path):
    store.close()
    folder = copy(HUBSPOT, tmp_path)
    code, out = pantry("import", folder, "--preset", "hubspot", *AS_ADMIN, "--db", database_url)
    assert code == 0, out
    # Kevin (9106) moved on to the Opportunity stage in HubSpot; Maria (9101) is back to Lead
    contacts = folder / "contacts.csv"
    text = contacts.read_text(encoding="utf-8")
    text = text.replace("2024-04-02 13:45,Lead,Attempted to Contact", "2024-04-02 13:45,Opportunity,Attempted to Contact")
    text = text.replace("2024-01-08 09:30,Customer,", "2024-01-08 09:30,Lead,")
    contacts.write_text(text, encoding="utf-8")
    code, out = pantry("import", folder, "--preset", "hubspot", *AS_ADMIN, "--db", database_url)
    assert code == 0, out
    assert ("contacts.csv:7: Record ID: 9106 was imported as lead 1; now a contact: added as a contact, the lead is "
            "left as it is (convert it in Pantry) (warning)") in out
    assert "contacts.csv:2: Record ID: 9101 is already contact 1: not imported as a lead (warning)" in out
    assert "activities: inserted 0, updated 0, unchanged 6" in out  # the voicemail stays on the lead
    with Store.open(database_url) as s:
        assert "9106" in {c.external_id for c in s.contacts.find()}
        assert "9101" not in {x.external_id for x in s.leads.find()}


# -- the pantry preset ---------------------------------------------------------------------------


def test_pantry_round_trip_of_leads_and_activities(store, database_url, make, tmp_path):
    boss = make.user(login="boss", role="admin")
    account = make.account()
    lead = make.lead(name="Lee Ann", email="lee@example.com", owner_id=boss.id, status=LeadStatus.CONTACTED)
    opp = make.opportunity(account_id=account.id, owner_id=boss.id)
    make.activity(lead_id=lead.id, subject="Intro", created_by_id=boss.id, attachments=["deck.pdf"])
    make.activity(opportunity_id=opp.id, account_id=account.id, kind=ActivityKind.MEETING, subject="Tasting",
                  duration_minutes=45, sentiment=0.4)
    store.close()
    exported = tmp_path / "export"
    exported.mkdir()
    for entity in ("users", "accounts", "opportunities", "leads", "activities"):
        code, out = pantry("export", entity, "--out", exported / f"{entity}.csv", "--db", database_url)
        assert code == 0, out

    def dump(url):
        with Store.open(url) as s:
            return [x.model_dump_json() for x in s.leads.find()], [x.model_dump_json() for x in s.activities.find()]

    first = dump(database_url)
    if ON_POSTGRES:
        wipe_postgres(database_url)
        target = database_url
    else:
        target = sqlite_url(tmp_path / "copy.db")
    code, out = pantry("import", exported, "--preset", "pantry", "--db", target)
    assert code == 0, out
    assert "leads: inserted 1," in out and "activities: inserted 2," in out
    assert dump(target) == first
    code, out = pantry("import", exported, "--preset", "pantry", "--as", "boss", "--db", target)
    assert code == 0 and "nothing changed" in out
