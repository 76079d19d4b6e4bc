"""The shipped need_lifecycle, driven by task id with a save/restore round trip after every step."""
import json
from datetime import timedelta

import pytest

from app.config import ROOT
from app import clock
from app.engine import ProcessEngine
from app.modules import diagram_helpers
from app.workflow.versions import check_package, package_from_directory

HELPERS = diagram_helpers()

INTAKE = {"title": "楼道灯坏了", "description": "3号楼2单元楼道灯不亮", "category": "daily_life",
          "channel": "party_line", "visit_type": "home_visit", "community": "nanshan", "grid": "nanshan-1",
          "anonymous": False, "tracking_code": "T1", "first_responder": "grid1"}
# The database-backed diagram functions, replaced by stand-ins: this test is the engine alone.
STAND_INS = HELPERS | {"find_overlaps": lambda *args: [], "notify_role": lambda *args: True,
                       "department_options": lambda *args: [], "street_of": lambda *args: "xingfu",
                       "handling_org": lambda body: "xingfu", "record_department_rating": lambda *args: 1}

PATHS = {
    "unreasonable": ([("assess_reasonableness", {"reasonable": False, "basis": "无依据"}),
                      ("explain_to_resident", {"explanation_method": "phone", "explanation": "已解释"})],
                     "closed_unreasonable"),
    "community_tier_a": ([("assess_reasonableness", {"reasonable": True, "basis": "ok"}),
                          ("assess_responsibility", {"responsibility": "community"}),
                          ("grade_need", {"tier": "A", "kind": "affair", "affair_weight": "routine"}),
                          ("resolve_need", {"resolution": "已修复"}),
                          ("resident_feedback", {"satisfaction": 5})], "resolved"),
    "street_resolves": ([("assess_reasonableness", {"reasonable": True, "basis": "ok"}),
                         ("assess_responsibility", {"responsibility": "government"}),
                         ("street_handle", {"street_decision": "resolved", "street_resolution": "已协调"}),
                         ("rate_department", {"guidance": 4, "service": 4, "payment": 3, "interference": 5}),
                         ("resident_feedback", {"satisfaction": 4})], "resolved"),
    "street_returns": ([("assess_reasonableness", {"reasonable": True, "basis": "ok"}),
                        ("assess_responsibility", {"responsibility": "government"}),
                        ("street_handle", {"street_decision": "return", "street_resolution": "属社区事务"}),
                        ("grade_need", {"tier": "B", "kind": "affair", "affair_weight": "routine"}),
                        ("resolve_need", {"resolution": "已修复"}),
                        ("resident_feedback", {"satisfaction": 3})], "resolved"),
}


@pytest.fixture(scope="module")
def bundle():
    return check_package(package_from_directory(ROOT / "processes" / "need_lifecycle", ROOT / "forms"))


@pytest.fixture(scope="module")
def engine():
    return ProcessEngine(helpers=STAND_INS)


def round_trip(engine, bundle, workflow):
    """Save, restore and save again: the two saves must be identical, and no spec is stored."""
    state = engine.dump(workflow)
    assert "task_specs" not in state and "spec" not in json.loads(state)  # sub-workflows name theirs only
    restored = engine.load(bundle, state)
    assert engine.dump(restored) == state
    assert restored.script_engine is engine.script_engine
    return restored


def ready_ids(engine, workflow) -> list[str]:
    return [t.bpmn_id for t in engine.ready_human_tasks(workflow)]


@pytest.mark.parametrize("path", PATHS)
def test_every_step_survives_save_and_restore(engine, bundle, path):
    steps, outcome = PATHS[path]
    workflow, result = engine.start(bundle, dict(INTAKE))
    workflow = round_trip(engine, bundle, workflow)
    for bpmn_id, data in steps:
        assert ready_ids(engine, workflow) == [bpmn_id], path
        task = engine.ready_human_tasks(workflow)[0]
        result = engine.complete(workflow, task.id, data)
        assert result.status in ("running", "completed"), result.error
        workflow = round_trip(engine, bundle, workflow)
    assert result.status == "completed" and result.outcome == outcome
    assert engine.current_data(workflow)["title"] == INTAKE["title"]


def test_overdue_resolution_escalates_after_restore(engine, bundle):
    workflow, _ = engine.start(bundle, dict(INTAKE))
    for bpmn_id, data in PATHS["community_tier_a"][0][:3]:
        task = engine.ready_human_tasks(workflow)[0]
        assert task.bpmn_id == bpmn_id
        engine.complete(workflow, task.id, data)
    workflow = round_trip(engine, bundle, workflow)
    resolve = engine.ready_human_tasks(workflow)[0]
    assert resolve.bpmn_id == "resolve_need" and resolve.due_at == engine.next_timer_at(workflow)
    with clock.frozen_at(resolve.due_at - timedelta(seconds=1)):
        engine.run(workflow)
    assert ready_ids(engine, workflow) == ["resolve_need"]
    with clock.frozen_at(resolve.due_at + timedelta(seconds=1)):
        engine.run(workflow)
    workflow = round_trip(engine, bundle, workflow)
    assert ready_ids(engine, workflow) == ["street_takeover"]
    takeover = engine.ready_human_tasks(workflow)[0]  # the escalated task has its own deadline (超时督办)
    assert takeover.due_at is not None and engine.next_timer_at(workflow) == takeover.due_at > resolve.due_at


def test_human_task_carries_form_lane_and_instructions(engine, bundle):
    workflow, _ = engine.start(bundle, dict(INTAKE))
    task = engine.ready_human_tasks(workflow)[0]
    assert (task.lane, task.form, task.ui_form) == ("社区工作者", "assess_reasonableness-schema.json",
                                                    "assess_reasonableness-uischema.json")
    assert "楼道灯坏了" in task.rendered_instructions()
