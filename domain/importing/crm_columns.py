"""The column names of HubSpot and Salesforce exports, and their default value mappings.

Each file kind maps a logical field to its candidate columns: report / export labels first, then
the API names that Data Loader and API exports use. A file's kind is recognised by its header:
the first kind (in `KINDS` order) whose required fields all have a column.
"""

from __future__ import annotations

KINDS = ("deals", "leads", "activities", "contacts", "companies", "users", "products", "history", "line_items")
# what each kind is called in the report
KIND_NAMES = {"deals": "opportunities", "leads": "leads", "activities": "activities", "contacts": "contacts",
              "companies": "accounts", "users": "users", "products": "products", "history": "stage history",
              "line_items": "line items"}

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
# source lead status (label or internal value) -> LeadStatus
HUBSPOT_LEAD_STATUSES = {
    "New": "new", "Open": "new", "In Progress": "contacted", "Attempted to Contact": "contacted",
    "Connected": "contacted", "Open Deal": "qualified", "Unqualified": "unqualified", "Bad Timing": "unqualified",
    "IN_PROGRESS": "contacted", "ATTEMPTED_TO_CONTACT": "contacted", "OPEN_DEAL": "qualified",
    "BAD_TIMING": "unqualified",
}
SALESFORCE_LEAD_STATUSES = {
    "Open - Not Contacted": "new", "Working - Contacted": "contacted", "Closed - Converted": "converted",
    "Closed - Not Converted": "unqualified", "Open": "new", "Contacted": "contacted", "Qualified": "qualified",
    "Unqualified": "unqualified",
}
# HubSpot lifecycle stages (letters only, lower case) that make a contact row a lead
HUBSPOT_LEAD_LIFECYCLES = {"subscriber": "new", "lead": "new", "marketingqualifiedlead": "new",
                           "salesqualifiedlead": "qualified"}
# activity type (letters only, lower case) -> ActivityKind; anything else is a note
ACTIVITY_KINDS = {"call": "call", "email": "email", "incomingemail": "email", "forwardedemail": "email",
                  "listemail": "email", "meeting": "meeting", "note": "note", "demo": "demo",
                  "presentation": "presentation", "event": "meeting"}

