"""The subcommand registry. Each module exposes `NAME` and `register(subparsers)`; the parsers
it adds set `handler(args, options) -> int` as a default."""

from cli.commands import (
    alerts_cmd,
    audit_cmd,
    automations_cmd,
    db_cmd,
    demo_cmd,
    edit_cmd,
    export_cmd,
    forecast_cmd,
    import_cmd,
    keys_cmd,
    list_cmd,
    move_cmd,
    pipeline_cmd,
    report_cmd,
    stats_cmd,
    team_cmd,
    tui_cmd,
    user_cmd,
)

COMMANDS = (list_cmd, stats_cmd, report_cmd, move_cmd, edit_cmd, alerts_cmd, pipeline_cmd, forecast_cmd, import_cmd, export_cmd, automations_cmd, audit_cmd, team_cmd, user_cmd, keys_cmd, db_cmd, demo_cmd, tui_cmd)

__all__ = ["COMMANDS"]
