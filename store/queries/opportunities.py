"""Opportunity lists, stage aggregates and name search."""

from __future__ import annotations

from peewee import JOIN, fn

from domain.filters import OpportunityFilter
from domain.pipeline import PipelineConfig
from domain.views import OpportunityItem, StageTotal
from store.models import AccountRow, OpportunityRow, UserRow
from store.queries.common import Page, any_contains, page_of, restrict

Owner = UserRow.alias("owner")

SORT_COLUMNS = {
    "id": OpportunityRow.id,
    "name": OpportunityRow.name,
    "account": AccountRow.name,
    "stage": OpportunityRow.stage,
    "value": OpportunityRow.value_cents,
    "probability": OpportunityRow.probability,
    "owner": Owner.login,
    # the date the Close column shows: the actual close of a closed deal, else the expected one
    "close": fn.COALESCE(OpportunityRow.actual_close_date, OpportunityRow.expected_close_date),
    "days_in_stage": OpportunityRow.stage_entered_at,  # direction flipped in _sorted
    "last_activity": OpportunityRow.last_activity_at,
}


def _where(query, flt: OpportunityFilter, pipeline: PipelineConfig):
    row = OpportunityRow
    query = restrict(query, row.owner, flt.visible_owners)
    if not flt.archived:
        query = query.where(row.archived_at.is_null())
    if flt.owners:
        query = query.where(Owner.login.in_(flt.owners))
    if flt.team:
        query = query.where(Owner.team == flt.team)
    if flt.stages:
        query = query.where(row.stage.in_(flt.stages))
    if flt.status == "open":
        query = query.where(row.stage.in_([s.id for s in pipeline.open_stages]))
    elif flt.status == "won":
        query = query.where(row.stage == pipeline.won.id)
    elif flt.status == "lost":
        query = query.where(row.stage == pipeline.lost.id)
    elif flt.status == "closed":
        query = query.where(row.stage.in_([pipeline.won.id, pipeline.lost.id]))
    if flt.min_value_cents is not None:
        query = query.where(row.value_cents >= flt.min_value_cents)
    if flt.max_value_cents is not None:
        query = query.where(row.value_cents <= flt.max_value_cents)
    if flt.close_from is not None:
        query = query.where(row.expected_close_date >= flt.close_from)
    if flt.close_to is not None:
        query = query.where(row.expected_close_date <= flt.close_to)
    if flt.closed_from is not None:
        query = query.where(row.actual_close_date >= flt.closed_from)
    if flt.closed_to is not None:
        query = query.where(row.actual_close_date <= flt.closed_to)
    if flt.account_id is not None:
        query = query.where(row.account == flt.account_id)
    if flt.text:
        query = query.where(any_contains(flt.text, row.name, AccountRow.name))
    return query


def _joined(query, flt: OpportunityFilter):
    """`query` with the owner and account joined only when the filter reads them (counts and totals
    over every deal then stay a scan of one table: the owner is never null, so the inner join drops nothing)."""
    if flt.owners or flt.team:
        query = query.join(Owner, on=(OpportunityRow.owner == Owner.id)).switch(OpportunityRow)
    if flt.text:
        query = query.join(AccountRow, JOIN.LEFT_OUTER, on=(OpportunityRow.account == AccountRow.id))
    return query


def _base():
    return (
        OpportunityRow.select(
            OpportunityRow.id,
            OpportunityRow.name,
            OpportunityRow.account,
            fn.COALESCE(AccountRow.name, "").alias("account_name"),
            OpportunityRow.stage,
            OpportunityRow.value_cents,
            OpportunityRow.probability,
            Owner.login.alias("owner_login"),
            Owner.display_name.alias("owner_name"),
            OpportunityRow.expected_close_date,
            OpportunityRow.actual_close_date,
            OpportunityRow.stage_entered_at,
            OpportunityRow.last_activity_at,
            OpportunityRow.forecast_category,
            OpportunityRow.version,
        )
        .join(Owner, on=(OpportunityRow.owner == Owner.id))
        .switch(OpportunityRow)
        .join(AccountRow, JOIN.LEFT_OUTER, on=(OpportunityRow.account == AccountRow.id))
    )