HUBSPOT: dict[str, dict[str, tuple[str, ...]]] = {
    "deals": {
        "id": ("Record ID", "Deal ID", "hs_object_id"), "name": ("Deal Name", "dealname"),
        "stage": ("Deal Stage", "dealstage"), "amount": ("Amount", "amount"),
        "close": ("Close Date", "closedate"), "created": ("Create Date", "createdate"),
        "owner": ("Deal owner", "Deal Owner", "hubspot_owner_id"), "pipeline": ("Pipeline", "pipeline"),
        "account": ("Associated Company IDs", "Associated Company ID", "Associated Company IDs (Primary)"),
        "account_name": ("Associated Company", "Associated Company (Primary)"),
        "contacts": ("Associated Contact IDs", "Associated Contact ID"),
        "source": ("Original Source Type", "Deal Source"), "type": ("Deal Type", "dealtype"),
        "description": ("Deal Description", "description"), "next_step": ("Next step", "Next Step", "hs_next_step"),
        "won": ("Is Closed Won", "hs_is_closed_won"), "closed": ("Is closed", "Is Closed", "hs_is_closed"),
        "stage_probability": ("Deal probability", "Deal Stage Probability", "hs_deal_stage_probability"),
        "forecast": ("Forecast category", "Forecast Category", "hs_manual_forecast_category"),
        "days_to_close": ("DaysToClose", "Days To Close", "Days to close"),
    },
    "companies": {
        "id": ("Record ID", "Company ID", "hs_object_id"), "name": ("Company name", "Company Name", "name"),
        "domain": ("Company Domain Name", "Website URL", "domain"), "industry": ("Industry", "industry"),
        "employees": ("Number of Employees", "numberofemployees"), "revenue": ("Annual Revenue", "annualrevenue"),
        "city": ("City", "city"), "region": ("State/Region", "state"), "country": ("Country/Region", "country"),
        "street": ("Street Address", "address"), "postal": ("Postal Code", "zip"), "phone": ("Phone Number", "phone"),
        "parent": ("Parent Company", "Parent Company ID", "hs_parent_company_id"), "created": ("Create Date", "createdate"),
        "owner": ("Company owner", "Company Owner", "hubspot_owner_id"),
    },
    "contacts": {
        "id": ("Record ID", "Contact ID", "hs_object_id"), "first": ("First Name", "firstname"),
        "last": ("Last Name", "lastname"), "email": ("Email", "email"), "phone": ("Phone Number", "phone"),
        "mobile": ("Mobile Phone Number", "mobilephone"),
        "title": ("Job Title", "jobtitle"), "account": ("Associated Company IDs", "Associated Company ID"),
        "account_name": ("Associated Company", "Company Name", "company"), "created": ("Create Date", "createdate"),
        "lifecycle": ("Lifecycle Stage", "lifecyclestage"), "lead_status": ("Lead Status", "hs_lead_status"),
        "owner": ("Contact owner", "Contact Owner", "hubspot_owner_id"),
        "source": ("Original Source", "Original source", "hs_analytics_source"),
        "score": ("HubSpot Score", "hubspotscore"), "company": ("Company Name", "company", "Associated Company"),
    },
    "activities": {
        "id": ("Record ID", "Activity ID", "Engagement ID", "hs_object_id"),
        "type": ("Activity type", "Activity Type", "Engagement type", "hs_engagement_type"),
        "when": ("Activity date", "Activity Date", "hs_timestamp"),
        "owner": ("Activity assigned to", "Assigned to", "hubspot_owner_id"),
        "title": ("Call Title", "Call title", "hs_call_title", "Meeting name", "hs_meeting_title",
                  "Email subject", "hs_email_subject", "Task title", "hs_task_subject", "Subject"),
        "body": ("Call notes", "hs_call_body", "Meeting description", "hs_meeting_body", "Email body",
                 "hs_email_text", "Note body", "hs_note_body", "Task notes", "hs_task_body", "Body"),
        "duration": ("Call duration", "hs_call_duration"),
        "start": ("Meeting start time", "hs_meeting_start_time"), "end": ("Meeting end time", "hs_meeting_end_time"),
        "location": ("Meeting location", "hs_meeting_location"),
        "meeting_outcome": ("Meeting outcome", "hs_meeting_outcome"),
        "task_status": ("Task status", "hs_task_status"), "task_type": ("Task type", "hs_task_type"),
        "completed": ("Task completion date", "hs_task_completion_date"),
        "deal": ("Associated Deal IDs", "Associated Deal ID"), "person": ("Associated Contact IDs", "Associated Contact ID"),
        "company": ("Associated Company IDs", "Associated Company ID"), "created": ("Create date", "Create Date", "hs_createdate"),
    },
}
# the kind an activity file holds when it has no type column: by its title or body column
HUBSPOT_KIND_BY_COLUMN = {
    "Call Title": "call", "Call title": "call", "hs_call_title": "call", "Call notes": "call", "hs_call_body": "call",
    "Meeting name": "meeting", "hs_meeting_title": "meeting", "Meeting description": "meeting",
    "hs_meeting_body": "meeting", "Email subject": "email", "hs_email_subject": "email", "Email body": "email",
    "hs_email_text": "email", "Note body": "note", "hs_note_body": "note", "Task title": "task",
    "hs_task_subject": "task", "Task notes": "task", "hs_task_body": "task",
}

