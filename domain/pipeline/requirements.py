"""Evaluating a stage's requirements against an opportunity (pure: no database, no UI)."""

from __future__ import annotations

from dataclasses import dataclass

from domain.pipeline.rules import (
    ActivityCompleted,
    FieldPopulated,
    MinimumValue,
    ProductsSelected,
    Requirement,
)
from domain.records import Opportunity

# field_populated names -> the record attribute holding it
FIELD_ATTRIBUTES = {
    "account": "account_id",
    "contact": "contact_id",
    "value": "value_cents",
    "budget": "budget_cents",
}


@dataclass(frozen=True)
class Facts:
    """What requirements need beyond the opportunity row itself."""

    completed_activity_kinds: frozenset[str]
    line_item_count: int
    sent_proposal_count: int


def is_met(requirement: Requirement, opportunity: Opportunity, facts: Facts) -> bool:
    if isinstance(requirement, ActivityCompleted):
        kind = requirement.value.value
        if kind in facts.completed_activity_kinds:
            return True
        # A proposal sent to the customer is the completed 'proposal' activity.
        return kind == "proposal" and facts.sent_proposal_count > 0
    if isinstance(requirement, FieldPopulated):
        value = getattr(opportunity, FIELD_ATTRIBUTES.get(requirement.field, requirement.field))
        if isinstance(value, str):
            return bool(value.strip())
        return bool(value)  # as the seed: None, 0 and "" are not populated
    if isinstance(requirement, MinimumValue):
        return opportunity.value_cents >= requirement.cents
    if isinstance(requirement, ProductsSelected):
        return facts.line_item_count > 0
    raise TypeError(f"unknown requirement {requirement!r}")


@dataclass(frozen=True)
class Evaluation:
    blocking: tuple[str, ...]
    advisory: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return not self.blocking


def evaluate(requirements: tuple[Requirement, ...], opportunity: Opportunity, facts: Facts) -> Evaluation:
    """Every unmet requirement, in configuration order; `required = false` ones are advisory."""
    blocking, advisory = [], []
    for requirement in requirements:
        if not is_met(requirement, opportunity, facts):
            (blocking if requirement.required else advisory).append(requirement.describe())
    return Evaluation(tuple(blocking), tuple(advisory))
