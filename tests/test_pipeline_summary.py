"""The pipeline summary: per-stage counts, values and weighted values; every figure by hand.

A StageTotal's `weighted_numerator` is SUM(value_cents x probability); dividing by 100
gives weighted cents, rounded half-to-even once.
"""

from __future__ import annotations

import pytest

from domain.filters import OpportunityFilter
from domain.pipeline import DEFAULT_PIPELINE, PipelineConfig, StageDef, StageKind
from domain.services.pipeline_summary import pipeline_summary, summarise, weighted_cents
from domain.views import StageTotal

STAGE_IDS = ["discovery", "qualification", "proposal", "negotiation", "closed_won", "closed_lost"]


def figures(summary) -> dict[str, tuple[int, int, int]]:
    return {s.stage.id: (s.count, s.value_cents, s.weighted_cents) for s in summary.stages}


# -- summarise() on hand-made totals ------------------------------------------------------------


def test_summary_of_a_small_pipeline():
    totals = [
        # discovery: $10,000.00 + $5,000.00 at 20 % -> 1,000,000 x 20 + 500,000 x 20 = 30,000,000
        StageTotal("discovery", 2, 1_500_000, 30_000_000),
        # qualification: $20,000.00 at 40 % -> 2,000,000 x 40 = 80,000,000
        StageTotal("qualification", 1, 2_000_000, 80_000_000),
        # won: $4,000.00 + $3,000.00 at 100 %
        StageTotal("closed_won", 2, 700_000, 70_000_000),
        # lost: $3,000.00 at 0 %
        StageTotal("closed_lost", 1, 300_000, 0),
    ]
    summary = summarise(totals, DEFAULT_PIPELINE)

    assert figures(summary) == {
        "discovery": (2, 1_500_000, 300_000),  # weighted $3,000.00 = 30,000,000 / 100
        "qualification": (1, 2_000_000, 800_000),  # weighted $8,000.00
        "proposal": (0, 0, 0),  # empty stages appear, with zeros
        "negotiation": (0, 0, 0),
        "closed_won": (2, 700_000, 700_000),
        "closed_lost": (1, 300_000, 0),
    }
    assert [s.stage.id for s in summary.stages] == STAGE_IDS  # pipeline order
    assert summary.total_count == 6  # 2 + 1 + 2 + 1
    assert summary.open_count == 3  # discovery + qualification
    assert summary.open_value_cents == 3_500_000  # 1,500,000 + 2,000,000
    assert summary.weighted_value_cents == 1_100_000  # (30,000,000 + 80,000,000) / 100: won is not weighted in
    assert (summary.won_count, summary.won_value_cents) == (2, 700_000)
    assert (summary.lost_count, summary.lost_value_cents) == (1, 300_000)
    assert summary.win_rate == pytest.approx(2 / 3)  # 2 won of 3 closed
    assert summary.for_stage("qualification").weighted_cents == 800_000


def test_empty_pipeline_is_all_zeros():
    summary = summarise([], DEFAULT_PIPELINE)
    assert figures(summary) == {stage: (0, 0, 0) for stage in STAGE_IDS}
    assert (summary.total_count, summary.open_count, summary.open_value_cents, summary.weighted_value_cents) == (0, 0, 0, 0)
    assert summary.win_rate is None


def test_weighted_total_is_rounded_once_not_per_stage():
    totals = [
        # discovery: $10,000.03 at 20 % -> 1,000,003 x 20 = 20,000,060 -> 200,000.60 cents
        StageTotal("discovery", 1, 1_000_003, 20_000_060),
        # proposal: $50,000.01 at 60 % -> 5,000,001 x 60 = 300,000,060 -> 3,000,000.60 cents
        StageTotal("proposal", 1, 5_000_001, 300_000_060),
    ]
    summary = summarise(totals, DEFAULT_PIPELINE)
    # Each stage on its own rounds .60 up:
    assert summary.for_stage("discovery").weighted_cents == 200_001
    assert summary.for_stage("proposal").weighted_cents == 3_000_001
    # Summing those would give 3,200,002; the total rounds the exact sum once:
    # (20,000,060 + 300,000,060) / 100 = 3,200,001.20 -> 3,200,001.
    assert summary.weighted_value_cents == 3_200_001
    assert sum(s.weighted_cents for s in summary.stages if s.stage.is_open) == 3_200_002


@pytest.mark.parametrize(
    ("numerator", "cents"),
    [
        (50, 0),  # 0.5 -> 0 (half to even)
        (150, 2),  # 1.5 -> 2
        (250, 2),  # 2.5 -> 2
        (350, 4),  # 3.5 -> 4
        (149, 1),  # 1.49 -> 1
        (151, 2),  # 1.51 -> 2
        (0, 0),
        (1_234_567_890_123 * 100, 1_234_567_890_123),  # a 13-digit value at 100 %, exact
    ],
)
def test_weighted_cents_rounds_half_to_even(numerator, cents):
    assert weighted_cents(numerator) == cents


def test_unknown_stage_counts_in_the_total_only():
    totals = [
        StageTotal("discovery", 1, 100_000, 2_000_000),
        StageTotal("legacy_trial", 4, 900_000, 45_000_000),  # a stage the configuration no longer has
    ]
    summary = summarise(totals, DEFAULT_PIPELINE)
    assert summary.total_count == 5  # 1 + 4
    assert summary.open_count == 1
    assert summary.open_value_cents == 100_000
    assert summary.weighted_value_cents == 20_000  # 2,000,000 / 100; the legacy numerator is left out
    assert "legacy_trial" not in figures(summary)


