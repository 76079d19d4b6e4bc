"""Compaction changes nothing the engine decides: each diagram runs twice, step by step through a save and
a load, once compacted after every step and once not, and both must offer the same tasks with the same
data, fire the same timers and end the same way. The compacted tree must stay small however long the
case runs, and the trail must keep the history the diagram shows."""
import re
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from app import clock
from app.engine import ProcessEngine
from app.engine.compaction import compact
from app.engine.package import parse_package
from app.engine.trace import trace
from bpmn_samples import FORM, HEAD, NOTE_SCHEMA

ROUNDS = 12


def diagram(body: str) -> dict[str, str]:
    """A package whose process `loop` has `body` and runs `ROUNDS` times round a gateway `again`."""
    loop = (f'<bpmn:exclusiveGateway id="again" default="to_end"/>'
            f'<bpmn:sequenceFlow id="to_end" sourceRef="again" targetRef="end"/><bpmn:endEvent id="end"/>'
            f'<bpmn:scriptTask id="count"><bpmn:script>round = round + 1</bpmn:script></bpmn:scriptTask>'
            f'<bpmn:sequenceFlow id="counted" sourceRef="count" targetRef="again"/>')
    refs = "".join(f"<bpmn:flowNodeRef>{t}</bpmn:flowNodeRef>" for t in re.findall(r'userTask id="(\w+)"', body))
    lanes = f'<bpmn:laneSet id="lanes"><bpmn:lane id="lane1" name="community_worker">{refs}</bpmn:lane></bpmn:laneSet>'
    bpmn = (HEAD + '<bpmn:process id="loop" isExecutable="true">' + lanes + body + loop
            + "</bpmn:process></bpmn:definitions>")
    return {"loop.bpmn": bpmn, "note-schema.json": NOTE_SCHEMA}


def user(task_id: str) -> str:
    return f'<bpmn:userTask id="{task_id}" name="{task_id}">{FORM}</bpmn:userTask>'


def flow(source: str, target: str, condition: str | None = None) -> str:
    body = f"<bpmn:conditionExpression>{condition}</bpmn:conditionExpression>" if condition else ""
    return f'<bpmn:sequenceFlow id="{source}_{target}" sourceRef="{source}" targetRef="{target}">{body}</bpmn:sequenceFlow>'


BACK = flow("again", "top", f"round &lt; {ROUNDS}")

PARALLEL = diagram(
    '<bpmn:startEvent id="start"/>' + flow("start", "top") + '<bpmn:exclusiveGateway id="top"/>'
    + '<bpmn:parallelGateway id="split"/>' + flow("top", "split")
    + user("a") + user("b") + user("c") + '<bpmn:parallelGateway id="join"/>'
    + flow("split", "a") + flow("split", "b") + flow("a", "join") + flow("b", "join") + flow("join", "c")
    + flow("c", "count") + BACK)

# The loop comes back into the parallel split itself. Strict BPMN would wait there for a second token
# from the start event; SpiffWorkflow lets it pass by finding the start event among its ancestors, and
# compaction keeps that working.
SPLIT_IS_MERGE = diagram(
    '<bpmn:startEvent id="start"/>' + flow("start", "top") + '<bpmn:parallelGateway id="top"/>'
    + user("a") + user("b") + user("c") + '<bpmn:parallelGateway id="join"/>'
    + flow("top", "a") + flow("top", "b") + flow("a", "join") + flow("b", "join") + flow("join", "c")
    + flow("c", "count") + BACK)

INCLUSIVE = diagram(
    '<bpmn:startEvent id="start"/>' + flow("start", "top") + '<bpmn:inclusiveGateway id="top" default="top_b"/>'
    + user("a") + user("b") + '<bpmn:inclusiveGateway id="join"/>'
    + flow("top", "a", "round % 2 == 0") + flow("top", "b") + flow("a", "join") + flow("b", "join")
    + flow("join", "count") + BACK)

TIMERS = diagram(
    '<bpmn:startEvent id="start"/>' + flow("start", "top") + '<bpmn:exclusiveGateway id="top"/>'
    + user("work") + user("late") + flow("top", "work") + flow("work", "count") + flow("late", "count")
    + '<bpmn:boundaryEvent id="deadline" attachedToRef="work"><bpmn:timerEventDefinition>'
      '<bpmn:timeDuration>"PT2H"</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>'
    + flow("deadline", "late")
    + '<bpmn:boundaryEvent id="reminder" attachedToRef="work" cancelActivity="false"><bpmn:timerEventDefinition>'
      '<bpmn:timeDuration>"PT1H"</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>'
    + '<bpmn:scriptTask id="remind"><bpmn:script>reminded = round</bpmn:script></bpmn:scriptTask>'
    + flow("reminder", "remind") + flow("remind", "reminded_end") + '<bpmn:endEvent id="reminded_end"/>'
    + BACK)

