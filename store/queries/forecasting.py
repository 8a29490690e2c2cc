"""SQL for forecasting: the history stream and the landmark state, won revenue by month, the open
pipeline grouped by stage and age, history as it stood at an instant, snapshots.

Every figure is an aggregate or a stream folded as it is read: nothing here holds a Python object per deal
(the per-deal history of `deal_histories` serves only a forecast of a past instant's categories).
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from datetime import date, datetime
from types import MappingProxyType
from typing import Iterable, Iterator, Sequence

from peewee import JOIN, SQL, Case, fn

from domain.records import ForecastSnapshot
from domain.services.forecast_cohorts import (
    AGE_BUCKETS,
    HORIZONS,
    Cohort,
    Event,
    Landmark,
    OpenGroup,
    bucket_bounds,
)
from domain.services.forecast_state import AUDITED_FIELDS, NO_PRODUCTS, DealHistory, FieldMark, StageMark
from store.mapping import record_to_row_dict, row_dict_to_record
from store.models import (
    AuditRow,
    ForecastCohortBuildRow,
    ForecastCohortRow,
    ForecastSnapshotRow,
    ForecastWonProductRow,
    ForecastWonRow,
    LineItemRow,
    OpportunityRow,
    ProductRow,
    StageChangeRow,
    UserRow,
)
from store.queries.common import owned_by
from store.queries.sqltime import as_day, month_first, utc_instant

Owner = UserRow.alias("fc_owner")

# Shared by the deals without edits (most of them): read-only, one object instead of 200,000 dicts.
NO_EDITS = MappingProxyType({})


def _rows(query):
    """A query's rows as the driver gives them (no per-field conversion: the big reads are most of their
    cost in it). Timestamps and dates come back as text on SQLite: read them with `_instant` / `as_day`."""
    return query.model._meta.database.execute(query)


def _logins() -> dict[int, str]:
    """Every user's login by id (a few hundred rows: cheaper than joining each deal to its owner)."""
    return dict(_rows(UserRow.select(UserRow.id, UserRow.login)))


def _restricted(query, O, logins):
    condition = owned_by(O.owner, logins)
    return query if condition is None else query.where(condition)


def _age_bucket(column, at: datetime):
    """The AGE_BUCKETS index of a stage-entry timestamp at `at`, in SQL (comparisons only: portable)."""
    bounds = bucket_bounds(at)
    return Case(None, [(column > bound, i) for i, bound in enumerate(bounds)], len(AGE_BUCKETS))


def _undone(S, until: datetime):
    """When the win `S` was undone: the first later stage change of the same deal before `until` (or NULL)."""
    later = StageChangeRow.alias("fc_next")
    return (later.select(fn.MIN(later.changed_at))
            .where((later.opportunity == S.opportunity) & (later.changed_at >= S.changed_at) & (later.changed_at < until)
                   & ((later.changed_at > S.changed_at) | (later.id > S.id))))


def _standing_win(S, until: datetime):
    """A won stage change `S` that no later change of the same deal undid before `until`."""
    later = StageChangeRow.alias("fc_later")
    undone = later.select(later.id).where(
        (later.opportunity == S.opportunity) & (later.changed_at < until)
        & ((later.changed_at > S.changed_at) | ((later.changed_at == S.changed_at) & (later.id > S.id)))
    )
    return ~fn.EXISTS(undone)


