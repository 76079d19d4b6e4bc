"""The designer's API: check, deploy (JSON), dry run, files, diff, retire; MIWG models; escape attempts."""
import json
from pathlib import Path

import pytest

from app.config import ROOT
from app.workflow.versions import package_from_directory
from bpmn_samples import FORM, HEAD, NOTE_SCHEMA, package, process, with_condition
from helpers import deploy

MIWG = sorted((Path(__file__).parent / "fixtures" / "miwg").glob("*.bpmn"))


def need_package() -> dict[str, str]:
    return package_from_directory(ROOT / "processes" / "need_lifecycle", ROOT / "forms")


def test_check_lists_problems_and_stores_nothing(api):
    sound = api.post("/api/processes/check", {"files": package(with_condition("1 == 1"))}, "designer1")
    assert sound.status_code == 200 and sound.get_json() == {"ok": True, "problems": []}
    broken = package(with_condition("__import__('os').system('id')"))
    broken["sample.bpmn"] = broken["sample.bpmn"].replace('name="community_worker"', 'name="nobody"')
    found = api.post("/api/processes/check", {"files": broken}, "designer1").get_json()
    assert found["ok"] is False
    assert {p["element"] for p in found["problems"]} == {"f1", "lane1"}
    listed = [p["process_id"] for p in api.get("/api/processes", "designer1").get_json()["processes"]]
    assert "sample" not in listed


def test_json_deploy_gives_201_then_200_and_422_with_every_problem(api):
    files = package(with_condition("1 == 1"))
    assert deploy(api, files).status_code == 201
    assert deploy(api, files).get_json() == {"process_id": "sample", "version": 1, "created": False}
    files["sample.bpmn"] = files["sample.bpmn"].replace("<bpmn:conditionExpression>1 == 1", "<bpmn:conditionExpression>")
    files["sample.bpmn"] = files["sample.bpmn"].replace('value="note-schema.json"', 'value="gone-schema.json"')
    refused = deploy(api, files)
    assert refused.status_code == 422
    messages = {(p["element"], p["message"]) for p in refused.get_json()["problems"]}
    assert ("f1", "expression is empty: write a Python expression (such as approved == True) or remove it") in messages
    assert any(e == "work" or "gone-schema.json" in m for e, m in messages)
    assert api.get("/api/processes/sample/versions/2/files", "designer1").status_code == 404


@pytest.mark.parametrize("attack, element", [
    ('<bpmn:scriptTask id="calc"><bpmn:script>().__class__.__base__.__subclasses__()</bpmn:script></bpmn:scriptTask>', "calc"),
    ('<bpmn:scriptTask id="calc"><bpmn:script>import subprocess</bpmn:script></bpmn:scriptTask>', "calc"),
    ('<bpmn:scriptTask id="calc"><bpmn:script>x = eval("1")</bpmn:script></bpmn:scriptTask>', "calc"),
    ('<bpmn:scriptTask id="calc"><bpmn:extensionElements><spiffworkflow:preScript>open("/etc/passwd")'
     '</spiffworkflow:preScript></bpmn:extensionElements><bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>', "calc"),
    ('<bpmn:scriptTask id="calc"><bpmn:extensionElements><spiffworkflow:instructionsForEndUser>'
     "{{ ''.__class__.__mro__ }}</spiffworkflow:instructionsForEndUser></bpmn:extensionElements>"
     "<bpmn:script>x = 1</bpmn:script></bpmn:scriptTask>", "calc"),
])
def test_diagrams_attempting_code_execution_are_refused(api, attack, element):
    body = ('<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="calc"/>'
            + attack + '<bpmn:sequenceFlow id="f1" sourceRef="calc" targetRef="work"/>'
            f'<bpmn:userTask id="work" name="办理">{FORM}</bpmn:userTask>'
            '<bpmn:sequenceFlow id="f9" sourceRef="work" targetRef="end"/><bpmn:endEvent id="end"/>')
    response = deploy(api, package(process(body)))
    assert response.status_code == 422, response.get_json()
    assert {p["element"] for p in response.get_json()["problems"]} == {element}


def test_a_decision_table_attempting_code_execution_is_refused(api):
    files = need_package()
    files["need_grading.dmn"] = files["need_grading.dmn"].replace('"daily_life"', "__import__('os').getcwd()", 1)
    response = deploy(api, files)
    assert response.status_code == 422
    assert all("refused" in p["message"] for p in response.get_json()["problems"])


@pytest.mark.parametrize("text, message", [
    ("P3D", 'timer expression is Python: write the ISO 8601 value in quotes, "P3D"'),
    ('"3 days"', "'3 days' is not a valid ISO 8601 timeDuration (for example \"P3D\")"),
    ("3", "timer expression must give an ISO 8601 text, not int"),
])
def test_timers_that_are_not_valid_expressions_are_refused(api, text, message):
    bpmn = process('<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="work"/>'
                   f'<bpmn:userTask id="work" name="办理">{FORM}</bpmn:userTask>'
                   '<bpmn:boundaryEvent id="late" attachedToRef="work"><bpmn:timerEventDefinition>'
                   f'<bpmn:timeDuration>{text}</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>'
                   '<bpmn:sequenceFlow id="f8" sourceRef="late" targetRef="end"/>'
                   '<bpmn:sequenceFlow id="f9" sourceRef="work" targetRef="end"/><bpmn:endEvent id="end"/>')
    response = deploy(api, package(bpmn))
    assert response.status_code == 422
    assert response.get_json()["problems"] == [{"element": "late", "message": message}]


