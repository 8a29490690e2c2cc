"""One definition per figure (issue 16): where a figure shows on two screens, or in the TUI and the CLI,
both read the same service call. On the demo data, each shared figure is compared across the dashboard,
Reports, Forecast, the detail screens and the CLI's JSON, and the lead figures against the database
itself (counted here with the standard library's sqlite3)."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, time, timedelta, timezone

import pytest

import cli.main as cli_main
from domain.clock import FixedClock
from domain.reports.base import ReportParams
from domain.reports.registry import report_kind
from domain.services.account_health import ENGAGEMENT, account_health
from domain.services.analytics import RepPerformance, rep_performance, source_performance
from domain.services.dashboard import build_dashboard
from domain.services.interactions import interaction_insights
from tests.tui_support import DEMO_TODAY, demo_database, make_session

MANAGER = "dwhitfield"


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory):
    return demo_database(tmp_path_factory)


def cli_json(capsys, *argv: str):
    assert cli_main.main([*argv, "--format", "json"]) == 0
    return json.loads(capsys.readouterr().out)


def _path(url: str) -> str:
    return url.removeprefix("sqlite:///")


@pytest.mark.parametrize("login", [MANAGER, "admin", "pshah"])
def test_lead_sources_are_one_figure_on_the_dashboard_the_reports_and_the_cli(demo_url, login, capsys):
    """The dashboard counted unassigned leads and the reports did not (Referral 128 against 110). Both
    cover the leads the user sees on the Leads list: a manager's reps' and the unassigned ones."""
    session = make_session(demo_url, login=login)
    dashboard = {s.source: (s.leads, s.converted) for s in build_dashboard(session).sources}
    report = {s.source: (s.leads, s.converted) for s in source_performance(session, ReportParams(as_of=DEMO_TODAY))}
    cli = {row["source"]: (row["leads"], row["converted"])
           for row in cli_json(capsys, "report", "sources", "--db", demo_url, "--as", login,
                               "--as-of", DEMO_TODAY.isoformat())}
    with sqlite3.connect(_path(demo_url)) as db:
        role, user_id = db.execute("SELECT role, id FROM user WHERE login = ?", (login,)).fetchone()
        where = {"admin": "1",
                 "manager": "(l.owner_id IS NULL OR o.manager_id = :me)",
                 "rep": "l.owner_id = :me"}[role]
        counted = db.execute(
            "SELECT COALESCE(NULLIF(l.source, ''), '(none)'), COUNT(*), SUM(l.converted_opportunity_id IS NOT NULL) "
            f"FROM lead l LEFT JOIN user o ON o.id = l.owner_id WHERE {where} GROUP BY 1", {"me": user_id},
        ).fetchall()
    expected = {source: (n, converted) for source, n, converted in counted}
    assert dashboard == report == cli == expected
    pipeline = cli_json(capsys, "report", "pipeline", "--db", demo_url, "--as", login, "--as-of", DEMO_TODAY.isoformat())
    assert pipeline["lead_count"] == sum(n for n, _ in expected.values())
    assert pipeline["leads_converted"] == sum(c for _, c in expected.values())


def test_pipeline_and_team_figures_agree_between_the_dashboard_stats_and_the_reports(demo_url, capsys):
    session = make_session(demo_url, login=MANAGER)
    dashboard = build_dashboard(session)
    common = ("--db", demo_url, "--as", MANAGER, "--as-of", DEMO_TODAY.isoformat())
    stats = cli_json(capsys, "stats", *common)
    pipeline = cli_json(capsys, "report", "pipeline", *common)
    s = dashboard.summary
    for doc in (stats, pipeline):
        assert round(doc["open_value"] * 100) == s.open_value_cents
        assert round(doc["weighted_value"] * 100) == s.weighted_value_cents
        assert doc["open_count"] == s.open_count
    reps = {row["rep"]: row for row in cli_json(capsys, "report", "reps", *common)}
    assert {line.login for line in dashboard.team} == set(reps)
    for line in dashboard.team:
        assert round(reps[line.login]["won_this_month"] * 100) == line.won_cents
        assert round(reps[line.login]["quota"] * 100) == line.quota_cents
        assert round(reps[line.login]["weighted_value"] * 100) == line.weighted_cents


def test_the_forecast_made_twice_in_the_same_minute_is_the_same(demo_url):
    """The Forecast screen said $467,644.75 and `pantry forecast show` $467,625.54 a moment later: a forecast
    made now is evaluated at the start of the minute the screen names ("Figures as of HH:MM")."""
    from domain.reports import forecast as forecast_report

    def figures(second: int) -> dict:
        session = make_session(demo_url, login=MANAGER)
        session.clock = FixedClock(datetime.combine(DEMO_TODAY, time(12, 0, second), tzinfo=timezone.utc))
        found = forecast_report.find(session, ReportParams(as_of=DEMO_TODAY), snapshot=False)
        return {name: (m.forecast_cents, m.worst_case_cents, m.best_case_cents)
                for name, m in found.forecast.methods.items()}

    assert figures(5) == figures(55)


def _accounts_with_interactions(url: str, limit: int) -> list[int]:
    with sqlite3.connect(_path(url)) as db:
        since = datetime.combine(DEMO_TODAY - timedelta(days=89), time(0)).strftime("%Y-%m-%d %H:%M:%S")
        return [i for (i,) in db.execute(
            "SELECT account_id FROM activity WHERE account_id IS NOT NULL AND completed_at IS NOT NULL "
            "AND completed_at >= ? GROUP BY account_id ORDER BY COUNT(*) DESC, account_id LIMIT ?", (since, limit))]


@pytest.mark.parametrize("login", [MANAGER, "admin"])
def test_the_account_detail_counts_one_number_of_interactions_and_one_sentiment(demo_url, login):
    """Account 279 said "32 interactions … sentiment +0.26" in the health panel and "Interactions 31 … +0.27"
    in the insights: the 90 days are the same whole days, every interaction with the account counted."""
    session = make_session(demo_url, login=login)
    accounts = _accounts_with_interactions(demo_url, 12)
    assert accounts
    for account_id in accounts:
        health = account_health(session, account_id)
        insights = interaction_insights(session, account_id)
        assert health.facts.interactions == insights.total, account_id
        assert health.facts.sentiment_scored == insights.scored, account_id
        if insights.scored:
            assert f"{health.facts.sentiment_average:+.2f}" == f"{insights.average_sentiment:+.2f}"
        assert f"{health.facts.interactions} interaction" in health.factor(ENGAGEMENT).detail


def test_coverage_is_never_negative_and_says_met_once_the_quota_is_won():
    def rep(quota: int, won: int) -> RepPerformance:
        return RepPerformance("x", "X", "", "", "", 1, 1, 100_00, 50_00, 1, 0, 0, 0, 0, quota, won, 0, 4.0, None)

    assert rep(1_000_00, 1_030_00).coverage == 0 and rep(1_000_00, 1_030_00).quota_met  # was -0.6
    assert rep(1_000_00, 900_00).coverage == pytest.approx(2.0) and not rep(1_000_00, 900_00).quota_met
    assert rep(0, 5_00).coverage is None


def test_the_reps_report_never_shows_a_negative_coverage(demo_url):
    session = make_session(demo_url, login="admin")
    report = report_kind("reps").build(session, ReportParams(as_of=DEMO_TODAY))
    column = report.tables[0].columns.index("Coverage")
    for row in report.tables[0].rows:
        assert not str(row[column]).startswith("-"), row
    for rep in rep_performance(session, ReportParams(as_of=DEMO_TODAY)):
        assert rep.coverage is None or rep.coverage >= 0


def test_the_interaction_trend_reads_as_a_change_of_the_daily_rate_not_a_rate_per_day(demo_url):
    """"↑ up (+110 % per day): 0.22 → 0.47 a day" read as growth per day; the change is the second half's
    daily rate against the first's."""
    from rich.console import Console

    from tui.widgets.insights import interaction_parts

    session = make_session(demo_url, login="admin")
    for account_id in _accounts_with_interactions(demo_url, 12):
        insights = interaction_insights(session, account_id)
        console = Console(width=200, record=True, file=open("/dev/null", "w"))
        for part in interaction_parts(insights):
            console.print(part)
        text = console.export_text()
        assert "% per day" not in text
        t = insights.trend
        assert f"{t.first_half_per_day:.2f} a day in the first half, {t.second_half_per_day:.2f} in the second" in text
        if t.change is not None:
            assert f"({t.change:+.0%})" in text