SALESFORCE: dict[str, dict[str, tuple[str, ...]]] = {
    "deals": {
        "id": ("Opportunity ID", "Id", "ID"), "name": ("Opportunity Name", "Name"), "stage": ("Stage", "StageName"),
        "amount": ("Amount",), "close": ("Close Date", "CloseDate"), "created": ("Created Date", "CreatedDate"),
        "owner": ("Opportunity Owner", "Owner", "OwnerId"), "account": ("Account ID", "AccountId"),
        "account_name": ("Account Name",), "probability": ("Probability (%)", "Probability"),
        "source": ("Lead Source", "LeadSource"), "type": ("Type",), "next_step": ("Next Step", "NextStep"),
        "description": ("Description",), "contacts": ("Contact ID", "ContactId"),
        "won": ("IsWon", "Won"), "closed": ("IsClosed", "Closed"),
        "forecast": ("ForecastCategoryName", "Forecast Category", "ForecastCategory"),
        "stage_probability": ("Stage.DefaultProbability",),
        "days_to_close": ("DaysToClose", "Days To Close"),
    },
    "companies": {
        "id": ("Account ID", "Id", "ID"), "name": ("Account Name", "Name"), "domain": ("Website",),
        "industry": ("Industry",), "employees": ("Employees", "NumberOfEmployees"),
        "revenue": ("Annual Revenue", "AnnualRevenue"), "city": ("Billing City", "BillingCity"),
        "region": ("Billing State/Province", "Billing State", "BillingState"),
        "country": ("Billing Country", "BillingCountry"), "street": ("Billing Street", "BillingStreet"),
        "postal": ("Billing Zip/Postal Code", "BillingPostalCode"), "phone": ("Phone", "Account Phone"),
        "parent": ("Parent Account", "Parent Account ID", "ParentId"), "created": ("Created Date", "CreatedDate"),
        "owner": ("Account Owner", "OwnerId"),
    },
    "contacts": {
        "id": ("Contact ID", "Id", "ID"), "first": ("First Name", "FirstName"), "last": ("Last Name", "LastName"),
        "email": ("Email",), "phone": ("Phone",), "mobile": ("Mobile", "MobilePhone"), "title": ("Title",),
        "account": ("Account ID", "AccountId"), "account_name": ("Account Name",),
        "created": ("Created Date", "CreatedDate"),
    },
    "leads": {
        "id": ("Lead ID", "Id", "ID"), "first": ("First Name", "FirstName"), "last": ("Last Name", "LastName"),
        "full_name": ("Name", "Full Name", "Lead Name"),
        "company": ("Company / Account", "Company"), "title": ("Title",), "email": ("Email",), "phone": ("Phone",),
        "mobile": ("Mobile", "Mobile Phone", "MobilePhone"), "source": ("Lead Source", "LeadSource"),
        "status": ("Lead Status", "Status"), "owner": ("Lead Owner", "Owner", "OwnerId"),
        "created": ("Create Date", "Created Date", "CreatedDate"), "description": ("Description",),
        "converted": ("Converted", "IsConverted"), "converted_on": ("Converted Date", "ConvertedDate"),
        "converted_account": ("Converted Account ID", "ConvertedAccountId"),
        "converted_contact": ("Converted Contact ID", "ConvertedContactId"),
        "converted_opportunity": ("Converted Opportunity ID", "ConvertedOpportunityId"),
    },
    "activities": {
        "id": ("Activity ID", "Id", "ID"), "subject": ("Subject",), "type": ("Type", "Activity Type"),
        "subtype": ("TaskSubtype", "EventSubtype", "Task Subtype", "Event Subtype"),
        "date": ("Date", "Due Date", "ActivityDate"), "start": ("Start", "StartDateTime"),
        "end": ("End", "EndDateTime"), "status": ("Status",), "closed": ("IsClosed", "Closed"),
        "is_task": ("Task", "IsTask"), "owner": ("Assigned", "Assigned To", "OwnerId"),
        "description": ("Comments", "Full Comments", "Description"),
        "who": ("WhoId", "Name ID", "Contact ID", "Lead ID"), "what": ("WhatId", "Related To ID", "Opportunity ID"),
        "account": ("Account ID", "AccountId"), "duration": ("Duration", "DurationInMinutes"),
        "call_duration": ("Call Duration", "CallDurationInSeconds"), "location": ("Location",),
        "completed": ("Completed Date/Time", "CompletedDateTime"), "created": ("Created Date", "CreatedDate"),
    },
    "users": {
        "id": ("Id", "User ID", "ID"), "name": ("Name", "Full Name"), "first": ("FirstName", "First Name"),
        "last": ("LastName", "Last Name"), "email": ("Email", "E-mail"), "username": ("Username", "User Name"),
        "manager": ("ManagerId", "Manager ID"), "active": ("IsActive", "Active"),
        "created": ("CreatedDate", "Created Date"),
    },
    "products": {
        "id": ("Id", "Product ID", "ID"), "name": ("Name", "Product Name"), "code": ("ProductCode", "Product Code"),
        "family": ("Family", "Product Family"), "active": ("IsActive", "Active"),
        "description": ("Description", "Product Description"), "price": ("UnitPrice", "List Price"),
    },
    "line_items": {
        "id": ("Id", "Line Item ID", "ID"), "opportunity": ("OpportunityId", "Opportunity ID"),
        "product": ("Product2Id", "Product ID", "PricebookEntry.Product2Id"),
        "product_name": ("Product Name", "Product2.Name", "Name"), "quantity": ("Quantity",),
        "unit_price": ("UnitPrice", "Sales Price"), "total": ("TotalPrice", "Total Price"),
    },
    "history": {
        "opportunity": ("OpportunityId", "Opportunity ID"), "stage": ("StageName", "Stage"),
        "when": ("ValidFromDate", "CreatedDate", "Created Date", "Last Modified"), "amount": ("Amount",),
        "probability": ("Probability", "Probability (%)"), "close": ("CloseDate", "Close Date"),
        "forecast": ("ForecastCategory", "ForecastCategoryName", "Forecast Category"),
    },
}

