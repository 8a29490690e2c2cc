"""`pantry export`: every entity as CSV or JSON, in the form the `pantry` preset reads back."""

from __future__ import annotations

import csv
import json
from typing import Iterable, TextIO

from domain.records import Record


def record_values(record: Record) -> dict:
    return record.model_dump(mode="json")


def write_json(records: Iterable[Record], out: TextIO) -> int:
    count = 0
    out.write("[")
    for record in records:
        out.write("\n" if count == 0 else ",\n")
        out.write(json.dumps(record_values(record), ensure_ascii=False))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def write_csv(record_type: type[Record], records: Iterable[Record], out: TextIO) -> int:
    """One column per field; None is blank; lists are JSON text; everything else as in JSON."""
    columns = list(record_type.model_fields)
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for record in records:
        values = record_values(record)
        writer.writerow(["" if values[c] is None else json.dumps(values[c], ensure_ascii=False)
                         if isinstance(values[c], list) else _text(values[c]) for c in columns])
        count += 1
    return count


def _text(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
