"""`pantry list ENTITY`: accounts, contacts, leads, opportunities, products, proposals, tasks, users."""

from __future__ import annotations

import argparse
import sys
from itertools import chain, islice
from typing import Any, Callable, Iterator

from pydantic import ValidationError

from cli.commands.list_entities import ENTITIES, Entity
from cli.context import GlobalOptions, UsageError
from cli.errors import describe_validation_error
from cli.options import add_global_options, non_negative_int, session_for
from cli.output import FORMATS, write_csv, write_json_list, write_table
from domain.errors import InvalidSort

NAME = "list"
BATCH = 1000  # rows per query when paging through a whole table
TABLE_LIMIT = 100


def _add_list_options(parser: argparse.ArgumentParser) -> None:
    # SUPPRESS everywhere: they may be given after `list` or after the entity; defaults applied in run().
    g = parser.add_argument_group("output")
    g.add_argument("--format", choices=FORMATS, default=argparse.SUPPRESS, help="table (default), csv or json")
    g.add_argument("--sort", metavar="COL", default=argparse.SUPPRESS, help="column to sort by")
    g.add_argument("--desc", action="store_true", default=argparse.SUPPRESS, help="sort descending")
    g.add_argument(
        "--limit", type=non_negative_int, metavar="N", default=argparse.SUPPRESS,
        help=f"at most N rows (default: {TABLE_LIMIT} for table, all for csv/json; 0 = all)",
    )
    g.add_argument("--offset", type=non_negative_int, metavar="N", default=argparse.SUPPRESS, help="skip the first N rows")
    g.add_argument("--search", metavar="TEXT", default=argparse.SUPPRESS, help="text contained in the name (and similar fields)")
    g.add_argument("--archived", action="store_true", default=argparse.SUPPRESS,
                   help="also list archived records (`pantry archive`), which lists leave out")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        NAME, help="list records as a table, CSV or JSON",
        description="List records of one kind. JSON and CSV stream every matching row; a table shows the first 100.",
        allow_abbrev=False,
    )
    add_global_options(parser)
    _add_list_options(parser)
    entities = parser.add_subparsers(dest="entity", metavar="ENTITY", title="entities", required=True)
    for entity in ENTITIES:
        sub = entities.add_parser(
            entity.name, help=entity.help, allow_abbrev=False,
            description=f"List {entity.name}: {entity.help}.",
            epilog=f"sort columns: {entity.sort_hint}" if entity.sort_hint else None,
        )
        add_global_options(sub)
        _add_list_options(sub)
        entity.add_filters(sub)
        sub.set_defaults(handler=run, entity_spec=entity)


def build_filter(entity: Entity, args: argparse.Namespace, session) -> Any:
    values = entity.filter_values(args, session)
    values.update(
        text=getattr(args, "search", ""),
        sort=getattr(args, "sort", ""),
        descending=getattr(args, "desc", False),
    )
    if getattr(args, "archived", False):
        values["archived"] = True
    try:
        return entity.filter_cls(**values)
    except ValidationError as exc:
        raise UsageError(describe_validation_error(exc, entity.option_names)) from None


def iter_pages(fetch: Callable[[int, int], Any], offset: int, limit: int | None, batch: int = BATCH) -> Iterator[Any]:
    """Pages of at most `batch` rows from `offset`, `limit` rows in all (None = to the end)."""
    remaining = limit
    while True:
        size = batch if remaining is None else min(batch, remaining)
        if size <= 0:
            return
        page = fetch(offset, size)
        yield page
        got = len(page.items)
        offset += got
        if remaining is not None:
            remaining -= got
        if got < size or offset >= page.total:
            return


def run(args: argparse.Namespace, options: GlobalOptions) -> int:
    entity: Entity = args.entity_spec
    fmt = getattr(args, "format", "table")
    offset = getattr(args, "offset", 0)
    limit = getattr(args, "limit", None)
    if limit is None:
        limit = TABLE_LIMIT if fmt == "table" else 0
    limit = limit or None  # 0 = no limit
    if fmt == "table" and limit is None:
        limit = sys.maxsize  # a table needs every row to align, so it is buffered anyway
    out = sys.stdout

    with session_for(options) as session:
        flt = build_filter(entity, args, session)
        # one read transaction: the pages are a consistent snapshot on SQLite
        with session.snapshot():
            pages = iter_pages(lambda o, n: entity.fetch(session, flt, o, n), offset, limit)
            try:
                first = next(pages)
            except InvalidSort as exc:  # the store's whitelist refused the column
                raise UsageError("--sort:" + str(exc).removeprefix("sort:")) from None
            items = chain(first.items, (item for page in pages for item in page.items))
            rows = (entity.to_row(item, session) for item in items)
            if fmt == "json":
                write_json_list(rows, out)
            elif fmt == "csv":
                write_csv(rows, entity.keys, out)
            else:
                shown = write_table(list(islice(rows, limit)), entity.columns, out)
                _table_footer(entity, offset, shown, first.total)
    return 0


def _table_footer(entity: Entity, offset: int, shown: int, total: int) -> None:
    if shown == 0:
        print(f"(no {entity.name} found)" if total == 0 else f"(no {entity.name} past offset {offset}; {total:,} in all)",
              file=sys.stderr)
    elif offset > 0 or shown < total:
        print(
            f"(rows {offset + 1:,}-{offset + shown:,} of {total:,} {entity.name}; "
            "use --limit N (0 = all) and --offset N to see more)",
            file=sys.stderr,
        )
