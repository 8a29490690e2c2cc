"""field_errors: the one reading of pydantic's errors that the CLI, the TUI, the importer and the services share."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, Field, ValidationError, model_validator

from domain.filters import OpportunityFilter
from domain.validation import field_errors


class Inner(BaseModel):
    due: int


class Sample(BaseModel):
    amount_cents: int = Field(ge=0)
    items: list[Inner] = []
    note: str = ""

    @model_validator(mode="after")
    def _check(self) -> "Sample":
        if self.note == "bad":
            raise ValueError("note: must not be 'bad'")
        if self.note == "whole":
            raise ValueError("the record as a whole is wrong")
        return self


def errors_of(**values):
    with pytest.raises(ValidationError) as caught:
        Sample(**values)
    return field_errors(caught.value, {"amount_cents": "amount"})


def test_a_field_is_named_as_the_user_knows_it():
    [problem] = errors_of(amount_cents=-1)
    assert (problem.field, problem.reason, problem.type) == ("amount", "Input should be greater than or equal to 0",
                                                              "greater_than_equal")
    assert problem.input == -1 and problem.loc == ("amount_cents",)


def test_a_nested_field_keeps_its_path_without_list_indexes():
    [problem] = errors_of(amount_cents=1, items=[{"due": 1}, {"due": "soon"}])
    assert problem.loc == ("items", 1, "due") and problem.path == "items.due" and problem.field == "items"


def test_a_model_validator_names_its_field_at_the_start_of_the_message():
    [problem] = errors_of(amount_cents=1, note="bad")
    assert (problem.field, problem.reason, problem.loc) == ("note", "must not be 'bad'", ())
    assert problem.path == "note"
    [whole] = errors_of(amount_cents=1, note="whole")
    assert (whole.field, whole.reason, whole.path) == ("", "the record as a whole is wrong", "")


def test_every_problem_in_order():
    problems = errors_of(amount_cents="x", items=[{}])
    assert [p.field for p in problems] == ["amount", "items"]


def test_the_filters_range_check():
    with pytest.raises(ValidationError) as caught:
        OpportunityFilter(min_value_cents=5, max_value_cents=1)
    [problem] = field_errors(caught.value)
    assert (problem.field, problem.reason) == ("min_value", "must not exceed max_value")


@given(st.text(max_size=60))
def test_any_message_reads_without_pydantics_prefix(message):
    class Anything(BaseModel):
        @model_validator(mode="after")
        def _fail(self):
            raise ValueError(message)

    with pytest.raises(ValidationError) as caught:
        Anything()
    [problem] = field_errors(caught.value)
    assert not problem.reason.startswith("Value error, ")
    assert (f"{problem.field}: {problem.reason}" if problem.field else problem.reason) == message
