"""The filter box's small language: words narrow a list by field, everything else is searched as text.

    @pshah            owner (login); repeatable
    stage:proposal    opportunity stage id; repeatable
    status:new        lead / account / proposal status; repeatable
    source:Referral   lead source (use _ for spaces: source:Trade_show)
    team:Institutions the owners' team (use _ for spaces)
    tier:key          account tier; repeatable
    >50000  <250000   value (opportunities) in dollars
    health<40 health>70   account health score
    close:2026-03     expected close in that month; close:2026-03-31 that day
    won:this-week     won in that period (by actual close date); lost:last-week, closed:2026-12 alike
                      (periods: today, this-/last-week, -month, -quarter, YYYY-MM, YYYY-Qn, YYYY-MM-DD)
    flagged           flagged leads only
    archived          archived records too (every list)
Anything else is free text. A malformed word (e.g. `>abc`, `close:March`) is an error naming the word,
and so is a word that does not filter the list it is typed into (`tier:key` on the opportunities),
with the words that do (`ParsedFilter.only`).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date

from domain.filters import OpportunityFilter
from domain.money import MoneyError, parse_cents
from domain.periods import PERIOD_WORDS, month_end, named_period
from domain.pipeline import PipelineConfig


class FilterSyntaxError(ValueError):
    pass


# Each kind of word, as the filter box's placeholder shows it.
WORD_KINDS = {
    "owner": "@rep", "stage": "stage:ID", "status": "status:S", "source": "source:S", "tier": "tier:T",
    "team": "team:Name", "value": ">N <N", "health": "health<N health>N", "close": "close:YYYY-MM", "flagged": "flagged",
    "closed": "won:this-week", "archived": "archived",
}
OPPORTUNITY_WORDS = frozenset({"owner", "stage", "team", "value", "close", "closed", "archived"})
CLOSED_WORDS = ("won", "lost", "closed")
LEAD_WORDS = frozenset({"owner", "status", "source", "flagged", "archived"})
ACCOUNT_WORDS = frozenset({"owner", "tier", "status", "health", "archived"})
OWNER_AND_STATUS = frozenset({"owner", "status", "archived"})  # proposals (@owner), tasks (@assignee)


@dataclass
class ParsedFilter:
    text: str = ""
    owners: list[str] = field(default_factory=list)
    stages: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    tiers: list[str] = field(default_factory=list)
    teams: list[str] = field(default_factory=list)
    min_value_cents: int | None = None
    max_value_cents: int | None = None
    min_health: int | None = None
    max_health: int | None = None
    close_from: date | None = None
    close_to: date | None = None
    flagged: bool | None = None
    archived: bool = False
    closed: str = ""  # won, lost or closed: deals closed so in [closed_from, closed_to]
    closed_from: date | None = None
    closed_to: date | None = None
    typed: list[tuple[str, str]] = field(default_factory=list)  # (kind, the word as typed), in order

    def only(self, kinds: Collection[str], where: str) -> "ParsedFilter":
        """Refuse the first word that does not filter `where`, naming it and the words that do."""
        for kind, word in self.typed:
            if kind not in kinds:
                usable = ", ".join(WORD_KINDS[k] for k in WORD_KINDS if k in kinds) or "text only"
                raise FilterSyntaxError(f"{word}: does not filter {where} (here: {usable})")
        return self


KEYED = {"stage": "stages", "status": "statuses", "source": "sources", "tier": "tiers", "team": "teams"}
VERBATIM = {"source", "team"}  # values kept as written (spaces from _), not lower-cased


def parse_filter(text: str, today: date | None = None) -> ParsedFilter:
    """`today` (the user's) reads relative periods (won:this-week); without it only dated ones are read."""
    result = ParsedFilter()
    words = []
    for word in text.split():
        lowered = word.lower()
        kind = _kind(word, lowered)
        if kind is None:
            words.append(word)
            continue
        result.typed.append((kind, word))
        if kind == "owner":
            result.owners.append(word[1:])
        elif kind in KEYED:
            value = word.split(":", 1)[1]
            getattr(result, KEYED[kind]).append(value.replace("_", " ") if kind in VERBATIM else value.lower())
        elif kind == "close":
            value = word[6:]
            if re.fullmatch(r"\d{4}-\d{2}", value):
                start = date.fromisoformat(value + "-01")
                result.close_from, result.close_to = start, month_end(start)
            else:
                try:
                    result.close_from = result.close_to = date.fromisoformat(value)
                except ValueError:
                    raise FilterSyntaxError(f"{word}: expected close:YYYY-MM or close:YYYY-MM-DD") from None
        elif kind == "closed":
            outcome, _, period = lowered.partition(":")
            if today is None and period in PERIOD_WORDS:
                raise FilterSyntaxError(f"{word}: a relative period needs today's date here; use YYYY-MM")
            try:
                result.closed_from, result.closed_to = named_period(period, today or date.min)
            except ValueError as error:
                raise FilterSyntaxError(f"{word}: {error}") from None
            if result.closed and result.closed != outcome:
                raise FilterSyntaxError(f"{word}: only one of won:, lost: or closed: at a time")
            result.closed = outcome
        elif kind == "health":
            if not re.fullmatch(r"\d{1,3}", lowered[7:]) or int(lowered[7:]) > 100:
                raise FilterSyntaxError(f"{word}: expected a health score from 0 to 100, e.g. health<40")
            if lowered[6] == "<":
                result.max_health = int(lowered[7:])
            else:
                result.min_health = int(lowered[7:])
        elif kind == "value":
            try:
                cents = parse_cents(word[1:])
            except MoneyError:
                raise FilterSyntaxError(f"{word}: expected an amount in dollars, e.g. >50000") from None
            if word[0] == ">":
                result.min_value_cents = cents
            else:
                result.max_value_cents = cents
        elif kind == "archived":
            result.archived = True
        else:  # flagged
            result.flagged = True
    result.text = " ".join(words)
    return result


def _kind(word: str, lowered: str) -> str | None:
    """Which kind of filter word this is (None: free text)."""
    if word.startswith("@") and len(word) > 1:
        return "owner"
    if ":" in word and lowered.split(":", 1)[0] in KEYED and word.split(":", 1)[1]:
        return lowered.split(":", 1)[0]
    if lowered.startswith("close:"):
        return "close"
    if lowered.partition(":")[0] in CLOSED_WORDS and lowered.partition(":")[2]:
        return "closed"
    if lowered.startswith(("health<", "health>")):  # a score or not, it means the health: checked as one
        return "health"
    if word[0] in "<>" and len(word) > 1:
        return "value"
    return lowered if lowered in ("flagged", "archived") else None


def opportunity_filter(p: ParsedFilter, pipeline: PipelineConfig, where: str = "the opportunities",
                       **fields) -> OpportunityFilter:
    """The filter box's words as an opportunity filter (the opportunities list and the kanban alike): a word
    that does not filter opportunities, or a stage the pipeline does not have, is refused and named."""
    p.only(OPPORTUNITY_WORDS, where)
    unknown = [s for s in p.stages if not pipeline.has(s)]
    if unknown:
        raise FilterSyntaxError(f"stage:{unknown[0]}: no such stage (stages: {', '.join(s.id for s in pipeline.stages)})")
    if p.min_value_cents is not None and p.max_value_cents is not None and p.min_value_cents > p.max_value_cents:
        low = next(word for kind, word in p.typed if kind == "value" and word.startswith(">"))
        high = next(word for kind, word in p.typed if kind == "value" and word.startswith("<"))
        raise FilterSyntaxError(f"{high}: below {low}, so nothing could match")
    return OpportunityFilter(text=p.text, owners=tuple(p.owners), stages=tuple(p.stages), team=p.teams[0] if p.teams else "",
                             min_value_cents=p.min_value_cents, max_value_cents=p.max_value_cents,
                             close_from=p.close_from, close_to=p.close_to, closed_from=p.closed_from,
                             closed_to=p.closed_to, archived=p.archived, **({"status": p.closed} if p.closed else {}),
                             **fields)
