"""Every write goes through one unit of work (`session.write`): one transaction, one announcement after commit.

1. The unit of work itself, on a store double: announce once after commit, never after a rollback,
   nested use joins the outer unit, each thread has its own.
2. Every write service of the domain, found by reading the code (any public function or method that
   writes through the store, or opens `session.write`), has a case in WRITE_SERVICES; a new one
   without a case fails here. Each case runs against the real store wrapped in a spy that records
   the transactions, the announcements, the bus and every write, and checks:
   - every write ran inside the session's unit of work;
   - exactly one announcement to the other processes, inside the transaction that committed, and
     exactly one DataChanged on the bus, after that commit, naming the same kinds;
   - when a write fails (the spy fails the first one), nothing is announced or published and the
     database is as it was.
"""

from __future__ import annotations

import ast
import hashlib
import threading
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

from domain.enums import ActivityKind, ProposalStatus, Role
from domain.events import DataChanged, EventBus
from domain.pipeline import DEFAULT_PIPELINE
from domain.records import Notification, OutboxMessage
from domain.session import Session
from domain.unit_of_work import UnitsOfWork
from store.repository import Repository

ROOT = Path(__file__).resolve().parents[1]

# -- 1. the unit of work on a store double ----------------------------------------------------------


@contextmanager
def logged(owner, transaction):
    """`transaction`, with its begin and its commit or rollback (and how deeply nested) in `owner.log`."""
    owner.depth += 1
    depth = owner.depth
    owner.log.append(("begin", depth))
    try:
        with transaction as txn:
            yield txn
    except BaseException:
        owner.log.append(("rollback", depth))
        raise
    else:
        owner.log.append(("commit", depth))
    finally:
        owner.depth -= 1


class StoreDouble:
    """Just the Transactions port: records what happens, in order."""

    def __init__(self) -> None:
        self.log: list[tuple] = []
        self.depth = 0

    def atomic(self):
        return logged(self, nullcontext())

    def announce_change(self, kinds) -> None:
        self.log.append(("announce", tuple(kinds)))


class Clock:
    def now(self) -> datetime:
        return datetime(2026, 3, 16, 12, tzinfo=timezone.utc)


@dataclass
class Bare:
    """The part of a Session the unit of work uses."""

    store: StoreDouble
    bus: EventBus
    clock: Clock = Clock()
    actor_login: str = "ray"

    def __post_init__(self) -> None:
        self._work = UnitsOfWork()

    def write(self, kinds=(), *, ids=None, at=None):
        return self._work.write(self, kinds, ids=ids, at=at)


@pytest.fixture
def bare() -> Bare:
    session = Bare(StoreDouble(), EventBus())
    session.bus.subscribe(lambda event: session.store.log.append(("publish", event)))
    return session


def test_a_unit_announces_once_after_commit(bare):
    with bare.write({"task"}, ids={"task": {7}}) as change:
        change.touch("notification")
        change.touch(task={8})
    log = bare.store.log
    assert log[:3] == [("begin", 1), ("announce", ("notification", "task")), ("commit", 1)]
    assert log[3] == ("publish", DataChanged(kinds=frozenset({"task", "notification"}), ids={"task": frozenset({7, 8})}))
    assert len(log) == 4


def test_a_unit_that_fails_announces_nothing(bare):
    with pytest.raises(RuntimeError):
        with bare.write({"task"}):
            raise RuntimeError("disk full")
    assert bare.store.log == [("begin", 1), ("rollback", 1)]


def test_a_unit_that_touched_nothing_announces_nothing(bare):
    with bare.write():
        pass
    assert bare.store.log == [("begin", 1), ("commit", 1)]


def test_nested_units_join_the_outer_one(bare):
    with bare.write({"opportunity"}) as outer:
        with bare.write({"task"}) as inner:
            assert inner is outer
        with bare.write({"notification"}):
            pass
    log = bare.store.log
    assert [e for e in log if e[0] in ("announce", "publish")] == [
        ("announce", ("notification", "opportunity", "task")),
        ("publish", DataChanged(kinds=frozenset({"opportunity", "task", "notification"}))),
    ]
    assert log.index(("commit", 1)) == log.index(("announce", ("notification", "opportunity", "task"))) + 1


