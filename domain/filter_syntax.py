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
    flagged           flagged leads only
Anything else is free text. A malformed word (e.g. `>abc`, `close:March`) is an error naming the word.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from domain.money import MoneyError, parse_cents
from domain.periods import month_end


class FilterSyntaxError(ValueError):
    pass


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


KEYED = {"stage": "stages", "status": "statuses", "source": "sources", "tier": "tiers", "team": "teams"}
VERBATIM = {"source", "team"}  # values kept as written (spaces from _), not lower-cased


def parse_filter(text: str) -> ParsedFilter:
    result = ParsedFilter()
    words = []
    for word in text.split():
        lowered = word.lower()
        if word.startswith("@") and len(word) > 1:
            result.owners.append(word[1:])
        elif ":" in word and lowered.split(":", 1)[0] in KEYED and word.split(":", 1)[1]:
            key, value = word.split(":", 1)
            getattr(result, KEYED[key.lower()]).append(value.replace("_", " ") if key.lower() in VERBATIM else value.lower())
        elif lowered.startswith("close:"):
            value = word[6:]
            if re.fullmatch(r"\d{4}-\d{2}", value):
                start = date.fromisoformat(value + "-01")
                result.close_from, result.close_to = start, month_end(start)
            else:
                try:
                    result.close_from = result.close_to = date.fromisoformat(value)
                except ValueError:
                    raise FilterSyntaxError(f"{word}: expected close:YYYY-MM or close:YYYY-MM-DD") from None
        elif re.fullmatch(r"health[<>]\d{1,3}", lowered):
            number = int(lowered[7:])
            if lowered[6] == "<":
                result.max_health = number
            else:
                result.min_health = number
        elif word[0] in "<>" and len(word) > 1:
            try:
                cents = parse_cents(word[1:])
            except MoneyError:
                raise FilterSyntaxError(f"{word}: expected an amount in dollars, e.g. >50000") from None
            if word[0] == ">":
                result.min_value_cents = cents
            else:
                result.max_value_cents = cents
        elif lowered == "flagged":
            result.flagged = True
        else:
            words.append(word)
    result.text = " ".join(words)
    return result
