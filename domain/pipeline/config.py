"""Loading the pipeline configuration from TOML, with errors that name the file, the key and the reason."""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import ValidationError

from domain.pipeline.stages import PipelineConfig
from domain.validation import field_errors

DEFAULT_PIPELINE_FILE = Path(__file__).with_name("default.toml")


class PipelineConfigError(ValueError):
    def __init__(self, path: Path | str, problems: list[tuple[str, str]]) -> None:
        self.path = path
        self.problems = problems
        lines = [f"{path}: {key}: {reason}" if key else f"{path}: {reason}" for key, reason in problems]
        super().__init__("invalid pipeline configuration\n" + "\n".join(lines))


def _key(loc: tuple, data: dict) -> str:
    """('stages', 1, 'requirements', 0, 'activity_completed', 'value') -> stages[qualification].requirements[0].value"""
    parts: list[str] = []
    node = data
    skip_next = False
    for index, part in enumerate(loc):
        if skip_next:
            skip_next = False
            continue
        if isinstance(part, int):
            label = str(part)
            if isinstance(node, list) and part < len(node):
                item = node[part]
                if parts and parts[-1] == "stages" and isinstance(item, dict) and "id" in item:
                    label = str(item["id"])
                node = item
            parts[-1] += f"[{label}]"
            # discriminated unions add the tag to the location: drop it
            if index + 1 < len(loc) and loc[index + 1] in (
                "activity_completed", "field_populated", "minimum_value", "products_selected",
                "create_task", "send_email", "schedule_meeting", "update_field", "notify_manager",
            ):
                skip_next = True
        else:
            parts.append(str(part))
            node = node.get(part) if isinstance(node, dict) else None
    return ".".join(parts)


def parse_pipeline(text: str, path: Path | str) -> PipelineConfig:
    """The pipeline in `text`; `path` names where it came from in the errors (a file, a stored version)."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise PipelineConfigError(path, [("", f"not valid TOML: {error}")]) from None
    try:
        return PipelineConfig.model_validate(data)
    except ValidationError as error:
        problems = []
        for problem in field_errors(error):
            reason = problem.reason
            if problem.type == "union_tag_invalid" and isinstance(problem.input, dict):
                reason = f"unknown type {problem.input.get('type') or problem.input.get('action')!r}: {reason}"
            problems.append((_key(problem.loc, data) or problem.field, reason))
        raise PipelineConfigError(path, problems) from None


def read_pipeline_file(path: Path | str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = error.strerror if isinstance(error, OSError) and error.strerror else error
        raise PipelineConfigError(path, [("", f"cannot read: {reason}")]) from None


def load_pipeline(path: Path | str | None = None) -> PipelineConfig:
    """The pipeline in `path`, else the default shipped with Pantry."""
    chosen = Path(path) if path else DEFAULT_PIPELINE_FILE
    return parse_pipeline(read_pipeline_file(chosen), chosen)


def default_pipeline() -> PipelineConfig:
    return parse_pipeline(DEFAULT_PIPELINE_FILE.read_text(encoding="utf-8"), DEFAULT_PIPELINE_FILE)
