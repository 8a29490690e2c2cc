"""`pantry add/set/archive/restore/undo`: every record by hand from the command line (issue 15).

For every entity: create, change, archive and restore (the archivable ones), a bad value refused with every bad
field named and nothing written, and a rep refused in another rep's book. Runs on SQLite, and on PostgreSQL
with PANTRY_TEST_DATABASE_URL set.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli.main import main
from domain.editing.entities import ARCHIVABLE, ENTITIES
from domain.enums import Role
from domain.money import MoneyError, parse_cents
from domain.records import Product, User
from store.store import Store
from tests.test_pipeline_versions import NOW, digest

AS_OF = "2026-03-16"


def run(capsys, url, *argv, login="ray"):
    code = main([str(a) for a in argv] + ["--db", url, "--as", login, "--as-of", AS_OF])
    out, err = capsys.readouterr()
    return code, out, err


def add(capsys, url, entity, *argv, login="ray") -> dict:
    code, out, err = run(capsys, url, "add", entity, *argv, "--format", "json", login=login)
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def crm(database_url) -> str:
    """An admin, a manager and two reps who report to her, and one product."""
    with Store.open(database_url) as store:
        ada = store.users.insert(User(login="ada", display_name="Ada", role=Role.ADMIN, created_at=NOW))
        mia = store.users.insert(User(login="mia", display_name="Mia", role=Role.MANAGER, manager_id=ada.id,
                                      created_at=NOW))
        for login in ("ray", "rex"):
            store.users.insert(User(login=login, display_name=login.title(), role=Role.REP, manager_id=mia.id,
                                    created_at=NOW))
        store.products.insert(Product(sku="OIL-5L", name="Olive oil 5 l", category="oil", list_price_cents=40_00))
    return database_url


def book(capsys, url, login="ray") -> dict:
    """An account, a contact, a deal, a lead and a competitor in `login`'s book (made through the CLI)."""
    account = add(capsys, url, "account", "--name", f"{login.title()}'s Bistro", login=login)
    contact = add(capsys, url, "contact", "--account", account["id"], "--first-name", "Marco",
                  "--last-name", f"Chef {login}", "--email", f"marco.{login}@bistro.example", login=login)
    deal = add(capsys, url, "opportunity", "--account", account["id"], "--name", "Produce", "--value", "12,000",
               "--expected-close", "2026-05-31", "--contact", contact["id"], login=login)
    lead = add(capsys, url, "lead", "--company", f"Taco {login}", "--first-name", "Jo", "--last-name", "Li",
               login=login)
    competitor = add(capsys, url, "competitor", "--name", f"FreshCo {login}", login=login)
    return {"account": account["id"], "contact": contact["id"], "opportunity": deal["id"], "lead": lead["id"],
            "competitor": competitor["id"]}


