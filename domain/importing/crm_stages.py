"""The org's own stage picklist mapped onto Pantry's pipeline, automatically.

Each source stage name (as the deals files carry it) is mapped by the first rule that applies:

1. the mapping file's `[stages]` table names it;
2. its deals are won (Salesforce `IsWon`, HubSpot `Is Closed Won`) -> the won stage; closed and not
   won (`IsClosed`, `Is closed`) -> the lost stage;
3. it has the name of a Pantry stage (id or name; case, spaces and punctuation ignored);
4. it is in the preset's standard picklist (Salesforce's default stages, HubSpot's default pipeline);
5. its name contains the name of an open Pantry stage as a word (`Proposal/Quote` -> Proposal);
6. its deals' probability (`Probability`, else the stage's default probability) is nearest to an open
   Pantry stage's probability (a tie: the earlier stage);
7. its deals' forecast category (`ForecastCategoryName`) is an open Pantry stage's (the first).

Otherwise it is unmapped and each deal in it a row problem naming it. The table (`org stage ->
Pantry stage (why)`) is printed with every import (and `--dry-run`).
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from typing import Any

from domain.pipeline import PipelineConfig

TRUE = ("true", "1", "yes", "y", "t")
FORECASTS = {"pipeline": "pipeline", "bestcase": "best_case", "commit": "commit", "closed": "closed",
             "omitted": "omitted"}


def _letters(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", text.lower())


def _percent(text: str) -> float | None:
    try:
        value = float(text.strip().rstrip("%"))
    except ValueError:
        return None
    if "." in text and 0 < value < 1:  # HubSpot's stage probability is a fraction
        value *= 100
    return value if 0 <= value <= 100 else None


class StageEvidence:
    """What the deals of one source stage say: won and closed flags, probabilities, forecast categories."""

    def __init__(self) -> None:
        self.deals = 0
        self.won = 0
        self.closed = 0
        self.probabilities: Counter = Counter()
        self.forecasts: Counter = Counter()

    def add(self, row: Any) -> None:
        self.deals += 1
        if row.get("won").lower() in TRUE:
            self.won += 1
        if row.get("closed").lower() in TRUE:
            self.closed += 1
        for field_name in ("probability", "stage_probability"):
            value = _percent(row.get(field_name)) if row.get(field_name) else None
            if value is not None:
                self.probabilities[value] += 1
                break
        forecast = FORECASTS.get(_letters(row.get("forecast")))
        if forecast:
            self.forecasts[forecast] += 1


def evidence(rows_by_file) -> dict[str, StageEvidence]:
    """source stage name -> what its deals say (rows_by_file: iterables of crm.Row)."""
    found: dict[str, StageEvidence] = defaultdict(StageEvidence)
    for rows in rows_by_file:
        for row in rows:
            name = row.get("stage")
            if name:
                found[name].add(row)
    return dict(found)


def auto_map(found: dict[str, StageEvidence], explicit: dict[str, str] | None, standard: dict[str, str],
             pipeline: PipelineConfig) -> dict[str, tuple[str, str]]:
    """source stage -> (pipeline stage id, why); stages no rule maps are left out."""
    explicit_folded = {k.casefold(): v for k, v in (explicit or {}).items()}
    standard_folded = {k.casefold(): v for k, v in standard.items()}
    open_stages = [s for s in pipeline.stages if s.is_open]
    by_name = {}
    for stage in pipeline.stages:
        by_name.setdefault(_letters(stage.id), stage)
        by_name.setdefault(_letters(stage.name), stage)
    out: dict[str, tuple[str, str]] = {}
    for name, ev in sorted(found.items()):
        words = set(re.findall(r"[a-z0-9]+", name.lower()))
        if name.casefold() in explicit_folded:
            out[name] = (explicit_folded[name.casefold()], "[stages] in the mapping")
        elif ev.won and ev.won * 2 >= ev.deals:
            out[name] = (pipeline.won.id, f"won: {ev.won:,} of its {ev.deals:,} deals")
        elif ev.closed and ev.closed * 2 >= ev.deals:
            out[name] = (pipeline.lost.id, f"closed and not won: {ev.closed:,} of its {ev.deals:,} deals")
        elif _letters(name) in by_name:
            out[name] = (by_name[_letters(name)].id, "the name of a Pantry stage")
        elif name.casefold() in standard_folded:
            out[name] = (standard_folded[name.casefold()], "the preset's standard stage")
        elif stage := next((s for s in open_stages if set(re.findall(r"[a-z0-9]+", s.name.lower())) <= words), None):
            out[name] = (stage.id, f"its name contains {stage.name!r}")
        elif ev.probabilities:
            probability = ev.probabilities.most_common(1)[0][0]
            stage = min(open_stages, key=lambda s: abs(s.probability - probability))
            out[name] = (stage.id, f"probability {probability:g}% nearest to {stage.name}'s {stage.probability}%")
        elif ev.forecasts and (stage := next((s for s in open_stages
                                              if s.forecast_category == ev.forecasts.most_common(1)[0][0]), None)):
            out[name] = (stage.id, f"forecast category {ev.forecasts.most_common(1)[0][0]}")
    return out


def table(mapped: dict[str, tuple[str, str]], found: dict[str, StageEvidence]) -> list[str]:
    """The lines printed: `stage 'Proposal/Quote' (96 deals) -> proposal (its name contains 'Proposal')`."""
    lines = []
    for name, ev in sorted(found.items()):
        target = mapped.get(name)
        where = f"stage {name!r} ({ev.deals:,} deal{'s' if ev.deals != 1 else ''})"
        lines.append(f"{where} -> {target[0]} ({target[1]})" if target
                     else f"{where} -> unmapped (no rule applies: map it in the mapping's [stages] table)")
    return lines
