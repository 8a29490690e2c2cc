"""People in HubSpot and Salesforce exports: contacts, and leads — HubSpot contacts whose
lifecycle stage is before "Opportunity" (Subscriber, Lead, MQL, SQL), Salesforce Lead exports."""

from __future__ import annotations

from domain import records as r
from domain.enums import LeadStatus
from domain.importing import crm_columns as cc
from domain.importing.crm import Columns, Reader, Row
from domain.importing.csvfile import CsvFile
from domain.importing.keys import email_key, phone_key
from domain.importing.plan import StagedContact, StagedLead
from domain.importing.values import first_id, letters

CONTACT_SOURCES = {
    "external_id": "id", "first_name": "first", "last_name": "last", "title": "title", "email": "email",
    "phone": "phone", "account_id": "account",
}
LEAD_SOURCES = {
    "external_id": "id", "name": "first", "company": "company", "title": "title", "email": "email",
    "phone": "phone", "source": "source", "status": "status", "score": "score", "owner_id": "owner",
    "notes": "description", "converted_at": "converted_on",
}


def contacts(reader: Reader, csv_file: CsvFile, columns: Columns) -> None:
    """A contacts export: each row a contact — or, for HubSpot, a lead when its lifecycle stage says so."""
    plan = reader.plan
    fields = columns.record_fields(CONTACT_SOURCES) - {"external_id"}
    if columns.has("account_name"):
        fields |= {"account_id"}
    if columns.has("last"):
        fields |= {"last_name"}
    emails: dict[str, int] = {}
    lead_rows = _LeadDuplicates(reader)
    for row in reader.rows(csv_file, columns):
        lifecycle = letters(row.get("lifecycle"))
        if reader.preset == "hubspot" and lifecycle in cc.HUBSPOT_LEAD_LIFECYCLES:
            _hubspot_lead(reader, row, lead_rows, cc.HUBSPOT_LEAD_LIFECYCLES[lifecycle])
            continue
        created = reader.when(row, "created")
        if created is False:
            continue
        email = row.get("email") or None
        if email and email.lower() in emails:
            plan.warn(row.source, row.col["email"], f"same e-mail as line {emails[email.lower()]}: "
                      "the same contact, not imported twice")
            continue
        record = reader.validated(row, r.Contact, dict(
            external_id=row.get("id"), first_name=row.get("first"), last_name=row.get("last"),
            title=row.get("title"), email=email, phone=row.get("phone") or row.get("mobile"),
            created_at=created or reader.now, updated_at=created or reader.now,
        ), CONTACT_SOURCES)
        if record is None:
            continue
        if email:
            emails[email.lower()] = row.source.line
        account_col = row.col["account"] if row.get("account") else row.col["account_name"]
        account = first_id(row.get("account")) or row.get("account_name") or None
        plan.contacts.append(StagedContact(row.get("id"), record, row.source, account,
                                           {"account": account_col, "id": row.col["id"]},
                                           fields=fields))


class _LeadDuplicates:
    """Within one file, a lead repeating an earlier row's e-mail or phone is the same lead."""

    def __init__(self, reader: Reader) -> None:
        self.reader = reader
        self.seen: dict[str, int] = {}

    def repeated(self, row: Row, record: r.Lead) -> bool:
        for key, column in ((email_key(record.email), "email"), (phone_key(record.phone), "phone")):
            if key and key in self.seen:
                self.reader.plan.warn(row.source, row.col[column], f"same {'e-mail' if column == 'email' else 'phone'} "
                                      f"as line {self.seen[key]}: the same lead, not imported twice")
                return True
        for key in (email_key(record.email), phone_key(record.phone)):
            if key:
                self.seen[key] = row.source.line
        return False


def _lead_fields(columns: Columns, status_column: str) -> frozenset[str]:
    sources = dict(LEAD_SOURCES, status=status_column)
    fields = columns.record_fields(sources) - {"external_id", "name"}
    if columns.has("first") or columns.has("last"):
        fields |= {"name"}
    if columns.has("account_name") or columns.has("company"):
        fields |= {"company"}
    return fields


