"""The layers you can see in the folder tree, kept apart by a test.

    tui/    Textual screens and widgets      may use textual, textual_plotext, rich
    cli/    the `pantry` command             may use rich
    domain/ records, rules, services         pydantic and the standard library only
    store/  Peewee models, SQL, migrations   the only place for peewee, playhouse, psycopg2

Rich is a presentation library: allowed in cli/ and tui/, not in domain/ or store/.
domain/ names no `store` module at all, not even for type hints: it is written against the
Protocols of domain/ports.py, which the store implements. Nor cli/ or tui/. tui/ imports
nothing from store/ either (screens reach data through the Session and the services). cli/
never imports the Peewee models, the column types or the migrations (store.models,
store.fields, store.migrations): commands get records and views from the Store.

Every import counts: top-level, inside functions, inside TYPE_CHECKING blocks, and
`importlib.import_module("...")` / `__import__("...")` with a literal name.

Beyond imports: tui/ never touches a Session's `.store` (a screen reads through Session methods
and services, which apply the role's visibility); cli/ only where it administers the database
itself (CLI_STORE_ACCESS says where and why). domain/ never calls a private member (`_name`) of
the store's objects: what it needs is a method of a port.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
LAYERS = ("domain", "store", "cli", "tui")

# third-party package -> the top-level folders allowed to import it
ONLY_IN = {
    "textual": {"tui"},
    "textual_plotext": {"tui"},
    "rich": {"cli", "tui"},
    "peewee": {"store"},
    "playhouse": {"store"},
    "psycopg2": {"store"},
}
STORE_INTERNALS = ("store.models", "store.fields", "store.migrations")


def _type_checking_nodes(tree: ast.AST) -> set[int]:
    """ids of every node inside the body of an `if TYPE_CHECKING:` block."""
    inside: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else test.attr if isinstance(test, ast.Attribute) else None
            if name == "TYPE_CHECKING":
                for statement in node.body:
                    inside.update(id(n) for n in ast.walk(statement))
    return inside


def _package_of(path: str) -> list[str]:
    parts = path.removesuffix(".py").split("/")
    return parts[:-1]  # a module's package; for __init__.py the folder is the package itself


def imported_modules(path: str, source: str):
    """(line, dotted module name, under TYPE_CHECKING) for every import in `source`."""
    tree = ast.parse(source, filename=path)
    typing_only = _type_checking_nodes(tree)
    for node in ast.walk(tree):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                package = _package_of(path)
                base = package[: len(package) - (node.level - 1)]
                names = [".".join(base + ([node.module] if node.module else []))]
            else:
                names = [node.module or ""]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
            if called in ("import_module", "__import__") and isinstance(node.args[0].value, str):
                names = [node.args[0].value]
        for name in names:
            yield node.lineno, name, id(node) in typing_only


def _is(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def check_source(path: str, source: str) -> list[str]:
    """Layer violations in one file; `path` is relative to the project root, with forward slashes."""
    layer = path.split("/", 1)[0]
    problems = []
    for line, module, typing_only in imported_modules(path, source):
        top = module.split(".", 1)[0]
        where = f"{path}:{line}: imports {module}"
        if top in ONLY_IN and layer not in ONLY_IN[top]:
            allowed = " and ".join(f"{d}/" for d in sorted(ONLY_IN[top]))
            problems.append(f"{where} -- {top} belongs in {allowed} only")
        elif layer == "domain" and top in ("cli", "tui"):
            problems.append(f"{where} -- domain/ must not depend on {top}/")
        elif layer == "domain" and top == "store":
            hint = " (type hints included: name the Protocols of domain/ports.py)" if typing_only else ""
            problems.append(f"{where} -- domain/ must not depend on store/{hint}")
        elif layer == "tui" and top == "store":
            problems.append(f"{where} -- tui/ reaches data through the Session and the services, never store/")
        elif layer == "store" and top in ("cli", "tui"):
            problems.append(f"{where} -- store/ must not depend on {top}/")
        elif layer in ("cli", "tui") and any(_is(module, internal) for internal in STORE_INTERNALS):
            problems.append(f"{where} -- {layer}/ gets records from the Store, never Peewee models or fields")
    return problems


# Where cli/ may reach `session.store` itself, and why: each is about the database as such, not its records.
CLI_STORE_ACCESS = {
    "cli/options.py": "opens and closes the session's database, and says when it is empty",
    "cli/commands/import_cmd.py": "hands the importer the store's bulk queries (the write goes through session.write)",
    "cli/commands/export_cmd.py": "reads every record of a table through the store's bulk queries (admins only)",
}


def _dotted(node: ast.AST) -> str:
    """`self.session.store.users` -> "self.session.store.users" (calls and subscripts shown as ())."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    if isinstance(node, ast.Call):
        return f"{_dotted(node.func)}()"
    return "…"


