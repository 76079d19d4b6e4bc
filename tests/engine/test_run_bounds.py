"""Engine bounds: what cannot be bounded is refused at deploy; the rest stops at its limit as it runs,
with a reason, in the live engine and in the dry run alike, each within a few seconds."""
import time
from datetime import UTC, datetime

import pytest

from app.engine import ProcessEngine, ProcessProblems, bounds, parse_package
from app.engine import dry_run as dry_run_module
from app.engine.dry_run import dry_run
from bpmn_samples import FORM, HEAD, NOTE_SCHEMA, process

T0 = datetime(2026, 12, 1, 1, 0, tzinfo=UTC)


def flow(source: str, target: str, condition: str | None = None) -> str:
    body = f"<bpmn:conditionExpression>{condition}</bpmn:conditionExpression>" if condition else ""
    return (f'<bpmn:sequenceFlow id="{source}_{target}" sourceRef="{source}" targetRef="{target}">{body}'
            '</bpmn:sequenceFlow>')


def files(bpmn: str, **more: str) -> dict[str, str]:
    return {"sample.bpmn": bpmn, "note-schema.json": NOTE_SCHEMA} | more


def problems_of(package: dict[str, str]) -> list[str]:
    with pytest.raises(ProcessProblems) as refused:
        parse_package(package)
    return [f"{p.element}: {p.message}" for p in refused.value.problems]


def user_task(task_id: str = "work", loop: str = "") -> str:
    return f'<bpmn:userTask id="{task_id}" name="办理">{FORM}{loop}</bpmn:userTask>'


def multi_instance(characteristics: str) -> str:
    """start → work (multi-instance) → end."""
    loop = f"<bpmn:multiInstanceLoopCharacteristics>{characteristics}</bpmn:multiInstanceLoopCharacteristics>"
    return process('<bpmn:startEvent id="start"/>' + flow("start", "work") + user_task(loop=loop)
                   + flow("work", "end") + '<bpmn:endEvent id="end"/>')


def cycle_reminder(expression: str) -> str:
    """start → work → end, with a repeating non-interrupting reminder on work."""
    return process('<bpmn:startEvent id="start"/>' + flow("start", "work") + user_task() + flow("work", "end")
                   + '<bpmn:endEvent id="end"/><bpmn:boundaryEvent id="remind" attachedToRef="work" '
                   f'cancelActivity="false"><bpmn:timerEventDefinition><bpmn:timeCycle>{expression}</bpmn:timeCycle>'
                   '</bpmn:timerEventDefinition></bpmn:boundaryEvent>' + flow("remind", "reminded")
                   + '<bpmn:endEvent id="reminded"/>')


def calling(process_id: str, called: str, tail: str = "") -> str:
    """A process whose start leads to a call activity of `called`, then `tail` (or its end)."""
    body = ('<bpmn:startEvent id="s"/>' + flow("s", "call") + f'<bpmn:callActivity id="call" calledElement="{called}"/>'
            + (tail or flow("call", "e") + '<bpmn:endEvent id="e"/>'))
    return (HEAD + f'<bpmn:process id="{process_id}" isExecutable="true">{body}'
            '</bpmn:process></bpmn:definitions>')


def leaf(process_id: str) -> str:
    return (HEAD + f'<bpmn:process id="{process_id}" isExecutable="true"><bpmn:startEvent id="s"/>'
            + flow("s", "e") + '<bpmn:endEvent id="e"/></bpmn:process></bpmn:definitions>')


def timed(action) -> tuple:
    began = time.monotonic()
    result = action()
    return result, time.monotonic() - began


# --- refused at deploy ---

def test_an_ad_hoc_subprocess_is_refused_as_unsupported():
    bpmn = process('<bpmn:startEvent id="start"/>' + flow("start", "adhoc")
                   + '<bpmn:adHocSubProcess id="adhoc"><bpmn:task id="inner"/></bpmn:adHocSubProcess>'
                   + flow("adhoc", "work") + user_task() + flow("work", "end") + '<bpmn:endEvent id="end"/>')
    assert any(p.startswith("adhoc: not supported: ad hoc subprocesses") for p in problems_of(files(bpmn)))


def test_a_process_calling_itself_is_refused():
    problems = problems_of({"loop.bpmn": calling("loop", "loop")})
    assert "call: call activity calls back into its own process (loop → loop)" in " ".join(problems)


def test_a_cycle_of_call_activities_across_files_is_refused():
    package = {"a.bpmn": calling("a", "b"), "b.bpmn": calling("b", "a")}
    problems = " ".join(problems_of(package))
    assert "(a → b → a)" in problems and "(b → a → b)" in problems