def test_a_failed_inner_unit_that_is_caught_keeps_the_outer_one(bare):
    with bare.write({"opportunity"}):
        try:
            with bare.write({"task"}):
                raise ValueError("refused")
        except ValueError:
            pass
    assert ("rollback", 2) in bare.store.log and ("commit", 1) in bare.store.log
    assert sum(1 for e in bare.store.log if e[0] == "publish") == 1


def test_each_thread_has_its_own_unit(bare):
    inside, other_started, other_done = threading.Event(), threading.Event(), threading.Event()
    seen = {}

    def other():
        other_started.wait()
        seen["other"] = bare._work.current
        with bare.write({"lead"}) as change:
            seen["other change"] = change
        other_done.set()

    thread = threading.Thread(target=other)
    thread.start()
    with bare.write({"task"}) as mine:
        inside.set()
        other_started.set()
        other_done.wait(5)
    thread.join(5)
    assert seen["other"] is None and seen["other change"] is not mine
    assert sum(1 for e in bare.store.log if e[0] == "publish") == 2


# -- 2. every write service, found in the code ---------------------------------------------------------

# What the store's objects write with: a call to one of these through something named store or queries.
WRITE_CALLS = {"insert", "insert_many", "update", "delete", "write_health_scores", "insert_snapshots",
               "set_last_activity", "touch_last_seen", "insert_one", "insert_bulk", "update_many",
               "delete_line_items", "set_parent", "add_pipeline_version"}
# Not services: the mechanism itself, and helpers that only ever run inside another unit of work.
NOT_SERVICES = {
    "domain/unit_of_work.py": "the unit of work itself",
    "domain/services/audit.py": "the audit writers, called only through a Change (checked below)",
    "domain/importing/apply.py": "the import's write pass, run only inside run_import's unit of work",
}
# Helpers that open `session.write` to join their caller's unit (checked on their own, below).
JOINING_HELPERS = {
    "domain/services/automations.py:AutomationRunner.run",
    "domain/services/stage_moves.py:RequirementsWatcher.check",
}


def _chain(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.Attribute):
        return _chain(node.value) + [node.attr]
    if isinstance(node, ast.Call):
        return _chain(node.func)
    return []


def _functions(tree: ast.Module):
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, node
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    yield f"{node.name}.{item.name}", item


def _writes(function: ast.AST, in_session_module: bool) -> tuple[bool, set[str]]:
    """(does it write or open a unit of work, the names of the functions of its module it calls)

    Opening a unit of work: `session.write(…)`, or calling the unit of work it was handed (a parameter
    named `write` or `unit_of_work`, as the importer's write pass is)."""
    writes, called = False, set()
    handed = {a.arg for a in function.args.args + function.args.kwonlyargs} & {"write", "unit_of_work"}
    for node in ast.walk(function):
        if not isinstance(node, ast.Call) or not isinstance(node.func, (ast.Attribute, ast.Name)):
            continue
        chain = _chain(node.func)
        called.add(chain[-1])
        receiver = chain[:-1]
        if chain[-1] in WRITE_CALLS and ("store" in receiver or "queries" in receiver):
            writes = True
        if chain[-1] == "write" and ("session" in receiver or (in_session_module and receiver == ["self"])):
            writes = True
        if chain in ([name] for name in handed):
            writes = True
    return writes, called


