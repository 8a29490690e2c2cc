"""Stage requirements, evaluated without a database: each of the seed's four types."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

from domain.enums import ActivityKind
from domain.pipeline.requirements import Facts, evaluate, is_met
from domain.pipeline.rules import (
    ActivityCompleted,
    FieldPopulated,
    MinimumValue,
    ProductsSelected,
)
from domain.records import Opportunity

NOW = datetime(2026, 3, 16, 12, tzinfo=timezone.utc)
NO_FACTS = Facts(frozenset(), 0, 0)


def opp(**fields) -> Opportunity:
    values = dict(name="Deal", stage="discovery", probability=20, value_cents=1_000_00, started_on=date(2026, 3, 1),
                  expected_close_date=date(2026, 4, 1), owner_id=1, stage_entered_at=NOW, created_at=NOW, updated_at=NOW)
    return Opportunity(**{**values, **fields})


def test_activity_completed_needs_a_completed_activity_of_that_kind():
    call = ActivityCompleted(type="activity_completed", value=ActivityKind.CALL)
    assert not is_met(call, opp(), NO_FACTS)
    assert not is_met(call, opp(), Facts(frozenset({"email"}), 0, 0))
    assert is_met(call, opp(), Facts(frozenset({"call"}), 0, 0))


def test_a_sent_proposal_counts_as_the_proposal_activity():
    proposal = ActivityCompleted(type="activity_completed", value=ActivityKind.PROPOSAL)
    assert not is_met(proposal, opp(), NO_FACTS)
    assert is_met(proposal, opp(), Facts(frozenset(), 0, 1))


def test_field_populated_follows_the_seed_falsy_rule():
    budget = FieldPopulated(type="field_populated", field="budget")
    assert not is_met(budget, opp(budget_cents=None), NO_FACTS)
    assert not is_met(budget, opp(budget_cents=0), NO_FACTS)  # the seed's `!fieldValue`: 0 is not populated
    assert is_met(budget, opp(budget_cents=1), NO_FACTS)
    next_step = FieldPopulated(type="field_populated", field="next_step")
    assert not is_met(next_step, opp(next_step="   "), NO_FACTS)
    assert is_met(next_step, opp(next_step="Tasting on Friday"), NO_FACTS)
    account = FieldPopulated(type="field_populated", field="account")
    assert not is_met(account, opp(), NO_FACTS) and is_met(account, opp(account_id=3), NO_FACTS)


def test_minimum_value_compares_exact_cents():
    minimum = MinimumValue(type="minimum_value", value=Decimal("2500.00"))
    assert minimum.cents == 250_000
    assert not is_met(minimum, opp(value_cents=249_999), NO_FACTS)
    assert is_met(minimum, opp(value_cents=250_000), NO_FACTS)


def test_products_selected_needs_a_line_item():
    products = ProductsSelected(type="products_selected")
    assert not is_met(products, opp(), NO_FACTS)
    assert is_met(products, opp(), Facts(frozenset(), 1, 0))


def test_evaluate_reports_every_unmet_requirement_and_separates_advisory_ones():
    requirements = (
        ActivityCompleted(type="activity_completed", value=ActivityKind.CALL),
        FieldPopulated(type="field_populated", field="budget"),
        ProductsSelected(type="products_selected", required=False),
    )
    result = evaluate(requirements, opp(), NO_FACTS)
    assert result.blocking == ("required activity 'call' not completed", "required field 'budget' not populated")
    assert result.advisory == ("at least one product must be selected",)
    assert not result.ok
    assert evaluate(requirements, opp(budget_cents=5), Facts(frozenset({"call"}), 1, 0)).ok
