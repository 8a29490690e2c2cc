"""What a report is: a JSON document, table sections for people, and an executive summary in Markdown."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator


class ReportParams(BaseModel):
    """The options every report accepts (`--as-of`, `--from/--to`, `--rep`, `--team`)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    as_of: date
    date_from: date | None = None
    date_to: date | None = None
    reps: tuple[str, ...] = ()
    team: str = ""

    @model_validator(mode="after")
    def _range(self) -> "ReportParams":
        if self.date_from and self.date_to and self.date_from > self.date_to:
            raise ValueError("from: must not be after to")
        return self


@dataclass(frozen=True)
class Table:
    """One table of a report: column headers, rows of display values, which columns are numeric, and which
    identify a row (a screen too narrow for every column never leaves these out: the first by default)."""

    title: str
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    numeric: frozenset[int] = frozenset()
    key: frozenset[int] = frozenset({0})


@dataclass(frozen=True)
class Report:
    name: str
    title: str
    data: Any  # the JSON document: money as dollars (numbers), rates as fractions 0-1, dates ISO
    tables: tuple[Table, ...]
    summary: tuple[str, ...] = ()  # the executive summary's sentences (Markdown)
    notes: tuple[str, ...] = field(default=())  # definitions and caveats shown under the tables
