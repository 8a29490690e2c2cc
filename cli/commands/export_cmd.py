"""`pantry export ENTITY --format csv|json [--out FILE]`: one entity, every field, in id order.

The files read back with `pantry import --preset pantry` (ids are kept)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from cli.context import GlobalOptions
from cli.options import add_global_options, session_for
from domain.importing.export import write_csv, write_json
from domain.importing.native import entity_for

NAME = "export"


def _entities() -> tuple[str, ...]:
    from store.queries.importing import ENTITIES

    return tuple(ENTITIES)


def entity_name(text: str) -> str:
    """`leads` or `lead` -> the entity's export name (argparse type)."""
    found = entity_for(text, _entities())
    if found is None:
        raise argparse.ArgumentTypeError(f"unknown entity {text!r} (one of: {', '.join(_entities())})")
    return found


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        NAME, help="export an entity as CSV or JSON (round-trips with `import --preset pantry`)", allow_abbrev=False,
        description="Write every record of one entity, every field, in id order. Name the files ENTITY.csv or "
        "ENTITY.json and `pantry import DIR --preset pantry` reads them back with their ids.",
    )
    add_global_options(parser)
    parser.add_argument("entity", type=entity_name, metavar="ENTITY",
                        help="one of: " + ", ".join(_entities()) + " (the singular works too: lead, activity)")
    parser.add_argument("--format", choices=("csv", "json"), default="csv")
    parser.add_argument("--out", type=Path, default=None, metavar="FILE", help="write to FILE instead of stdout")
    parser.set_defaults(handler=run)


def run(args: argparse.Namespace, options: GlobalOptions) -> int:
    with session_for(options) as session:
        if session.visible_logins() is not None:  # a rep or a manager: an export is every record of the table
            from domain.errors import Refused

            raise Refused(f"{session.actor.login} ({session.actor.role.value}) cannot export: an export holds every "
                          f"record of the table, which only an admin sees; `pantry list {args.entity} --format csv` "
                          "writes the records you may see")
        queries = getattr(session.store, "importing", None)
        if queries is None:
            from store.queries.importing import ImportQueries

            queries = ImportQueries()
        records = queries.export(args.entity)
        out = args.out.open("w", encoding="utf-8", newline="") if args.out else sys.stdout
        try:
            if args.format == "json":
                write_json(records, out)
            else:
                write_csv(queries.record_type(args.entity), records, out)
        finally:
            if args.out:
                out.close()
    return 0
