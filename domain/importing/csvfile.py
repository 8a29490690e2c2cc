"""Reading CSV files: UTF-8 with or without a BOM, CRLF or LF, quoted fields, one header row."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from domain.importing.plan import Problem, SourceRow


@dataclass
class CsvFile:
    path: Path
    header: list[str]
    rows: list[SourceRow]
    problems: list[Problem]

    @property
    def name(self) -> str:
        return self.path.name


BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
NOT_UTF8 = ("save it as UTF-8 (CSV UTF-8): Pantry reads UTF-8, with or without a BOM, and UTF-16 with a BOM; "
            "other encodings (Windows-1252, Latin-1) are not guessed")


def encoding_of(path: Path) -> str:
    """UTF-8 (a BOM skipped), or UTF-16 when the file starts with its BOM."""
    with path.open("rb") as raw:
        start = raw.read(4)
    return next((name for bom, name in BOMS if start.startswith(bom)), "utf-8")


# What no cell may hold: C0 and C1 control characters but tab, newline and carriage return (an escape
# sequence would drive the terminal of whoever reads the record), and the bidi overrides and isolates
# that make text read in another order than it is stored. Format characters such as a zero-width space
# or a soft hyphen are kept: real exports hold them, and they drive nothing.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def control_reason(char: str) -> str:
    return f"control character U+{ord(char):04X} is not allowed in text"


def read_csv(path: Path, required: tuple[str, ...] = ()) -> CsvFile:
    """All data rows of `path`, each with the line it starts on (the header is line 1).

    A row with more or fewer fields than the header is a problem, not a row. Blank lines are skipped.
    A file that is not UTF-8 (or UTF-16 with a BOM), or holds a NUL character, is one problem and no rows.
    """
    problems: list[Problem] = []
    rows: list[SourceRow] = []
    header: list[str] = []
    try:
        handle = path.open(encoding=encoding_of(path), newline="")
    except OSError as exc:
        return CsvFile(path, [], [], [Problem(path.name, 0, "-", f"cannot read: {exc.strerror or exc}")])
    with handle:
        reader = csv.reader(handle)
        try:
            header = [h.strip() for h in next(reader, [])]
            if not header:
                problems.append(Problem(path.name, 1, "-", "empty file: a header row is required"))
                return CsvFile(path, [], [], problems)
            missing = [c for c in required if c not in header]
            for column in missing:
                problems.append(Problem(path.name, 1, column, "required column missing from the header"))
            line = reader.line_num + 1
            name, width, add = path.name, len(header), rows.append
            for fields in reader:
                start, line = line, reader.line_num + 1
                if len(fields) != width:
                    if not fields or fields == [""]:
                        continue
                    problems.append(Problem(name, start, "-", f"{len(fields)} fields, the header has {width}"))
                    continue
                if width == 1 and not fields[0]:
                    continue  # a blank line
                joined = "".join(fields)
                if "\x00" in joined:  # one search per row; the column only when there is one
                    column = next(c for c, v in zip(header, fields) if "\x00" in v)
                    problems.append(Problem(name, start, column, "a NUL character: not text (a binary file, "
                                            "or not saved as UTF-8?)"))
                    continue
                control = CONTROL.search(joined)
                if control:
                    column = next(c for c, v in zip(header, fields) if CONTROL.search(v))
                    problems.append(Problem(name, start, column, control_reason(control.group())))
                    continue
                add(SourceRow(name, start, dict(zip(header, fields))))
        except UnicodeError as exc:
            reason = getattr(exc, "reason", str(exc))
            return CsvFile(path, [], [], [Problem(path.name, max(reader.line_num, 1), "-",
                                                  f"not UTF-8 ({reason}): {NOT_UTF8}")])
        except csv.Error as exc:
            problems.append(Problem(path.name, reader.line_num, "-", f"malformed CSV: {exc}"))
        if any("\x00" in h for h in header):
            return CsvFile(path, [], [], [Problem(path.name, 1, "-", f"a NUL character in the header: {NOT_UTF8}")])
    return CsvFile(path, header, rows, problems)


def csv_files(paths: list[Path]) -> Iterator[Path]:
    """The CSV (and JSON) files named by `paths`: files as given, folders' *.csv/*.json sorted by name."""
    for path in paths:
        if path.is_dir():
            yield from sorted(p for p in path.iterdir() if p.suffix.lower() in (".csv", ".json") and p.is_file())
        else:
            yield path
