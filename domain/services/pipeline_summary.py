"""The pipeline at a glance: counts, values and weighted values by stage, open/won/lost totals."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING

from domain.filters import OpportunityFilter
from domain.pipeline import PipelineConfig, StageDef, StageKind
from domain.views import StageTotal

if TYPE_CHECKING:
    from domain.ports import Aggregates


def weighted_cents(numerator: int) -> int:
    """SUM(value_cents x probability) / 100, rounded half-even once, at the end."""
    return int((Decimal(numerator) / 100).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


@dataclass(frozen=True)
class StageSummary:
    stage: StageDef
    count: int
    value_cents: int
    weighted_cents: int


@dataclass(frozen=True)
class PipelineSummary:
    stages: tuple[StageSummary, ...]
    total_count: int
    open_count: int
    open_value_cents: int
    weighted_value_cents: int
    won_count: int
    won_value_cents: int
    lost_count: int
    lost_value_cents: int

    @property
    def win_rate(self) -> float | None:
        closed = self.won_count + self.lost_count
        return None if closed == 0 else self.won_count / closed

    def for_stage(self, stage_id: str) -> StageSummary:
        return next(s for s in self.stages if s.stage.id == stage_id)


def summarise(totals: list[StageTotal], pipeline: PipelineConfig) -> PipelineSummary:
    """Fold per-stage SQL aggregates into the summary; stages with no deals appear with zeros.

    Opportunities in a stage the configuration no longer has are counted in the total only.
    """
    by_stage = {t.stage: t for t in totals}
    stages = []
    open_count = open_value = open_numerator = 0
    for stage in pipeline.stages:
        t = by_stage.get(stage.id, StageTotal(stage.id, 0, 0, 0))
        stages.append(StageSummary(stage, t.count, t.value_cents, weighted_cents(t.weighted_numerator)))
        if stage.kind is StageKind.OPEN:
            open_count += t.count
            open_value += t.value_cents
            open_numerator += t.weighted_numerator
    won = by_stage.get(pipeline.won.id, StageTotal(pipeline.won.id, 0, 0, 0))
    lost = by_stage.get(pipeline.lost.id, StageTotal(pipeline.lost.id, 0, 0, 0))
    return PipelineSummary(
        stages=tuple(stages),
        total_count=sum(t.count for t in totals),
        open_count=open_count,
        open_value_cents=open_value,
        weighted_value_cents=weighted_cents(open_numerator),
        won_count=won.count,
        won_value_cents=won.value_cents,
        lost_count=lost.count,
        lost_value_cents=lost.value_cents,
    )


def pipeline_summary(store: "Aggregates", pipeline: PipelineConfig, flt: OpportunityFilter | None = None) -> PipelineSummary:
    return summarise(store.stage_totals(flt or OpportunityFilter(), pipeline), pipeline)
