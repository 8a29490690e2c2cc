"""`--mapping FILE` (TOML) and `--show-mapping`: the value mappings of a preset.

    preset = "hubspot"            # optional; when given it must be the preset being run
    source = "hubspot"            # the opportunities' `source` field
    [stages]                      # source stage (label or internal name) -> pipeline stage id
    "Closed Won" = "closed_won"
    [owners]                      # source owner (name or id) -> Pantry user's login or display name
    "Jane Doe" = "jdoe"
    [industries]                  # source industry -> Industry value (anything else: other)
    "Food & Beverage" = "restaurant"
    [countries]                   # source country -> country as stored
    "Philipines" = "Philippines"
    [lead_statuses]               # hubspot/salesforce: source lead status -> new, contacted, qualified, ...
    "Working - Contacted" = "contacted"
    [thresholds]                  # integers: employees -> size, revenue (M USD) -> tier (maven)
    size_small_below = 100

A file's tables replace the preset's tables of the same name; tables it leaves out keep the
preset's defaults. Every problem is reported as `file:key: reason` before anything is read.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from domain.enums import Industry, LeadStatus

THRESHOLDS = ("size_small_below", "size_medium_below", "size_large_below",
              "tier_strategic_from_musd", "tier_key_from_musd", "tier_standard_from_musd")
TABLES = ("stages", "owners", "industries", "countries", "lead_statuses", "thresholds", "files", "columns",
          "constants")
# the tables about a file's shape (hubspot/salesforce), printed only when set
SHAPE_TABLES = ("files", "columns", "constants")
# what a [files] entry may say a file is -> the kind the hubspot/salesforce presets read
FILE_KINDS = {"opportunities": "deals", "deals": "deals", "accounts": "companies", "companies": "companies",
              "contacts": "contacts", "leads": "leads", "users": "users", "products": "products",
              "activities": "activities", "stage_history": "history", "history": "history"}
REPEATED = ("first", "last")


class MappingError(ValueError):
    """The mapping file is unreadable or invalid; `problems` are `file:key: reason` lines."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class Mapping:
    preset: str
    source: str
    stages: dict[str, str] = field(default_factory=dict)
    owners: dict[str, str] = field(default_factory=dict)
    industries: dict[str, str] = field(default_factory=dict)
    countries: dict[str, str] = field(default_factory=dict)
    thresholds: dict[str, int] = field(default_factory=dict)
    lead_statuses: dict[str, str] = field(default_factory=dict)
    given: frozenset[str] = frozenset()  # the tables a mapping file set (the rest are the preset's)
    files: dict[str, str] = field(default_factory=dict)  # file name or glob -> entity (FILE_KINDS)
    columns: dict[str, str] = field(default_factory=dict)  # source column -> the column the preset reads
    constants: dict[str, str] = field(default_factory=dict)  # column the preset reads -> value ({Column} templates)
    repeated_ids: str | None = None  # a repeated record id: None (a problem), "first" or "last" occurrence wins

    def kind_for_file(self, file_name: str) -> str | None:
        """The kind the [files] table says a file is (by its name, or a glob; case ignored)."""
        from fnmatch import fnmatch

        for pattern, entity in self.files.items():
            if pattern.casefold() == file_name.casefold() or fnmatch(file_name.casefold(), pattern.casefold()):
                return FILE_KINDS[entity]
        return None

    def lead_status_for(self, name: str) -> LeadStatus | None:
        """The LeadStatus a source status maps to (case, spaces and punctuation ignored); None if unmapped."""
        value = self.lead_statuses.get(name)
        if value is None:
            wanted = _letters(name)
            value = next((v for k, v in self.lead_statuses.items() if _letters(k) == wanted), None)
        return LeadStatus(value) if value else None

    def stage_for(self, name: str) -> str | None:
        if name in self.stages:
            return self.stages[name]
        folded = {k.casefold(): v for k, v in self.stages.items()}
        return folded.get(name.casefold())

    def industry_for(self, name: str) -> Industry:
        value = self.industries.get(name) or {k.casefold(): v for k, v in self.industries.items()}.get(name.casefold())
        return Industry(value) if value else Industry.OTHER

    def to_toml(self) -> str:
        out = [f"# pantry import --preset {self.preset} --mapping FILE (see docs/import.md)",
               f"preset = {_q(self.preset)}", f"source = {_q(self.source)}"]
        if self.repeated_ids:
            out.append(f"repeated_ids = {_q(self.repeated_ids)}")
        for table in TABLES:
            values = getattr(self, table)
            if table in ("thresholds", "lead_statuses", *SHAPE_TABLES) and not values:
                continue
            out.append("")
            out.append(f"[{table}]")
            if table == "owners" and not values:
                out.append('# "Source Owner Name" = "pantry.login"')
            for key, value in values.items():
                out.append(f"{_q(key)} = {value if isinstance(value, int) else _q(value)}")
        return "\n".join(out) + "\n"


