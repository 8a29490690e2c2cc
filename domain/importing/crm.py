"""The `hubspot` and `salesforce` presets: companies/accounts, contacts, leads, deals/opportunities
and activities exported from those CRMs. Files are recognised by their header, not their name
(crm_columns.py lists the columns); both presets share every step below, only the columns and
the default value mappings differ.

Owners are not created: they must map to existing Pantry users (by login, display name or
e-mail, directly or through the mapping's [owners] table). Every decision is in docs/import.md.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from typing import Any, Iterator

from pydantic import ValidationError

from domain import records as r
from domain.enums import AccountStatus
from domain.importing import crm_columns as cc
from domain.importing.csvfile import CsvFile, read_csv
from domain.importing.mapping import Mapping
from domain.importing.plan import Plan, Progress, SourceRow, StagedAccount, StagedHistory, StagedOpportunity, counted
from domain.importing.values import (
    DATE_HINT,
    account_size,
    all_ids,
    domain_of,
    first_id,
    parse_money,
    parse_when,
    parse_whole,
)
from domain.money import MoneyError
from domain.pipeline import PipelineConfig

# kept importable from here (older imports and tests)
HUBSPOT_STAGES, SALESFORCE_STAGES, INDUSTRIES = cc.HUBSPOT_STAGES, cc.SALESFORCE_STAGES, cc.INDUSTRIES
__all__ = ["Columns", "Row", "build", "default_mapping", "domain_of", "parse_when"]

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
DATE_ENTERED = re.compile(r'^Date entered "(.+?)(?: \((.+)\))?"$')


def default_mapping(preset: str) -> Mapping:
    stages = cc.HUBSPOT_STAGES if preset == "hubspot" else cc.SALESFORCE_STAGES
    statuses = cc.HUBSPOT_LEAD_STATUSES if preset == "hubspot" else cc.SALESFORCE_LEAD_STATUSES
    return Mapping(preset, preset, dict(stages), {}, dict(cc.INDUSTRIES), {}, lead_statuses=dict(statuses))


# -- reading rows through the preset's column names -----------------------------------------------


class Columns:
    """One file's columns: logical field -> the column that holds it (the first candidate present)."""

    def __init__(self, spec: dict[str, tuple[str, ...]], header: list[str]) -> None:
        present = set(header)
        self.col = {f: next((c for c in cands if c in present), cands[0]) for f, cands in spec.items()}
        self.present = frozenset(f for f, c in self.col.items() if c in present)

    def has(self, field_name: str) -> bool:
        return field_name in self.present

    def record_fields(self, sources: dict[str, str], always: tuple[str, ...] = ()) -> frozenset[str]:
        """The record fields (keys of `sources`, which names each one's logical field) the file has."""
        return frozenset(f for f, logical in sources.items() if logical in self.present) | frozenset(always)

    def for_record(self, sources: dict[str, str]) -> dict[str, str]:
        """record field -> source column, for naming the column in a validation problem."""
        return {f: self.col.get(logical, logical) for f, logical in sources.items()}


class Row:
    """A source row read through its file's Columns."""

    __slots__ = ("source", "columns", "col")

    def __init__(self, source: SourceRow, columns: Columns) -> None:
        self.source = source
        self.columns = columns
        self.col = columns.col

    def get(self, field_name: str) -> str:
        column = self.col.get(field_name)
        return self.source.get(column) if column else ""

    def has(self, field_name: str) -> bool:
        return self.columns.has(field_name)


