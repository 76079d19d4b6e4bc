"""Choice lists checked by counting (a register of hundreds offered on a sign-in sheet) answer as oneOf does."""
import time

from app.engine.form_schema import form_errors

REGISTER = [{"const": str(n), "title": f"成员{n}"} for n in range(1, 631)]
SHEET = {"type": "object", "properties": {
    "attendees": {"type": "array", "items": {"type": "string", "oneOf": REGISTER}, "uniqueItems": True},
    "twice": {"type": "string", "oneOf": [{"const": "a"}, {"const": "a"}]},
    "mixed": {"oneOf": [{"const": "a"}, {"type": "integer", "minimum": 5}]}}}


def test_a_choice_off_the_list_is_refused_and_one_on_it_is_not():
    assert form_errors(SHEET, {"attendees": ["1", "630"]}) == []
    (error,) = form_errors(SHEET, {"attendees": ["1", "631"]})
    assert error.validator == "oneOf" and list(error.absolute_path) == ["attendees", 1]


def test_a_value_matching_two_options_fails_as_oneof_says():
    assert [e.validator for e in form_errors(SHEET, {"twice": "a"})] == ["oneOf"]


def test_other_oneofs_are_checked_as_before():
    assert form_errors(SHEET, {"mixed": 7}) == [] and form_errors(SHEET, {"mixed": "a"}) == []
    assert [e.validator for e in form_errors(SHEET, {"mixed": 3})] == ["oneOf"]


def test_a_long_sheet_is_checked_quickly():
    started = time.process_time()
    assert form_errors(SHEET, {"attendees": [str(n) for n in range(1, 602)]}) == []
    assert time.process_time() - started < 1.0  # each of 601 boxes against 630 options: counted, not validated
