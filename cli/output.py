"""Output writers shared by every subcommand: aligned tables, CSV and JSON.

Rows are plain dicts whose values are Python values (str, int, bool, None, date, datetime,
or `Money`); each writer converts them its own way:

  JSON   money -> a number of dollars (`to_json_number`), dates ISO 8601, None -> null
  CSV    money -> dollars with two decimals, dates ISO 8601, None -> empty, bools true/false
  table  money -> `format_money`, control characters shown escaped so a row stays one line

User text is written exactly as stored in JSON and CSV (no markup is interpreted anywhere:
`[bold]` is just text). JSON and CSV are streamed: rows are written as they arrive.
"""

from __future__ import annotations

import csv
import json
import os
import sys
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any, Callable, Iterable, Sequence, TextIO

from domain.money import format_money, to_decimal, to_json_number

FORMATS = ("table", "csv", "json")


@dataclass(frozen=True, slots=True)
class Money:
    """An amount of integer cents, tagged so each writer can present it."""

    cents: int


def money(cents: int | None) -> Money | None:
    return None if cents is None else Money(cents)


# -- JSON ----------------------------------------------------------------------------------


def json_value(value: Any) -> Any:
    if isinstance(value, Money):
        return to_json_number(value.cents)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dict):
        return {k: json_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_value(v) for v in value]
    return value


def dumps(value: Any) -> str:
    return json.dumps(json_value(value), ensure_ascii=False)


def write_json_list(rows: Iterable[dict[str, Any]], out: TextIO) -> int:
    """Stream a JSON array, one object per line. Returns the number of rows written."""
    count = 0
    out.write("[")
    for row in rows:
        out.write("\n" if count == 0 else ",\n")
        out.write(dumps(row))
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def write_json_document(value: Any, out: TextIO) -> None:
    out.write(json.dumps(json_value(value), ensure_ascii=False, indent=2))
    out.write("\n")


# -- CSV -----------------------------------------------------------------------------------


def csv_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Money):
        return str(to_decimal(value.cents))
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Enum):
        return str(value.value)
    return str(value)


def write_csv(rows: Iterable[dict[str, Any]], keys: Sequence[str], out: TextIO) -> int:
    """Stream CSV with a header row of `keys` (RFC 4180 quoting, LF line ends)."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(keys)
    count = 0
    for row in rows:
        writer.writerow([csv_value(row.get(key)) for key in keys])
        count += 1
    return count


# -- tables --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    header: str
    get: Callable[[dict[str, Any]], Any]
    numeric: bool = False


def col(header: str, key: str, *, numeric: bool = False) -> Column:
    return Column(header, lambda row, _key=key: row.get(_key), numeric)


_BIDI = set("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _escape_controls(text: str, keep: str = "") -> str:
    """Control characters (and bidi overrides) shown as escapes (`\\x1b`), so user text can neither move the
    cursor, retitle the terminal, ring the bell nor reorder what follows it."""
    if text.isprintable() and not keep:
        return text
    return "".join(
        ch.encode("unicode_escape").decode("ascii")
        if (unicodedata.category(ch) == "Cc" or ch in _BIDI) and ch not in keep else ch
        for ch in text
    )


def plain(text: str) -> str:
    """A message for the terminal that carries user text (a deal's name, a lost reason, a refusal quoting
    what was typed): every line break kept, every other control character escaped. Every one-line message of
    the CLI goes through here (cli/main.py `_fail`, the edit, log, move, assign and user commands)."""
    return _escape_controls(text, keep="\n")


def table_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Money):
        return format_money(value.cents)
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Enum):
        return str(value.value)
    return _escape_controls(str(value))


def display_width(text: str) -> int:
    """Terminal cells taken by `text`: wide East Asian characters and emoji count two."""
    width = 0
    for ch in text:
        if unicodedata.combining(ch) or ch in "\u200d\ufe0e\ufe0f" or unicodedata.category(ch) in ("Mn", "Me", "Cf"):
            continue
        width += 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1
    return width


def _pad(text: str, width: int, right: bool) -> str:
    gap = " " * max(0, width - display_width(text))
    return gap + text if right else text + gap


def use_color(stream: TextIO) -> bool:
    """ANSI styling only on a terminal, and never when NO_COLOR is set or TERM=dumb."""
    if os.environ.get("NO_COLOR") or os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (ValueError, OSError):
        return False


def write_table(rows: Iterable[dict[str, Any]], columns: Sequence[Column], out: TextIO, *, gap: int = 2) -> int:
    """Aligned plain-text columns (numbers right-aligned); a bold header only on a terminal."""
    cells = [[table_cell(c.get(row)) for c in columns] for row in rows]
    headers = [c.header for c in columns]
    widths = [display_width(h) for h in headers]
    for line in cells:
        for i, text in enumerate(line):
            widths[i] = max(widths[i], display_width(text))
    sep = " " * gap

    def render(values: Sequence[str]) -> str:
        return sep.join(_pad(v, widths[i], columns[i].numeric) for i, v in enumerate(values)).rstrip()

    header = render(headers)
    if use_color(out):
        header = f"\x1b[1m{header}\x1b[0m"
    out.write(header + "\n")
    out.write(sep.join("-" * w for w in widths) + "\n")
    for line in cells:
        out.write(render(line) + "\n")
    return len(cells)


def say(text: str, out: TextIO | None = None) -> None:
    """Write a message that may carry user text, through `plain` (stdout unless `out` is given)."""
    (out or sys.stdout).write(plain(text))
