"""The pipeline lives in the database, versioned (docs/pipeline.md): each version is the TOML text as given,
its number, who set it and when. The first open of a database with none stores the one it starts with as
version 1 (domain/services/pipeline_versions.py); `pantry pipeline set FILE` adds the next."""
from peewee import *

from store.fields import UTCDateTimeField


def up(migrator, db):
    class PipelineVersionRow(Model):
        number = IntegerField(unique=True)
        toml = TextField()
        created_by = CharField(max_length=200)
        created_at = UTCDateTimeField()
        class Meta:
            database = db
            table_name = 'pipeline_version'

    db.create_tables([PipelineVersionRow])


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS pipeline_version')
