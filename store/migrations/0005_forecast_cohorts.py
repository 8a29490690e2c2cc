"""The forecast's landmark state (docs/forecasting.md): deals open on each month's 1st by stage and age in
stage, with what they won within 1-3 months; the won revenue by month, rep and product; and when it was
built. Derived data, rebuilt when out of date."""
from peewee import *

from store.fields import UTCDateTimeField


def up(migrator, db):
    class ForecastCohortRow(Model):
        landmark = DateField()
        stage = CharField(max_length=40)
        bucket = IntegerField()
        deals = IntegerField()
        value_cents = BigIntegerField()
        value_sq = DoubleField()
        won1_deals = IntegerField(null=True)
        won1_cents = BigIntegerField(null=True)
        won2_deals = IntegerField(null=True)
        won2_cents = BigIntegerField(null=True)
        won3_deals = IntegerField(null=True)
        won3_cents = BigIntegerField(null=True)
        class Meta:
            database = db
            table_name = 'forecast_cohort'
            indexes = ((('landmark', 'stage', 'bucket'), True),)

    class ForecastWonRow(Model):
        month = DateField()
        same_month = IntegerField()
        undone = DateField(null=True)
        owner = CharField(max_length=64)
        cents = BigIntegerField()
        class Meta:
            database = db
            table_name = 'forecast_won'

    class ForecastWonProductRow(Model):
        month = DateField()
        undone = DateField(null=True)
        product = CharField(max_length=200)
        cents = BigIntegerField()
        class Meta:
            database = db
            table_name = 'forecast_won_product'

    class ForecastCohortBuildRow(Model):
        built_at = UTCDateTimeField()
        until = UTCDateTimeField()
        stage_change_max_id = BigIntegerField()
        stage_change_count = BigIntegerField()
        audit_max_id = BigIntegerField()
        stages = CharField(max_length=1000)
        class Meta:
            database = db
            table_name = 'forecast_cohort_build'

    db.create_tables([ForecastCohortRow, ForecastWonRow, ForecastWonProductRow, ForecastCohortBuildRow])


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS forecast_cohort_build')
    db.execute_sql('DROP TABLE IF EXISTS forecast_won_product')
    db.execute_sql('DROP TABLE IF EXISTS forecast_won')
    db.execute_sql('DROP TABLE IF EXISTS forecast_cohort')
