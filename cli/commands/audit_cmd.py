"""`pantry audit`: the audit log (who changed which field of which record, when), newest first."""

from __future__ import annotations

import argparse
import sys

from cli.context import GlobalOptions
from cli.options import add_global_options, positive_int, record_id, session_for
from cli.output import Column, col, write_json_list, write_table
from domain.services.audit import audit_log

NAME = "audit"
DEFAULT_LIMIT = 100
KEYS = ("at", "actor", "action", "table_name", "record_id", "field", "old_value", "new_value")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        NAME, help="the audit log, newest first", allow_abbrev=False,
        description="Entries of the audit log, newest first: when, who (login), create/update/delete, "
        "which table and record, which field, the old and the new value.",
    )
    add_global_options(parser)
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--record", dest="record_id", type=record_id, default=None, metavar="ID",
                        help="only this record id (with --table: of that table)")
    parser.add_argument("--table", default=None, metavar="NAME", help="only this table (e.g. opportunity)")
    parser.add_argument("--user", default=None, metavar="LOGIN", help="only changes made by LOGIN")
    parser.add_argument("--limit", type=positive_int, default=DEFAULT_LIMIT, metavar="N",
                        help=f"at most N entries (default {DEFAULT_LIMIT})")
    parser.set_defaults(handler=run)


def as_json(entry) -> dict:
    data = entry.model_dump(mode="json")
    return {key: data.get(key) for key in KEYS}


def run(args: argparse.Namespace, options: GlobalOptions) -> int:
    with session_for(options) as session:  # a rep sees their own changes, a manager their team's
        found = audit_log(session, record_id=args.record_id, table=args.table, user=args.user, limit=args.limit)
    if args.format == "json":
        write_json_list((as_json(e) for e in found), sys.stdout)
        return 0
    write_table([as_json(e) for e in found], (
        Column("At", lambda r: r["at"].replace("T", " ")[:16] + " UTC" if r["at"] else ""),
        col("Actor", "actor"), col("Action", "action"), col("Table", "table_name"),
        col("Record", "record_id", numeric=True), col("Field", "field"), col("Old", "old_value"),
        col("New", "new_value"),
    ), sys.stdout)
    sys.stdout.write(f"\n{len(found):,} entries\n")
    return 0
