from __future__ import annotations

from peewee import (
    BigIntegerField,
    CharField,
    DateField,
    DoubleField,
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
    unit = CharField(max_length=32, null=True)  # the unit of work that wrote it (undo reverts a whole unit)

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


class ForecastCohortRow(BaseModel):
    """The forecast's incrementally maintained state (docs/forecasting.md, "The landmark state"): the deals
    open at 00:00 UTC on a month's 1st, grouped by stage and age-in-stage bucket, and how many of them (and
    for how much) were won within 1, 2 and 3 months. A horizon not yet over when the row was built is NULL.
    Derived from stage_change and audit_log; rebuilt whenever it is out of date."""

    landmark = DateField()
    stage = CharField(max_length=40)
    bucket = IntegerField()
    deals = IntegerField()
    value_cents = BigIntegerField()
    value_sq = DoubleField()  # Σ value² in cents² (a double: it overflows 64-bit integers)
    won1_deals = IntegerField(null=True)
    won1_cents = BigIntegerField(null=True)
    won2_deals = IntegerField(null=True)
    won2_cents = BigIntegerField(null=True)
    won3_deals = IntegerField(null=True)
    won3_cents = BigIntegerField(null=True)

    class Meta:
        table_name = "forecast_cohort"
        indexes = ((("landmark", "stage", "bucket"), True),)


class ForecastWonRow(BaseModel):
    """The won revenue part of the forecast state: the wins recorded before the build's `until`, summed by
    month won, whether the deal was created that month, the month the win was undone (or NULL) and owner."""

    month = DateField()
    same_month = IntegerField()  # 1: the deal was created in the month it was won
    undone = DateField(null=True)
    owner = CharField(max_length=64)
    cents = BigIntegerField()

    class Meta:
        table_name = "forecast_won"


class ForecastWonProductRow(BaseModel):
    """The same wins' line items' totals by month won, month undone and product (to split won value)."""

    month = DateField()
    undone = DateField(null=True)
    product = CharField(max_length=200)
    cents = BigIntegerField()

    class Meta:
        table_name = "forecast_won_product"


class ForecastCohortBuildRow(BaseModel):
    """When the forecast_cohort rows were built and from what: the state is out of date when history
    recorded since then is stamped before `until`, rows were deleted, or the pipeline's stages changed."""

    built_at = UTCDateTimeField()
    until = UTCDateTimeField()  # every record before this instant was read
    stage_change_max_id = BigIntegerField()
    stage_change_count = BigIntegerField()
    audit_max_id = BigIntegerField()
    stages = CharField(max_length=1000)  # the pipeline's stage ids, open|won|lost

    class Meta:
        table_name = "forecast_cohort_build"