def test_call_activities_nested_too_deep_are_refused_and_shallow_ones_deploy():
    def chain(length: int) -> dict[str, str]:
        package = {f"p{i}.bpmn": calling(f"p{i}", f"p{i + 1}") for i in range(length)}
        return package | {f"p{length}.bpmn": leaf(f"p{length}")}
    assert parse_package(chain(bounds.MAX_CALL_DEPTH)).process_id == "p0"
    assert any("nest more than 10 deep" in p for p in problems_of(chain(bounds.MAX_CALL_DEPTH + 1)))


def test_a_literal_cardinality_past_the_cap_is_refused():
    problems = problems_of(files(multi_instance("<bpmn:loopCardinality>3000</bpmn:loopCardinality>")))
    assert problems == ["work: loopCardinality 3000 is too many: a multi-instance activity runs at most 200 times"]
    parse_package(files(multi_instance("<bpmn:loopCardinality>200</bpmn:loopCardinality>")))


@pytest.mark.parametrize("cycle", ['"R/PT1S"', '"R3/PT59M"', '"R/2026-12-01T00:00:00+08:00/PT10M"'])
def test_a_timer_cycle_shorter_than_an_hour_is_refused(cycle):
    problems = problems_of(files(cycle_reminder(cycle)))
    assert len(problems) == 1 and problems[0].startswith("remind: timer cycle") and "1 hour" in problems[0]


def test_a_timer_cycle_of_an_hour_or_more_deploys():
    parse_package(files(cycle_reminder('"R/PT1H"')))
    parse_package(files(cycle_reminder('"R/P1D"')))


# --- bounded at run time ---

def test_a_computed_cardinality_past_the_cap_stops_before_any_child_is_created():
    bundle = parse_package(files(multi_instance("<bpmn:loopCardinality>n</bpmn:loopCardinality>")))
    (workflow, result), took = timed(lambda: ProcessEngine().start(bundle, {"n": 10_000}))
    assert result.status == "error" and "would run 10000 times" in result.error and "at most 200" in result.error
    assert took < 2 and len(workflow.get_tasks()) < 20
    assert ProcessEngine().start(bundle, {"n": 3})[1].status == "running"


def test_a_huge_input_collection_stops_before_any_child_is_created():
    characteristics = ('<bpmn:loopDataInputRef>items</bpmn:loopDataInputRef>'
                       '<bpmn:inputDataItem id="item" name="item"/>')
    bundle = parse_package(files(multi_instance(characteristics)))
    (workflow, result), took = timed(lambda: ProcessEngine().start(bundle, {"items": list(range(100_000))}))
    assert result.status == "error" and "would run 100000 times" in result.error
    assert took < 2 and len(workflow.get_tasks()) < 20
    _, fine = ProcessEngine().start(bundle, {"items": ["a", "b"]})
    assert fine.status == "running"


def endless_scripts():
    """start → count (n += 1) → back to count until n reaches 10**6 → work."""
    return parse_package(files(process(
        '<bpmn:startEvent id="start"/>' + flow("start", "count")
        + '<bpmn:scriptTask id="count" name="计数"><bpmn:script>n = n + 1</bpmn:script></bpmn:scriptTask>'
        + flow("count", "gw") + '<bpmn:exclusiveGateway id="gw" default="gw_count"/>'
        + flow("gw", "work", "n &gt;= 1000000") + flow("gw", "count") + user_task() + flow("work", "end")
        + '<bpmn:endEvent id="end"/>')))


def test_a_run_stops_after_its_engine_steps(monkeypatch):
    monkeypatch.setattr(bounds, "MAX_RUN_SECONDS", 60)  # the count stops it, however busy the machine
    (_, result), took = timed(lambda: ProcessEngine().start(endless_scripts(), {"n": 0}))
    assert result.status == "error" and f"more than {bounds.MAX_ENGINE_STEPS} scripts" in result.error
    assert took < 10


def test_a_run_stops_after_its_time(monkeypatch):
    monkeypatch.setattr(bounds, "MAX_ENGINE_STEPS", 10**6)
    monkeypatch.setattr(bounds, "MAX_RUN_SECONDS", 0.3)
    (_, result), took = timed(lambda: ProcessEngine().start(endless_scripts(), {"n": 0}))
    assert result.status == "error" and "used more than 0.3 s of processor time" in result.error
    assert took < 2


def test_the_dry_run_stops_where_the_live_run_would(monkeypatch):
    monkeypatch.setattr(dry_run_module, "MAX_RUN_SECONDS", 60)
    result = dry_run(endless_scripts(), [], answers={}, data={"n": 0}, start_at=T0)
    assert result["status"] == "step_limit" and f"more than {bounds.MAX_ENGINE_STEPS} scripts" in result["message"]
    assert "does a loop never end?" in result["message"]


