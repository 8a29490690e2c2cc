"""Indexes for the screens at 100,000 deals (docs/performance.md): each lets a query read only the rows
it shows or counts instead of sorting or scanning a whole table.

- opportunity (stage, value_cents): a kanban column's first page, largest deals first;
- opportunity (stage, stage_entered_at): the deals stalled in a stage;
- activity (completed_at, kind, created_by_id): completed activities per rep in a period (the
  dashboard's team panel), answered from the index alone;
- lead (status): the leads list's default order (status, then id).

The names are the ones peewee gives the same indexes declared on the models.
"""

INDEXES = (
    ("opportunityrow_stage_value_cents", "opportunity", ("stage", "value_cents")),
    ("opportunityrow_stage_stage_entered_at", "opportunity", ("stage", "stage_entered_at")),
    ("activityrow_completed_at_kind_created_by_id", "activity", ("completed_at", "kind", "created_by_id")),
    ("leadrow_status", "lead", ("status",)),
)


def up(migrator, db):
    for name, table, columns in INDEXES:
        quoted = ", ".join(f'"{column}"' for column in columns)
        db.execute_sql(f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ({quoted})')


def down(migrator, db):
    for name, _, _ in INDEXES:
        db.execute_sql(f'DROP INDEX IF EXISTS "{name}"')
