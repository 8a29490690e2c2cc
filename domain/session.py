"""A Session: who is acting, on which store, at what time, under which pipeline.

The CLI and every screen go through a Session; it is where reads are scoped and where
services are reached. It holds no UI and runs no SQL itself (the store does).

The pipeline is the one in force in the database (domain/services/pipeline_versions.py); when
another process sets a new version, the session reads it before its subscribers hear of the
change (it subscribes first), so screens repaint under the new stages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from domain.clock import Clock
from domain.enums import Role
from domain.events import EventBus
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
from domain.pipeline import PipelineConfig, PipelineConfigError
from domain.pipeline.config import parse_pipeline
from domain.records import PipelineVersion, User
from domain.services.pipeline_summary import PipelineSummary, pipeline_summary
from domain.settings import Settings
from domain.visibility import can_see_owner, narrow, visible_logins

if TYPE_CHECKING:
    from store.store import Store


@dataclass
class Session:
    store: "Store"
    clock: Clock
    pipeline: PipelineConfig
    actor: User | None
    bus: EventBus = field(default_factory=EventBus)
    settings: Settings = field(default_factory=Settings.defaults)  # built once at start (domain/settings.py)
    # The stored pipeline version in force (0: a pipeline given directly, as tests do; never reloaded).
    pipeline_version: int = 0
    _visible: tuple[tuple[str, ...] | None] | None = field(default=None, init=False, repr=False)

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

    # -- visibility (domain/visibility.py) ---------------------------------------------------

    def visible_logins(self) -> tuple[str, ...] | None:
        """Whose records this session sees (None: everyone); cached until users change."""
        if self._visible is None:
            self._visible = (visible_logins(self.actor, self.store),)
        return self._visible[0]

    def owners(self, requested=()) -> tuple[str, ...]:
        """The owners a figure covers: `requested` checked against visibility, or all visible ones."""
        return narrow(self.actor, self.visible_logins(), requested)

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
