"""What makes two accounts or contacts look alike (domain/services/duplicates.py)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from domain.services.duplicates import normal_name, phone_digits, web_domain


def test_names_compare_without_case_punctuation_or_company_suffixes():
    assert normal_name("The Blue Door Bistro, Inc.") == normal_name("blue door bistro") == "blue door bistro"
    assert normal_name("Café Rouge LLC") == "cafe rouge"
    assert normal_name("A & B Foods") == normal_name("A and B Foods")
    assert normal_name("Blue Door") != normal_name("Blue Doors")


def test_phones_compare_by_their_last_ten_digits():
    assert phone_digits("(555) 123-4567") == phone_digits("+1 555.123.4567") == "5551234567"
    assert phone_digits("123") == ""


def test_domains_from_urls_and_addresses_but_not_mailbox_providers():
    assert web_domain("https://www.BlueDoor.example/menu") == web_domain("chef@bluedoor.example") == "bluedoor.example"
    assert web_domain("someone@gmail.com") == ""


@given(st.text(max_size=40))
def test_normalising_twice_changes_nothing(text):
    assert normal_name(normal_name(text)) == normal_name(text)
    assert phone_digits(phone_digits(text)) == phone_digits(text)
