"""Run an import: build the preset's plan, resolve its references, then write everything in one
transaction — which is rolled back when a row is invalid or refused (unless skip_invalid), and
for a dry run. The write pass itself (matching, updates, role checks) is in apply.py."""

from __future__ import annotations

import time as _time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Any

from domain.importing import crm, maven, native
from domain.importing import mapping as mapping_file
from domain.importing.access import NO_ACTOR, Access
from domain.importing.apply import Tally, Writer
from domain.importing.csvfile import csv_files
from domain.importing.keys import exact_name, normalise_name
from domain.importing.plan import Plan, Problem, Progress, SourceRow
from domain.importing.resolve import near_duplicates, references
from domain.pipeline import PipelineConfig
from domain.records import User

PRESETS = ("maven", "pantry", "hubspot", "salesforce")
# entities that are parts of another (their own counts are only "inserted")
PARTS = ("line_items", "stage_changes")
# what a file was read as (crm_columns.KIND_NAMES) -> the entity its rows are counted under
ENTITY_OF_KIND = {"stage history": "stage_changes", "line items": "line_items"}
__all__ = ["PRESETS", "ImportError_", "ImportRefused", "ImportResult", "Progress", "default_mapping", "exact_name", "load_mapping",
           "normalise_name", "run_import"]


class ImportError_(ValueError):
    """The import cannot start (unknown preset, no files)."""


class ImportRefused(ValueError):
    """Files the import cannot read as anything (exit 1, nothing read or written)."""


class _Rollback(Exception):
    pass


@dataclass
class ImportResult:
    problems: list[Problem]
    inserted: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    changed_fields: dict[str, Counter] = field(default_factory=dict)
    audit_entries: int = 0
    rejected: list[SourceRow] = field(default_factory=list)
    written: bool = False
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    files: dict[str, tuple[str, int]] = field(default_factory=dict)  # file -> (read as, rows)
    unread: dict[str, int] = field(default_factory=dict)  # file -> rows not read
    skipped: dict[str, int] = field(default_factory=dict)  # file -> rows repeating an id, not imported

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.warning]

    @property
    def matched(self) -> Counter:
        """Records found in the database (updated or not)."""
        return self.updated + self.unchanged

    @property
    def changed(self) -> bool:
        return any(self.inserted.values()) or any(self.updated.values())

    def lines(self) -> list[str]:
        """The human report: every problem as file:line: column: reason, then the counts."""
        out = [str(p) for p in self.errors]
        out += [f"{p} (warning)" for p in self.warnings]
        out += self.notes
        if self.dry_run:
            verbs = ("would insert", "would update", "unchanged")
        elif self.written:
            verbs = ("inserted", "updated", "unchanged")
        else:
            verbs = ("not written: new", "changed", "unchanged")
        rejected_rows: Counter = Counter(source.file for source in self.rejected)
        by_entity_rejected: Counter = Counter()
        by_entity_unread: Counter = Counter()
        for name, (kind, _rows) in self.files.items():
            entity = ENTITY_OF_KIND.get(kind, kind)
            by_entity_rejected[entity] += rejected_rows[name]
            by_entity_unread[entity] += self.unread.get(name, 0)
        entities = set(self.inserted) | set(self.updated) | set(self.unchanged) | set(+by_entity_rejected)
        for entity in sorted(entities | set(+by_entity_unread)):
            counts = (self.inserted[entity], self.updated[entity], self.unchanged[entity])
            if not any(counts) and not by_entity_rejected[entity] and not by_entity_unread[entity]:
                continue
            parts = [f"{verb} {n:,}" for verb, n in zip(verbs, counts)]
            if entity in PARTS and not counts[1] and not counts[2]:
                parts = parts[:1]
            line = f"{entity}: {', '.join(parts)}"
            fields = self.changed_fields.get(entity)
            if fields:
                line += " (" + ", ".join(f"{name} ×{n:,}" for name, n in sorted(fields.items())) + ")"
            if by_entity_rejected[entity]:
                line += f", rejected {by_entity_rejected[entity]:,} rows"
            if by_entity_unread[entity]:
                line += f", unread {by_entity_unread[entity]:,} rows"
            out.append(line)
        for name, (kind, rows) in self.files.items():
            rejected = sum(1 for source in self.rejected if source.file == name)
            unread, skipped = self.unread.get(name, 0), self.skipped.get(name, 0)
            out.append(f"{name}: {kind}: {rows:,} rows, {rows - rejected - unread - skipped:,} taken, {rejected:,} rejected"
                       + (f", {skipped:,} repeating an id (not imported)" if skipped else "")
                       + (f", {unread:,} unread" if unread else ""))
        for name, rows in self.unread.items():
            if name not in self.files:
                out.append(f"{name}: read as nothing: {rows:,} rows unread")
        if self.audit_entries and self.written:
            out.append(f"audit log: {self.audit_entries:,} field changes recorded")
        if self.errors and not self.written and not self.dry_run:
            out.append(f"{len(self.errors):,} problems in {len(self.rejected):,} rows: nothing was written "
                       "(use --skip-invalid to write the valid rows)")
        elif self.errors:
            out.append(f"{len(self.rejected):,} rows rejected ({len(self.errors):,} problems)")
        if self.written and not self.changed and not self.errors and not any(self.unread.values()):
            out.append("nothing changed: every record was already present and up to date")
        elif self.written and not self.changed:
            out.append("nothing changed in the database" + (": every row was rejected or unread"
                       if not any(self.unchanged.values()) else ""))
        elif self.dry_run:
            out.append("dry run: nothing was written")
        return out


