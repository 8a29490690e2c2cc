"""Is a new account or contact a duplicate? Normalised names, web and e-mail domains, phone digits.

Reported with the matches (the CLI refuses unless told `--allow-duplicate`; a form offers to open the
match); never merged silently.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from domain.records import Account, Contact

if TYPE_CHECKING:
    from domain.ports import Storage

# words that do not tell two businesses apart
_NOISE = {"the", "inc", "incorporated", "llc", "ltd", "limited", "co", "corp", "corporation", "company", "and", "gmbh",
          "plc", "lp", "llp", "sa", "ag"}
# mailbox providers: sharing one says nothing about the employer
_PUBLIC_MAIL = {"gmail.com", "googlemail.com", "yahoo.com", "hotmail.com", "outlook.com", "live.com", "aol.com",
                "icloud.com", "me.com", "proton.me", "protonmail.com", "msn.com", "mail.com", "gmx.com"}


def normal_name(name: str) -> str:
    """'The Blue Door Bistro, Inc.' -> 'blue door bistro'."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower().replace("&", " and ")
    words = [w for w in re.split(r"[^a-z0-9]+", folded) if w and w not in _NOISE]
    return " ".join(words)


def phone_digits(phone: str) -> str:
    """The last ten digits of a phone number ('' when it has fewer than seven)."""
    digits = re.sub(r"\D", "", phone or "")
    return digits[-10:] if len(digits) >= 7 else ""


def web_domain(text: str) -> str:
    """'https://www.Example.com/menu' -> 'example.com'; an e-mail address gives its domain."""
    value = (text or "").strip().lower()
    if "@" in value:
        value = value.rsplit("@", 1)[1]
    value = re.sub(r"^[a-z]+://", "", value).split("/", 1)[0].removeprefix("www.")
    return "" if value in _PUBLIC_MAIL else value


def account_duplicates(store: "Storage", account: Account, email: str = "") -> list[tuple[Account, str, str]]:
    """(existing account, its name, why) for each account `account` looks like (not itself)."""
    name = normal_name(account.name)
    domain = web_domain(account.domain) or web_domain(email)
    phone = phone_digits(account.phone)
    word = max(name.split(), key=len, default="")
    candidates = {a.id: a for a in store.account_candidates(word, domain, phone)}
    candidates.update({a.id: a for a in store.accounts_with_email_domain(domain)} if domain else {})
    found = []
    for other in candidates.values():
        if other.id == account.id:
            continue
        why = []
        if name and normal_name(other.name) == name:
            why.append("same name")
        if domain and web_domain(other.domain) == domain:
            why.append(f"same domain {domain}")
        elif domain and other.id in {a.id for a in store.accounts_with_email_domain(domain)}:
            why.append(f"a contact's e-mail is at {domain}")
        if phone and phone_digits(other.phone) == phone:
            why.append("same phone")
        if why:
            found.append((other, other.name, ", ".join(why)))
    return found


def contact_duplicates(store: "Storage", contact: Contact) -> list[tuple[Contact, str, str]]:
    email = (contact.email or "").strip().lower()
    phone = phone_digits(contact.phone)
    found = []
    for other in store.contact_candidates(contact.first_name.strip(), contact.last_name.strip(), email, phone):
        if other.id == contact.id:
            continue
        why = []
        if email and (other.email or "").lower() == email:
            why.append("same e-mail")
        if phone and phone_digits(other.phone) == phone:
            why.append("same phone")
        if (normal_name(other.full_name) == normal_name(contact.full_name)
                and other.account_id == contact.account_id):
            why.append("same name at the same account")
        if why:
            found.append((other, other.full_name, ", ".join(why)))
    return found
