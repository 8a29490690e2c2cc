"""Property-based tests of the input boundary: whatever is typed, a parser returns a value in its documented
range or refuses with its own error (never anything else), and a refused command changes nothing.

Example counts are kept modest (the suite runs twice in CI, SQLite and PostgreSQL)."""

from __future__ import annotations

import base64
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cli.main import main
from domain.filter_syntax import opportunity_filter, parse_filter
from domain.forms import activity_entry, opportunity_changes, schedule_entry
from domain.inputs import MAX_ID, InputError, check_text, control_character, parse_date, parse_id
from domain.money import MAX_CENTS, MoneyError, format_money, parse_cents
from domain.pipeline import DEFAULT_PIPELINE
from domain.records import Opportunity
from tests.conftest import NOW
from tests.db_digest import digest
from tests.test_input_cli import make_crm

FAST = settings(max_examples=150, deadline=None)
CLI = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

# Text a hostile user types: anything, and things that look almost like numbers, dates and ids.
numberish = st.one_of(
    st.text(max_size=40),
    st.from_regex(r"-?\$?[0-9,_]{0,35}(\.[0-9]{0,4})?([eE][+-]?[0-9]{1,4})?", fullmatch=True),
    st.sampled_from(["1e30", "1e300", "1e308", "NaN", "-inf", "Infinity", "-0", "0x1F", "١٢٣", "1_000", " 7 "]),
    st.integers(min_value=-(10**40), max_value=10**40).map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
)


# -- parsers ---------------------------------------------------------------------------------


@FAST
@given(numberish)
def test_an_amount_is_cents_in_range_or_a_money_error(text):
    try:
        cents = parse_cents(text)
    except MoneyError as error:
        assert str(error)
        return
    assert type(cents) is int and 0 <= cents <= MAX_CENTS


@FAST
@given(st.integers(min_value=0, max_value=MAX_CENTS))
def test_every_amount_in_range_reads_back_from_its_own_display(cents):
    assert parse_cents(format_money(cents)) == cents
    assert parse_cents(Decimal(cents) / 100) == cents


@FAST
@given(numberish)
def test_an_id_is_in_range_or_an_input_error(text):
    try:
        value = parse_id(text)
    except InputError:
        return
    assert 1 <= value <= MAX_ID


