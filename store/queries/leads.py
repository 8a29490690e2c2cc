"""Lead lists and lead-source figures."""

from __future__ import annotations

from datetime import datetime

from peewee import JOIN, Case, fn

from domain.filters import LeadFilter
from domain.views import LeadItem
from store.models import LeadRow, UserRow
from store.queries.common import Page, any_contains, owned_by, page_of

Owner = UserRow.alias("lead_owner")

# "New first": the status order a manager reviews leads in.
STATUS_ORDER = (("new", 0), ("contacted", 1), ("qualified", 2), ("unqualified", 3), ("converted", 4))
STATUS_RANK = Case(LeadRow.status, STATUS_ORDER, 5)

SORT_COLUMNS = {
    "id": LeadRow.id,
    "name": LeadRow.name,
    "company": LeadRow.company,
    "source": LeadRow.source,
    "status": STATUS_RANK,
    "score": LeadRow.score,
    "owner": Owner.login,
    "created": LeadRow.created_at,
}


def _base(columns):
    return LeadRow.select(*columns).join(Owner, JOIN.LEFT_OUTER, on=(LeadRow.owner == Owner.id))


def _counting(columns, flt: LeadFilter):
    """A query for counts: the owner joined only when the filter reads the owner's login."""
    return _base(columns) if flt.owners else LeadRow.select(*columns)


def _where(query, flt: LeadFilter):
    query = _visible(query, flt.visible_owners, flt.visible_unassigned)
    if not flt.archived:
        query = query.where(LeadRow.archived_at.is_null())
    if flt.statuses:
        query = query.where(LeadRow.status.in_([s.value for s in flt.statuses]))
    if flt.sources:
        query = query.where(LeadRow.source.in_(flt.sources))
    if flt.owners:
        query = query.where(Owner.login.in_(flt.owners))
    if flt.unassigned:
        query = query.where(LeadRow.owner.is_null())
    if flt.flagged is not None:
        query = query.where(LeadRow.flagged == flt.flagged)
    if flt.text:
        query = query.where(any_contains(flt.text, LeadRow.name, LeadRow.company, LeadRow.email))
    return query


def count(flt: LeadFilter) -> int:
    return _where(_counting([fn.COUNT(LeadRow.id)], flt), flt).scalar() or 0


def _item(r: dict) -> LeadItem:
    return LeadItem(
        id=r["id"], name=r["name"], company=r["company"], email=r["email"], phone=r["phone"],
        source=r["source"], status=r["status"], score=r["score"], owner_login=r["owner_login"],
        flagged=r["flagged"], flag_reason=r["flag_reason"], created_at=r["created_at"],
        first_response_at=r["first_response_at"], version=r["version"],
    )


def _columns():
    return [LeadRow, fn.COALESCE(Owner.login, "").alias("owner_login")]


def page(flt: LeadFilter, offset: int, limit: int) -> Page[LeadItem]:
    if not flt.sort:
        return _page_by_status(flt, offset, limit)
    return page_of(_where(_base(_columns()), flt), flt, offset, limit, columns=SORT_COLUMNS, default="id",
                   tiebreak=LeadRow.id, item=_item, total=lambda: count(flt))


def _page_by_status(flt: LeadFilter, offset: int, limit: int) -> Page[LeadItem]:
    """The default order — status (new first, as STATUS_RANK), then newest, then id — one status at a time.

    Sorting 50,000 leads by a CASE expression for every page costs a full sort; instead the leads are
    counted per status (one grouped query), whole statuses before `offset` are skipped, and each status
    needed is read from the (status, created_at) index in order. Same rows, same order.
    """
    counted = _where(_counting([LeadRow.status, fn.COUNT(LeadRow.id)], flt), flt).group_by(LeadRow.status)
    per_status = {status: int(n) for status, n in counted.tuples()}
    ranked = [status for status, _ in STATUS_ORDER]
    groups = [(status, LeadRow.status == status) for status in ranked]
    groups.append((None, LeadRow.status.not_in(ranked)))  # anything else sorts last, as STATUS_RANK has it
    items: list[LeadItem] = []
    skip = offset
    for status, condition in groups:
        in_group = per_status.get(status, 0) if status is not None else sum(
            n for s, n in per_status.items() if s not in ranked)
        if skip >= in_group:
            skip -= in_group
            continue
        query = (_where(_base(_columns()), flt).where(condition)
                 .order_by(LeadRow.created_at.desc(), LeadRow.id).offset(skip).limit(limit - len(items)))
        items.extend(_item(r) for r in query.dicts())
        skip = 0
        if len(items) >= limit:
            break
    return Page(items=items, offset=offset, total=sum(per_status.values()))


def _visible(query, logins: tuple[str, ...] | None, unassigned: bool):
    mine = owned_by(LeadRow.owner, logins)
    if mine is None:
        return query
    return query.where((mine | LeadRow.owner.is_null()) if unassigned else mine)


def created_since(since: datetime, logins: tuple[str, ...] | None = None, unassigned: bool = False) -> int:
    query = LeadRow.select().where((LeadRow.created_at >= since) & LeadRow.archived_at.is_null())
    return _visible(query, logins, unassigned).count()


def by_source(logins: tuple[str, ...] | None = None, unassigned: bool = False) -> list[tuple[str, int, int]]:
    """(source, leads, converted) per source, most leads first."""
    converted = fn.SUM(Case(None, ((LeadRow.status == "converted", 1),), 0))
    query = (
        _visible(LeadRow.select(LeadRow.source, fn.COUNT(LeadRow.id), converted), logins, unassigned)
        .where(LeadRow.archived_at.is_null())
        .group_by(LeadRow.source)
        .order_by(fn.COUNT(LeadRow.id).desc(), LeadRow.source)
    )
    return [(s or "(none)", int(n), int(c or 0)) for s, n, c in query.tuples()]
