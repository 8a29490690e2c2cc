"""SQL aggregates for pipeline analytics: conversion, stage durations, win/loss, sources, reps, MRR.

Every method aggregates in SQL and returns small rows; none loads every opportunity to sum it.
`owners`/`team` narrow the opportunities to those of some reps or one team.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from datetime import date, datetime

from peewee import JOIN, Case, Value, fn

from domain.facts import Breakdown, ClosedStats, ConversionRow, RepProfile, SourceLine, StageDuration
from domain.filters import Scope
from store.models import (
    AccountRow,
    ActivityRow,
    CompetitorRow,
    ContractRow,
    LeadRow,
    LeadSourceRow,
    LineItemRow,
    OpportunityCompetitorRow,
    OpportunityRow,
    ProductRow,
    StageChangeRow,
    UserRow,
)
from store.queries.sqltime import date_days, timestamp_days, timestamp_hours

Owner = UserRow.alias("an_owner")
LeadOwner = UserRow.alias("lead_owner")


def scoped(query, scope: Scope):
    """Restrict a query that already joins `Owner` (the opportunity owner alias) to the scope."""
    if scope.owners:
        query = query.where(Owner.login.in_(scope.owners))
    if scope.team:
        query = query.where(Owner.team == scope.team)
    return query


def _leads_in(query, start: datetime | None, end: datetime | None, scope: Scope):
    """Leads created in [start, end) whose owner is in the scope (the query joins `LeadOwner`)."""
    if start is not None:
        query = query.where(LeadRow.created_at >= start)
    if end is not None:
        query = query.where(LeadRow.created_at < end)
    if scope.owners:
        mine = LeadOwner.login.in_(scope.owners)
        query = query.where(mine | LeadRow.owner.is_null() if scope.unassigned_leads and not scope.team else mine)
    if scope.team:
        query = query.where(LeadOwner.team == scope.team)
    return query


def _opportunities(*columns):
    return OpportunityRow.select(*columns).join(Owner, on=(OpportunityRow.owner == Owner.id))


class AnalyticsQueries:
    """Reached as `store.analytics`."""

    # -- closed deals ---------------------------------------------------------------------

    def closed_stats(self, won: str, lost: str, start: date | None, end: date | None, scope: Scope) -> ClosedStats:
        """Won/lost count and value with an actual close in [start, end] (all time when None),
        and the sums of days from start to close (won deals, and all closed deals)."""
        cycle = date_days(OpportunityRow.actual_close_date, OpportunityRow.started_on)
        is_won = OpportunityRow.stage == won
        is_lost = OpportunityRow.stage == lost
        query = _opportunities(
            fn.SUM(Case(None, ((is_won, 1),), 0)),
            fn.SUM(Case(None, ((is_won, OpportunityRow.value_cents),), 0)),
            fn.SUM(Case(None, ((is_lost, 1),), 0)),
            fn.SUM(Case(None, ((is_lost, OpportunityRow.value_cents),), 0)),
            fn.SUM(Case(None, ((is_won, cycle),), 0)),
            fn.SUM(cycle),
        ).where(OpportunityRow.stage.in_([won, lost]) & OpportunityRow.actual_close_date.is_null(False))
        if start is not None:
            query = query.where(OpportunityRow.actual_close_date >= start)
        if end is not None:
            query = query.where(OpportunityRow.actual_close_date <= end)
        row = scoped(query, scope).tuples().first() or (0, 0, 0, 0, 0, 0)
        wc, wv, lc, lv, wd, cd = (x or 0 for x in row)
        return ClosedStats(int(wc), int(wv), int(lc), int(lv), float(wd), float(cd))

    # -- stage history --------------------------------------------------------------------

    def conversion(self, pairs: list[tuple[str, list[str]]], start: datetime | None, end: datetime | None,
                   scope: Scope) -> list[ConversionRow]:
        """For each (A, [B, later stages…]): opportunities that first entered A in [start, end),
        and how many of them later entered B or any later stage."""
        rows = []
        for from_stage, onward in pairs:
            first = (
                StageChangeRow.select(StageChangeRow.opportunity, fn.MIN(StageChangeRow.changed_at).alias("first_at"))
                .where(StageChangeRow.to_stage == from_stage)
                .group_by(StageChangeRow.opportunity)
                .alias("firsts")
            )
            later = StageChangeRow.alias("later")
            reached = fn.EXISTS(
                later.select(later.id).where(
                    (later.opportunity == first.c.opportunity_id)
                    & later.to_stage.in_(onward)
                    & (later.changed_at >= first.c.first_at)
                )
            )
            query = (
                OpportunityRow.select(fn.COUNT(OpportunityRow.id), fn.SUM(Case(None, ((reached, 1),), 0)))
                .join(first, on=(first.c.opportunity_id == OpportunityRow.id))
                .switch(OpportunityRow)
                .join(Owner, on=(OpportunityRow.owner == Owner.id))
            )
            if start is not None:
                query = query.where(first.c.first_at >= start)
            if end is not None:
                query = query.where(first.c.first_at < end)
            entered, got = scoped(query, scope).tuples().first() or (0, 0)
            rows.append(ConversionRow(from_stage, onward[0], int(entered or 0), int(got or 0)))
        return rows

    def stage_durations(self, start: datetime | None, end: datetime | None, scope: Scope) -> list[StageDuration]:
        """Completed stays per stage: a stay runs from a change into the stage to the next change.
        Stays are counted when they ended in [start, end)."""
        if start is not None:
            return self._stays_ended_since(start, end, scope)
        nxt = fn.LEAD(StageChangeRow.changed_at).over(
            partition_by=[StageChangeRow.opportunity], order_by=[StageChangeRow.changed_at, StageChangeRow.id]
        )
        stays = (
            StageChangeRow.select(
                StageChangeRow.opportunity.alias("opp"), StageChangeRow.to_stage.alias("stage"),
                StageChangeRow.changed_at.alias("entered"), nxt.alias("left"),
            ).alias("stays")
        )
        duration = timestamp_days(stays.c.left, stays.c.entered)
        query = (
            OpportunityRow.select(stays.c.stage, fn.COUNT(OpportunityRow.id), fn.SUM(duration))
            .join(stays, on=(stays.c.opp == OpportunityRow.id))
            .switch(OpportunityRow)
            .join(Owner, on=(OpportunityRow.owner == Owner.id))
            .where(stays.c.left.is_null(False))
            .group_by(stays.c.stage)
        )
        if start is not None:
            query = query.where(stays.c.left >= start)
        if end is not None:
            query = query.where(stays.c.left < end)
        return [StageDuration(s, int(n), float(d or 0)) for s, n, d in scoped(query, scope).tuples()]

    def _stays_ended_since(self, start: datetime, end: datetime | None, scope: Scope) -> list[StageDuration]:
        """The same stays, found from the changes that ended them (read from the changed_at index) and the
        change before each (read from the (opportunity, changed_at) index): no pass over the whole history."""
        ended = StageChangeRow.alias("an_ended")
        before = StageChangeRow.alias("an_before")
        entered = (before.select(fn.MAX(before.changed_at))
                   .where((before.opportunity == ended.opportunity) & (before.changed_at <= ended.changed_at)
                          & ((before.changed_at < ended.changed_at) | (before.id < ended.id))))
        window = (ended.changed_at >= start) & ended.from_stage.is_null(False)
        if end is not None:
            window &= ended.changed_at < end
        # one correlated lookup per stay: a materialized CTE, so the planner does not repeat it per use
        stays = (ended.select(ended.opportunity.alias("opp"), ended.from_stage.alias("stage"),
                              timestamp_days(ended.changed_at, entered).alias("days"))
                 .where(window).cte("stays", materialized=True))
        query = (
            OpportunityRow.select(stays.c.stage, fn.COUNT(stays.c.days), fn.SUM(stays.c.days))
            .join(stays, on=(stays.c.opp == OpportunityRow.id))
            .switch(OpportunityRow)
            .join(Owner, on=(OpportunityRow.owner == Owner.id))
            .where(stays.c.days.is_null(False))
            .group_by(stays.c.stage)
            .with_cte(stays)
        )
        return [StageDuration(s, int(n), float(d or 0)) for s, n, d in scoped(query, scope).tuples()]

    def stage_moves_between(self, start: datetime, end: datetime, order: dict[str, int], scope: Scope) -> tuple[int, int]:
        """(forward moves, backward moves) recorded in [start, end)."""
        case_from = Case(StageChangeRow.from_stage, tuple(order.items()), 0)
        case_to = Case(StageChangeRow.to_stage, tuple(order.items()), 0)
        query = (
            StageChangeRow.select(
                fn.SUM(Case(None, ((case_to > case_from, 1),), 0)), fn.SUM(Case(None, ((case_to < case_from, 1),), 0))
            )
            .join(OpportunityRow, on=(StageChangeRow.opportunity == OpportunityRow.id))
            .join(Owner, on=(OpportunityRow.owner == Owner.id))
            .where(StageChangeRow.from_stage.is_null(False) & (StageChangeRow.changed_at >= start)
                   & (StageChangeRow.changed_at < end))
        )
        forward, backward = scoped(query, scope).tuples().first() or (0, 0)
        return int(forward or 0), int(backward or 0)

    def created_between(self, start: datetime, end: datetime, scope: Scope) -> tuple[int, int]:
        query = _opportunities(fn.COUNT(OpportunityRow.id), fn.COALESCE(fn.SUM(OpportunityRow.value_cents), 0)).where(
            (OpportunityRow.created_at >= start) & (OpportunityRow.created_at < end)
        )
        count, value = scoped(query, scope).tuples().first() or (0, 0)
        return int(count or 0), int(value or 0)

    # -- breakdowns -------------------------------------------------------------------------

    def _outcome_columns(self, won: str, lost: str, open_stages: list[str], value):
        is_won, is_lost = OpportunityRow.stage == won, OpportunityRow.stage == lost
        is_open = OpportunityRow.stage.in_(open_stages)
        return (
            fn.SUM(Case(None, ((is_won, 1),), 0)), fn.SUM(Case(None, ((is_won, value),), 0)),
            fn.SUM(Case(None, ((is_lost, 1),), 0)), fn.SUM(Case(None, ((is_lost, value),), 0)),
            fn.SUM(Case(None, ((is_open, 1),), 0)), fn.SUM(Case(None, ((is_open, value),), 0)),
            fn.SUM(Case(None, ((is_open, value * OpportunityRow.probability),), 0)),
        )

    def _closed_window(self, query, won: str, lost: str, start: date | None, end: date | None):
        """Closed deals count only when closed in [start, end]; open deals always count."""
        if start is None and end is None:
            return query
        closed = OpportunityRow.stage.in_([won, lost])
        window = OpportunityRow.actual_close_date.is_null(False)
        if start is not None:
            window = window & (OpportunityRow.actual_close_date >= start)
        if end is not None:
            window = window & (OpportunityRow.actual_close_date <= end)
        return query.where(~closed | window)

    def breakdown(self, dimension: str, won: str, lost: str, open_stages: list[str], start: date | None,
                  end: date | None, scope: Scope) -> list[Breakdown]:
        """Won/lost/open counts and values grouped by `dimension`:
        reason (lost reason), source, rep (owner login), product (by line item totals), competitor."""
        if dimension == "product":
            value = LineItemRow.total_cents
            key = ProductRow.name
            query = (
                LineItemRow.select(key, *self._outcome_columns(won, lost, open_stages, value))
                .join(ProductRow, on=(LineItemRow.product == ProductRow.id))
                .switch(LineItemRow)
                .join(OpportunityRow, on=(LineItemRow.opportunity == OpportunityRow.id))
                .join(Owner, on=(OpportunityRow.owner == Owner.id))
            )
            count_deals = True
        else:
            value = OpportunityRow.value_cents
            count_deals = False
            if dimension == "reason":
                key = fn.COALESCE(OpportunityRow.lost_reason, "")
                query = _opportunities(key, *self._outcome_columns(won, lost, open_stages, value))
            elif dimension == "source":
                key = fn.COALESCE(OpportunityRow.source, "")
                query = _opportunities(key, *self._outcome_columns(won, lost, open_stages, value))
            elif dimension == "rep":
                key = Owner.login
                query = _opportunities(key, *self._outcome_columns(won, lost, open_stages, value))
            elif dimension == "competitor":
                key = CompetitorRow.name
                query = (
                    OpportunityCompetitorRow.select(key, *self._outcome_columns(won, lost, open_stages, value))
                    .join(CompetitorRow, on=(OpportunityCompetitorRow.competitor == CompetitorRow.id))
                    .switch(OpportunityCompetitorRow)
                    .join(OpportunityRow, on=(OpportunityCompetitorRow.opportunity == OpportunityRow.id))
                    .join(Owner, on=(OpportunityRow.owner == Owner.id))
                )
            else:
                raise ValueError(f"unknown breakdown {dimension!r}")
        query = self._closed_window(scoped(query, scope), won, lost, start, end).group_by(key)
        rows = [
            Breakdown(str(k or ""), int(a or 0), int(b or 0), int(c or 0), int(d or 0), int(e or 0), int(f or 0), int(g or 0))
            for k, a, b, c, d, e, f, g in query.tuples()
        ]
        if count_deals:
            # values come from line items, but a deal with two lines of one product counts once
            deals = self._product_deal_counts(won, lost, open_stages, start, end, scope)
            rows = [
                replace(r, won_count=w, lost_count=lo, open_count=o)
                for r in rows
                for w, lo, o in [deals.get(r.key, (0, 0, 0))]
            ]
        return rows

    def _product_deal_counts(self, won, lost, open_stages, start, end, scope) -> dict[str, tuple[int, int, int]]:
        pairs = (
            LineItemRow.select(LineItemRow.product, LineItemRow.opportunity).distinct().alias("pairs")
        )
        is_won, is_lost = OpportunityRow.stage == won, OpportunityRow.stage == lost
        is_open = OpportunityRow.stage.in_(open_stages)
        query = (
            OpportunityRow.select(
                ProductRow.name, fn.SUM(Case(None, ((is_won, 1),), 0)), fn.SUM(Case(None, ((is_lost, 1),), 0)),
                fn.SUM(Case(None, ((is_open, 1),), 0)),
            )
            .join(pairs, on=(pairs.c.opportunity_id == OpportunityRow.id))
            .join(ProductRow, on=(ProductRow.id == pairs.c.product_id))
            .switch(OpportunityRow)
            .join(Owner, on=(OpportunityRow.owner == Owner.id))
        )
        query = self._closed_window(scoped(query, scope), won, lost, start, end).group_by(ProductRow.name)
        return {name: (int(a or 0), int(b or 0), int(c or 0)) for name, a, b, c in query.tuples()}

    # -- leads ------------------------------------------------------------------------------

    def sources(self, won: str, start: datetime | None, end: datetime | None, scope: Scope) -> list[SourceLine]:
        """Per lead source: leads created in [start, end), converted to an opportunity, the won
        value of those opportunities, the recorded cost, and response times."""
        converted = LeadRow.converted_opportunity.is_null(False)
        won_opp = OpportunityRow.stage == won
        response = timestamp_hours(LeadRow.first_response_at, LeadRow.created_at)
        query = (
            LeadRow.select(
                LeadRow.source, fn.COUNT(LeadRow.id), fn.SUM(Case(None, ((converted, 1),), 0)),
                fn.SUM(Case(None, ((won_opp, 1),), 0)),
                fn.SUM(Case(None, ((won_opp, OpportunityRow.value_cents),), 0)),
                fn.SUM(Case(None, ((LeadRow.first_response_at.is_null(False), response),), 0)),
                fn.SUM(Case(None, ((LeadRow.first_response_at.is_null(False), 1),), 0)),
            )
            .join(OpportunityRow, JOIN.LEFT_OUTER, on=(LeadRow.converted_opportunity == OpportunityRow.id))
            .switch(LeadRow)
            .join(LeadOwner, JOIN.LEFT_OUTER, on=(LeadRow.owner == LeadOwner.id))
            .group_by(LeadRow.source)
        )
        query = _leads_in(query, start, end, scope)
        costs = dict(LeadSourceRow.select(LeadSourceRow.name, LeadSourceRow.cost_cents).tuples())
        return [
            SourceLine(s or "", int(n), int(c or 0), int(wc or 0), int(wv or 0), costs.get(s), float(h or 0), int(r or 0))
            for s, n, c, wc, wv, h, r in query.tuples()
        ]

    # -- reps ---------------------------------------------------------------------------------

    def reps(self, scope: Scope, roles: tuple[str, ...] = ("rep",)) -> list[RepProfile]:
        Manager = UserRow.alias("rep_manager")
        query = (
            UserRow.select(UserRow.id, UserRow.login, UserRow.display_name, fn.COALESCE(Manager.login, ""),
                           UserRow.team, UserRow.region, UserRow.role)
            .join(Manager, JOIN.LEFT_OUTER, on=(UserRow.manager == Manager.id))
            .where(UserRow.role.in_(roles) & (UserRow.active == True))  # noqa: E712
            .order_by(UserRow.login)
        )
        if scope.owners:
            query = query.where(UserRow.login.in_(scope.owners))
        if scope.team:
            query = query.where(UserRow.team == scope.team)
        return [RepProfile(*row) for row in query.tuples()]

    def activities_by_user(self, start: datetime, end: datetime) -> dict[int, int]:
        """Completed activities (not system stage changes) per creator in [start, end)."""
        query = (
            ActivityRow.select(ActivityRow.created_by, fn.COUNT(ActivityRow.id))
            .where(ActivityRow.created_by.is_null(False) & ActivityRow.completed_at.is_null(False)
                   & (ActivityRow.kind != "stage_change")
                   & (ActivityRow.completed_at >= start) & (ActivityRow.completed_at < end))
            .group_by(ActivityRow.created_by)
        )
        return {int(u): int(n) for u, n in query.tuples()}

    def lead_response_by_owner(self, start: datetime | None, end: datetime | None) -> dict[int, tuple[float, int]]:
        """(sum of hours from creation to first response, leads responded) per lead owner."""
        hours = timestamp_hours(LeadRow.first_response_at, LeadRow.created_at)
        query = (
            LeadRow.select(LeadRow.owner, fn.SUM(hours), fn.COUNT(LeadRow.id))
            .where(LeadRow.owner.is_null(False) & LeadRow.first_response_at.is_null(False))
            .group_by(LeadRow.owner)
        )
        if start is not None:
            query = query.where(LeadRow.created_at >= start)
        if end is not None:
            query = query.where(LeadRow.created_at < end)
        return {int(u): (float(h or 0), int(n)) for u, h, n in query.tuples()}

    def lead_response(self, start: datetime | None, end: datetime | None, scope: Scope,
                      min_score: int | None = None) -> tuple[float, int]:
        """(sum of hours from creation to first response, leads responded) for leads created in
        [start, end), optionally only those scored at least `min_score`."""
        hours = timestamp_hours(LeadRow.first_response_at, LeadRow.created_at)
        query = (
            LeadRow.select(fn.SUM(hours), fn.COUNT(LeadRow.id))
            .join(LeadOwner, JOIN.LEFT_OUTER, on=(LeadRow.owner == LeadOwner.id))
            .where(LeadRow.first_response_at.is_null(False))
        )
        if min_score is not None:
            query = query.where(LeadRow.score >= min_score)
        total, count = _leads_in(query, start, end, scope).tuples().first() or (0, 0)
        return float(total or 0), int(count or 0)

    def lead_scores(self, start: datetime, end: datetime) -> tuple[int, int]:
        """(sum of scores, leads) for leads created in [start, end)."""
        total, count = (
            LeadRow.select(fn.SUM(LeadRow.score), fn.COUNT(LeadRow.id))
            .where((LeadRow.created_at >= start) & (LeadRow.created_at < end))
            .tuples().first() or (0, 0)
        )
        return int(total or 0), int(count or 0)

    def leads_total(self, start: datetime | None, end: datetime | None, scope: Scope) -> tuple[int, int]:
        """(leads created in [start, end), of which converted to an opportunity)."""
        converted = LeadRow.converted_opportunity.is_null(False)
        query = LeadRow.select(fn.COUNT(LeadRow.id), fn.SUM(Case(None, ((converted, 1),), 0))).join(
            LeadOwner, JOIN.LEFT_OUTER, on=(LeadRow.owner == LeadOwner.id)
        )
        total, conv = _leads_in(query, start, end, scope).tuples().first() or (0, 0)
        return int(total or 0), int(conv or 0)

    # -- contracts --------------------------------------------------------------------------

    def mrr_on(self, day: date, owners: Collection[str] = (), team: str = "") -> int:
        """Monthly recurring revenue on `day`: each contract active that day (not cancelled) contributes
        its value spread evenly over its term — value / (term days / 30.4375), an average month — and
        the sum is rounded once to the cent. `owners`/`team`: only the contracts of the accounts those
        users own (every contract when neither is given)."""
        term_days = date_days(ContractRow.end_date, ContractRow.start_date) + 1
        # Value(..., converter=False): beside an integer column Peewee would otherwise turn 30.4375 into 30
        average_month = Value(30.4375, converter=False)
        query = ContractRow.select(fn.SUM(ContractRow.value_cents * average_month / term_days)).where(
            (ContractRow.start_date <= day) & (ContractRow.end_date >= day) & (ContractRow.status != "cancelled")
        )
        if owners or team:
            Scoped = UserRow.alias("mrr_owner")
            accounts = AccountRow.select(AccountRow.id).join(Scoped, on=(AccountRow.owner == Scoped.id))
            if owners:
                accounts = accounts.where(Scoped.login.in_(sorted(set(owners))))
            if team:
                accounts = accounts.where(Scoped.team == team)
            query = query.where(ContractRow.account.in_(accounts))
        value = query.scalar()
        return int(round(float(value or 0)))
