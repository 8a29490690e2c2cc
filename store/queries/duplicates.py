"""Candidates for a duplicate account or contact (domain/services/duplicates.py decides which match).

Each query reads a bounded number of rows through indexed or selective conditions; the domain then
compares normalised names, e-mail domains and phone digits. Archived records are candidates too: a
duplicate of a retired account is still a duplicate (restore it instead).
"""

from __future__ import annotations

from peewee import fn

from domain import records as r
from store.mapping import row_dict_to_record
from store.models import AccountRow, ContactRow

LIMIT = 200


def _or(conditions):
    condition = None
    for clause in conditions:
        condition = clause if condition is None else (condition | clause)
    return condition


def account_candidates(name_word: str, domain: str, phone_tail: str) -> list[r.Account]:
    """Accounts whose name contains `name_word`, whose domain is `domain`, or whose phone ends in the digits
    `phone_tail` (as typed, so compared loosely here and exactly in the domain)."""
    conditions = []
    if name_word:
        conditions.append(fn.LOWER(AccountRow.name).contains(name_word.lower()))
    if domain:
        conditions.append(fn.LOWER(AccountRow.domain) == domain.lower())
    if phone_tail:
        conditions.append(AccountRow.phone.contains(phone_tail[-4:]))
    if not conditions:
        return []
    query = AccountRow.select().where(_or(conditions)).order_by(AccountRow.id).limit(LIMIT)
    return [row_dict_to_record(AccountRow, row, r.Account) for row in query.dicts()]


def contact_candidates(first_name: str, last_name: str, email: str, phone_tail: str) -> list[r.Contact]:
    conditions = []
    if first_name and last_name:
        conditions.append((fn.LOWER(ContactRow.last_name) == last_name.lower())
                          & (fn.LOWER(ContactRow.first_name) == first_name.lower()))
    if email:
        conditions.append(fn.LOWER(ContactRow.email) == email.lower())
    if phone_tail:
        conditions.append(ContactRow.phone.contains(phone_tail[-4:]))
    if not conditions:
        return []
    query = ContactRow.select().where(_or(conditions)).order_by(ContactRow.id).limit(LIMIT)
    return [row_dict_to_record(ContactRow, row, r.Contact) for row in query.dicts()]


def accounts_with_email_domain(domain: str) -> list[r.Account]:
    """Accounts one of whose contacts has an e-mail address at `domain`."""
    if not domain:
        return []
    ids = (ContactRow.select(ContactRow.account).where(fn.LOWER(ContactRow.email).endswith("@" + domain.lower()))
           .where(ContactRow.account.is_null(False)).limit(LIMIT))
    query = AccountRow.select().where(AccountRow.id.in_(ids)).order_by(AccountRow.id).limit(LIMIT)
    return [row_dict_to_record(AccountRow, row, r.Account) for row in query.dicts()]
