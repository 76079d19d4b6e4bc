"""The engine's failure reasons are explained in translatable words: each limit by its own message, each
Python error by its kind, and anything else as a failed script, never as the engine's English alone."""
import pytest

from app.engine.failures import LIMITS, OTHER, PYTHON_ERRORS, explained, technical_detail
from app.engine.runtime import ProcessEngine

from test_scripting import DEFINITIONS, flow, gateway_process, load, script_task

SHARED = "a = ()\nb = ()\nfor i in range(60):\n    a = (a, a)\n    b = (b, b)\nc = a == b"


def failure_of(script: str, engine=ProcessEngine()) -> str:
    """The error text a run of a one-script process ends with."""
    xml = DEFINITIONS.format(body=script_task("s", script) + '<bpmn:endEvent id="end"/>'
                             + flow("start", "s") + flow("s", "end"))
    result = engine.run(load(xml))
    assert result.status == "error"
    return result.error


@pytest.mark.parametrize("script, msgid", [
    ("i = 0\nwhile True:\n    i += 1", "the script ran longer than its time limit of %(seconds)s s"),
    ("x = 'a'.ljust(10**9)", "the result of %(what)s would be too large for a script (limit %(limit)s)"),
    (SHARED, LIMITS[2]),
])
def test_a_limit_is_named_with_its_figures(script, msgid):
    reason = failure_of(script)
    text = explained(reason)
    assert text.msgid == msgid and text.params and all(text.params.values())
    assert technical_detail(reason) == ""  # the limit says it all


@pytest.mark.parametrize("script, kind", [("x = undefined_name", "NameError"), ("x = 1 / 0", "ZeroDivisionError"),
                                          ("x = 'a' + 1", "TypeError")])
def test_a_python_error_is_named_by_its_kind_and_keeps_its_detail(script, kind):
    reason = failure_of(script)
    assert explained(reason).msgid == PYTHON_ERRORS[kind]
    assert technical_detail(reason).startswith(kind)


def test_a_failed_gateway_condition_is_an_expression_that_could_not_be_evaluated():
    result = ProcessEngine().run(load(gateway_process("v = 1", "undefined > 2")))
    assert explained(result.error).msgid == "an expression in the diagram could not be evaluated"


def test_anything_else_is_a_failed_script_with_the_engine_words_apart():
    assert explained("SomethingOdd happened").msgid == OTHER
    assert technical_detail("SomethingOdd happened") == "SomethingOdd happened"
    assert explained(None).msgid == OTHER and technical_detail(None) == ""


def test_the_state_that_cannot_be_stored_is_summarised():
    reason = "the process data cannot be stored (ValueError: Exceeds the limit (4300 digits))"
    assert explained(reason).msgid == "the process data cannot be stored (too large, or of a kind it cannot keep)"
    assert "4300" in technical_detail(reason)


def test_a_limit_message_found_after_the_class_name_keeps_its_element():
    text = explained("RunLimitExceeded:calc (计算) would nest subprocesses more than 10 deep")
    assert text.msgid == "%(element)s would nest subprocesses more than %(max)s deep"
    assert text.params == {"element": "calc (计算)", "max": "10"}
