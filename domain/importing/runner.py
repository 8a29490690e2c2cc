"""Run an import: build the preset's plan, resolve its keys against the database, then write
everything in one transaction — or nothing when a row is invalid (unless skip_invalid)."""

from __future__ import annotations

import difflib
import re
import time as _time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Callable

from domain import records as r
from domain.importing import crm, maven, native
from domain.importing import mapping as mapping_file
from domain.importing.csvfile import csv_files
from domain.importing.plan import Plan, Problem, SourceRow
from domain.pipeline import PipelineConfig

PRESETS = ("maven", "pantry", "hubspot", "salesforce")
Progress = Callable[[str, int, int], None]


class ImportError_(ValueError):
    """The import cannot start (unknown preset, no files)."""


@dataclass
class ImportResult:
    problems: list[Problem]
    inserted: Counter = field(default_factory=Counter)
    matched: Counter = field(default_factory=Counter)
    rejected: list[SourceRow] = field(default_factory=list)
    written: bool = False
    dry_run: bool = False
    notes: list[str] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.warning]

    @property
    def changed(self) -> bool:
        return any(self.inserted.values())

    def lines(self) -> list[str]:
        """The human report: every problem as file:line: column: reason, then the counts."""
        out = [str(p) for p in self.errors]
        out += [f"{p} (warning)" for p in self.warnings]
        out += self.notes
        verb = "would insert" if self.dry_run else ("inserted" if self.written else "not written")
        for entity in sorted(set(self.inserted) | set(self.matched)):
            out.append(f"{entity}: {verb} {self.inserted[entity]:,}, already present {self.matched[entity]:,}")
        if self.errors and not self.written and not self.dry_run:
            out.append(f"{len(self.errors):,} problems in {len(self.rejected):,} rows: nothing was written "
                       "(use --skip-invalid to write the valid rows)")
        elif self.errors:
            out.append(f"{len(self.rejected):,} rows rejected ({len(self.errors):,} problems)")
        if self.written and not self.changed:
            out.append("nothing changed: every record was already present")
        elif self.dry_run:
            out.append("dry run: nothing was written")
        return out


def normalise_name(name: str) -> str:
    """Account names compare without case, punctuation or legal suffixes ('ACME, Inc.' = 'Acme')."""
    words = re.findall(r"[a-z0-9]+", name.lower())
    while words and words[-1] in {"inc", "llc", "ltd", "co", "corp", "corporation", "company", "gmbh", "plc", "sa"}:
        words.pop()
    return " ".join(words)


def default_mapping(preset: str) -> mapping_file.Mapping:
    """The preset's built-in mapping (what `--show-mapping` prints)."""
    if preset == "maven":
        return maven.to_mapping(maven.MavenMapping())
    if preset in ("hubspot", "salesforce"):
        return crm.default_mapping(preset)
    raise ImportError_(f"the {preset!r} preset has no mapping" if preset in PRESETS
                       else f"unknown preset {preset!r} (choose from {', '.join(PRESETS)})")


def load_mapping(path: Path, preset: str, pipeline: PipelineConfig, existing=None) -> mapping_file.Mapping:
    """The preset's mapping overlaid with FILE; ImportError_ listing every `file:key: reason`."""
    users = None
    if existing is not None:
        users = set(existing.users) | set(getattr(existing, "user_names", {}))
    try:
        return mapping_file.load(path, default_mapping(preset), {s.id for s in pipeline.stages}, users)
    except mapping_file.MappingError as exc:
        raise ImportError_(str(exc)) from None


