"""The `maven` preset: Maven Analytics' "CRM Sales Opportunities" four-file dataset.

    sales_teams.csv     sales_agent, manager, regional_office         -> users (reps and managers)
    products.csv        product, series, sales_price                   -> products
    accounts.csv        account, sector, year_established, revenue,    -> accounts (parents in a second pass)
                        employees, office_location, subsidiary_of
    sales_pipeline.csv  opportunity_id, sales_agent, product, account, -> opportunities, one line item each,
                        deal_stage, engage_date, close_date, close_value  and their stage history

Every decision below is documented in docs/import.md ("The maven preset").
"""

from __future__ import annotations

import re
import statistics
import unicodedata
from bisect import bisect_left, insort
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from pydantic import ValidationError

from domain import records as r
from domain.enums import AccountStatus, AccountTier, Industry, Role
from domain.importing.csvfile import CsvFile, read_csv
from domain.importing.plan import (
    Plan,
    Progress,
    SourceRow,
    StagedAccount,
    StagedHistory,
    StagedLine,
    StagedOpportunity,
    StagedProduct,
    StagedUser,
    counted,
)
from domain.importing.values import account_size, parse_money
from domain.importing.values import midnight as midnight
from domain.money import MAX_AMOUNT, MAX_CENTS, MoneyError, parse_cents
from domain.pipeline import PipelineConfig

NAME = "maven"

FILES: dict[str, tuple[str, ...]] = {
    "sales_teams.csv": ("sales_agent", "manager", "regional_office"),
    "products.csv": ("product", "series", "sales_price"),
    "accounts.csv": ("account", "sector", "revenue", "employees", "office_location", "subsidiary_of"),
    "sales_pipeline.csv": ("opportunity_id", "sales_agent", "product", "account", "deal_stage",
                           "engage_date", "close_date", "close_value"),
}


@dataclass
class MavenMapping:
    """The value mappings of the preset (what `--show-mapping` prints)."""

    stages: dict[str, str] = field(default_factory=lambda: {
        "Prospecting": "discovery", "Engaging": "qualification", "Won": "closed_won", "Lost": "closed_lost",
    })
    # source sector -> Industry; anything not listed is `other` (the dataset is computer hardware)
    sectors: dict[str, str] = field(default_factory=dict)
    countries: dict[str, str] = field(default_factory=lambda: {"Philipines": "Philippines"})
    # thresholds: employees -> size, revenue (millions USD) -> tier
    size_small_below: int = 100
    size_medium_below: int = 1000
    size_large_below: int = 5000
    tier_strategic_from_musd: int = 1000
    tier_key_from_musd: int = 500
    tier_standard_from_musd: int = 100
    source: str = "maven"


def to_mapping(m: MavenMapping):
    from domain.importing.mapping import THRESHOLDS, Mapping

    return Mapping(NAME, m.source, dict(m.stages), {}, dict(m.sectors), dict(m.countries),
                   {t: getattr(m, t) for t in THRESHOLDS})


def from_mapping(mapping) -> MavenMapping:
    return MavenMapping(stages=dict(mapping.stages), sectors=dict(mapping.industries),
                        countries=dict(mapping.countries), source=mapping.source, **mapping.thresholds)


