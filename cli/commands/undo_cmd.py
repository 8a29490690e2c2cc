"""`pantry undo [AUDIT_ID]`: revert your last change (or the change that wrote audit entry AUDIT_ID) as a new,
audited change (domain/services/undo.py)."""

from __future__ import annotations

import argparse
import sys

from cli.context import GlobalOptions
from cli.options import add_global_options, session_for
from domain.services.undo import Undo


def register(subparsers: argparse._SubParsersAction) -> None:
    undo = subparsers.add_parser(
        "undo", help="undo your last change (a stage move, a close, an edit, an archive…)", allow_abbrev=False,
        description="Revert your last change as a new audited change: old values are written back, what it created "
        "is archived, and a field someone changed since is refused. Again: the change before that one. "
        "`pantry audit` shows the entry ids.",
    )
    add_global_options(undo)
    undo.add_argument("entry_id", type=int, nargs="?", metavar="AUDIT_ID",
                      help="undo the change that wrote this audit entry instead of the last one")
    undo.set_defaults(handler=run)


def run(args: argparse.Namespace, options: GlobalOptions) -> int:
    with session_for(options) as session:
        undone = Undo(session).undo(args.entry_id)
    sys.stdout.write(f"undid the change of {undone.at:%Y-%m-%d %H:%M} UTC:\n")
    for line in undone.reverted:
        sys.stdout.write(f"  {line}\n")
    return 0
