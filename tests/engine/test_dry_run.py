"""Dry runs: a process version run in memory against scripted answers, helpers stubbed, clock simulated."""
import json
from datetime import UTC, datetime, timedelta

import pytest

from app.config import ROOT
from app import clock
from app.engine import parse_package
from app.engine import dry_run as dry_run_module
from app.engine.dry_run import dry_run
from app.modules import diagram_helpers
from app.workflow.versions import check_package, package_from_directory
from bpmn_samples import FORM, NOTE_SCHEMA, process, with_condition, with_script

HELPERS = diagram_helpers()

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
REVIEW_SCHEMA = json.dumps({
    "type": "object", "required": ["approve"], "additionalProperties": False,
    "properties": {"approve": {"type": "boolean"}, "note": {"type": "string", "maxLength": 50}},
})
REVIEW_FORM = FORM.replace("note-schema.json", "review-schema.json")


def flow(source, target, condition=None, flow_id=None):
    body = f"<bpmn:conditionExpression>{condition}</bpmn:conditionExpression>" if condition else ""
    return (f'<bpmn:sequenceFlow id="{flow_id or f"{source}_{target}"}" sourceRef="{source}" '
            f'targetRef="{target}">{body}</bpmn:sequenceFlow>')


def bundle_of(bpmn: str):
    """A parsed sample package: its BPMN plus the note and review forms."""
    files = {"sample.bpmn": bpmn, "note-schema.json": NOTE_SCHEMA, "review-schema.json": REVIEW_SCHEMA}
    return parse_package(files, known_functions=("notify_role", "next_number"))


def decision():
    """start → review (form) → gateway on `approve` → notify (calls a helper) → approved | rejected."""
    return bundle_of(process(
        '<bpmn:startEvent id="start"/>' + flow("start", "review")
        + f'<bpmn:userTask id="review" name="审核">{REVIEW_FORM}</bpmn:userTask>' + flow("review", "gw")
        + '<bpmn:exclusiveGateway id="gw" name="是否同意" default="gw_rejected"/>'
        + flow("gw", "notify", "approve == True") + flow("gw", "rejected")
        + '<bpmn:scriptTask id="notify" name="通知"><bpmn:script>sent = notify_role("worker", note)</bpmn:script>'
          '</bpmn:scriptTask>' + flow("notify", "approved")
        + '<bpmn:endEvent id="approved" name="已同意"/><bpmn:endEvent id="rejected" name="已驳回"/>',
        lane_refs=("review",)))


def escalation():
    """start → handle (user task, 2-day interrupting timer → escalate → supervise) → done."""
    return bundle_of(process(
        '<bpmn:startEvent id="start"/>' + flow("start", "handle")
        + f'<bpmn:userTask id="handle" name="办理">{FORM}</bpmn:userTask>' + flow("handle", "done")
        + '<bpmn:endEvent id="done"/>'
        + '<bpmn:boundaryEvent id="late" name="超时" attachedToRef="handle"><bpmn:timerEventDefinition>'
          '<bpmn:timeDuration>"P2D"</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>'
        + flow("late", "escalate")
        + '<bpmn:scriptTask id="escalate"><bpmn:script>escalated = True</bpmn:script></bpmn:scriptTask>'
        + flow("escalate", "supervise")
        + f'<bpmn:userTask id="supervise" name="督办">{FORM}</bpmn:userTask>' + flow("supervise", "escalated_end")
        + '<bpmn:endEvent id="escalated_end"/>',
        lane_refs=("handle", "supervise")))


def endless():
    """start → work → gateway whose way out never holds, so it loops back to work."""
    return bundle_of(process(
        '<bpmn:startEvent id="start"/>' + flow("start", "work")
        + f'<bpmn:userTask id="work" name="办理">{FORM}</bpmn:userTask>' + flow("work", "gw")
        + '<bpmn:exclusiveGateway id="gw" default="gw_work"/>' + flow("gw", "end", "False") + flow("gw", "work")
        + '<bpmn:endEvent id="end"/>'))


