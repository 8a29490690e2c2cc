"""Pydantic's validation errors as the user should read them: which field, and why.

Every place that turns a `ValidationError` into a message (the CLI's options, the TUI's forms and
filter box, the importer's rejected rows, the pipeline file, user and quota administration) reads
it through `field_errors`, then names the field its own way (an option, a form field, a CSV column).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

# A model-level validator names the field it is about at the start of its message: "min_value: must not
# exceed max_value", "stages[proposal].automations[0].parameters.field: ...".
_NAMED = re.compile(r"^([A-Za-z_][\w.\[\]]*): (.+)$", re.DOTALL)


@dataclass(frozen=True)
class FieldError:
    field: str  # the field as the caller names it ('' when the error is about the whole record)
    reason: str  # pydantic's message, without its "Value error, " prefix
    loc: tuple[str | int, ...]  # where pydantic found it (empty for a model-level validator)
    type: str  # pydantic's error type ("missing", "less_than_equal", "union_tag_invalid", ...)
    input: Any  # the offending value

    @property
    def path(self) -> str:
        """The dotted location without list indexes (`owners`, `parameters.due`), or the named field."""
        return ".".join(str(part) for part in self.loc if not isinstance(part, int)) or self.field


def field_errors(error: ValidationError, names: Mapping[str, str] | None = None) -> list[FieldError]:
    """One FieldError per problem, in pydantic's order. `names` renames a record's field to what the user
    typed (`{"amount_cents": "amount"}`); a field it does not name keeps its own name."""
    names = names or {}
    found = []
    for item in error.errors():
        loc = tuple(item.get("loc") or ())
        reason = str(item.get("msg", "invalid value")).removeprefix("Value error, ")
        field = next((str(part) for part in loc if not isinstance(part, int)), "")
        if not loc and (named := _NAMED.match(reason)):
            field, reason = named.group(1), named.group(2)
        found.append(FieldError(names.get(field, field), reason, loc, str(item.get("type", "")), item.get("input")))
    return found