def discover_write_services(root: Path = ROOT) -> set[str]:
    found = set()
    for path in sorted((root / "domain").rglob("*.py")):
        relative = path.relative_to(root).as_posix()
        if relative in NOT_SERVICES:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions = dict(_functions(tree))
        facts = {name: _writes(fn, relative == "domain/session.py") for name, fn in functions.items()}
        private_writers = {name.rsplit(".", 1)[-1] for name, (writes, _) in facts.items()
                           if writes and name.rsplit(".", 1)[-1].startswith("_")}
        for name, (writes, called) in facts.items():
            short = name.rsplit(".", 1)[-1]
            if short.startswith("_") or name == "Session.write":
                continue
            if writes or called & private_writers:
                found.add(f"{relative}:{name}")
    return found


# -- the spy -----------------------------------------------------------------------------------------


class InjectedFailure(RuntimeError):
    pass


class Spy:
    """The real store, watched: transactions, announcements and writes are logged; writes can be made to fail."""

    WRAPPED = {"analytics", "forecasting", "insights", "importing"}

    def __init__(self, real) -> None:
        self._real = real
        self.log: list[tuple] = []
        self.depth = 0
        self.fail_writes = False
        self.session: Session | None = None

    def __getattr__(self, name):
        value = getattr(self._real, name)
        if name in WRITE_CALLS and callable(value):
            return self._writer(value, name)
        if name in self.WRAPPED or hasattr(value, "record_type"):
            return _Watched(value, self, name)
        return value

    def _writer(self, method, label):
        def write(*args, **kwargs):
            session = self.session
            inside = self.depth > 0 and session is not None and session._work.current is not None
            self.log.append(("write", label, inside))
            result = method(*args, **kwargs)
            if self.fail_writes:
                raise InjectedFailure(f"the disk filled up after {label}")
            return result
        return write

    def atomic(self):
        return logged(self, self._real.atomic())

    def announce_change(self, kinds) -> None:
        self.log.append(("announce", frozenset(kinds)))
        self._real.announce_change(kinds)


class _Watched:
    def __init__(self, real, spy: Spy, name: str) -> None:
        self._real, self._spy, self._name = real, spy, name

    def __getattr__(self, name):
        value = getattr(self._real, name)
        if name in WRITE_CALLS and callable(value):
            return self._spy._writer(value, f"{self._name}.{name}")
        return value


def digest(store) -> str:
    """Every row of every table, hashed: equal digests, equal databases."""
    h = hashlib.sha256()
    for name in sorted(vars(store)):
        repository = getattr(store, name)
        if isinstance(repository, Repository):
            for record in repository.find():
                h.update(repr(record.model_dump()).encode())
    return h.hexdigest()


# -- the world the cases run in ------------------------------------------------------------------------


@dataclass
class World:
    session: Session  # as ray, a rep; `as_(user)` for others
    spy: Spy
    ada: object
    mia: object
    ray: object
    rob: object
    opp: object
    account: object
    contact: object
    product: object
    lead: object
    free_lead: object
    task: object
    draft: object
    note: object

    def as_(self, user) -> Session:
        session = Session(store=self.spy, clock=self.session.clock, pipeline=DEFAULT_PIPELINE, actor=user)
        self.spy.session = session
        session.bus.subscribe(lambda event: self.spy.log.append(("publish", event)))
        return session


@pytest.fixture
def world(store, make, clock) -> World:
    ada = make.user(login="ada", role=Role.ADMIN)
    mia = make.user(login="mia", role=Role.MANAGER, email="mia@example.com")
    ray = make.user(login="ray", manager_id=mia.id, email="ray@example.com")
    rob = make.user(login="rob", manager_id=mia.id)
    make.user(login="dwhitfield", display_name="Dana Whitfield")
    make.user(login="mlee", display_name="Marcus Lee")
    account = make.account(name="Bistro Nord", owner_id=ray.id)
    contact = make.contact(account_id=account.id, email="chef@bistro.example")
    product = make.product(name="Heirloom tomatoes 10 lb", list_price_cents=24_50)
    opp = make.opportunity(name="Bistro Nord — produce", owner_id=ray.id, account_id=account.id, contact_id=contact.id,
                           stage="discovery", probability=20, stage_entered_at=clock.now() - timedelta(days=2))
    lead = make.lead(name="Sam Cook", company="Cook's Diner", owner_id=ray.id)
    free_lead = make.lead(name="Nobody's", company="Free Diner")
    task = make.task(assignee_id=ray.id, opportunity_id=opp.id)
    draft = make.proposal(opportunity_id=opp.id, status="draft")
    note = store.notifications.insert(Notification(recipient_id=ray.id, kind="automation", message="Hello",
                                                   created_at=clock.now()))
    store.outbox.insert(OutboxMessage(created_at=clock.now(), to_address="mia@example.com", subject="Won",
                                      body="A deal was won", opportunity_id=opp.id))
    spy = Spy(store)
    w = World(None, spy, ada, mia, ray, rob, opp, account, contact, product, lead, free_lead, task, draft, note)  # type: ignore[arg-type]
    w.session = Session(store=spy, clock=clock, pipeline=DEFAULT_PIPELINE, actor=ray)
    return w


