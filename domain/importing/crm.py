"""The `hubspot` and `salesforce` presets: deals/opportunities, companies/accounts and contacts
exported from those CRMs. Files are recognised by their header, not their name.

Owners are not created: they must map to existing Pantry users (by login or display name,
directly or through the mapping's [owners] table). Every decision is in docs/import.md.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timezone
from pathlib import Path

from pydantic import ValidationError

from domain import records as r
from domain.enums import AccountSize, AccountStatus
from domain.importing.csvfile import CsvFile, read_csv
from domain.importing.mapping import Mapping
from domain.importing.plan import Plan, SourceRow, StagedAccount, StagedContact, StagedHistory, StagedOpportunity
from domain.money import MoneyError, parse_cents
from domain.pipeline import PipelineConfig

HUBSPOT_STAGES = {
    "appointmentscheduled": "discovery", "Appointment Scheduled": "discovery",
    "qualifiedtobuy": "qualification", "Qualified To Buy": "qualification",
    "presentationscheduled": "proposal", "Presentation Scheduled": "proposal",
    "decisionmakerboughtin": "negotiation", "Decision Maker Bought-In": "negotiation",
    "contractsent": "negotiation", "Contract Sent": "negotiation",
    "closedwon": "closed_won", "Closed Won": "closed_won",
    "closedlost": "closed_lost", "Closed Lost": "closed_lost",
}
SALESFORCE_STAGES = {
    "Prospecting": "discovery", "Qualification": "qualification", "Needs Analysis": "qualification",
    "Value Proposition": "proposal", "Id. Decision Makers": "proposal", "Perception Analysis": "proposal",
    "Proposal/Price Quote": "proposal", "Negotiation/Review": "negotiation",
    "Closed Won": "closed_won", "Closed Lost": "closed_lost",
}
INDUSTRIES = {
    "Food & Beverages": "restaurant", "FOOD_BEVERAGES": "restaurant", "Restaurants": "restaurant",
    "Hospitality": "hotel", "HOSPITALITY": "hotel", "Food Production": "distributor",
    "FOOD_PRODUCTION": "distributor", "Wholesale": "distributor", "WHOLESALE": "distributor",
    "Hospital & Health Care": "hospital", "HOSPITAL_HEALTH_CARE": "hospital", "Healthcare": "hospital",
    "Education Management": "school_district", "EDUCATION_MANAGEMENT": "school_district",
    "Higher Education": "university", "HIGHER_EDUCATION": "university", "Education": "university",
    "Retail": "grocery", "Supermarkets": "grocery", "Food & Beverage": "restaurant",
}


def default_mapping(preset: str) -> Mapping:
    stages = HUBSPOT_STAGES if preset == "hubspot" else SALESFORCE_STAGES
    return Mapping(preset, preset, dict(stages), {}, dict(INDUSTRIES), {})


# logical field -> candidate columns (report labels first, then API / Data Loader names)
HUBSPOT = {
    "deals": {
        "id": ("Record ID", "Deal ID", "hs_object_id"), "name": ("Deal Name", "dealname"),
        "stage": ("Deal Stage", "dealstage"), "amount": ("Amount", "amount"),
        "close": ("Close Date", "closedate"), "created": ("Create Date", "createdate"),
        "owner": ("Deal owner", "Deal Owner", "hubspot_owner_id"), "pipeline": ("Pipeline", "pipeline"),
        "account": ("Associated Company IDs", "Associated Company ID", "Associated Company IDs (Primary)"),
        "account_name": ("Associated Company", "Associated Company (Primary)"),
        "source": ("Original Source Type", "Deal Source"), "type": ("Deal Type", "dealtype"),
        "description": ("Deal Description", "description"),
    },
    "companies": {
        "id": ("Record ID", "Company ID", "hs_object_id"), "name": ("Company name", "Company Name", "name"),
        "domain": ("Company Domain Name", "Website URL", "domain"), "industry": ("Industry", "industry"),
        "employees": ("Number of Employees", "numberofemployees"), "revenue": ("Annual Revenue", "annualrevenue"),
        "city": ("City", "city"), "region": ("State/Region", "state"), "country": ("Country/Region", "country"),
        "street": ("Street Address", "address"), "postal": ("Postal Code", "zip"), "phone": ("Phone Number", "phone"),
        "parent": ("Parent Company", "Parent Company ID", "hs_parent_company_id"), "created": ("Create Date", "createdate"),
    },
    "contacts": {
        "id": ("Record ID", "Contact ID", "hs_object_id"), "first": ("First Name", "firstname"),
        "last": ("Last Name", "lastname"), "email": ("Email", "email"), "phone": ("Phone Number", "phone"),
        "title": ("Job Title", "jobtitle"), "account": ("Associated Company IDs", "Associated Company ID"),
        "account_name": ("Associated Company", "Company Name"), "created": ("Create Date", "createdate"),
    },
}
SALESFORCE = {
    "deals": {
        "id": ("Opportunity ID", "Id", "ID"), "name": ("Opportunity Name", "Name"), "stage": ("Stage", "StageName"),
        "amount": ("Amount",), "close": ("Close Date", "CloseDate"), "created": ("Created Date", "CreatedDate"),
        "owner": ("Opportunity Owner", "Owner", "OwnerId"), "account": ("Account ID", "AccountId"),
        "account_name": ("Account Name",), "probability": ("Probability (%)", "Probability"),
        "source": ("Lead Source", "LeadSource"), "type": ("Type",), "next_step": ("Next Step", "NextStep"),
        "description": ("Description",),
    },
    "companies": {
        "id": ("Account ID", "Id", "ID"), "name": ("Account Name", "Name"), "domain": ("Website",),
        "industry": ("Industry",), "employees": ("Employees", "NumberOfEmployees"),
        "revenue": ("Annual Revenue", "AnnualRevenue"), "city": ("Billing City", "BillingCity"),
        "region": ("Billing State/Province", "Billing State", "BillingState"),
        "country": ("Billing Country", "BillingCountry"), "street": ("Billing Street", "BillingStreet"),
        "postal": ("Billing Zip/Postal Code", "BillingPostalCode"), "phone": ("Phone", "Account Phone"),
        "parent": ("Parent Account", "Parent Account ID", "ParentId"), "created": ("Created Date", "CreatedDate"),
    },
    "contacts": {
        "id": ("Contact ID", "Id", "ID"), "first": ("First Name", "FirstName"), "last": ("Last Name", "LastName"),
        "email": ("Email",), "phone": ("Phone",), "title": ("Title",), "account": ("Account ID", "AccountId"),
        "account_name": ("Account Name",), "created": ("Created Date", "CreatedDate"),
    },
}
REQUIRED = {
    "deals": ("id", "name", "stage", "owner"),
    "companies": ("id", "name"),
    "contacts": ("id", "first"),
}
DATE_ENTERED = re.compile(r'^Date entered "(.+?)(?: \((.+)\))?"$')


def _kind(header: list[str], preset: str) -> str | None:
    cols = set(header)
    spec = HUBSPOT if preset == "hubspot" else SALESFORCE
    for kind in ("deals", "contacts", "companies"):
        if all(any(c in cols for c in spec[kind][f]) for f in REQUIRED[kind]):
            if kind == "companies" and any(c in cols for c in spec["deals"]["stage"]):
                continue
            return kind
    return None


class Row:
    """A source row read through the preset's column names."""

    def __init__(self, source: SourceRow, columns: dict[str, tuple[str, ...]], header: list[str]) -> None:
        self.source = source
        self.col = {f: next((c for c in cands if c in header), cands[0]) for f, cands in columns.items()}

    def get(self, field_name: str) -> str:
        return self.source.get(self.col[field_name])


