"""Before anything is written: every reference of the plan (owner, account, parent, product, contact,
lead, deal) must lead to a record of the files or of the database — else the row is rejected, and
so are the rows that refer to it. Near-duplicates are reported here too (never merged)."""

from __future__ import annotations

import difflib
from typing import Any

from domain.importing import maven
from domain.importing.keys import email_key, exact_name, normalise_name, person_key, phone_key
from domain.importing.plan import Plan, StagedAccount

NEAR_DUPLICATE_LIMIT = 5_000


class AccountIndex:
    """The accounts an import can match, by external id, normalised name, domain and exact name."""

    def __init__(self, existing) -> None:
        self.by_ext: dict[str, int] = {}
        self.by_name: dict[str, int] = {}
        self.by_domain: dict[str, int] = {}
        self.by_exact: dict[str, int] = {}
        self.domains: dict[int, str] = {}
        self.exts: dict[int, str] = {}  # account id -> its source id
        for id_, ext, name, domain in existing.accounts:
            self.add(id_, ext, name, domain)

    def add(self, id_: int, ext: str | None, name: str, domain: str | None) -> None:
        if ext:
            self.by_ext.setdefault(ext, id_)
            self.exts.setdefault(id_, ext)
        self.by_name.setdefault(normalise_name(name), id_)
        self.by_exact.setdefault(exact_name(name), id_)
        if domain:
            self.by_domain.setdefault(domain.lower(), id_)
            self.domains.setdefault(id_, domain.lower())

    def match(self, staged: StagedAccount) -> int | None:
        record = staged.record
        if staged.strict:
            # hubspot/salesforce: external id, else — only an account without a source id (made in
            # Pantry) — the same domain, else the same name (case and spaces ignored) unless both have
            # different domains. Another source id is another record, always (reported, not merged).
            found = self.by_ext.get(staged.key)
            if found is None and record.domain:
                found = self.by_domain.get(record.domain.lower())
                if found is not None and self.exts.get(found):
                    found = None
            if found is None:
                candidate = self.by_exact.get(exact_name(record.name))
                if candidate is not None and not self.exts.get(candidate):
                    other_domain = self.domains.get(candidate)
                    if not (record.domain and other_domain and other_domain != record.domain.lower()):
                        found = candidate
            return found
        return (self.by_ext.get(staged.key) or self.by_name.get(normalise_name(record.name))
                or (self.by_domain.get(record.domain.lower()) if record.domain else None))

    def find(self, key: str) -> int | None:
        """An account referred to by external id or name."""
        return self.by_ext.get(key) or self.by_name.get(normalise_name(key))