# entity: (add options, set options, (field, value after the set)); {name} is a record of the book
CASES = {
    "account": (["--name", "Corner Cafe", "--industry", "restaurant", "--tier", "key", "--phone", "555 0100"],
                ["--tier", "strategic", "--revenue", "2,500,000"], ("annual_revenue_cents", 250_000_000)),
    "contact": (["--account", "{account}", "--first-name", "Ana", "--last-name", "Ruiz", "--buying-role", "champion"],
                ["--title", "Head chef", "--email", "ana@corner.example"], ("title", "Head chef")),
    "lead": (["--company", "Deli Two", "--first-name", "Kim", "--last-name", "Park", "--score", "40"],
             ["--last-name", "Park-Lee", "--status", "contacted"], ("name", "Kim Park-Lee")),
    "opportunity": (["--account", "{account}", "--name", "Oil supply", "--value", "900.50",
                     "--expected-close", "2026-06-30", "--budget", "1000"],
                    ["--next-step", "Tasting on Friday", "--value", "1,200"], ("value_cents", 120_000)),
    "line-item": (["--opportunity", "{opportunity}", "--product", "OIL-5L", "--quantity", "3", "--discount", "10"],
                  ["--quantity", "5"], ("total_cents", 180_00)),
    "deal-competitor": (["--opportunity", "{opportunity}", "--competitor", "{competitor}"],
                        ["--notes", "cheaper on dairy"], ("notes", "cheaper on dairy")),
    "proposal": (["--opportunity", "{opportunity}", "--title", "Spring menu", "--valid-until", "2026-04-30"],
                 ["--status", "sent"], ("status", "sent")),
    "task": (["--title", "Call the chef", "--opportunity", "{opportunity}", "--priority", "high"],
             ["--status", "done"], ("status", "done")),
    "competitor": (["--name", "AgriMax", "--strengths", "price, range", "--market-share", "12.5"],
                   ["--pricing", "lower"], ("pricing", "lower")),
    "battlecard": (["--competitor", "{competitor}", "--title", "Beat them on freshness"],
                   ["--body", "Next-day delivery"], ("body", "Next-day delivery")),
    "interaction": (["--kind", "call", "--subject", "Checked in", "--contact", "{contact}"],
                    ["--outcome", "positive"], ("outcome", "positive")),
    "account-member": (["--account", "{account}", "--user", "rex", "--role", "support"],
                       ["--primary", "yes"], ("is_primary", True)),
    "contract": (["--account", "{account}", "--value", "50000", "--end", "2027-03-15"],
                 ["--auto-renew", "yes"], ("auto_renew", True)),
    "location": (["--account", "{account}", "--name", "Downtown kitchen", "--city", "Lyon"],
                 ["--phone", "555-0199"], ("phone", "555-0199")),
    "product": (["--name", "Sunflower oil 10 l", "--sku", "SUN-10L", "--category", "oil", "--list-price", "42"],
                ["--list-price", "45.50"], ("list_price_cents", 45_50)),
}
CASE_LOGIN = {"product": "mia"}  # the catalogue is kept by managers and admins

# entity: options with two bad values (each must be named)
BAD = {
    "account": ["--name", "X", "--industry", "spaceport", "--revenue", "lots"],
    "contact": ["--account", "{account}", "--first-name", "A", "--last-name", "B", "--email", "not-mail",
                "--buying-role", "boss"],
    "lead": ["--company", "C", "--first-name", "A", "--last-name", "B", "--score", "500", "--email", "x@"],
    "opportunity": ["--account", "{account}", "--name", "D", "--value", "12.345", "--expected-close", "2026-02-30"],
    "line-item": ["--opportunity", "{opportunity}", "--product", "OIL-5L", "--quantity", "-2", "--discount", "150"],
    "deal-competitor": ["--opportunity", "999", "--competitor", "998"],
    "proposal": ["--opportunity", "{opportunity}", "--title", "P", "--amount", "-5", "--valid-until", "soon"],
    "task": ["--title", "T", "--due", "tomorrow", "--priority", "asap"],
    "competitor": ["--name", "Z", "--pricing", "free", "--market-share", "140"],
    "battlecard": ["--competitor", "{competitor}", "--title", "", "--body", "x"],
    "interaction": ["--kind", "telepathy", "--subject", "S", "--contact", "{contact}", "--duration", "ninety"],
    "account-member": ["--account", "{account}", "--user", "nobody", "--role", "chef"],
    "contract": ["--account", "{account}", "--value", "abc", "--end", "never"],
    "location": ["--account", "{account}", "--name", "", "--phone", "call me"],
    "product": ["--name", "P", "--sku", "P-1", "--category", "c", "--list-price", "-3", "--active", "perhaps"],
}
BAD_NAMES = {"battlecard": ["--title"], "deal-competitor": ["--opportunity", "--competitor"],
             "interaction": ["--kind", "--duration"]}


def fill(options, refs):
    return [o.format(**refs) for o in options]


