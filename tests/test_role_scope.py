"""Every list, report, figure and export as a rep, a manager and an admin on the demo data (issue 14):
no record outside the caller's scope appears, and every total equals the sum of what the caller may
list. Runs on SQLite, and on PostgreSQL when PANTRY_TEST_DATABASE_URL is set.

Scope (docs/roles.md): a rep their own records; a manager theirs and their reps'; an admin all.
"""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from cli.main import main
from tests.conftest import ON_POSTGRES, PG_URL, wipe_postgres

AS_OF = "2026-06-15"
OPEN_STAGES = {"discovery", "qualification", "proposal", "negotiation"}
ROLES = {"rep": "pshah", "manager": "dwhitfield", "admin": "admin"}


def run(url: str, login: str, *argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["--db", url, "--as", login, "--as-of", AS_OF, *argv])
    return code, out.getvalue(), err.getvalue()


def data(url: str, login: str, *argv: str):
    code, out, err = run(url, login, *argv)
    assert code == 0, (argv, err)
    return json.loads(out)


def cents(dollars) -> int:
    return round(float(dollars or 0) * 100)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> str:
    if ON_POSTGRES:
        wipe_postgres(PG_URL)
        url = PG_URL
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('scope') / 'pantry.db'}"
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        assert main(["demo", "--db", url, "--opportunities", "240", "--as-of", AS_OF]) == 0
    return url


def scope_of(url: str, login: str) -> set[str] | None:
    users = data(url, "admin", "list", "users", "--format", "json")
    me = next(u for u in users if u["login"] == login)
    if me["role"] == "admin":
        return None
    if me["role"] == "manager":
        return {login} | {u["login"] for u in users if u["manager_login"] == login}
    return {login}


@pytest.mark.parametrize("role", list(ROLES))
def test_every_list_report_and_figure_stays_in_the_callers_scope(demo, role):
    login = ROLES[role]
    scope = scope_of(demo, login)

    def in_scope(owner) -> bool:
        return scope is None or owner in scope

    everything = data(demo, "admin", "list", "opportunities", "--format", "json")
    opps = data(demo, login, "list", "opportunities", "--format", "json")
    assert opps and all(in_scope(o["owner"]) for o in opps)
    assert {o["id"] for o in opps} == {o["id"] for o in everything if in_scope(o["owner"])}
    opp_ids = {o["id"] for o in opps}
    open_by_account: dict[int, int] = {}
    for o in opps:
        if o["stage"] in OPEN_STAGES and o["account_id"] is not None:
            open_by_account[o["account_id"]] = open_by_account.get(o["account_id"], 0) + cents(o["value"])

    leads = data(demo, login, "list", "leads", "--format", "json")
    assert all(in_scope(x["owner_login"]) or (role == "manager" and not x["owner_login"]) for x in leads)
    tasks = data(demo, login, "list", "tasks", "--format", "json")
    assert all(in_scope(t["assignee_login"]) for t in tasks)
    proposals = data(demo, login, "list", "proposals", "--format", "json")
    assert all(in_scope(p["owner_login"]) and p["opportunity_id"] in opp_ids for p in proposals)

    accounts = data(demo, login, "list", "accounts", "--format", "json")
    account_ids = {a["id"] for a in accounts}
    for a in accounts:  # an account's open value: the open deals on it the caller may list
        assert cents(a["open_value"]) == open_by_account.get(a["id"], 0), a["name"]
    contacts = data(demo, login, "list", "contacts", "--format", "json")
    assert all(c["account_id"] in account_ids for c in contacts)

    stats = data(demo, login, "stats", "--format", "json")
    assert stats["total_count"] == len(opps)
    assert cents(stats["open_value"]) == sum(cents(o["value"]) for o in opps if o["stage"] in OPEN_STAGES)
    pipeline = data(demo, login, "report", "pipeline", "--format", "json")
    assert pipeline["total_opportunities"] == len(opps)
    assert cents(pipeline["open_value"]) == cents(stats["open_value"])

    report_accounts = data(demo, login, "report", "accounts", "--format", "json")
    assert report_accounts and {a["id"] for a in report_accounts} <= account_ids
    for a in report_accounts:
        assert in_scope(a["owner"])
        assert cents(a["open_pipeline_value"]) == open_by_account.get(a["id"], 0), a["name"]
    activities = data(demo, login, "report", "activities", "--format", "json")
    assert activities["reps"] and all(in_scope(r["rep"]) for r in activities["reps"])
    reps = data(demo, login, "report", "reps", "--format", "json")
    assert reps and all(in_scope(r["rep"]) for r in reps)
    for name in ("conversion", "velocity", "products", "sources", "winloss", "teams"):
        assert run(demo, login, "report", name, "--format", "json")[0] == 0
    forecast = data(demo, login, "forecast", "show", "--format", "json")
    assert all(in_scope(r["rep"]) for r in forecast["by_rep"])
    alerts = data(demo, login, "alerts", "--format", "json")
    assert all(a["opportunity_id"] in opp_ids for a in alerts)

    export = run(demo, login, "export", "opportunities")
    assert (export[0] == 0) == (role == "admin"), export[2]
    if scope is not None:  # asking beyond the scope is refused, naming the option
        other = next(o["owner"] for o in everything if not in_scope(o["owner"]))
        code, _out, err = run(demo, login, "report", "accounts", "--rep", other)
        assert code == 1 and f"--rep: {login} (" in err
        assert run(demo, login, "list", "opportunities", "--owner", other)[0] == 1


# -- the TUI's Reports screen: the same reports, the same scope ----------------------------------------


async def test_the_reports_screen_shows_a_rep_only_their_accounts_and_activities(tmp_path_factory):
    from domain.reports.base import ReportParams
    from domain.reports.registry import REPORTS, report_kind
    from tests.tui_support import DEMO_TODAY, demo_database, make_app, make_session, screen_text, settle

    session = make_session(demo_database(tmp_path_factory), login="pshah")
    others = {u.login for u in session.store.users.find() if u.login != "pshah"}
    names = [k.name for k in REPORTS]
    app = make_app(session)
    async with app.run_test(size=(200, 60)) as pilot:
        await pilot.press("r")
        await settle(pilot)
        for _ in range(names.index("accounts")):
            await pilot.press("down")
        await settle(pilot, 6)
        text = screen_text(app)
        expected = report_kind("accounts").build(session, ReportParams(as_of=DEMO_TODAY)).data
        assert expected and expected[0]["name"][:20] in text
        assert "pshah" in text and not [login for login in others if f" {login} " in text]
        await pilot.press("down")  # activities
        await settle(pilot, 6)
        text = screen_text(app)
        assert "Activities per rep per week" in text and "pshah" in text
        assert not [login for login in others if f" {login} " in text]