def _import(w: World, tmp_path: Path):
    import shutil

    from cli.commands.import_cmd import IMPORTED_KINDS
    from domain.importing.runner import run_import

    folder = tmp_path / "hubspot"
    shutil.copytree(ROOT / "tests" / "data" / "import" / "hubspot", folder)
    session = w.as_(w.ada)
    result = run_import(session.store, session.store.importing, [folder], preset="hubspot", pipeline=DEFAULT_PIPELINE,
                        today=session.clock.today(), now=session.clock.now(), actor=w.ada,
                        write=lambda: session.write(IMPORTED_KINDS))
    assert result.written and not result.errors, result.lines()


def _sweep(w: World, tmp_path: Path):
    from domain.services.duration_sweep import sweep_stage_durations

    w.session.clock.advance(timedelta(days=13))  # 15 days in discovery: past its 14
    assert sweep_stage_durations(w.as_(w.ray))


def _deliver(w: World, tmp_path: Path):
    from domain.services.mailer import SmtpSettings, deliver_outbox
    from tests.smtp_sink import SmtpSink

    with SmtpSink() as sink:
        assert deliver_outbox(w.as_(w.ray), SmtpSettings(host="127.0.0.1", port=sink.port)) == (1, 0)


def _set_pipeline(w: World, tmp_path: Path):
    from domain.services.pipeline_versions import PipelineFile, PipelineVersions, default_pipeline_file

    session = w.as_(w.ada)
    PipelineVersions(session).start(None)  # version 1, as the first open of a database stores it
    renamed = default_pipeline_file().text.replace('name = "Discovery"', 'name = "First contact"')
    assert PipelineVersions(session).set(PipelineFile("renamed.toml", renamed, "renamed.toml")).number == 2


def _restore(w: World, tmp_path: Path):
    from domain.services.record_editor import RecordEditor

    RecordEditor(w.as_(w.ray)).archive("lead", w.lead.id)
    w.spy.log.clear()  # the case is the restore
    assert RecordEditor(w.as_(w.ray)).restore("lead", w.lead.id).archived_at is None


def _undo(w: World, tmp_path: Path):
    from domain.services.stage_moves import StageMover
    from domain.services.undo import Undo

    session = w.as_(w.ray)
    StageMover(session).move(w.opp.id, "closed_lost", lost_reason="Price")
    w.spy.log.clear()  # the case is the undo
    Undo(session).undo()