class Reader:
    """The shared steps of every file kind: unique ids, dates, money, owners, validation."""

    def __init__(self, plan: Plan, preset: str, users: dict[str, str], mapping: Mapping, now: datetime,
                 progress: Progress | None = None) -> None:
        self.plan, self.preset, self.users, self.mapping, self.now = plan, preset, users, mapping, now
        self.progress = progress

    def rows(self, csv_file: CsvFile, columns: Columns) -> Iterator[Row]:
        """The file's rows with a non-blank id not seen before in the file (the others are problems)."""
        seen: dict[str, int] = {}
        repeated = self.mapping.repeated_ids
        last: dict[str, int] = {}
        if repeated == "last":
            for source in csv_file.rows:
                last[Row(source, columns).get("id")] = source.line
        for source in counted(csv_file.rows, f"checking {csv_file.name}", self.progress):
            row = Row(source, columns)
            ext = row.get("id")
            if not ext:
                self.plan.reject(source, row.col["id"], "blank")
                continue
            if repeated == "last" and last[ext] != source.line:
                self.plan.skipped[source.file] = self.plan.skipped.get(source.file, 0) + 1
                self.plan.warn(source, row.col["id"], f"{ext} repeated (again at line {last[ext]}): the last "
                               "occurrence is imported (repeated_ids = \"last\"), not this one")
                continue
            if ext in seen:
                if repeated == "first":
                    self.plan.skipped[source.file] = self.plan.skipped.get(source.file, 0) + 1
                    self.plan.warn(source, row.col["id"], f"{ext} repeated (first at line {seen[ext]}): the first "
                                   "occurrence is imported (repeated_ids = \"first\"), not this one")
                else:
                    self.plan.reject(source, row.col["id"], f"duplicate (first at line {seen[ext]})")
                continue
            seen[ext] = source.line
            yield row

    def when(self, row: Row, field_name: str) -> datetime | None | bool:
        """The timestamp in the field; None when blank; False (and a problem) when not a date."""
        text = row.get(field_name)
        if not text:
            return None
        found = parse_when(text)
        if found is None:
            self.plan.reject(row.source, row.col[field_name], f"not a date: {text!r} ({DATE_HINT})")
            return False
        return found

    def money(self, row: Row, field_name: str) -> int | None | bool:
        text = row.get(field_name)
        if not text:
            return None
        try:
            return parse_money(text)
        except MoneyError as exc:
            self.plan.reject(row.source, row.col[field_name], str(exc))
            return False

    def whole(self, row: Row, field_name: str) -> int | None | bool:
        text = row.get(field_name)
        if not text:
            return None
        try:
            return parse_whole(text)
        except ValueError:
            self.plan.reject(row.source, row.col[field_name], f"not a whole number: {text!r}")
            return False

    def owner(self, row: Row, *, required: str | None = None) -> str | None | bool:
        """The login of the row's owner; None when blank (a problem if `required` names the record)."""
        text = row.get("owner")
        if not text:
            if required:
                self.plan.reject(row.source, row.col["owner"], f"blank: every {required} needs an owner")
                return False
            return None
        owner = self.mapping.owners.get(text, text)
        login = self.users.get(owner) or self.users.get(owner.lower())
        if login is None and self.preset == "hubspot" and EMAIL.match(owner):
            login = self._new_owner(row, owner.lower())
        if login is None:
            self.plan.reject(row.source, row.col["owner"], f"unknown owner {text!r}: no Pantry user has that login, "
                             "display name or e-mail (map it in the mapping's [owners] table)")
            return False
        return login

    def _new_owner(self, row: Row, email: str) -> str | None:
        """HubSpot names owners by e-mail: one no Pantry user has becomes a rep (login and name from
        the address: `dana.whitfield@x.com` -> `dana.whitfield`, "Dana Whitfield")."""
        from domain.enums import Role
        from domain.importing.maven import login_for
        from domain.importing.plan import StagedUser

        local = email.split("@", 1)[0]
        name = " ".join(part.capitalize() for part in re.split(r"[._-]+", local) if part) or local
        taken = self.__dict__.setdefault("taken_logins", set(self.users.values()))
        base = login_for(name)
        login, n = base, 1
        while login in taken:
            n += 1
            login = f"{base}.{n}"
        try:
            user = r.User(login=login, display_name=name, email=email, role=Role.REP, created_at=self.now)
        except ValidationError:
            return None
        taken.add(login)
        self.users[email] = login
        self.plan.users.append(StagedUser(login, user, row.source, None, frozenset(), {"login": row.col["owner"]}))
        self.plan.notes.append(f"{row.source.file}:{row.source.line}: owner {email!r} is no Pantry user: "
                               f"created as rep {login!r}")
        return login

    def validated(self, row: Row, record_type: type[r.Record], values: dict[str, Any],
                  sources: dict[str, str]) -> Any:
        """The record, or None after one problem per invalid field (named by its source column)."""
        try:
            return record_type(**values)
        except ValidationError as exc:
            self.plan.reject_validation(row.source, exc, row.columns.for_record(sources))
            return None


class UnreadFiles(ValueError):
    """Files no kind of the preset can read (and no --skip-unknown): nothing is read or written."""


