"""Customer interactions: the seed's recordInteraction and getInteractionInsights.

`record_interaction` writes, in one transaction: the activity (its sentiment scored by VADER
from the description), its participants, the account's and the deal's last-activity stamps,
a follow-up task when a follow-up date is given, the audit entries, and — when the
interaction is on a deal — the stage_requirements_met check (a logged call can complete the
next stage's requirements). One unit of work (`session.write`): announced once, after the commit.

`interaction_insights` answers with SQL aggregates only: counts by kind, average sentiment,
the sentiment mix, lead response time, a weekly (or monthly) trend with its direction, and
recommendations.

Definitions (docs/insights.md has them all):
- an *interaction* is a completed activity of any kind except `note` and `stage_change`,
  dated by `completed_at`; the activities report also counts notes (`ACTIVITY_KINDS`);
- *response time* is the hours from a lead's creation to its first response
  (`lead.first_response_at`), over the leads created in the period — the seed's KPI "Lead
  Response Time: < 4 hours average, < 2 hours for hot leads". Activities carry no
  inbound/outbound direction, so a customer→rep response time cannot be measured honestly;
- the *trend* compares interactions per day in the second half of the period with the
  first: ≥ +10 % up, ≤ −10 % down, else flat.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Literal

from domain.enums import ActivityKind, Outcome, ParticipantRole, Priority
from domain.facts import sentiment_mean
from domain.records import Activity, Participant, Task
from domain.services.account_health import INTERACTION_KINDS
from domain.services.automations import Fired
from domain.services.sentiment import NEGATIVE_TO, POSITIVE_FROM, sentiment_score
from domain.services.stage_moves import RequirementsWatcher
from domain.session import Session

# Everything a person logs (notes included): what the activities report and the seed's KPI
# "50+ activities per rep per week" count. Stage changes are the system's.
ACTIVITY_KINDS: frozenset[str] = frozenset(k.value for k in ActivityKind) - {ActivityKind.STAGE_CHANGE.value}
FACE_TO_FACE_KINDS = frozenset({"meeting", "demo", "presentation", "event"})
DEFAULT_INSIGHT_DAYS = 90
WEEKLY_UP_TO_DAYS = 92  # longer periods are bucketed by month
TREND_THRESHOLD_PCT = 10  # ±10 % interactions per day, second half vs first
SENTIMENT_TREND_THRESHOLD = 0.05
RESPONSE_TARGET_HOURS = 4.0  # the seed's "Lead Response Time: < 4 hours average"
HOT_LEAD_TARGET_HOURS = 2.0

Direction = Literal["up", "down", "flat"]


@dataclass(frozen=True)
class InteractionParticipant:
    """A participant to record with an interaction (the seed's InteractionParticipant)."""

    contact_id: int
    role: ParticipantRole = ParticipantRole.ATTENDEE
    attended: bool = True
    feedback: str = ""


@dataclass(frozen=True)
class RecordedInteraction:
    activity: Activity
    participants: tuple[Participant, ...] = ()
    follow_up: Task | None = None
    automations: tuple[str, ...] = ()  # labels of automations the interaction fired


# -- recording --------------------------------------------------------------------------------


def record_interaction(
    session: Session,
    account_id: int,
    kind: ActivityKind | str,
    subject: str,
    *,
    description: str = "",
    contact_id: int | None = None,
    opportunity_id: int | None = None,
    outcome: Outcome | str | None = None,
    next_steps: str = "",
    follow_up_at: datetime | None = None,
    participants: tuple[InteractionParticipant | int, ...] | list[InteractionParticipant | int] = (),
    duration_minutes: int | None = None,
    location: str = "",
    attachments: tuple[str, ...] | list[str] = (),
    occurred_at: datetime | None = None,
) -> RecordedInteraction:
    """Log a completed customer interaction on an account (optionally a contact and a deal).

    `occurred_at` (default now) is when it happened; it becomes `completed_at` and moves the
    account's and the deal's last-activity stamps forward. A `follow_up_at` creates an open task
    due that day, assigned to the acting user (or the account owner when nobody is signed in).
    """
    now = session.clock.now()
    occurred = occurred_at or now
    kind = ActivityKind(kind)
    if kind.value not in INTERACTION_KINDS:
        raise ValueError(f"kind: {kind.value!r} is not a customer interaction "
                         f"(choose from {', '.join(sorted(INTERACTION_KINDS))})")
    if occurred.tzinfo is None:
        raise ValueError("occurred_at: must carry a timezone")
    if occurred > now:
        raise ValueError("occurred_at: an interaction is logged after it happens, not before")
    if follow_up_at is not None and follow_up_at.tzinfo is None:
        raise ValueError("follow_up_at: must carry a timezone")
    if follow_up_at is not None and follow_up_at <= occurred:
        raise ValueError("follow_up_at: must be after the interaction")
    people = tuple(p if isinstance(p, InteractionParticipant) else InteractionParticipant(int(p)) for p in participants)
    if len({p.contact_id for p in people}) != len(people):
        raise ValueError("participants: a contact is listed twice")
    actor = session.actor
    actor_id = actor.id if actor else None
    store = session.store
    with session.write({"activity"}, ids={"account": {account_id}}, at=now) as change:
        account = store.accounts.require(account_id)
        if contact_id is not None:
            contact = store.contacts.require(contact_id)
            if contact.account_id not in (None, account.id):
                raise ValueError(f"contact_id: {contact.full_name} is a contact of another account")
        if opportunity_id is not None:
            opportunity = store.opportunities.require_for_update(opportunity_id)  # automations may update it
            if opportunity.account_id not in (None, account.id):
                raise ValueError(f"opportunity_id: {opportunity.name} belongs to another account")
        for person in people:
            store.contacts.require(person.contact_id)

        activity = store.activities.insert(Activity(
            kind=kind, subject=subject, description=description,
            outcome=Outcome(outcome) if outcome is not None else None,
            sentiment=sentiment_score(description), next_steps=next_steps, completed_at=occurred,
            follow_up_at=follow_up_at, duration_minutes=duration_minutes, location=location,
            attachments=list(attachments), account_id=account.id, contact_id=contact_id,
            opportunity_id=opportunity_id, created_by_id=actor_id, created_at=now,
        ))
        change.touch(activity={activity.id})
        change.audit_create("activity", activity.id, f"{kind.value}: {subject}"[:200])
        saved_people = tuple(
            store.participants.insert(Participant(
                activity_id=activity.id, contact_id=p.contact_id, role=p.role, attended=p.attended, feedback=p.feedback,
            ))
            for p in people
        )
        if saved_people:
            change.touch("participant")
        store.set_last_activity(opportunity_id, account.id, occurred)

        task = None
        if follow_up_at is not None:
            assignee = actor_id if actor_id is not None else account.owner_id
            if assignee is None:
                raise ValueError("follow_up_at: nobody to assign the follow-up to (no signed-in user and the "
                                 "account has no owner)")
            task = store.tasks.insert(Task(
                title=f"Follow up: {subject}"[:200], description=next_steps or description,
                due_on=follow_up_at.astimezone(timezone.utc).date(), priority=Priority.NORMAL, assignee_id=assignee,
                opportunity_id=opportunity_id, account_id=account.id, contact_id=contact_id,
                created_by_id=actor_id, created_at=now,
            ))
            change.audit_create("task", task.id, task.title)
            change.touch(task={task.id})

        fired = Fired()
        if opportunity_id is not None:
            change.touch(opportunity={opportunity_id})
            RequirementsWatcher(session).check(store.opportunities.require(opportunity_id), now=now, fired=fired)
    return RecordedInteraction(activity, saved_people, task, tuple(fired.labels))


# -- insights -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendPoint:
    start: date  # Monday of the week, or the 1st of the month
    count: int
    average_sentiment: float | None


@dataclass(frozen=True)
class InteractionTrend:
    granularity: Literal["week", "month"]
    points: tuple[TrendPoint, ...]
    direction: Direction
    first_half_per_day: float
    second_half_per_day: float
    change: float | None  # second half per day ÷ first half per day − 1; None when the first half had none
    sentiment_direction: Direction | None  # None when a half has no scored interaction
    first_half_sentiment: float | None
    second_half_sentiment: float | None


@dataclass(frozen=True)
class ResponseTime:
    leads: int
    responded: int
    average_hours: float | None
    within_target: int
    target_hours: float = RESPONSE_TARGET_HOURS

    @property
    def unanswered(self) -> int:
        return self.leads - self.responded

    @property
    def within_target_rate(self) -> float | None:
        return None if self.responded == 0 else self.within_target / self.responded


@dataclass(frozen=True)
class InteractionInsights:
    account_id: int | None
    date_from: date
    date_to: date
    total: int
    by_kind: dict[str, int]
    average_sentiment: float | None  # over the scored interactions; None when none is scored
    scored: int
    positive: int
    neutral: int
    negative: int
    response: ResponseTime
    trend: InteractionTrend
    recommendations: tuple[str, ...] = field(default=())

    @property
    def days(self) -> int:
        return (self.date_to - self.date_from).days + 1


def day_start(day: date) -> datetime:
    """Midnight UTC starting `day` (periods are whole UTC days)."""
    return datetime.combine(day, time(0), tzinfo=timezone.utc)


def _mean(total: float, n: int) -> float | None:
    return None if n == 0 else sentiment_mean(total, n)


def _bucket_start(day: date, granularity: str) -> date:
    return day - timedelta(days=day.weekday()) if granularity == "week" else day.replace(day=1)


def _next_bucket(day: date, granularity: str) -> date:
    if granularity == "week":
        return day + timedelta(days=7)
    return date(day.year + (day.month == 12), day.month % 12 + 1, 1)


def default_period(today: date, date_from: date | None, date_to: date | None,
                   days: int = DEFAULT_INSIGHT_DAYS) -> tuple[date, date]:
    end = date_to or today
    start = date_from or (end - timedelta(days=days - 1))
    if start > end:
        raise ValueError("date_from: must not be after date_to")
    return start, end


def trend_direction(first_count: int, first_days: int, second_count: int,
                    second_days: int) -> tuple[Direction, float | None]:
    """Up when the second half's rate per day is ≥ 110 % of the first's, down when ≤ 90 %, else flat.

    Compared in integers (count × days of the other half × 100), so +10 % exactly is "up" without rounding
    doubt. Also returns the change (second rate ÷ first rate − 1), None when the first half had nothing.
    """
    if first_days <= 0 or second_days <= 0:
        return "flat", None
    if first_count == 0:
        return ("flat", None) if second_count == 0 else ("up", None)
    change = (second_count * first_days) / (first_count * second_days) - 1
    second_scaled, first_scaled = second_count * first_days * 100, first_count * second_days
    if second_scaled >= first_scaled * (100 + TREND_THRESHOLD_PCT):
        return "up", change
    if second_scaled <= first_scaled * (100 - TREND_THRESHOLD_PCT):
        return "down", change
    return "flat", change


def sentiment_direction(first: float | None, second: float | None) -> Direction | None:
    if first is None or second is None:
        return None
    if second - first >= SENTIMENT_TREND_THRESHOLD:
        return "up"
    if second - first <= -SENTIMENT_TREND_THRESHOLD:
        return "down"
    return "flat"


def interaction_recommendations(insights: InteractionInsights, *, subject: str = "customer interactions") -> tuple[str, ...]:
    """The seed's undefined generateInteractionRecommendations."""
    out: list[str] = []
    period = f"{insights.date_from.isoformat()} to {insights.date_to.isoformat()}"
    if insights.total == 0:
        out.append(f"No {subject} from {period} — put a visit or a call with the buyer on the calendar.")
    avg = insights.average_sentiment
    if avg is not None and avg <= NEGATIVE_TO:
        out.append(f"Average sentiment is {avg:+.2f} ({insights.negative} negative of {insights.scored} scored) — "
                   "read the negative notes and call about open service issues (late drops, shorts, substitutions).")
    trend = insights.trend
    if trend.direction == "down":
        out.append(f"Fewer {subject}: {trend.first_half_per_day:.1f} a day in the first half of the period, "
                   f"{trend.second_half_per_day:.1f} in the second — get visits back on the calendar.")
    if trend.sentiment_direction == "down":
        out.append(f"Sentiment is slipping ({trend.first_half_sentiment:+.2f} → {trend.second_half_sentiment:+.2f}) "
                   "— ask the chef what changed: quality, deliveries or price.")
    face = sum(n for k, n in insights.by_kind.items() if k in FACE_TO_FACE_KINDS)
    if insights.total >= 10 and face * 10 < insights.total:
        out.append(f"Only {face} of {insights.total} {subject} were face to face — book a kitchen visit or a tasting.")
    response = insights.response
    if response.average_hours is not None and response.average_hours > response.target_hours:
        out.append(f"Leads waited {response.average_hours:.1f} hours on average for a first response — the target "
                   f"is under {response.target_hours:g} hours ({HOT_LEAD_TARGET_HOURS:g} for hot leads).")
    if response.unanswered:
        out.append(f"{response.unanswered} lead{'s' if response.unanswered != 1 else ''} created in the period "
                   f"{'have' if response.unanswered != 1 else 'has'} no response yet — call today.")
    return tuple(out)


def interaction_insights(
    session: Session,
    account_id: int | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    *,
    reps: tuple[str, ...] = (),
    team: str = "",
    kinds: frozenset[str] = INTERACTION_KINDS,
    subject: str = "customer interactions",
) -> InteractionInsights:
    """The seed's getInteractionInsights for one account, or for everyone (`account_id=None`).

    The period is [date_from, date_to] in whole UTC days (default: the 90 days to today).
    `reps`/`team` keep the activities those users logged and the leads they own.
    """
    start_day, end_day = default_period(session.clock.today(), date_from, date_to)
    store = session.store
    days = (end_day - start_day).days + 1
    half = days // 2
    start, end = day_start(start_day), day_start(end_day + timedelta(days=1))
    middle = day_start(start_day + timedelta(days=half))
    totals = store.insights.interaction_totals(
        start=start, end=end, middle=middle, kinds=kinds, account_id=account_id, authors=reps, team=team,
        positive_from=POSITIVE_FROM, negative_to=NEGATIVE_TO,
    )
    granularity: Literal["week", "month"] = "week" if days <= WEEKLY_UP_TO_DAYS else "month"
    found = {b.start: b for b in store.insights.interaction_buckets(
        start=start, end=end, granularity=granularity, kinds=kinds, account_id=account_id, authors=reps, team=team,
    )}
    points = []
    bucket = _bucket_start(start_day, granularity)
    while bucket <= end_day:
        b = found.get(bucket)
        points.append(TrendPoint(bucket, b.count if b else 0, _mean(b.sentiment_sum, b.scored) if b else None))
        bucket = _next_bucket(bucket, granularity)

    first_rate = totals.first_half / half if half else 0.0
    second_rate = totals.second_half / (days - half)
    direction, change = trend_direction(totals.first_half, half, totals.second_half, days - half)
    s1 = _mean(totals.first_half_sentiment_sum, totals.first_half_scored)
    s2 = _mean(totals.second_half_sentiment_sum, totals.second_half_scored)
    trend = InteractionTrend(
        granularity=granularity, points=tuple(points), direction=direction, first_half_per_day=first_rate,
        second_half_per_day=second_rate, change=change, sentiment_direction=sentiment_direction(s1, s2),
        first_half_sentiment=s1, second_half_sentiment=s2,
    )
    lead = store.insights.lead_response(start=start, end=end, target_hours=RESPONSE_TARGET_HOURS,
                                        account_id=account_id, owners=reps, team=team)
    response = ResponseTime(lead.leads, lead.responded, _mean(lead.hours_sum, lead.responded), lead.within_target)
    by_kind = {k: totals.by_kind.get(k, 0) for k in sorted(kinds)}
    insights = InteractionInsights(
        account_id=account_id, date_from=start_day, date_to=end_day, total=totals.total, by_kind=by_kind,
        average_sentiment=_mean(totals.sentiment_sum, totals.scored), scored=totals.scored,
        positive=totals.positive, neutral=totals.neutral, negative=totals.negative, response=response, trend=trend,
    )
    return replace(insights, recommendations=interaction_recommendations(insights, subject=subject))
