"""A digest of every row of every table: a refused command must leave it unchanged."""

from __future__ import annotations

import hashlib

from store.models import ALL_MODELS
from store.store import Store


def digest(url: str) -> str:
    """Every row of every table, hashed (SQLite or PostgreSQL)."""
    with Store.open(url):
        rows = [sorted(map(repr, model.select().dicts())) for model in ALL_MODELS]
    return hashlib.sha256(repr(rows).encode()).hexdigest()