_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S.%fZ", "%Y-%m-%dT%H:%M:%SZ",
            "%Y-%m-%dT%H:%M:%S.%f%z", "%Y-%m-%dT%H:%M:%S%z", "%m/%d/%Y %I:%M %p", "%m/%d/%Y %H:%M", "%m/%d/%Y")


def parse_when(text: str) -> datetime | None:
    """A timestamp (UTC) from the formats the two CRMs export; None when not understood."""
    text = text.strip()
    try:
        day = date.fromisoformat(text)
        return datetime.combine(day, time(0, 0), tzinfo=timezone.utc)
    except ValueError:
        pass
    for fmt in _FORMATS:
        try:
            found = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return found.replace(tzinfo=timezone.utc) if found.tzinfo is None else found.astimezone(timezone.utc)
    return None


def _when(plan: Plan, row: Row, field_name: str) -> datetime | None | bool:
    text = row.get(field_name)
    if not text:
        return None
    found = parse_when(text)
    if found is None:
        plan.reject(row.source, row.col[field_name], f"not a date: {text!r} (YYYY-MM-DD, YYYY-MM-DD HH:MM or MM/DD/YYYY)")
        return False
    return found


def _money(plan: Plan, row: Row, field_name: str) -> int | None | bool:
    text = re.sub(r"^[A-Z]{3}\s+|\s+[A-Z]{3}$", "", row.get(field_name))
    if not text:
        return None
    try:
        return parse_cents(text)
    except MoneyError as exc:
        plan.reject(row.source, row.col[field_name], str(exc))
        return False