def references(plan: Plan, existing: Any) -> None:
    """Reject the rows whose references lead nowhere (or to a rejected row), until none is left."""
    if plan.native:
        return
    index = AccountIndex(existing)
    _parents(plan, index)

    def known_account(key: str, keys: set[str]) -> bool:
        return key in keys or normalise_name(key) in keys or index.find(key) is not None

    users = {u.key for u in plan.users} | set(existing.users)
    products = {maven.product_key(p.record.name) for p in plan.products}
    products |= {maven.product_key(name) for _id, name, _price in existing.products.values()}
    account_keys = {a.key for a in plan.accounts} | {normalise_name(a.record.name) for a in plan.accounts}
    account_ext = {a.key for a in plan.accounts} | set(index.by_ext)

    kept = []
    for contact in plan.contacts:
        if contact.account_key and not known_account(contact.account_key, account_keys):
            plan.reject(contact.source, contact.columns.get("account", "account"),
                        f"unknown or rejected account {contact.account_key!r}")
            continue
        kept.append(contact)
    plan.contacts = kept
    contact_ext = {c.key for c in plan.contacts} | set(existing.contact_ids)
    lead_ext = {lead.key for lead in plan.leads} | set(existing.lead_ids)

    kept = []
    for opp in plan.opportunities:
        ok = True
        if opp.owner_key not in users:
            column = opp.columns.get("owner", "owner")
            plan.reject(opp.source, column, f"unknown or rejected user {opp.source.get(column)!r}")
            ok = False
        if opp.account_key and not known_account(opp.account_key, account_keys):
            plan.reject(opp.source, opp.columns.get("account", "account"), f"unknown or rejected account {opp.account_key!r}")
            ok = False
        for line in opp.lines:
            if line.product_key not in products:
                plan.reject(opp.source, opp.columns.get("product", "product"), f"unknown or rejected product {line.name!r}")
                ok = False
        if opp.contact_keys and not any(k in contact_ext for k in opp.contact_keys):
            leads = [k for k in opp.contact_keys if k in lead_ext]
            if leads:
                plan.warn(opp.source, opp.columns.get("contact", "contact"),
                          f"{', '.join(leads)}: a lead, not a contact: the deal has no contact")
                opp.contact_keys = []
            else:
                plan.reject(opp.source, opp.columns.get("contact", "contact"),
                            f"unknown or rejected contact {opp.contact_keys[0]!r}")
                ok = False
        if ok:
            kept.append(opp)
    plan.opportunities = kept
    opp_ext = {o.key for o in plan.opportunities} | set(existing.opportunities)

    for lead in plan.leads:
        for kind, key in list(lead.converted_keys.items()):
            known = {"account": account_ext, "contact": contact_ext, "opportunity": opp_ext}[kind]
            if key not in known:
                plan.warn(lead.source, lead.columns.get(f"converted_{kind}", kind),
                          f"converted {kind} {key!r} is not in the files or the database: link left empty")
                del lead.converted_keys[kind]

    kept = []
    for activity in plan.activities:
        ok = True
        for link, key in activity.links.items():
            known = {"opportunity": opp_ext, "account": account_ext, "lead": lead_ext,
                     "person": contact_ext | lead_ext, "what": opp_ext | account_ext}[link]
            if key not in known:
                what = {"opportunity": "deal", "person": "contact or lead", "what": "deal or account"}.get(link, link)
                plan.reject(activity.source, activity.columns.get(link, link), f"unknown or rejected {what} {key!r}")
                ok = False
        if ok:
            kept.append(activity)
    plan.activities = kept


def _parents(plan: Plan, index: AccountIndex) -> None:
    """Parents, repeated until stable (a rejected parent rejects its subsidiaries)."""
    while True:
        keys = {a.key for a in plan.accounts}
        names = {normalise_name(a.record.name) for a in plan.accounts}
        bad = [a for a in plan.accounts if a.parent_key and a.parent_key not in keys
               and normalise_name(a.parent_key) not in names and index.find(a.parent_key) is None]
        for account in [a for a in bad if a.strict]:
            # hubspot/salesforce: a parent outside the export is the source's business, not a broken row
            plan.warn(account.source, account.columns.get("parent", "subsidiary_of"),
                      f"parent account {account.parent_key!r} is not in the files or the database: no parent")
            account.parent_key = None
        bad = [a for a in bad if not a.strict]
        for account in bad:
            plan.reject(account.source, account.columns.get("parent", "subsidiary_of"),
                        f"unknown or rejected parent account {account.parent_key!r}")
        own = [a for a in plan.accounts if a.parent_key and normalise_name(a.parent_key) == normalise_name(a.record.name)]
        for account in own:
            plan.reject(account.source, account.columns.get("parent", "subsidiary_of"), "an account cannot be its own parent")
        if not bad and not own:
            return
        plan.accounts = [a for a in plan.accounts if a not in bad and a not in own]


# -- near-duplicates (reported once, never merged) ------------------------------------------------


def near_duplicates(plan: Plan, existing: Any) -> None:
    if plan.native:
        return
    _close_account_names(plan, existing)
    _strict_account_duplicates(plan, existing)
    _leads_and_contacts(plan, existing)
    _lead_duplicates(plan, existing)


