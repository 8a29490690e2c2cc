"""Every table of Pantry CRM. `ALL_MODELS` is in dependency order (parents first)."""

from store.models.accounts import (
    AccountLocationRow,
    AccountRow,
    AccountTeamMemberRow,
    ContactRow,
    ContractRow,
)
from store.models.activities import ActivityRow, ParticipantRow
from store.models.automation import AutomationRunRow, OutboxRow
from store.models.base import BaseModel, database_proxy
from store.models.history import (
    AuditRow,
    ForecastCohortBuildRow,
    ForecastCohortRow,
    ForecastSnapshotRow,
    ForecastWonProductRow,
    ForecastWonRow,
    PipelineVersionRow,
    SettingRow,
    StageChangeRow,
)
from store.models.leads import LeadRow, LeadSourceRow
from store.models.people import QuotaRow, UserRow
from store.models.sales import (
    BattlecardRow,
    CompetitorRow,
    LineItemRow,
    OpportunityCompetitorRow,
    OpportunityRow,
    ProductRow,
)
from store.models.work import DocumentRow, NotificationRow, ProposalRow, TaskRow

ALL_MODELS = [
    UserRow,
    QuotaRow,
    AccountRow,
    AccountLocationRow,
    AccountTeamMemberRow,
    ContractRow,
    ContactRow,
    ProductRow,
    LeadSourceRow,
    OpportunityRow,
    LineItemRow,
    CompetitorRow,
    BattlecardRow,
    OpportunityCompetitorRow,
    LeadRow,
    ActivityRow,
    ParticipantRow,
    DocumentRow,
    ProposalRow,
    TaskRow,
    NotificationRow,
    StageChangeRow,
    ForecastSnapshotRow,
    AuditRow,
    SettingRow,
    PipelineVersionRow,
    OutboxRow,
    AutomationRunRow,
    ForecastCohortRow,
    ForecastWonRow,
    ForecastWonProductRow,
    ForecastCohortBuildRow,
]

__all__ = [m.__name__ for m in ALL_MODELS] + ["ALL_MODELS", "BaseModel", "database_proxy"]