def _services():
    from domain.services.account_health import refresh_health_scores
    from domain.services.forecast_snapshots import take_daily_snapshot
    from domain.services.inbox import mark_read
    from domain.services.interactions import record_interaction
    from domain.services.lead_actions import LeadActions
    from domain.services.opportunity_updates import OpportunityUpdates
    from domain.services.pipeline_versions import PipelineVersions
    from domain.services.proposal_actions import follow_up, set_proposal_status
    from domain.services.quota_actions import QuotaActions
    from domain.services.record_editor import RecordEditor
    from domain.services.stage_moves import StageMover
    from domain.services.task_actions import set_task_done
    from domain.services.user_admin import UserAdmin

    updates = lambda w: OpportunityUpdates(w.as_(w.ray))  # noqa: E731
    return {
        # service: (run it once, with valid input, in the world; the kinds its announcement must name)
        "domain/services/stage_moves.py:StageMover.move": (
            lambda w, _: StageMover(w.as_(w.ray)).move(w.opp.id, "closed_lost", lost_reason="Price"),
            {"opportunity", "stage_change", "activity"}),
        "domain/services/task_actions.py:set_task_done": (
            lambda w, _: set_task_done(w.as_(w.ray), w.task.id), {"task"}),
        "domain/services/inbox.py:mark_read": (
            lambda w, _: mark_read(w.as_(w.ray), [w.note.id]), {"notification"}),
        "domain/services/proposal_actions.py:set_proposal_status": (
            lambda w, _: set_proposal_status(w.as_(w.ray), w.draft.id, ProposalStatus.SENT), {"proposal"}),
        "domain/services/proposal_actions.py:follow_up": (
            lambda w, _: follow_up(w.as_(w.ray), w.draft.id, title="Call the chef", in_days=2), {"task"}),
        "domain/services/lead_actions.py:LeadActions.assign": (
            lambda w, _: LeadActions(w.as_(w.mia)).assign([w.free_lead.id], "ray"), {"lead"}),
        "domain/services/lead_actions.py:LeadActions.flag": (
            lambda w, _: LeadActions(w.as_(w.ray)).flag(w.lead.id, "duplicate"), {"lead"}),
        "domain/services/lead_actions.py:LeadActions.convert": (
            lambda w, _: LeadActions(w.as_(w.ray)).convert(w.lead.id, opportunity_name="Diner deal", value_cents=5_00),
            {"lead", "opportunity", "account", "contact", "stage_change"}),
        "domain/services/forecast_snapshots.py:take_daily_snapshot": (
            lambda w, _: take_daily_snapshot(w.as_(w.ray)), {"forecast_snapshot"}),
        "domain/services/duration_sweep.py:sweep_stage_durations": (_sweep, {"automation_run", "notification"}),
        "domain/services/quota_actions.py:QuotaActions.set_quota": (
            lambda w, _: QuotaActions(w.as_(w.mia)).set_quota("ray", "month", date(2026, 4, 1), 10_000_00), {"quota"}),
        "domain/services/user_admin.py:UserAdmin.add": (
            lambda w, _: UserAdmin(w.as_(w.ada)).add("sue", "Sue Smith"), {"user"}),
        "domain/services/user_admin.py:UserAdmin.change": (
            lambda w, _: UserAdmin(w.as_(w.ada)).change("rob", team="Hotels"), {"user"}),
        "domain/services/opportunity_updates.py:OpportunityUpdates.log_activity": (
            lambda w, _: updates(w).log_activity(w.opp.id, ActivityKind.CALL, "Called the chef"),
            {"activity", "opportunity"}),
        "domain/services/opportunity_updates.py:OpportunityUpdates.add_line_item": (
            lambda w, _: updates(w).add_line_item(w.opp.id, w.product.id, Decimal(4)), {"line_item", "opportunity"}),
        "domain/services/opportunity_updates.py:OpportunityUpdates.update_fields": (
            lambda w, _: updates(w).update_fields(w.opp.id, {"next_step": "Tasting"}), {"opportunity"}),
        "domain/services/opportunity_updates.py:OpportunityUpdates.schedule": (
            lambda w, _: updates(w).schedule(w.opp.id, ActivityKind.MEETING, "Tasting",
                                             w.session.clock.now() + timedelta(days=2)), {"activity", "task"}),
        "domain/services/opportunity_updates.py:OpportunityUpdates.reassign": (
            lambda w, _: OpportunityUpdates(w.as_(w.mia)).reassign(w.opp.id, "rob"), {"opportunity"}),
        "domain/services/opportunity_updates.py:OpportunityUpdates.reassign_all": (
            lambda w, _: OpportunityUpdates(w.as_(w.mia)).reassign_all([w.opp.id], "rob"), {"opportunity"}),
        "domain/services/opportunity_updates.py:OpportunityUpdates.send_proposal": (
            lambda w, _: updates(w).send_proposal(w.draft.id), {"proposal"}),
        "domain/services/interactions.py:record_interaction": (
            lambda w, _: record_interaction(w.as_(w.ray), w.account.id, "call", "Checked in", contact_id=w.contact.id),
            {"activity", "account"}),
        "domain/services/account_health.py:refresh_health_scores": (
            lambda w, _: refresh_health_scores(w.as_(w.ray)), {"account"}),
        "domain/services/mailer.py:deliver_outbox": (_deliver, {"outbox"}),
        "domain/importing/runner.py:run_import": (_import, {"opportunity", "account", "contact", "user"}),
        "domain/services/pipeline_versions.py:PipelineVersions.set": (_set_pipeline, {"pipeline"}),
        "domain/services/record_editor.py:RecordEditor.create": (
            lambda w, _: RecordEditor(w.as_(w.ray)).create("opportunity", {
                "account": str(w.account.id), "name": "Second kitchen", "value": "900",
                "expected_close": "2026-09-30"}), {"opportunity", "stage_change"}),
        "domain/services/record_editor.py:RecordEditor.update": (
            lambda w, _: RecordEditor(w.as_(w.ray)).update("contact", w.contact.id, {"title": "Head chef"}),
            {"contact"}),
        "domain/services/record_editor.py:RecordEditor.archive": (
            lambda w, _: RecordEditor(w.as_(w.ray)).archive("lead", w.lead.id), {"lead"}),
        "domain/services/record_editor.py:RecordEditor.restore": (_restore, {"lead"}),
        "domain/services/undo.py:Undo.undo": (_undo, {"opportunity", "stage_change"}),
        # the first open of a database stores version 1: no session runs on it yet, so nothing is announced
        "domain/services/pipeline_versions.py:PipelineVersions.start": (
            lambda w, _: PipelineVersions(w.as_(w.ada)).start(None), set()),
        # a visit stamp: a unit of work that announces nothing (no screen shows it)
        "domain/session.py:Session.record_visit": (lambda w, _: w.as_(w.ray).record_visit(), set()),
    }