def recognise(path: Path, found: CsvFile, preset: str, mapping: Mapping | None = None) -> tuple[str | None, str]:
    """(kind, how it was recognised) — by the mapping's [files], else the file's name (Salesforce object
    names), else its columns."""
    given = mapping.kind_for_file(path.name) if mapping is not None else None
    if given is not None:
        if cc.has_required(found.header, preset, given):
            return given, "the mapping's [files]"
        missing = cc.missing_columns(found.header, preset, given)
        return None, f"the mapping's [files] says {cc.KIND_NAMES[given]} but it lacks {', '.join(missing)}"
    named = cc.kind_by_name(path.name, preset)
    if named is not None and named in cc.REQUIRED[preset] and cc.has_required(found.header, preset, named,
                                                                             by_name=True):
        return named, "by its name"
    by_columns = cc.kind_of(found.header, preset)
    if by_columns is not None:
        return by_columns, "by its columns"
    if named is not None:
        return None, (f"its name says {cc.KIND_NAMES.get(named, named)} but it lacks the columns they need"
                      if named in cc.REQUIRED[preset] else f"{named.replace('_', ' ')} are not imported")
    return None, "neither its name nor its columns say what it holds"


def build(paths: list[Path], preset: str, pipeline: PipelineConfig, users: dict[str, str], today: date,
          mapping: Mapping | None = None, progress: Progress | None = None, *, skip_unknown: bool = False,
          existing_logins: set[str] | None = None, emails: dict[str, str] | None = None,
          actor_login: str | None = None) -> Plan:
    """`users` maps every existing user's login, display name and e-mail (lower case) to the login;
    `emails` e-mail (lower case) -> login. Raises UnreadFiles for a file read as nothing."""
    from domain.importing import crm_activities, crm_history, crm_org, crm_people, crm_shape, crm_stages

    mapping = mapping or default_mapping(preset)
    columns_spec = cc.spec(preset)
    plan = Plan()
    files: dict[str, list[tuple[CsvFile, Columns]]] = {kind: [] for kind in cc.KINDS}
    unread: list[str] = []
    for path in paths:
        found = read_csv(path)
        renamed = crm_shape.reshape(found, mapping, actor_login)
        if renamed:
            plan.original_columns[path.name] = renamed
        plan.problems.extend(found.problems)
        if not found.header:
            continue
        kind, how = recognise(path, found, preset, mapping)
        if kind is None:
            if skip_unknown:
                plan.notes.append(f"{path.name}: read as nothing ({how}): {len(found.rows):,} rows unread "
                                  "(--skip-unknown)")
                plan.unread[path.name] = len(found.rows)
            else:
                unread.append(f"{path}: read as nothing: {how}")
            continue
        plan.notes.append(f"{path.name}: read as {cc.KIND_NAMES[kind]} ({how}), {len(found.rows):,} rows")
        plan.files[path.name] = (cc.KIND_NAMES[kind], len(found.rows))
        files[kind].append((found, Columns(columns_spec[kind], found.header)))
    if unread:
        raise UnreadFiles("\n".join(unread) + f"\nwhat each {preset} file needs (API name / report label):\n  "
                          + "\n  ".join(cc.required_columns(preset))
                          + "\n(--skip-unknown imports the other files and leaves these unread)")
    if plan.errors:
        return plan
    now = datetime.combine(today, time(0, 0), tzinfo=timezone.utc)
    reader = Reader(plan, preset, dict(users), mapping, now, progress)
    for csv_file, columns in files["users"]:
        crm_org.users(reader, csv_file, columns, set(existing_logins or ()), dict(emails or {}))
    for csv_file, columns in files["products"]:
        crm_org.products(reader, csv_file, columns)
    # the org's stage picklist, mapped automatically (docs/import.md, "Stages")
    deal_rows = [[Row(source, columns) for source in csv_file.rows] for csv_file, columns in files["deals"]]
    found_stages = crm_stages.evidence(deal_rows)
    standard = cc.HUBSPOT_STAGES if preset == "hubspot" else cc.SALESFORCE_STAGES
    explicit = mapping.stages if "stages" in mapping.given else None
    auto = crm_stages.auto_map(found_stages, explicit, standard, pipeline)
    if found_stages:
        plan.notes.extend(crm_stages.table(auto, found_stages))
    stages = dict(mapping.stages)
    stages.update({name: target for name, (target, _why) in auto.items()})
    mapping = replace(mapping, stages=stages)
    reader.mapping = mapping
    won_accounts: set[str] = set()
    for rows in deal_rows:
        for row in rows:
            if mapping.stage_for(row.get("stage")) == pipeline.won.id:
                won_accounts.add(first_id(row.get("account")) or row.get("account_name"))
    for csv_file, columns in files["companies"]:
        _accounts(reader, csv_file, columns, won_accounts)
    for csv_file, columns in files["contacts"]:
        crm_people.contacts(reader, csv_file, columns)
    for csv_file, columns in files["leads"]:
        crm_people.leads(reader, csv_file, columns)
    history = crm_history.snapshots(reader, files["history"], pipeline)
    for csv_file, columns in files["deals"]:
        _deals(reader, csv_file, columns, pipeline, today, history)
    crm_history.unused(reader, history)
    crm_org.line_items(reader, files["line_items"])
    for csv_file, columns in files["activities"]:
        crm_activities.activities(reader, csv_file, columns)
    return plan