def store_accesses(source: str) -> list[tuple[int, str]]:
    """(line, expression) for every `X.store` and `getattr(X, "store")` in `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr == "store":
            found.append((node.lineno, _dotted(node)))
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "getattr"
              and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant) and node.args[1].value == "store"):
            found.append((node.lineno, f"getattr({_dotted(node.args[0])}, 'store')"))
    return found


def private_store_members(source: str) -> list[tuple[int, str]]:
    """(line, expression) for every `…store…._name` (a private member reached through a store)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
            chain = _dotted(node.value)
            if "store" in chain.replace("()", "").split("."):
                found.append((node.lineno, f"{chain}.{node.attr}"))
    return found


def project_files() -> list[Path]:
    return sorted(
        p for layer in LAYERS for p in (ROOT / layer).rglob("*.py") if "__pycache__" not in p.parts
    )


# -- the real tree ------------------------------------------------------------------------------


def test_layers_are_kept_apart():
    files = project_files()
    for layer in LAYERS:
        assert any(p.relative_to(ROOT).parts[0] == layer for p in files), f"no .py files found under {layer}/"
    problems = []
    for file in files:
        relative = file.relative_to(ROOT).as_posix()
        problems += check_source(relative, file.read_text(encoding="utf-8"))
    assert not problems, "layer violations:\n" + "\n".join(problems)


def test_screens_and_commands_reach_data_through_the_session():
    problems = []
    used = set()
    for file in project_files():
        relative = file.relative_to(ROOT).as_posix()
        if relative.split("/", 1)[0] not in ("tui", "cli"):
            continue
        for line, expression in store_accesses(file.read_text(encoding="utf-8")):
            if relative in CLI_STORE_ACCESS:
                used.add(relative)
                continue
            problems.append(f"{relative}:{line}: {expression} -- add a Session method or a service (visibility "
                            "applies there)" if relative.startswith("tui/") else
                            f"{relative}:{line}: {expression} -- commands read through the Session or a service; "
                            "CLI_STORE_ACCESS lists where the database itself is administered")
    assert not problems, "store reached past the Session:\n" + "\n".join(problems)
    assert used == set(CLI_STORE_ACCESS), f"CLI_STORE_ACCESS lists files that no longer need it: {set(CLI_STORE_ACCESS) - used}"


def test_the_domain_calls_no_private_member_of_the_store():
    problems = []
    for file in project_files():
        relative = file.relative_to(ROOT).as_posix()
        if relative.startswith("domain/"):
            problems += [f"{relative}:{line}: {expression}"
                         for line, expression in private_store_members(file.read_text(encoding="utf-8"))]
    assert not problems, "private store members called from the domain (add a port method):\n" + "\n".join(problems)


# -- the checker itself ---------------------------------------------------------------------------


@pytest.mark.parametrize(("source", "found"), [
    ("x = self.session.store.users.find()", ["self.session.store"]),
    ("s = getattr(session, 'store', None)", ["getattr(session, 'store')"]),
    ("store = open_store()\nstore.users.find()", []),  # a local variable named store is not a Session's store
    ("self.app.session.connection()", []),
])
def test_store_access_checker(source, found):
    assert [expression for _, expression in store_accesses(source)] == found


