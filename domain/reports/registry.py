"""Every report by name: what `pantry report NAME` and the Reports screen offer."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import import_module

from domain.reports.base import Report, ReportParams
from domain.session import Session


@dataclass(frozen=True)
class ReportKind:
    name: str
    title: str
    module: str
    function: str = "build"

    def build(self, session: Session, params: ReportParams) -> Report:
        """Refused when --rep or --team names someone the session cannot see (every report, alike)."""
        session.owners(params.reps)
        session.team(params.team)
        builder: Callable[[Session, ReportParams], Report] = getattr(import_module(self.module), self.function)
        return builder(session, params)


REPORTS: tuple[ReportKind, ...] = (
    ReportKind("pipeline", "Pipeline", "domain.reports.pipeline"),
    ReportKind("conversion", "Stage conversion", "domain.reports.conversion"),
    ReportKind("velocity", "Pipeline velocity", "domain.reports.conversion", "build_velocity"),
    ReportKind("forecast", "Forecast", "domain.reports.forecast"),
    ReportKind("reps", "Rep performance", "domain.reports.people"),
    ReportKind("teams", "Team performance", "domain.reports.people", "build_teams"),
    ReportKind("products", "Products", "domain.reports.breakdowns", "build_products"),
    ReportKind("sources", "Lead sources", "domain.reports.breakdowns", "build_sources"),
    ReportKind("winloss", "Win / loss", "domain.reports.breakdowns", "build_winloss"),
    ReportKind("accounts", "Account health", "domain.reports.accounts"),
    ReportKind("activities", "Activities and interactions", "domain.reports.activities"),
)


def report_kind(name: str) -> ReportKind:
    for kind in REPORTS:
        if kind.name == name:
            return kind
    raise KeyError(name)
