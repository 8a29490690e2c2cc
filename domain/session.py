"""A Session: who is acting, on which store, at what time, under which pipeline.

The CLI and every screen go through a Session; it is where reads are scoped (the role's
visibility) and where writes begin (`write`, the unit of work). It holds no UI and runs no SQL
itself: `store` is any implementation of `domain.ports.Storage`.

The pipeline is the one in force in the database (domain/services/pipeline_versions.py); when
another process sets a new version, the session reads it before its subscribers hear of the
change (it subscribes first), so screens repaint under the new stages.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from domain.clock import Clock
from domain.enums import Role
from domain.events import DataChanged, EventBus
from domain.filters import (
    AccountFilter,
    ContactFilter,
    LeadFilter,
    OpportunityFilter,
    ProductFilter,
    ProposalFilter,
    TaskFilter,
    UserFilter,
)
from domain.permissions import inactive_refusal
from domain.pipeline import PipelineConfig, PipelineConfigError
from domain.pipeline.config import parse_pipeline
from domain.records import PipelineVersion, Product, User
from domain.services.pipeline_summary import PipelineSummary, pipeline_summary
from domain.settings import Settings
from domain.unit_of_work import Change, UnitsOfWork
from domain.visibility import can_see_owner, check_team, narrow, visible_logins

if TYPE_CHECKING:
    from contextlib import AbstractContextManager

    from domain.ports import ChangeWatch, Storage
    from domain.views import PickerOption


@dataclass
class Session:
    store: "Storage"
    clock: Clock
    pipeline: PipelineConfig
    actor: User | None
    bus: EventBus = field(default_factory=EventBus)
    settings: Settings = field(default_factory=Settings.defaults)  # built once at start (domain/settings.py)
    # The stored pipeline version in force (0: a pipeline given directly, as tests do; never reloaded).
    pipeline_version: int = 0
    # Read-only (the SSH gate's allow-list): every unit of work is refused before its transaction begins,
    # and reads that would store something as a side effect (the day's forecast snapshots) skip it.
    read_only: bool = False
    _visible: tuple[tuple[str, ...] | None] | None = field(default=None, init=False, repr=False)
    _work: UnitsOfWork = field(default_factory=UnitsOfWork, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.bus.subscribe(self._on_change)

    def _on_change(self, event) -> None:
        if event.external or not event.kinds or "user" in event.kinds:
            self._visible = None
        if event.external and event.touches("pipeline") and self.pipeline_version:
            try:
                self.refresh_pipeline()
            except Exception:  # noqa: BLE001 - the database busy a moment: read it on the next change, and
                pass  # never let the change watcher's thread (which publishes external changes) end

    # -- the pipeline in force ---------------------------------------------------------------

    def use_pipeline(self, version: PipelineVersion) -> PipelineConfig:
        """Work under this stored version from now on (a PipelineConfigError if this Pantry cannot read it)."""
        self.pipeline = parse_pipeline(version.toml, f"pipeline version {version.number}")
        self.pipeline_version = version.number
        return self.pipeline

    def refresh_pipeline(self) -> bool:
        """Another process may have set a new pipeline version: read it. True when the pipeline changed.
        A version this program cannot read leaves the one in use as it was."""
        with self.connection():
            number = self.store.pipeline_version_number()
            if not number or number == self.pipeline_version:
                return False
            version = self.store.pipeline_version(number)
        try:
            self.use_pipeline(version)
        except PipelineConfigError:
            return False
        return True

    @property
    def actor_login(self) -> str:
        return self.actor.login if self.actor else "anonymous"

    def connection(self):
        """Use in worker threads: `with session.connection(): ...` opens and closes that thread's connection."""
        return self.store.connection()

    def snapshot(self) -> "AbstractContextManager[object]":
        """`with session.snapshot(): ...`: the reads inside see one consistent state (a listing's pages)."""
        return self.store.snapshot()

    # -- writes: the unit of work (domain/unit_of_work.py) -----------------------------------

    def write(self, kinds: Iterable[str] = (), *, ids: Mapping[str, Iterable[int]] | None = None,
              at: datetime | None = None) -> "AbstractContextManager[Change]":
        """`with session.write({"task"}, ids={"task": {7}}) as change:` — one transaction for the block,
        its audit entries through `change`, and after COMMIT one announcement to the other processes
        and one to this one (none after a rollback). Nested, it joins the unit already open on this thread.
        `at`: the unit's time (audit entries), when the service has taken it already; else the clock's now.
        Refused for an inactive user (read from the database: deactivated since the session began counts)."""
        if self.actor is not None and self._work.current is None:
            self._require_active()
        return self._work.write(self, kinds, ids=ids, at=at)

    def _require_active(self) -> None:
        current = self.store.users.get(self.actor.id)
        if current is None or not current.active:
            self.actor = current or self.actor.model_copy(update={"active": False})
            self._visible = None
            raise inactive_refusal(self.actor)

    def record_visit(self) -> None:
        """Stamp the acting user's visit ("new leads since your last visit" counts from the one before).
        A unit of work that announces nothing: no screen shows the stamp."""
        if self.actor is None or not self.actor.active:
            return
        with self.write() as change:
            self.store.touch_last_seen(self.actor.id, change.now)

    def watch_other_processes(self) -> "ChangeWatch":
        """Publish on this session's bus (as external changes) what other processes commit; `.stop()` ends it."""
        return self.store.watch(lambda kinds: self.bus.publish(DataChanged(kinds=kinds, external=True)))

    # -- visibility (domain/visibility.py) ---------------------------------------------------

    def visible_logins(self) -> tuple[str, ...] | None:
        """Whose records this session sees (None: everyone); cached until users change."""
        if self._visible is None:
            self._visible = (visible_logins(self.actor, self.store),)
        return self._visible[0]

    def owners(self, requested=()) -> tuple[str, ...]:
        """The owners a figure covers: `requested` checked against visibility, or all visible ones."""
        return narrow(self.actor, self.visible_logins(), requested)

    def team(self, team: str) -> str:
        """A figure's `team`, checked: Refused when it holds users this session cannot see."""
        visible = self.visible_logins()
        if not team or visible is None:
            return team
        return check_team(self.actor, visible, team, (u.login for u in self.store.users.find(team=team)))

    def quota_logins(self) -> tuple[str, ...]:
        """Whose quotas add up to this session's target: everyone's reps (()), a rep's own, a manager's reps."""
        visible = self.visible_logins()
        if visible is None:
            return ()
        team = tuple(login for login in visible if self.actor is None or login != self.actor.login)
        return team or visible

    def sees_unassigned_leads(self) -> bool:
        return self.actor is None or Role(self.actor.role) in (Role.MANAGER, Role.ADMIN)

    def can_see(self, owner_login: str | None) -> bool:
        return can_see_owner(self.visible_logins(), owner_login)

    def _seen(self, flt):
        visible = self.visible_logins()
        if visible is None:
            return flt
        narrow(self.actor, visible, getattr(flt, "owners", ()) or getattr(flt, "assignees", ()))  # refuse, say why
        update = {"visible_owners": visible}
        if isinstance(flt, LeadFilter):
            update["visible_unassigned"] = self.sees_unassigned_leads()
        return flt.model_copy(update=update)

    # -- reads -----------------------------------------------------------------------------

    def pipeline_summary(self, flt: OpportunityFilter | None = None) -> PipelineSummary:
        return pipeline_summary(self.store, self.pipeline, self._seen(flt or OpportunityFilter()))

    def opportunities(self, flt: OpportunityFilter, offset: int = 0, limit: int = 50):
        return self.store.opportunity_page(self._seen(flt), self.pipeline, offset, limit)

    def opportunities_in_stage(self, stage: str, flt: OpportunityFilter, offset: int = 0, limit: int = 50):
        return self.store.opportunities_in_stage(stage, self._seen(flt), self.pipeline, offset, limit)

    def rank_in_stage(self, stage: str, flt: OpportunityFilter, value_cents: int, opportunity_id: int) -> int:
        """Where a deal sits in its stage's column (the kanban's order), within what the session sees."""
        return self.store.rank_in_stage(stage, self._seen(flt), self.pipeline, value_cents, opportunity_id)

    def leads(self, flt: LeadFilter, offset: int = 0, limit: int = 50):
        return self.store.lead_page(self._seen(flt), offset, limit)

    def accounts(self, flt: AccountFilter, offset: int = 0, limit: int = 50):
        return self.store.account_page(self._seen(flt), self.pipeline, offset, limit)

    def contacts(self, flt: ContactFilter, offset: int = 0, limit: int = 50):
        return self.store.contact_page(self._seen(flt), offset, limit)

    def proposals(self, flt: ProposalFilter, offset: int = 0, limit: int = 50):
        return self.store.proposal_page(self._seen(flt), offset, limit)

    def tasks(self, flt: TaskFilter, offset: int = 0, limit: int = 50):
        return self.store.task_page(self._seen(flt), offset, limit)

    def users(self, flt: UserFilter, offset: int = 0, limit: int = 50):
        return self.store.user_page(flt, offset, limit)

    def products(self, flt: ProductFilter, offset: int = 0, limit: int = 50):
        return self.store.product_page(flt, offset, limit)

    def search(self, text: str, limit: int = 20):
        return self.store.search(text, limit, self.visible_logins())

    def pick(self, kind: str, text: str, limit: int = 8) -> list[PickerOption]:
        """A form picker's choices for `kind` as the user types `text`: what this session may see, not archived."""
        return self.store.pick(kind, text, limit, self.visible_logins())

    def user_by_login(self, login: str) -> User | None:
        """The user with this login (anyone may look a login up: `pantry list users` lists them all)."""
        return self.store.user_by_login(login)

    def active_products(self) -> list[Product]:
        """The catalogue's active products, by name (the catalogue is everyone's)."""
        return self.store.products.find(active=True, order_by="name")

    def probability_totals(self) -> list[tuple[int, int, int]]:
        """(probability, open deals, value in cents) of the open deals this session sees, by probability."""
        return self.store.probability_totals(self.pipeline, self.visible_logins())

    def proposal_status_counts(self) -> dict[str, int]:
        """Proposals by status, of the deals this session sees."""
        return self.store.proposal_status_counts(self.visible_logins())