def test_unsupported_constructs_are_named(api):
    bpmn = process('<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="call"/>'
                   '<bpmn:serviceTask id="call"/><bpmn:sequenceFlow id="f1" sourceRef="call" targetRef="work"/>'
                   f'<bpmn:userTask id="work" name="办理">{FORM}</bpmn:userTask>'
                   '<bpmn:sequenceFlow id="f9" sourceRef="work" targetRef="end"/><bpmn:endEvent id="end"/>')
    problems = deploy(api, package(bpmn)).get_json()["problems"]
    assert problems[0]["element"] == "call" and problems[0]["message"].startswith("not supported: service tasks")


@pytest.mark.parametrize("model", MIWG, ids=[m.name for m in MIWG])
def test_every_miwg_reference_model_is_answered_201_or_422(api, model):
    response = deploy(api, {model.name: model.read_text(encoding="utf-8")})
    assert response.status_code in (201, 422), response.get_data(as_text=True)[:500]
    if response.status_code == 422:
        problems = response.get_json()["problems"]
        assert problems and all(p["element"] and len(p["message"]) > 10 for p in problems)


def test_miwg_models_are_all_present():
    assert len(MIWG) == 21  # the reference set in ../shared/miwg, copied with its licence


def test_files_diff_retire_and_restore(api):
    files = need_package()
    files["need_lifecycle.bpmn"] = files["need_lifecycle.bpmn"].replace('name="合理性研判"', 'name="合理性研判（新）"')
    assert deploy(api, files).get_json()["version"] == 2
    stored = api.get("/api/processes/need_lifecycle/versions/2/files", "auditor1").get_json()
    assert stored["files"]["need_lifecycle.bpmn"] == files["need_lifecycle.bpmn"] and stored["retired"] is False
    diff = api.get("/api/processes/need_lifecycle/diff?from=1&to=2", "designer1").get_json()
    assert diff["added"] == [] and diff["removed"] == []
    assert [(c["id"], c["changes"]) for c in diff["changed"]] == [
        ("assess_reasonableness", [{"field": "name", "before": "合理性研判", "after": "合理性研判（新）"}])]
    assert api.get("/api/processes/need_lifecycle/diff?from=1", "designer1").status_code == 400

    running_on_v2 = api.record_need(title="第二版上的需求")
    assert api.post("/api/processes/need_lifecycle/versions/2/retire", as_user="designer1").status_code == 200
    assert api.post("/api/processes/need_lifecycle/versions/2/retire", as_user="designer1").status_code == 409
    assert api.post("/api/processes/need_lifecycle/versions/1/retire", as_user="designer1").status_code == 409
    assert api.post("/api/processes/need_lifecycle/versions/1/retire", as_user="worker1").status_code == 403
    on_v1 = api.record_need(title="退役后的需求")
    assert api.get(f"/api/instances/{on_v1['instance_id']}", "worker1").get_json()["version"] == 1
    # The instance already on the retired version goes on there.
    api.complete("worker1", "assess_reasonableness", {"reasonable": True, "basis": "ok"},
                 instance_id=running_on_v2["instance_id"])
    assert api.get(f"/api/instances/{running_on_v2['instance_id']}", "worker1").get_json()["version"] == 2
    assert api.post("/api/processes/need_lifecycle/versions/2/restore", as_user="designer1").status_code == 200
    listed = {p["process_id"]: p for p in api.get("/api/processes", "designer1").get_json()["processes"]}
    assert listed["need_lifecycle"]["latest_version"] == 2
    history = api.get("/api/audit/verify", "auditor1").get_json()
    assert history["ok"] is True


def test_dry_run_over_the_api(api):
    files = package(with_condition("note == 'yes'"))
    result = api.post("/api/processes/dry-run", {"files": files, "answers": {"work": {"note": "done"}},
                                                 "data": {"note": "yes"}}, "designer1")
    assert result.status_code == 200, result.get_json()
    body = result.get_json()
    assert body["status"] == "completed" and body["outcome"] == "end"
    assert [s["bpmn_id"] for s in body["path"]] == ["start", "gw", "work", "end"]
    assert ["gw", "work"] in body["flows"]
    refused = api.post("/api/processes/dry-run", {"files": package(with_condition("__import__('os')"))}, "designer1")
    assert refused.status_code == 422 and refused.get_json()["problems"][0]["element"] == "f1"
    bad = api.post("/api/processes/dry-run", {"files": files, "answers": {"work": "yes"}}, "designer1")
    assert bad.status_code == 400
    assert api.post("/api/processes/dry-run", {"files": files}, "worker1").status_code == 403


@pytest.mark.parametrize("files, field", [
    ({"../../etc/passwd.bpmn": "x"}, "files"),
    ({"a.exe": "x"}, "files"),
    ({"a.bpmn": 5}, "files"),
    ([], "files"),
])
def test_malformed_packages_are_refused_with_400(api, files, field):
    response = api.post("/api/processes/check", {"files": files}, "designer1")
    assert response.status_code == 400 and field in response.get_json()["fields"]


def test_a_form_that_pages_could_not_render_is_refused(api):
    files = package(with_condition("1 == 1"))
    files["note-schema.json"] = json.dumps({"type": "object", "properties": {"note": True}})
    problems = deploy(api, files).get_json()["problems"]
    assert problems == [{"element": "note-schema.json", "message": "every field under 'properties' must be an object"}]


def test_an_entity_bomb_is_refused_not_expanded(api):
    bomb = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">'
            '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]>' + HEAD.split("?>", 1)[1] + "<bpmn:process id='p'>&lol3;"
            "</bpmn:process></bpmn:definitions>")
    response = deploy(api, {"bomb.bpmn": bomb, "note-schema.json": NOTE_SCHEMA})
    assert response.status_code == 422