def test_call_activities_nested_past_the_limit_at_run_time_stop(monkeypatch):
    tail = flow("call", "work") + user_task() + flow("work", "e") + '<bpmn:endEvent id="e"/>'
    package = {"top.bpmn": calling("top", "middle", tail=tail).replace(
                   '<bpmn:process id="top" isExecutable="true">',
                   '<bpmn:process id="top" isExecutable="true"><bpmn:laneSet id="ls"><bpmn:lane id="l" '
                   'name="community_worker"><bpmn:flowNodeRef>work</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>'),
               "middle.bpmn": calling("middle", "bottom"), "bottom.bpmn": leaf("bottom"),
               "note-schema.json": NOTE_SCHEMA}
    bundle = parse_package(package)
    assert ProcessEngine().start(bundle, {})[1].status == "running"
    monkeypatch.setattr(bounds, "MAX_CALL_DEPTH", 1)
    _, result = ProcessEngine().start(bundle, {})
    assert result.status == "error" and "nest subprocesses more than 1 deep" in result.error


def test_a_computed_timer_cycle_below_the_minimum_stops_before_it_fires():
    bundle = parse_package(files(cycle_reminder('f"R/PT{seconds}S"')))
    workflow, result = ProcessEngine().start(bundle, {"seconds": 1})
    assert result.status == "error" and "repeats every 1 seconds" in result.error and "once per hour" in result.error
    assert [t.task_spec.bpmn_id for t in workflow.get_tasks() if t.task_spec.bpmn_id == "reminded"] == []
    assert ProcessEngine().start(bundle, {"seconds": 7200})[1].status == "running"


def test_the_dry_run_refuses_a_computed_timer_cycle_too():
    result = dry_run(parse_package(files(cycle_reminder('f"R/PT{seconds}S"'))), [], answers={},
                     data={"seconds": 1}, start_at=T0)
    assert result["status"] == "error" and "repeats every 1 seconds" in result["message"]


# --- a time without a zone is China time ---

def naive_deadline():
    """start → set (due = a time without a zone) → wait until due → work → end."""
    return parse_package(files(process(
        '<bpmn:startEvent id="start"/>' + flow("start", "set")
        + '<bpmn:scriptTask id="set"><bpmn:script>due = "2026-12-05T09:00:00"</bpmn:script></bpmn:scriptTask>'
        + flow("set", "wait") + '<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition>'
          '<bpmn:timeDate>due</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'
        + flow("wait", "work") + user_task() + flow("work", "end") + '<bpmn:endEvent id="end"/>')))


def test_a_naive_timer_time_is_china_time_in_the_dry_run():
    result = dry_run(naive_deadline(), [], answers={}, start_at=T0)
    assert result["status"] == "waiting" and result["error"] is None
    [fired] = result["timers_fired"]
    assert fired["timer"] == "wait" and datetime.fromisoformat(fired["at"]) == datetime(2026, 12, 5, 1, 0, tzinfo=UTC)


def test_a_naive_timer_time_is_china_time_in_the_live_engine():
    from app import clock
    engine = ProcessEngine()
    with clock.frozen_at(T0):
        workflow, result = engine.start(naive_deadline(), {})
    assert result.status == "running"
    assert engine.next_timer_at(workflow) == datetime(2026, 12, 5, 1, 0, tzinfo=UTC)
    with clock.frozen_at(datetime(2026, 12, 5, 0, 59, tzinfo=UTC)):
        assert engine.run(workflow).status == "running" and engine.ready_human_tasks(workflow) == []
    with clock.frozen_at(datetime(2026, 12, 5, 1, 1, tzinfo=UTC)):
        engine.run(workflow)
    assert [t.bpmn_id for t in engine.ready_human_tasks(workflow)] == ["work"]


def test_a_dry_run_stops_after_its_time(monkeypatch):
    monkeypatch.setattr(dry_run_module, "MAX_DRY_RUN_SECONDS", 0.5)
    loop = parse_package(files(process(
        '<bpmn:startEvent id="start"/>' + flow("start", "work") + user_task() + flow("work", "gw")
        + '<bpmn:exclusiveGateway id="gw" default="gw_work"/>' + flow("gw", "end", "note == 'done'")
        + flow("gw", "work") + '<bpmn:endEvent id="end"/>')))
    result, took = timed(lambda: dry_run(loop, [], answers={"work": {"note": "again"}}, max_steps=1000, start_at=T0))
    assert result["status"] == "step_limit" and result["message"].startswith("stopped after 0.5 s")
    assert took < 3