WRITE_SERVICES = _services()


def test_every_write_service_has_a_case():
    found = discover_write_services() - JOINING_HELPERS
    missing, stale = found - set(WRITE_SERVICES), set(WRITE_SERVICES) - found
    assert not missing, f"write services without a unit-of-work case here (add one to WRITE_SERVICES): {sorted(missing)}"
    assert not stale, f"cases for code that no longer writes: {sorted(stale)}"


def test_the_audit_is_written_only_through_a_unit_of_work():
    writers = {"record_changes", "record_created", "record_owner_change"}
    problems = []
    for path in sorted((ROOT / "domain").rglob("*.py")):
        relative = path.relative_to(ROOT).as_posix()
        if relative in ("domain/unit_of_work.py", "domain/services/audit.py"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and _chain(node.func)[-1:] and _chain(node.func)[-1] in writers:
                problems.append(f"{relative}:{node.lineno}: {_chain(node.func)[-1]} -- use change.audit_*")
    assert not problems, "\n".join(problems)


def _check_one_announcement(log: list[tuple], kinds: set[str]) -> None:
    writes = [e for e in log if e[0] == "write"]
    assert writes, "the case wrote nothing"
    outside = [e[1] for e in writes if not e[2]]
    assert not outside, f"written outside session.write: {outside}"
    announced = [i for i, e in enumerate(log) if e[0] == "announce"]
    published = [i for i, e in enumerate(log) if e[0] == "publish"]
    if not kinds:
        assert not announced and not published, log
        return
    assert len(announced) == 1, f"announced {len(announced)} times to other processes: {log}"
    assert len(published) == 1, f"published {len(published)} times to this process: {log}"
    (a,), (p,) = announced, published
    commit = next(i for i in range(a, len(log)) if log[i] == ("commit", 1))
    assert a < commit < p, "announced inside the transaction, published after its commit"
    assert not any(e[0] == "rollback" and e[1] == 1 for e in log[:p])
    event: DataChanged = log[p][1]
    assert log[a][1] == event.kinds, "both processes hear the same kinds"
    assert kinds <= event.kinds, f"the announcement names {sorted(event.kinds)}, not all of {sorted(kinds)}"


@pytest.mark.parametrize("service", sorted(WRITE_SERVICES))
def test_each_write_service_announces_once_after_commit(service, world, tmp_path):
    run, kinds = WRITE_SERVICES[service]
    run(world, tmp_path)
    _check_one_announcement(world.spy.log, kinds)


@pytest.mark.parametrize("service", sorted(WRITE_SERVICES))
def test_each_write_service_announces_nothing_when_a_write_fails(service, world, tmp_path, store):
    run, _ = WRITE_SERVICES[service]
    before = digest(store)
    world.spy.fail_writes = True
    with pytest.raises(InjectedFailure):
        run(world, tmp_path)
    log = world.spy.log
    assert not [e for e in log if e[0] == "publish"], log
    assert ("rollback", 1) in log and ("commit", 1) not in log
    assert digest(store) == before, "the failed unit of work left something behind"


@pytest.mark.parametrize("helper", sorted(JOINING_HELPERS))
def test_automations_join_the_unit_of_work_of_the_change_that_fires_them(helper, world, clock):
    """A move's automations and requirement checks add to the move's one announcement."""
    from domain.pipeline.rules import Trigger
    from domain.services.automations import AutomationRunner, Fired
    from domain.services.stage_moves import RequirementsWatcher

    session = world.as_(world.ray)
    pipeline = session.pipeline
    with session.write({"opportunity"}):
        if helper.endswith("AutomationRunner.run"):
            AutomationRunner(session).run(pipeline.won, Trigger.STAGE_ENTERED, world.opp, now=clock.now())
        else:
            session.store.opportunities.update(world.opp.model_copy(update={"budget_cents": 1_000_00}))
            OpportunityUpdates = __import__("domain.services.opportunity_updates", fromlist=["x"]).OpportunityUpdates
            OpportunityUpdates(session).log_activity(world.opp.id, ActivityKind.CALL, "Qualifying call")
            RequirementsWatcher(session).check(session.store.opportunities.require(world.opp.id), now=clock.now(),
                                               fired=Fired())
    log = world.spy.log
    assert sum(1 for e in log if e[0] == "announce") == 1 and sum(1 for e in log if e[0] == "publish") == 1
    event = next(e[1] for e in log if e[0] == "publish")
    assert "opportunity" in event.kinds and len(event.kinds) > 1, "the helper's kinds joined the outer announcement"
    assert all(e[2] for e in log if e[0] == "write")


def test_discovery_finds_a_service_that_writes_without_a_unit_of_work(tmp_path):
    """The checker itself: a new service writing straight through the store is found, and one in a unit of work."""
    module = tmp_path / "domain" / "services" / "probe.py"
    module.parent.mkdir(parents=True)
    module.write_text("def sneaky(session):\n    session.store.tasks.insert(None)\n\n"
                      "def proper(session):\n    with session.write({'task'}):\n        pass\n\n"
                      "def reads(session):\n    values = {}\n    values.update(a=1)\n    return session.store.tasks.find()\n\n"
                      "class Quiet:\n    def _helper(self):\n        self.store.notes.update(None)\n"
                      "    def visible(self):\n        self._helper()\n", encoding="utf-8")
    assert discover_write_services(tmp_path) == {
        "domain/services/probe.py:sneaky", "domain/services/probe.py:proper", "domain/services/probe.py:Quiet.visible",
    }
