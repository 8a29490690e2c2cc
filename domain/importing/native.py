"""The `pantry` preset: files written by `pantry export` (ENTITY.csv or ENTITY.json), read back
with their ids. A record whose id is already in the database is left as it is."""

from __future__ import annotations

import json
import types
import typing
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from domain.importing.csvfile import read_csv
from domain.importing.plan import Plan, SourceRow, StagedRecord


def _optional_fields(record_type) -> set[str]:
    out = set()
    for name, info in record_type.model_fields.items():
        args = typing.get_args(info.annotation)
        origin = typing.get_origin(info.annotation)
        if (origin is typing.Union or origin is types.UnionType) and type(None) in args:
            out.add(name)
    return out


def _list_fields(record_type) -> set[str]:
    return {name for name, info in record_type.model_fields.items() if typing.get_origin(info.annotation) is list}


def from_csv_values(record_type, values: dict[str, str]) -> dict[str, Any]:
    """CSV text -> field values: blank optional fields are None, list fields are JSON text."""
    optional, lists = _optional_fields(record_type), _list_fields(record_type)
    data: dict[str, Any] = {}
    for key, text in values.items():
        if key in optional and text == "":
            data[key] = None
        elif key in lists:
            data[key] = json.loads(text) if text else []
        else:
            data[key] = text
    return data


def build(files: list[Path], queries) -> Plan:
    plan = Plan()
    by_entity = {}
    for path in files:
        entity = path.stem
        if entity not in queries.entity_names:
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
            rows = [(SourceRow(path.name, n, {k: "" if v is None else str(v) for k, v in item.items()}), item)
                    for n, item in enumerate(items, start=1)]
        else:
            found = read_csv(path, ("id",))
            plan.problems.extend(found.problems)
            rows = [(row, from_csv_values(record_type, row.values)) for row in found.rows]
        for source, data in rows:
            try:
                record = record_type.model_validate(data)
            except ValidationError as exc:
                plan.reject_validation(source, exc, {})
                continue
            plan.native.append(StagedRecord(entity, record, source))
    return plan


def _problem(file, line, column, reason):
    from domain.importing.plan import Problem

    return Problem(file, line, column, reason)