# -- accounts ------------------------------------------------------------------------------------

ACCOUNT_SOURCES = {  # record field -> logical field
    "external_id": "id", "name": "name", "domain": "domain", "phone": "phone", "industry": "industry",
    "size": "employees", "annual_revenue_cents": "revenue", "hq_street": "street", "hq_city": "city",
    "hq_region": "region", "hq_postal_code": "postal", "hq_country": "country", "owner_id": "owner",
}


def _accounts(reader: Reader, csv_file: CsvFile, columns: Columns, won: set[str]) -> None:
    plan, mapping = reader.plan, reader.mapping
    fields = columns.record_fields(ACCOUNT_SOURCES) - {"external_id"}
    for row in reader.rows(csv_file, columns):
        ext, name = row.get("id"), row.get("name")
        problems = len(plan.problems)
        employees = reader.whole(row, "employees")
        revenue = reader.money(row, "revenue")
        created = reader.when(row, "created")
        owner = reader.owner(row)
        if len(plan.problems) > problems:
            continue
        t = mapping.thresholds
        size = account_size(employees, t.get("size_small_below", 100), t.get("size_medium_below", 1000),
                            t.get("size_large_below", 5000))
        country = row.get("country")
        record = reader.validated(row, r.Account, dict(
            external_id=ext, name=name, domain=domain_of(row.get("domain")), phone=row.get("phone"),
            industry=mapping.industry_for(row.get("industry")), size=size, annual_revenue_cents=revenue,
            hq_street=row.get("street"), hq_city=row.get("city"), hq_region=row.get("region"),
            hq_postal_code=row.get("postal"), hq_country=mapping.countries.get(country, country),
            status=AccountStatus.CUSTOMER if (ext in won or name in won) else AccountStatus.PROSPECT,
            created_at=created or reader.now, updated_at=created or reader.now,
        ), ACCOUNT_SOURCES)
        if record is None:
            continue
        plan.accounts.append(StagedAccount(
            ext, record, row.source, row.get("parent") or None,
            {"parent": row.col["parent"], "name": row.col["name"], "owner": row.col["owner"]}, strict=True,
            owner_key=owner or None, fields=fields, has_parent_column=row.has("parent"),
        ))


# -- deals ---------------------------------------------------------------------------------------

DEAL_SOURCES = {
    "external_id": "id", "name": "name", "value_cents": "amount", "probability": "probability",
    "expected_close_date": "close", "actual_close_date": "close", "started_on": "created",
    "source": "source", "next_step": "next_step", "description": "description", "owner_id": "owner",
    "account_id": "account", "contact_id": "contacts", "stage": "stage",
}