def domain_of(text: str) -> str:
    text = text.strip().lower()
    text = re.sub(r"^[a-z]+://", "", text)
    text = text.split("/")[0]
    return text.removeprefix("www.")


def build(paths: list[Path], preset: str, pipeline: PipelineConfig, users: dict[str, str], today: date,
          mapping: Mapping | None = None) -> Plan:
    """`users` maps every existing user's login and display name to the login."""
    mapping = mapping or default_mapping(preset)
    spec = HUBSPOT if preset == "hubspot" else SALESFORCE
    plan = Plan()
    files: dict[str, list[tuple[CsvFile, dict]]] = {"deals": [], "companies": [], "contacts": []}
    for path in paths:
        found = read_csv(path)
        plan.problems.extend(found.problems)
        kind = _kind(found.header, preset) if found.header else None
        if kind is None:
            if found.header:
                plan.notes.append(f"{path}: not a deals, companies or contacts export of {preset}, ignored")
            continue
        files[kind].append((found, spec[kind]))
    if plan.errors:
        return plan
    now = datetime.combine(today, time(0, 0), tzinfo=timezone.utc)
    won_accounts: set[str] = set()
    for csv_file, columns in files["deals"]:
        for source in csv_file.rows:
            row = Row(source, columns, csv_file.header)
            if mapping.stage_for(row.get("stage")) == pipeline.won.id:
                won_accounts.add(row.get("account").split(";")[0].strip() or row.get("account_name"))
    for csv_file, columns in files["companies"]:
        _accounts(plan, csv_file, columns, mapping, won_accounts, now)
    for csv_file, columns in files["contacts"]:
        _contacts(plan, csv_file, columns, now)
    for csv_file, columns in files["deals"]:
        _deals(plan, csv_file, columns, preset, pipeline, users, mapping, today)
    return plan


