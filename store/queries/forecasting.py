"""SQL for forecasting: history as it stood at an instant, won revenue by month, snapshots."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime
from types import MappingProxyType
from typing import Iterator

from peewee import JOIN, fn

from domain.records import ForecastSnapshot
from domain.services.forecast_state import AUDITED_FIELDS, DealHistory, FieldMark, StageMark
from store.mapping import record_to_row_dict, row_dict_to_record
from store.models import (
    AuditRow,
    ForecastSnapshotRow,
    LineItemRow,
    OpportunityRow,
    ProductRow,
    StageChangeRow,
    UserRow,
)
from store.queries.sqltime import utc_instant

Owner = UserRow.alias("fc_owner")

# Shared by the deals without edits (most of them): read-only, one object instead of 200,000 dicts.
NO_EDITS = MappingProxyType({})


class ForecastQueries:
    """Reached as `store.forecasting`."""

    # -- history at an instant --------------------------------------------------------------

    def deal_histories(self, at: datetime, *, lost_stage: str, with_products: bool = False) -> Iterator[DealHistory]:
        """Every opportunity created before `at`, except those already lost at `at`, with its last
        stage change before `at`, the from_stage of its first change at or after `at`, and the
        audited edits of the fields a forecast reads on either side of `at`.

        Two window functions over stage_change (latest before, earliest at/after) and two over
        audit_log; the folding into a state is `domain.services.forecast_state.reconstruct`.

        Yielded one by one (the fold keeps only what it needs), with the strings every deal repeats
        (owner, team, stage, category, product names) shared: at 100,000 deals a copy per row costs
        tens of megabytes.
        """
        S = StageChangeRow
        latest = fn.ROW_NUMBER().over(partition_by=[S.opportunity], order_by=[S.changed_at.desc(), S.id.desc()])
        last = (
            S.select(S.opportunity.alias("opp"), S.to_stage.alias("stage"), S.changed_at.alias("changed"),
                     S.value_cents.alias("value"), S.probability.alias("prob"), latest.alias("rn"))
            .where(S.changed_at < at)
            .alias("fc_last")
        )
        S2 = StageChangeRow.alias("fc_sc_after")
        earliest = fn.ROW_NUMBER().over(partition_by=[S2.opportunity], order_by=[S2.changed_at.asc(), S2.id.asc()])
        after = (
            S2.select(S2.opportunity.alias("opp"), S2.from_stage.alias("from_stage"), earliest.alias("rn"))
            .where(S2.changed_at >= at)
            .alias("fc_after")
        )
        O = OpportunityRow
        query = (
            O.select(
                O.id, Owner.login, Owner.team, O.created_at, O.stage, O.value_cents, O.probability,
                O.expected_close_date, O.actual_close_date, O.forecast_category, O.forecast_category_overridden,
                last.c.stage, last.c.changed, last.c.value, last.c.prob, after.c.from_stage,
            )
            .join(Owner, on=(O.owner == Owner.id))
            .switch(O)
            .join(last, JOIN.LEFT_OUTER, on=((last.c.opp == O.id) & (last.c.rn == 1)))
            .switch(O)
            .join(after, JOIN.LEFT_OUTER, on=((after.c.opp == O.id) & (after.c.rn == 1)))
            .where((O.created_at < at) & (last.c.stage.is_null() | (last.c.stage != lost_stage)))
            .order_by(O.id)
        )
        before_edits, after_edits = self._edits(at)
        shared: dict[str, str] = {}
        products = self._products(shared) if with_products else {}
        for (oid, login, team, created, stage, value, prob, expected, closed, category, overridden,
             l_stage, l_at, l_value, l_prob, next_from) in query.tuples().iterator():
            mark = None if l_stage is None else StageMark(utc_instant(l_at), shared.setdefault(l_stage, l_stage), int(l_value),
                                                          int(l_prob))
            yield DealHistory(
                id=oid, owner=shared.setdefault(login, login), team=shared.setdefault(team or "", team or ""),
                created_at=created, stage=shared.setdefault(stage, stage), value_cents=int(value),
                probability=int(prob), expected_close_date=expected, actual_close_date=closed,
                forecast_category=shared.setdefault(category, category),
                forecast_category_overridden=bool(overridden), last_change=mark,
                next_from_stage=next_from, edits_before=before_edits.get(oid, NO_EDITS),
                edits_after=after_edits.get(oid, NO_EDITS),
                products=products.get(oid, ()),
            )

    def _edits(self, at: datetime) -> tuple[dict[int, dict[str, FieldMark]], dict[int, dict[str, FieldMark]]]:
        """Per opportunity and audited field: the latest edit before `at`, and the first at or after it."""
        out: list[dict[int, dict[str, FieldMark]]] = []
        for before in (True, False):
            A = AuditRow
            order = [A.at.desc(), A.id.desc()] if before else [A.at.asc(), A.id.asc()]
            rank = fn.ROW_NUMBER().over(partition_by=[A.record_id, A.field], order_by=order)
            window = (
                A.select(A.record_id.alias("rid"), A.field.alias("fld"), A.at.alias("stamp"),
                         A.old_value.alias("old"), A.new_value.alias("new"), rank.alias("rn"))
                .where((A.table_name == "opportunity") & (A.action == "update") & A.field.in_(AUDITED_FIELDS)
                       & ((A.at < at) if before else (A.at >= at)))
                .alias("fc_edits")
            )
            query = (
                AuditRow.select(window.c.rid, window.c.fld, window.c.stamp, window.c.old, window.c.new)
                .from_(window)
                .where(window.c.rn == 1)
            )
            found: dict[int, dict[str, FieldMark]] = defaultdict(dict)
            for rid, fld, stamp, old, new in query.tuples().iterator():
                found[int(rid)][fld] = FieldMark(utc_instant(stamp), old, new)
            out.append(dict(found))
        return out[0], out[1]

    def _products(self, shared: dict[str, str]) -> dict[int, tuple[tuple[str, int], ...]]:
        """(product name, line total) of every opportunity's line items, as they are now (names shared)."""
        query = (
            LineItemRow.select(LineItemRow.opportunity, ProductRow.name, LineItemRow.total_cents)
            .join(ProductRow, on=(LineItemRow.product == ProductRow.id))
            .order_by(LineItemRow.opportunity, LineItemRow.id)
        )
        found: dict[int, list[tuple[str, int]]] = defaultdict(list)
        for oid, name, total in query.tuples().iterator():
            found[int(oid)].append((shared.setdefault(name, name), int(total)))
        return {k: tuple(v) for k, v in found.items()}

    # -- snapshots -----------------------------------------------------------------------------

    def snapshot_keys(self, taken_on: date) -> set[tuple[str, date, str, str]]:
        """(period_kind, period_start, method, scope) of the snapshots taken on `taken_on`."""
        F = ForecastSnapshotRow
        query = F.select(F.period_kind, F.period_start, F.method, F.scope).where(F.taken_on == taken_on)
        return {(k, s, m, sc) for k, s, m, sc in query.tuples()}

    def insert_snapshots(self, snapshots: list[ForecastSnapshot]) -> int:
        """Insert the snapshots not stored yet (a concurrent writer's row wins); returns how many were written."""
        if not snapshots:
            return 0
        F = ForecastSnapshotRow
        taken = {s.taken_on for s in snapshots}
        before = F.select().where(F.taken_on.in_(list(taken))).count()
        rows = [record_to_row_dict(F, s) for s in snapshots]
        F.insert_many(rows).on_conflict_ignore().execute()
        return F.select().where(F.taken_on.in_(list(taken))).count() - before

    def snapshots(self, period_kind: str, scope: str, *, period_end_before: date | None = None,
                  period_from: date | None = None) -> list[ForecastSnapshot]:
        """Snapshots of one period kind and scope, by period start then day taken."""
        F = ForecastSnapshotRow
        query = F.select().where((F.period_kind == period_kind) & (F.scope == scope))
        if period_end_before is not None:
            query = query.where(F.period_start < period_end_before)
        if period_from is not None:
            query = query.where(F.period_start >= period_from)
        query = query.order_by(F.period_start, F.method, F.taken_on, F.id)
        return [row_dict_to_record(F, d, ForecastSnapshot) for d in query.dicts()]