def _deals(reader: Reader, csv_file: CsvFile, columns: Columns, pipeline: PipelineConfig, today: date,
           snapshots: dict | None = None) -> None:
    """`snapshots`: opportunity id -> its stage history points from a history file (crm_history)."""
    plan, mapping = reader.plan, reader.mapping
    snapshots = snapshots if snapshots is not None else {}
    no_created_noted = False
    entered_columns = []
    for column in csv_file.header:
        match = DATE_ENTERED.match(column)
        if match:
            entered_columns.append((column, match.group(1), match.group(2)))
    fields = columns.record_fields(DEAL_SOURCES) - {"external_id"}
    if columns.has("account_name"):
        fields |= {"account_id"}
    for row in reader.rows(csv_file, columns):
        source = row.source
        ext = row.get("id")
        problems = len(plan.problems)
        login = reader.owner(row, required="opportunity")
        source_stage = row.get("stage")
        stage_id = mapping.stage_for(source_stage)
        if stage_id is None:
            plan.reject(source, row.col["stage"], f"unknown stage {source_stage!r} (map it in the mapping's [stages] table)")
        elif not pipeline.has(stage_id):
            plan.reject(source, row.col["stage"], f"{source_stage!r} maps to {stage_id!r}, which is not a stage of the pipeline")
        amount = reader.money(row, "amount")
        created = reader.when(row, "created")
        closed = reader.when(row, "close")
        probability = None
        if row.get("probability"):
            try:
                probability = int(float(row.get("probability").rstrip("%")))
            except (ValueError, OverflowError):
                plan.reject(source, row.col["probability"], f"not a number: {row.get('probability')!r}")
        history_points: list[tuple] = list(snapshots.pop(ext, ()))
        for column, stage_name, _pipeline_name in entered_columns:
            text = source.get(column)
            if not text:
                continue
            when = parse_when(text)
            if when is None:
                plan.reject(source, column, f"not a date: {text!r}")
                continue
            mapped = mapping.stage_for(stage_name)
            if mapped is None or not pipeline.has(mapped):
                plan.reject(source, column, f"unknown stage {stage_name!r} (map it in the mapping's [stages] table)")
                continue
            history_points.append((when, mapped, column, None, None))
        if len(plan.problems) > problems:
            continue
        stage = pipeline.stage(stage_id)
        value = amount or 0
        days = reader.whole(row, "days_to_close")
        if days is False:
            continue
        if days is not None and not 0 <= days <= 36_500:
            plan.reject(source, row.col["days_to_close"], f"not a number of days 0-36500: {days}")
            continue
        if created is None and closed and days is not None:
            created = closed - timedelta(days=days)  # a sheet with only the close and the days it took
        if closed is None and created and days is not None:
            closed = created + timedelta(days=days)
        if created is None:
            created = min((p[0] for p in history_points), default=None)
        if created is None and not row.has("created") and closed:
            # the export has no creation date at all: a closed deal is known from its close, an open one
            # from the import (the source does not say when it started; nothing later is put earlier)
            created = closed if not stage.is_open else min(reader.now, closed)
            if not no_created_noted:
                no_created_noted = True
                plan.notes.append(f"{csv_file.name}: no creation date column: closed deals start at their close "
                                  "date, open ones at the import's date (or their close date if earlier)")
        if created is None:
            plan.reject(source, row.col["created"], "blank: the deal's creation date is needed")
            continue
        if closed is None:
            if not stage.is_open:
                plan.reject(source, row.col["close"], f"a {source_stage} deal needs its close date")
            else:
                plan.reject(source, row.col["close"], "blank: an open deal needs its expected close date")
            continue
        history = _history(history_points, stage, pipeline, value, created, closed)
        entered = history[-1].changed_at
        final_probability = stage.probability if probability is None else probability
        account_col = row.col["account"] if row.get("account") else row.col.get("account_name", row.col["account"])
        account = first_id(row.get("account")) or row.get("account_name")
        record = reader.validated(row, r.Opportunity, dict(
            external_id=ext, name=row.get("name"), stage=stage.id, probability=final_probability,
            probability_overridden=final_probability != stage.probability, value_cents=value,
            started_on=created.date(), expected_close_date=closed.date(),
            actual_close_date=None if stage.is_open else closed.date(),
            source=row.get("source") or mapping.source, owner_id=0, forecast_category=stage.forecast_category,
            stage_entered_at=entered, next_step=row.get("next_step"), description=row.get("description"),
            created_at=created, updated_at=max(entered, created),
        ), DEAL_SOURCES)
        if record is None:
            continue
        plan.opportunities.append(StagedOpportunity(
            ext, record, source, login, account or None, lines=[], history=history,
            columns={"owner": row.col["owner"], "account": account_col, "contact": row.col["contacts"]},
            contact_keys=all_ids(row.get("contacts")), fields=fields,
        ))


def _history(points: list[tuple], stage, pipeline: PipelineConfig, value: int,
             created: datetime, closed: datetime) -> list[StagedHistory]:
    """The dated points (date-entered columns, history snapshots) in time order (the same stage twice:
    the first entry), ending in the current stage; without them, one change into the current stage.
    A point: (when, stage id, column, value at the time or None, probability at the time or None);
    a point without its own value carries the deal's."""
    points = sorted(points, key=lambda p: p[0])
    history: list[StagedHistory] = []
    previous: str | None = None
    for when, stage_name, _column, at_value, at_probability in points:
        when = max(when, created)  # a source's entry before the deal's creation: at its creation
        if stage_name == previous:
            continue
        probability = pipeline.stage(stage_name).probability if at_probability is None else at_probability
        history.append(StagedHistory(previous, stage_name, when, value if at_value is None else at_value, probability))
        previous = stage_name
    if previous != stage.id:
        when = created if stage.is_open else max(closed, history[-1].changed_at if history else closed)
        if history and when < history[-1].changed_at:
            when = history[-1].changed_at
        history.append(StagedHistory(previous, stage.id, when, value, stage.probability))
    return history