def run_import(store: Any, queries: Any, paths: list[Path], *, preset: str, pipeline: PipelineConfig, today: date,
               dry_run: bool = False, skip_invalid: bool = False, progress: Progress | None = None,
               mapping: Any = None) -> ImportResult:
    """`store` gives `atomic()`; `queries` is the store's ImportQueries."""
    started = _time.perf_counter()
    if preset not in PRESETS:
        raise ImportError_(f"unknown preset {preset!r} (choose from {', '.join(PRESETS)})")
    files = list(csv_files(paths))
    missing = [str(p) for p in files if not p.exists()]
    if missing:
        raise ImportError_(f"no such file: {', '.join(missing)}")
    if not files:
        raise ImportError_("no CSV files found in " + ", ".join(map(str, paths)))
    existing = queries.existing()
    if isinstance(mapping, (str, Path)):
        mapping = load_mapping(Path(mapping), preset, pipeline, existing)
    if preset == "pantry":
        plan = native.build(files, queries)
    elif preset in ("hubspot", "salesforce"):
        users = {login: login for login in existing.users}
        for name, login in getattr(existing, "user_names", {}).items():
            users.setdefault(name, login)
        plan = crm.build(files, preset, pipeline, users, today, mapping)
    else:
        prices = {maven.product_key(name): price for _sku, (_id, name, price) in existing.products.items()}
        plan = maven.build(files, pipeline, prices, today, mapping)
    _resolve(plan, existing)
    result = ImportResult(problems=plan.problems, rejected=plan.rejected, dry_run=dry_run, notes=plan.notes)
    if plan.errors and not skip_invalid:
        _count(plan, existing, queries, result)  # what would have been written
        result.inserted.clear()
        result.seconds = _time.perf_counter() - started
        return result
    _count(plan, existing, queries, result)
    if not dry_run:
        with store.atomic():
            _write(plan, existing, queries, progress)
        result.written = True
    result.seconds = _time.perf_counter() - started
    return result


# -- resolving keys ----------------------------------------------------------------------------


def _account_index(existing) -> tuple:
    """(by external id, by normalised name, by domain, by exact name, id -> domain)."""
    by_ext, by_name, by_domain, by_exact, domains = {}, {}, {}, {}, {}
    for id_, ext, name, domain in existing.accounts:
        if ext:
            by_ext.setdefault(ext, id_)
        by_name.setdefault(normalise_name(name), id_)
        by_exact.setdefault(exact_name(name), id_)
        if domain:
            by_domain.setdefault(domain.lower(), id_)
            domains[id_] = domain.lower()
    return by_ext, by_name, by_domain, by_exact, domains


def _match_account(staged, index) -> int | None:
    by_ext, by_name, by_domain = index[:3]
    record = staged.record
    if getattr(staged, "strict", False):
        # hubspot/salesforce: external id, else the same domain, else the same name (case and spaces
        # ignored) unless both have different domains; other near-matches are reported, not merged
        found = by_ext.get(staged.key)
        if found is None and record.domain:
            found = by_domain.get(record.domain.lower())
        if found is None:
            candidate = index_exact(index).get(exact_name(record.name))
            if candidate is not None:
                other_domain = index_domains(index).get(candidate)
                if not (record.domain and other_domain and other_domain != record.domain.lower()):
                    found = candidate
        return found
    return (by_ext.get(staged.key) or by_name.get(normalise_name(record.name))
            or (by_domain.get(record.domain.lower()) if record.domain else None))


def exact_name(name: str) -> str:
    return " ".join(name.casefold().split())


def index_exact(index) -> dict[str, int]:
    return index[3] if len(index) > 3 else {}


def index_domains(index) -> dict[int, str]:
    return index[4] if len(index) > 4 else {}