def test_every_entity_has_a_case():
    assert set(CASES) == set(ENTITIES) == set(BAD)


@pytest.mark.parametrize("entity", sorted(CASES))
def test_create_change_archive_restore(entity, crm, capsys):
    refs = book(capsys, crm)
    add_options, set_options, (field, expected) = CASES[entity]
    login = CASE_LOGIN.get(entity, "ray")
    created = add(capsys, crm, entity, *fill(add_options, refs), login=login)
    assert created["id"] >= 1
    code, out, err = run(capsys, crm, "set", entity, created["id"], *fill(set_options, refs), "--format", "json",
                         login=login)
    assert code == 0, err
    changed = json.loads(out)
    assert changed["id"] == created["id"] and changed[field] == expected
    if entity not in ARCHIVABLE:
        code, _, err = run(capsys, crm, "archive", entity, created["id"])
        assert code == 2 and "invalid choice" in err  # only the archivable entities are offered
        return
    code, out, err = run(capsys, crm, "archive", entity, created["id"], "--format", "json")
    assert code == 0, err
    assert json.loads(out)["archived_at"] is not None
    before = digest(crm)
    code, _, err = run(capsys, crm, "archive", entity, created["id"])
    assert code == 1 and "already archived" in err and digest(crm) == before
    code, out, err = run(capsys, crm, "restore", entity, created["id"], "--format", "json")
    assert code == 0, err
    assert json.loads(out)["archived_at"] is None
    with Store.open(crm) as store:
        actions = [(e.action.value, e.field) for e in store.audit.find(table_name=ENTITIES[entity].table,
                                                                       record_id=created["id"])]
    assert ("create", "") in actions and actions.count(("update", "archived_at")) == 2


@pytest.mark.parametrize("entity", sorted(BAD))
def test_bad_values_are_all_named_and_nothing_is_written(entity, crm, capsys):
    refs = book(capsys, crm)
    before = digest(crm)
    options = fill(BAD[entity], refs)
    code, out, err = run(capsys, crm, "add", entity, *options, login=CASE_LOGIN.get(entity, "ray"))
    assert code == 1 and out == ""
    named = BAD_NAMES.get(entity) or [o for o in options[-4::2]]
    for option in named:
        assert f"  {option}: " in err, (option, err)
    assert "Traceback" not in err
    assert digest(crm) == before


def test_a_missing_required_field_is_named_with_the_others(crm, capsys):
    run(capsys, crm, "list", "users")  # the first open stores the pipeline
    before = digest(crm)
    code, _, err = run(capsys, crm, "add", "opportunity", "--value", "ten")
    assert code == 1
    for option in ("--account", "--name", "--expected-close"):
        assert f"  {option}: required" in err
    assert "  --value: " in err and digest(crm) == before


@pytest.mark.parametrize("entity,options", [
    ("account", ["--name", "Not mine", "--owner", "rex"]),
    ("lead", ["--company", "C", "--first-name", "A", "--last-name", "B", "--owner", "rex"]),
    ("opportunity", ["--account", "{account}", "--name", "D", "--value", "1", "--expected-close", "2026-04-01"]),
    ("opportunity", ["--account", "{own_account}", "--name", "D", "--value", "1", "--expected-close", "2026-04-01",
                     "--owner", "rex"]),
    ("contact", ["--account", "{account}", "--first-name", "A", "--last-name", "B"]),
    ("task", ["--title", "T", "--assignee", "rex"]),
    ("task", ["--title", "T", "--opportunity", "{opportunity}"]),
    ("proposal", ["--opportunity", "{opportunity}", "--title", "P"]),
    ("line-item", ["--opportunity", "{opportunity}", "--product", "OIL-5L"]),
    ("deal-competitor", ["--opportunity", "{opportunity}", "--competitor", "{competitor}"]),
    ("interaction", ["--kind", "call", "--subject", "S", "--opportunity", "{opportunity}"]),
    ("account-member", ["--account", "{account}", "--user", "ray", "--role", "support"]),
    ("contract", ["--account", "{account}", "--value", "5", "--end", "2027-01-01"]),
    ("location", ["--account", "{account}", "--name", "Annex"]),
])
def test_a_rep_cannot_create_in_another_reps_book(entity, options, crm, capsys):
    """Competitors and battlecards are the team's shared catalogue; everything else belongs to a book."""
    theirs = book(capsys, crm, login="rex")
    own = add(capsys, crm, "account", "--name", "Ray's own place")
    before = digest(crm)
    code, out, err = run(capsys, crm, "add", entity, *fill(options, {**theirs, "own_account": own["id"]}))
    assert code == 1 and out == "", err
    assert "rep" in err and "ray" in err
    assert digest(crm) == before
    # their manager may
    code, _, err = run(capsys, crm, "add", entity, *fill(options, {**theirs, "own_account": own["id"]}),
                       login="mia")
    assert code == 0, err


