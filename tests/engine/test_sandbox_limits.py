"""Hostile scripts, expressions and instructions stop at the sandbox's limits: in seconds, and small.

Each payload was measured on the code before these limits: minutes of CPU, or gigabytes."""
import contextlib
import logging
import resource
import time

import pytest

from app.engine import render, scripting
from app.engine.runtime import ProcessEngine
from app.engine.scripting import (RestrictedEnvironment, ScriptLimitExceeded, ScriptMemoryExceeded, ScriptTimeout,
                                  ScriptTooLarge, script_budget)

from test_scripting import DEFINITIONS, flow, load, script_task

MB = 2**20


def _resident():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * scripting._PAGE


def _peak():
    """The process's peak resident size since the last reset (VmHWM), or the current size."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return _resident()


@pytest.fixture(autouse=True, scope="module")
def address_space_cap():
    """A payload that gets through fails with MemoryError here instead of taking the machine down."""
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    with open("/proc/self/statm") as statm:
        virtual = int(statm.read().split()[0]) * scripting._PAGE
    resource.setrlimit(resource.RLIMIT_AS, (virtual + 3 * 2**30, hard))
    yield
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


@contextlib.contextmanager
def bounded(seconds=5.0, megabytes=300):
    """The block must end within `seconds` and grow the process's peak by less than `megabytes`."""
    with contextlib.suppress(OSError):
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")  # resets VmHWM, so a peak hidden inside one C call is measured too
    before, started = _resident(), time.process_time()  # CPU time: the machine may be busy
    yield
    assert time.process_time() - started < seconds
    assert _peak() - before < megabytes * MB


def refused(code, error=ScriptTooLarge, time_limit=1.0, match=None):
    with bounded(), pytest.raises(error, match=match):
        RestrictedEnvironment(time_limit=time_limit).execute(code, {})


def test_one_line_of_c_calls_stops_at_the_time_limit():
    # No line event between the thousand max() calls: only opcode events see them.
    code = "r = range(10**6)\nx = len([" + ", ".join(["max(r)"] * 1000) + "])"
    refused(code, ScriptTimeout, time_limit=0.5, match="time limit of 0.5 s")


@pytest.mark.parametrize("code", [
    '"a".ljust(10**9)', '"a".rjust(10**9)', '"a".center(10**9)', '"1".zfill(10**9)', 'str.ljust("a", 10**9)',
    '("a" * 10**6).replace("a", "bbbbbbbbbb")', '"a".replace("", "b" * 10**6)',
    '("\\t" * 10**6).expandtabs(1000)', '("a" * 10**6).translate({97: "b" * 1000})',
    '"x".join(["a" * 10**6] * 1000)', '"x".join("a" * 10**5 + str(i) for i in range(100))',
    '"a".encode().ljust(10**9)', '(1).to_bytes(10**9, "big")', "round(5, -10**9)",
    'f"{1:>999999999}"', 'f"{1:.999999999f}"', 'f"{1:>{10**9}}"', 'f"{now():%999999999Y}"',
    'now().strftime("%999999999Y" * 1000)',
    '"%999999999d" % 1', '"%*d" % (10**9, 1)', '"%.999999999f" % 1.0', '"%(a)999999999s" % {"a": 1}',
    '"%s" * 1000 % tuple(["a" * 10**6] * 1000)', 's = "%999999999d"\ns %= 1',
    'str(["a" * 10**6] * 10**6)', 'repr(["a" * 10**6] * 10**6)', "f'{[\"a\" * 10**6] * 10**6}'",
    "f'{[\"a\" * 10**6] * 10**6!r}'", '"%s" % [["a" * 10**6] * 10**6]', 'print(["a" * 10**6] * 10**6)',
    "items = [0] * 10**6\nfor i in range(30):\n    items.extend(items)",
    "sum([[0] * 10**5] * 1000, [])",
])
def test_methods_and_formatting_cannot_build_huge_values(code):
    refused("x = " + code if "\n" not in code else code)