def _resolve(plan: Plan, existing) -> None:
    """Reject rows whose references lead nowhere (or to a rejected row); warn of near-duplicates."""
    if plan.native:
        return
    index = _account_index(existing)
    # accounts: parents, repeated until stable (a rejected parent rejects its subsidiaries)
    while True:
        keys = {a.key for a in plan.accounts}
        names = {normalise_name(a.record.name) for a in plan.accounts}
        bad = [a for a in plan.accounts if a.parent_key and a.parent_key not in keys
               and normalise_name(a.parent_key) not in names and index[0].get(a.parent_key) is None
               and index[1].get(normalise_name(a.parent_key)) is None]
        for account in bad:
            plan.reject(account.source, account.columns.get("parent", "subsidiary_of"), f"unknown or rejected parent account {account.parent_key!r}")
        if not bad:
            break
        plan.accounts = [a for a in plan.accounts if a not in bad]
    for account in plan.accounts:
        if account.parent_key and normalise_name(account.parent_key) == normalise_name(account.record.name):
            plan.reject(account.source, account.columns.get("parent", "subsidiary_of"), "an account cannot be its own parent")
    plan.accounts = [a for a in plan.accounts if not (a.parent_key and normalise_name(a.parent_key) == normalise_name(a.record.name))]
    _near_duplicates(plan, existing)

    users = {u.key for u in plan.users} | set(existing.users)
    products = {maven.product_key(p.record.name) for p in plan.products}
    products |= {maven.product_key(name) for _id, name, _price in existing.products.values()}
    account_keys = {a.key for a in plan.accounts} | {normalise_name(a.record.name) for a in plan.accounts}
    kept = []
    for opp in plan.opportunities:
        ok = True
        if opp.owner_key not in users:
            plan.reject(opp.source, opp.columns.get("owner", "owner"), f"unknown or rejected user {opp.source.get(opp.columns.get('owner', 'owner'))!r}")
            ok = False
        if opp.account_key and opp.account_key not in account_keys and normalise_name(opp.account_key) not in account_keys \
                and index[0].get(opp.account_key) is None and index[1].get(normalise_name(opp.account_key)) is None:
            plan.reject(opp.source, opp.columns.get("account", "account"), f"unknown or rejected account {opp.account_key!r}")
            ok = False
        for line in opp.lines:
            if line.product_key not in products:
                plan.reject(opp.source, opp.columns.get("product", "product"), f"unknown or rejected product {line.name!r}")
                ok = False
        if ok:
            kept.append(opp)
    plan.opportunities = kept
    contacts = []
    for contact in plan.contacts:
        if contact.account_key and contact.account_key not in account_keys \
                and normalise_name(contact.account_key) not in account_keys \
                and index[0].get(contact.account_key) is None and index[1].get(normalise_name(contact.account_key)) is None:
            plan.reject(contact.source, contact.columns.get("account", "account"),
                        f"unknown or rejected account {contact.account_key!r}")
            continue
        contacts.append(contact)
    plan.contacts = contacts


def _near_duplicates(plan: Plan, existing, limit: int = 5_000) -> None:
    """Accounts whose names are close but not equal to another's are reported, never merged."""
    names = {normalise_name(name): name for _id, _ext, name, _d in existing.accounts}
    if len(names) + len(plan.accounts) > limit:
        plan.notes.append(f"near-duplicate check skipped: more than {limit:,} accounts")
        return
    for account in plan.accounts:
        norm = normalise_name(account.record.name)
        others = [n for n in names if n != norm]
        close = difflib.get_close_matches(norm, others, n=1, cutoff=0.92)
        if close:
            plan.warn(account.source, account.columns.get("name", "account"),
                      f"near-duplicate of {names[close[0]]!r}: not merged")
        names.setdefault(norm, account.record.name)
    _strict_near_duplicates(plan, existing)


def _strict_near_duplicates(plan: Plan, existing) -> None:
    """hubspot/salesforce: the same normalised name (punctuation, case, Inc/LLC... ignored) as another
    account that is not the same record — different spelling or a different domain — is reported."""
    seen: dict[str, list[tuple[str | None, str, str]]] = {}  # normalised name -> (external id, name, domain)
    for _id, ext, name, domain in existing.accounts:
        seen.setdefault(normalise_name(name), []).append((ext, name, (domain or "").lower()))
    for account in plan.accounts:
        record = account.record
        norm = normalise_name(record.name)
        entry = (account.key, record.name, record.domain.lower())
        if account.strict:
            for ext, name, domain in seen.get(norm, []):
                if ext == account.key:
                    continue
                if exact_name(name) == exact_name(record.name) and not (domain and record.domain and domain != record.domain.lower()):
                    continue  # the same account: matched
                why = (f"different domain ({domain} vs {record.domain})" if domain and record.domain
                       and domain != record.domain.lower() else "name differs only in case, punctuation or legal suffix")
                plan.warn(account.source, account.columns.get("name", "account"),
                          f"possible duplicate of {name!r}: {why}; not merged")
                break
        seen.setdefault(norm, []).append(entry)


# -- counting and writing -------------------------------------------------------------------------


