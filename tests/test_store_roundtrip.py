"""Every record type goes into the store and comes back equal.

Text fields carry the strings that break careless code (accents, CJK, emoji, right-to-left,
and text that looks like Rich/Textual markup); money is exact integer cents up to 13
digits; quantities and discounts are Decimals; timestamps come back aware UTC.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

import pydantic
import pytest

from domain import records as r
from domain.enums import (
    AccountSize,
    AccountStatus,
    AccountTier,
    ActivityKind,
    AuditAction,
    BuyingRole,
    ContractStatus,
    DocumentKind,
    ForecastCategory,
    Industry,
    LeadStatus,
    Outcome,
    ParticipantRole,
    Pricing,
    Priority,
    ProposalStatus,
    QuotaPeriod,
    Role,
    TaskStatus,
    TeamRole,
)
from domain.errors import MissingReference, NotFound, VersionConflict
from store.repository import Repository

NOW = datetime(2026, 3, 16, 12, 0, tzinfo=timezone.utc)  # the conftest clock

TRICKY = [
    "Crème brûlée — Café 中文",
    "🍕🥗",
    "مطعم",
    "[bold]x[/]",
    "[@click=app.quit]x",
    "[link=file:///etc/passwd]y[/link]",
]
T = " | ".join(TRICKY)  # 104 characters: fits every 200-character column

BIG = 1_234_567_890_123  # $12,345,678,901.23 -- beyond 32-bit integers
MINUS_7 = timezone(timedelta(hours=-7), "UTC-07:00")
# 09:30:15.123456 at UTC-07:00 is 16:30:15.123456 in UTC.
LOCAL_TIME = datetime(2026, 3, 16, 9, 30, 15, 123456, tzinfo=MINUS_7)
LOCAL_TIME_IN_UTC = datetime(2026, 3, 16, 16, 30, 15, 123456, tzinfo=timezone.utc)
LATER = NOW + timedelta(days=2, hours=3)


def repositories(store) -> dict[type, Repository]:
    return {repo.record_type: repo for repo in vars(store).values() if isinstance(repo, Repository)}


# -- one richly filled record of every type ---------------------------------------------------


class World:
    """The parent records the rich records point at (one of each, inserted on demand)."""

    def __init__(self, store, make) -> None:
        self.store, self.make = store, make
        self.user = make.user(login="world.owner")
        self.account = make.account(owner_id=self.user.id)
        self.contact = make.contact(account_id=self.account.id)
        self.opportunity = make.opportunity(owner_id=self.user.id, account_id=self.account.id)
        self.product = make.product()
        self.lead = make.lead(owner_id=self.user.id)
        self.competitor = store.competitors.insert(r.Competitor(name="Sysco-ish"))
        self.activity = make.activity(account_id=self.account.id)


def rich_user(w: World) -> r.User:
    return r.User(
        login="chef.o-1", display_name=T, email="chef@example.com", role=Role.MANAGER, manager_id=w.user.id,
        team=T, region=T, active=False, last_seen_at=LOCAL_TIME, created_at=NOW,
    )


def rich_quota(w: World) -> r.Quota:
    return r.Quota(user_id=w.user.id, period=QuotaPeriod.QUARTER, period_start=date(2026, 4, 1), amount_cents=BIG)


def rich_account(w: World) -> r.Account:
    return r.Account(
        external_id=T, name=T, domain=T, phone="+1 (555) 010-0199 x12", industry=Industry.HOSPITAL,
        size=AccountSize.ENTERPRISE, annual_revenue_cents=10**15, hq_street=T, hq_city=T, hq_region=T,
        hq_postal_code=T, hq_country=T, parent_id=w.account.id, status=AccountStatus.CUSTOMER,
        tier=AccountTier.STRATEGIC, owner_id=w.user.id, renewal_date=date(2027, 1, 31),
        last_activity_at=LOCAL_TIME, health_score=0, health_computed_at=LATER, created_at=NOW, updated_at=LATER,
    )


def rich_location(w: World) -> r.AccountLocation:
    return r.AccountLocation(
        account_id=w.account.id, name=T, street=T, city=T, region=T, postal_code=T, country=T, phone="555.0100",
    )


def rich_team_member(w: World) -> r.AccountTeamMember:
    return r.AccountTeamMember(
        account_id=w.account.id, user_id=w.user.id, role=TeamRole.TECHNICAL, is_primary=True,
        start_date=date(2026, 1, 1), end_date=date(2026, 12, 31),
    )


def rich_contract(w: World) -> r.Contract:
    return r.Contract(
        account_id=w.account.id, number=T, value_cents=1, start_date=date(2026, 1, 1), end_date=date(2026, 1, 1),
        status=ContractStatus.PENDING, auto_renew=True,
    )


def rich_contact(w: World) -> r.Contact:
    return r.Contact(
        external_id=T, account_id=w.account.id, first_name=T, last_name=T, title=T, email="o'neil+x@example.co.uk",
        phone="(555) 010-0100", buying_role=BuyingRole.CHAMPION, reports_to_id=w.contact.id,
        created_at=LOCAL_TIME, updated_at=NOW,
    )


def rich_product(w: World) -> r.Product:
    return r.Product(
        sku="[@click=app.quit]x 🍕", name=T, category=T, unit=T, list_price_cents=0, active=False, description=T * 3,
    )


def rich_lead_source(w: World) -> r.LeadSource:
    return r.LeadSource(name=T, channel=T, cost_cents=0)


def rich_opportunity(w: World) -> r.Opportunity:
    return r.Opportunity(
        external_id=T, name=T, account_id=w.account.id, contact_id=w.contact.id, stage="[bold]x[/]", probability=55,
        probability_overridden=True, value_cents=BIG, budget_cents=1, started_on=date(2026, 1, 2),
        expected_close_date=date(2026, 6, 30), actual_close_date=date(2026, 3, 16), source=T, owner_id=w.user.id,
        lost_reason=T, next_step=T, description=T * 10, forecast_category=ForecastCategory.COMMIT,
        forecast_category_overridden=True, stage_entered_at=LOCAL_TIME, last_activity_at=LATER, created_at=NOW,
        updated_at=LATER, updated_by_id=w.user.id,
    )


def rich_line_item(w: World) -> r.LineItem:
    # $19.99 x 12.345 less 12.50 %:
    #   1999 x 12.345          = 24677.655 cents
    #   24677.655 x 87.5 / 100 = 21592.948125 cents -> 21593 cents ($215.93)
    item = r.LineItem(
        opportunity_id=w.opportunity.id, product_id=w.product.id, name=T, quantity=Decimal("12.345"),
        unit_price_cents=1999, discount_pct=Decimal("12.50"),
    )
    assert item.total_cents == 21593
    return item


def rich_competitor(w: World) -> r.Competitor:
    return r.Competitor(
        name=T, strengths=list(TRICKY), weaknesses=[T, "late deliveries"], pricing=Pricing.LOWER,
        market_share=0.35, website=T,
    )


def rich_battlecard(w: World) -> r.Battlecard:
    return r.Battlecard(competitor_id=w.competitor.id, title=T, body=T * 5)


def rich_opportunity_competitor(w: World) -> r.OpportunityCompetitor:
    return r.OpportunityCompetitor(opportunity_id=w.opportunity.id, competitor_id=w.competitor.id, notes=T)


def rich_lead(w: World) -> r.Lead:
    return r.Lead(
        external_id=T, name=T, company=T, title=T, email="lead@example.com", phone="+44 20 7946 0958", source=T,
        status=LeadStatus.CONVERTED, score=100, owner_id=w.user.id, flagged=True, flag_reason=T, notes=T * 4,
        created_at=LOCAL_TIME, first_response_at=LOCAL_TIME + timedelta(minutes=5), converted_at=LATER,
        converted_opportunity_id=w.opportunity.id, converted_account_id=w.account.id,
        converted_contact_id=w.contact.id,
    )


def rich_activity(w: World) -> r.Activity:
    return r.Activity(
        kind=ActivityKind.PHONE, subject=T, description=T * 2, outcome=Outcome.NEGATIVE, sentiment=-0.35,
        next_steps=T, scheduled_at=LOCAL_TIME, completed_at=LATER, follow_up_at=LATER + timedelta(days=7),
        duration_minutes=45, location=T, attachments=list(TRICKY) + ["quote v2.pdf"], account_id=w.account.id,
        contact_id=w.contact.id, opportunity_id=w.opportunity.id, lead_id=w.lead.id, created_by_id=w.user.id,
        created_at=NOW,
    )


def rich_participant(w: World) -> r.Participant:
    return r.Participant(
        activity_id=w.activity.id, contact_id=w.contact.id, role=ParticipantRole.ORGANIZER, attended=False,
        feedback=T,
    )


def rich_document(w: World) -> r.Document:
    return r.Document(
        opportunity_id=w.opportunity.id, account_id=w.account.id, name=T, kind=DocumentKind.PRICE_SHEET, uri=T,
        size_bytes=5_000_000_000, created_by_id=w.user.id, created_at=LOCAL_TIME,
    )


def rich_proposal(w: World) -> r.Proposal:
    return r.Proposal(
        number="[bold]x[/] P-1 中文", opportunity_id=w.opportunity.id, title=T, amount_cents=BIG,
        status=ProposalStatus.ACCEPTED, sent_at=LOCAL_TIME, decided_at=LATER, valid_until=date(2026, 4, 30),
        notes=T, created_by_id=w.user.id, created_at=NOW,
    )


def rich_task(w: World) -> r.Task:
    return r.Task(
        title=T, description=T, due_on=date(2026, 3, 19), priority=Priority.URGENT, status=TaskStatus.DONE,
        assignee_id=w.user.id, opportunity_id=w.opportunity.id, account_id=w.account.id, contact_id=w.contact.id,
        lead_id=w.lead.id, created_by_id=w.user.id, created_by_automation=T, created_at=NOW, completed_at=LOCAL_TIME,
    )


def rich_notification(w: World) -> r.Notification:
    return r.Notification(
        recipient_id=w.user.id, kind=T, message=T, opportunity_id=w.opportunity.id, account_id=w.account.id,
        lead_id=w.lead.id, created_at=NOW, read_at=LOCAL_TIME,
    )


def rich_stage_change(w: World) -> r.StageChange:
    return r.StageChange(
        opportunity_id=w.opportunity.id, from_stage="[bold]x[/]", to_stage="مطعم 🍕", changed_at=LOCAL_TIME,
        changed_by_id=w.user.id, value_cents=BIG, probability=100,
    )


def rich_forecast_snapshot(w: World) -> r.ForecastSnapshot:
    return r.ForecastSnapshot(
        taken_on=date(2026, 3, 16), period_kind="[bold]q[/] 🍕", period_start=date(2026, 4, 1),
        method="[@click=app.quit]x", scope=T, forecast_cents=BIG, best_case_cents=10**15, worst_case_cents=0,
        commit_cents=1, confidence=0.35, created_at=LOCAL_TIME,
    )


def rich_audit_entry(w: World) -> r.AuditEntry:
    return r.AuditEntry(
        at=LOCAL_TIME, actor=T, action=AuditAction.DELETE, table_name=T, record_id=2**31 - 1, field=T,
        old_value=T * 50, new_value=T, unit="🍕" * 32,
    )


def rich_pipeline_version(w: World) -> r.PipelineVersion:
    return r.PipelineVersion(number=2**31 - 1, toml=T * 50, created_by=T, created_at=LOCAL_TIME)


def rich_outbox_message(w: World) -> r.OutboxMessage:
    return r.OutboxMessage(
        created_at=LOCAL_TIME, to_address="chef.müller@example.com", to_user_id=w.user.id, subject=T, body=T * 20,
        opportunity_id=w.opportunity.id, automation=T, status="sent", sent_at=NOW, error=T,
    )


def rich_automation_run(w: World) -> r.AutomationRun:
    return r.AutomationRun(
        opportunity_id=w.opportunity.id, automation=T, stay_started_at=LOCAL_TIME, fired_at=NOW,
    )


RICH = {
    r.AutomationRun: rich_automation_run,
    r.OutboxMessage: rich_outbox_message,
    r.Account: rich_account,
    r.AccountLocation: rich_location,
    r.AccountTeamMember: rich_team_member,
    r.Activity: rich_activity,
    r.AuditEntry: rich_audit_entry,
    r.Battlecard: rich_battlecard,
    r.Competitor: rich_competitor,
    r.Contact: rich_contact,
    r.Contract: rich_contract,
    r.Document: rich_document,
    r.ForecastSnapshot: rich_forecast_snapshot,
    r.Lead: rich_lead,
    r.LeadSource: rich_lead_source,
    r.LineItem: rich_line_item,
    r.Notification: rich_notification,
    r.Opportunity: rich_opportunity,
    r.PipelineVersion: rich_pipeline_version,
    r.OpportunityCompetitor: rich_opportunity_competitor,
    r.Participant: rich_participant,
    r.Product: rich_product,
    r.Proposal: rich_proposal,
    r.Quota: rich_quota,
    r.StageChange: rich_stage_change,
    r.Task: rich_task,
    r.User: rich_user,
}

RECORD_TYPES = [getattr(r, name) for name in r.__all__ if name != "Record"]


def test_every_record_type_has_a_roundtrip_case_and_one_repository(store):
    assert set(RICH) == set(RECORD_TYPES), "add a rich_* builder for each new record type"
    repos = repositories(store)
    assert set(repos) == set(RECORD_TYPES)
    assert len(repos) == len([v for v in vars(store).values() if isinstance(v, Repository)]), "one repository per type"


def _text_fields(record_type) -> dict[str, tuple[str, int | None]]:
    """Free-text fields of a record: name -> ("str" | "list", max length). Patterned fields excluded."""
    out = {}
    for name, prop in record_type.model_json_schema()["properties"].items():
        options = prop.get("anyOf", [prop])
        if any(option.get("type") == "number" for option in options):
            continue  # a Decimal (number or numeric string)
        for option in options:
            if option.get("type") == "string" and "format" not in option and "pattern" not in option and "enum" not in option:
                out[name] = ("str", option.get("maxLength"))
            elif option.get("type") == "array" and option.get("items", {}).get("type") == "string":
                out[name] = ("list", option["items"].get("maxLength"))
    return out


def _assert_tricky_everywhere(record) -> None:
    """Guard the fixtures themselves: every free-text field holds the tricky strings."""
    for name, (kind, max_length) in _text_fields(type(record)).items():
        value = getattr(record, name)
        if kind == "list":
            assert all(t in value for t in TRICKY) or T in value, f"{type(record).__name__}.{name}: {value!r}"
        elif max_length is None or max_length >= len(T):
            assert T in value, f"{type(record).__name__}.{name} should hold every tricky string: {value!r}"
        else:
            assert any(t in value for t in TRICKY) or "🍕" in value, f"{type(record).__name__}.{name}: {value!r}"


@pytest.mark.parametrize("record_type", RECORD_TYPES, ids=lambda t: t.__name__)
def test_record_roundtrip(store, make, record_type):
    world = World(store, make)
    record = RICH[record_type](world)
    _assert_tricky_everywhere(record)
    repo = repositories(store)[record_type]

    saved = repo.insert(record)
    assert saved.id is not None
    back = repo.require(saved.id)

    assert back == saved
    assert back.model_dump() == record.model_dump() | {"id": saved.id}
    for name, value in back:
        if isinstance(value, datetime):
            assert value.tzinfo is timezone.utc, f"{name} came back {value!r}"
    assert repo.find(id=saved.id) == [saved]


def test_minimal_records_roundtrip_with_defaults_and_nulls(store, make):
    owner = make.user()
    opp = make.opportunity(owner_id=owner.id)
    lead = make.lead()
    account = make.account()
    for repo, saved in (
        (store.users, owner), (store.opportunities, opp), (store.leads, lead), (store.accounts, account),
    ):
        back = repo.require(saved.id)
        assert back == saved
    assert store.leads.require(lead.id).email is None
    assert store.accounts.require(account.id).annual_revenue_cents is None
    assert store.opportunities.require(opp.id).budget_cents is None


# -- exact values -----------------------------------------------------------------------------


def test_money_is_exact_integer_cents(store, make):
    owner = make.user()
    for cents in (BIG, 1, 0, 10**15):
        opp = make.opportunity(owner_id=owner.id, value_cents=cents)
        back = store.opportunities.require(opp.id)
        assert back.value_cents == cents and type(back.value_cents) is int
    raw = store.db.execute_sql('SELECT MAX(value_cents) FROM "opportunity"').fetchone()[0]
    assert raw == 10**15  # stored as an integer (BIGINT), not a float


def test_line_item_decimals_and_total(store, make):
    opp = make.opportunity()
    product = make.product(list_price_cents=1999)
    # 1999 x 12.345 = 24677.655; x (100 - 12.50) / 100 = 21592.948125 -> 21593
    item = make.line_item(
        opportunity_id=opp.id, product_id=product.id, quantity=Decimal("12.345"), unit_price_cents=1999,
        discount_pct=Decimal("12.50"),
    )
    back = store.line_items.require(item.id)
    assert back.quantity == Decimal("12.345")
    assert back.discount_pct == Decimal("12.50")
    assert back.total_cents == 21593
    # 3 x $0.01 at 0 %: 3 cents exactly; 0.001 x 1 cent rounds half-even to 0.
    tiny = make.line_item(opportunity_id=opp.id, product_id=product.id, quantity=Decimal("3"), unit_price_cents=1)
    assert store.line_items.require(tiny.id).total_cents == 3
    # A caller's stale total is never trusted: 2 x $10.00 less 50 % = $10.00.
    lying = make.line_item(
        opportunity_id=opp.id, product_id=product.id, quantity=Decimal(2), unit_price_cents=1000,
        discount_pct=Decimal(50), total_cents=999_999,
    )
    assert store.line_items.require(lying.id).total_cents == 1000


def test_timestamp_in_another_zone_comes_back_as_the_same_instant_in_utc(store, make):
    opp = make.opportunity(stage_entered_at=LOCAL_TIME)
    back = store.opportunities.require(opp.id)
    assert back.stage_entered_at == LOCAL_TIME  # the same instant...
    assert back.stage_entered_at.tzinfo is timezone.utc  # ...expressed in UTC
    assert (back.stage_entered_at.hour, back.stage_entered_at.minute) == (16, 30)  # 09:30 at UTC-7
    assert back.stage_entered_at == LOCAL_TIME_IN_UTC
    assert back.stage_entered_at.microsecond == 123456
    # Stored as naive UTC: the raw column holds 16:30, not 09:30 and no offset.
    raw = store.db.execute_sql('SELECT stage_entered_at FROM "opportunity" WHERE id = %s' % int(opp.id)).fetchone()[0]
    assert str(raw).startswith("2026-03-16 16:30:15.123456")
    assert getattr(raw, "tzinfo", None) is None


def test_json_list_fields(store, make):
    competitor = store.competitors.insert(
        r.Competitor(name="Acme Foods", strengths=list(TRICKY), weaknesses=[])
    )
    back = store.competitors.require(competitor.id)
    assert back.strengths == TRICKY
    assert back.weaknesses == []
    raw = store.db.execute_sql("SELECT strengths FROM competitor WHERE id = %d" % competitor.id).fetchone()[0]
    assert raw.startswith('["Crème brûlée')  # readable JSON text, not \\u escapes

    account = make.account()
    activity = make.activity(account_id=account.id, attachments=["a.pdf", "🍕 menu.png", "[bold]x[/].txt"])
    assert store.activities.require(activity.id).attachments == ["a.pdf", "🍕 menu.png", "[bold]x[/].txt"]


# -- versioned update ---------------------------------------------------------------------------


def test_update_with_current_version_bumps_it(store, make):
    opp = make.opportunity(name="Original")
    assert opp.version == 1
    renamed = store.opportunities.update(opp.model_copy(update={"name": "Renamed", "updated_at": LATER}))
    assert renamed.version == 2
    assert store.opportunities.require(opp.id) == renamed
    again = store.opportunities.update(renamed.model_copy(update={"value_cents": 5}))
    assert again.version == 3 and store.opportunities.require(opp.id).value_cents == 5


def test_update_with_stale_version_conflicts_and_changes_nothing(store, make):
    opp = make.opportunity(name="Original")
    fresh = store.opportunities.update(opp.model_copy(update={"name": "Theirs", "updated_at": LATER}))
    stale = opp.model_copy(update={"name": "Mine"})  # still version 1
    with pytest.raises(VersionConflict) as caught:
        store.opportunities.update(stale, changed_by="maria")
    assert store.opportunities.require(opp.id) == fresh  # name "Theirs", version 2
    message = str(caught.value)
    assert f"opportunity {opp.id} was changed by maria" in message
    assert LATER.strftime("%Y-%m-%d %H:%M") in message and "reload" in message
    assert caught.value.record_id == opp.id


def test_update_of_a_missing_row_is_not_found(store, make):
    opp = make.opportunity()
    store.opportunities.delete(opp.id)
    with pytest.raises(NotFound):
        store.opportunities.update(opp)
    with pytest.raises(NotFound):
        store.opportunities.delete(opp.id)
    with pytest.raises(ValueError, match="id"):
        store.opportunities.update(opp.model_copy(update={"id": None}))


def test_update_of_an_unversioned_table(store, make):
    account = make.account()
    location = store.locations.insert(r.AccountLocation(account_id=account.id, name="Depot"))
    moved = store.locations.update(location.model_copy(update={"city": "Lyon"}))
    assert store.locations.require(location.id) == moved
    assert moved.city == "Lyon"


# -- refusals -----------------------------------------------------------------------------------


def test_naive_datetime_is_refused(store, make):
    naive = datetime(2026, 3, 16, 12, 0)
    with pytest.raises(pydantic.ValidationError, match="timezone"):
        make.user(created_at=naive, save=False)
    # Below the records too: the repository validates the record again, and the column type refuses a naive
    # value that slipped past both (store/repository.py `checked`, store/fields.py).
    sneaky = make.user(save=False).model_copy(update={"created_at": naive})
    with pytest.raises(ValueError, match="naive datetime refused|must carry a timezone"):
        store.users.insert(sneaky)
    user = make.user()
    with pytest.raises(ValueError, match="naive datetime refused|must carry a timezone"):
        store.touch_last_seen(user.id, naive)
    assert store.users.count() == 1
    assert store.users.require(user.id).last_seen_at is None


def test_foreign_keys_are_enforced_with_their_delete_rules(store, make):
    account = make.account()
    location = store.locations.insert(r.AccountLocation(account_id=account.id, name="Depot"))
    contact = make.contact(account_id=account.id)
    store.accounts.delete(account.id)
    assert store.locations.get(location.id) is None  # ON DELETE CASCADE
    assert store.contacts.require(contact.id).account_id is None  # ON DELETE SET NULL
    with pytest.raises(MissingReference, match="does not exist"):
        store.locations.insert(r.AccountLocation(account_id=999_999, name="Nowhere"))


def test_explicit_ids_do_not_break_later_inserts(store, make):
    """Rows written with their ids (imports, demo data) must not collide with the next new row."""
    store.users.insert(make.user(save=False).model_copy(update={"id": 1}))
    store.users.insert_many([make.user(save=False).model_copy(update={"id": i}) for i in (2, 3)])
    fresh = store.users.insert(make.user(save=False))
    assert fresh.id == 4
    assert store.users.count() == 4


# -- transactions -------------------------------------------------------------------------------


def test_exception_inside_atomic_leaves_nothing(store, make):
    with pytest.raises(RuntimeError, match="boom"):
        with store.atomic():
            user = make.user()
            make.account(owner_id=user.id)
            raise RuntimeError("boom")
    assert store.users.count() == 0
    assert store.accounts.count() == 0


def test_atomic_commits_on_success(store, make):
    with store.atomic():
        user = make.user()
        make.account(owner_id=user.id)
    assert store.users.count() == 1 and store.accounts.count() == 1