def test_str_format_stays_refused():
    refused('x = "{:>999999999}".format(1)', NotImplementedError)


@pytest.mark.parametrize("code", ["items = [1]\nitems.extend(zip(items))", "items = [1]\nitems += enumerate(items)"])
def test_a_list_extended_from_itself_ends(code):
    data = {}
    with bounded():
        RestrictedEnvironment().execute(code, data)
    assert len(data["items"]) == 2


def test_many_small_steps_stop_at_the_memory_limit():
    refused('x = ["a" * 10**5 + str(i) for i in range(10**6)]', ScriptMemoryExceeded, time_limit=30, match="256 MB")


def test_the_memory_limit_cannot_be_caught():
    code = ("while True:\n    try:\n        x = ['a' * 10**5 + str(i) for i in range(10**6)]\n"
            "    except Exception:\n        pass")
    refused(code, ScriptMemoryExceeded, time_limit=30)


def test_task_data_that_would_explode_when_written_is_refused():
    data = {"a": 1}
    with bounded(), pytest.raises(ScriptTooLarge, match="10,000,000"):
        RestrictedEnvironment().execute('rows = ["a" * 10**6] * 10**6', data)
    assert data == {"a": 1}


def test_limits_share_one_base_class():
    assert issubclass(ScriptTimeout, ScriptLimitExceeded) and issubclass(ScriptMemoryExceeded, ScriptLimitExceeded)
    assert issubclass(ScriptTooLarge, ValueError)  # a size refusal is also the ValueError it always was


def test_ordinary_text_work_is_untouched():
    data = {"names": ["ann", "bo"], "amount": 3.14159, "moment": scripting.datetime(2024, 5, 1)}
    RestrictedEnvironment().execute("\n".join([
        'padded = "7".zfill(3) + "a".ljust(3, ".") + "b".center(3)',
        'line = ", ".join(names) + ":" + "a-b".replace("-", "+") + "\\tx".expandtabs(2)',
        'money = f"{amount:>8.2f}|{names!r}|{len(names)}"',
        'old = "%5d|%-3s|%.1f" % (1, "a", amount)',
        'named = "%(who)s!" % {"who": names[0]}',
        'day = moment.strftime("%Y-%m-%d") + f" {moment:%H:%M}"',
        'kinds = [isinstance("x", str), isinstance(1, (str, int)), str(12), str.upper("a"), repr([1])]',
        "total = sum([1, 2, 3]) + round(2.567, 2)",
        "flat = sum([[1], [2]], [])",
        "items = [1]\nitems.extend([2, 3])\nitems += (4,)",
        "remainder = 7 % 3",
    ]), data)
    assert data["padded"] == "007a.. b " and data["line"] == "ann, bo:a+b  x"
    assert data["money"] == "    3.14|['ann', 'bo']|2" and data["old"] == "    1|a  |3.1"
    assert data["named"] == "ann!" and data["day"] == "2024-05-01 00:00"
    assert data["kinds"] == [True, True, "12", "A", "[1]"]
    assert (data["total"], data["flat"], data["items"], data["remainder"]) == (8.57, [1, 2], [1, 2, 3, 4], 1)


def test_budget_caps_the_total_of_many_scripts():
    env = RestrictedEnvironment(time_limit=0.3)
    messages = []
    with bounded(seconds=2.0), script_budget(0.5):
        for _ in range(5):
            with pytest.raises(ScriptTimeout) as caught:
                env.execute("while True: pass", {})
            messages.append(str(caught.value))
    assert "time limit of 0.3 s" in messages[0]
    assert all("total time limit of 0.5 s" in message for message in messages[1:])
    with pytest.raises(ScriptTimeout, match="time limit of 0.3 s"):  # outside the budget: the script's own limit
        env.execute("while True: pass", {})


def test_nested_budgets_take_the_smaller_and_restore_the_outer():
    env = RestrictedEnvironment(time_limit=5)
    with script_budget(0.6):
        with script_budget(10), pytest.raises(ScriptTimeout, match="total time limit of 0.6 s"):
            env.execute("while True: pass", {})
        with pytest.raises(ScriptTimeout):
            env.execute("x = 1", {})  # the outer budget was spent inside the inner one
    assert env.evaluate("1 + 1", {}) == 2