def counter():
    """start → count (n = next_number()) → loop back until n >= 3 → end; nobody is asked anything."""
    return bundle_of(process(
        '<bpmn:startEvent id="start"/>' + flow("start", "count")
        + '<bpmn:scriptTask id="count"><bpmn:script>n = next_number()</bpmn:script></bpmn:scriptTask>'
        + flow("count", "gw") + '<bpmn:exclusiveGateway id="gw" default="gw_count"/>'
        + flow("gw", "end", "n &gt;= 3") + flow("gw", "count") + '<bpmn:endEvent id="end"/>',
        lane_refs=()))


def multi_instance():
    """start → work, twice in parallel → end."""
    return bundle_of(process(
        '<bpmn:startEvent id="start"/>' + flow("start", "work")
        + f'<bpmn:userTask id="work" name="办理">{FORM}<bpmn:multiInstanceLoopCharacteristics>'
          '<bpmn:loopCardinality>2</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>'
        + flow("work", "end") + '<bpmn:endEvent id="end"/>'))


def ids(result) -> list[str]:
    return [step["bpmn_id"] for step in result["path"]]


def test_answers_take_the_branch_and_helper_calls_are_recorded():
    result = dry_run(decision(), ["notify_role"], answers={"review": {"approve": True, "note": "好"}},
                     helper_results={"notify_role": "sent-1"}, start_at=T0)
    assert result["status"] == "completed" and result["outcome"] == "approved"
    assert ids(result) == ["start", "review", "gw", "notify", "approved"]
    assert [(s["name"], s["type"], s["process_id"], s["at"]) for s in result["path"][1:3]] == [
        ("审核", "UserTask", "sample", T0.isoformat()), ("是否同意", "ExclusiveGateway", "sample", T0.isoformat())]
    assert result["flows"] == [["start", "review"], ["review", "gw"], ["gw", "notify"], ["notify", "approved"]]
    assert result["helper_calls"] == [{"name": "notify_role", "args": ["worker", "好"], "kwargs": {}}]
    assert result["data"] == {"approve": True, "note": "好", "sent": "sent-1"}
    assert result["error"] is None and result["message"] is None and result["timers_fired"] == []


def test_another_answer_takes_the_other_branch():
    result = dry_run(decision(), ["notify_role"], answers={"review": {"approve": False}}, start_at=T0)
    assert (result["status"], result["outcome"]) == ("completed", "rejected")
    assert ids(result) == ["start", "review", "gw", "rejected"]
    assert result["helper_calls"] == []


def test_without_an_answer_the_run_waits_at_the_task():
    result = dry_run(decision(), ["notify_role"], answers={}, data={"title": "路灯"}, start_at=T0)
    assert result["status"] == "waiting" and result["outcome"] is None
    assert result["waiting_at"] == [{"bpmn_id": "review", "name": "审核", "lane": "community_worker"}]
    assert ids(result) == ["start"]
    assert result["flows"] == [["start", "review"]]  # where the token stands is marked too
    assert result["data"] == {"title": "路灯"}
    assert "review" in result["message"]


