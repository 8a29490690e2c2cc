"""Rows for the fixed reference tables: products, competitors and their battlecards."""

from __future__ import annotations

import json

from store.demo.catalog import PRODUCTS
from store.demo.market import COMPETITORS

PRODUCT_COLUMNS = ("id", "sku", "name", "category", "unit", "list_price_cents", "active", "description")
COMPETITOR_COLUMNS = ("id", "name", "strengths", "weaknesses", "pricing", "market_share", "website")
BATTLECARD_COLUMNS = ("id", "competitor_id", "title", "body")


def product_rows():
    for index, p in enumerate(PRODUCTS, start=1):
        yield (index, p.sku, p.name, p.category, p.unit, p.list_price_cents, True, p.description)


def competitor_rows():
    for index, c in enumerate(COMPETITORS, start=1):
        yield (index, c.name, json.dumps(list(c.strengths), ensure_ascii=False),
               json.dumps(list(c.weaknesses), ensure_ascii=False), c.pricing, c.market_share, c.website)


def battlecard_rows():
    next_id = 1
    for index, c in enumerate(COMPETITORS, start=1):
        for title, body in c.battlecards:
            yield (next_id, index, title, body)
            next_id += 1
