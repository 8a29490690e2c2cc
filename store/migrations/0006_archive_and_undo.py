"""Retire, restore and undo (issue 15, docs/data-model.md): `archived_at` on the records a user can archive
(an archived record leaves lists, figures and pickers and stays in the audit log and exports), and the unit
of work each audit entry was written by (`pantry undo` reverts one whole unit)."""
from peewee import *

from store.fields import UTCDateTimeField

ARCHIVABLE = ("account", "contact", "lead", "opportunity", "competitor", "proposal", "task", "activity")


def _has(db, table, column):
    return any(c.name == column for c in db.get_columns(table))


def up(migrator, db):
    # idempotent: a database whose migration history was lost is adopted by running every migration again
    operations = [migrator.add_column(table, "archived_at", UTCDateTimeField(null=True))
                  for table in ARCHIVABLE if not _has(db, table, "archived_at")]
    if not _has(db, "audit_log", "unit"):
        operations.append(migrator.add_column("audit_log", "unit", CharField(max_length=32, null=True)))
    if operations:
        migrator.migrate(*operations)


def down(migrator, db):
    operations = [migrator.drop_column(table, "archived_at") for table in ARCHIVABLE]
    operations.append(migrator.drop_column("audit_log", "unit"))
    migrator.migrate(*operations)