REQUIRED = {
    "hubspot": {
        "deals": ("id", "name", "stage", "owner"),
        "activities": ("id", "when"),
        "contacts": ("id", "first"),
        "companies": ("id", "name"),
    },
    "salesforce": {
        "deals": ("id", "name", "stage", "owner"),
        "leads": ("id", ("last", "full_name"), "company"),
        "activities": ("id", "subject", "owner"),
        "contacts": ("id", "first"),
        "companies": ("id", "name"),
        "users": ("id", ("username", "email"), ("name", "last")),
        "products": ("id", "name"),
        "history": ("opportunity", "stage", "when"),
        "line_items": ("opportunity", ("product", "product_name"), "quantity"),
    },
}
# Salesforce object names (letters only, lower case) a file name may contain, most specific first
SALESFORCE_OBJECTS = (
    ("opportunitylineitem", "line_items"), ("opportunityhistory", "history"), ("pipelinetrending", "history"),
    ("opportunity", "deals"), ("account", "companies"), ("contact", "contacts"), ("lead", "leads"),
    ("userrole", "roles"), ("user", "users"), ("owner", "users"), ("product", "products"), ("task", "activities"),
    ("event", "activities"),
)


# Data Loader upsert files name records by an external id field and references by the relationship's
# external id (`Owner.External_Id__c`); a custom field may repeat a standard one (`CreatedDate__c`)
EXTERNAL_REFERENCES = {"id": "External_Id__c", "owner": "Owner.External_Id__c", "account": "Account.External_Id__c",
                       "manager": "Manager.External_Id__c", "opportunity": "Opportunity.External_Id__c",
                       "product": "Product2.External_Id__c", "parent": "Parent.External_Id__c"}