@pytest.mark.parametrize(("source", "found"), [
    ("raise self.store.opportunities._conflict(1, None)", ["self.store.opportunities._conflict"]),
    ("store.users._sync_id_sequence()", ["store.users._sync_id_sequence"]),
    ("self._seen(flt)", []),
    ("self.store.opportunities.check_version(current, 3)", []),
])
def test_private_member_checker(source, found):
    assert [expression for _, expression in private_store_members(source)] == found


def test_checker_flags_textual_in_domain():
    assert check_source("domain/x.py", "import textual") == [
        "domain/x.py:1: imports textual -- textual belongs in tui/ only"
    ]


@pytest.mark.parametrize(
    ("path", "source", "flagged"),
    [
        # textual and textual_plotext: tui/ only
        ("tui/app.py", "from textual.app import App", False),
        ("tui/w.py", "from textual_plotext import PlotextPlot", False),
        ("cli/main.py", "from textual.app import App", True),
        ("store/x.py", "import textual_plotext", True),
        # peewee family: store/ only, wherever the import hides
        ("store/x.py", "from peewee import fn\nfrom playhouse.migrations import Runner\nimport psycopg2", False),
        ("cli/main.py", "def f():\n    from peewee import PeeweeException\n", True),
        ("domain/x.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import peewee\n", True),
        ("tui/x.py", "import playhouse.db_url", True),
        ("domain/x.py", "import psycopg2.errors", True),
        ("domain/x.py", "import importlib\nimportlib.import_module('peewee')", True),
        ("domain/x.py", "__import__('textual')", True),
        # rich: presentation layers only
        ("cli/output.py", "from rich.table import Table", False),
        ("tui/x.py", "from rich.text import Text", False),
        ("domain/x.py", "from rich.text import Text", True),
        ("store/x.py", "import rich", True),
        # domain names no store module, type hints included
        ("domain/s.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from store.store import Store\n", True),
        ("domain/s.py", "import typing\nif typing.TYPE_CHECKING:\n    from store.store import Store\n", True),
        ("domain/s.py", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from domain.ports import Storage\n", False),
        ("domain/s.py", "from store.errors import translated", True),
        ("domain/s.py", "from store.store import Store", True),
        ("domain/s.py", "def f():\n    from store import schema\n", True),
        ("domain/s.py", "from tui.format import money", True),
        ("store/x.py", "from cli.context import UsageError", True),
        # Peewee models and fields stay inside the store; relative imports resolved
        ("tui/screens/x.py", "from store.models import OpportunityRow", True),
        ("cli/x.py", "import store.models.sales", True),
        ("tui/x.py", "from store.fields import UTCDateTimeField", True),
        ("tui/x.py", "from store.errors import VersionConflict", True),
        ("tui/x.py", "from domain.errors import VersionConflict", False),
        ("cli/x.py", "from store.store import Store\nfrom store.errors import StoreError", False),
        ("cli/x.py", "from store.queries.common import InvalidSort", False),
        ("store/queries/x.py", "from ..models import UserRow\nfrom .common import Page", False),
        ("domain/services/x.py", "from ..records import User\nfrom . import dashboard", False),
        # harmless look-alikes
        ("domain/x.py", "import textwrap\nimport richtext_helpers\nfrom domain.money import CENT", False),
        ("domain/x.py", "x = 'import textual'", False),
    ],
)
def test_checker_cases(path, source, flagged):
    problems = check_source(path, source)
    assert bool(problems) == flagged, problems
    for problem in problems:
        assert problem.startswith(path + ":")


def test_relative_imports_resolve_to_their_package():
    found = list(imported_modules("store/queries/x.py", "from ..models import A\nfrom . import common\nfrom .common import Page"))
    assert [m for _, m, _ in found] == ["store.models", "store.queries", "store.queries.common"]
    found = list(imported_modules("store/__init__.py", "from .models import A"))
    assert [m for _, m, _ in found] == ["store.models"]
