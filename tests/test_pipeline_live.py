"""The pipeline engine across boundaries: SMTP delivery, the CLI, and a change seen by another process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from datetime import timedelta
from decimal import Decimal

import pytest

from cli.main import main
from domain.enums import Role
from domain.events import DataChanged
from domain.pipeline import DEFAULT_PIPELINE
from domain.services.mailer import SmtpSettings, deliver_outbox
from domain.services.metrics import PipelineMetrics
from domain.services.opportunity_updates import OpportunityUpdates
from domain.services.stage_moves import StageMover
from domain.session import Session
from tests.smtp_sink import SmtpSink


@pytest.fixture
def deal(store, clock, make):
    manager = make.user(login="mia", display_name="Mia Manager", role=Role.MANAGER, email="mia@example.com")
    rep = make.user(login="ray", display_name="Ray Rep", role=Role.REP, manager_id=manager.id, email="ray@example.com")
    account = make.account(name="Harbor Hotel", owner_id=rep.id)
    product = make.product(list_price_cents=100_00)
    opp = make.opportunity(name="Harbor Hotel — dairy", owner_id=rep.id, account_id=account.id, stage="negotiation",
                           probability=80, value_cents=0, stage_entered_at=clock.now() - timedelta(days=30))
    session = Session(store=store, clock=clock, pipeline=DEFAULT_PIPELINE, actor=rep)
    OpportunityUpdates(session).add_line_item(opp.id, product.id, Decimal(50))  # 50 x $100.00 = $5,000.00
    return session, opp


def test_outbox_is_delivered_through_a_local_smtp_server(deal):
    session, opp = deal
    StageMover(session).move(opp.id, "closed_won")
    with SmtpSink() as sink:
        sent, failed = deliver_outbox(session, SmtpSettings(host="127.0.0.1", port=sink.port, sender="crm@pantry.example"))
    assert (sent, failed) == (1, 0)
    [message] = sink.messages
    assert message["To"] == "mia@example.com" and message["Subject"] == "Won: Harbor Hotel — dairy"
    assert "Ray Rep closed Harbor Hotel — dairy with Harbor Hotel for $5,000.00." in message.get_content()
    [row] = session.store.outbox.find(opportunity=opp.id)
    assert row.status == "sent" and row.sent_at == session.clock.now()


def test_without_a_reachable_server_mail_stays_queued_with_the_reason(deal):
    session, opp = deal
    StageMover(session).move(opp.id, "closed_won")
    with SmtpSink() as sink:
        port = sink.port
    sent, failed = deliver_outbox(session, SmtpSettings(host="127.0.0.1", port=port))
    assert sent == 0 and failed == 1
    [row] = session.store.outbox.find(opportunity=opp.id)
    assert row.status == "queued" and "SMTP unavailable" in row.error
    assert deliver_outbox(session, None) == (0, 0)  # no server configured: kept in the outbox


def test_cli_move_refusal_lists_every_reason(store, make, database_url, capsys):
    rep = make.user(login="ray", role=Role.REP)
    opp = make.opportunity(owner_id=rep.id, stage="discovery")
    store.close()
    assert main(["move", str(opp.id), "qualification", "--db", database_url, "--as", "ray"]) == 1
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"pantry: cannot move opportunity {opp.id} to qualification:",
        "  - required activity 'call' not completed",
        "  - required field 'budget' not populated",
    ]
    assert main(["move", str(opp.id), "closed_lost", "--db", database_url, "--as", "ray"]) == 1
    assert "a lost reason is required" in capsys.readouterr().err
    assert main(["move", str(opp.id), "closed_lost", "--lost-reason", "Price", "--format", "json",
                 "--db", database_url, "--as", "ray"]) == 0
    moved = json.loads(capsys.readouterr().out)
    assert moved["stage"] == "closed_lost" and moved["lost_reason"] == "Price" and moved["probability"] == 0


def test_cli_alerts_json(store, make, database_url, clock, capsys):
    rep = make.user(login="ray", role=Role.REP)
    make.opportunity(name="Old deal", owner_id=rep.id, stage="qualification", probability=40,
                     stage_entered_at=clock.now() - timedelta(days=30), last_activity_at=clock.now())
    store.close()
    assert main(["alerts", "--format", "json", "--as-of", "2026-03-16", "--db", database_url]) == 0
    [alert] = json.loads(capsys.readouterr().out)
    assert {k: alert[k] for k in ("kind", "stage", "days", "threshold")} == {
        "kind": "stalled", "stage": "qualification", "days": 30, "threshold": 21,
    }
    assert main(["alerts", "--format", "json", "--as-of", "2026-03-16", "--rep", "nobody", "--db", database_url]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_another_process_moving_a_deal_reaches_this_one_within_a_second(deal, database_url):
    session, opp = deal
    # This process holds a subscription: the change watcher feeds the bus, the metrics recompute on it.
    metrics = PipelineMetrics(session)
    arrived = threading.Event()
    results = []

    def on_metrics(m):
        results.append(m)
        if m.summary.won_count == 1:
            arrived.set()

    metrics.subscribe(on_metrics)
    assert metrics.recompute().summary.weighted_value_cents == 4_000_00  # $5,000 x 80%
    watcher = session.store.watch(lambda kinds: session.bus.publish(DataChanged(kinds=kinds, external=True)))
    try:
        time.sleep(0.3)
        env = {**os.environ, "PYTHONPATH": os.getcwd()}
        subprocess.run(
            [sys.executable, "-m", "cli", "move", str(opp.id), "closed_won", "--db", database_url, "--as", "ray"],
            check=True, env=env, capture_output=True, timeout=60,
        )
        committed = time.monotonic()
        assert arrived.wait(timeout=1.0), "the other process's move did not arrive within one second"
        latency = time.monotonic() - committed
    finally:
        watcher.stop()
        metrics.close()
    latest = results[-1]
    assert latest.external and latest.summary.weighted_value_cents == 0 and latest.summary.won_value_cents == 5_000_00
    assert latency < 1.0
