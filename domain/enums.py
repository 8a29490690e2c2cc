"""Closed vocabularies of the CRM, as string enums (stored by value)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    REP = "rep"
    MANAGER = "manager"
    ADMIN = "admin"


class QuotaPeriod(StrEnum):
    MONTH = "month"
    QUARTER = "quarter"


class Industry(StrEnum):
    RESTAURANT = "restaurant"
    QSR_CHAIN = "qsr_chain"
    HOTEL = "hotel"
    SCHOOL_DISTRICT = "school_district"
    HOSPITAL = "hospital"
    CATERER = "caterer"
    GROCERY = "grocery"
    DISTRIBUTOR = "distributor"
    UNIVERSITY = "university"
    SENIOR_LIVING = "senior_living"
    CORPORATE_DINING = "corporate_dining"
    OTHER = "other"


class AccountSize(StrEnum):
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"
    ENTERPRISE = "enterprise"


class AccountStatus(StrEnum):
    PROSPECT = "prospect"
    CUSTOMER = "customer"
    PARTNER = "partner"
    INACTIVE = "inactive"


class AccountTier(StrEnum):
    STRATEGIC = "strategic"
    KEY = "key"
    STANDARD = "standard"
    BASIC = "basic"


class TeamRole(StrEnum):
    ACCOUNT_MANAGER = "account_manager"
    SALES_REP = "sales_rep"
    SUPPORT = "support"
    TECHNICAL = "technical"


class BuyingRole(StrEnum):
    DECISION_MAKER = "decision_maker"
    ECONOMIC_BUYER = "economic_buyer"
    INFLUENCER = "influencer"
    CHAMPION = "champion"
    USER = "user"
    GATEKEEPER = "gatekeeper"
    BLOCKER = "blocker"


class LeadStatus(StrEnum):
    NEW = "new"
    CONTACTED = "contacted"
    QUALIFIED = "qualified"
    UNQUALIFIED = "unqualified"
    CONVERTED = "converted"


class ForecastCategory(StrEnum):
    PIPELINE = "pipeline"
    BEST_CASE = "best_case"
    COMMIT = "commit"
    CLOSED = "closed"
    OMITTED = "omitted"


class ActivityKind(StrEnum):
    """Union of the seed's OpportunityActivity and CustomerInteraction types."""

    CALL = "call"
    EMAIL = "email"
    MEETING = "meeting"
    DEMO = "demo"
    PROPOSAL = "proposal"
    PRESENTATION = "presentation"
    PHONE = "phone"
    SUPPORT = "support"
    EVENT = "event"
    NOTE = "note"
    STAGE_CHANGE = "stage_change"


class Outcome(StrEnum):
    POSITIVE = "positive"
    NEUTRAL = "neutral"
    NEGATIVE = "negative"


class ParticipantRole(StrEnum):
    ORGANIZER = "organizer"
    ATTENDEE = "attendee"
    OPTIONAL = "optional"


class Pricing(StrEnum):
    LOWER = "lower"
    COMPETITIVE = "competitive"
    HIGHER = "higher"


class ProposalStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


class TaskStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    CANCELLED = "cancelled"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class ContractStatus(StrEnum):
    ACTIVE = "active"
    PENDING = "pending"
    EXPIRED = "expired"
    CANCELLED = "cancelled"


class DocumentKind(StrEnum):
    PROPOSAL = "proposal"
    CONTRACT = "contract"
    PRICE_SHEET = "price_sheet"
    PRESENTATION = "presentation"
    SPEC_SHEET = "spec_sheet"
    OTHER = "other"


class AuditAction(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