SUBPROCESS = diagram(
    '<bpmn:startEvent id="start"/>' + flow("start", "top") + '<bpmn:exclusiveGateway id="top"/>'
    + '<bpmn:subProcess id="inner"><bpmn:startEvent id="inner_start"/>' + user("s1") + user("s2")
    + flow("inner_start", "s1") + flow("s1", "s2") + flow("s2", "inner_end") + '<bpmn:endEvent id="inner_end"/>'
    + "</bpmn:subProcess>" + flow("top", "inner") + flow("inner", "count") + BACK)

NESTED = diagram(
    '<bpmn:startEvent id="start"/>' + flow("start", "top") + '<bpmn:exclusiveGateway id="top"/>'
    + '<bpmn:subProcess id="outer"><bpmn:startEvent id="outer_start"/>' + user("o1")
    + '<bpmn:subProcess id="inner"><bpmn:startEvent id="inner_start"/>' + user("i1")
    + flow("inner_start", "i1") + flow("i1", "inner_end") + '<bpmn:endEvent id="inner_end"/></bpmn:subProcess>'
    + flow("outer_start", "o1") + flow("o1", "inner") + flow("inner", "outer_end") + '<bpmn:endEvent id="outer_end"/>'
    + "</bpmn:subProcess>" + flow("top", "outer") + flow("outer", "count") + BACK)

MULTI = diagram(
    '<bpmn:startEvent id="start"/>' + flow("start", "top") + '<bpmn:exclusiveGateway id="top"/>'
    + '<bpmn:scriptTask id="reset"><bpmn:script>answers = []</bpmn:script></bpmn:scriptTask>'
    + f'<bpmn:userTask id="vote" name="vote">{FORM}<bpmn:multiInstanceLoopCharacteristics>'
      '<bpmn:loopDataInputRef>people</bpmn:loopDataInputRef><bpmn:loopDataOutputRef>answers</bpmn:loopDataOutputRef>'
      '<bpmn:inputDataItem id="person"/><bpmn:outputDataItem id="note"/>'
      '</bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>'
    + flow("top", "reset") + flow("reset", "vote") + flow("vote", "count") + BACK)

# A loop inside one branch of an open parallel region: the other branch's finished work must survive.
BRANCH_LOOP = diagram(
    '<bpmn:startEvent id="start"/>' + flow("start", "top") + '<bpmn:exclusiveGateway id="top"/>'
    + '<bpmn:parallelGateway id="split"/><bpmn:parallelGateway id="join"/>' + user("a") + user("b")
    + '<bpmn:exclusiveGateway id="b_again" default="b_again_join"/>'
    + flow("top", "split") + flow("split", "a") + flow("split", "b") + flow("a", "join") + flow("b", "b_again")
    + flow("b_again", "b", "b_round &lt; 40") + flow("b_again", "join") + flow("join", "count") + BACK)

# SpiffWorkflow 3.2.0 alone fails on a parallel join inside a loop by the fourth round (AttributeError in
# UnstructuredJoin._run_hook: a finished join of an earlier round has lost its parent), so these are
# checked against what BPMN says each round must do rather than against the uncompacted run.
PARALLEL_CASES = {"parallel": (PARALLEL, [{"a": 1, "b": 1, "c": 1}] * ROUNDS),
                  "split_is_merge": (SPLIT_IS_MERGE, [{"a": 1, "b": 1, "c": 1}] * ROUNDS),
                  "loop_in_open_branch": (BRANCH_LOOP, [{"a": 1, "b": 40}] + [{"a": 1, "b": 1}] * (ROUNDS - 1))}
CASES = {"inclusive": INCLUSIVE, "timers": TIMERS, "subprocess": SUBPROCESS, "nested_subprocess": NESTED,
         "multi_instance": MULTI}