def _hubspot_lead(reader: Reader, row: Row, seen: _LeadDuplicates, lifecycle_status: str) -> None:
    plan, columns = reader.plan, row.columns
    problems = len(plan.problems)
    created = reader.when(row, "created")
    owner = reader.owner(row)
    status_text = row.get("lead_status")
    status = reader.mapping.lead_status_for(status_text) if status_text else LeadStatus(lifecycle_status)
    if status is None:
        plan.reject(row.source, row.col["lead_status"], f"unknown lead status {status_text!r} "
                    "(map it in the mapping's [lead_statuses] table)")
    score = reader.whole(row, "score")
    if created is None:
        plan.reject(row.source, row.col["created"], "blank: a lead's creation date is needed")
    if len(plan.problems) > problems:
        return
    lead = _lead(reader, row, dict(
        external_id=row.get("id"), name=f"{row.get('first')} {row.get('last')}".strip(),
        company=row.get("company") or row.get("account_name"), title=row.get("title"),
        email=row.get("email") or None, phone=row.get("phone") or row.get("mobile"), source=row.get("source"),
        status=status, score=min(max(score or 0, 0), 100), created_at=created,
    ), dict(LEAD_SOURCES, status="lead_status"))
    if lead is None or seen.repeated(row, lead):
        return
    fields = _lead_fields(columns, "lead_status")
    if columns.has("lifecycle"):
        fields |= {"status"}
    plan.leads.append(StagedLead(row.get("id"), lead, row.source, owner or None,
                                 {"owner": row.col["owner"], "email": row.col["email"], "id": row.col["id"]}, fields))


def leads(reader: Reader, csv_file: CsvFile, columns: Columns) -> None:
    """A Salesforce Lead export (report or Data Loader)."""
    plan = reader.plan
    seen = _LeadDuplicates(reader)
    fields = _lead_fields(columns, "status")
    for row in reader.rows(csv_file, columns):
        problems = len(plan.problems)
        created = reader.when(row, "created")
        converted_on = reader.when(row, "converted_on")
        owner = reader.owner(row)
        status_text = row.get("status")
        status = reader.mapping.lead_status_for(status_text) if status_text else LeadStatus.NEW
        if status is None and "lead_statuses" not in reader.mapping.given:
            status = _auto_status(reader, csv_file.name, status_text)
        if status is None:
            plan.reject(row.source, row.col["status"], f"unknown lead status {status_text!r} "
                        "(map it in the mapping's [lead_statuses] table)")
        if row.get("converted").lower() in ("true", "1", "yes"):
            status = LeadStatus.CONVERTED
        if created is None:
            plan.reject(row.source, row.col["created"], "blank: a lead's creation date is needed")
        if len(plan.problems) > problems:
            continue
        if status is LeadStatus.CONVERTED and converted_on is None:
            converted_on = created
        lead = _lead(reader, row, dict(
            external_id=row.get("id"),
            name=f"{row.get('first')} {row.get('last')}".strip() if row.has("last") else row.get("full_name"),
            company=row.get("company"), title=row.get("title"), email=row.get("email") or None,
            phone=row.get("phone") or row.get("mobile"), source=row.get("source"), status=status,
            notes=row.get("description"), created_at=created,
            converted_at=converted_on if status is LeadStatus.CONVERTED else None,
        ), LEAD_SOURCES)
        if lead is None or seen.repeated(row, lead):
            continue
        converted = {kind: row.get(f"converted_{kind}") for kind in ("account", "contact", "opportunity")
                     if row.get(f"converted_{kind}")}
        plan.leads.append(StagedLead(row.get("id"), lead, row.source, owner or None,
                                     {"owner": row.col["owner"], "email": row.col["email"], "id": row.col["id"],
                                      **{f"converted_{k}": row.col[f"converted_{k}"] for k in converted}},
                                     fields | ({"converted_at"} if columns.has("converted") else set()),
                                     converted_keys=converted))


# an org's own lead statuses, by a word they contain (first match wins); see docs/import.md
STATUS_WORDS = (
    (("notcontact", "uncontact"), LeadStatus.NEW),
    (("unqualif", "disqualif", "notqualif", "notconvert", "reject", "archiv", "dead", "junk", "lost", "closed",
      "bad", "recycl"), LeadStatus.UNQUALIFIED),
    (("qualif", "convert", "approv", "accept", "sql", "mql"), LeadStatus.QUALIFIED),
    (("work", "contact", "progress", "pending", "submit", "attempt", "nurtur", "engag", "respond"),
     LeadStatus.CONTACTED),
    (("new", "open", "draft", "notcontact", "untouched", "fresh"), LeadStatus.NEW),
)


def _auto_status(reader: Reader, file_name: str, text: str) -> LeadStatus | None:
    """An org's lead status no table names, by a word in it — told once per status in the report."""
    seen = reader.__dict__.setdefault("auto_statuses", {})
    if text not in seen:
        squeezed = letters(text)
        found = next(((word, status) for words, status in STATUS_WORDS for word in words if word in squeezed), None)
        seen[text] = found[1] if found else None
        reader.plan.notes.append(f"{file_name}: lead status {text!r} -> "
                                 + (f"{found[1].value} (contains {found[0]!r})" if found
                                    else "unmapped (no word says what it is: map it in [lead_statuses])"))
    return seen[text]


def _lead(reader: Reader, row: Row, values: dict, sources: dict[str, str]) -> r.Lead | None:
    return reader.validated(row, r.Lead, values, sources)
