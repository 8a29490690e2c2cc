"""The sales pipeline: stage definitions, requirements and automations, loaded from TOML."""

from domain.pipeline.config import (
    DEFAULT_PIPELINE_FILE,
    PipelineConfigError,
    default_pipeline,
    load_pipeline,
)
from domain.pipeline.stages import PipelineConfig, StageDef, StageKind

DEFAULT_PIPELINE: PipelineConfig = default_pipeline()

__all__ = [
    "DEFAULT_PIPELINE",
    "DEFAULT_PIPELINE_FILE",
    "PipelineConfig",
    "PipelineConfigError",
    "StageDef",
    "StageKind",
    "default_pipeline",
    "load_pipeline",
]