@pytest.mark.parametrize(
    ("totals", "rate"),
    [
        ([StageTotal("discovery", 3, 300, 6_000), StageTotal("negotiation", 1, 100, 8_000)], None),  # none closed
        ([StageTotal("closed_won", 2, 200, 20_000)], 1.0),
        ([StageTotal("closed_lost", 5, 500, 0)], 0.0),
        ([StageTotal("closed_won", 1, 100, 10_000), StageTotal("closed_lost", 3, 300, 0)], 0.25),  # 1 of 4
    ],
)
def test_win_rate(totals, rate):
    assert summarise(totals, DEFAULT_PIPELINE).win_rate == rate


def test_custom_pipeline_names_its_own_won_and_lost_stages():
    pipeline = PipelineConfig(
        stages=(
            StageDef(id="dropped", name="Dropped", order=4, probability=0, kind=StageKind.LOST),
            StageDef(id="talking", name="Talking", order=1, probability=50),
            StageDef(id="signed", name="Signed", order=3, probability=100, kind=StageKind.WON),
            StageDef(id="pricing", name="Pricing", order=2, probability=75),
        )
    )
    totals = [
        StageTotal("talking", 1, 1_000, 50_000),  # $10.00 at 50 %
        StageTotal("pricing", 1, 2_000, 150_000),  # $20.00 at 75 %
        StageTotal("signed", 1, 5_000, 500_000),
        StageTotal("dropped", 1, 7_000, 0),
    ]
    summary = summarise(totals, pipeline)
    assert [s.stage.id for s in summary.stages] == ["talking", "pricing", "signed", "dropped"]  # by order
    assert summary.open_value_cents == 3_000
    assert summary.weighted_value_cents == 2_000  # (50,000 + 150,000) / 100
    assert (summary.won_count, summary.won_value_cents, summary.lost_value_cents) == (1, 5_000, 7_000)
    assert summary.win_rate == 0.5


# -- through the real store ------------------------------------------------------------------------


@pytest.fixture
def deals(store, make):
    ana = make.user(login="ana")
    ben = make.user(login="ben")

    def deal(owner, stage, probability, cents, **more):
        return make.opportunity(owner_id=owner.id, stage=stage, probability=probability, value_cents=cents, **more)

    deal(ana, "discovery", 20, 1_000_000)  # $10,000.00
    deal(ben, "discovery", 20, 500_000)  # $5,000.00
    deal(ana, "qualification", 40, 2_000_000)  # $20,000.00
    deal(ana, "proposal", 65, 1_234_567, probability_overridden=True)  # $12,345.67 at an overridden 65 %
    deal(ana, "closed_won", 100, 700_000)  # $7,000.00
    deal(ben, "closed_won", 100, 300_000)  # $3,000.00
    deal(ana, "closed_lost", 0, 400_000)  # $4,000.00
    deal(ana, "legacy_trial", 10, 100)  # $1.00 in a stage the pipeline no longer has
    return ana, ben


def test_pipeline_summary_from_the_store(store, deals):
    summary = pipeline_summary(store, DEFAULT_PIPELINE)
    assert figures(summary) == {
        "discovery": (2, 1_500_000, 300_000),  # (1,000,000 + 500,000) x 20 / 100
        "qualification": (1, 2_000_000, 800_000),  # 2,000,000 x 40 / 100
        "proposal": (1, 1_234_567, 802_469),  # 1,234,567 x 65 = 80,246,855 -> 802,468.55 -> 802,469
        "negotiation": (0, 0, 0),
        "closed_won": (2, 1_000_000, 1_000_000),
        "closed_lost": (1, 400_000, 0),
    }
    assert summary.total_count == 8  # the $1.00 legacy deal counts here only
    assert summary.open_count == 4
    assert summary.open_value_cents == 4_734_567  # 1,500,000 + 2,000,000 + 1,234,567
    # (30,000,000 + 80,000,000 + 80,246,855) / 100 = 1,902,468.55 -> 1,902,469
    assert summary.weighted_value_cents == 1_902_469
    assert (summary.won_count, summary.won_value_cents) == (2, 1_000_000)
    assert (summary.lost_count, summary.lost_value_cents) == (1, 400_000)
    assert summary.win_rate == pytest.approx(2 / 3)


def test_pipeline_summary_filtered_by_owner(store, deals):
    summary = pipeline_summary(store, DEFAULT_PIPELINE, OpportunityFilter(owners=("ben",)))
    # ben: discovery $5,000.00 at 20 % and one $3,000.00 win
    assert summary.total_count == 2
    assert (summary.open_count, summary.open_value_cents, summary.weighted_value_cents) == (1, 500_000, 100_000)
    assert (summary.won_count, summary.won_value_cents) == (1, 300_000)
    assert summary.win_rate == 1.0


def test_pipeline_summary_of_an_empty_store(store):
    summary = pipeline_summary(store, DEFAULT_PIPELINE)
    assert summary.total_count == 0 and summary.weighted_value_cents == 0 and summary.win_rate is None
    assert [s.stage.id for s in summary.stages] == STAGE_IDS


def test_change_events_merge_into_one_that_touches_both():
    from domain.events import DataChanged

    a = DataChanged(kinds=frozenset({"opportunity"}), ids={"opportunity": frozenset({1})})
    b = DataChanged(kinds=frozenset({"opportunity", "activity"}), ids={"opportunity": frozenset({2})}, external=True)
    merged = a.merge(b)
    assert merged.kinds == {"opportunity", "activity"} and merged.external
    assert merged.ids == {"opportunity": frozenset({1, 2})}  # activity: b named no ids, so any activity
    anything = DataChanged(kinds=frozenset())  # another process changed something unknown
    assert a.merge(anything).kinds == frozenset() and a.merge(anything).touches("lead")
