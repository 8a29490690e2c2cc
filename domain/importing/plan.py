"""What an import will write: validated records, each tied to its source row, referring to
other records by key (login, sku, external id) rather than by database id."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, Iterable, Iterator, TypeVar

from pydantic import ValidationError

from domain import records as r
from domain.validation import field_errors

Progress = Callable[[str, int, int], None]  # (what, done, total)
T = TypeVar("T")


def counted(items: Iterable[T], label: str, progress: Progress | None, step: int = 2_000,
            total: int | None = None) -> Iterator[T]:
    """`items`, telling `progress` every `step` items (and at the end) how far the loop got.
    `total`: how many there are, when `items` is not a list."""
    if total is None:
        items = list(items) if not isinstance(items, list) else items
        total = len(items)
    if progress is None or total < step:
        yield from items
        return
    for n, item in enumerate(items, start=1):
        yield item
        if n % step == 0 or n == total:
            progress(label, n, total)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    column: str
    reason: str
    warning: bool = False

    def __str__(self) -> str:
        if self.line <= 0:  # about a whole file, or the whole import
            return f"{self.file}: {self.column}: {self.reason}"
        return f"{self.file}:{self.line}: {self.column}: {self.reason}"


@dataclass(slots=True, eq=False)
class SourceRow:
    file: str
    line: int
    values: dict[str, str]

    def get(self, column: str) -> str:
        return (self.values.get(column) or "").strip()


# Every staged record carries `fields`: the record fields its source sets. A re-import compares
# those fields (and only those) with the stored record and updates the ones that differ; a field
# whose column the file does not have is never touched.


@dataclass
class StagedUser:
    key: str  # login
    record: r.User
    source: SourceRow
    manager_key: str | None = None
    fields: frozenset[str] = frozenset()
    columns: dict[str, str] = field(default_factory=dict)


@dataclass
class StagedAccount:
    key: str  # external id
    record: r.Account
    source: SourceRow
    parent_key: str | None = None
    columns: dict[str, str] = field(default_factory=lambda: {"parent": "subsidiary_of", "name": "account"})
    strict: bool = False  # hubspot/salesforce: match on external id, exact name or domain; report the rest
    owner_key: str | None = None  # login
    fields: frozenset[str] = frozenset()
    has_parent_column: bool = True  # the file has a parent column (a blank one clears the parent on update)


@dataclass
class StagedContact:
    key: str  # external id
    record: r.Contact  # account_id is a placeholder until resolved
    source: SourceRow
    account_key: str | None = None
    columns: dict[str, str] = field(default_factory=dict)
    fields: frozenset[str] = frozenset()


@dataclass
class StagedProduct:
    key: str  # sku
    record: r.Product
    source: SourceRow
    fields: frozenset[str] = frozenset()
    columns: dict[str, str] = field(default_factory=dict)


@dataclass
class StagedLead:
    key: str  # external id
    record: r.Lead  # owner_id and the converted_* ids are placeholders until resolved
    source: SourceRow
    owner_key: str | None = None  # login
    columns: dict[str, str] = field(default_factory=dict)
    fields: frozenset[str] = frozenset()
    converted_keys: dict[str, str] = field(default_factory=dict)  # "account"/"contact"/"opportunity" -> external id


@dataclass
class StagedActivity:
    key: str  # the source's id (reports only: activities are matched on their content, see docs)
    record: r.Activity  # the *_id links and created_by_id are placeholders until resolved
    source: SourceRow
    owner_key: str | None = None  # login of the user it is assigned to
    links: dict[str, str] = field(default_factory=dict)  # "opportunity"/"account"/"contact"/"lead"/"person" -> external id
    columns: dict[str, str] = field(default_factory=dict)
    fields: frozenset[str] = frozenset()


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
    columns: dict[str, str] = field(default_factory=dict)  # source column of owner/account/product/contact
    contact_keys: list[str] = field(default_factory=list)  # external ids; the first that is a contact is the contact
    fields: frozenset[str] = frozenset()


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
    leads: list[StagedLead] = field(default_factory=list)
    activities: list[StagedActivity] = field(default_factory=list)
    native: list[StagedRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rejected: list[SourceRow] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    files: dict[str, tuple[str, int]] = field(default_factory=dict)  # file name -> (read as, rows)
    unread: dict[str, int] = field(default_factory=dict)  # file name -> rows of a file read as nothing
    skipped: dict[str, int] = field(default_factory=dict)  # file name -> rows repeating an id (repeated_ids)
    # file name -> {deal key: rows} of a file of parts of deals (stage history) that the deals took
    part_rows: dict[str, dict[str, int]] = field(default_factory=dict)
    # file name -> {column the preset reads: the column as the file has it} (a mapping's [columns])
    original_columns: dict[str, dict[str, str]] = field(default_factory=dict)
    _rejected_ids: set[int] = field(default_factory=set, repr=False)

    def _as_typed(self, source: SourceRow, column: str) -> str:
        names = self.original_columns.get(source.file)
        return names.get(column, column) if names else column

    def reject(self, source: SourceRow, column: str, reason: str) -> None:
        self.problems.append(Problem(source.file, source.line, self._as_typed(source, column), reason))
        if id(source) not in self._rejected_ids:
            self._rejected_ids.add(id(source))
            self.rejected.append(source)

    def is_rejected(self, source: SourceRow) -> bool:
        return id(source) in self._rejected_ids

    def warn(self, source: SourceRow, column: str, reason: str) -> None:
        self.problems.append(Problem(source.file, source.line, self._as_typed(source, column), reason, warning=True))

    def reject_validation(self, source: SourceRow, error: ValidationError, columns: dict[str, str]) -> None:
        """One problem per pydantic error, named by the source column the field came from."""
        for problem in field_errors(error, columns):
            self.reject(source, problem.field or "-", problem.reason)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.warning]