START = {"round": 0, "b_round": 0, "people": ["甲", "乙", "丙"]}
T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def run(files: dict[str, str], compacting: bool) -> tuple[list, object]:
    """Drive the diagram to its end; every step's ready tasks, data and timer, and the final workflow
    with the trails and the (task, round) completed at each step."""
    engine, bundle = ProcessEngine(), parse_package(files, process_id="loop")
    with clock.frozen_at(T0):
        workflow, result = engine.start(bundle, dict(START))
    steps, trails, done, now = [], [], [], T0
    for turn in range(400):
        state = engine.dump(workflow)
        workflow = engine.load(bundle, state)
        if compacting:
            trail = compact(workflow)
            trails.append({"path": trail.path, "flows": trail.flows})
            workflow = engine.load(bundle, engine.dump(workflow))
        ready = sorted(engine.ready_human_tasks(workflow), key=lambda t: t.bpmn_id)
        steps.append((result.status, result.outcome, [(t.bpmn_id, _plain(t.data)) for t in ready],
                      engine.next_timer_at(workflow)))
        if result.status != "running":
            return steps, (workflow, trails, done)
        now += timedelta(minutes=50)
        with clock.frozen_at(now):
            if turn % 3 == 2 and engine.next_timer_at(workflow):
                result = engine.run(workflow)  # let time pass: a reminder or a deadline may fire
                continue
            task = ready[turn % len(ready)]
            answer = {"note": f"{task.bpmn_id}{turn}"}
            if task.bpmn_id == "b":
                answer["b_round"] = task.data["b_round"] + 1
            result = engine.complete(workflow, task.id, answer)
            done.append((task.bpmn_id, task.data["round"]))
    raise AssertionError("the diagram did not end")


def _plain(data: dict) -> dict:
    return {k: v for k, v in data.items() if not k.startswith("_")}


@pytest.mark.parametrize("case", sorted(CASES))
def test_compacted_runs_decide_exactly_as_full_ones(case):
    full, _ = run(CASES[case], compacting=False)
    compacted, _ = run(CASES[case], compacting=True)
    assert compacted == full
    assert full[-1][:2] == ("completed", "end")
    assert full[-1][0] == "completed" and len(full) > ROUNDS


@pytest.mark.parametrize("case", sorted(CASES))
def test_the_trail_keeps_the_path_and_flows_the_full_tree_shows(case):
    _, (full, _, _) = run(CASES[case], compacting=False)
    _, (compacted, trails, _) = run(CASES[case], compacting=True)
    whole, rebuilt = trace(full), trace(compacted, trails)
    assert [s["bpmn_id"] for s in rebuilt["path"]] == [s["bpmn_id"] for s in whole["path"]]
    assert sorted(rebuilt["flows"]) == sorted(whole["flows"])
    assert sum(len(t["path"]) for t in trails) > 0


@pytest.mark.parametrize("case", sorted(PARALLEL_CASES))
def test_parallel_rounds_run_as_bpmn_says(case):
    files, rounds = PARALLEL_CASES[case]
    steps, (workflow, trails, done) = run(files, compacting=True)
    assert steps[-1][:2] == ("completed", "end")
    assert [Counter(t for t, r in done if r == n) for n in range(ROUNDS)] == rounds
    for n in range(ROUNDS):  # the join waits for both branches: c only after a and b of its round
        this_round = [t for t, r in done if r == n]
        assert "c" not in this_round or this_round.index("c") == len(this_round) - 1
    path = trace(workflow, trails)["path"]
    assert Counter(s["bpmn_id"] for s in path)["a"] == ROUNDS


def test_a_long_case_keeps_a_small_tree():
    engine, bundle = ProcessEngine(), parse_package(PARALLEL, process_id="loop")
    workflow, _ = engine.start(bundle, dict(START, round=-10_000))
    sizes = []
    for _ in range(300):
        task = sorted(engine.ready_human_tasks(workflow), key=lambda t: t.bpmn_id)[0]
        engine.complete(workflow, task.id, {"note": "x"})
        compact(workflow)
        sizes.append(len(workflow.tasks))
    assert max(sizes[100:]) == max(sizes[:100]) < 60


def test_subprocesses_of_cut_rounds_are_dropped_with_them():
    _, (full, _, _) = run(NESTED, compacting=False)
    _, (compacted, trails, _) = run(NESTED, compacting=True)
    assert len(full.subprocesses) == 2 * ROUNDS
    assert len(compacted.subprocesses) <= 4  # the latest outer and inner runs, as the kept ancestors hold them
    assert sum(s["bpmn_id"] == "i1" for t in trails for s in t["path"]) > 0
