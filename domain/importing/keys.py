"""The keys imports match records on: names, e-mail addresses and phone numbers, normalised.

The store builds its look-up tables with these same functions, so a key computed from a CSV
row and one computed from a stored record always agree.
"""

from __future__ import annotations

import re

LEGAL_SUFFIXES = frozenset({"inc", "llc", "ltd", "co", "corp", "corporation", "company", "gmbh", "plc", "sa"})


def normalise_name(name: str) -> str:
    """Account names compare without case, punctuation or legal suffixes ('ACME, Inc.' = 'Acme')."""
    words = re.findall(r"[a-z0-9]+", name.lower())
    while words and words[-1] in LEGAL_SUFFIXES:
        words.pop()
    return " ".join(words)


def exact_name(name: str) -> str:
    """Case and runs of spaces ignored, nothing else."""
    return " ".join(name.casefold().split())


def email_key(email: str | None) -> str | None:
    """An e-mail address compared without case or surrounding spaces; None when blank."""
    text = (email or "").strip().lower()
    return text or None


def phone_key(phone: str | None) -> str | None:
    """The digits of a phone number, without a leading North American country code 1
    (`+1 (617) 555-0142` = `617.555.0142`); None when fewer than 7 digits."""
    digits = "".join(c for c in phone or "" if c.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return digits if len(digits) >= 7 else None


def person_key(name: str, company: str) -> str:
    """A lead's name and company, normalised: two leads with the same one are near-duplicates."""
    return f"{normalise_name(name)}|{normalise_name(company)}"