def test_a_rep_cannot_change_another_reps_records(crm, capsys):
    theirs = book(capsys, crm, login="rex")
    before = digest(crm)
    for entity, options in (("opportunity", ["--next-step", "x"]), ("account", ["--tier", "key"]),
                            ("lead", ["--score", "9"]), ("contact", ["--title", "x"])):
        code, _, err = run(capsys, crm, "set", entity, theirs[entity], *options)
        assert code == 1 and "belongs to rex" in err, err
        code, _, err = run(capsys, crm, "archive", entity, theirs[entity])
        assert code == 1 and "belongs to rex" in err, err
    assert digest(crm) == before


def test_what_you_create_is_yours_and_dated_today(crm, capsys):
    refs = book(capsys, crm)
    with Store.open(crm) as store:
        ray = store.user_by_login("ray")
        deal = store.opportunities.require(refs["opportunity"])
        assert deal.owner_id == ray.id and deal.started_on == date.fromisoformat(AS_OF)
        assert deal.stage == "discovery" and len(store.stage_changes.find(opportunity=deal.id)) == 1
        assert store.leads.require(refs["lead"]).owner_id == ray.id
        assert store.accounts.require(refs["account"]).owner_id == ray.id
    task = add(capsys, crm, "task", "--title", "Follow up")
    assert task["assignee_id"] == ray.id and task["due_on"] == AS_OF


def test_line_items_set_the_deal_value(crm, capsys):
    refs = book(capsys, crm)
    add(capsys, crm, "line-item", "--opportunity", refs["opportunity"], "--product", "OIL-5L", "--quantity", "2")
    add(capsys, crm, "line-item", "--opportunity", refs["opportunity"], "--product", "OIL-5L", "--quantity", "1.5",
        "--unit-price", "30", "--discount", "10")
    with Store.open(crm) as store:
        value = store.opportunities.require(refs["opportunity"]).value_cents
    assert value == 2 * 40_00 + int(Decimal("1.5") * 30_00 * Decimal("0.9"))


def test_a_duplicate_account_is_refused_with_the_match(crm, capsys):
    first = add(capsys, crm, "account", "--name", "Blue Door Bistro", "--phone", "(555) 123-4567",
                "--domain", "bluedoor.example")
    before = digest(crm)
    for options in (["--name", "The Blue Door Bistro, Inc."], ["--name", "BDB", "--phone", "555.123.4567"],
                    ["--name", "Other", "--domain", "https://www.bluedoor.example/menu"]):
        code, _, err = run(capsys, crm, "add", "account", *options)
        assert code == 1 and f"account {first['id']}: Blue Door Bistro" in err and "--allow-duplicate" in err
    assert digest(crm) == before
    second = add(capsys, crm, "account", "--name", "Blue Door Bistro", "--allow-duplicate")
    assert second["id"] != first["id"]


