"""The `pantry` preset: files written by `pantry export` (ENTITY.csv or ENTITY.json), read back
with their ids. A record whose id is already in the database is left as it is."""

from __future__ import annotations

import json
import types
import typing
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from domain.importing.csvfile import CONTROL, control_reason, read_csv
from domain.importing.plan import Plan, Progress, SourceRow, StagedRecord, counted


@cache
def _optional_fields(record_type) -> set[str]:
    out = set()
    for name, info in record_type.model_fields.items():
        args = typing.get_args(info.annotation)
        origin = typing.get_origin(info.annotation)
        if (origin is typing.Union or origin is types.UnionType) and type(None) in args:
            out.add(name)
    return out


@cache
def _list_fields(record_type) -> set[str]:
    return {name for name, info in record_type.model_fields.items() if typing.get_origin(info.annotation) is list}


def from_csv_values(record_type, values: dict[str, str]) -> dict[str, Any]:
    """CSV text -> field values: blank optional fields are None, list fields are JSON text."""
    return _converter(record_type, tuple(values))(values)


@cache
def _converter(record_type, header: tuple[str, ...]):
    """A function turning one row of a file with this header into field values."""
    optional = [k for k in header if k in _optional_fields(record_type)]
    lists = [k for k in header if k in _list_fields(record_type)]

    def convert(values: dict[str, str]) -> dict[str, Any]:
        data: dict[str, Any] = dict(values)
        for key in optional:
            if data[key] == "":
                data[key] = None
        for key in lists:
            text = data[key]
            try:
                data[key] = json.loads(text) if text else []
            except ValueError:
                pass  # not JSON: validation names the field
        return data

    return convert


SINGULAR = {"activity": "activities", "opportunity": "opportunities", "audit_entry": "audit", "outbox_message": "outbox"}


def entity_for(name: str, entities) -> str | None:
    """An entity's export name from its name or its singular (`lead`, `activity`; dashes or underscores)."""
    name = name.strip().lower().replace("-", "_")
    if name in entities:
        return name
    plural = SINGULAR.get(name, name + "s")
    return plural if plural in entities else None


def build(files: list[Path], queries, progress: Progress | None = None, pipeline=None) -> Plan:
    plan = Plan()
    by_entity = {}
    for path in files:
        entity = entity_for(path.stem, queries.entity_names)
        if entity is None:
            plan.notes.append(f"{path}: not an entity file ({', '.join(queries.entity_names)}), ignored")
            continue
        by_entity[entity] = path
    for entity in queries.entity_names:  # parents first
        path = by_entity.get(entity)
        if path is None:
            continue
        record_type = queries.record_type(entity)
        if path.suffix.lower() == ".json":
            try:
                items = json.loads(path.read_text(encoding="utf-8-sig"))
            except (OSError, ValueError) as exc:
                plan.problems.append(_problem(path.name, 0, "-", f"not JSON: {exc}"))
                continue
            if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
                plan.problems.append(_problem(path.name, 0, "-", "not a JSON list of records (as `pantry export` writes)"))
                continue
            rows = []
            for n, item in enumerate(items, start=1):
                source = SourceRow(path.name, n, {k: "" if v is None else str(v) for k, v in item.items()})
                bad = next((k for k, v in source.values.items() if "\x00" in v or "\x00" in k), None)
                if bad is not None:
                    plan.reject(source, bad, "a NUL character: not text")
                    continue
                control = next(((k, m.group()) for k, v in source.values.items() if (m := CONTROL.search(v))), None)
                if control is not None:
                    plan.reject(source, control[0], control_reason(control[1]))
                    continue
                rows.append((source, item))
        else:
            found = read_csv(path, ("id",))
            plan.problems.extend(found.problems)
            convert = _converter(record_type, tuple(found.header))
            rows = ((row, convert(row.values)) for row in found.rows)
        validate = record_type.model_validate
        staged = plan.native
        total = len(items) if path.suffix.lower() == ".json" else len(found.rows)
        for source, data in counted(rows, f"checking {path.name}", progress, total=total):
            try:
                record = validate(data)
            except ValidationError as exc:
                plan.reject_validation(source, exc, {})
                continue
            staged.append(StagedRecord(entity, record, source))
    _check(plan, queries, pipeline)
    return plan


STAGE_FIELDS = {"opportunities": ("stage",), "stage_changes": ("from_stage", "to_stage")}


def _check(plan: Plan, queries, pipeline) -> None:
    """What the database would refuse, refused first with the file, line and column: an id twice,
    a reference to a record in neither the files nor the database, a stage the pipeline does not have."""
    first: dict[str, dict[int, SourceRow]] = {}
    kept = []
    for staged in plan.native:
        record_id = getattr(staged.record, "id", None)
        seen = first.setdefault(staged.entity, {})
        if record_id is not None and record_id in seen:
            other = seen[record_id]
            plan.reject(staged.source, "id", f"duplicate id {record_id} (first at {other.file}:{other.line})")
            continue
        if record_id is not None:
            seen[record_id] = staged.source
        for field_name in STAGE_FIELDS.get(staged.entity, ()) if pipeline is not None else ():
            stage = getattr(staged.record, field_name, None)
            if stage is not None and not pipeline.has(stage):
                plan.reject(staged.source, field_name, f"unknown stage {stage!r} (the pipeline's stages: "
                            f"{', '.join(s.id for s in pipeline.stages)})")
        if not plan.is_rejected(staged.source):
            kept.append(staged)
    references = getattr(queries, "references", None)
    if references is None:
        plan.native = kept
        return
    stored: dict[str, set[int]] = {}
    while True:  # a rejected record rejects the records that refer to it
        present: dict[str, set[int]] = {}
        for staged in kept:
            present.setdefault(staged.entity, set()).add(getattr(staged.record, "id", None))
        bad = False
        for staged in kept:
            for field_name, target in references(staged.entity).items():
                value = getattr(staged.record, field_name, None)
                if value is None or value in present.get(target, ()):
                    continue
                if target not in stored:
                    stored[target] = queries.existing_ids(target)
                if value not in stored[target]:
                    plan.reject(staged.source, field_name, f"no {target} record with id {value} in the files or "
                                "the database")
                    bad = True
        kept = [s for s in kept if not plan.is_rejected(s.source)]
        if not bad:
            break
    plan.native = kept


def _problem(file, line, column, reason):
    from domain.importing.plan import Problem

    return Problem(file, line, column, reason)
