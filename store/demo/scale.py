"""How many of everything, derived from the number of opportunities."""

from __future__ import annotations

import math
from dataclasses import dataclass

# Up to this many opportunities the sales team is a fixed 2 managers + 8 reps (+ the admin).
FIXED_TEAM_UP_TO = 10_000
OPPORTUNITIES_PER_REP = 250
REPS_PER_MANAGER = 5


@dataclass(frozen=True)
class Scale:
    opportunities: int
    managers: int
    reps: int
    accounts: int
    leads: int
    tasks: int

    @classmethod
    def for_opportunities(cls, n: int) -> "Scale":
        if n <= FIXED_TEAM_UP_TO:
            reps, managers = 8, 2
        else:
            reps = math.ceil(n / OPPORTUNITIES_PER_REP)
            managers = math.ceil(reps / REPS_PER_MANAGER)
        return cls(
            opportunities=n,
            managers=managers,
            reps=reps,
            accounts=max(30, round(n / 5)),
            leads=max(40, round(n / 2)),
            tasks=max(24, round(n / 10)),
        )