def default_mapping(preset: str) -> mapping_file.Mapping:
    """The preset's built-in mapping (what `--show-mapping` prints)."""
    if preset == "maven":
        return maven.to_mapping(maven.MavenMapping())
    if preset in ("hubspot", "salesforce"):
        return crm.default_mapping(preset)
    raise ImportError_(f"the {preset!r} preset has no mapping" if preset in PRESETS
                       else f"unknown preset {preset!r} (choose from {', '.join(PRESETS)})")


def load_mapping(path: Path, preset: str, pipeline: PipelineConfig, existing=None) -> mapping_file.Mapping:
    """The preset's mapping overlaid with FILE; ImportError_ listing every `file:key: reason`."""
    users = None
    if existing is not None:
        users = set(existing.users) | set(getattr(existing, "user_names", {})) | set(getattr(existing, "user_emails", {}))
    try:
        return mapping_file.load(path, default_mapping(preset), {s.id for s in pipeline.stages}, users)
    except mapping_file.MappingError as exc:
        raise ImportError_(str(exc)) from None


def build_plan(files: list[Path], queries: Any, existing: Any, *, preset: str, pipeline: PipelineConfig, today: date,
               mapping: Any = None, progress: Progress | None = None, skip_unknown: bool = False,
               actor_login: str | None = None) -> Plan:
    if preset == "pantry":
        return native.build(files, queries, progress, pipeline)
    if preset in ("hubspot", "salesforce"):
        users = {login: login for login in existing.users}
        for name, login in getattr(existing, "user_names", {}).items():
            users.setdefault(name, login)
        for email, login in getattr(existing, "user_emails", {}).items():
            users.setdefault(email, login)
        emails = {email.lower(): login for email, login in getattr(existing, "user_emails", {}).items()}
        try:
            return crm.build(files, preset, pipeline, users, today, mapping, progress, skip_unknown=skip_unknown,
                             existing_logins=set(existing.users), emails=emails,
                             actor_login=actor_login)
        except crm.UnreadFiles as exc:
            raise ImportRefused(str(exc)) from None
    prices = {maven.product_key(name): price for _sku, (_id, name, price) in existing.products.items()}
    return maven.build(files, pipeline, prices, today, mapping, progress)


