"""`pantry user add|set`: manage the users of the database (admins only; anyone may add the first admin)."""

from __future__ import annotations

import argparse

from cli.context import GlobalOptions, UsageError
from cli.options import add_global_options, session_for, text_option
from cli.output import say
from domain.enums import Role
from domain.services.user_admin import UserAdmin

NAME = "user"
ROLES = [r.value for r in Role]


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        NAME, help="add a user or change one (role, manager, team, active…)", allow_abbrev=False,
        description="Manage users. Only an admin can; on a database without an admin, anyone who can open it "
        "may add the first one (`pantry user add admin --name 'CRM Admin' --role admin`). "
        "`pantry list users` shows them.",
    )
    add_global_options(parser)
    actions = parser.add_subparsers(dest="action", required=True, metavar="add|set")
    add = actions.add_parser("add", help="add a user", allow_abbrev=False)
    add_global_options(add)
    add.add_argument("user_login", metavar="LOGIN", help="lower-case letters, digits, '.', '_' or '-'")
    add.add_argument("--name", required=True, type=text_option(), help="the display name")
    add.add_argument("--role", choices=ROLES, default="rep")
    add.add_argument("--manager", default=None, metavar="LOGIN", help="who they report to (a manager or an admin)")
    add.add_argument("--team", default="", type=text_option())
    add.add_argument("--region", default="", type=text_option())
    add.add_argument("--email", default=None)
    add.set_defaults(handler=run_add)

    change = actions.add_parser("set", help="change a user", allow_abbrev=False)
    add_global_options(change)
    change.add_argument("user_login", metavar="LOGIN")
    change.add_argument("--name", default=None, type=text_option())
    change.add_argument("--role", choices=ROLES, default=None)
    manager = change.add_mutually_exclusive_group()
    manager.add_argument("--manager", default=None, metavar="LOGIN")
    manager.add_argument("--no-manager", action="store_true", help="reports to no one")
    change.add_argument("--team", default=None, type=text_option())
    change.add_argument("--region", default=None, type=text_option())
    change.add_argument("--email", default=None, help="'' clears it")
    active = change.add_mutually_exclusive_group()
    active.add_argument("--active", dest="active", action="store_true", default=None)
    active.add_argument("--inactive", dest="active", action="store_false", help="can no longer be given records")
    change.set_defaults(handler=run_set)


def _describe(user) -> str:
    return f"{user.login} ({user.role.value}{', inactive' if not user.active else ''}): {user.display_name}"


def run_add(args: argparse.Namespace, options: GlobalOptions) -> int:
    with session_for(options) as session:
        user = UserAdmin(session).add(args.user_login, args.name, args.role, email=args.email, manager=args.manager,
                                      team=args.team, region=args.region)
    say(f"added {_describe(user)}\n")
    return 0


def run_set(args: argparse.Namespace, options: GlobalOptions) -> int:
    changes = {key: value for key, value in (
        ("display_name", args.name), ("role", args.role), ("team", args.team), ("region", args.region),
        ("email", args.email), ("active", args.active),
    ) if value is not None}
    if args.manager is not None or args.no_manager:
        changes["manager"] = "" if args.no_manager else args.manager
    if not changes:
        raise UsageError("user set: name at least one thing to change (see pantry user set --help)")
    with session_for(options) as session:
        user = UserAdmin(session).change(args.user_login, **changes)
    say(f"changed {_describe(user)} (version {user.version})\n")
    return 0