def _close_account_names(plan: Plan, existing: Any) -> None:
    """Accounts whose names are close but not equal to another's."""
    names = {normalise_name(name): name for _id, _ext, name, _d in existing.accounts}
    if len(names) + len(plan.accounts) > NEAR_DUPLICATE_LIMIT:
        plan.notes.append(f"near-duplicate check skipped: more than {NEAR_DUPLICATE_LIMIT:,} accounts")
        return
    for account in plan.accounts:
        norm = normalise_name(account.record.name)
        others = [n for n in names if n != norm]
        close = difflib.get_close_matches(norm, others, n=1, cutoff=0.92)
        if close:
            plan.warn(account.source, account.columns.get("name", "account"),
                      f"near-duplicate of {names[close[0]]!r}: not merged")
        names.setdefault(norm, account.record.name)


def _strict_account_duplicates(plan: Plan, existing: Any) -> None:
    """hubspot/salesforce: the same normalised name (punctuation, case, Inc/LLC... ignored) as another
    account that is not the same record — different spelling or a different domain — is reported."""
    seen: dict[str, list[tuple[str | None, str, str]]] = {}  # normalised name -> (external id, name, domain)
    for _id, ext, name, domain in existing.accounts:
        seen.setdefault(normalise_name(name), []).append((ext, name, (domain or "").lower()))
    for account in plan.accounts:
        record = account.record
        norm = normalise_name(record.name)
        if account.strict:
            for ext, name, domain in seen.get(norm, []):
                if ext == account.key:
                    continue
                other_domain = bool(domain and record.domain and domain != record.domain.lower())
                same_name = exact_name(name) == exact_name(record.name)
                if same_name and not other_domain and not ext:
                    continue  # the same account (made in Pantry, without a source id): matched
                why = (f"different domain ({domain} vs {record.domain})" if other_domain
                       else "name differs only in case, punctuation or legal suffix" if not same_name
                       else f"the same name, another source id ({ext})")
                plan.warn(account.source, account.columns.get("name", "account"),
                          f"possible duplicate of {name!r}: {why}; not merged")
                break
        seen.setdefault(norm, []).append((account.key, record.name, record.domain.lower()))


def _lead_duplicates(plan: Plan, existing: Any) -> None:
    """A new lead (no external id, e-mail or phone match) with the same name and (non-blank) company as another."""
    people = dict(existing.lead_people)
    keys = set(existing.leads)
    for lead in plan.leads:
        record = lead.record
        own = {k for k in (email_key(record.email), phone_key(record.phone)) if k}
        person = person_key(record.name, record.company)
        if record.company.strip() and lead.key not in existing.lead_ids and not (own & keys) and person in people:
            other_id, other_name = people[person]
            where = f"lead {other_id}" if other_id else "an earlier row"
            plan.warn(lead.source, lead.columns.get("email", "email"),
                      f"possible duplicate of {other_name!r} ({where}): same name and company, different e-mail "
                      "and phone; not merged")
        people.setdefault(person, (0, record.name))
        keys |= own


def _leads_and_contacts(plan: Plan, existing: Any) -> None:
    """A HubSpot contact moves through lifecycle stages: one imported as a lead may come back as a
    contact (added as a contact; the lead is left to be converted in Pantry), and one imported as a
    contact is not added again as a lead."""
    for contact in plan.contacts:
        lead_id = existing.lead_ids.get(contact.key)
        if lead_id is not None:
            plan.warn(contact.source, contact.columns.get("id", "id"), f"{contact.key} was imported as lead {lead_id}; "
                      "now a contact: added as a contact, the lead is left as it is (convert it in Pantry)")
    kept = []
    for lead in plan.leads:
        contact_id = existing.contact_ids.get(lead.key)
        if contact_id is not None:
            plan.warn(lead.source, lead.columns.get("id", "id"), f"{lead.key} is already contact {contact_id}: "
                      "not imported as a lead")
            continue
        kept.append(lead)
    plan.leads = kept
