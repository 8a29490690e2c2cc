"""How the command line fails: exit codes and one-line messages, never a traceback for expected errors.

Exit codes:
  0  success
  1  a refusal the user must act on (rule, permission, conflict, schema too new / out of date,
     missing record, demo generation failure, unreachable database ...)
  2  a usage error (bad option, unknown entity, bad filter value, unknown sort column ...)
"""

from __future__ import annotations

import re

from pydantic import ValidationError

from domain.validation import field_errors

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_BROKEN_PIPE = 141  # 128 + SIGPIPE, what a shell reports for `yes | head`
EXIT_INTERRUPTED = 130  # 128 + SIGINT


class CommandError(RuntimeError):
    """A refusal the user must act on (exit code 1); the message is shown after `pantry: `."""


_BASE_OPTION_NAMES = {"text": "--search", "sort": "--sort", "descending": "--desc"}


def describe_validation_error(exc: ValidationError, option_names: dict[str, str] | None = None) -> str:
    """One line naming each offending field (as its command-line option when known) and the reason."""
    names = {**_BASE_OPTION_NAMES, **(option_names or {})}
    for key, label in list(names.items()):
        if key.endswith("_cents"):
            names.setdefault(key[: -len("_cents")], label)
    parts: list[str] = []
    for problem in field_errors(exc):
        field, msg = problem.field, problem.reason
        if not problem.loc and field:
            # a model-level validator: "min_value: must not exceed max_value" -> "... must not exceed --max-value"
            for key in sorted(names, key=len, reverse=True):
                msg = re.sub(rf"\b{re.escape(key)}\b", names[key], msg)
        label = names.get(field) or (f"--{field.replace('_', '-')}" if field else "")
        parts.append(f"{label}: {msg}" if label else msg)
    return "; ".join(parts) or str(exc)


LOG_NAME = "errors.log"


def unexpected(exc: BaseException, argv: list[str]) -> str:
    """The one line for an error nobody foresaw; its traceback goes to errors.log in the state directory (the
    `state_dir` setting, else the user state directory), where the TUI logs its failures too. The line names
    no path: over SSH it is read by the client, and the server's layout is not theirs to see."""
    import traceback
    from datetime import datetime, timezone

    logged = False
    try:
        from domain.settings import load_settings

        path = load_settings().state_path / LOG_NAME
        path.parent.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
        command = " ".join(argv[:2]) or "(the TUI)"
        trace = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        with path.open("a", encoding="utf-8", errors="backslashreplace") as log:
            log.write(f"{stamp} pantry {command} failed\n{trace}\n")
        logged = True
    except Exception:  # a broken settings file or a full disk: the one line still goes out
        pass
    where = "; the details are in errors.log in Pantry's state directory" if logged else ""
    return f"unexpected error ({type(exc).__name__}){where}"
