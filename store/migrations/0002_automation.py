"""Pipeline automations: the e-mail outbox and the automation-run ledger (a frozen copy of both tables)."""
from peewee import *

from store.fields import UTCDateTimeField


def up(migrator, db):
    class UserRow(Model):
        class Meta:
            database = db
            table_name = 'user'

    class OpportunityRow(Model):
        class Meta:
            database = db
            table_name = 'opportunity'

    class OutboxRow(Model):
        created_at = UTCDateTimeField(index=True)
        to_address = CharField(max_length=254)
        to_user = ForeignKeyField(UserRow, null=True, on_delete='SET NULL')
        subject = CharField(max_length=200)
        body = TextField()
        opportunity = ForeignKeyField(OpportunityRow, null=True, on_delete='SET NULL')
        automation = CharField(max_length=200, default='')
        status = CharField(index=True, max_length=16, default='queued')
        sent_at = UTCDateTimeField(null=True)
        error = TextField(default='')
        class Meta:
            database = db
            table_name = 'outbox'

    class AutomationRunRow(Model):
        opportunity = ForeignKeyField(OpportunityRow, on_delete='CASCADE')
        automation = CharField(max_length=200)
        stay_started_at = UTCDateTimeField()
        fired_at = UTCDateTimeField()
        class Meta:
            database = db
            table_name = 'automation_run'
            indexes = ((('opportunity', 'automation', 'stay_started_at'), True),)

    db.create_tables([OutboxRow, AutomationRunRow])


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS automation_run')
    db.execute_sql('DROP TABLE IF EXISTS outbox')
