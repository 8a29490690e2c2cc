"""Pydantic records: the shape of every CRM entity as the rest of the program sees it.

Field names match the store's columns one to one (a foreign key `owner` is `owner_id`
here), so the store maps rows to records in one generic place (`store/mapping.py`).
Validation that belongs to the data itself (ranges, formats, required text) lives here;
rules that need other records live in the services.
"""

from domain.records.accounts import (
    Account,
    AccountLocation,
    AccountTeamMember,
    Contact,
    Contract,
)
from domain.records.activities import Activity, Participant
from domain.records.automation import AutomationRun, OutboxMessage
from domain.records.base import Record
from domain.records.history import AuditEntry, ForecastSnapshot, PipelineVersion, StageChange
from domain.records.leads import Lead, LeadSource
from domain.records.people import Quota, User
from domain.records.sales import (
    Battlecard,
    Competitor,
    LineItem,
    Opportunity,
    OpportunityCompetitor,
    Product,
)
from domain.records.work import Document, Notification, Proposal, Task

__all__ = [
    "Account",
    "AccountLocation",
    "AccountTeamMember",
    "Activity",
    "AuditEntry",
    "AutomationRun",
    "Battlecard",
    "Competitor",
    "Contact",
    "Contract",
    "Document",
    "ForecastSnapshot",
    "Lead",
    "LeadSource",
    "LineItem",
    "Notification",
    "Opportunity",
    "OpportunityCompetitor",
    "OutboxMessage",
    "Participant",
    "PipelineVersion",
    "Product",
    "Proposal",
    "Quota",
    "Record",
    "StageChange",
    "Task",
    "User",
]
