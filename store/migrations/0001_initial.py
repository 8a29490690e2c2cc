"""Initial schema: every table of Pantry CRM v1 (a frozen copy of the models as they stood)."""
from peewee import *

from store.fields import JSONListField, UTCDateTimeField


def up(migrator, db):
    class UserRow(Model):
        login = CharField(unique=True, max_length=64)
        display_name = CharField(max_length=200)
        email = CharField(null=True, max_length=254)
        role = CharField(index=True, max_length=16)
        manager = ForeignKeyField('self', null=True, on_delete='SET NULL')
        team = CharField(max_length=200, default='')
        region = CharField(max_length=200, default='')
        active = BooleanField(default=True)
        last_seen_at = UTCDateTimeField(null=True)
        created_at = UTCDateTimeField()
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'user'
    db.create_tables([UserRow])

    class AccountRow(Model):
        external_id = CharField(unique=True, null=True, max_length=200)
        name = CharField(index=True, max_length=200)
        domain = CharField(max_length=200, default='')
        phone = CharField(max_length=40, default='')
        industry = CharField(index=True, max_length=32)
        size = CharField(max_length=16)
        annual_revenue_cents = BigIntegerField(null=True)
        hq_street = CharField(max_length=200, default='')
        hq_city = CharField(max_length=200, default='')
        hq_region = CharField(max_length=200, default='')
        hq_postal_code = CharField(max_length=200, default='')
        hq_country = CharField(max_length=200, default='')
        parent = ForeignKeyField('self', null=True, on_delete='SET NULL')
        status = CharField(index=True, max_length=16)
        tier = CharField(index=True, max_length=16)
        owner = ForeignKeyField(UserRow, null=True, on_delete='SET NULL')
        renewal_date = DateField(null=True)
        last_activity_at = UTCDateTimeField(null=True)
        health_score = IntegerField(null=True)
        health_computed_at = UTCDateTimeField(null=True)
        created_at = UTCDateTimeField()
        updated_at = UTCDateTimeField()
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'account'
    db.create_tables([AccountRow])

    class AccountLocationRow(Model):
        account = ForeignKeyField(AccountRow, on_delete='CASCADE')
        name = CharField(max_length=200)
        street = CharField(max_length=200, default='')
        city = CharField(max_length=200, default='')
        region = CharField(max_length=200, default='')
        postal_code = CharField(max_length=200, default='')
        country = CharField(max_length=200, default='')
        phone = CharField(max_length=40, default='')
        class Meta:
            database = db
            table_name = 'account_location'
    db.create_tables([AccountLocationRow])

    class AccountTeamMemberRow(Model):
        account = ForeignKeyField(AccountRow, on_delete='CASCADE')
        user = ForeignKeyField(UserRow, on_delete='CASCADE')
        role = CharField(max_length=32)
        is_primary = BooleanField(default=False)
        start_date = DateField()
        end_date = DateField(null=True)
        class Meta:
            database = db
            table_name = 'account_team_member'
    db.create_tables([AccountTeamMemberRow])

    class ContactRow(Model):
        external_id = CharField(unique=True, null=True, max_length=200)
        account = ForeignKeyField(AccountRow, null=True, on_delete='SET NULL')
        first_name = CharField(max_length=200)
        last_name = CharField(max_length=200, default='')
        title = CharField(max_length=200, default='')
        email = CharField(index=True, null=True, max_length=254)
        phone = CharField(max_length=40, default='')
        buying_role = CharField(null=True, max_length=32)
        reports_to = ForeignKeyField('self', null=True, on_delete='SET NULL')
        created_at = UTCDateTimeField()
        updated_at = UTCDateTimeField()
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'contact'
    db.create_tables([ContactRow])

    class OpportunityRow(Model):
        external_id = CharField(unique=True, null=True, max_length=200)
        name = CharField(index=True, max_length=200)
        account = ForeignKeyField(AccountRow, null=True, on_delete='SET NULL')
        contact = ForeignKeyField(ContactRow, null=True, on_delete='SET NULL')
        stage = CharField(max_length=40)
        probability = IntegerField()
        probability_overridden = BooleanField(default=False)
        value_cents = BigIntegerField()
        budget_cents = BigIntegerField(null=True)
        started_on = DateField()
        expected_close_date = DateField(index=True)
        actual_close_date = DateField(index=True, null=True)
        source = CharField(index=True, max_length=200, default='')
        owner = ForeignKeyField(UserRow)
        lost_reason = CharField(max_length=200, default='')
        next_step = CharField(max_length=200, default='')
        description = TextField(default='')
        forecast_category = CharField(max_length=16, default='pipeline')
        forecast_category_overridden = BooleanField(default=False)
        stage_entered_at = UTCDateTimeField()
        last_activity_at = UTCDateTimeField(null=True)
        created_at = UTCDateTimeField()
        updated_at = UTCDateTimeField()
        updated_by = ForeignKeyField(UserRow, null=True, on_delete='SET NULL')
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'opportunity'
            indexes = ((('stage', 'owner'), False), (('owner', 'stage'), False))
    db.create_tables([OpportunityRow])

    class LeadRow(Model):
        external_id = CharField(unique=True, null=True, max_length=200)
        name = CharField(max_length=200)
        company = CharField(max_length=200, default='')
        title = CharField(max_length=200, default='')
        email = CharField(index=True, null=True, max_length=254)
        phone = CharField(max_length=40, default='')
        source = CharField(index=True, max_length=200, default='')
        status = CharField(max_length=16)
        score = IntegerField(default=0)
        owner = ForeignKeyField(UserRow, null=True, on_delete='SET NULL')
        flagged = BooleanField(default=False)
        flag_reason = CharField(max_length=200, default='')
        notes = TextField(default='')
        created_at = UTCDateTimeField()
        first_response_at = UTCDateTimeField(null=True)
        converted_at = UTCDateTimeField(null=True)
        converted_opportunity = ForeignKeyField(OpportunityRow, null=True, on_delete='SET NULL')
        converted_account = ForeignKeyField(AccountRow, null=True, on_delete='SET NULL')
        converted_contact = ForeignKeyField(ContactRow, null=True, on_delete='SET NULL')
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'lead'
            indexes = ((('status', 'created_at'), False),)
    db.create_tables([LeadRow])

    class ActivityRow(Model):
        kind = CharField(max_length=32)
        subject = CharField(max_length=200)
        description = TextField(default='')
        outcome = CharField(null=True, max_length=16)
        sentiment = FloatField(null=True)
        next_steps = CharField(max_length=200, default='')
        scheduled_at = UTCDateTimeField(null=True)
        completed_at = UTCDateTimeField(null=True)
        follow_up_at = UTCDateTimeField(null=True)
        duration_minutes = IntegerField(null=True)
        location = CharField(max_length=200, default='')
        attachments = JSONListField(default=list)
        account = ForeignKeyField(AccountRow, null=True, on_delete='CASCADE')
        contact = ForeignKeyField(ContactRow, null=True, on_delete='SET NULL')
        opportunity = ForeignKeyField(OpportunityRow, null=True, on_delete='CASCADE')
        lead = ForeignKeyField(LeadRow, null=True, on_delete='CASCADE')
        created_by = ForeignKeyField(UserRow, null=True, on_delete='SET NULL')
        created_at = UTCDateTimeField(index=True)
        class Meta:
            database = db
            table_name = 'activity'
            indexes = ((('created_by', 'created_at'), False), (('account', 'created_at'), False))
    db.create_tables([ActivityRow])

    class AuditRow(Model):
        at = UTCDateTimeField(index=True)
        actor = CharField(max_length=200)
        action = CharField(max_length=16)
        table_name = CharField(max_length=200)
        record_id = IntegerField()
        field = CharField(max_length=200, default='')
        old_value = TextField(null=True)
        new_value = TextField(null=True)
        class Meta:
            database = db
            table_name = 'audit_log'
            indexes = ((('table_name', 'record_id'), False),)
    db.create_tables([AuditRow])

    class CompetitorRow(Model):
        name = CharField(unique=True, max_length=200)
        strengths = JSONListField(default=list)
        weaknesses = JSONListField(default=list)
        pricing = CharField(max_length=16, default='competitive')
        market_share = FloatField(default=0.0)
        website = CharField(max_length=200, default='')
        class Meta:
            database = db
            table_name = 'competitor'
    db.create_tables([CompetitorRow])

    class BattlecardRow(Model):
        competitor = ForeignKeyField(CompetitorRow, on_delete='CASCADE')
        title = CharField(max_length=200)
        body = TextField(default='')
        class Meta:
            database = db
            table_name = 'battlecard'
    db.create_tables([BattlecardRow])

    class ContractRow(Model):
        account = ForeignKeyField(AccountRow, on_delete='CASCADE')
        number = CharField(max_length=200, default='')
        value_cents = BigIntegerField()
        start_date = DateField()
        end_date = DateField()
        status = CharField(max_length=16, default='active')
        auto_renew = BooleanField(default=False)
        class Meta:
            database = db
            table_name = 'contract'
    db.create_tables([ContractRow])

    class DocumentRow(Model):
        opportunity = ForeignKeyField(OpportunityRow, null=True, on_delete='CASCADE')
        account = ForeignKeyField(AccountRow, null=True, on_delete='CASCADE')
        name = CharField(max_length=200)
        kind = CharField(max_length=32, default='other')
        uri = CharField(max_length=200, default='')
        size_bytes = BigIntegerField(null=True)
        created_by = ForeignKeyField(UserRow, null=True, on_delete='SET NULL')
        created_at = UTCDateTimeField()
        class Meta:
            database = db
            table_name = 'document'
    db.create_tables([DocumentRow])

    class ForecastSnapshotRow(Model):
        taken_on = DateField()
        period_kind = CharField(max_length=16, default='month')
        period_start = DateField()
        method = CharField(max_length=32)
        scope = CharField(max_length=200, default='team')
        forecast_cents = BigIntegerField()
        best_case_cents = BigIntegerField()
        worst_case_cents = BigIntegerField()
        commit_cents = BigIntegerField(default=0)
        confidence = FloatField()
        created_at = UTCDateTimeField()
        class Meta:
            database = db
            table_name = 'forecast_snapshot'
            indexes = ((('taken_on', 'period_kind', 'period_start', 'method', 'scope'), True),)
    db.create_tables([ForecastSnapshotRow])

    class LeadSourceRow(Model):
        name = CharField(unique=True, max_length=200)
        channel = CharField(max_length=200, default='')
        cost_cents = BigIntegerField(null=True)
        class Meta:
            database = db
            table_name = 'lead_source'
    db.create_tables([LeadSourceRow])

    class ProductRow(Model):
        sku = CharField(unique=True, max_length=64)
        name = CharField(index=True, max_length=200)
        category = CharField(max_length=200)
        unit = CharField(max_length=200, default='each')
        list_price_cents = BigIntegerField()
        active = BooleanField(default=True)
        description = TextField(default='')
        class Meta:
            database = db
            table_name = 'product'
    db.create_tables([ProductRow])

    class LineItemRow(Model):
        opportunity = ForeignKeyField(OpportunityRow, on_delete='CASCADE')
        product = ForeignKeyField(ProductRow)
        name = CharField(max_length=200)
        quantity = DecimalField(max_digits=12, decimal_places=3)
        unit_price_cents = BigIntegerField()
        discount_pct = DecimalField(max_digits=5, decimal_places=2, default=0)
        total_cents = BigIntegerField()
        class Meta:
            database = db
            table_name = 'line_item'
    db.create_tables([LineItemRow])

    class NotificationRow(Model):
        recipient = ForeignKeyField(UserRow, on_delete='CASCADE')
        kind = CharField(max_length=200, default='info')
        message = CharField(max_length=200)
        opportunity = ForeignKeyField(OpportunityRow, null=True, on_delete='CASCADE')
        account = ForeignKeyField(AccountRow, null=True, on_delete='CASCADE')
        lead = ForeignKeyField(LeadRow, null=True, on_delete='CASCADE')
        created_at = UTCDateTimeField()
        read_at = UTCDateTimeField(null=True)
        class Meta:
            database = db
            table_name = 'notification'
            indexes = ((('recipient', 'read_at'), False),)
    db.create_tables([NotificationRow])

    class OpportunityCompetitorRow(Model):
        opportunity = ForeignKeyField(OpportunityRow, on_delete='CASCADE')
        competitor = ForeignKeyField(CompetitorRow, on_delete='CASCADE')
        notes = CharField(max_length=200, default='')
        class Meta:
            database = db
            table_name = 'opportunity_competitor'
            indexes = ((('opportunity', 'competitor'), True),)
    db.create_tables([OpportunityCompetitorRow])

    class ParticipantRow(Model):
        activity = ForeignKeyField(ActivityRow, on_delete='CASCADE')
        contact = ForeignKeyField(ContactRow, on_delete='CASCADE')
        role = CharField(max_length=16, default='attendee')
        attended = BooleanField(default=True)
        feedback = CharField(max_length=200, default='')
        class Meta:
            database = db
            table_name = 'participant'
    db.create_tables([ParticipantRow])

    class ProposalRow(Model):
        number = CharField(unique=True, max_length=40)
        opportunity = ForeignKeyField(OpportunityRow, on_delete='CASCADE')
        title = CharField(max_length=200)
        amount_cents = BigIntegerField()
        status = CharField(index=True, max_length=16)
        sent_at = UTCDateTimeField(null=True)
        decided_at = UTCDateTimeField(null=True)
        valid_until = DateField(null=True)
        notes = TextField(default='')
        created_by = ForeignKeyField(UserRow, null=True, on_delete='SET NULL')
        created_at = UTCDateTimeField()
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'proposal'
    db.create_tables([ProposalRow])

    class QuotaRow(Model):
        user = ForeignKeyField(UserRow, on_delete='CASCADE')
        period = CharField(max_length=16)
        period_start = DateField()
        amount_cents = BigIntegerField()
        class Meta:
            database = db
            table_name = 'quota'
            indexes = ((('user', 'period', 'period_start'), True),)
    db.create_tables([QuotaRow])

    class SettingRow(Model):
        key = CharField(primary_key=True, max_length=200)
        value = TextField()
        class Meta:
            database = db
            table_name = 'setting'
    db.create_tables([SettingRow])

    class StageChangeRow(Model):
        opportunity = ForeignKeyField(OpportunityRow, on_delete='CASCADE')
        from_stage = CharField(null=True, max_length=40)
        to_stage = CharField(index=True, max_length=40)
        changed_at = UTCDateTimeField(index=True)
        changed_by = ForeignKeyField(UserRow, null=True, on_delete='SET NULL')
        value_cents = BigIntegerField()
        probability = IntegerField()
        class Meta:
            database = db
            table_name = 'stage_change'
            indexes = ((('opportunity', 'changed_at'), False),)
    db.create_tables([StageChangeRow])

    class TaskRow(Model):
        title = CharField(max_length=200)
        description = TextField(default='')
        due_on = DateField(null=True)
        priority = CharField(max_length=16, default='normal')
        status = CharField(max_length=16, default='open')
        assignee = ForeignKeyField(UserRow, on_delete='CASCADE')
        opportunity = ForeignKeyField(OpportunityRow, null=True, on_delete='CASCADE')
        account = ForeignKeyField(AccountRow, null=True, on_delete='CASCADE')
        contact = ForeignKeyField(ContactRow, null=True, on_delete='SET NULL')
        lead = ForeignKeyField(LeadRow, null=True, on_delete='CASCADE')
        created_by = ForeignKeyField(UserRow, null=True, on_delete='SET NULL')
        created_by_automation = CharField(max_length=200, default='')
        created_at = UTCDateTimeField()
        completed_at = UTCDateTimeField(null=True)
        version = IntegerField(default=1)
        class Meta:
            database = db
            table_name = 'task'
            indexes = ((('assignee', 'status', 'due_on'), False),)
    db.create_tables([TaskRow])


