from __future__ import annotations

from peewee import (
    BigIntegerField,
    CharField,
    DateField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from store.fields import UTCDateTimeField
from store.models.base import BaseModel
from store.models.people import UserRow
from store.models.sales import OpportunityRow


class StageChangeRow(BaseModel):
    opportunity = ForeignKeyField(OpportunityRow, backref="stage_history", on_delete="CASCADE")
    from_stage = CharField(max_length=40, null=True)
    to_stage = CharField(max_length=40, index=True)
    changed_at = UTCDateTimeField(index=True)
    changed_by = ForeignKeyField(UserRow, null=True, backref="+", on_delete="SET NULL")
    value_cents = BigIntegerField()
    probability = IntegerField()

    class Meta:
        table_name = "stage_change"
        indexes = ((("opportunity", "changed_at"), False),)


class ForecastSnapshotRow(BaseModel):
    taken_on = DateField()
    period_kind = CharField(max_length=16, default="month")
    period_start = DateField()
    method = CharField(max_length=32)
    scope = CharField(max_length=200, default="team")
    forecast_cents = BigIntegerField()
    best_case_cents = BigIntegerField()
    worst_case_cents = BigIntegerField()
    commit_cents = BigIntegerField(default=0)
    confidence = FloatField()
    created_at = UTCDateTimeField()

    class Meta:
        table_name = "forecast_snapshot"
        indexes = ((("taken_on", "period_kind", "period_start", "method", "scope"), True),)


class AuditRow(BaseModel):
    at = UTCDateTimeField(index=True)
    actor = CharField(max_length=200)
    action = CharField(max_length=16)
    table_name = CharField(max_length=200)
    record_id = IntegerField()
    field = CharField(max_length=200, default="")
    old_value = TextField(null=True)
    new_value = TextField(null=True)

    class Meta:
        table_name = "audit_log"
        indexes = ((("table_name", "record_id"), False),)


class PipelineVersionRow(BaseModel):
    """One version of the pipeline configuration: the TOML text as given (docs/pipeline.md)."""

    number = IntegerField(unique=True)
    toml = TextField()
    created_by = CharField(max_length=200)
    created_at = UTCDateTimeField()

    class Meta:
        table_name = "pipeline_version"


class SettingRow(BaseModel):
    """Small key/value facts about this database (e.g. how the demo data was made)."""

    key = CharField(max_length=200, primary_key=True)
    value = TextField()

    class Meta:
        table_name = "setting"
