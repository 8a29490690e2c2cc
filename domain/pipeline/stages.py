"""Stage definitions. The default pipeline follows the seed: discovery -> ... -> closed_won/lost."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from domain.enums import ForecastCategory
from domain.pipeline.rules import Automation, Requirement, UpdateField

# Opportunity fields an update_field automation may ever change (the configuration narrows this).
UPDATABLE_FIELDS = ("next_step", "forecast_category", "description", "source", "probability")


class StageKind(StrEnum):
    OPEN = "open"
    WON = "won"
    LOST = "lost"


class StageDef(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=40)
    name: str = Field(min_length=1, max_length=60)
    order: int = Field(ge=1)
    probability: int = Field(ge=0, le=100)
    kind: StageKind = StageKind.OPEN
    expected_days: int = Field(default=14, ge=0)
    stall_days: int = Field(default=30, ge=1)
    forecast_category: ForecastCategory = ForecastCategory.PIPELINE
    requirements: tuple[Requirement, ...] = ()
    automations: tuple[Automation, ...] = ()

    @property
    def is_open(self) -> bool:
        return self.kind is StageKind.OPEN


class PipelineConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    stages: tuple[StageDef, ...] = Field(min_length=3)
    idle_days: int = Field(default=14, ge=1)
    update_field_allowed: tuple[str, ...] = ("next_step", "forecast_category")

    @model_validator(mode="after")
    def _consistent(self) -> "PipelineConfig":
        ids = [s.id for s in self.stages]
        for stage_id in ids:
            if ids.count(stage_id) > 1:
                raise ValueError(f"stages: duplicate stage id {stage_id!r}")
        seen: dict[int, str] = {}
        for stage in self.stages:
            if stage.order in seen:
                raise ValueError(f"stages: duplicate order {stage.order} ({seen[stage.order]} and {stage.id})")
            seen[stage.order] = stage.id
        for field in self.update_field_allowed:
            if field not in UPDATABLE_FIELDS:
                raise ValueError(
                    f"update_field_allowed: {field!r} cannot be set by an automation (choose from {', '.join(UPDATABLE_FIELDS)})"
                )
        for stage in self.stages:
            for index, automation in enumerate(stage.automations):
                if isinstance(automation, UpdateField) and automation.parameters.field not in self.update_field_allowed:
                    raise ValueError(
                        f"stages[{stage.id}].automations[{index}].parameters.field: {automation.parameters.field!r} "
                        f"is not in update_field_allowed ({', '.join(self.update_field_allowed)})"
                    )
        if sum(1 for s in self.stages if s.kind is StageKind.WON) != 1:
            raise ValueError("stages: exactly one stage must be of kind 'won'")
        if sum(1 for s in self.stages if s.kind is StageKind.LOST) != 1:
            raise ValueError("stages: exactly one stage must be of kind 'lost'")
        object.__setattr__(self, "stages", tuple(sorted(self.stages, key=lambda s: s.order)))
        return self

    def stage(self, stage_id: str) -> StageDef:
        for stage in self.stages:
            if stage.id == stage_id:
                return stage
        raise KeyError(stage_id)

    def has(self, stage_id: str) -> bool:
        return any(s.id == stage_id for s in self.stages)

    @property
    def open_stages(self) -> tuple[StageDef, ...]:
        return tuple(s for s in self.stages if s.is_open)

    @property
    def won(self) -> StageDef:
        return next(s for s in self.stages if s.kind is StageKind.WON)

    @property
    def lost(self) -> StageDef:
        return next(s for s in self.stages if s.kind is StageKind.LOST)

    def next_stage(self, stage_id: str) -> StageDef | None:
        """The next stage forward along the open path, ending at won (lost is reached explicitly)."""
        path = [*self.open_stages, self.won]
        ids = [s.id for s in path]
        if stage_id not in ids:
            return None
        index = ids.index(stage_id)
        return path[index + 1] if index + 1 < len(path) else None

    def previous_stage(self, stage_id: str) -> StageDef | None:
        path = [*self.open_stages, self.won]
        ids = [s.id for s in path]
        if stage_id == self.lost.id:
            return self.open_stages[-1] if self.open_stages else None
        if stage_id not in ids:
            return None
        index = ids.index(stage_id)
        return path[index - 1] if index > 0 else None
