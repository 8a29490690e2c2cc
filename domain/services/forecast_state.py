"""The pipeline as it stood at a past instant, deal by deal, rebuilt from stage history and the audit log.

Only a forecast of a past instant (`--as-of` before the latest record) reads this, for its forecast
categories; every forecast figure comes from aggregates (`forecast_cohorts`, `forecast_service`).

The store hands over raw facts about every opportunity created before the instant `at`
(`DealHistory`: the row as it is now, its last stage change before `at`, and the audited
edits of the fields a forecast needs on either side of `at`). `reconstruct` folds them into
a `PipelineState`: the deals that were open at `at` with the value, probability, expected
close date and forecast category they had then, and the wins that stood at `at`.

The rule for a field's value at `at` (docs/forecasting.md, "Reconstruction"):

1. the latest record before `at` that sets it: the last stage change (stage, value,
   probability) or an audited edit (its `new_value`), whichever is later;
2. else the `old_value` of the first audited edit at or after `at`: the value the deal was
   created with and still had at `at` (an edit's old value describes the time before it);
3. else the current row: the field was never edited, so it has had this value since the
   deal was created.

Nothing recorded at or after `at` can change a reconstructed value except through rule 2,
which by construction reports the value standing at `at`. Pure: no database here.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Callable, Iterable, Mapping, TypeVar

from domain.clock import start_of_day
from domain.enums import ForecastCategory
from domain.pipeline import PipelineConfig

if TYPE_CHECKING:
    from domain.session import Session

T = TypeVar("T")

# The audited opportunity fields the reconstruction reads (written by stage moves and edits).
AUDITED_FIELDS = ("stage", "value_cents", "probability", "expected_close_date", "forecast_category")

NO_PRODUCTS = "(no line items)"


# -- what the store returns -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StageMark:
    """One stage_change row: the stage entered and the value and probability recorded with it."""

    changed_at: datetime
    stage: str
    value_cents: int
    probability: int


@dataclass(frozen=True, slots=True)
class FieldMark:
    """One audited edit of a field: when, and the old and new value as text."""

    at: datetime
    old: str | None
    new: str | None


@dataclass(frozen=True, slots=True)
class DealHistory:
    """Raw facts about one opportunity created before the instant `at`."""

    id: int
    owner: str
    team: str
    created_at: datetime
    # the row as it is now
    stage: str
    value_cents: int
    probability: int
    expected_close_date: date
    actual_close_date: date | None
    forecast_category: str
    forecast_category_overridden: bool
    # stage history around `at`
    last_change: StageMark | None = None  # the last stage change before `at`
    next_from_stage: str | None = None  # from_stage of the first stage change at or after `at`
    # audited edits around `at`: field -> the latest edit before `at` / the first edit at or after `at`
    edits_before: Mapping[str, FieldMark] = field(default_factory=dict)
    edits_after: Mapping[str, FieldMark] = field(default_factory=dict)
    # (product name, line total in cents) of the deal's line items as they are now
    products: tuple[tuple[str, int], ...] = ()


# -- what the forecasts read ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OpenDeal:
    id: int
    owner: str
    value_cents: int
    probability: int  # 0-100
    expected_close_date: date
    category: ForecastCategory = ForecastCategory.PIPELINE
    products: tuple[tuple[str, int], ...] = ()
    team: str = ""


@dataclass(frozen=True, slots=True)
class Win:
    """A won deal standing at the instant: won at `won_at` for `value_cents` (the value recorded with the win)."""

    id: int
    owner: str
    won_at: datetime
    value_cents: int
    expected_close_date: date | None = None
    products: tuple[tuple[str, int], ...] = ()
    team: str = ""


@dataclass(frozen=True)
class PipelineState:
    at: datetime
    open_deals: tuple[OpenDeal, ...]
    wins: tuple[Win, ...]

    @property
    def today(self) -> date:
        return self.at.date()

    def only(self, owners: Iterable[str] = (), team: str = "") -> "PipelineState":
        """The deals of some reps (and/or one team) only."""
        wanted = set(owners)
        if not wanted and not team:
            return self

        def keep(owner: str, deal_team: str) -> bool:
            return (not wanted or owner in wanted) and (not team or deal_team == team)

        return PipelineState(
            self.at,
            tuple(d for d in self.open_deals if keep(d.owner, d.team)),
            tuple(w for w in self.wins if keep(w.owner, w.team)),
        )

    def without_products(self) -> "PipelineState":
        """The same deals with no product split (totals need none, and the split is most of the arithmetic)."""
        if not any(d.products for d in self.open_deals) and not any(w.products for w in self.wins):
            return self
        return PipelineState(self.at, tuple(replace(d, products=()) for d in self.open_deals),
                             tuple(replace(w, products=()) for w in self.wins))

    def by_owner(self) -> dict[str, "PipelineState"]:
        """The state split by owner, in one pass (`only` per rep would scan every deal once per rep)."""
        open_deals: dict[str, list[OpenDeal]] = {}
        wins: dict[str, list[Win]] = {}
        for deal in self.open_deals:
            open_deals.setdefault(deal.owner, []).append(deal)
        for win in self.wins:
            wins.setdefault(win.owner, []).append(win)
        return {owner: PipelineState(self.at, tuple(open_deals.get(owner, ())), tuple(wins.get(owner, ())))
                for owner in set(open_deals) | set(wins)}

    def won_between(self, start: datetime, end: datetime) -> tuple[Win, ...]:
        """Wins standing at `at` that were won in [start, end)."""
        return tuple(w for w in self.wins if start <= w.won_at < end)


# -- the fold ---------------------------------------------------------------------------------------


def _value_at(
    history: DealHistory,
    name: str,
    parse: Callable[[str], T],
    current: T,
    from_stage_change: T | None = None,
) -> T:
    """A field's value at the instant (rules 1-3 in the module docstring)."""
    candidates: list[tuple[datetime, int, T]] = []
    if history.last_change is not None and from_stage_change is not None:
        candidates.append((history.last_change.changed_at, 0, from_stage_change))
    edit = history.edits_before.get(name)
    if edit is not None and edit.new is not None:
        parsed = _parse(parse, edit.new)
        if parsed is not None:
            candidates.append((edit.at, 1, parsed))
    if candidates:
        return max(candidates, key=lambda c: (c[0], c[1]))[2]
    later = history.edits_after.get(name)
    if later is not None and later.old is not None:
        parsed = _parse(parse, later.old)
        if parsed is not None:
            return parsed
    return current


