"""Generic record access: get, insert, versioned update and delete for one table.

Implements `domain.ports.RecordRepository`; raises the domain's NotFound and VersionConflict.
"""

from __future__ import annotations

from typing import Generic, TypeVar

from domain.errors import NotFound, VersionConflict
from domain.records import Record
from store.database import is_postgres
from store.mapping import record_to_row_dict, row_dict_to_record
from store.models.base import BaseModel

R = TypeVar("R", bound=Record)



def checked(record: R) -> R:
    """The record validated again before it is written: one built with `model_copy(update=...)` skips
    pydantic's checks, and a value the record's type refuses (a 201-character lost reason) would be stored,
    then break every later read of the row (an edit, an export). What may go in is what can come out."""
    type(record).model_validate(record.model_dump())
    return record

class Repository(Generic[R]):
    def __init__(self, model: type[BaseModel], record_type: type[R], kind: str) -> None:
        self.model = model
        self.record_type = record_type
        self.kind = kind

    def get(self, record_id: int) -> R | None:
        data = self.model.select().where(self.model.id == record_id).dicts().first()
        return None if data is None else row_dict_to_record(self.model, data, self.record_type)

    def require(self, record_id: int) -> R:
        record = self.get(record_id)
        if record is None:
            raise NotFound(self.kind, record_id)
        return record

    def require_for_update(self, record_id: int) -> R:
        """The record, locked until the transaction ends, or NotFound. PostgreSQL: SELECT … FOR UPDATE (a
        concurrent writer waits, then reads the committed row: a read-modify-write never races another
        into a version conflict). SQLite: write transactions begin IMMEDIATE and hold the lock already."""
        query = self.model.select().where(self.model.id == record_id)
        if is_postgres(self.model._meta.database.obj if hasattr(self.model._meta.database, "obj")
                       else self.model._meta.database):
            query = query.for_update()
        data = query.dicts().first()
        if data is None:
            raise NotFound(self.kind, record_id)
        return row_dict_to_record(self.model, data, self.record_type)

    def find(self, *, order_by: str = "id", descending: bool = False, limit: int | None = None, **equals) -> list[R]:
        """Records whose columns equal the given values (`account=3`), ordered, optionally limited."""
        query = self.model.select()
        for name, value in equals.items():
            query = query.where(getattr(self.model, name) == value)
        column = getattr(self.model, order_by)
        query = query.order_by(column.desc() if descending else column.asc(), self.model.id)
        if limit is not None:
            query = query.limit(limit)
        return [row_dict_to_record(self.model, d, self.record_type) for d in query.dicts()]

    def count_where(self, **equals) -> int:
        query = self.model.select()
        for name, value in equals.items():
            query = query.where(getattr(self.model, name) == value)
        return query.count()

    def insert(self, record: R) -> R:
        data = record_to_row_dict(self.model, checked(record))
        new_id = self.model.insert(**data).execute()
        if record.id is not None:
            self._sync_id_sequence()
        return record.model_copy(update={"id": new_id})

    def insert_many(self, records: list[R]) -> None:
        rows = [record_to_row_dict(self.model, r) for r in records]
        for start in range(0, len(rows), 500):
            self.model.insert_many(rows[start : start + 500]).execute()
        if any("id" in row for row in rows):
            self._sync_id_sequence()

    def _sync_id_sequence(self) -> None:
        """After rows were written with explicit ids, move PostgreSQL's id sequence past them.

        Otherwise the next insert without an id would be given one already taken. SQLite
        needs nothing: it continues from the largest id in the table.
        """
        db = getattr(self.model._meta.database, "obj", self.model._meta.database)
        if not is_postgres(db):
            return
        table = '"%s"' % self.model._meta.table_name
        db.execute_sql(
            f"SELECT setval(pg_get_serial_sequence(%s, 'id'), (SELECT MAX(id) FROM {table}))", (table,)
        )

    def update(self, record: R, *, changed_by: str | None = None, fields: set[str] | None = None) -> R:
        """Write `record` if its version is still the stored one; returns it with the next version.

        `fields` limits the write to those record fields (plus the version), so columns other
        sessions maintain (such as last-activity stamps) are never overwritten with stale values.
        On a stale version nothing is written and VersionConflict names who changed the row and when.
        """
        if record.id is None:
            raise ValueError("update needs a record with an id")
        data = record_to_row_dict(self.model, checked(record))
        data.pop("id", None)
        if fields is not None:
            wanted = {f[:-3] if f.endswith("_id") and f[:-3] in data else f for f in fields}
            data = {k: v for k, v in data.items() if k in wanted or k == "version"}
        has_version = "version" in self.model._meta.fields
        condition = self.model.id == record.id
        if has_version:
            version = record.version  # type: ignore[attr-defined]
            data["version"] = version + 1
            condition = condition & (self.model.version == version)
        if self.model.update(**data).where(condition).execute() == 0:
            raise self._conflict(record.id, changed_by)
        if has_version:
            return record.model_copy(update={"version": data["version"]})
        return record

    def check_version(self, record: R, expected_version: int | None) -> None:
        """VersionConflict (naming who changed the row and when) unless `record` stands at `expected_version`."""
        if expected_version is not None and record.version != expected_version:  # type: ignore[attr-defined]
            raise self._conflict(record.id, None)

    def _conflict(self, record_id: int, fallback_actor: str | None) -> Exception:
        current = self.model.select().where(self.model.id == record_id).dicts().first()
        if current is None:
            return NotFound(self.kind, record_id)
        changed_at = current.get("updated_at") or current.get("created_at")
        who = fallback_actor
        if current.get("updated_by") is not None:
            from store.models import UserRow

            login = UserRow.select(UserRow.login).where(UserRow.id == current["updated_by"]).scalar()
            who = login or who
        return VersionConflict(self.kind, record_id, who, changed_at)

    def delete(self, record_id: int) -> None:
        if self.model.delete().where(self.model.id == record_id).execute() == 0:
            raise NotFound(self.kind, record_id)

    def count(self) -> int:
        return self.model.select().count()
