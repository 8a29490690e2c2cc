"""Daily forecast snapshots, and forecast accuracy measured against them.

Once a day (on first use that day, or by `pantry forecast snapshot`) the team forecast of the
current and next month and quarter is stored for each method in `forecast_snapshot`. Later,
for each period that has ended, the snapshot taken on the period's 1st (or the nearest day
after it within the period) is compared with what was actually won: forecast accuracy is a
tracked figure, not a claim.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING

from domain.periods import month_start
from domain.records import ForecastSnapshot
from domain.services.forecast_backtest import abs_pct_error
from domain.services.forecast_series import WonTable
from domain.services.forecast_service import Context, context
from domain.services.forecasting import DEFAULT_HYBRID_WEIGHT, SHOWN, Period

if TYPE_CHECKING:
    from domain.session import Session

SCOPE = "team"
PERIOD_KINDS = ("month", "quarter")
METHODS = SHOWN  # auto, pipeline, historical, hybrid


def team_session(session: "Session") -> "Session":
    """The session without its user's scope: snapshots are the whole team's, whoever takes them."""
    return session if session.visible_logins() is None else replace(session, actor=None)


def snapshot_periods(today: date) -> list[Period]:
    """The current and next month, the current and next quarter."""
    out = []
    for kind in PERIOD_KINDS:
        current = Period.of(kind, today)
        out += [current, current.following()]
    return out


@dataclass(frozen=True)
class SnapshotOutcome:
    taken_on: date
    written: int  # rows stored by this call
    expected: int  # rows a complete day has

    @property
    def already_taken(self) -> bool:
        return self.written == 0


def take_daily_snapshot(session: "Session", ctx: Context | None = None) -> SnapshotOutcome:
    """Store today's snapshots unless they are there already (idempotent per day).

    `ctx`: the whole team's forecast context now, when the caller has it already (the forecast report
    does, when its session sees everyone).

    The hybrid always uses the default 0.6/0.4 blend here, so snapshots stay comparable over
    time whatever weight a user picks for a one-off forecast.
    """
    store = session.store
    now = session.clock.now()
    today = session.clock.today()
    periods = snapshot_periods(today)
    wanted = {(p.kind, p.start, m, SCOPE) for p in periods for m in METHODS}
    if wanted <= store.forecasting.snapshot_keys(today):
        return SnapshotOutcome(today, 0, len(wanted))
    ctx = ctx if ctx is not None and ctx.logins is None and ctx.at == now else context(team_session(session), now)
    rows = []
    for period in periods:
        commit = ctx.attainment(period).commit_cents
        for method, result in ctx.methods(period, DEFAULT_HYBRID_WEIGHT).items():
            rows.append(ForecastSnapshot(
                taken_on=today, period_kind=period.kind, period_start=period.start, method=method, scope=SCOPE,
                forecast_cents=result.forecast_cents, best_case_cents=result.best_case_cents,
                worst_case_cents=result.worst_case_cents, commit_cents=commit, confidence=result.confidence,
                created_at=now,
            ))
    with session.write(at=now) as change:  # announced (to this process too) only when rows were written
        written = store.forecasting.insert_snapshots(rows)
        if written:
            change.touch("forecast_snapshot")
    return SnapshotOutcome(today, written, len(wanted))


@dataclass(frozen=True)
class AccuracyLine:
    period: Period
    method: str
    taken_on: date
    forecast_cents: int
    actual_cents: int
    abs_pct_error: float | None


@dataclass(frozen=True)
class MethodAccuracy:
    method: str
    periods: int  # periods with an error (actual > 0)
    mape: float | None

    @property
    def accuracy(self) -> float | None:
        return None if self.mape is None else 1 - self.mape


@dataclass(frozen=True)
class AccuracyHistory:
    kind: str
    lines: tuple[AccuracyLine, ...]
    summary: tuple[MethodAccuracy, ...]


def accuracy_history(session: "Session", kind: str = "month", *, since: date | None = None,
                     won: WonTable | None = None) -> AccuracyHistory:
    """For each ended period with a snapshot taken within it: the first such snapshot per method
    against the won value of the period (wins standing now, at the value recorded with the win).
    `won`: the whole team's won table now, when the caller has read it already."""
    now = session.clock.now()
    today = now.date()
    current = Period.of(kind, today)
    snapshots = session.store.forecasting.snapshots(kind, SCOPE, period_end_before=current.start, period_from=since)
    chosen: dict[tuple[date, str], ForecastSnapshot] = {}
    for s in snapshots:  # ordered by period, method, taken_on
        period = Period.of(kind, s.period_start)
        if not (period.start <= s.taken_on <= period.end):
            continue
        chosen.setdefault((s.period_start, s.method), s)
    if not chosen:
        return AccuracyHistory(kind, (), tuple(MethodAccuracy(m, 0, None) for m in METHODS))
    won = won or WonTable(session.store.forecasting.won_table(now, session.pipeline.won.id))
    by_month = {m: won.actual(m) for m in {month_start(s.period_start) for s in chosen.values()} | {
        m for s in chosen.values() for m in Period.of(kind, s.period_start).months()}}
    lines = []
    for (start, method), s in sorted(chosen.items(), key=lambda x: (x[0][0], METHODS.index(x[0][1])
                                                                    if x[0][1] in METHODS else 99, x[0][1])):
        period = Period.of(kind, start)
        actual = sum(by_month.get(m, 0) for m in period.months())
        lines.append(AccuracyLine(period, method, s.taken_on, s.forecast_cents, actual,
                                  abs_pct_error(s.forecast_cents, actual)))
    summary = []
    for method in METHODS:
        errors = [line.abs_pct_error for line in lines if line.method == method and line.abs_pct_error is not None]
        summary.append(MethodAccuracy(method, len(errors), sum(errors) / len(errors) if errors else None))
    return AccuracyHistory(kind, tuple(lines), tuple(summary))