def _parse(parse: Callable[[str], T], text: str) -> T | None:
    try:
        return parse(text)
    except (TypeError, ValueError):
        return None  # an unreadable audit value is ignored, never guessed


def reconstruct(at: datetime, histories: Iterable[DealHistory], pipeline: PipelineConfig) -> PipelineState:
    """The open deals and standing wins at `at`. Deals in a stage the pipeline does not know are left out."""
    open_ids = {s.id for s in pipeline.open_stages}
    won_id, lost_id = pipeline.won.id, pipeline.lost.id
    open_deals: list[OpenDeal] = []
    wins: list[Win] = []
    for h in histories:
        if h.created_at >= at:
            continue  # did not exist yet
        mark = h.last_change
        stage = _value_at(h, "stage", str, h.next_from_stage or h.stage, mark.stage if mark else None)
        if stage == lost_id or (stage != won_id and stage not in open_ids):
            continue  # lost deals never count; unknown stages cannot be placed
        value = _value_at(h, "value_cents", int, h.value_cents, mark.value_cents if mark else None)
        expected = _value_at(h, "expected_close_date", date.fromisoformat, h.expected_close_date)
        if stage == won_id:
            if mark is not None and mark.stage == won_id:
                won_at, won_value = mark.changed_at, mark.value_cents
            else:
                # No stage change records the win (imported data): its close date, never later than `at`.
                closed = start_of_day(h.actual_close_date) if h.actual_close_date else h.created_at
                won_at, won_value = min(closed, at - timedelta(microseconds=1)), value
            wins.append(Win(h.id, h.owner, won_at, won_value, expected, h.products, h.team))
            continue
        probability = _value_at(h, "probability", int, h.probability, mark.probability if mark else None)
        category = pipeline.stage(stage).forecast_category  # the stage's, unless overridden
        recorded = ForecastCategory(h.forecast_category)
        if stage == h.stage:
            if h.forecast_category_overridden:  # an override lasts while the deal is open
                category = _value_at(h, "forecast_category", ForecastCategory, recorded)
        elif "forecast_category" in h.edits_before or "forecast_category" in h.edits_after:
            # In another stage now: the category recorded at `at` (an override then, or the stage's).
            category = _value_at(h, "forecast_category", ForecastCategory, category)
        open_deals.append(OpenDeal(h.id, h.owner, value, max(0, min(100, probability)), expected, category,
                                   h.products, h.team))
    open_deals.sort(key=lambda d: d.id)
    wins.sort(key=lambda w: (w.won_at, w.id))
    return PipelineState(at, tuple(open_deals), tuple(wins))


# -- the service -------------------------------------------------------------------------------------


def load_state(session: "Session", until: datetime, *, products: bool = False) -> PipelineState:
    """The pipeline as it stood just before `until`, deal by deal (nothing recorded at or after `until`).
    Only a forecast of a past instant reads it: for its categories, which need each deal's close date."""
    histories = session.store.forecasting.deal_histories(until, lost_stage=session.pipeline.lost.id,
                                                         with_products=products)
    return reconstruct(until, histories, session.pipeline)
