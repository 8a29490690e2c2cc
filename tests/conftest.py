"""Shared fixtures: a real database per test, a frozen clock and a record factory.

By default every test gets a fresh SQLite file under its `tmp_path`. Set
`PANTRY_TEST_DATABASE_URL` (e.g. `postgresql://postgres@127.0.0.1:5432/test`) to run the
same tests on PostgreSQL instead; that database is wiped before each test, so never point
it at a database whose contents matter.
"""

from __future__ import annotations

import itertools
import os
import sys
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path

import pytest

# The project root is importable however pytest is started (installed or not).
ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from domain import records as r  # noqa: E402
from domain.clock import FixedClock  # noqa: E402
from domain.enums import AccountSize, ActivityKind, Industry, Role  # noqa: E402
from store.database import open_database, sqlite_url  # noqa: E402
from store.models import ALL_MODELS  # noqa: E402
from store.schema import HISTORY_TABLE  # noqa: E402
from store.store import Store  # noqa: E402

PG_URL = os.environ.get("PANTRY_TEST_DATABASE_URL", "").strip()
ON_POSTGRES = bool(PG_URL)

NOW = datetime(2026, 3, 16, 12, 0, tzinfo=timezone.utc)


# -- environment ---------------------------------------------------------------------------


@pytest.fixture(scope="session", autouse=True)
def _isolated_data_dir(tmp_path_factory):
    """No test may write into the real user data or state dir (databases; the TUI's error log), nor read the
    user's settings (a settings.toml in ~/.config/pantry-crm, PANTRY_* variables of the shell)."""
    patch = pytest.MonkeyPatch()
    for name in [name for name in os.environ if name.startswith("PANTRY_") and name != "PANTRY_TEST_DATABASE_URL"]:
        patch.delenv(name)
    patch.setenv("PANTRY_DATA_DIR", str(tmp_path_factory.mktemp("pantry-data")))
    patch.setenv("PANTRY_STATE_DIR", str(tmp_path_factory.mktemp("pantry-state")))
    patch.setenv("PANTRY_CONFIG_DIR", str(tmp_path_factory.mktemp("pantry-config")))
    yield
    patch.undo()


# -- databases -----------------------------------------------------------------------------


def wipe_postgres(url: str) -> None:
    """Drop every Pantry table (and the migration history) so the next open starts empty."""
    db = open_database(url)
    try:
        tables = [m._meta.table_name for m in ALL_MODELS] + [HISTORY_TABLE]
        db.execute_sql("DROP TABLE IF EXISTS " + ", ".join(f'"{t}"' for t in tables) + " CASCADE")
    finally:
        db.close()


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    """The URL of an empty database: a new SQLite file, or the wiped PostgreSQL test database."""
    if ON_POSTGRES:
        if int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")) > 1:
            pytest.fail("PANTRY_TEST_DATABASE_URL is one shared database: run these tests without -n")
        wipe_postgres(PG_URL)
        return PG_URL
    return sqlite_url(tmp_path / "pantry.db")


@pytest.fixture
def store(database_url: str):
    """An open Store on a fresh database with the current schema."""
    opened = Store.open(database_url)
    try:
        yield opened
    finally:
        opened.close()


# -- time ----------------------------------------------------------------------------------


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(NOW)


# -- records -------------------------------------------------------------------------------


