"""What an import will write: validated records, each tied to its source row, referring to
other records by key (login, sku, external id) rather than by database id."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pydantic import ValidationError

from domain import records as r


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: str
    reason: str
    warning: bool = False

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.column}: {self.reason}"


@dataclass(frozen=True)
class SourceRow:
    file: str
    line: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        return (self.values.get(column) or "").strip()


@dataclass
class StagedUser:
    key: str  # login
    record: r.User
    source: SourceRow
    manager_key: str | None = None


@dataclass
class StagedAccount:
    key: str  # external id
    record: r.Account
    source: SourceRow
    parent_key: str | None = None
    columns: dict[str, str] = field(default_factory=lambda: {"parent": "subsidiary_of", "name": "account"})
    strict: bool = False  # hubspot/salesforce: match on external id, exact name or domain; report the rest


@dataclass
class StagedContact:
    key: str  # external id
    record: r.Contact  # account_id is a placeholder until resolved
    source: SourceRow
    account_key: str | None = None
    columns: dict[str, str] = field(default_factory=dict)


@dataclass
class StagedProduct:
    key: str  # sku
    record: r.Product
    source: SourceRow


@dataclass
class StagedHistory:
    from_stage: str | None
    to_stage: str
    changed_at: datetime
    value_cents: int
    probability: int


@dataclass
class StagedLine:
    product_key: str  # normalised product name or sku
    name: str
    quantity: Any
    unit_price_cents: int


@dataclass
class StagedOpportunity:
    key: str  # external id
    record: r.Opportunity  # owner_id / account_id are placeholders until resolved
    source: SourceRow
    owner_key: str
    account_key: str | None
    lines: list[StagedLine] = field(default_factory=list)
    history: list[StagedHistory] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # source column of owner/account/product


@dataclass
class StagedRecord:
    """The `pantry` preset: a record as exported, with its id."""

    entity: str
    record: r.Record
    source: SourceRow


@dataclass
class Plan:
    users: list[StagedUser] = field(default_factory=list)
    accounts: list[StagedAccount] = field(default_factory=list)
    products: list[StagedProduct] = field(default_factory=list)
    opportunities: list[StagedOpportunity] = field(default_factory=list)
    contacts: list[StagedContact] = field(default_factory=list)
    native: list[StagedRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rejected: list[SourceRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def reject(self, source: SourceRow, column: str, reason: str) -> None:
        self.problems.append(Problem(source.file, source.line, column, reason))
        if not self.rejected or self.rejected[-1] is not source:
            self.rejected.append(source)

    def warn(self, source: SourceRow, column: str, reason: str) -> None:
        self.problems.append(Problem(source.file, source.line, column, reason, warning=True))

    def reject_validation(self, source: SourceRow, error: ValidationError, columns: dict[str, str]) -> None:
        """One problem per pydantic error, named by the source column the field came from."""
        for item in error.errors():
            loc = item.get("loc") or ()
            field_name = str(loc[0]) if loc else ""
            message = item.get("msg", "invalid")
            if not field_name and ":" in message:  # model validators say "field: reason"
                head, _, rest = message.removeprefix("Value error, ").partition(":")
                field_name, message = head.strip(), rest.strip()
            column = columns.get(field_name, field_name or "-")
            self.reject(source, column, message.removeprefix("Value error, "))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.warning]
