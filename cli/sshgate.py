"""The SSH gate: what a key restricted to Pantry may run.

`pantry keys add` writes each key with a forced command,

    command="pantry --ssh-gate --as LOGIN --db URL"

so sshd runs that whatever the client asked for; what the client asked for arrives in
$SSH_ORIGINAL_COMMAND. `gate(argv, environ)` turns the two into the argv to run:

- no original command (a plain `ssh host`): the forced globals alone, i.e. the TUI as LOGIN;
- a read-only subcommand from the allow-list (`report …`, `list …`, `alerts …`, `stats …`,
  `pipeline show …`, `forecast show …`, optionally typed after `pantry`): that subcommand, run
  as the key's user on the key's database, after the forced globals;
- anything else (a shell, `move 1 x`, `--as other`, `--db …`, a pipe): a refusal message.

The identity and the database come only from the forced command (the authorized_keys line),
never from the client. Options that would change them (--as, --db, --demo, --pipeline) are
refused wherever they appear in the original command.
"""

from __future__ import annotations

import shlex
from typing import Mapping

FLAG = "--ssh-gate"

# subcommand -> the second word it requires (None: any arguments)
ALLOWED: dict[str, str | None] = {
    "report": None,
    "list": None,
    "alerts": None,
    "stats": None,
    "pipeline": "show",
    "forecast": "show",
}

# Options of the forced command: they say who and where, and only the key line may set them.
FORCED_OPTIONS = ("--as", "--db", "--pipeline")
# Never accepted from the client.
FORBIDDEN_OPTIONS = ("--as", "--db", "--pipeline", "--demo", FLAG)

MAX_COMMAND = 4096


def allowed_commands() -> str:
    return ", ".join(f"{name} {second}" if second else name for name, second in ALLOWED.items())


def _forced_globals(argv: list[str]) -> list[str] | str:
    """The forced command's own options (after --ssh-gate): --as LOGIN, optionally --db and --pipeline."""
    rest = list(argv)
    if not rest or rest[0] != FLAG:
        return f"{FLAG} must come first"
    rest = rest[1:]
    out: list[str] = []
    seen: set[str] = set()
    while rest:
        option = rest.pop(0)
        value = None
        if "=" in option and option.startswith("--"):
            option, value = option.split("=", 1)
        if option not in FORCED_OPTIONS or option in seen:
            return f"the forced command may only set {', '.join(FORCED_OPTIONS)} (once each), not {option!r}"
        if value is None:
            if not rest:
                return f"the forced command's {option} needs a value"
            value = rest.pop(0)
        if not value.strip():
            return f"the forced command's {option} is empty"
        seen.add(option)
        out += [option, value]
    if "--as" not in seen:
        return "the forced command must name the key's user with --as LOGIN"
    return out


def _refusal(text: str, why: str) -> str:
    shown = text if len(text) <= 80 else text[:77] + "..."
    return (f"over SSH this key may only run read-only commands ({allowed_commands()}), "
            f"or nothing to open the terminal UI; refused {shown!r}: {why}")


def gate(argv: list[str], environ: Mapping[str, str]) -> list[str] | str:
    """The argv for `pantry` to run (without the program name), or a refusal message.

    `argv` is the forced command's arguments (starting with --ssh-gate); `environ` supplies
    SSH_ORIGINAL_COMMAND, the command the client asked for.
    """
    forced = _forced_globals(list(argv))
    if isinstance(forced, str):
        return f"misconfigured SSH key: {forced} (see docs/deploy-ssh.md)"
    original = environ.get("SSH_ORIGINAL_COMMAND")
    if original is None or not original.strip():
        return forced  # the TUI, as the key's user
    if len(original) > MAX_COMMAND:
        return _refusal(original, "the command is too long")
    if any(c in original for c in "\n\r\0"):
        return _refusal(original, "it has more than one line")
    try:
        words = shlex.split(original)
    except ValueError as error:
        return _refusal(original, f"cannot read it ({error})")
    if words and words[0] in ("pantry", "pantry-crm"):
        words = words[1:]
    if not words:
        return forced
    for word in words:
        if word == "--":
            return _refusal(original, "'--' is not accepted")
        name = word.split("=", 1)[0] if word.startswith("--") else word
        if name in FORBIDDEN_OPTIONS:
            return _refusal(original, f"{name} is set by the key, not by the client")
    command = words[0]
    if command.startswith("-"):
        if command in ("--help", "-h", "--version"):
            return [*forced, command]
        return _refusal(original, f"expected a command first, got {command!r}")
    if command not in ALLOWED:
        return _refusal(original, f"{command!r} is not allowed over SSH")
    second = ALLOWED[command]
    if second is not None:
        given = words[1] if len(words) > 1 else None
        if given != second and given not in ("--help", "-h"):
            return _refusal(original, f"only `{command} {second}` is allowed over SSH")
    return [*forced, *words]