def _letters(text: str) -> str:
    return "".join(c for c in text.lower() if c.isalpha())


def _q(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)  # a TOML basic string for everything JSON escapes


def load(path: Path, default: Mapping, stage_ids: set[str], users: set[str] | None = None) -> Mapping:
    """`default` overlaid with the file's tables; every problem at once as MappingError.

    `users`: the logins and display names an `[owners]` value may name (None: not checked).
    """
    name = str(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise MappingError([f"{name}: cannot read: {exc.strerror or exc}"]) from None
    except UnicodeDecodeError as exc:
        raise MappingError([f"{name}: not UTF-8: {exc.reason}"]) from None
    except tomllib.TOMLDecodeError as exc:
        raise MappingError([f"{name}: not valid TOML: {exc}"]) from None
    problems: list[str] = []
    result = Mapping(default.preset, default.source, dict(default.stages), dict(default.owners),
                     dict(default.industries), dict(default.countries), dict(default.thresholds),
                     dict(default.lead_statuses), files=dict(default.files), columns=dict(default.columns),
                     constants=dict(default.constants), repeated_ids=default.repeated_ids)
    for key, value in data.items():
        if key == "preset":
            if value != default.preset:
                problems.append(f"{name}:preset: the file is for preset {value!r}, not {default.preset!r}")
        elif key == "source":
            if not isinstance(value, str) or not value.strip() or len(value) > 200:
                problems.append(f"{name}:source: must be a non-blank string")
            else:
                result.source = value
        elif key == "repeated_ids":
            if value not in REPEATED:
                problems.append(f"{name}:repeated_ids: must be \"first\" or \"last\" (which occurrence of a repeated "
                                "id is imported)")
            else:
                result.repeated_ids = value
        elif key in TABLES:
            if key in SHAPE_TABLES and default.preset not in ("hubspot", "salesforce"):
                problems.append(f"{name}:{key}: only the hubspot and salesforce presets read [{key}]")
                continue
            if not isinstance(value, dict):
                problems.append(f"{name}:{key}: must be a table")
                continue
            if key == "thresholds" and default.preset != "maven":
                problems.append(f"{name}:thresholds: only the maven preset has thresholds")
                continue
            if key == "lead_statuses" and default.preset == "maven":
                problems.append(f"{name}:lead_statuses: the maven preset has no leads")
                continue
            table: dict[str, Any] = {}
            for item, target in value.items():
                where = f"{name}:{key}.{_q(item) if not item.isidentifier() else item}"
                if key == "thresholds":
                    if item not in THRESHOLDS:
                        problems.append(f"{where}: unknown threshold (expected one of {', '.join(THRESHOLDS)})")
                    elif not isinstance(target, int) or isinstance(target, bool) or target < 0:
                        problems.append(f"{where}: must be a whole number >= 0")
                    else:
                        table[item] = target
                    continue
                if not isinstance(target, str) or (not target.strip() and key != "constants"):
                    problems.append(f"{where}: must be a {'' if key == 'constants' else 'non-blank '}string")
                    continue
                if key == "stages" and target not in stage_ids:
                    problems.append(f"{where}: {target!r} is not a stage of the pipeline "
                                    f"(expected one of {', '.join(sorted(stage_ids))})")
                elif key == "industries" and target not in {i.value for i in Industry}:
                    problems.append(f"{where}: {target!r} is not an industry "
                                    f"(expected one of {', '.join(i.value for i in Industry)})")
                elif key == "lead_statuses" and target not in {s.value for s in LeadStatus}:
                    problems.append(f"{where}: {target!r} is not a lead status "
                                    f"(expected one of {', '.join(s.value for s in LeadStatus)})")
                elif key == "files" and target not in FILE_KINDS:
                    problems.append(f"{where}: {target!r} is not an entity (expected one of "
                                    f"{', '.join(sorted(FILE_KINDS))})")
                elif key == "owners" and users is not None and target not in users:
                    problems.append(f"{where}: no Pantry user has the login or display name {target!r}")
                else:
                    table[item] = target
            if key == "thresholds":
                result.thresholds.update(table)
            else:
                if table != getattr(default, key):  # an unedited --show-mapping table is still the preset's
                    result.given = result.given | {key}
                setattr(result, key, table)
        else:
            problems.append(f"{name}:{key}: unknown key (expected preset, source, repeated_ids, {', '.join(TABLES)})")
    if problems:
        raise MappingError(problems)
    return result