def test_real_helpers_are_never_called(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("a dry run called a real helper")

    monkeypatch.setitem(HELPERS, "notify_role", forbidden)
    result = dry_run(decision(), HELPERS.keys(), answers={"review": {"approve": True, "note": "好"}}, start_at=T0)
    assert result["status"] == "completed"
    assert result["helper_calls"] == [{"name": "notify_role", "args": ["worker", "好"], "kwargs": {}}]
    assert result["data"]["sent"] is None  # a stub with no scripted result returns None


@pytest.mark.parametrize("answer, problem", [
    ({"approve": "yes"}, "approve: 'yes' is not of type 'boolean'"),
    ({"note": "x"}, "(answer): 'approve' is a required property"),
    ({"approve": True, "extra": 1}, "Additional properties are not allowed ('extra' was unexpected)"),
    ({"approve": True, "note": "长" * 51}, "note: "),
])
def test_an_answer_its_form_would_refuse_stops_the_run(answer, problem):
    result = dry_run(decision(), ["notify_role"], answers={"review": answer}, start_at=T0)
    assert result["status"] == "invalid_answer" and result["error"] is None
    assert result["message"].startswith("answer for review (审核) does not fit its form review-schema.json: ")
    assert problem in result["message"]
    assert ids(result) == ["start"]


def test_an_answer_that_is_no_object_stops_the_run():
    result = dry_run(decision(), [], answers={"review": "yes"}, start_at=T0)
    assert result["status"] == "invalid_answer"
    assert result["message"] == "answer for review (审核) is not an object with field names: 'yes'"


def test_a_list_of_answers_is_used_in_order_then_the_run_waits():
    answers = {"work": [{"note": "first"}, {"note": "second"}]}
    result = dry_run(endless(), [], answers=answers, start_at=T0)
    assert result["status"] == "waiting"
    assert ids(result) == ["start", "work", "gw", "work", "gw"]
    assert result["flows"] == [["start", "work"], ["work", "gw"], ["gw", "work"]]
    assert result["data"] == {"note": "second"}
    assert answers == {"work": [{"note": "first"}, {"note": "second"}]}  # the caller's lists stay whole


def test_a_loop_that_would_run_forever_stops_at_the_step_limit():
    result = dry_run(endless(), [], answers={"work": {"note": "again"}}, max_steps=5, start_at=T0)
    assert result["status"] == "step_limit" and result["outcome"] is None
    assert ids(result) == ["start"] + ["work", "gw"] * 5
    assert "5 steps" in result["message"]


def test_an_engine_loop_that_never_waits_stops_too():
    result = dry_run(counter(), ["next_number"], answers={}, helper_results={"next_number": 1}, start_at=T0)
    assert result["status"] == "step_limit" and result["outcome"] is None
    assert "does a loop never end?" in result["message"]
    assert len(result["helper_calls"]) > 100


def test_a_loop_too_deep_for_the_engine_is_not_taken_for_completed(monkeypatch):
    # SpiffWorkflow stops looking 1000 levels down its task tree and would call this workflow completed.
    monkeypatch.setattr(dry_run_module, "MAX_DRY_RUN_SECONDS", 600)  # the depth stops it, not the time
    result = dry_run(endless(), [], answers={"work": {"note": "again"}}, max_steps=2000, start_at=T0)
    assert result["status"] == "step_limit" and result["outcome"] is None
    assert "levels down the task tree" in result["message"]


def test_a_list_of_helper_results_is_returned_one_per_call():
    results = {"next_number": [1, 2, 3]}
    result = dry_run(counter(), ["next_number"], answers={}, helper_results=results, start_at=T0)
    assert (result["status"], result["outcome"]) == ("completed", "end")
    assert ids(result) == ["start", "count", "gw", "count", "gw", "count", "gw", "end"]
    assert len(result["helper_calls"]) == 3 and result["data"] == {"n": 3}
    assert results == {"next_number": [1, 2, 3]}


def test_the_last_helper_result_repeats():
    result = dry_run(counter(), ["next_number"], answers={}, helper_results={"next_number": [1, 4]}, start_at=T0)
    assert result["status"] == "completed" and result["data"] == {"n": 4}
    one = dry_run(counter(), ["next_number"], answers={}, helper_results={"next_number": [5]}, start_at=T0)
    assert len(one["helper_calls"]) == 1 and one["data"] == {"n": 5}


def test_a_timer_fires_by_moving_the_simulated_clock():
    result = dry_run(escalation(), [], answers={"supervise": {"note": "已督办"}}, start_at=T0)
    due = (T0 + timedelta(days=2)).isoformat()
    assert (result["status"], result["outcome"]) == ("completed", "escalated_end")
    assert result["timers_fired"] == [{"timer": "late", "at": due}]
    assert [(s["bpmn_id"], s["type"], s["at"]) for s in result["path"]] == [
        ("start", "StartEvent", T0.isoformat()), ("late", "BoundaryEvent", due), ("escalate", "ScriptTask", due),
        ("supervise", "UserTask", due), ("escalated_end", "EndEvent", due)]
    # The flow into the interrupted task is marked; no sequence flow leads into the boundary event.
    assert result["flows"] == [["start", "handle"], ["late", "escalate"], ["escalate", "supervise"],
                               ["supervise", "escalated_end"]]
    assert result["data"] == {"note": "已督办", "escalated": True}


def test_an_answer_in_time_beats_the_timer():
    result = dry_run(escalation(), [], answers={"handle": {"note": "办好了"}}, start_at=T0)
    assert (result["status"], result["outcome"]) == ("completed", "done")
    assert ids(result) == ["start", "handle", "done"] and result["timers_fired"] == []


def test_a_timer_is_a_step():
    result = dry_run(escalation(), [], answers={}, max_steps=0, start_at=T0)
    assert result["status"] == "step_limit" and result["timers_fired"] == []


def test_each_ready_instance_of_a_multi_instance_task_takes_one_answer():
    answers = {"work": [{"note": "a"}, {"note": "b"}]}
    result = dry_run(multi_instance(), [], answers=answers, start_at=T0)
    assert (result["status"], result["outcome"]) == ("completed", "end")
    # Two instances, then the multi-instance task itself; the flow to an instance is no diagram flow.
    assert [(s["bpmn_id"], s["type"]) for s in result["path"]] == [
        ("start", "StartEvent"), ("work", "UserTask"), ("work", "UserTask"), ("work", "ParallelMultiInstanceTask"),
        ("end", "EndEvent")]
    assert result["flows"] == [["start", "work"], ["work", "end"]]
    short = dry_run(multi_instance(), [], answers={"work": [{"note": "a"}]}, start_at=T0)
    assert short["status"] == "waiting" and [w["bpmn_id"] for w in short["waiting_at"]] == ["work"]


@pytest.mark.parametrize("bpmn, element, text", [
    (with_condition("missing_name &gt; 1"), "gw", "missing_name"),
    (with_script("x = 1 / 0"), "calc", "ZeroDivisionError"),
    (with_script("x = {'a': 1}[5]"), "calc", ""),  # SpiffWorkflow's own wrapping fails on KeyError(5)
    (with_script("while True:\n    pass"), "calc", "ScriptTimeout"),
])
def test_an_error_stops_the_run_naming_the_element(bpmn, element, text):
    bundle = parse_package({"sample.bpmn": bpmn, "note-schema.json": NOTE_SCHEMA})
    result = dry_run(bundle, [], answers={}, time_limit=0.05, start_at=T0)
    assert result["status"] == "error" and result["outcome"] is None
    assert result["error"]["bpmn_id"] == element
    assert text in result["error"]["message"] and result["message"] == result["error"]["message"]
    assert ids(result)[0] == "start" and element not in ids(result)


def test_the_result_is_json_even_for_odd_values():
    class Odd:
        def __repr__(self):
            return "<odd>"

    result = dry_run(decision(), ["notify_role"], answers={"review": {"approve": True, "note": "好"}},
                     data={"big": "x" * 10_000, "when": T0}, helper_results={"notify_role": Odd()}, start_at=T0)
    assert result["data"]["sent"] == "<odd>" and result["data"]["when"] == T0.isoformat()
    assert len(result["data"]["big"]) <= 2000 and result["data"]["big"].endswith("…")
    json.dumps(result)


def test_the_clock_starts_now_by_default():
    with clock.frozen_at(T0):  # "now" is app.clock's
        result = dry_run(decision(), ["notify_role"], answers={}, start_at=None)
    assert T0 <= datetime.fromisoformat(result["path"][0]["at"]) <= T0
    with pytest.raises(ValueError):
        dry_run(decision(), [], answers={}, start_at=datetime(2026, 1, 1))


# The shipped process, with the data ops/needs.py puts into a new need.
INTAKE = {"title": "3号楼楼道灯不亮", "description": "三楼到五楼的灯坏了一周", "category": "daily_life",
          "channel": "window", "grid": "", "visit_type": "", "anonymous": False, "community": "nanshan",
          "tracking_code": "N-0001", "first_responder": "worker1"}


@pytest.fixture(scope="module")
def need_lifecycle():
    return check_package(package_from_directory(ROOT / "processes" / "need_lifecycle", ROOT / "forms"))


@pytest.fixture
def no_real_helpers(monkeypatch):
    def forbidden(*args, **kwargs):
        raise AssertionError("a dry run called a real helper")

    for name in list(HELPERS):
        monkeypatch.setitem(HELPERS, name, forbidden)


def test_shipped_need_lifecycle_to_rejection(need_lifecycle, no_real_helpers):
    result = dry_run(need_lifecycle, HELPERS.keys(), data=INTAKE, helper_results={"find_overlaps": [[]]}, answers={
        "assess_reasonableness": {"reasonable": False, "basis": "属于居民自家设施"},
        "explain_to_resident": {"explanation_method": "phone", "explanation": "已电话说明原因"},
    }, start_at=T0)
    assert (result["status"], result["outcome"]) == ("completed", "closed_unreasonable")
    assert ids(result) == ["start_need", "check_overlap", "gw_overlap", "assess_reasonableness", "gw_reasonable",
                           "explain_to_resident", "closed_unreasonable"]
    assert {s["process_id"] for s in result["path"]} == {"need_lifecycle"}
    assert result["flows"][-2:] == [["gw_reasonable", "explain_to_resident"],
                                    ["explain_to_resident", "closed_unreasonable"]]
    assert result["helper_calls"] == [{"name": "find_overlaps", "kwargs": {},
                                       "args": ["nanshan", "daily_life", "", "3号楼楼道灯不亮", "N-0001"]}]
    assert result["data"]["overlap_candidates"] == [] and result["data"]["explanation_method"] == "phone"


def test_shipped_need_lifecycle_escalates_on_timers_and_waits(need_lifecycle, no_real_helpers):
    escalated = {"code": "zhifu-mz", "name": "芝罘区民政局", "due": "2026-06-18", "due_text": "2026年6月18日"}
    result = dry_run(need_lifecycle, HELPERS.keys(), data=INTAKE, helper_results={
        "find_overlaps": [[]], "escalate_to_department": escalated}, answers={
        "assess_reasonableness": {"reasonable": True, "basis": "公共设施损坏"},
        "assess_responsibility": {"responsibility": "government"},
    }, start_at=T0)
    street_due, district_due = (T0 + timedelta(days=5)).isoformat(), (T0 + timedelta(days=15)).isoformat()
    assert result["status"] == "waiting" and result["outcome"] is None
    assert result["timers_fired"] == [{"timer": "street_overdue", "at": street_due},
                                      {"timer": "district_overdue", "at": district_due}]
    assert [(s["bpmn_id"], s["at"]) for s in result["path"][6:]] == [
        ("gw_responsibility", T0.isoformat()), ("street_overdue", street_due), ("mark_street_overdue", street_due),
        ("district_overdue", district_due), ("notify_district_overdue", district_due),
        ("district_overdue_noted", district_due)]
    assert result["waiting_at"] == [{"bpmn_id": "district_handle", "name": "区级部门归口办理", "lane": "区级职能部门"}]
    assert ["gw_responsibility", "street_handle"] in result["flows"]
    assert ["mark_street_overdue", "district_handle"] in result["flows"]
    assert [c["name"] for c in result["helper_calls"]] == ["find_overlaps", "department_options",
                                                          "escalate_to_department", "notify_department"]
    assert result["helper_calls"][2]["args"] == ["nanshan", 10]  # the directory's escalation department, 10 days
    assert result["helper_calls"][3]["args"][:2] == ["zhifu-mz", "nanshan"]  # the reminder goes to that department
    assert result["data"]["escalated_from"] == "street" and result["data"]["assigned_department"] == "zhifu-mz"