def test_a_duplicate_contact_is_refused_with_the_match(crm, capsys):
    refs = book(capsys, crm)
    before = digest(crm)
    code, _, err = run(capsys, crm, "add", "contact", "--account", refs["account"], "--first-name", "M",
                       "--last-name", "X", "--email", "MARCO.ray@bistro.example")
    assert code == 1 and f"contact {refs['contact']}" in err and "same e-mail" in err
    assert digest(crm) == before


def test_archived_records_leave_lists_and_figures(crm, capsys):
    refs = book(capsys, crm)

    def listed(entity, *extra):
        code, out, err = run(capsys, crm, "list", entity, "--format", "json", *extra)
        assert code == 0, err
        return [row["id"] for row in json.loads(out)]

    assert refs["opportunity"] in listed("opportunities")
    run(capsys, crm, "archive", "opportunity", refs["opportunity"])
    run(capsys, crm, "archive", "lead", refs["lead"])
    assert refs["opportunity"] not in listed("opportunities")
    assert refs["opportunity"] in listed("opportunities", "--archived")
    assert refs["lead"] not in listed("leads") and refs["lead"] in listed("leads", "--archived")
    code, out, _ = run(capsys, crm, "stats", "--format", "json")
    assert code == 0 and "12000" not in out.replace(",", "")
    # the audit log and exports keep them
    code, out, _ = run(capsys, crm, "export", "opportunity", "--format", "json", login="ada")
    assert code == 0 and any(row["id"] == refs["opportunity"] and row["archived_at"] for row in json.loads(out))


def test_undo_reverts_a_stage_move_then_the_change_before(crm, capsys):
    refs = book(capsys, crm)
    deal = refs["opportunity"]
    code, _, err = run(capsys, crm, "set", "opportunity", deal, "--next-step", "Tasting")
    assert code == 0, err
    code, _, err = run(capsys, crm, "move", deal, "closed_lost", "--lost-reason", "Price")
    assert code == 0, err
    code, out, err = run(capsys, crm, "undo")
    assert code == 0 and f"opportunity {deal}: " in out and "stage" in out, err
    with Store.open(crm) as store:
        opp = store.opportunities.require(deal)
        assert opp.stage == "discovery" and opp.actual_close_date is None and opp.lost_reason == ""
        assert [s.to_stage for s in store.stage_changes.find(opportunity=deal)] == [
            "discovery", "closed_lost", "discovery"]
        assert store.audit.find(field="undo")
    code, out, err = run(capsys, crm, "undo")  # the change before: the next step
    assert code == 0, err
    with Store.open(crm) as store:
        assert store.opportunities.require(deal).next_step == ""


def test_undo_of_a_create_archives_it_and_nothing_left_is_refused(database_url, capsys):
    with Store.open(database_url) as store:
        store.users.insert(User(login="ray", display_name="Ray", role=Role.ADMIN, created_at=NOW))
    account = add(capsys, database_url, "account", "--name", "Solo")
    code, _, err = run(capsys, database_url, "undo")
    assert code == 0, err
    with Store.open(database_url) as store:
        assert store.accounts.require(account["id"]).archived_at is not None
    before = digest(database_url)
    code, _, err = run(capsys, database_url, "undo")
    assert code == 1 and "nothing to undo" in err and digest(database_url) == before


def test_undo_refuses_a_field_changed_since_by_someone_else(crm, capsys):
    refs = book(capsys, crm)
    run(capsys, crm, "set", "opportunity", refs["opportunity"], "--next-step", "Call")
    run(capsys, crm, "set", "opportunity", refs["opportunity"], "--next-step", "Visit", login="mia")
    before = digest(crm)
    code, _, err = run(capsys, crm, "undo")
    assert code == 1 and "changed since" in err and digest(crm) == before


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.one_of(st.decimals(min_value=-10, max_value=10**7, places=2, allow_nan=False).map(str),
                       st.text(max_size=12)),
       close=st.one_of(st.dates().map(date.isoformat), st.text(max_size=12)))
