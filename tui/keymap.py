"""Binding ids: every key of the app has one, so that a user can give it other keys with `[keymap]` in the
settings (README, "Your own keys"); Textual applies the keymap (`App.set_keymap`), the help screen lists the ids.

`bindings()` finds every binding declared under tui/ (it imports every screen and widget: only when a
keymap is set, or in tests, since the app imports a screen when it is first opened).
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Mapping

from textual.binding import Binding

PACKAGES = ("tui.screens", "tui.widgets")


def bindings() -> dict[str, list[tuple[type, Binding]]]:
    """Every class under tui/ that declares BINDINGS, with its bindings (the app first)."""
    from tui.app import PantryApp

    found: dict[str, list[tuple[type, Binding]]] = {}
    classes = [PantryApp]
    for package in PACKAGES:
        for info in pkgutil.iter_modules(importlib.import_module(package).__path__):
            module = importlib.import_module(f"{package}.{info.name}")
            classes += [value for value in vars(module).values()
                        if isinstance(value, type) and value.__module__ == module.__name__ and "BINDINGS" in vars(value)]
    for cls in classes:
        found[f"{cls.__module__}.{cls.__qualname__}"] = [
            (cls, binding) for binding in vars(cls)["BINDINGS"] if isinstance(binding, Binding)]
    return found


def binding_ids() -> set[str]:
    return {binding.id for declared in bindings().values() for _, binding in declared if binding.id}


def unknown_ids(keymap: Mapping[str, str]) -> list[str]:
    """The ids in `keymap` that no binding has (a typo would otherwise be ignored without a word)."""
    known = binding_ids()
    return sorted(binding_id for binding_id in keymap if binding_id not in known)
