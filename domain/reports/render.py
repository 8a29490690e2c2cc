"""Turning a Report into CSV and Markdown text (pure functions, shared by the CLI and the TUI)."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from domain.reports.base import Report, Table


def _flat(value: Any) -> Any:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return "" if value is None else value


def to_csv(report: Report) -> str:
    """A list report: one row per object. An object report: one `key,value` row per field
    (nested values as JSON)."""
    out = io.StringIO()
    data = report.data
    if isinstance(data, list):
        keys: list[str] = []
        for row in data:
            keys += [k for k in row if k not in keys]
        writer = csv.DictWriter(out, fieldnames=keys, lineterminator="\n")
        writer.writeheader()
        for row in data:
            writer.writerow({k: _flat(row.get(k)) for k in keys})
    else:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["key", "value"])
        for key, value in data.items():
            writer.writerow([key, _flat(value)])
    return out.getvalue()


def _md_cell(value: Any) -> str:
    return str("" if value is None else value).replace("|", "\\|").replace("\n", " ")


def table_to_markdown(table: Table) -> str:
    lines = [f"### {table.title}", ""] if table.title else []
    lines.append("| " + " | ".join(_md_cell(c) for c in table.columns) + " |")
    lines.append("|" + "|".join("---:" if i in table.numeric else "---" for i in range(len(table.columns))) + "|")
    for row in table.rows:
        lines.append("| " + " | ".join(_md_cell(c) for c in row) + " |")
    return "\n".join(lines)


def to_markdown(report: Report, *, as_of: str = "") -> str:
    """An executive summary a manager can paste into an e-mail: headline sentences, then the tables."""
    parts = [f"## {report.title}" + (f" — as of {as_of}" if as_of else ""), ""]
    parts += [f"- {sentence}" for sentence in report.summary]
    for table in report.tables:
        parts += ["", table_to_markdown(table)]
    if report.notes:
        parts += [""] + [f"_{note}_" for note in report.notes]
    return "\n".join(parts) + "\n"