def test_an_engine_run_stops_at_its_budget():
    # Each script may take 5 s on its own; the run as a whole gets RUN_SCRIPT_SECONDS (3 s).
    xml = DEFINITIONS.format(body="".join([
        script_task("spin", "n = 0\nwhile n >= 0:\n    n += 1"), '<bpmn:endEvent id="end"/>',
        flow("start", "spin"), flow("spin", "end"),
    ]))
    engine = ProcessEngine(time_limit=5)
    with bounded(seconds=4.5):
        result = engine.run(load(xml, engine.script_engine))
    assert result.status == "error" and "total time limit of 3.0 s" in result.error


NOTICE = "These instructions could not be shown"


@pytest.mark.parametrize("template", [
    "{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(10) %}{% endfor %}{% endfor %}{% endfor %}",
    "{% macro f(n) %}{% if n %}{{ f(n - 1) }}{{ f(n - 1) }}{% endif %}{% endmacro %}{{ f(30) }}",
    "{% for i in range(1000) %}{% for j in range(200) %}xxxxxxxxxx{% endfor %}{% endfor %}",
    "{{ ('a' * 100000) | replace('a', 'bbbbbbbbbbbbbbbbbbbb') }}", "{{ 'a' | center(300000000) }}",
    "{{ ('a\n' * 50000) | indent(1000) }}", "{{ ('a ' * 50000) | wordwrap(1, wrapstring='x' * 1000) }}",
    "{{ '%999999999d' | format(1) }}", "{{ (['a' * 100000] * 1000) | join('x') }}",
    "{{ 'a'.ljust(300000000) }}", "{{ 'a'['center'](300000000) }}", "{{ '{:>300000000}'.format(1) }}",
    "{{ '{:>{}}'.format(1, 300000000) }}", "{{ ['a' * 100000] * 1000 }}", "{{ [1] | batch(10**9, 0) | list }}",
    "{% set ns = namespace(x='a') %}{% for i in range(40) %}{% set ns.x = ns.x ~ ns.x %}{% endfor %}{{ ns.x }}",
])
def test_hostile_instructions_show_a_notice(template, caplog):
    with bounded(megabytes=100), caplog.at_level(logging.WARNING, logger="app.engine.render"):
        text = render.render_instructions(template, {})
    assert text.startswith(NOTICE)
    assert "instructions not shown" in caplog.text


@pytest.mark.parametrize("template", ["{{ 'a' * 300000000 }}", "{{ '%300000000d' % 1 }}", "{{ ((9**64)**64)**64 }}",
                                      "{{ lipsum(1000000) }}"])
def test_hostile_operators_in_instructions_are_refused(template):
    with bounded(megabytes=100):
        assert render.render_instructions(template, {}).startswith("[instructions could not be rendered")


def test_ordinary_instructions_render():
    text = render.render_instructions(
        "{{ name }}: {% for i in range(3) %}{{ i }}{% endfor %} {{ '%5d' | format(3) }} {{ 'a-b' | replace('-', '+') }}"
        " {{ names | join(', ') }} {{ '{}元'.format(budget) }} {{ note | wordwrap(5) | indent(2) }}",
        {"name": "张三", "names": ["甲", "乙"], "budget": 300, "note": "ab cd"})
    assert text == "张三: 012     3 a+b 甲, 乙 300元 ab cd"


def test_the_notice_is_in_chinese(app):
    from app.workflow.tasks import shown_instructions
    text = render.render_instructions("{{ 'a' | center(300000000) }}", {})
    with app.test_request_context():
        assert shown_instructions(text) == "无法显示本任务的说明：说明的渲染超出了时间或长度限制。"
    with app.test_request_context("/?lang=en"):
        assert shown_instructions(text) == text == NOTICE + ": they take too long or produce too much text."