class ForecastQueries:
    """Reached as `store.forecasting`."""

    # -- the history stream (folded by domain.services.forecast_cohorts.build) -------------------

    def history_events(self, until: datetime, *, logins: tuple[str, ...] | None = None,
                       owners: bool = False) -> Iterator[Event]:
        """Every stage change and audited value edit recorded before `until`, oldest first (a stage change
        before an edit stamped the same instant), as (at, opportunity id, owner login or "", stage or None,
        value); the owner only when `owners` (the join costs a third of the stream at 100,000 deals)."""
        S, O, A = StageChangeRow, OpportunityRow, AuditRow
        owner = Owner.login if owners else SQL("''")
        changes = S.select(S.changed_at, S.opportunity, owner, S.to_stage, S.value_cents)
        edits = A.select(A.at, A.record_id, owner, A.new_value)
        if owners:
            changes = changes.join(O, on=(S.opportunity == O.id)).join(Owner, on=(O.owner == Owner.id))
            edits = edits.join(O, on=(A.record_id == O.id)).join(Owner, on=(O.owner == Owner.id))
        changes = changes.where(S.changed_at < until).order_by(S.changed_at, S.id)
        edits = (edits.where((A.table_name == "opportunity") & (A.action == "update") & (A.field == "value_cents")
                             & (A.at < until))
                 .order_by(A.at, A.id))
        if logins is not None:
            theirs = O.select(O.id).where(owned_by(O.owner, logins))
            changes, edits = changes.where(S.opportunity.in_(theirs)), edits.where(A.record_id.in_(theirs))
        shared: dict[str, str] = {}
        db = S._meta.database

        def stage_rows() -> Iterator[tuple]:
            # a raw cursor: the stream is the whole history, and Peewee's per-field conversion is most of its cost
            for at, opp, login, stage, value in db.execute(changes):
                yield (utc_instant(at), 0, opp, shared.setdefault(login, login), shared.setdefault(stage, stage), int(value))

        def edit_rows() -> Iterator[tuple]:
            for at, opp, login, new in db.execute(edits):
                try:
                    value = int(new)
                except (TypeError, ValueError):
                    continue  # an unreadable audit value is ignored, never guessed
                yield (utc_instant(at), 1, int(opp), shared.setdefault(login, login), None, value)

        for at, _kind, opp, login, stage, value in heapq.merge(stage_rows(), edit_rows(), key=lambda e: (e[0], e[1])):
            yield (at, opp, login, stage, value)

    def latest_record(self) -> datetime | None:
        """The latest instant a stage change or a value edit was stamped with (None: no history)."""
        S, A = StageChangeRow, AuditRow
        last_change = S.select(fn.MAX(S.changed_at)).scalar()
        last_edit = (A.select(fn.MAX(A.at)).where((A.table_name == "opportunity") & (A.field == "value_cents"))
                     .scalar())
        found = [utc_instant(t) for t in (last_change, last_edit) if t is not None]
        return max(found) if found else None

    # -- the landmark state ----------------------------------------------------------------------

    def cohort_build(self) -> dict | None:
        """The last build's facts (`until`, ids and counts read, stages), or None when never built."""
        row = ForecastCohortBuildRow.select().order_by(ForecastCohortBuildRow.id.desc()).dicts().first()
        return row

    def landmarks(self) -> tuple[Landmark, ...]:
        F = ForecastCohortRow
        found: dict[date, list[Cohort]] = defaultdict(list)
        for row in _rows(F.select().order_by(F.landmark, F.stage, F.bucket)):
            (_id, day, stage, bucket, deals, value, value_sq, d1, c1, d2, c2, d3, c3) = row
            found[as_day(day)].append(Cohort(stage, int(bucket), int(deals), int(value), float(value_sq),
                                             (d1, d2, d3)[:HORIZONS], (c1, c2, c3)[:HORIZONS]))
        return tuple(Landmark(day, tuple(cohorts)) for day, cohorts in sorted(found.items()))

    def data_version(self) -> tuple:
        """What changes whenever anything a forecast reads changes: the highest id and the row count of the
        stage history, the audit log (every edit and assignment), the deals, their line items, quotas and
        snapshots. Read from the primary keys only."""
        from store.models import LineItemRow, QuotaRow

        out = []
        for model in (StageChangeRow, AuditRow, OpportunityRow, LineItemRow, QuotaRow, ForecastSnapshotRow):
            # apart: MAX(id) alone is one index step, COUNT(*) alone the smallest index; together a scan
            out.append(model.select(fn.MAX(model.id)).scalar())
            out.append(model.select(fn.COUNT(SQL("*"))).scalar())
        return tuple(out)

    def history_marks(self) -> tuple[int, int, int]:
        """(max stage_change id, stage_change rows, max audit_log id) now."""
        S, A = StageChangeRow, AuditRow
        return (int(S.select(fn.MAX(S.id)).scalar() or 0), int(S.select(fn.COUNT(SQL("*"))).scalar() or 0),
                int(A.select(fn.MAX(A.id)).scalar() or 0))

    def recorded_since(self, stage_change_id: int, audit_id: int) -> tuple[datetime | None, int, bool]:
        """(the earliest instant stamped on a stage change or value edit added after these ids — None: none,
        how many stage changes were added after `stage_change_id`, whether a deal changed owner since)."""
        S, A = StageChangeRow, AuditRow
        change, added = S.select(fn.MIN(S.changed_at), fn.COUNT(S.id)).where(S.id > stage_change_id).tuples().first()
        newer = (A.id > audit_id) & (A.table_name == "opportunity")
        edit = A.select(fn.MIN(A.at)).where(newer & (A.field == "value_cents")).scalar()
        moved = A.select(A.id).where(newer & A.field.in_(["owner", "owner_id"])).exists()
        found = [utc_instant(t) for t in (change, edit) if t is not None]
        return (min(found) if found else None), int(added or 0), bool(moved)

    def save_state(self, landmarks: Sequence[Landmark], won: Sequence[tuple], products: Sequence[tuple],
                   build: dict) -> None:
        """Replace the forecast state (one transaction: a reader sees the old state or the new one)."""
        F, W, P = ForecastCohortRow, ForecastWonRow, ForecastWonProductRow
        rows = []
        for landmark in landmarks:
            for c in landmark.cohorts:
                rows.append({
                    "landmark": landmark.start, "stage": c.stage, "bucket": c.bucket, "deals": c.deals,
                    "value_cents": c.value_cents, "value_sq": c.value_sq,
                    "won1_deals": c.won_deals[0], "won1_cents": c.won_cents[0],
                    "won2_deals": c.won_deals[1], "won2_cents": c.won_cents[1],
                    "won3_deals": c.won_deals[2], "won3_cents": c.won_cents[2],
                })
        won_rows = [{"month": m, "same_month": int(same), "undone": u, "owner": o, "cents": v} for m, same, u, o, v in won]
        product_rows = [{"month": m, "undone": u, "product": p, "cents": v} for m, u, p, v in products]
        with F._meta.database.atomic():
            for model in (F, W, P, ForecastCohortBuildRow):
                model.delete().execute()
            for model, batch in ((F, rows), (W, won_rows), (P, product_rows)):
                for start in range(0, len(batch), 500):
                    model.insert_many(batch[start:start + 500]).execute()
            ForecastCohortBuildRow.insert(**build).execute()

    def won_state(self) -> tuple[list[tuple[date, bool, date | None, str, int]], list[tuple[date, date | None, str, int]]]:
        """The stored won table and its product split (see `won_table`, `won_products`)."""
        W, P = ForecastWonRow, ForecastWonProductRow
        days: dict = {}

        def day(value):
            if value not in days:
                days[value] = as_day(value)
            return days[value]

        won = [(day(m), bool(same), day(u), owner, int(v))
               for m, same, u, owner, v in _rows(W.select(W.month, W.same_month, W.undone, W.owner, W.cents))]
        products = [(day(m), day(u), name, int(v))
                    for m, u, name, v in _rows(P.select(P.month, P.undone, P.product, P.cents))]
        return won, products

    def won_since(self, since: datetime, until: datetime, won_stage: str) -> tuple[list[tuple], list[tuple]]:
        """What stage changes recorded in [since, until) change in the stored won table: their wins, and
        the wins recorded before `since` they undo (taken out as standing, put back as undone that month)."""
        S, O, L = StageChangeRow, OpportunityRow, LineItemRow
        won_month, undone_month = month_first(S.changed_at), month_first(_undone(S, until))
        same = Case(None, [(month_first(O.created_at) == won_month, 1)], 0)
        fresh = ((S.to_stage == won_stage) & (S.changed_at >= since) & (S.changed_at < until))
        won = [(as_day(w), bool(n), as_day(u), login, int(v)) for w, n, u, login, v in
               S.select(won_month, same, undone_month, Owner.login, S.value_cents)
               .join(O, on=(S.opportunity == O.id)).join(Owner, on=(O.owner == Owner.id)).where(fresh).tuples()]
        products = [(as_day(w), as_day(u), name, int(v or 0)) for w, u, name, v in
                    S.select(won_month, undone_month, ProductRow.name, fn.SUM(L.total_cents))
                    .join(L, on=(L.opportunity == S.opportunity)).join(ProductRow, on=(L.product == ProductRow.id))
                    .where(fresh).group_by(won_month, undone_month, ProductRow.name).tuples()]
        products += [(as_day(w), as_day(u), NO_PRODUCTS, int(v or 0)) for w, u, v in
                     S.select(won_month, undone_month, S.value_cents)
                     .where(fresh & S.opportunity.not_in(L.select(L.opportunity))).tuples()]
        # wins recorded before `since` undone since: the change that left the won stage, and the win it undid
        undo = StageChangeRow.alias("fc_undo")
        win = StageChangeRow.alias("fc_undone_win")
        undos = (undo.select(undo.opportunity, undo.changed_at).where(
            (undo.from_stage == won_stage) & (undo.to_stage != won_stage) & (undo.changed_at >= since)
            & (undo.changed_at < until)))
        for opp, at in undos.tuples():
            found = (win.select(win.changed_at, win.value_cents, O.created_at, Owner.login)
                     .join(O, on=(win.opportunity == O.id)).join(Owner, on=(O.owner == Owner.id))
                     .where((win.opportunity == opp) & (win.to_stage == won_stage) & (win.changed_at <= at))
                     .order_by(win.changed_at.desc(), win.id.desc()).tuples().first())
            if found is None or utc_instant(found[0]) >= since:
                continue  # its win is among the fresh ones (their undone month already says so)
            won_at, value, created, login = utc_instant(found[0]), int(found[1]), utc_instant(found[2]), found[3]
            month, gone = won_at.date().replace(day=1), utc_instant(at).date().replace(day=1)
            new = created.date().replace(day=1) == month
            won += [(month, new, None, login, -value), (month, new, gone, login, value)]
            split = (L.select(ProductRow.name, fn.SUM(L.total_cents)).join(ProductRow, on=(L.product == ProductRow.id))
                     .where(L.opportunity == opp).group_by(ProductRow.name).tuples())
            for name, total in list(split) or [(NO_PRODUCTS, value)]:
                products += [(month, None, name, -int(total or 0)), (month, gone, name, int(total or 0))]
        return won, products

    # -- won revenue ---------------------------------------------------------------------------------

    def won_table(self, until: datetime, won_stage: str, *,
                  logins: tuple[str, ...] | None = None) -> list[tuple[date, bool, date | None, str, int]]:
        """Wins recorded before `until`, summed by (month won, whether the deal was created that same month,
        month the win was undone — the deal's next stage change before `until` — or None, owner login): a win
        is the stage change into the won stage at the value recorded with it. A deal won without one
        (imported as won) counts at its close date. From these, the won revenue as it stood on any month's
        1st up to `until`, by rep."""
        S, O = StageChangeRow, OpportunityRow
        won_month, undone_month = month_first(S.changed_at), month_first(_undone(S, until))
        same = Case(None, [(month_first(O.created_at) == won_month, 1)], 0)
        query = (S.select(won_month, same, undone_month, Owner.login, fn.SUM(S.value_cents))
                 .join(O, on=(S.opportunity == O.id)).join(Owner, on=(O.owner == Owner.id))
                 .where((S.to_stage == won_stage) & (S.changed_at < until))
                 .group_by(won_month, same, undone_month, Owner.login))
        out = [(as_day(w), bool(n), as_day(u), login, int(v))
               for w, n, u, login, v in _restricted(query, O, logins).tuples()]
        recorded = StageChangeRow.alias("fc_won_change")
        closed_month = month_first(O.actual_close_date)
        same = Case(None, [(month_first(O.created_at) == closed_month, 1)], 0)
        unrecorded = (O.select(closed_month, same, Owner.login, fn.SUM(O.value_cents))
                      .join(Owner, on=(O.owner == Owner.id))
                      .where((O.stage == won_stage) & O.actual_close_date.is_null(False)
                             & (O.actual_close_date < until.date())
                             & O.id.not_in(recorded.select(recorded.opportunity).where(recorded.to_stage == won_stage)))
                      .group_by(closed_month, same, Owner.login))
        out += [(as_day(w), bool(n), None, login, int(v))
                for w, n, login, v in _restricted(unrecorded, O, logins).tuples()]
        return out

    def won_products(self, since: date, until: datetime, won_stage: str, *,
                     logins: tuple[str, ...] | None = None) -> list[tuple[date, date | None, str, int]]:
        """(month won, month undone or None, product, Σ line totals) of the wins recorded in [since, until),
        and (…, NO_PRODUCTS, value) of those without line items: what splits won value by product (as each
        deal's line items are now)."""
        S, O, L = StageChangeRow, OpportunityRow, LineItemRow
        won_month, undone_month = month_first(S.changed_at), month_first(_undone(S, until))
        query = (S.select(won_month, undone_month, ProductRow.name, fn.SUM(L.total_cents))
                 .join(O, on=(S.opportunity == O.id)).join(L, on=(L.opportunity == O.id))
                 .join(ProductRow, on=(L.product == ProductRow.id))
                 .where((S.to_stage == won_stage) & (S.changed_at >= since) & (S.changed_at < until))
                 .group_by(won_month, undone_month, ProductRow.name))
        out = [(as_day(w), as_day(u), name, int(v or 0)) for w, u, name, v in _restricted(query, O, logins).tuples()]
        bare = (S.select(won_month, undone_month, fn.SUM(S.value_cents)).join(O, on=(S.opportunity == O.id))
                .where((S.to_stage == won_stage) & (S.changed_at >= since) & (S.changed_at < until)
                       & O.id.not_in(L.select(L.opportunity)))
                .group_by(won_month, undone_month))
        out += [(as_day(w), as_day(u), NO_PRODUCTS, int(v or 0)) for w, u, v in _restricted(bare, O, logins).tuples()]
        return out

    def won_split(self, start: datetime, end: datetime, until: datetime, won_stage: str, *,
                  logins: tuple[str, ...] | None = None) -> tuple[dict[str, int], dict[str, float]]:
        """The wins standing at `until` won in [start, end) (any days): value by owner login, and by product
        (each win split by its line items' totals, as the deal's line items are now)."""
        S, O = StageChangeRow, OpportunityRow
        window = (S.to_stage == won_stage) & (S.changed_at >= start) & (S.changed_at < min(end, until)) \
            & _standing_win(S, until)
        by_owner = (S.select(Owner.login, fn.SUM(S.value_cents)).join(O, on=(S.opportunity == O.id))
                    .join(Owner, on=(O.owner == Owner.id)).where(window).group_by(Owner.login))
        owners = {login: int(v) for login, v in _restricted(by_owner, O, logins).tuples()}
        totals = (LineItemRow.select(LineItemRow.opportunity.alias("opp"), fn.SUM(LineItemRow.total_cents).alias("total"))
                  .group_by(LineItemRow.opportunity).alias("fc_lines"))
        L = LineItemRow
        share = fn.SUM(S.value_cents * 1.0 * L.total_cents / totals.c.total)
        by_product = (S.select(ProductRow.name, share).join(O, on=(S.opportunity == O.id))
                      .join(L, on=(L.opportunity == O.id)).join(ProductRow, on=(L.product == ProductRow.id))
                      .join(totals, on=(totals.c.opp == O.id)).where(window & (totals.c.total > 0))
                      .group_by(ProductRow.name))
        products = {name: float(v or 0) for name, v in _restricted(by_product, O, logins).tuples()}
        split = sum(products.values())
        if sum(owners.values()) - split > 0.5:
            products[NO_PRODUCTS] = sum(owners.values()) - split
        return owners, products

    # -- the open pipeline now, grouped ------------------------------------------------------------

    def category_lines(self, start: date, end: date, today: date, open_stages: Iterable[str], *,
                       logins: tuple[str, ...] | None = None) -> list[tuple[str, str, int, int, int, int, int]]:
        """(owner login, forecast category, deals, value, Σ value × probability, overdue deals, overdue value)
        of the open deals expected to close in [start, end] — and, when the period holds `today`, of every
        overdue one (expected before today, still open): an overdue deal counts in the current period."""
        O = OpportunityRow
        due = O.expected_close_date
        window = (due <= end) if start <= today <= end else ((due >= max(start, today)) & (due <= end))
        overdue = Case(None, [(due < today, 1)], 0)
        query = (O.select(O.owner, O.forecast_category, fn.COUNT(O.id), fn.SUM(O.value_cents),
                          fn.SUM(O.value_cents * O.probability), fn.SUM(overdue), fn.SUM(overdue * O.value_cents))
                 .where(O.stage.in_(list(open_stages)) & window)
                 .group_by(O.owner, O.forecast_category))
        names = _logins()
        return [(names.get(owner, ""), category, int(n), int(v or 0), int(w or 0), int(od or 0), int(ov or 0))
                for owner, category, n, v, w, od, ov in _rows(_restricted(query, O, logins))]

    def open_groups(self, at: datetime, open_stages: Iterable[str], *,
                    logins: tuple[str, ...] | None = None) -> tuple[OpenGroup, ...]:
        """The deals open now by owner, stage and age in stage at `at`: count, value, Σ value²."""
        O = OpportunityRow
        bucket = _age_bucket(O.stage_entered_at, at)
        query = (O.select(O.owner, O.stage, bucket, fn.COUNT(O.id), fn.SUM(O.value_cents),
                          fn.SUM(O.value_cents * 1.0 * O.value_cents))
                 .where(O.stage.in_(list(open_stages)))
                 .group_by(O.owner, O.stage, bucket))
        names = _logins()
        rows = sorted((names.get(owner, ""), stage, int(b), int(n), int(v), float(sq))
                      for owner, stage, b, n, v, sq in _rows(_restricted(query, O, logins)))
        return tuple(OpenGroup(*row) for row in rows)

    def line_shares(self, ids: Sequence[int]) -> dict[int, tuple[tuple[str, float], ...]]:
        """Each deal's (product, share of its line items' total), as the line items are now."""
        L = LineItemRow
        found: dict[int, list[tuple[str, int]]] = defaultdict(list)
        wanted = sorted(set(ids))
        for start in range(0, len(wanted), 900):
            query = (L.select(L.opportunity, ProductRow.name, L.total_cents).join(ProductRow, on=(L.product == ProductRow.id))
                     .where(L.opportunity.in_(wanted[start:start + 900])).order_by(L.opportunity, L.id))
            for opp, name, total in query.tuples():
                found[int(opp)].append((name, int(total)))
        out = {}
        for opp, lines in found.items():
            total = sum(t for _, t in lines)
            if total > 0:
                out[opp] = tuple((name, t / total) for name, t in lines)
        return out

    def open_products(self, at: datetime, open_stages: Iterable[str], *,
                      logins: tuple[str, ...] | None = None) -> list[tuple[str, str, int, float]]:
        """(product, stage, age bucket, Σ line totals) of the deals open now, and (NO_PRODUCTS, stage, bucket,
        value) of those without line items: each group's forecast is split by its line items' totals."""
        O, L = OpportunityRow, LineItemRow
        bucket = _age_bucket(O.stage_entered_at, at)
        split = (O.select(ProductRow.name, O.stage, bucket, fn.SUM(L.total_cents))
                 .join(L, on=(L.opportunity == O.id)).join(ProductRow, on=(L.product == ProductRow.id))
                 .where(O.stage.in_(list(open_stages)))
                 .group_by(ProductRow.name, O.stage, bucket))
        out = [(name, stage, int(b), float(v or 0)) for name, stage, b, v in _rows(_restricted(split, O, logins))]
        bare = (O.select(O.stage, bucket, fn.SUM(O.value_cents))
                .where(O.stage.in_(list(open_stages)) & O.id.not_in(L.select(L.opportunity)))
                .group_by(O.stage, bucket))
        out += [(NO_PRODUCTS, stage, int(b), float(v or 0)) for stage, b, v in _restricted(bare, O, logins).tuples()]
        return out

    # -- a past instant, deal by deal (its categories only) --------------------------------------------------------------

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