@FAST
@given(st.one_of(st.text(max_size=20), st.dates().map(date.isoformat),
                 st.from_regex(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", fullmatch=True)))
def test_a_date_exists_or_is_an_input_error(text):
    try:
        day = parse_date(text)
    except InputError:
        return
    assert day.isoformat() == text.strip()


@FAST
@given(st.text(max_size=260))
def test_text_within_its_limit_and_without_control_characters_or_an_input_error(text):
    try:
        cleaned = check_text(text)
    except InputError:
        return
    assert len(cleaned) <= 200 and control_character(cleaned) is None


@FAST
@given(st.lists(st.one_of(st.text(max_size=12), numberish,
                          st.sampled_from(["@", "@nobody", ">1e308", "<-5", "close:2026-02-30", "health>999",
                                           "stage:", "team:", "flagged", "close:9999-99"])), max_size=6))
def test_a_filter_box_is_a_filter_or_a_value_error(words):
    try:
        opportunity_filter(parse_filter(" ".join(words)), DEFAULT_PIPELINE)
    except ValueError:  # FilterSyntaxError and pydantic's ValidationError are ValueErrors
        pass


DEAL = Opportunity(id=1, name="Deal", stage="discovery", probability=20, value_cents=100_00, owner_id=1,
                   started_on=NOW.date(), expected_close_date=NOW.date(), stage_entered_at=NOW,
                   created_at=NOW, updated_at=NOW)


@FAST
@given(st.fixed_dictionaries({
    "budget": numberish, "value": numberish, "expected_close": st.text(max_size=12), "name": st.text(max_size=220),
    "next_step": st.text(max_size=220), "source": st.text(max_size=20), "probability": st.text(max_size=5),
}))
def test_the_deal_form_gives_valid_changes_or_errors_by_field(values):
    changes, errors = opportunity_changes(DEAL, values)
    if changes is None:
        assert errors and set(errors) <= {*values, ""}
        return
    Opportunity.model_validate({**DEAL.model_dump(), **changes})  # what the form lets through is storable


@FAST
@given(st.fixed_dictionaries({"kind": st.sampled_from(["call", "meeting", "email", "x"]),
                              "subject": st.text(max_size=220), "description": st.text(max_size=50),
                              "day": st.text(max_size=12), "time": st.text(max_size=8)}))
def test_the_activity_forms_give_entries_or_errors_by_field(values):
    for entry, errors in (activity_entry(values), schedule_entry(values, NOW.date())):
        assert (entry is None) == bool(errors)


# -- the command line ------------------------------------------------------------------------


@pytest.fixture
def crm_file(database_url) -> str:
    return make_crm(database_url)


OPTIONS = [
    ("edit", "1", "--value"), ("edit", "1", "--budget"), ("edit", "1", "--expected-close"),
    ("edit", "1", "--probability"), ("edit", "1", "--expect-version"), ("edit", "1", "--name"),
    ("edit", "1", "--next-step"), ("move", "1", "closed_lost", "--lost-reason"), ("move", "1", "--expect-version"),
    ("log", "1", "--kind", "call", "--subject"), ("list", "opportunities", "--min-value"),
    ("list", "opportunities", "--account-id"), ("list", "opportunities", "--close-from"),
    ("list", "opportunities", "--limit"), ("list", "accounts", "--min-health"), ("quota", "set", "ray", "--start"),
    ("audit", "--record"), ("audit", "--limit"), ("list", "opportunities", "--offset"),
    ("list", "accounts", "--max-health"), ("list", "tasks", "--due-before"), ("list", "contacts", "--account-id"),
    ("report", "pipeline", "--from"), ("report", "pipeline", "--to"), ("pipeline", "show"),
    ("forecast", "backtest", "--to", "2026-03", "--from"), ("stats", "--team"), ("list", "opportunities", "--search"),
]


@pytest.mark.parametrize("option", OPTIONS, ids=" ".join)
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=numberish)
def test_every_option_takes_a_value_or_refuses_it_with_1_or_2_and_writes_nothing(capsys, crm_file, option, text):
    argv = list(option) + [text]
    if option[0] == "move" and option[-1] == "--expect-version":
        argv = ["move", "1", "proposal", "--expect-version", text]
    if option[:2] == ("quota", "set"):
        argv = ["quota", "set", "ray", text, "--start", "2026-03"]
    before = digest(crm_file)
    try:
        code = main(["--db", crm_file, "--as", "ada", "--as-of", "2026-03-16", *argv])
    except SystemExit as exit_:  # pragma: no cover - main returns its code
        code = exit_.code
    _, err = capsys.readouterr()
    assert code in (0, 1, 2), (argv, code, err)
    assert "Traceback" not in err
    if code != 0:
        assert digest(crm_file) == before, (argv, err)


@CLI
@given(st.lists(st.one_of(st.integers(min_value=-5, max_value=10).map(str), numberish), min_size=1, max_size=4))
def test_assigning_any_ids_is_all_or_nothing(capsys, crm_file, ids):
    before = digest(crm_file)
    code = main(["--db", crm_file, "--as", "mia", "assign", "opportunity", *ids, "--to", "sue"])
    _, err = capsys.readouterr()
    assert code in (0, 1, 2), (ids, err)
    if code != 0:
        assert digest(crm_file) == before, (ids, err)
    else:
        main(["--db", crm_file, "--as", "mia", "assign", "opportunity", "1", "2", "3", "--to", "ray"])
        capsys.readouterr()



# -- SSH public keys -------------------------------------------------------------------------

KEY_TYPES = ["ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "sk-ssh-ed25519@openssh.com", "ssh-dss", "x"]


@FAST
@given(st.sampled_from(KEY_TYPES), st.one_of(st.binary(max_size=80).map(lambda b: base64.b64encode(b).decode()),
                                             st.text(max_size=40)),
       st.integers(min_value=0, max_value=12), st.text(max_size=10))
def test_a_public_key_parses_whole_or_is_refused_as_malformed(key_type, data, cut, comment):
    from cli.commands.keys_cmd import MalformedKey, parse_public_key

    for text in (f"{key_type} {data} {comment}", f"{key_type} {data[:len(data) - cut]}"):
        try:
            key = parse_public_key(text)
        except MalformedKey:
            continue
        assert key.type == key_type and key.fingerprint.startswith("SHA256:")


@FAST
@given(st.binary(max_size=70), st.lists(st.binary(max_size=8), max_size=2))
def test_an_ed25519_key_is_accepted_only_with_its_32_bytes_and_nothing_after(material, extra):
    import struct

    from cli.commands.keys_cmd import MalformedKey, parse_public_key

    raw = b"".join(struct.pack(">I", len(part)) + part for part in (b"ssh-ed25519", material, *extra))
    text = "ssh-ed25519 " + base64.b64encode(raw).decode()
    if len(material) == 32 and not extra:
        assert parse_public_key(text).type == "ssh-ed25519"
    else:
        with pytest.raises(MalformedKey):
            parse_public_key(text)


@FAST
@given(st.fixed_dictionaries({"product": st.sampled_from(["1", "2", "", "x"]), "quantity": numberish,
                              "unit_price": st.one_of(st.just(""), numberish), "discount": numberish}))
def test_the_add_a_product_form_gives_a_storable_line_or_errors_by_field(values):
    from domain.forms import line_item_entry
    from domain.money import line_total

    entry, errors = line_item_entry(values, {"1": 250, "2": MAX_CENTS})
    if entry is None:
        assert errors and set(errors) <= set(values)
        return
    price = entry.get("unit_price_cents", {"1": 250, "2": MAX_CENTS}[values["product"]])
    assert 0 <= line_total(price, entry["quantity"], entry["discount_pct"]) <= MAX_CENTS
