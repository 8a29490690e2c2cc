"""domain.money: exact cents in, exact cents out; every figure here is worked by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.money import (
    MoneyError,
    apply_percent,
    format_money,
    line_total,
    parse_cents,
    to_decimal,
    to_json_number,
)

# -- parse_cents ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "cents"),
    [
        ("1,234.5", 123450),  # 1234.50 dollars x 100
        ("$99", 9900),
        ("0.01", 1),
        ("0", 0),
        ("  7 ", 700),
        ("1_000", 100000),  # underscores are digit separators: 1000 dollars
        ("$12,345,678,901.23", 1_234_567_890_123),
        ("19.90", 1990),
        ("1.230", 123),  # a third place that is zero adds no precision: 1.23 dollars
        (12, 1200),  # an int is whole dollars
        (Decimal("1.10"), 110),
        (Decimal("0.07"), 7),
    ],
)
def test_parse_cents(text, cents):
    assert parse_cents(text) == cents
    assert type(parse_cents(text)) is int


@pytest.mark.parametrize("text", ["1.234", "0.001", "$5.999", Decimal("0.005")])
def test_parse_cents_refuses_fractions_of_a_cent(text):
    with pytest.raises(MoneyError, match="more than two decimal places"):
        parse_cents(text)


@pytest.mark.parametrize("text", ["NaN", "nan", "Infinity", "-inf", Decimal("NaN"), Decimal("Infinity")])
def test_parse_cents_refuses_non_finite(text):
    with pytest.raises(MoneyError, match="not a finite amount"):
        parse_cents(text)


@pytest.mark.parametrize("text", ["", "   ", "$", ",", "_"])
def test_parse_cents_refuses_empty(text):
    with pytest.raises(MoneyError, match="empty amount"):
        parse_cents(text)


@pytest.mark.parametrize("text", ["-5.25", "-0.01", -1, Decimal("-3")])
def test_parse_cents_refuses_negative_amounts(text):
    with pytest.raises(MoneyError, match="must be 0 or more"):
        parse_cents(text)


@pytest.mark.parametrize("text", ["1e30", "1e300", "1e308", "1E2", "1e-2", "0x10", "+5", "١٢٣"])
def test_parse_cents_refuses_exponent_and_other_number_forms(text):
    with pytest.raises(MoneyError, match="not an amount"):
        parse_cents(text)


@pytest.mark.parametrize("text", ["1000000000000.01", "99999999999999999999999999", Decimal("1E+30"), 10**13])
def test_parse_cents_refuses_more_than_a_trillion_dollars(text):
    with pytest.raises(MoneyError, match=r"at most \$1,000,000,000,000.00"):
        parse_cents(text)


def test_parse_cents_takes_a_trillion_dollars_exactly():
    assert parse_cents("$1,000,000,000,000.00") == 100_000_000_000_000


@pytest.mark.parametrize("text", ["abc", "1.2.3", "12 34", "€5", "1,2,3.4.5"])
def test_parse_cents_refuses_garbage(text):
    with pytest.raises(MoneyError, match="not an amount"):
        parse_cents(text)


def test_money_error_is_a_value_error():
    assert issubclass(MoneyError, ValueError)


# -- formatting -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (0, "$0.00"),
        (1, "$0.01"),
        (99, "$0.99"),
        (100, "$1.00"),
        (123456, "$1,234.56"),
        (1_234_567_890_123, "$12,345,678,901.23"),
        (-525, "-$5.25"),
    ],
)
def test_format_money(cents, text):
    assert format_money(cents) == text


def test_format_money_symbol():
    assert format_money(150, symbol="€") == "€1.50"
    assert format_money(150, symbol="") == "1.50"


@pytest.mark.parametrize(
    ("cents", "text"),
    [
        (0, "$0"),
        (49, "$0"),  # $0.49 -> 0 whole dollars
        (50, "$1"),  # $0.50 rounds half up to $1
        (95_000, "$950"),
        (99_949, "$999"),  # $999.49 -> $999
        (99_950, "$1.0K"),  # $999.50 rounds to $1,000: shown in thousands, not "$1000"
        (100_000, "$1.0K"),
        (4_530_000, "$45.3K"),  # $45,300 / 1,000 = 45.3
        (4_535_000, "$45.4K"),  # 45.35 rounds half up
        (99_994_000, "$999.9K"),  # $999,940 / 1,000 = 999.94 -> 999.9
        (99_995_000, "$1.0M"),  # $999,950 -> 999.95K would round to 1000.0K: one unit up instead
        (123_456_789, "$1.2M"),  # $1,234,567.89 / 1,000,000 = 1.23...
        (99_999_999_999, "$1.0B"),  # $999,999,999.99
        (10**15, "$10000.0B"),  # the largest amount a record allows: billions are the top unit
        (-4_530_000, "-$45.3K"),
    ],
)
def test_format_money_compact(cents, text):
    assert format_money(cents, compact=True) == text


def test_decimal_and_json_forms():
    assert to_decimal(123456) == Decimal("1234.56")
    assert str(to_decimal(1)) == "0.01"
    assert str(to_decimal(100)) == "1.00"
    assert to_json_number(1200) == 12 and type(to_json_number(1200)) is int
    assert to_json_number(1250) == 12.5
    assert to_json_number(1) == 0.01
    assert to_json_number(0) == 0


# -- percentages ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cents", "percent", "result"),
    [
        (1_000_000, 20, 200_000),  # $10,000.00 x 20 % = $2,000.00
        (1_500_000, 20, 300_000),  # $15,000.00 x 20 % = $3,000.00
        (250, 1, 2),  # 2.5 cents -> 2 (half to even)
        (350, 1, 4),  # 3.5 cents -> 4 (half to even)
        (5, 50, 2),  # 2.5 -> 2
        (15, 50, 8),  # 7.5 -> 8
        (12345, Decimal("12.5"), 1543),  # 1543.125 -> 1543
        (999, 0, 0),
        (999, 100, 999),
        (1_234_567_890_123, 60, 740_740_734_074),  # 740,740,734,073.8 -> ...074
    ],
)
def test_apply_percent(cents, percent, result):
    assert apply_percent(cents, percent) == result


# -- line totals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("unit", "quantity", "discount", "total"),
    [
        # 1999 x 12.345 = 24677.655; x (100 - 12.50) / 100 = 21592.948125 -> 21593
        (1999, Decimal("12.345"), Decimal("12.50"), 21593),
        (1000, Decimal(3), Decimal(0), 3000),  # 3 x $10.00
        (333, Decimal("0.5"), Decimal(0), 166),  # 166.5 -> 166 (half to even)
        (335, Decimal("0.5"), Decimal(0), 168),  # 167.5 -> 168 (half to even)
        (2500, Decimal(2), Decimal("33.33"), 3334),  # 5000 x 66.67 / 100 = 3333.5 -> 3334
        (10_000, Decimal(1), Decimal(100), 0),  # fully discounted
        (1, Decimal("0.001"), Decimal(0), 0),  # a thousandth of a cent
        (1_234_567_890_123, Decimal(1), Decimal(0), 1_234_567_890_123),
        (499, Decimal("120.750"), Decimal(5), 57242),  # 499 x 120.75 = 60254.25; x 95 / 100 = 57241.5375 -> 57242
    ],
)
def test_line_total(unit, quantity, discount, total):
    assert line_total(unit, quantity, discount) == total
    assert type(line_total(unit, quantity, discount)) is int
