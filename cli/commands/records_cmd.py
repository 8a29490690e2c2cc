"""`pantry add ENTITY --field value…`, `pantry set ENTITY ID --field value…`, `pantry archive ENTITY ID`,
`pantry restore ENTITY ID`: every record by hand (domain/services/record_editor.py).

Every option is taken as text and checked by the domain, so one command names every bad field at once
(exit 1, nothing written); a required option left out is one of them.
"""

from __future__ import annotations

import argparse
import json
import sys

from cli.context import GlobalOptions
from cli.options import add_global_options, session_for
from domain.editing.entities import ARCHIVABLE, ENTITIES, EntitySpec
from domain.errors import DuplicateRecord, InvalidFields
from domain.records import Record
from domain.services.record_editor import RecordEditor, summary

NAMES = ("add", "set", "archive", "restore")


def register(subparsers: argparse._SubParsersAction) -> None:
    add = subparsers.add_parser(
        "add", help="create a record: account, contact, lead, opportunity, proposal, task, …", allow_abbrev=False,
        description="Create a record. You own (or are assigned) what you create unless --owner/--assignee says "
        "otherwise (a rep creates only in their own book); dates default to today. Every bad field is named at "
        "once and nothing is written.",
    )
    add.set_defaults(handler=_missing_entity("add"))
    _entities(add, "add")
    change = subparsers.add_parser(
        "set", help="change fields of a record (`pantry set opportunity 12 --next-step 'Call chef'`)",
        allow_abbrev=False,
        description="Change fields of a record; an empty value ('') clears an optional field. A deal's stage "
        "changes through `pantry move`.",
    )
    change.set_defaults(handler=_missing_entity("set"))
    _entities(change, "set")
    for verb, text in (("archive", "retire a record: it leaves lists, figures and pickers (the audit log and "
                                   "exports keep it; `--archived` lists show it)"),
                       ("restore", "bring an archived record back into use")):
        parser = subparsers.add_parser(verb, help=text.split(":")[0], description=text[0].upper() + text[1:] + ".",
                                       allow_abbrev=False)
        add_global_options(parser)
        parser.add_argument("entity", choices=ARCHIVABLE, metavar="ENTITY", help=", ".join(ARCHIVABLE))
        parser.add_argument("record_id", type=int, metavar="ID")
        parser.add_argument("--format", choices=("text", "json"), default="text")
        parser.set_defaults(handler=run_archive, verb=verb)


def _missing_entity(verb: str):
    def handler(args, options) -> int:
        from cli.context import UsageError

        raise UsageError(f"{verb}: name what to {verb} ({', '.join(ENTITIES)}); see pantry {verb} --help")
    return handler


def _entities(parser: argparse.ArgumentParser, verb: str) -> None:
    add_global_options(parser)
    sub = parser.add_subparsers(dest="entity", metavar="ENTITY", title="entities")
    for spec in ENTITIES.values():
        needs = " ".join(spec.spec(k).option for k in spec.required)
        entity = sub.add_parser(spec.name, help=f"{spec.help} (needs {needs})" if verb == "add" else spec.help,
                                allow_abbrev=False, description=spec.help[0].upper() + spec.help[1:] + ".")
        add_global_options(entity)
        if verb == "set":
            entity.add_argument("record_id", type=int, metavar="ID")
            entity.add_argument("--expect-version", type=int, default=None, metavar="N",
                                help="refuse if the record's version is no longer N")
        fields = entity.add_argument_group(f"{spec.name} fields")
        for field in spec.fields:
            if verb == "set" and field.create_only:
                continue
            required = verb == "add" and field.key in spec.required
            text = field.help
            if field.enum is not None:
                text = (text + "; " if text else "") + "one of " + ", ".join(
                    m.value for m in field.enum if m.value not in field.exclude)
            fields.add_argument(field.option, dest=f"field_{field.key}", metavar=field.metavar, default=None,
                                help=("required. " if required else "") + text)
        if verb == "add" and spec.name in ("account", "contact"):
            entity.add_argument("--allow-duplicate", action="store_true",
                                help="create it even if it looks like an existing one")
        entity.add_argument("--format", choices=("text", "json"), default="text")
        entity.set_defaults(handler=run_add if verb == "add" else run_set, spec=spec)


def _values(args: argparse.Namespace) -> dict[str, str]:
    return {name.removeprefix("field_"): value for name, value in vars(args).items()
            if name.startswith("field_") and value is not None}


def _refused(verb: str, error: InvalidFields, spec: EntitySpec) -> int:
    print(f"pantry: {error.what}:", file=sys.stderr)
    for key, reason in error.problems:
        field = spec.spec(key)
        label = field.option if field else (f"--{key.replace('_', '-')}" if key else "")
        print(f"  {label}: {reason}" if label else f"  {reason}", file=sys.stderr)
    return 1


def _duplicate(error: DuplicateRecord) -> int:
    print(f"pantry: cannot add {error.kind}: it looks like an existing {error.kind}:", file=sys.stderr)
    for record, label, why in error.matches[:10]:
        archived = " (archived)" if getattr(record, "archived_at", None) else ""
        print(f"  {error.kind} {record.id}: {label}{archived} — {why}", file=sys.stderr)
    print(f"  open it with `pantry list {error.kind}s`, or add --allow-duplicate to create it anyway",
          file=sys.stderr)
    return 1


def _print(verb: str, spec: EntitySpec, record: Record, fmt: str) -> None:
    if fmt == "json":
        sys.stdout.write(json.dumps(record.model_dump(mode="json"), ensure_ascii=False) + "\n")
        return
    version = getattr(record, "version", None)
    tail = f" (version {version})" if version is not None and verb == "changed" else ""
    sys.stdout.write(f"{verb} {spec.name} #{record.id}: {summary(spec, record)}{tail}\n")


def run_add(args: argparse.Namespace, options: GlobalOptions) -> int:
    spec: EntitySpec = args.spec
    with session_for(options) as session:
        try:
            record = RecordEditor(session).create(spec.name, _values(args),
                                                  allow_duplicate=getattr(args, "allow_duplicate", False))
        except InvalidFields as error:
            return _refused("add", error, spec)
        except DuplicateRecord as error:
            return _duplicate(error)
    _print("added", spec, record, args.format)
    return 0


def run_set(args: argparse.Namespace, options: GlobalOptions) -> int:
    spec: EntitySpec = args.spec
    with session_for(options) as session:
        try:
            record = RecordEditor(session).update(spec.name, args.record_id, _values(args),
                                                  expected_version=args.expect_version)
        except InvalidFields as error:
            return _refused("set", error, spec)
    _print("changed", spec, record, args.format)
    return 0


def run_archive(args: argparse.Namespace, options: GlobalOptions) -> int:
    spec = ENTITIES[args.entity]
    with session_for(options) as session:
        editor = RecordEditor(session)
        record = editor.archive(spec.name, args.record_id) if args.verb == "archive" else editor.restore(
            spec.name, args.record_id)
    _print("archived" if args.verb == "archive" else "restored", spec, record, args.format)
    return 0
