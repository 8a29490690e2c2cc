"""Column types with the program's conventions built in."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from peewee import DateTimeField, TextField


class UTCDateTimeField(DateTimeField):
    """Stores aware datetimes as naive UTC; reads them back as aware UTC. Naive input is refused."""

    def db_value(self, value):
        if isinstance(value, datetime):
            if value.tzinfo is None:
                raise ValueError(f"{self.name}: naive datetime refused (timestamps are UTC)")
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return super().db_value(value)

    def python_value(self, value):
        value = super().python_value(value)
        if isinstance(value, datetime) and value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value


class JSONListField(TextField):
    """A list of strings, stored as JSON text (portable across SQLite and PostgreSQL)."""

    def db_value(self, value):
        if value is None:
            return "[]"
        return json.dumps(list(value), ensure_ascii=False)

    def python_value(self, value):
        if value in (None, ""):
            return []
        return json.loads(value)