def _with_upsert_columns(columns: dict[str, dict[str, tuple[str, ...]]]) -> dict[str, dict[str, tuple[str, ...]]]:
    out = {}
    for kind, fields in columns.items():
        out[kind] = {}
        for field_name, cands in fields.items():
            extra = tuple(c + "__c" for c in cands if c.isidentifier())
            if field_name in EXTERNAL_REFERENCES:
                extra += (EXTERNAL_REFERENCES[field_name],)
            out[kind][field_name] = cands + tuple(c for c in extra if c not in cands)
    return out


SALESFORCE_READ = _with_upsert_columns(SALESFORCE)
SALESFORCE_READ["deals"]["name"] += ("OpportunityName",)
SALESFORCE_READ["deals"]["owner"] = SALESFORCE_READ["deals"]["owner"][:3] + ("OpportunityOwner",) \
    + SALESFORCE_READ["deals"]["owner"][3:]


def spec(preset: str) -> dict[str, dict[str, tuple[str, ...]]]:
    return HUBSPOT if preset == "hubspot" else SALESFORCE_READ


def kind_by_name(file_name: str, preset: str) -> str | None:
    """The Salesforce object a file's name says it holds (any case, with a prefix or suffix)."""
    if preset != "salesforce":
        return None
    letters = "".join(c for c in file_name.rsplit(".", 1)[0].lower() if c.isalnum())
    return next((kind for obj, kind in SALESFORCE_OBJECTS if obj in letters), None)


# what a file whose name says its kind needs (less than recognising it by its columns alone)
BY_NAME_REQUIRED = {"salesforce": {"leads": ("id", ("last", "full_name"))}}


def has_required(header: list[str], preset: str, kind: str, *, by_name: bool = False) -> bool:
    cols, columns = set(header), spec(preset)
    required = REQUIRED[preset].get(kind)
    if by_name:
        required = BY_NAME_REQUIRED.get(preset, {}).get(kind, required)
    if required is None:
        return False
    return all(any(c in cols for f in ((need,) if isinstance(need, str) else need) for c in columns[kind][f])
               for need in required)


def missing_columns(header: list[str], preset: str, kind: str) -> list[str]:
    """The columns (or alternatives) of `kind` that the header lacks."""
    cols, columns, out = set(header), spec(preset), []
    for need in REQUIRED[preset].get(kind, ()):
        options = (need,) if isinstance(need, str) else need
        if not any(c in cols for f in options for c in columns[kind][f]):
            out.append(" or ".join(" / ".join(columns[kind][f][:2]) for f in options))
    return out


def required_columns(preset: str) -> list[str]:
    """Each kind and the columns it needs, for the message about a file read as nothing."""
    columns, out = spec(preset), []
    for kind, required in REQUIRED[preset].items():
        needs = []
        for need in required:
            options = (need,) if isinstance(need, str) else need
            needs.append(" or ".join(" / ".join(columns[kind][f][:2]) for f in options))
        out.append(f"{KIND_NAMES[kind]}: {', '.join(needs)}")
    return out


def kind_of(header: list[str], preset: str) -> str | None:
    """Which export a header belongs to (None: not one of the preset's)."""
    cols = set(header)
    columns = spec(preset)
    stage_columns = columns["deals"]["stage"]
    if preset == "salesforce" and not has_required(header, preset, "deals"):
        # objects whose Id and Name columns every object has: by a column only they have
        if has_required(header, preset, "history"):
            return "history"
        if has_required(header, preset, "users") and any(c in cols for c in columns["users"]["username"]):
            return "users"
        if has_required(header, preset, "products") and any(c in cols for c in columns["products"]["code"]):
            return "products"
    for kind in KINDS:
        if kind in ("users", "products", "history", "line_items") or not has_required(header, preset, kind):
            continue
        if kind != "deals" and any(c in cols for c in stage_columns):
            continue  # a deals export with extra columns
        if kind == "activities" and preset == "hubspot" and not (
                any(c in cols for c in columns[kind]["type"]) or any(c in cols for c in HUBSPOT_KIND_BY_COLUMN)):
            continue
        return kind
    return None