class Make:
    """Builds minimal valid records; with a store they are inserted and come back with ids.

    Every builder takes field overrides as keywords. Unique fields (logins, SKUs, proposal
    numbers) are numbered so repeated calls never collide. Pass `save=False` for an unsaved
    record.
    """

    def __init__(self, store: Store | None, clock: FixedClock) -> None:
        self.store = store
        self.clock = clock
        self._seq = itertools.count(1)
        self._default_owner: r.User | None = None

    @property
    def now(self) -> datetime:
        return self.clock.now()

    @property
    def today(self) -> date:
        return self.clock.today()

    def _save(self, repo_name: str, record, save: bool):
        if not save:
            return record
        if self.store is None:
            raise RuntimeError("Make has no store: pass save=False")
        return getattr(self.store, repo_name).insert(record)

    def _owner_id(self, fields: dict) -> int:
        if "owner_id" in fields:
            return fields.pop("owner_id")
        if self._default_owner is None:
            self._default_owner = self.user(login="owner")
        return self._default_owner.id

    # people

    def user(self, save: bool = True, **fields) -> r.User:
        n = next(self._seq)
        values = dict(login=f"user{n}", display_name=f"User {n}", role=Role.REP, created_at=self.now)
        return self._save("users", r.User(**{**values, **fields}), save)

    def quota(self, save: bool = True, **fields) -> r.Quota:
        values = dict(period="month", period_start=date(2026, 3, 1), amount_cents=10_000_00)
        return self._save("quotas", r.Quota(**{**values, **fields}), save)

    # accounts

    def account(self, save: bool = True, **fields) -> r.Account:
        n = next(self._seq)
        values = dict(
            name=f"Account {n}", industry=Industry.RESTAURANT, size=AccountSize.SMALL,
            created_at=self.now, updated_at=self.now,
        )
        return self._save("accounts", r.Account(**{**values, **fields}), save)

    def contact(self, save: bool = True, **fields) -> r.Contact:
        n = next(self._seq)
        values = dict(first_name=f"Contact{n}", created_at=self.now, updated_at=self.now)
        return self._save("contacts", r.Contact(**{**values, **fields}), save)

    # sales

    def product(self, save: bool = True, **fields) -> r.Product:
        n = next(self._seq)
        values = dict(sku=f"SKU-{n:04d}", name=f"Product {n}", category="dry goods", list_price_cents=1_00)
        return self._save("products", r.Product(**{**values, **fields}), save)

    def opportunity(self, save: bool = True, **fields) -> r.Opportunity:
        n = next(self._seq)
        owner_id = self._owner_id(fields)
        values = dict(
            name=f"Deal {n}", stage="discovery", probability=20, value_cents=1_000_00,
            started_on=self.today - timedelta(days=10), expected_close_date=self.today + timedelta(days=30),
            owner_id=owner_id, stage_entered_at=self.now, created_at=self.now, updated_at=self.now,
        )
        return self._save("opportunities", r.Opportunity(**{**values, **fields}), save)

    def line_item(self, save: bool = True, **fields) -> r.LineItem:
        values = dict(name="Line", quantity=Decimal(1), unit_price_cents=1_00)
        return self._save("line_items", r.LineItem(**{**values, **fields}), save)

    # leads, activities, work

    def lead(self, save: bool = True, **fields) -> r.Lead:
        n = next(self._seq)
        values = dict(name=f"Lead {n}", created_at=self.now)
        return self._save("leads", r.Lead(**{**values, **fields}), save)

    def activity(self, save: bool = True, **fields) -> r.Activity:
        values = dict(kind=ActivityKind.CALL, subject="Call", created_at=self.now)
        return self._save("activities", r.Activity(**{**values, **fields}), save)

    def proposal(self, save: bool = True, **fields) -> r.Proposal:
        n = next(self._seq)
        values = dict(number=f"P-{n:05d}", title=f"Proposal {n}", amount_cents=500_00, created_at=self.now)
        return self._save("proposals", r.Proposal(**{**values, **fields}), save)

    def task(self, save: bool = True, **fields) -> r.Task:
        n = next(self._seq)
        owner_id = fields.pop("assignee_id", None) or self._owner_id({})
        values = dict(title=f"Task {n}", assignee_id=owner_id, created_at=self.now)
        return self._save("tasks", r.Task(**{**values, **fields}), save)


@pytest.fixture
def make(request, clock) -> Make:
    """A Make bound to the test's `store` when the test uses one, else build-only."""
    store = request.getfixturevalue("store") if "store" in request.fixturenames else None
    return Make(store, clock)