def down(migrator, db):
    migrator.migrate(migrator.drop_table('task'))
    migrator.migrate(migrator.drop_table('stage_change'))
    migrator.migrate(migrator.drop_table('setting'))
    migrator.migrate(migrator.drop_table('quota'))
    migrator.migrate(migrator.drop_table('proposal'))
    migrator.migrate(migrator.drop_table('participant'))
    migrator.migrate(migrator.drop_table('opportunity_competitor'))
    migrator.migrate(migrator.drop_table('notification'))
    migrator.migrate(migrator.drop_table('line_item'))
    migrator.migrate(migrator.drop_table('product'))
    migrator.migrate(migrator.drop_table('lead_source'))
    migrator.migrate(migrator.drop_table('forecast_snapshot'))
    migrator.migrate(migrator.drop_table('document'))
    migrator.migrate(migrator.drop_table('contract'))
    migrator.migrate(migrator.drop_table('battlecard'))
    migrator.migrate(migrator.drop_table('competitor'))
    migrator.migrate(migrator.drop_table('audit_log'))
    migrator.migrate(migrator.drop_table('activity'))
    migrator.migrate(migrator.drop_table('lead'))
    migrator.migrate(migrator.drop_table('opportunity'))
    migrator.migrate(migrator.drop_table('contact'))
    migrator.migrate(migrator.drop_table('account_team_member'))
    migrator.migrate(migrator.drop_table('account_location'))
    migrator.migrate(migrator.drop_table('account'))
    migrator.migrate(migrator.drop_table('user'))
