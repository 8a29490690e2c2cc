"""SQL for account health, competitive intelligence and interaction insights.

Every figure here is a grouped aggregate computed by the database: no query loads all
activities, contracts or opportunities into Python to count or sum them. The definitions
(which activity kinds count, which contract statuses, the windows) are decided in
`domain/services/account_health.py` and `domain/services/interactions.py` and passed in.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from datetime import date, datetime

from peewee import JOIN, SQL, Case, NodeList, fn

from domain.facts import AccountHealthFacts, InteractionBucket, InteractionTotals, LeadResponseTotals, RepName
from domain.records import Battlecard, Competitor
from store.mapping import row_dict_to_record
from store.models import (
    AccountRow,
    ActivityRow,
    BattlecardRow,
    CompetitorRow,
    ContractRow,
    LeadRow,
    OpportunityCompetitorRow,
    OpportunityRow,
    ParticipantRow,
    UserRow,
)
from store.queries.sqltime import month_first, on_postgres, timestamp_hours, utc_instant

# How many ids go into one `IN (...)` list (well under SQLite's bound-parameter limit).
ID_CHUNK = 900


# -- small helpers ------------------------------------------------------------------------------


def _day(value) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, str):
        return date.fromisoformat(value[:10])
    return value


def _bucket(column, granularity: str):
    """The first day (UTC) of the ISO week (Monday) or calendar month holding a timestamp."""
    if granularity not in ("week", "month"):
        raise ValueError(f"granularity: 'week' or 'month', not {granularity!r}")
    if granularity == "month":
        return month_first(column)
    if on_postgres():
        return NodeList((SQL("CAST(date_trunc('week', "), column, SQL(") AS DATE)")), glue="")
    # 'weekday 0' moves forward to Sunday (or stays on one); six days back is that week's Monday.
    return fn.date(column, "weekday 0", "-6 days")


def _chunks(ids: list[int], size: int = ID_CHUNK) -> Iterable[list[int]]:
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _account_scope(account_ids: Collection[int] | None, owners: Collection[str], team: str):
    """A function column -> condition restricting an account-id column to the accounts in scope."""
    if account_ids is not None:
        ids = sorted(set(account_ids))
        return lambda column: column.in_(ids)
    if owners or team:
        Scoped = UserRow.alias("scope_owner")
        sub = AccountRow.select(AccountRow.id).join(Scoped, on=(AccountRow.owner == Scoped.id))
        if owners:
            sub = sub.where(Scoped.login.in_(list(owners)))
        if team:
            sub = sub.where(Scoped.team == team)
        return lambda column: column.in_(sub)
    return lambda column: column.is_null(False)


def _users_in(logins: Collection[str], team: str):
    """A subquery of user ids (by login and/or team), or None when neither is given."""
    if not logins and not team:
        return None
    sub = UserRow.select(UserRow.id)
    if logins:
        sub = sub.where(UserRow.login.in_(list(logins)))
    if team:
        sub = sub.where(UserRow.team == team)
    return sub


# -- read models --------------------------------------------------------------------------------


# -- the namespace ------------------------------------------------------------------------------


class InsightQueries:
    """Reached as `store.insights`."""

    # -- account health ----------------------------------------------------------------------

    def health_facts(
        self,
        *,
        as_of: datetime,
        engaged_since: datetime,
        last_year_from: date,
        prior_year_from: date,
        kinds: Collection[str],
        contract_statuses: Collection[str],
        won_stage: str,
        open_stages: Collection[str],
        account_ids: Collection[int] | None = None,
        owners: Collection[str] = (),
        team: str = "",
        deal_owners: Collection[str] | None = None,
    ) -> list[AccountHealthFacts]:
        """The inputs of the health score for every account in scope (created by `as_of`), in id order.

        Six grouped queries whatever the number of accounts:
        - activities (one pass): MAX(completed_at) of completed activities of `kinds` at or before
          `as_of`, and COUNT, SUM/COUNT(sentiment) of those completed in [`engaged_since`, `as_of`];
        - contacts engaged: distinct (activity contact ∪ attending participants) of the same activities;
        - contracts: SUM(value_cents) of contracts with a status in `contract_statuses` whose term
          [start_date, end_date] contains the as-of date;
        - won: SUM(value_cents) of deals in `won_stage` closed in [last_year_from, as-of date] and in
          [prior_year_from, last_year_from);
        - open at as-of: created by `as_of` and either in an open stage or closed after the as-of date;
        - expansion: those open at as-of or won in the last year that started after the account's first win.
        `deal_owners` (None: everyone's): only the deals these users own count in won, open and expansion.
        """
        today = as_of.date()
        kinds = sorted(set(kinds))
        in_scope = _account_scope(account_ids, owners, team)
        Owner = UserRow.alias("health_owner")
        base = (
            AccountRow.select(
                AccountRow.id, AccountRow.name, AccountRow.tier, AccountRow.status, AccountRow.renewal_date,
                fn.COALESCE(Owner.login, "").alias("owner_login"),
                fn.COALESCE(Owner.display_name, "").alias("owner_name"),
            )
            .join(Owner, JOIN.LEFT_OUTER, on=(AccountRow.owner == Owner.id))
            .where((AccountRow.created_at <= as_of) & in_scope(AccountRow.id))
            .order_by(AccountRow.id)
        )
        accounts = list(base.dicts())
        if not accounts:
            return []

        A = ActivityRow
        done = A.kind.in_(kinds) & A.completed_at.is_null(False)
        recent = A.completed_at >= engaged_since
        # One pass over the activities for the last interaction and the engagement window.
        activity = {
            account: (last, int(n or 0), float(total or 0.0), int(scored or 0))
            for account, last, n, total, scored in A.select(
                A.account,
                fn.MAX(A.completed_at),
                fn.SUM(Case(None, ((recent, 1),), 0)),
                fn.SUM(Case(None, ((recent, A.sentiment),), None)),
                fn.SUM(Case(None, ((recent & A.sentiment.is_null(False), 1),), 0)),
            )
            .where(in_scope(A.account) & done & (A.completed_at <= as_of))
            .group_by(A.account)
            .tuples()
        }

        window = done & recent & (A.completed_at <= as_of) & in_scope(A.account)
        direct = A.select(A.account.alias("acc"), A.contact.alias("who")).where(window & A.contact.is_null(False))
        via = (
            A.select(A.account.alias("acc"), ParticipantRow.contact.alias("who"))
            .join(ParticipantRow, on=(ParticipantRow.activity == A.id))
            .where(window & (ParticipantRow.attended == True))  # noqa: E712
        )
        engaged = (direct | via).alias("engaged")  # UNION: each (account, contact) once
        contacts = {
            account: int(n)
            for account, n in A.select(engaged.c.acc, fn.COUNT(engaged.c.who)).from_(engaged)
            .group_by(engaged.c.acc).tuples()
        }

        C = ContractRow
        contracts = {
            account: (int(total or 0), int(n))
            for account, total, n in C.select(C.account, fn.SUM(C.value_cents), fn.COUNT(C.id))
            .where(in_scope(C.account) & C.status.in_(sorted(set(contract_statuses)))
                   & (C.start_date <= today) & (C.end_date >= today))
            .group_by(C.account).tuples()
        }

        O = OpportunityRow
        seen = O.id.is_null(False)
        if deal_owners is not None:
            seen = O.owner.in_(UserRow.select(UserRow.id).where(UserRow.login.in_(sorted(set(deal_owners)))))
        won = (O.stage == won_stage) & seen
        last_year = (O.actual_close_date >= last_year_from) & (O.actual_close_date <= today)
        prior_year = (O.actual_close_date >= prior_year_from) & (O.actual_close_date < last_year_from)
        won_values = {
            account: (int(last or 0), int(prior or 0))
            for account, last, prior in O.select(
                O.account,
                fn.SUM(Case(None, ((last_year, O.value_cents),), 0)),
                fn.SUM(Case(None, ((prior_year, O.value_cents),), 0)),
            )
            .where(in_scope(O.account) & won & (O.actual_close_date >= prior_year_from) & (O.actual_close_date <= today))
            .group_by(O.account).tuples()
        }

        open_at = (O.created_at <= as_of) & (O.stage.in_(sorted(set(open_stages))) | (O.actual_close_date > today)) & seen
        pipeline = {
            account: (int(total or 0), int(n))
            for account, total, n in O.select(O.account, fn.SUM(O.value_cents), fn.COUNT(O.id))
            .where(in_scope(O.account) & open_at).group_by(O.account).tuples()
        }

        W = OpportunityRow.alias("first_win")
        first_win = (
            W.select(W.account.alias("acc"), fn.MIN(W.actual_close_date).alias("first_won"))
            .where(in_scope(W.account) & (W.stage == won_stage) & (W.actual_close_date <= today))
            .group_by(W.account)
            .alias("fw")
        )
        expansion = {
            account: int(n)
            for account, n in O.select(O.account, fn.COUNT(O.id))
            .join(first_win, on=(O.account == first_win.c.acc))
            .where((open_at | (won & last_year)) & (O.started_on > first_win.c.first_won))
            .group_by(O.account).tuples()
        }

        facts = []
        for row in accounts:
            i = row["id"]
            last, n, total, scored = activity.get(i, (None, 0, 0.0, 0))
            contract_cents, contract_n = contracts.get(i, (0, 0))
            won_last, won_prior = won_values.get(i, (0, 0))
            open_cents, open_n = pipeline.get(i, (0, 0))
            facts.append(AccountHealthFacts(
                id=i, name=row["name"], tier=row["tier"], status=row["status"], owner_login=row["owner_login"],
                owner_name=row["owner_name"], renewal_date=_day(row["renewal_date"]),
                last_interaction_at=utc_instant(last), contract_value_cents=contract_cents,
                contracts_in_force=contract_n, interactions=n, contacts_engaged=contacts.get(i, 0),
                sentiment_sum=total, sentiment_scored=scored, won_last_year_cents=won_last,
                won_prior_year_cents=won_prior, open_pipeline_cents=open_cents, open_deals=open_n,
                expansion_deals=expansion.get(i, 0),
            ))
        return facts

    def write_health_scores(self, scores: Mapping[int, int], at: datetime) -> int:
        """Store the cached `health_score` and `health_computed_at` of many accounts.

        One UPDATE per distinct score (at most 91: scores run 10..100) and id chunk, never one per
        account. `version` and `updated_at` are left alone: a cached, derived figure is not an edit.
        Returns the number of rows written.
        """
        by_score: dict[int, list[int]] = defaultdict(list)
        for account_id, score in scores.items():
            by_score[int(score)].append(int(account_id))
        written = 0
        for score, ids in sorted(by_score.items()):
            for chunk in _chunks(sorted(ids)):
                written += (
                    AccountRow.update(health_score=score, health_computed_at=at)
                    .where(AccountRow.id.in_(chunk))
                    .execute()
                )
        return written

    # -- interactions ------------------------------------------------------------------------

    def _activities(self, start: datetime, end: datetime, kinds: Collection[str], account_id: int | None,
                    authors: Collection[str], team: str):
        """Completed activities of `kinds` with completed_at in [start, end), optionally scoped."""
        A = ActivityRow
        condition = (
            A.kind.in_(sorted(set(kinds))) & A.completed_at.is_null(False)
            & (A.completed_at >= start) & (A.completed_at < end)
        )
        if account_id is not None:
            condition &= A.account == account_id
        users = _users_in(authors, team)
        if users is not None:
            condition &= A.created_by.in_(users)
        return condition

    def interaction_totals(self, *, start: datetime, end: datetime, middle: datetime, kinds: Collection[str],
                           account_id: int | None = None, authors: Collection[str] = (), team: str = "",
                           positive_from: float = 0.05, negative_to: float = -0.05) -> InteractionTotals:
        """Counts per kind, sentiment sum/count, the sentiment mix and both halves ([start, middle), [middle, end)).

        A sentiment ≥ `positive_from` is positive, ≤ `negative_to` negative, anything between neutral.
        """
        A = ActivityRow
        first = A.completed_at < middle
        second = A.completed_at >= middle

        def count_if(condition):
            return fn.SUM(Case(None, ((condition, 1),), 0))

        def value_if(condition):
            return fn.SUM(Case(None, ((condition, A.sentiment),), None))

        scored = A.sentiment.is_null(False)
        query = (
            A.select(
                A.kind, fn.COUNT(A.id), fn.SUM(A.sentiment), fn.COUNT(A.sentiment),
                count_if(scored & (A.sentiment >= positive_from)),
                count_if(scored & (A.sentiment <= negative_to)),
                count_if(first), value_if(first), count_if(first & scored),
                count_if(second), value_if(second), count_if(second & scored),
            )
            .where(self._activities(start, end, kinds, account_id, authors, team))
            .group_by(A.kind)
        )
        by_kind: dict[str, int] = {}
        sums = [0.0, 0, 0, 0, 0, 0.0, 0, 0, 0.0, 0]
        for kind, n, s_sum, s_n, pos, neg, n1, s1, k1, n2, s2, k2 in query.tuples():
            by_kind[kind] = int(n)
            for index, value in enumerate((s_sum, s_n, pos, neg, n1, s1, k1, n2, s2, k2)):
                sums[index] += value or 0
        s_sum, s_n, pos, neg, n1, s1, k1, n2, s2, k2 = sums
        return InteractionTotals(
            by_kind=by_kind, sentiment_sum=float(s_sum), scored=int(s_n), positive=int(pos),
            neutral=int(s_n) - int(pos) - int(neg), negative=int(neg),
            first_half=int(n1), first_half_sentiment_sum=float(s1), first_half_scored=int(k1),
            second_half=int(n2), second_half_sentiment_sum=float(s2), second_half_scored=int(k2),
        )

    def interaction_buckets(self, *, start: datetime, end: datetime, granularity: str, kinds: Collection[str],
                            account_id: int | None = None, authors: Collection[str] = (),
                            team: str = "") -> list[InteractionBucket]:
        """Count and sentiment per ISO week (Monday) or calendar month, oldest first; empty buckets absent."""
        A = ActivityRow
        bucket = _bucket(A.completed_at, granularity)
        query = (
            A.select(bucket.alias("bucket"), fn.COUNT(A.id), fn.SUM(A.sentiment), fn.COUNT(A.sentiment))
            .where(self._activities(start, end, kinds, account_id, authors, team))
            .group_by(SQL("1"))
            .order_by(SQL("1"))
        )
        return [
            InteractionBucket(_day(day), int(n), float(total or 0.0), int(scored))
            for day, n, total, scored in query.tuples()
        ]

    def activities_by_author(self, *, start: datetime, end: datetime, kinds: Collection[str],
                             authors: Collection[str] = (), team: str = "") -> dict[int, int]:
        """Completed activities of `kinds` in [start, end) per author (`created_by`); system rows excluded."""
        A = ActivityRow
        query = (
            A.select(A.created_by, fn.COUNT(A.id))
            .where(self._activities(start, end, kinds, None, authors, team) & A.created_by.is_null(False))
            .group_by(A.created_by)
        )
        return {int(user): int(n) for user, n in query.tuples()}

    def reps(self, logins: Collection[str] = (), team: str = "") -> list[RepName]:
        """Active users with role `rep`, by login; with `logins`, exactly those users (any role)."""
        query = UserRow.select(UserRow.id, UserRow.login, UserRow.display_name, UserRow.team).order_by(UserRow.login)
        if logins:
            query = query.where(UserRow.login.in_(list(logins)))
        else:
            query = query.where((UserRow.role == "rep") & (UserRow.active == True))  # noqa: E712
        if team:
            query = query.where(UserRow.team == team)
        return [RepName(*row) for row in query.tuples()]

    def lead_response(self, *, start: datetime, end: datetime, target_hours: float, account_id: int | None = None,
                      owners: Collection[str] = (), team: str = "") -> LeadResponseTotals:
        """Leads created in [start, end): how many, how many answered, total and on-target response hours.

        With `account_id`, the leads that converted into that account; `owners`/`team` scope by lead owner.
        """
        L = LeadRow
        hours = timestamp_hours(L.first_response_at, L.created_at)
        answered = L.first_response_at.is_null(False)
        query = L.select(
            fn.COUNT(L.id),
            fn.SUM(Case(None, ((answered, 1),), 0)),
            fn.SUM(Case(None, ((answered, hours),), None)),
            fn.SUM(Case(None, ((answered & (hours <= target_hours), 1),), 0)),
        ).where((L.created_at >= start) & (L.created_at < end))
        if account_id is not None:
            query = query.where(L.converted_account == account_id)
        users = _users_in(owners, team)
        if users is not None:
            query = query.where(L.owner.in_(users))
        leads, responded, total, within = query.tuples().first() or (0, 0, 0.0, 0)
        return LeadResponseTotals(int(leads or 0), int(responded or 0), float(total or 0.0), int(within or 0))

    # -- competition -------------------------------------------------------------------------

    def competitors_of(self, opportunity_id: int) -> list[tuple[Competitor, str]]:
        """The competitors recorded on an opportunity, with the deal's notes about each, by name."""
        query = (
            CompetitorRow.select(CompetitorRow, OpportunityCompetitorRow.notes.alias("deal_notes"))
            .join(OpportunityCompetitorRow, on=(OpportunityCompetitorRow.competitor == CompetitorRow.id))
            .where(OpportunityCompetitorRow.opportunity == opportunity_id)
            .order_by(CompetitorRow.name, CompetitorRow.id)
        )
        found = []
        for data in query.dicts():
            notes = data.pop("deal_notes") or ""
            found.append((row_dict_to_record(CompetitorRow, data, Competitor), notes))
        return found

    def battlecards_of(self, competitor_ids: Collection[int]) -> dict[int, list[Battlecard]]:
        """Battlecards per competitor id (every id present, possibly with an empty list), in id order."""
        cards: dict[int, list[Battlecard]] = {int(i): [] for i in competitor_ids}
        if not cards:
            return cards
        query = (
            BattlecardRow.select()
            .where(BattlecardRow.competitor.in_(sorted(cards)))
            .order_by(BattlecardRow.competitor, BattlecardRow.id)
        )
        for data in query.dicts():
            card = row_dict_to_record(BattlecardRow, data, Battlecard)
            cards[card.competitor_id].append(card)
        return cards
