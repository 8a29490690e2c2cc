"""A mapping file's say over a file's shape: `[columns]` renames source columns to the columns the
preset reads, `[constants]` adds columns with a value for every row — a fixed text, or a template
naming source columns in braces (`"{Supplies Subgroup} {Opportunity Number}"`; `{as}` is the
importing user's login, `{{` and `}}` are braces)."""

from __future__ import annotations

import re

from domain.importing.csvfile import CsvFile
from domain.importing.mapping import Mapping
from domain.importing.plan import Problem

PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")


def reshape(found: CsvFile, mapping: Mapping, actor_login: str | None) -> dict[str, str]:
    """Rename and add the columns of `found` (its header and every row) in place; a template naming a
    column the file does not have is a problem of the file (line 1). Returns {new name: the file's name}
    of the renamed columns (problems name a column as the file has it)."""
    if not (mapping.columns or mapping.constants) or not found.header:
        return {}
    original = list(found.header)
    renames = {column: mapping.columns.get(column, column) for column in original}
    templates: dict[str, list] = {}
    for target, text in mapping.constants.items():
        parts, bad = [], []
        position = 0
        for match in PLACEHOLDER.finditer(text):
            parts.append(text[position:match.start()])
            token = match.group(0)
            if token in ("{{", "}}"):
                parts.append(token[0])
            elif match.group(1) == "as":
                parts.append(actor_login or "")
            elif match.group(1) in original:
                parts.append((match.group(1),))
            else:
                bad.append(match.group(1))
            position = match.end()
        parts.append(text[position:])
        if bad:
            found.problems.append(Problem(found.name, 1, target, f"[constants] names {', '.join(map(repr, bad))}: "
                                          "no such column in the file"))
        templates[target] = parts
    found.header = [renames[c] for c in original] + [t for t in templates if t not in renames.values()]
    for row in found.rows:
        values = row.values
        new = {renames[k]: v for k, v in values.items()}
        for target, parts in templates.items():
            new[target] = "".join(p if isinstance(p, str) else values.get(p[0], "") for p in parts)
        row.values = new
    return {new: old for old, new in renames.items() if new != old}
