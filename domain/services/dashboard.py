"""The figures on the dashboard, gathered in one call (run it in a worker)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from domain.filters import OpportunityFilter
from domain.periods import month_end, month_start, week_start
from domain.services.analytics import SourcePerformance, source_performance
from domain.services.closing_risks import ClosingRisks, closing_risks
from domain.services.pipeline_summary import PipelineSummary
from domain.session import Session


@dataclass(frozen=True)
class RepLine:
    login: str
    name: str
    won_cents: int
    quota_cents: int
    weighted_cents: int

    @property
    def attainment(self) -> float | None:
        return None if not self.quota_cents else self.won_cents / self.quota_cents


@dataclass(frozen=True)
class RecentActivity:
    when: object
    kind: str
    subject: str
    who: str
    opportunity_id: int | None


@dataclass(frozen=True)
class Dashboard:
    summary: PipelineSummary
    month_label: str
    month_quota_cents: int
    month_won_count: int
    month_won_cents: int
    new_leads_since_last_visit: int
    closing_this_week: int
    sources: tuple[SourcePerformance, ...]  # the Lead sources report's rows (most leads first)
    team: tuple[RepLine, ...] = ()
    recent: tuple[RecentActivity, ...] = ()
    closing_risks: ClosingRisks | None = None  # closing this week with requirements still open

    @property
    def attainment(self) -> float | None:
        if self.month_quota_cents == 0:
            return None
        return self.month_won_cents / self.month_quota_cents


def build_dashboard(session: Session) -> Dashboard:
    today = session.clock.today()
    start, end = month_start(today), month_end(today)
    won_count, won_cents = session.store.won_between(session.pipeline.won.id, start, end, session.owners())
    visible, unassigned = session.visible_logins(), session.sees_unassigned_leads()
    since = session.actor.last_seen_at if session.actor and session.actor.last_seen_at else session.clock.now() - timedelta(hours=24)
    monday = week_start(today)
    return Dashboard(
        summary=session.pipeline_summary(),
        month_label=start.strftime("%B %Y"),
        month_quota_cents=session.store.quota_total("month", start, session.quota_logins()),
        month_won_count=won_count,
        month_won_cents=won_cents,
        new_leads_since_last_visit=session.store.leads_created_since(since, visible, unassigned),
        closing_this_week=_closing(session, monday, monday + timedelta(days=6)),
        sources=_sources(session),
        team=_team(session),
        recent=_recent(session),
        closing_risks=closing_risks(session, monday, monday + timedelta(days=6)),
    )


def _sources(session: Session) -> tuple[SourcePerformance, ...]:
    """The Lead sources report's figures (the same call, all time), most leads first."""
    from domain.reports.base import ReportParams

    rows = source_performance(session, ReportParams(as_of=session.clock.today()))
    return tuple(sorted(rows, key=lambda s: (-s.leads, s.source)))


def _team(session: Session) -> tuple[RepLine, ...]:
    """Attainment by rep this month (from the reps report's figures), best first."""
    from domain.reports.base import ReportParams
    from domain.services.analytics import rep_performance

    reps = rep_performance(session, ReportParams(as_of=session.clock.today()))
    lines = [RepLine(r.login, r.name, r.month_won_cents, r.month_quota_cents, r.weighted_value_cents) for r in reps]
    return tuple(sorted(lines, key=lambda r: (-(r.attainment or 0), r.login)))


def _recent(session: Session, limit: int = 8) -> tuple[RecentActivity, ...]:
    activities = session.store.recent_activities(limit, session.visible_logins())
    logins = session.store.user_logins({a.created_by_id for a in activities if a.created_by_id})
    return tuple(
        RecentActivity(a.created_at, a.kind.value, a.subject, logins.get(a.created_by_id, "system"), a.opportunity_id)
        for a in activities
    )


def _closing(session: Session, start, end) -> int:
    return session.opportunities(OpportunityFilter(status="open", close_from=start, close_to=end), 0, 0).total
