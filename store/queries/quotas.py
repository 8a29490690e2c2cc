"""Quota and won-revenue aggregates for attainment figures."""

from __future__ import annotations

from datetime import date

from peewee import fn

from store.models import OpportunityRow, QuotaRow, UserRow


def quota_total(period: str, period_start: date, logins: tuple[str, ...] = (), role: str | None = "rep") -> int:
    """Sum of quotas for the period; by default reps only (managers' quotas roll up theirs)."""
    query = (
        QuotaRow.select(fn.COALESCE(fn.SUM(QuotaRow.amount_cents), 0))
        .join(UserRow)
        .where((QuotaRow.period == period) & (QuotaRow.period_start == period_start))
    )
    if logins:
        query = query.where(UserRow.login.in_(logins))
    elif role:
        query = query.where(UserRow.role == role)
    return int(query.scalar() or 0)


def won_between(won_stage: str, start: date, end: date, logins: tuple[str, ...] = ()) -> tuple[int, int]:
    """(count, value) of deals won with an actual close date in [start, end]."""
    query = (
        OpportunityRow.select(fn.COUNT(OpportunityRow.id), fn.COALESCE(fn.SUM(OpportunityRow.value_cents), 0))
        .join(UserRow, on=(OpportunityRow.owner == UserRow.id))
        .where(
            (OpportunityRow.stage == won_stage)
            & (OpportunityRow.actual_close_date >= start)
            & (OpportunityRow.actual_close_date <= end)
            & OpportunityRow.archived_at.is_null()
        )
    )
    if logins:
        query = query.where(UserRow.login.in_(logins))
    count, value = query.tuples().first()
    return int(count), int(value or 0)


def quota_by_login(period: str, period_start: date) -> dict[str, int]:
    """Each user's quota for the period, by login (one grouped query instead of one per user)."""
    query = (
        QuotaRow.select(UserRow.login, fn.SUM(QuotaRow.amount_cents))
        .join(UserRow)
        .where((QuotaRow.period == period) & (QuotaRow.period_start == period_start))
        .group_by(UserRow.login)
    )
    return {login: int(total or 0) for login, total in query.tuples()}


def won_by_login(won_stage: str, start: date, end: date) -> dict[str, int]:
    """Value won with an actual close date in [start, end], by owner's login."""
    query = (
        OpportunityRow.select(UserRow.login, fn.SUM(OpportunityRow.value_cents))
        .join(UserRow, on=(OpportunityRow.owner == UserRow.id))
        .where((OpportunityRow.stage == won_stage) & (OpportunityRow.actual_close_date >= start)
               & (OpportunityRow.actual_close_date <= end) & OpportunityRow.archived_at.is_null())
        .group_by(UserRow.login)
    )
    return {login: int(total or 0) for login, total in query.tuples()}
