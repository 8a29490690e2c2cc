"""The subcommand registry. Each module exposes `register(subparsers)`; the parsers it adds set
`handler(args, options) -> int` as a default.

Modules are imported only when needed: `COMMAND_NAMES` maps every subcommand to its module, so a
command line loads the one module it names (and `pantry` alone, the TUI, loads none but `tui_cmd`).
`tests/test_cli.py` checks the map against what the modules register.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType

# The order of `pantry --help`.
MODULES = (
    "list_cmd", "stats_cmd", "report_cmd", "records_cmd", "undo_cmd", "move_cmd", "edit_cmd", "alerts_cmd", "pipeline_cmd", "forecast_cmd",
    "import_cmd", "export_cmd", "automations_cmd", "audit_cmd", "team_cmd", "user_cmd", "keys_cmd", "db_cmd",
    "demo_cmd", "tui_cmd",
)

COMMAND_NAMES: dict[str, str] = {
    "list": "list_cmd", "stats": "stats_cmd", "report": "report_cmd", "move": "move_cmd", "log": "edit_cmd",
    "edit": "edit_cmd", "alerts": "alerts_cmd", "pipeline": "pipeline_cmd", "forecast": "forecast_cmd",
    "import": "import_cmd", "export": "export_cmd", "automations": "automations_cmd", "outbox": "automations_cmd",
    "audit": "audit_cmd", "assign": "team_cmd", "quota": "team_cmd", "user": "user_cmd", "keys": "keys_cmd",
    "db": "db_cmd", "demo": "demo_cmd", "tui": "tui_cmd",
    "add": "records_cmd", "set": "records_cmd", "archive": "records_cmd", "restore": "records_cmd", "undo": "undo_cmd",
}


def load(module: str) -> ModuleType:
    return import_module(f"cli.commands.{module}")


def all_commands() -> tuple[ModuleType, ...]:
    return tuple(load(module) for module in MODULES)


def commands_named(name: str | None) -> tuple[ModuleType, ...]:
    """The modules a command line naming `name` needs: its own (and `tui_cmd`, the default); every
    module when `name` is None or not a command (so --help and usage errors list them all)."""
    if name is None or name not in COMMAND_NAMES:
        return all_commands()
    return tuple(load(module) for module in dict.fromkeys((COMMAND_NAMES[name], "tui_cmd")))