def _accounts(plan: Plan, csv_file: CsvFile, columns: dict, mapping: Mapping, won: set[str], now: datetime) -> None:
    seen: dict[str, int] = {}
    for source in csv_file.rows:
        row = Row(source, columns, csv_file.header)
        ext, name = row.get("id"), row.get("name")
        if not ext:
            plan.reject(source, row.col["id"], "blank")
            continue
        if ext in seen:
            plan.reject(source, row.col["id"], f"duplicate (first at line {seen[ext]})")
            continue
        seen[ext] = source.line
        problems = len(plan.problems)
        employees_text = row.get("employees").replace(",", "")
        employees = None
        if employees_text:
            try:
                employees = int(float(employees_text))
            except ValueError:
                plan.reject(source, row.col["employees"], f"not a whole number: {employees_text!r}")
        revenue = _money(plan, row, "revenue")
        created = _when(plan, row, "created")
        if len(plan.problems) > problems:
            continue
        t = mapping.thresholds
        if employees is None or employees < t.get("size_small_below", 100):
            size = AccountSize.SMALL
        elif employees < t.get("size_medium_below", 1000):
            size = AccountSize.MEDIUM
        elif employees < t.get("size_large_below", 5000):
            size = AccountSize.LARGE
        else:
            size = AccountSize.ENTERPRISE
        country = row.get("country")
        try:
            record = r.Account(
                external_id=ext, name=name, domain=domain_of(row.get("domain")), phone=row.get("phone"),
                industry=mapping.industry_for(row.get("industry")), size=size, annual_revenue_cents=revenue,
                hq_street=row.get("street"), hq_city=row.get("city"), hq_region=row.get("region"),
                hq_postal_code=row.get("postal"), hq_country=mapping.countries.get(country, country),
                status=AccountStatus.CUSTOMER if (ext in won or name in won) else AccountStatus.PROSPECT,
                created_at=created or now, updated_at=created or now,
            )
        except ValidationError as exc:
            plan.reject_validation(source, exc, {
                "external_id": row.col["id"], "name": row.col["name"], "domain": row.col["domain"],
                "phone": row.col["phone"], "hq_city": row.col["city"], "hq_region": row.col["region"],
                "hq_country": row.col["country"], "hq_street": row.col["street"],
                "hq_postal_code": row.col["postal"], "annual_revenue_cents": row.col["revenue"]})
            continue
        plan.accounts.append(StagedAccount(ext, record, source, row.get("parent") or None,
                                           {"parent": row.col["parent"], "name": row.col["name"]}, strict=True))


def _contacts(plan: Plan, csv_file: CsvFile, columns: dict, now: datetime) -> None:
    seen: dict[str, int] = {}
    emails: dict[str, int] = {}
    for source in csv_file.rows:
        row = Row(source, columns, csv_file.header)
        ext = row.get("id")
        if not ext:
            plan.reject(source, row.col["id"], "blank")
            continue
        if ext in seen:
            plan.reject(source, row.col["id"], f"duplicate (first at line {seen[ext]})")
            continue
        seen[ext] = source.line
        created = _when(plan, row, "created")
        if created is False:
            continue
        email = row.get("email") or None
        if email and email.lower() in emails:
            plan.warn(source, row.col["email"], f"same e-mail as line {emails[email.lower()]}: "
                      "the same contact, not imported twice")
            continue
        try:
            record = r.Contact(external_id=ext, first_name=row.get("first"), last_name=row.get("last"),
                               title=row.get("title"), email=email, phone=row.get("phone"),
                               created_at=created or now, updated_at=created or now)
        except ValidationError as exc:
            plan.reject_validation(source, exc, {"external_id": row.col["id"], "first_name": row.col["first"],
                                                 "last_name": row.col["last"], "title": row.col["title"],
                                                 "email": row.col["email"], "phone": row.col["phone"]})
            continue
        if email:
            emails[email.lower()] = source.line
        account_col = row.col["account"] if row.get("account") else row.col["account_name"]
        account = row.get("account").split(";")[0].strip() or row.get("account_name") or None
        plan.contacts.append(StagedContact(ext, record, source, account, {"account": account_col}))


