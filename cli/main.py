"""`pantry`: the entry point. `pantry` alone opens the TUI; subcommands come from the registry.

Exit codes: 0 success, 1 a refusal the user must act on, 2 a usage error (see cli/errors.py).
"""

from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace

from pydantic import ValidationError

from cli import version
from cli.commands import commands_named, tui_cmd
from cli.context import UsageError
from cli.errors import (
    EXIT_BROKEN_PIPE,
    EXIT_INTERRUPTED,
    EXIT_REFUSED,
    EXIT_USAGE,
    CommandError,
    describe_validation_error,
    unexpected,
)
from cli.options import add_global_options, global_options
from cli.output import plain
from domain.errors import DomainError
from domain.pipeline import PipelineConfigError
from domain.services.stage_moves import MoveRefused
from domain.settings import SettingsError
from store.database import DatabaseUrlError
from store.schema import SchemaError

PROG = "pantry"


def _top_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Pantry CRM, a keyboard-first CRM for food-service sales teams. "
        "Without a subcommand, opens the terminal UI.",
        epilog="Run `pantry COMMAND --help` for a command's options.",
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {version()}")
    add_global_options(parser, top=True)
    return parser


def build_parser(commands=None) -> argparse.ArgumentParser:
    """The whole parser, or one with only `commands` (modules) registered."""
    parser = _top_parser()
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", title="commands")
    for command in commands if commands is not None else commands_named(None):
        command.register(subparsers)
    return parser


def parser_for(argv: list[str]) -> argparse.ArgumentParser:
    """A parser for this command line that imports only the command module it names.

    `pantry` alone (the TUI) and `pantry COMMAND ...` load one module each; --help, -h and words
    that are not commands get the whole parser, so help and usage errors list every command.
    """
    if any(arg in ("-h", "--help") for arg in argv):
        return build_parser()
    _, rest = _top_parser().parse_known_args(argv)
    if not rest:
        return build_parser((tui_cmd,))
    return build_parser(commands_named(rest[0]))


def _fail(code: int, message: str) -> int:
    message = plain(" ".join(str(message).split()) or "failed")  # a refusal may quote what was typed
    print(f"{PROG}: {message}", file=sys.stderr)
    return code


def not_utf8(argv: list[str]) -> str | None:
    """A refusal naming the first argument that was not UTF-8 (Python keeps such bytes as lone surrogates),
    before argparse or any output meets it; None when every argument is text."""
    for index, arg in enumerate(argv):
        bad = next((i for i, char in enumerate(arg) if "\udc80" <= char <= "\udcff"), None)
        if bad is None:
            continue
        byte = ord(arg[bad]) - 0xDC00
        if arg.startswith("--") and "=" in arg:
            name = arg.split("=", 1)[0]
        elif index and argv[index - 1].startswith("-") and not arg.startswith("-"):
            name = argv[index - 1]
        elif arg.startswith("-"):
            name = "an option name"
        else:
            name = f"argument {index + 1}"
            shown = repr(arg.encode("utf-8", "surrogateescape"))[2:-1]
            name = f"{name} ({shown[:40]})"
        name = name.encode("utf-8", "backslashreplace").decode("utf-8")
        return f"{name}: not valid UTF-8 (byte 0x{byte:02x}); use UTF-8 text (check the terminal's or locale's encoding)"
    return None


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    try:
        return _main(argv)
    except Exception as exc:  # the last resort: never a traceback (over SSH it would show the server's paths)
        return _fail(EXIT_REFUSED, unexpected(exc, argv))


def _main(argv: list[str]) -> int:
    gated = argv[:1] == ["--ssh-gate"]
    if gated:
        # Behind an SSH key's forced command (see docs/deploy-ssh.md): who and which database come from
        # the key line; what the client asked for passes only if it is on the read-only allow-list.
        from cli.sshgate import gate

        argv = gate(argv, os.environ)
        if isinstance(argv, str):
            return _fail(EXIT_REFUSED, argv)
    undecodable = not_utf8(argv)
    if undecodable:
        return _fail(EXIT_USAGE, undecodable)
    try:
        args = parser_for(argv).parse_args(argv)
    except SystemExit as exc:  # --help, --version, or an argparse error (already printed)
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else EXIT_USAGE)

    try:
        options = global_options(args)
        handler = getattr(args, "handler", None) or tui_cmd.run
        if gated and handler is not tui_cmd.run:
            # a command from the allow-list: it reads, and its session refuses any write (docs/deploy-ssh.md);
            # the terminal UI (no command) is the key's user's, with their rights
            options = replace(options, read_only=True)
        return handler(args, options)
    except (UsageError, DatabaseUrlError, SettingsError) as exc:
        return _fail(EXIT_USAGE, str(exc))
    except PipelineConfigError as exc:  # several lines: file: key: reason, one per problem
        print(plain(f"{PROG}: {exc}"), file=sys.stderr)
        return EXIT_REFUSED
    except MoveRefused as exc:  # every reason, one per line
        print(plain(f"{PROG}: cannot move opportunity {exc.opportunity_id} to {exc.target}:"), file=sys.stderr)
        for reason in exc.reasons:
            print(plain(f"  - {reason}"), file=sys.stderr)
        return EXIT_REFUSED
    except (CommandError, SchemaError, DomainError) as exc:  # refusals, conflicts, database failures (translated by the store)
        return _fail(EXIT_REFUSED, str(exc))
    except ValidationError as exc:
        return _fail(EXIT_REFUSED, f"invalid data: {describe_validation_error(exc)}")
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except UnicodeEncodeError as exc:
        return _fail(EXIT_REFUSED, f"cannot write {exc.object[exc.start:exc.end]!r} in {exc.encoding}; set PYTHONIOENCODING=utf-8")
    except OSError as exc:
        return _fail(EXIT_REFUSED, str(exc))
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return _fail(EXIT_INTERRUPTED, "interrupted")


def _silence_stdout() -> None:
    """After EPIPE, point stdout at /dev/null so the interpreter's final flush does not complain."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass


def run() -> None:
    """Console-script entry point: `pantry = "cli.main:run"`."""
    sys.exit(main())


if __name__ == "__main__":
    run()