def run_import(store: Any, queries: Any, paths: list[Path], *, preset: str, pipeline: PipelineConfig, today: date,
               dry_run: bool = False, skip_invalid: bool = False, progress: Progress | None = None,
               mapping: Any = None, actor: User | None = None, now: datetime | None = None,
               write: Any, skip_unknown: bool = False) -> ImportResult:
    """`store` gives the users the role checks look at; `queries` is the store's ImportQueries; `actor` is
    the importing user (None: the session has none). `write` opens the unit of work the write pass runs in
    (`lambda: session.write(kinds)`: one transaction, committed or rolled back whole, announced once)."""
    started = _time.perf_counter()
    if preset not in PRESETS:
        raise ImportError_(f"unknown preset {preset!r} (choose from {', '.join(PRESETS)})")
    files = list(csv_files(paths))
    missing = [str(p) for p in files if not p.exists()]
    if missing:
        raise ImportError_(f"no such file: {', '.join(missing)}")
    if not files:
        raise ImportError_("no CSV files found in " + ", ".join(map(str, paths)))
    existing = queries.existing()
    if isinstance(mapping, (str, Path)):
        mapping = load_mapping(Path(mapping), preset, pipeline, existing)
    now = now or datetime.combine(today, time(12, 0), tzinfo=timezone.utc)
    plan = build_plan(files, queries, existing, preset=preset, pipeline=pipeline, today=today, mapping=mapping,
                      progress=progress, skip_unknown=skip_unknown, actor_login=actor.login if actor else None)
    references(plan, existing)
    near_duplicates(plan, existing)
    access = Access(actor, store, bootstrap=not existing.users)
    for _attempt in range(10):
        writer = Writer(plan, existing, queries, pipeline=pipeline, access=access, now=now,
                        actor_login=actor.login if actor else "import", actor_id=actor.id if actor else None,
                        progress=progress)
        written = _write(write, writer, commit=not dry_run and not (plan.errors and not skip_invalid))
        if not writer.refusals:
            break
        for refusal in writer.refusals:
            plan.reject(refusal.source, refusal.column, refusal.reason)
        if not skip_invalid:
            break
        _drop_rejected(plan)  # and whatever referred to the refused rows; then write again
        references(plan, existing)
    for source, column, reason in writer.warnings:
        plan.warn(source, column, reason)
    kept_deals = {o.key for o in plan.opportunities}
    for file_name, by_deal in plan.part_rows.items():  # history rows of deals rejected after they took them
        dropped = sum(n for deal, n in by_deal.items() if deal not in kept_deals)
        if dropped:
            plan.notes.append(f"{file_name}: {dropped:,} rows of rejected deals: not imported")
            plan.unread[file_name] = plan.unread.get(file_name, 0) + dropped
    result = ImportResult(problems=_collapse(plan.problems), rejected=plan.rejected, dry_run=dry_run,
                          notes=plan.notes, written=written, files=plan.files, unread=plan.unread,
                          skipped=plan.skipped)
    _count(result, writer.tally)
    result.seconds = _time.perf_counter() - started
    return result


def _write(unit_of_work: Any, writer: Writer, *, commit: bool) -> bool:
    """The write pass in one transaction; committed only when asked and nothing was refused."""
    try:
        with unit_of_work():
            writer.run()
            if not commit or writer.refusals:
                raise _Rollback
    except _Rollback:
        return False
    return True


def _drop_rejected(plan: Plan) -> None:
    for name in ("users", "products", "accounts", "contacts", "leads", "opportunities", "activities", "native"):
        setattr(plan, name, [s for s in getattr(plan, name) if not plan.is_rejected(s.source)])


def _collapse(problems: list[Problem]) -> list[Problem]:
    """The 'no Pantry user' refusal once, not once per row."""
    out, seen = [], False
    for problem in problems:
        if problem.reason == NO_ACTOR:
            if seen:
                continue
            seen = True
            problem = Problem("import", 0, "--as", NO_ACTOR)
        out.append(problem)
    return out


def _count(result: ImportResult, tally: Tally) -> None:
    result.inserted, result.updated, result.unchanged = tally.inserted, tally.updated, tally.unchanged
    result.changed_fields = {k: v for k, v in tally.changed_fields.items() if v}
    result.audit_entries = tally.audit_entries