def _deals(plan: Plan, csv_file: CsvFile, columns: dict, preset: str, pipeline: PipelineConfig,
           users: dict[str, str], mapping: Mapping, today: date) -> None:
    entered_columns = []
    for column in csv_file.header:
        match = DATE_ENTERED.match(column)
        if match:
            entered_columns.append((column, match.group(1), match.group(2)))
    seen: dict[str, int] = {}
    for source in csv_file.rows:
        row = Row(source, columns, csv_file.header)
        ext = row.get("id")
        if not ext:
            plan.reject(source, row.col["id"], "blank")
            continue
        if ext in seen:
            plan.reject(source, row.col["id"], f"duplicate (first at line {seen[ext]})")
            continue
        seen[ext] = source.line
        problems = len(plan.problems)
        owner_text = row.get("owner")
        owner = mapping.owners.get(owner_text, owner_text)
        login = users.get(owner) if owner else None
        if not owner_text:
            plan.reject(source, row.col["owner"], "blank: every opportunity needs an owner")
        elif login is None:
            plan.reject(source, row.col["owner"], f"unknown owner {owner_text!r}: no Pantry user has that login or "
                        "display name (map it in the mapping's [owners] table)")
        source_stage = row.get("stage")
        stage_id = mapping.stage_for(source_stage)
        if stage_id is None:
            plan.reject(source, row.col["stage"], f"unknown stage {source_stage!r} (map it in the mapping's [stages] table)")
        elif not pipeline.has(stage_id):
            plan.reject(source, row.col["stage"], f"{source_stage!r} maps to {stage_id!r}, which is not a stage of the pipeline")
        amount = _money(plan, row, "amount")
        created = _when(plan, row, "created")
        closed = _when(plan, row, "close")
        probability = None
        if "probability" in row.col and row.get("probability"):
            try:
                probability = int(float(row.get("probability").rstrip("%")))
            except ValueError:
                plan.reject(source, row.col["probability"], f"not a number: {row.get('probability')!r}")
        history_points: list[tuple[datetime, str, str]] = []
        for column, stage_name, pipeline_name in entered_columns:
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
            history_points.append((when, mapped, column))
        if len(plan.problems) > problems:
            continue
        stage = pipeline.stage(stage_id)
        value = amount or 0
        if created is None:
            created = min((p[0] for p in history_points), default=None)
        if created is None:
            plan.reject(source, row.col["created"], "blank: the deal's creation date is needed")
            continue
        if closed is None:
            if not stage.is_open:
                plan.reject(source, row.col["close"], f"a {source_stage} deal needs its close date")
                continue
            plan.reject(source, row.col["close"], "blank: an open deal needs its expected close date")
            continue
        # history: the date-entered columns in time order (same stage twice: the first entry),
        # ending in the current stage; without them, one change into the current stage
        history_points.sort(key=lambda p: p[0])
        history: list[StagedHistory] = []
        previous: str | None = None
        for when, stage_name, _column in history_points:
            if stage_name == previous:
                continue
            history.append(StagedHistory(previous, stage_name, when, value, pipeline.stage(stage_name).probability))
            previous = stage_name
        if previous != stage.id:
            when = created if stage.is_open else max(closed, history[-1].changed_at if history else closed)
            if history and when < history[-1].changed_at:
                when = history[-1].changed_at
            history.append(StagedHistory(previous, stage.id, when, value, stage.probability))
        entered = history[-1].changed_at
        final_probability = stage.probability if probability is None else probability
        account_col = row.col["account"] if row.get("account") else row.col.get("account_name", row.col["account"])
        account = row.get("account").split(";")[0].strip() or (row.get("account_name") if "account_name" in row.col else "")
        try:
            record = r.Opportunity(
                external_id=ext, name=row.get("name"), stage=stage.id, probability=final_probability,
                probability_overridden=final_probability != stage.probability, value_cents=value,
                started_on=created.date(), expected_close_date=closed.date(),
                actual_close_date=None if stage.is_open else closed.date(),
                source=(row.get("source") if "source" in row.col else "") or mapping.source,
                owner_id=0, forecast_category=stage.forecast_category, stage_entered_at=entered,
                next_step=row.get("next_step") if "next_step" in row.col else "",
                description=row.get("description") if "description" in row.col else "",
                created_at=created, updated_at=max(entered, created),
            )
        except ValidationError as exc:
            plan.reject_validation(source, exc, {"name": row.col["name"], "external_id": row.col["id"],
                                                 "value_cents": row.col["amount"], "probability": row.col.get("probability", "-"),
                                                 "expected_close_date": row.col["close"], "started_on": row.col["created"],
                                                 "actual_close_date": row.col["close"], "source": row.col.get("source", "-")})
            continue
        plan.opportunities.append(StagedOpportunity(
            ext, record, source, login, account or None, lines=[], history=history,
            columns={"owner": row.col["owner"], "account": account_col},
        ))