def _item(r: dict) -> OpportunityItem:
    return OpportunityItem(
        id=r["id"],
        name=r["name"],
        account_id=r["account"],
        account=r["account_name"],
        stage=r["stage"],
        value_cents=r["value_cents"],
        probability=r["probability"],
        owner_login=r["owner_login"],
        owner_name=r["owner_name"],
        expected_close_date=r["expected_close_date"],
        actual_close_date=r["actual_close_date"],
        stage_entered_at=r["stage_entered_at"],
        last_activity_at=r["last_activity_at"],
        forecast_category=r["forecast_category"],
        version=r["version"],
    )


def count(flt: OpportunityFilter, pipeline: PipelineConfig) -> int:
    query = _joined(OpportunityRow.select(fn.COUNT(OpportunityRow.id)), flt)
    return _where(query, flt, pipeline).scalar() or 0


def page(flt: OpportunityFilter, pipeline: PipelineConfig, offset: int, limit: int) -> Page[OpportunityItem]:
    # more days in stage = an earlier entry: that column's direction flips
    return page_of(_where(_base(), flt, pipeline), flt, offset, limit, columns=SORT_COLUMNS, default="id",
                   tiebreak=OpportunityRow.id, item=_item, total=lambda: count(flt, pipeline), flipped=("days_in_stage",))


def items_in_stage(stage: str, flt: OpportunityFilter, pipeline: PipelineConfig, offset: int, limit: int) -> list[OpportunityItem]:
    query = _where(_base(), flt, pipeline).where(OpportunityRow.stage == stage)
    query = query.order_by(OpportunityRow.value_cents.desc(), OpportunityRow.id.desc()).offset(offset).limit(limit)
    return [_item(r) for r in query.dicts()]


def rank_in_stage(stage: str, flt: OpportunityFilter, pipeline: PipelineConfig, value_cents: int, opp_id: int) -> int:
    """The row of a deal in its stage's list as `items_in_stage` and the kanban (a list sorted by value,
    descending) order it: largest value first, then the newest (higher id) — the index on (stage,
    value_cents) read backwards."""
    row = OpportunityRow
    before = (row.value_cents > value_cents) | ((row.value_cents == value_cents) & (row.id > opp_id))
    query = _joined(row.select(fn.COUNT(row.id)), flt)
    return _where(query, flt, pipeline).where((row.stage == stage) & before).scalar() or 0


def stage_totals(flt: OpportunityFilter, pipeline: PipelineConfig) -> list[StageTotal]:
    query = _joined(
        OpportunityRow.select(
            OpportunityRow.stage,
            fn.COUNT(OpportunityRow.id),
            fn.COALESCE(fn.SUM(OpportunityRow.value_cents), 0),
            fn.COALESCE(fn.SUM(OpportunityRow.value_cents * OpportunityRow.probability), 0),
        ), flt)
    query = _where(query, flt, pipeline).group_by(OpportunityRow.stage)
    return [StageTotal(stage, int(n), int(value), int(weighted)) for stage, n, value, weighted in query.tuples()]


def search(text: str, limit: int, logins: tuple[str, ...] | None = None) -> list[tuple[int, str, str, str, str]]:
    """(id, name, account name, stage, owner login) of opportunities whose name contains `text`."""
    query = (
        OpportunityRow.select(OpportunityRow.id, OpportunityRow.name, fn.COALESCE(AccountRow.name, ""), OpportunityRow.stage,
                              UserRow.login)
        .join(AccountRow, JOIN.LEFT_OUTER, on=(OpportunityRow.account == AccountRow.id))
        .switch(OpportunityRow).join(UserRow, on=(OpportunityRow.owner == UserRow.id))
        .where(OpportunityRow.name.contains(text) & OpportunityRow.archived_at.is_null())
    )
    return list(restrict(query, OpportunityRow.owner, logins).order_by(OpportunityRow.name).limit(limit).tuples())




def probability_totals(pipeline: PipelineConfig, logins: tuple[str, ...] | None = None) -> list[tuple[int, int, int]]:
    """(probability, count, value) of open deals, highest probability first."""
    query = (
        restrict(OpportunityRow.select(OpportunityRow.probability, fn.COUNT(OpportunityRow.id),
                                       fn.COALESCE(fn.SUM(OpportunityRow.value_cents), 0)),
                 OpportunityRow.owner, logins)
        .where(OpportunityRow.stage.in_([s.id for s in pipeline.open_stages]) & OpportunityRow.archived_at.is_null())
        .group_by(OpportunityRow.probability)
        .order_by(OpportunityRow.probability.desc())
    )
    return [(int(p), int(n), int(v)) for p, n, v in query.tuples()]