def test_add_opportunity_values_are_parsed_exactly_or_refused_by_name(crm, capsys, value, close):
    with Store.open(crm) as store:
        account = store.accounts.find(limit=1)
    if not account:
        add(capsys, crm, "account", "--name", "Hypothesis Diner")
        with Store.open(crm) as store:
            account = store.accounts.find(limit=1)
    before = digest(crm)
    code, out, err = run(capsys, crm, "add", "opportunity", "--account", account[0].id, "--name", "H",
                         f"--value={value}", f"--expected-close={close}", "--format", "json")
    try:
        cents = parse_cents(value)
        value_ok = cents >= 0
    except MoneyError:
        value_ok = False
    try:
        date.fromisoformat(close.strip())
        close_ok = True
    except ValueError:
        close_ok = False
    if value_ok and close_ok and value.strip() and close.strip():
        assert code == 0, err
        assert json.loads(out)["value_cents"] == cents
    else:
        assert code == 1 and "Traceback" not in err
        assert digest(crm) == before
        if not value_ok:
            assert "  --value: " in err
        if not close_ok:
            assert "  --expected-close: " in err


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(score=st.text(max_size=6), email=st.text(max_size=20), status=st.text(max_size=10))
def test_set_lead_options_never_crash_and_refusals_write_nothing(crm, capsys, score, email, status):
    with Store.open(crm) as store:
        leads = store.leads.find(limit=1)
    if not leads:
        add(capsys, crm, "lead", "--company", "Q", "--first-name", "A", "--last-name", "B")
        with Store.open(crm) as store:
            leads = store.leads.find(limit=1)
    before = digest(crm)
    code, out, err = run(capsys, crm, "set", "lead", leads[0].id, f"--score={score}", f"--email={email}",
                         f"--status={status}")
    assert code in (0, 1) and "Traceback" not in err
    if code == 1:
        assert digest(crm) == before and err.startswith("pantry: ")


def test_undo_reverts_a_proposal_status_a_task_done_and_a_reassignment(crm, capsys):
    refs = book(capsys, crm)
    proposal = add(capsys, crm, "proposal", "--opportunity", refs["opportunity"], "--title", "Menu")
    task = add(capsys, crm, "task", "--title", "Call")
    assert run(capsys, crm, "set", "proposal", proposal["id"], "--status", "sent")[0] == 0
    assert run(capsys, crm, "set", "task", task["id"], "--status", "done")[0] == 0
    assert run(capsys, crm, "set", "opportunity", refs["opportunity"], "--owner", "rex", login="mia")[0] == 0
    code, out, err = run(capsys, crm, "undo", login="mia")
    assert code == 0 and "owner" in out, err
    assert run(capsys, crm, "undo")[0] == 0  # the task
    code, _, err = run(capsys, crm, "undo")  # the proposal
    assert code == 0, err
    with Store.open(crm) as store:
        assert store.opportunities.require(refs["opportunity"]).owner_id == store.user_by_login("ray").id
        done = store.tasks.require(task["id"])
        assert done.status.value == "open" and done.completed_at is None
        sent = store.proposals.require(proposal["id"])
        assert sent.status.value == "draft" and sent.sent_at is None


def test_a_rep_cannot_change_the_catalogue(crm, capsys):
    run(capsys, crm, "list", "users")  # the first open stores the pipeline
    before = digest(crm)
    code, _, err = run(capsys, crm, "add", "product", "--name", "X", "--sku", "X-1", "--category", "c",
                       "--list-price", "1")
    assert code == 1 and "cannot change the catalogue" in err and digest(crm) == before
    code, _, err = run(capsys, crm, "add", "product", "--name", "Y", "--sku", "OIL-5L", "--category", "c",
                       "--list-price", "1", login="mia")
    assert code == 1 and "--sku: already the SKU of product 1" in err and digest(crm) == before