def login_for(name: str) -> str:
    """'Moses Frase' -> 'moses.frase'; accents dropped, other characters separate parts."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    parts = re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", ascii_name)
    return ".".join(parts)[:64] or "user"


def sku_for(name: str) -> str:
    """'GTX Plus Basic' -> 'GTX-PLUS-BASIC'."""
    return re.sub(r"[^A-Za-z0-9]+", "-", name).strip("-").upper()[:64]


def product_key(name: str) -> str:
    """Products are matched on their name with case, spaces and punctuation ignored (GTXPro = GTX Pro)."""
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _date(source: SourceRow, column: str, plan: Plan) -> date | None | bool:
    """The ISO date in `column`; None when blank; False (and a problem) when malformed."""
    text = source.get(column)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        plan.reject(source, column, f"not a date (YYYY-MM-DD): {text!r}")
        return False


# the record fields each file sets: a re-import updates these when they differ (docs/import.md)
USER_FIELDS = frozenset({"display_name", "team", "region", "manager_id"})
PRODUCT_FIELDS = frozenset({"name", "category", "list_price_cents"})
ACCOUNT_FIELDS = frozenset({"industry", "size", "annual_revenue_cents", "hq_country", "tier"})
OPPORTUNITY_FIELDS = frozenset({"name", "account_id", "value_cents", "started_on", "expected_close_date",
                                "actual_close_date", "owner_id", "stage", "source"})
UNDATED = frozenset({"started_on", "expected_close_date"})


def build(paths: list[Path], pipeline: PipelineConfig, existing_products: dict[str, int], today: date,
          mapping: MavenMapping | None = None, progress: Progress | None = None) -> Plan:
    """Read the dataset's files among `paths` (matched by file name) into a plan.

    `existing_products` maps product_key(name) -> list price in cents of products already stored,
    for a pipeline file imported without its products.csv.
    """
    mapping = mapping or MavenMapping()
    if not isinstance(mapping, MavenMapping):
        mapping = from_mapping(mapping)
    plan = Plan()
    files: dict[str, CsvFile] = {}
    for path in paths:
        if path.name in FILES:
            found = read_csv(path, FILES[path.name])
            files[path.name] = found
            plan.problems.extend(found.problems)
        else:
            plan.notes.append(f"{path}: not a file of the maven preset, ignored "
                              f"(expected {', '.join(FILES)})")
    if any(not p.warning for p in plan.problems if p.line <= 1):
        return plan  # a missing column: the rows cannot be read

    pipeline_rows = files["sales_pipeline.csv"].rows if "sales_pipeline.csv" in files else []
    days = [d for row in pipeline_rows for c in ("engage_date", "close_date") if (d := _quiet_date(row.get(c)))]
    first_day = min(days) if days else today
    created = midnight(first_day)

    logins = _users(plan, files.get("sales_teams.csv"), created)
    prices = dict(existing_products)
    _products(plan, files.get("products.csv"), prices)
    won_accounts = {row.get("account") for row in pipeline_rows if row.get("deal_stage") == "Won"}
    _accounts(plan, files.get("accounts.csv"), won_accounts, created, mapping)
    if pipeline_rows:
        _opportunities(plan, pipeline_rows, pipeline, logins, prices, today, mapping, progress)
    return plan


def _quiet_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


# -- users -----------------------------------------------------------------------------------


def _users(plan: Plan, teams: CsvFile | None, created: datetime) -> dict[str, str]:
    """Managers first, then reps; returns display name -> login."""
    logins: dict[str, str] = {}
    if teams is None:
        return logins
    taken: set[str] = set()

    def assign(name: str) -> str:
        if name not in logins:
            base = login_for(name)
            login, n = base, 1
            while login in taken:
                n += 1
                login = f"{base}.{n}"
            taken.add(login)
            logins[name] = login
        return logins[name]

    agents: dict[str, SourceRow] = {}
    for row in teams.rows:
        agent, manager = row.get("sales_agent"), row.get("manager")
        if not agent:
            plan.reject(row, "sales_agent", "blank")
            continue
        if agent in agents:
            plan.reject(row, "sales_agent", f"listed twice (first at line {agents[agent].line})")
            continue
        agents[agent] = row
        if manager and manager not in logins:
            login = assign(manager)
            office = row.get("regional_office")
            try:
                record = r.User(login=login, display_name=manager, role=Role.MANAGER, team=f"{manager}'s team",
                                region=office, created_at=created)
            except ValidationError as exc:
                plan.reject_validation(row, exc, {"display_name": "manager", "region": "regional_office"})
                continue
            plan.users.append(StagedUser(login, record, row, fields=USER_FIELDS,
                                         columns={"login": "manager"}))
    manager_logins = {u.key for u in plan.users}
    for agent, row in agents.items():
        manager = row.get("manager")
        login = assign(agent)
        try:
            record = r.User(login=login, display_name=agent, role=Role.REP,
                            team=f"{manager}'s team" if manager else row.get("regional_office"),
                            region=row.get("regional_office"), created_at=created)
        except ValidationError as exc:
            plan.reject_validation(row, exc, {"display_name": "sales_agent", "login": "sales_agent",
                                              "team": "manager", "region": "regional_office"})
            continue
        manager_key = logins.get(manager) if manager else None
        if manager and manager_key not in manager_logins:
            plan.reject(row, "manager", f"manager {manager!r} was rejected")
            continue
        plan.users.append(StagedUser(login, record, row, manager_key, fields=USER_FIELDS,
                                     columns={"login": "sales_agent"}))
    return logins


# -- products --------------------------------------------------------------------------------


def _products(plan: Plan, products: CsvFile | None, prices: dict[str, int]) -> None:
    if products is None:
        return
    seen: dict[str, SourceRow] = {}
    for row in products.rows:
        name = row.get("product")
        key = product_key(name)
        if key in seen:
            plan.reject(row, "product", f"listed twice (first at line {seen[key].line})")
            continue
        seen[key] = row
        try:
            price = parse_money(row.get("sales_price"))
        except MoneyError as exc:
            plan.reject(row, "sales_price", str(exc))
            continue
        try:
            record = r.Product(sku=sku_for(name) or "-", name=name, category=row.get("series"), unit="each",
                               list_price_cents=price)
        except ValidationError as exc:
            plan.reject_validation(row, exc, {"name": "product", "sku": "product", "category": "series",
                                              "list_price_cents": "sales_price"})
            continue
        prices[key] = price
        plan.products.append(StagedProduct(record.sku, record, row, PRODUCT_FIELDS, {"name": "product"}))


# -- accounts --------------------------------------------------------------------------------


def _accounts(plan: Plan, accounts: CsvFile | None, won_accounts: set[str], created: datetime,
              mapping: MavenMapping) -> None:
    if accounts is None:
        return
    seen: dict[str, SourceRow] = {}
    columns = {"name": "account", "external_id": "account", "industry": "sector", "size": "employees",
               "annual_revenue_cents": "revenue", "hq_country": "office_location", "parent_id": "subsidiary_of"}
    for row in accounts.rows:
        name = row.get("account")
        if name in seen:
            plan.reject(row, "account", f"listed twice (first at line {seen[name].line})")
            continue
        seen[name] = row
        try:
            employees = int(row.get("employees"))
        except ValueError:
            plan.reject(row, "employees", f"not a whole number: {row.get('employees')!r}")
            continue
        try:
            revenue = parse_cents(row.get("revenue")) * 1_000_000 if row.get("revenue") else None  # millions
            if revenue is not None and revenue > MAX_CENTS:
                raise MoneyError(f"at most {MAX_AMOUNT} (the column is in millions), got {row.get('revenue')!r}")
        except MoneyError as exc:
            plan.reject(row, "revenue", str(exc))
            continue
        size = account_size(employees, mapping.size_small_below, mapping.size_medium_below, mapping.size_large_below)
        musd = Decimal(revenue or 0) / 100_000_000
        if musd >= mapping.tier_strategic_from_musd:
            tier = AccountTier.STRATEGIC
        elif musd >= mapping.tier_key_from_musd:
            tier = AccountTier.KEY
        elif musd >= mapping.tier_standard_from_musd:
            tier = AccountTier.STANDARD
        else:
            tier = AccountTier.BASIC
        country = row.get("office_location")
        try:
            record = r.Account(
                external_id=name, name=name,
                industry=Industry(mapping.sectors.get(row.get("sector"), Industry.OTHER.value)),
                size=size, annual_revenue_cents=revenue, hq_country=mapping.countries.get(country, country),
                status=AccountStatus.CUSTOMER if name in won_accounts else AccountStatus.PROSPECT, tier=tier,
                created_at=created, updated_at=created,
            )
        except (ValidationError, ValueError) as exc:
            if isinstance(exc, ValidationError):
                plan.reject_validation(row, exc, columns)
            else:
                plan.reject(row, "sector", str(exc))
            continue
        plan.accounts.append(StagedAccount(name, record, row, row.get("subsidiary_of") or None, fields=ACCOUNT_FIELDS))


# -- opportunities ---------------------------------------------------------------------------


class CycleKnownBefore:
    """The median engage→close days of the Won deals closed before a day: what was known then.

    An open deal's expected close date is its start plus this median *as of its start* — never a
    figure computed from deals that closed later (docs/forecasting.md, "No leakage")."""

    DEFAULT_DAYS = 30  # before any deal has been won

    def __init__(self, wins: list[tuple[date, int]]) -> None:
        ordered = sorted(wins)  # (close date, cycle in days)
        self.closes = [closed for closed, _ in ordered]
        self.medians = [self.DEFAULT_DAYS]  # medians[k]: of the first k wins
        known: list[int] = []
        for _, cycle in ordered:
            insort(known, cycle)
            self.medians.append(int(statistics.median(known)))

    def median_before(self, day: date) -> int:
        return self.medians[bisect_left(self.closes, day)]


def _opportunities(plan: Plan, rows: list[SourceRow], pipeline: PipelineConfig, logins: dict[str, str],
                   prices: dict[str, int], today: date, mapping: MavenMapping, progress: Progress | None) -> None:
    wins = []
    for row in rows:
        if row.get("deal_stage") in mapping.stages and mapping.stages[row.get("deal_stage")] == pipeline.won.id:
            engaged, closed = _quiet_date(row.get("engage_date")), _quiet_date(row.get("close_date"))
            if engaged and closed and closed >= engaged:
                wins.append((closed, (closed - engaged).days))
    cycles = CycleKnownBefore(wins)
    plan.notes.append(f"maven: a deal is expected to close at its start plus the median engage→close days of the "
                      f"Won deals closed before that start ({len(wins):,} won deals; {CycleKnownBefore.DEFAULT_DAYS} "
                      "days before the first win); Prospecting deals, which have no date, start on the import's day")
    engaging_stage = mapping.stages.get("Engaging", "qualification")
    seen: dict[str, int] = {}
    columns = {"name": "account", "stage": "deal_stage", "value_cents": "close_value", "started_on": "engage_date",
               "expected_close_date": "close_date", "actual_close_date": "close_date", "external_id": "opportunity_id"}
    catalogue = {product_key(p.record.name): p.record.name for p in plan.products}
    for row in counted(rows, "checking sales_pipeline.csv", progress):
        external_id = row.get("opportunity_id")
        if not external_id:
            plan.reject(row, "opportunity_id", "blank")
            continue
        if external_id in seen:
            plan.reject(row, "opportunity_id", f"duplicate (first at line {seen[external_id]})")
            continue
        seen[external_id] = row.line
        problems = len(plan.problems)
        agent = row.get("sales_agent")
        if not agent:
            plan.reject(row, "sales_agent", "blank")
        product_name = row.get("product")
        pkey = product_key(product_name)
        if pkey not in prices:
            plan.reject(row, "product", f"unknown product {product_name!r}")
        source_stage = row.get("deal_stage")
        stage_id = mapping.stages.get(source_stage)
        if stage_id is None:
            plan.reject(row, "deal_stage", f"unknown stage {source_stage!r} (expected one of {', '.join(mapping.stages)})")
        elif not pipeline.has(stage_id):
            plan.reject(row, "deal_stage", f"{source_stage!r} maps to {stage_id!r}, which is not a stage of the pipeline")
        engaged = _date(row, "engage_date", plan)
        closed = _date(row, "close_date", plan)
        if len(plan.problems) > problems:
            continue
        stage = pipeline.stage(stage_id)
        is_closed = not stage.is_open
        if is_closed and closed is None:
            plan.reject(row, "close_date", f"a {source_stage} deal needs its close date")
            continue
        if not is_closed and closed is not None:
            plan.reject(row, "close_date", f"an open ({source_stage}) deal cannot have a close date")
            continue
        if engaged and closed and closed < engaged:
            plan.reject(row, "close_date", f"before the engage date {engaged.isoformat()}")
            continue
        list_price = prices[pkey]
        # the catalogue's spelling of the product (the pipeline file says "GTXPro" for "GTX Pro")
        product_name = catalogue.get(pkey, product_name)
        if stage.id == pipeline.won.id:
            try:
                value = parse_money(row.get("close_value"))
            except MoneyError as exc:
                plan.reject(row, "close_value", f"a won deal needs its value: {exc}")
                continue
        elif stage.id == pipeline.lost.id:
            value = 0
        else:
            value = list_price
        # Prospecting rows have no date: Pantry learns of them on the import's day
        started = engaged or (closed if is_closed else today)
        first_stage = pipeline.stage(engaging_stage) if is_closed else stage
        history = [StagedHistory(None, first_stage.id, midnight(started), list_price, first_stage.probability)]
        if is_closed:
            history.append(StagedHistory(first_stage.id, stage.id, midnight(closed), value, stage.probability))
        account = row.get("account")
        entered = history[-1].changed_at
        try:
            record = r.Opportunity(
                external_id=external_id, name=f"{account or 'No account'} — {product_name}",
                stage=stage.id, probability=stage.probability, value_cents=value, started_on=started,
                # the estimate made at the start; a close sets the actual close date, not this one
                expected_close_date=started + timedelta(days=cycles.median_before(started)),
                actual_close_date=closed if is_closed else None, source=mapping.source, owner_id=0,
                forecast_category=stage.forecast_category, stage_entered_at=entered,
                created_at=midnight(started), updated_at=entered,
            )
        except ValidationError as exc:
            plan.reject_validation(row, exc, columns)
            continue
        owner_key = logins.get(agent) or login_for(agent)
        plan.opportunities.append(StagedOpportunity(
            external_id, record, row, owner_key, account or None,
            # the product offered: a lost deal's line keeps the list price (its value, 0, says it was lost)
            lines=[StagedLine(pkey, product_name, Decimal(1), list_price if stage.id == pipeline.lost.id else value)],
            history=history,
            columns={"owner": "sales_agent", "account": "account", "product": "product"},
            # a dateless row's dates are the first import's: a later import leaves them as they are
            fields=OPPORTUNITY_FIELDS if engaged or closed else OPPORTUNITY_FIELDS - UNDATED,
        ))
