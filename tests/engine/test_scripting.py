"""The script sandbox, driven through real SpiffWorkflow workflows where that proves the point."""
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from xml.sax.saxutils import escape

import pytest
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.bpmn.exceptions import WorkflowTaskException
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser
from SpiffWorkflow.util.task import TaskState

from app import clock
from app.engine import scripting
from app.engine.scripting import (ALLOWED_BUILTINS, RestrictedEnvironment, ScriptTimeout, check_expression,
                                  check_script, create_script_engine)

DEFINITIONS = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
    xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" id="defs" targetNamespace="http://example.org/bpmn">
  <bpmn:process id="proc" isExecutable="true">
    <bpmn:startEvent id="start"/>
    {body}
  </bpmn:process>
</bpmn:definitions>"""


def script_task(task_id, script):
    return (f'<bpmn:scriptTask id="{task_id}" scriptFormat="python">'
            f'<bpmn:script>{escape(script)}</bpmn:script></bpmn:scriptTask>')


def flow(source, target, condition=None):
    expression = (f'<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">{escape(condition)}'
                  '</bpmn:conditionExpression>' if condition else "")
    return (f'<bpmn:sequenceFlow id="{source}_{target}" sourceRef="{source}" targetRef="{target}">'
            f'{expression}</bpmn:sequenceFlow>')


def gateway_process(setup, condition):
    """start -> setup script -> gateway: `condition` leads to 'big', the default flow to 'small'."""
    return DEFINITIONS.format(body="".join([
        script_task("setup", setup),
        '<bpmn:exclusiveGateway id="gw" default="gw_small"/>',
        script_task("big", "route = 'big'"), script_task("small", "route = 'small'"),
        '<bpmn:endEvent id="end_big"/><bpmn:endEvent id="end_small"/>',
        flow("start", "setup"), flow("setup", "gw"), flow("gw", "big", condition), flow("gw", "small"),
        flow("big", "end_big"), flow("small", "end_small"),
    ]))


def timer_process(setup, duration):
    """start -> setup script -> timer waiting `duration` (an expression) -> end."""
    return DEFINITIONS.format(body="".join([
        script_task("setup", setup),
        '<bpmn:intermediateCatchEvent id="timer"><bpmn:timerEventDefinition>'
        f'<bpmn:timeDuration xsi:type="bpmn:tFormalExpression">{escape(duration)}</bpmn:timeDuration>'
        '</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>',
        '<bpmn:endEvent id="end"/>',
        flow("start", "setup"), flow("setup", "timer"), flow("timer", "end"),
    ]))


def load(xml, engine=None):
    """A workflow of the process in `xml`, with the sandboxed engine unless told otherwise."""
    parser = SpiffBpmnParser()
    parser.add_bpmn_str(xml.encode())
    return BpmnWorkflow(parser.get_spec("proc"), parser.get_subprocess_specs("proc"),
                        script_engine=engine or create_script_engine())


def run(xml, engine=None):
    """Run the process in `xml` to its first wait state."""
    workflow = load(xml, engine)
    workflow.do_engine_steps()
    return workflow


def refused_at(xml):
    """Run the process, which must fail in the sandbox; return the id of the task that failed."""
    workflow = load(xml)
    with pytest.raises(WorkflowTaskException) as caught:
        workflow.do_engine_steps()
    return caught.value.task.task_spec.name


def final_data(workflow):
    assert workflow.is_completed()
    return workflow.get_tasks(spec_name="End")[0].data


ESCAPES = [
    "__import__('os').system('touch {marker}')",
    "().__class__.__bases__[0].__subclasses__()",
    "open('{marker}', 'w').write('pwned')",
    "[c for c in ().__class__.__base__.__subclasses__()]",
    "'{{0.__class__.__base__}}'.format(1)",
    "(x for x in [1]).gi_frame.f_globals",
    "(lambda: 0).__globals__",
]


@pytest.fixture
def marker(tmp_path):
    return tmp_path / "escaped"


def test_the_default_engine_would_run_the_payload(marker):
    # Proves the escape tests below are meaningful: unsandboxed, the script reaches the shell.
    run(gateway_process(f"import os\nos.system('touch {marker}')", "True"), PythonScriptEngine())
    assert marker.exists()


@pytest.mark.parametrize("payload", ESCAPES)
def test_script_task_escapes_are_refused(payload, marker):
    assert refused_at(gateway_process("x = " + payload.format(marker=marker), "True")) == "setup"
    assert not marker.exists()


@pytest.mark.parametrize("payload", ESCAPES)
def test_gateway_condition_escapes_are_refused(payload, marker):
    assert refused_at(gateway_process("amount = 1", payload.format(marker=marker))) == "gw"
    assert not marker.exists()


@pytest.mark.parametrize("payload", ESCAPES)
def test_timer_expression_escapes_are_refused(payload, marker):
    assert refused_at(timer_process("days = 1", payload.format(marker=marker))) == "timer"
    assert not marker.exists()


def test_refusal_reports_the_script_line():
    # SpiffWorkflow indexes the script's lines with SyntaxError.lineno; it must be a real line.
    with pytest.raises(WorkflowTaskException) as caught:
        run(gateway_process("a = 1\nb = a.__class__\nc = 2", "True"))
    assert caught.value.line_number == 2
    assert caught.value.error_line == "b = a.__class__"
    assert "__class__" in str(caught.value)


@pytest.mark.parametrize(("amount", "route"), [(150, "big"), (50, "small")])
def test_legitimate_gateway_routes_on_task_data(amount, route):
    workflow = run(gateway_process(f"amount = {amount}", "amount > 100 and len(str(amount)) == 3"))
    assert final_data(workflow)["route"] == route


def test_script_sets_task_data_like_spiffworkflow():
    script = "\n".join([
        'deadline_days = {"A": 1, "B": 30, "C": 90}[tier]',
        "squares = [n * n for n in numbers if n < deadline_days]",  # comprehension sees earlier names
        "by_name = {name: len(name) for name in names}",
        'label = f"P{deadline_days}D for {names[0]!r}"',
        "total = 0",
        "for n in numbers:",
        "    total += n",
        "order['total'] = total",
        "first, *rest = numbers",
        "def double(value):",
        "    return value * 2",
        "doubled = double(total)",
        "helper_ref = now",
        "del obsolete",
        "print('debug output is swallowed')",
    ])
    data = {"tier": "B", "numbers": [1, 2, 40], "names": ["ann", "bo"], "order": {}, "obsolete": 1}
    RestrictedEnvironment().execute(script, data)
    assert data == {
        "tier": "B", "numbers": [1, 2, 40], "names": ["ann", "bo"], "order": {"total": 43},
        "deadline_days": 30, "squares": [1, 4], "by_name": {"ann": 3, "bo": 2}, "label": "P30D for 'ann'",
        "total": 43, "n": 40, "first": 1, "rest": [2, 40], "doubled": 86,  # loop variables too
    }


def test_script_in_a_workflow_feeds_the_gateway():
    workflow = run(gateway_process("items = [3, 4]\ncount = sum([i for i in items if i > len(items) - 1])",
                                   "count == 7"))
    data = final_data(workflow)
    assert (data["route"], data["count"]) == ("big", 7)


def test_failed_script_leaves_task_data_untouched():
    data = {"a": 1}
    with pytest.raises(ZeroDivisionError):
        RestrictedEnvironment().execute("a = 2\nb = 1 / 0", data)
    assert data == {"a": 1}


def test_task_data_shadows_helpers_and_external_context_is_visible():
    env = RestrictedEnvironment(helpers={"double": lambda value: value * 2})
    assert env.evaluate("double(dmninputexpr) == 10", {}, {"dmninputexpr": 5}) is True
    assert env.evaluate("date", {"date": "2024-05-01"}) == "2024-05-01"
    data = {"date": "2024-05-01"}
    env.execute("date = date + 'T00:00'\nseen = dmninputexpr", data, {"dmninputexpr": 5})
    assert data == {"date": "2024-05-01T00:00", "seen": 5}


def test_timer_duration_from_an_f_string():
    started = datetime(2026, 6, 3, 2, 0, tzinfo=timezone.utc)
    with clock.frozen_at(started):
        workflow = run(timer_process("days = 3", 'f"P{days}D"'))
    [timer] = workflow.get_tasks(state=TaskState.WAITING)
    fires_at = datetime.fromisoformat(timer._get_internal_data("event_value"))
    assert abs(fires_at - (started + timedelta(days=3))) < timedelta(minutes=1)


def test_zero_timer_fires_and_completes():
    workflow = run(timer_process("seconds = 0", 'f"PT{seconds}S"'))
    workflow.refresh_timers()
    workflow.do_engine_steps()
    assert workflow.is_completed()


def test_writes_only_reach_dicts_and_lists():
    env = RestrictedEnvironment()
    with pytest.raises(TypeError, match="datetime"):
        env.execute("moment = now()\nmoment.year = 1999", {})
    with pytest.raises(TypeError, match="function"):
        env.execute("double.calls = 0", {}, {"double": lambda value: value * 2})


@pytest.mark.parametrize("name", ["type", "getattr", "vars", "open", "__import__", "exec", "eval",
                                  "compile", "globals", "pow", "SystemExit", "setattr", "id"])
def test_dangerous_builtins_are_absent(name):
    assert name not in ALLOWED_BUILTINS
    with pytest.raises((NameError, SyntaxError)):
        RestrictedEnvironment().evaluate(f"{name}", {})


@pytest.mark.parametrize("script", [
    "while True: pass",
    "while True:\n    pass",
    "while True:\n    try:\n        while True: pass\n    except:\n        pass",
    "while True:\n    try:\n        while True: pass\n    except Exception:\n        pass",
])
def test_endless_scripts_stop_at_the_time_limit(script):
    started = time.monotonic()
    with pytest.raises(ScriptTimeout):
        RestrictedEnvironment(time_limit=0.2).execute(script, {})
    assert time.monotonic() - started < 1.0


def test_recursion_cannot_switch_the_time_limit_off():
    # At the recursion limit the tracer itself fails and Python unsets it; were the script then
    # allowed to catch the error, its loop would run on untraced, forever.
    script = ("def spin(n):\n    return spin(n + 1)\n"
              "while True:\n    try:\n        spin(0)\n    except Exception:\n        pass")
    started = time.monotonic()
    with pytest.raises((ScriptTimeout, RecursionError)):
        RestrictedEnvironment(time_limit=0.2).execute(script, {})
    assert time.monotonic() - started < 1.0


def test_endless_expression_stops_at_the_time_limit():
    started = time.monotonic()
    with pytest.raises(ScriptTimeout):
        RestrictedEnvironment(time_limit=0.2).evaluate("[i for i in range(10**6) for j in range(10**6)]", {})
    assert time.monotonic() - started < 1.0


def test_time_limit_works_in_worker_threads_and_restores_the_tracer():
    outcome = []

    def worker():
        try:
            create_script_engine(time_limit=0.2).environment.execute("while True: pass", {})
        except ScriptTimeout as err:
            outcome.append(err)

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join(timeout=5)
    assert not thread.is_alive() and len(outcome) == 1

    def tracer(frame, event, arg):
        return None
    previous = sys.gettrace()
    sys.settrace(tracer)
    try:
        RestrictedEnvironment().evaluate("1 + 1", {})
        assert sys.gettrace() is tracer
    finally:
        sys.settrace(previous)


def test_timeout_surfaces_through_spiffworkflow():
    engine = create_script_engine(time_limit=0.2)
    with pytest.raises(WorkflowTaskException, match="time limit|longer than"):
        run(gateway_process("n = 0\nwhile n >= 0:\n    n += 1", "True"), engine)


@pytest.mark.parametrize("code", [
    "'a' * 10**10", "[0] * 10**9", "10**10 * 'a'", "2 ** 10**8", "1 << 10**9", "sum(range(10**12))",
    "x = 'a'\nx *= 10**10", "x = 2\nx **= 10**8", "x = 1\nx <<= 10**9",
    "s = 'a' * 10**6\nfor i in range(40):\n    s = s + s",
    "n = 2 ** 60000\nfor i in range(30):\n    n = n * n",
])
def test_big_values_are_refused_fast(code):
    started = time.monotonic()
    with pytest.raises(ValueError, match="too large"):
        RestrictedEnvironment(time_limit=5).execute(code, {})
    assert time.monotonic() - started < 0.5


def test_ordinary_arithmetic_still_works():
    data = {"price": 2.5, "qty": 4}
    RestrictedEnvironment().execute(
        "total = price * qty\nline = '-' * 3\nbig = 2 ** 64\nshift = 1 << 10\nitems = [0] * 3\nitems += [1]",
        data)
    assert (data["total"], data["line"], data["big"], data["shift"], data["items"]) == \
        (10.0, "---", 18446744073709551616, 1024, [0, 0, 0, 1])


def test_check_accepts_good_code():
    assert check_expression('amount > 100 and status == "open"') == []
    assert check_expression('f"P{deadline_days}D"') == []
    assert check_expression("now() > deadline", known_functions=["deadline"]) == []
    assert check_script("def fee(x):\n    return x * 2\ntotal = fee(sum(items))\nprint(total)") == []
    assert check_script("score = grade(answers)", known_functions={"grade"}) == []


@pytest.mark.parametrize(("check", "text", "expected"), [
    (check_script, "x = 1\nimport os", ["Line 2", '"os"', "import"]),
    (check_script, "from subprocess import run", ["Line 1", '"subprocess"', "import"]),
    (check_expression, "().__class__", ["Line 1", "__class__"]),
    (check_expression, "__import__('os')", ["Line 1", "__import__"]),
    (check_script, "a = 1\nb = a._hidden", ["Line 2", "_hidden"]),
    (check_script, "a = 1\n\nb = fetch(a)", ["Line 3", '"fetch"', "unknown function"]),
    (check_expression, "callback(1)", ["Line 1", '"callback"', "unknown function"]),
    (check_expression, "amount >", ["Line 1", "SyntaxError"]),
    (check_script, "if x\n    y = 1", ["Line 1", "SyntaxError"]),
    (check_script, "try:\n    x = 1\nfinally:\n    x = 2", ["Line 1", "finally"]),
])
def test_check_reports_problems_with_name_and_line(check, text, expected):
    problems = check(text)
    assert len(problems) == 1, problems
    for fragment in expected:
        assert fragment in problems[0]


def test_check_does_not_count_data_variables_as_functions():
    # `handler` may hold anything at run time; only names the script binds itself may be called.
    assert check_script("result = handler(1)") == ['Line 1: call of unknown function "handler".']
    assert check_script("handler = len\nresult = handler([1])") == []


def test_compiled_code_is_cached():
    env = RestrictedEnvironment()
    text = f"amount > {time.monotonic_ns()}"  # text no other test compiled
    before = scripting._compile.cache_info()
    for _ in range(3):
        assert env.evaluate(text, {"amount": 1}) is False
    after = scripting._compile.cache_info()
    assert (after.misses - before.misses, after.hits - before.hits) == (1, 2)


def test_c_level_iteration_through_map_stays_within_the_time_limit():
    from app.engine.scripting import RestrictedEnvironment, ScriptTimeout
    env = RestrictedEnvironment(time_limit=0.5)
    began = time.monotonic()
    with pytest.raises(ScriptTimeout):
        env.execute("burn = sum(map(sum, [range(10**6)] * 300))", {})
    assert time.monotonic() - began < 2.0
    data = {}
    env.execute("doubled = list(map(lambda x: x * 2, [1, 2, 3]))\nodd = list(filter(lambda x: x % 2, range(6)))", data)
    assert data["doubled"] == [2, 4, 6] and data["odd"] == [1, 3, 5]
