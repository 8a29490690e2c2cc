"""The one place that turns rows into domain records and records into rows.

Record field names equal column names, except that a foreign key field `owner` is
`owner_id` in the record. Enum members are written by value.
"""

from __future__ import annotations

from enum import Enum
from functools import cache
from typing import Any, TypeVar

from peewee import ForeignKeyField

from domain.records import Record
from store.models.base import BaseModel

R = TypeVar("R", bound=Record)


@cache
def _fk_names(model: type[BaseModel]) -> tuple[str, ...]:
    return tuple(f.name for f in model._meta.sorted_fields if isinstance(f, ForeignKeyField))


def row_dict_to_record(model: type[BaseModel], data: dict[str, Any], record_type: type[R]) -> R:
    values = dict(data)
    for name in _fk_names(model):
        if name in values:
            values[f"{name}_id"] = values.pop(name)
    return record_type.model_validate(values)


def record_to_row_dict(model: type[BaseModel], record: Record) -> dict[str, Any]:
    values = record.model_dump()
    fks = _fk_names(model)
    out: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, Enum):
            value = value.value
        if key.endswith("_id") and key[:-3] in fks:
            key = key[:-3]
        out[key] = value
    if out.get("id") is None:
        out.pop("id", None)
    return out
