"""A Session: who is acting, on which store, at what time, under which pipeline.

The CLI and every screen go through a Session; it is where reads are scoped and where
services are reached. It holds no UI and runs no SQL itself (the store does).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from domain.clock import Clock
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
from domain.pipeline import PipelineConfig
from domain.records import User
from domain.services.pipeline_summary import PipelineSummary, pipeline_summary

if TYPE_CHECKING:
    from store.store import Store


@dataclass
class Session:
    store: "Store"
    clock: Clock
    pipeline: PipelineConfig
    actor: User | None
    bus: EventBus = field(default_factory=EventBus)

    @property
    def actor_login(self) -> str:
        return self.actor.login if self.actor else "anonymous"

    def connection(self):
        """Use in worker threads: `with session.connection(): ...` opens and closes that thread's connection."""
        return self.store.connection()

    # -- reads -----------------------------------------------------------------------------

    def pipeline_summary(self, flt: OpportunityFilter | None = None) -> PipelineSummary:
        return pipeline_summary(self.store, self.pipeline, flt)

    def opportunities(self, flt: OpportunityFilter, offset: int = 0, limit: int = 50):
        return self.store.opportunity_page(flt, self.pipeline, offset, limit)

    def opportunities_in_stage(self, stage: str, flt: OpportunityFilter, offset: int = 0, limit: int = 50):
        return self.store.opportunities_in_stage(stage, flt, self.pipeline, offset, limit)

    def leads(self, flt: LeadFilter, offset: int = 0, limit: int = 50):
        return self.store.lead_page(flt, offset, limit)

    def accounts(self, flt: AccountFilter, offset: int = 0, limit: int = 50):
        return self.store.account_page(flt, self.pipeline, offset, limit)

    def contacts(self, flt: ContactFilter, offset: int = 0, limit: int = 50):
        return self.store.contact_page(flt, offset, limit)

    def proposals(self, flt: ProposalFilter, offset: int = 0, limit: int = 50):
        return self.store.proposal_page(flt, offset, limit)

    def tasks(self, flt: TaskFilter, offset: int = 0, limit: int = 50):
        return self.store.task_page(flt, offset, limit)

    def users(self, flt: UserFilter, offset: int = 0, limit: int = 50):
        return self.store.user_page(flt, offset, limit)

    def products(self, flt: ProductFilter, offset: int = 0, limit: int = 50):
        return self.store.product_page(flt, offset, limit)

    def search(self, text: str, limit: int = 20):
        return self.store.search(text, limit)
