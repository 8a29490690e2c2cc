"""A stage move through the domain service until the pipeline figures are recomputed and published,
beside one raw SQLite query that computes the same figures.

The service side (one process per size, on a scratch copy of the database): `StageMover.move`
moves a deal between Qualification and Discovery and back (a deal already meeting Qualification's
requirements, so both directions are allowed, and each sample leaves the data as it found it but
for the history rows); the session's `PipelineMetrics` recomputes the stage totals and the alerts
and publishes a `MetricsRecomputed`, which a subscriber timestamps. A sample runs from the call to
that publication; the share after the change event (the recompute and publish alone) is kept too.

The raw side: one `GROUP BY stage` query with the stdlib `sqlite3` module on the same file
(same cache pragmas as the store) giving per stage the count, value and value × probability, and
the stalled and idle counts with the same cut-off instants. Its figures are checked against the
published ones (`figures_match`).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from bench import proc
from bench.datasets import AS_OF, scratch
from bench.painted import now
from bench.stats import ms, summary

RAW_SQL = """
SELECT stage, COUNT(*), COALESCE(SUM(value_cents), 0), COALESCE(SUM(value_cents * probability), 0),
       SUM(CASE {stalled} ELSE 0 END),
       SUM(CASE WHEN stage IN ({open}) AND COALESCE(last_activity_at, created_at) < ? THEN 1 ELSE 0 END)
FROM opportunity GROUP BY stage
"""


def raw_query(pipeline, today):
    """The SQL and its parameters for the figures the metrics publish, as of `today`."""
    from domain.services.alerts import cutoff

    def instant(day_cutoff) -> str:  # stored as naive UTC text, 'YYYY-MM-DD HH:MM:SS[.ffffff]'
        return day_cutoff.replace(tzinfo=None).isoformat(sep=" ")

    open_stages = pipeline.open_stages
    stalled = " ".join("WHEN stage = ? AND stage_entered_at < ? THEN 1" for _ in open_stages)
    sql = RAW_SQL.format(stalled=stalled, open=", ".join("?" for _ in open_stages))
    params: list = []
    for stage in open_stages:
        params += [stage.id, instant(cutoff(today, stage.stall_days))]
    params += [stage.id for stage in open_stages]
    params.append(instant(cutoff(today, pipeline.idle_days)))
    return sql, params


def raw_figures(rows, pipeline) -> dict:
    from domain.services.pipeline_summary import weighted_cents

    open_ids = {s.id for s in pipeline.open_stages}
    stages = {stage: (n, value, weighted_cents(numerator)) for stage, n, value, numerator, _, _ in rows}
    weighted = weighted_cents(sum(numerator for stage, _, _, numerator, _, _ in rows if stage in open_ids))
    return {"stages": stages, "weighted": weighted, "stalled": sum(r[4] for r in rows), "idle": sum(r[5] for r in rows)}


def published_figures(metrics) -> dict:
    summary_ = metrics.summary
    stages = {s.stage.id: (s.count, s.value_cents, s.weighted_cents) for s in summary_.stages if s.count}
    return {"stages": stages, "weighted": summary_.weighted_value_cents, "stalled": metrics.stalled, "idle": metrics.idle}


def movable_deal(session) -> int:
    """A deal in Qualification that meets Qualification's requirements (so it can go back and forth)."""
    from domain.filters import OpportunityFilter
    from domain.services.stage_moves import unmet_requirements

    target = session.pipeline.stage("qualification")
    for offset in range(0, 2000, 50):
        page = session.opportunities(OpportunityFilter(stages=("qualification",)), offset, 50)
        for item in page.items:
            deal = session.store.opportunities.require(item.id)
            if not unmet_requirements(session, deal, target)[0]:
                return item.id
    raise RuntimeError("no deal in qualification meets its requirements")


def child(db: str, login: str, repeat: int) -> dict:
    from datetime import date

    from domain.clock import FixedClock
    from domain.pipeline import DEFAULT_PIPELINE
    from domain.services.metrics import PipelineMetrics
    from domain.services.stage_moves import StageMover
    from domain.session import Session
    from store.database import sqlite_url
    from store.store import Store

    today = date.fromisoformat(AS_OF)
    store = Store.open(sqlite_url(db))
    session = Session(store=store, clock=FixedClock.on(today), pipeline=DEFAULT_PIPELINE, actor=store.user_by_login(login))
    marks: dict[str, float] = {}
    session.bus.subscribe(lambda event: marks.__setitem__("event", now()))  # before the metrics: runs first
    # Inline: the recompute runs on this thread right after the move's commit, so the figure is the
    # recompute itself, comparable with earlier results (the app runs it in a worker, off the UI thread).
    metrics = PipelineMetrics(session, schedule=lambda run: run())
    published = []
    metrics.subscribe(lambda result: (marks.__setitem__("published", now()), published.append(result)))
    mover = StageMover(session)
    deal = movable_deal(session)
    totals, recomputes = [], []
    for index in range(repeat + 2):  # two warm-up moves, then the samples
        target = "discovery" if index % 2 == 0 else "qualification"
        marks.clear()
        started = now()
        mover.move(deal, target)
        if index >= 2:
            totals.append(marks["published"] - started)
            recomputes.append(marks["published"] - marks["event"])

    sql, params = raw_query(session.pipeline, today)
    raw = sqlite3.connect(db)
    raw.execute("PRAGMA cache_size = -65536")
    raw.execute("PRAGMA temp_store = memory")
    raw_samples, rows = [], []
    for index in range(repeat + 1):
        started = now()
        rows = raw.execute(sql, params).fetchall()
        if index:
            raw_samples.append(now() - started)
    raw.close()
    match = raw_figures(rows, session.pipeline) == published_figures(published[-1])
    store.close()
    return {"deal": deal, "move_total": totals, "recompute": recomputes, "raw": raw_samples, "figures_match": match,
            "alerts": len(published[-1].alerts)}


def measure(db: Path, login: str, size: int, repeat: int) -> dict:
    with scratch(db, f"stage-move-{size}.db") as copy:
        result = proc.probe("stage-move", "--db", str(copy), "--login", login, "--repeat", str(repeat)).json()
    return {
        "deal": result["deal"],
        "alerts_published": result["alerts"],
        "figures_match": result["figures_match"],
        "move_and_recompute_ms": summary(ms(result["move_total"]), 2),
        "recompute_and_publish_ms": summary(ms(result["recompute"]), 2),
        "raw_sqlite_ms": summary(ms(result["raw"]), 2),
    }
