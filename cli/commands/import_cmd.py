"""`pantry import PATH… --preset NAME [--dry-run] [--skip-invalid]`: CSV files into the database.

All or nothing by default: one invalid or refused row and nothing is written; the report lists
every problem as file:line: column: reason (exit 1). Records found again are updated where the
source changed (audit log: the --as user). See docs/import.md.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

from cli.context import GlobalOptions, UsageError
from cli.options import add_global_options, session_for
from domain.importing.runner import PRESETS, ImportError_, ImportRefused, default_mapping, load_mapping, run_import

NAME = "import"


# What a committed import announces (once, after its commit, through the unit of work).
IMPORTED_KINDS = ("opportunity", "account", "contact", "lead", "activity", "user", "product", "stage_change",
                  "line_item", "audit")

def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        NAME, help="import CSV files (presets: " + ", ".join(PRESETS) + ")", allow_abbrev=False,
        description="Import CSV files or folders of them. All or nothing unless --skip-invalid; "
        "importing the same files again changes nothing. See docs/import.md.",
    )
    add_global_options(parser)
    parser.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="a CSV file or a folder of them")
    parser.add_argument("--preset", choices=PRESETS, default=None,
                        help="maven: the Maven Analytics CRM dataset; pantry: files written by `pantry export`; "
                        "hubspot / salesforce: deals, companies, contacts, leads and activities exported from those CRMs")
    parser.add_argument("--mapping", type=Path, default=None, metavar="FILE",
                        help="a TOML file of value mappings ([stages], [owners], [industries], ...) "
                        "replacing the preset's tables of the same name")
    parser.add_argument("--show-mapping", action="store_true",
                        help="print the preset's mapping (with --mapping FILE applied) as such a file, and exit")
    parser.add_argument("--dry-run", action="store_true", help="validate and report, write nothing")
    parser.add_argument("--skip-unknown", action="store_true",
                        help="leave files that are read as nothing unread (else they are an error)")
    parser.add_argument("--skip-invalid", action="store_true",
                        help="write the valid rows; the rejected ones go to the --rejected CSV")
    parser.add_argument("--report", type=Path, default=None, metavar="FILE",
                        help="also write the report to FILE (the rejected-rows CSV goes beside it)")
    parser.add_argument("--rejected", type=Path, default=None, metavar="FILE",
                        help="where --skip-invalid writes the rejected rows (default: beside --report, "
                        "else ./pantry-import-rejected.csv)")
    parser.add_argument("--progress", action="store_true",
                        help="show progress bars on stderr even when it is not a terminal "
                        "(on a terminal they are shown for steps of 5,000 rows or more)")
    parser.set_defaults(handler=run)


class ProgressBar:
    """One line per step on stderr, redrawn in place on a terminal: `writing opportunities [####....] 40,000/100,000`.
    Shown when stderr is a terminal (steps of MIN_ROWS rows or more) or when forced (--progress)."""

    MIN_ROWS = 5_000
    WIDTH = 30

    def __init__(self, stream, *, forced: bool) -> None:
        self.stream = stream
        self.tty = stream.isatty()
        self.forced = forced
        self.last: tuple[str, int] | None = None

    def __call__(self, what: str, done: int, total: int) -> None:
        if not (self.forced or (self.tty and total >= self.MIN_ROWS)):
            return
        filled = self.WIDTH * min(done, total) // max(total, 1)
        line = f"{what:<32} [{'#' * filled}{'.' * (self.WIDTH - filled)}] {done:,}/{total:,}"
        if self.tty:
            self.stream.write("\r" + line + ("\n" if done >= total else ""))
        else:
            percent = 100 * done // max(total, 1)
            step = (what, percent // 10)
            if step == self.last and done < total:
                return  # off a terminal: one line per 10 %
            self.last = step
            self.stream.write(line + "\n")
        self.stream.flush()


def write_rejected(path: Path, result) -> None:
    by_row: dict[tuple[str, int], list[str]] = {}
    for problem in result.errors:
        by_row.setdefault((problem.file, problem.line), []).append(f"{problem.column}: {problem.reason}")
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["file", "line", "problems", "row"])
        for source in result.rejected:
            row_text = ",".join(_quote(v) for v in source.values.values())
            writer.writerow([source.file, source.line, "; ".join(by_row.get((source.file, source.line), [])), row_text])
        # problems without a readable row (malformed lines)
        listed = {(s.file, s.line) for s in result.rejected}
        for (file, line), reasons in by_row.items():
            if (file, line) not in listed:
                writer.writerow([file, line, "; ".join(reasons), ""])


def _quote(value: str) -> str:
    return f'"{value.replace(chr(34), chr(34) * 2)}"' if any(c in value for c in ',"\r\n') else value


def _preset(args: argparse.Namespace) -> str:
    """--preset, else the `preset` the --mapping file names (a mapping file without one: salesforce)."""
    if args.preset is not None:
        return args.preset
    if args.mapping is None:
        raise UsageError("import: --preset is required (or a --mapping FILE, which may name its preset)")
    import tomllib

    try:
        named = tomllib.loads(args.mapping.read_text(encoding="utf-8")).get("preset", "salesforce")
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
        return "salesforce"  # the mapping's own check reports what is wrong with it
    if named not in PRESETS:
        raise UsageError(f"import: {args.mapping}:preset: unknown preset {named!r} (choose from {', '.join(PRESETS)})")
    return named


def run(args: argparse.Namespace, options: GlobalOptions) -> int:
    args.preset = _preset(args)
    if args.show_mapping:
        try:
            if args.mapping is not None:
                mapping = load_mapping(args.mapping, args.preset, _pipeline(options))
            else:
                mapping = default_mapping(args.preset)
        except ImportError_ as exc:
            raise UsageError(str(exc)) from None
        sys.stdout.write(mapping.to_toml())
        return 0
    if not args.paths:
        raise UsageError("import: at least one PATH is required (or --show-mapping)")
    if args.mapping is not None and args.preset == "pantry":
        raise UsageError("import: the pantry preset takes no --mapping")
    with session_for(options, empty_hint=False) as session:
        store = session.store
        queries = getattr(store, "importing", None)
        if queries is None:
            from store.queries.importing import ImportQueries

            queries = ImportQueries()
        try:
            result = run_import(store, queries, list(args.paths), preset=args.preset, pipeline=session.pipeline,
                                today=session.clock.today(), now=session.clock.now(), dry_run=args.dry_run,
                                skip_invalid=args.skip_invalid, mapping=args.mapping, actor=session.actor,
                                progress=ProgressBar(sys.stderr, forced=args.progress),
                                write=lambda: session.write(IMPORTED_KINDS), skip_unknown=args.skip_unknown)
        except ImportRefused as exc:  # several lines: each unread file, then what each kind needs
            sys.stderr.write(f"pantry: import: {exc}\n")
            return 1
        except ImportError_ as exc:
            raise UsageError(str(exc)) from None
    lines = result.lines()
    lines.append(f"{result.seconds:.1f} s")
    text = "\n".join(lines) + "\n"
    sys.stdout.write(text)
    if args.report is not None:
        args.report.write_text(text, encoding="utf-8")
    if result.errors and args.skip_invalid:
        rejected = args.rejected or (args.report.with_suffix(".rejected.csv") if args.report
                                     else Path("pantry-import-rejected.csv"))
        write_rejected(rejected, result)
        sys.stdout.write(f"rejected rows: {rejected}\n")
    return 1 if result.errors and not args.skip_invalid else 0


def _pipeline(options: GlobalOptions):
    """The pipeline the mapping's [stages] are checked against, without opening a database."""
    with session_for(options, empty_hint=False) as session:
        return session.pipeline