def _count(plan: Plan, existing, queries, result: ImportResult) -> None:
    if plan.native:
        for entity, ids in _native_groups(plan).items():
            present = queries.existing_ids(entity)
            result.matched[entity] += sum(1 for s in ids if s.record.id in present)
            result.inserted[entity] += sum(1 for s in ids if s.record.id not in present)
        return
    index = _account_index(existing)
    product_names = {maven.product_key(name) for _id, name, _p in existing.products.values()}
    for u in plan.users:
        (result.matched if u.key in existing.users else result.inserted)["users"] += 1
    for p in plan.products:
        hit = p.key in existing.products or maven.product_key(p.record.name) in product_names
        (result.matched if hit else result.inserted)["products"] += 1
    for a in plan.accounts:
        (result.matched if _match_account(a, index) else result.inserted)["accounts"] += 1
    for c in plan.contacts:
        hit = c.key in existing.contact_ids or (c.record.email and c.record.email.lower() in existing.contacts)
        (result.matched if hit else result.inserted)["contacts"] += 1
    for o in plan.opportunities:
        if o.key in existing.opportunities:
            result.matched["opportunities"] += 1
        else:
            result.inserted["opportunities"] += 1
            result.inserted["line_items"] += len(o.lines)
            result.inserted["stage_changes"] += len(o.history)


def _native_groups(plan: Plan) -> dict[str, list]:
    groups: dict[str, list] = {}
    for staged in plan.native:
        groups.setdefault(staged.entity, []).append(staged)
    return groups


def _write(plan: Plan, existing, queries, progress: Progress | None) -> None:
    if plan.native:
        for entity in queries.entity_names:
            staged = _native_groups(plan).get(entity, [])
            if staged:
                present = queries.existing_ids(entity)
                queries.insert_bulk(entity, [s.record for s in staged if s.record.id not in present], progress)
        return
    user_ids = dict(existing.users)
    for u in plan.users:
        if u.key in user_ids:
            continue
        manager_id = user_ids.get(u.manager_key) if u.manager_key else None
        user_ids[u.key] = queries.insert_one("users", u.record.model_copy(update={"manager_id": manager_id}))

    product_ids = {maven.product_key(name): id_ for _sku, (id_, name, _p) in existing.products.items()}
    product_ids.update({sku: id_ for sku, (id_, _n, _p) in existing.products.items()})
    for p in plan.products:
        key = maven.product_key(p.record.name)
        found = product_ids.get(p.key) or product_ids.get(key)
        product_ids[key] = found or queries.insert_one("products", p.record)

    index = _account_index(existing)
    by_ext, by_name = index[0], index[1]
    new_accounts = []
    for a in plan.accounts:
        found = _match_account(a, index)
        if found is None:
            found = queries.insert_one("accounts", a.record)
            new_accounts.append((a, found))
        by_ext.setdefault(a.key, found)
        if a.strict:  # later rows of the file match it the same way as database rows
            index[3].setdefault(exact_name(a.record.name), found)
            if a.record.domain:
                index[2].setdefault(a.record.domain.lower(), found)
                index[4][found] = a.record.domain.lower()
        by_name.setdefault(normalise_name(a.record.name), found)
    for a, account_id in new_accounts:
        if a.parent_key:
            parent = by_ext.get(a.parent_key) or by_name.get(normalise_name(a.parent_key))
            queries.set_parent(account_id, parent)
    emails = dict(existing.contacts)
    for c in plan.contacts:
        if c.key in existing.contact_ids or (c.record.email and c.record.email.lower() in emails):
            continue
        account_id = None
        if c.account_key:
            account_id = by_ext.get(c.account_key) or by_name.get(normalise_name(c.account_key))
        contact_id = queries.insert_one("contacts", c.record.model_copy(update={"account_id": account_id}))
        if c.record.email:
            emails[c.record.email.lower()] = contact_id

    new = [o for o in plan.opportunities if o.key not in existing.opportunities]
    records = []
    for o in new:
        account_id = None
        if o.account_key:
            account_id = by_ext.get(o.account_key) or by_name.get(normalise_name(o.account_key))
        records.append(o.record.model_copy(update={"owner_id": user_ids[o.owner_key], "account_id": account_id}))
    queries.insert_bulk("opportunities", records, progress)
    ids = queries.opportunity_ids(o.key for o in new)
    lines, history = [], []
    for o in new:
        opp_id = ids[o.key]
        for line in o.lines:
            lines.append(r.LineItem(opportunity_id=opp_id, product_id=product_ids[line.product_key], name=line.name,
                                    quantity=line.quantity, unit_price_cents=line.unit_price_cents))
        for h in o.history:
            history.append(r.StageChange(opportunity_id=opp_id, from_stage=h.from_stage, to_stage=h.to_stage,
                                         changed_at=h.changed_at, value_cents=h.value_cents, probability=h.probability))
    queries.insert_bulk("line_items", lines, progress)
    queries.insert_bulk("stage_changes", history, progress)
