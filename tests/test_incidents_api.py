"""Incidents: an instance whose script fails in a timer pass is listed for administrators and designers
with the element, the error and the time; a retry after a fix (corrected data, or a newer version) lets
it go on, a retry that fails again keeps the incident with the new error, cancel ends it; every action
is in the instance's history, and no other role may see or touch incidents."""
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.db import writing
from app import clock
from app.people.org import Organisation
from app.workflow.instances import start_process
from bpmn_samples import FORM, linear, package, process
from helpers import deploy, history, run_timers

PROCESS = "ratio_check"
STARTED = datetime(2026, 6, 1, 1, 0, tzinfo=UTC)  # 09:00 China time; the script runs an hour later
PASS = STARTED + timedelta(hours=1, minutes=30)  # the timer pass that meets the failure: 10:30 China time
FAILS = "ratio = 100 / divisor"
FIXED = "ratio = 100 / divisor if divisor else 0"
OTHER_ROLES = ["resident1", "grid1", "worker1", "secretary1", "committee1", "supervisor1", "street1", "district1",
               "provider1", "volunteer1", "evaluator1", "auditor1"]


def ratio_process(script: str = FAILS) -> dict[str, str]:
    """start → wait an hour → the script 计算比例 → the user task 办理 → end."""
    middle = ('<bpmn:intermediateCatchEvent id="wait" name="等待一小时"><bpmn:timerEventDefinition>'
              '<bpmn:timeDuration>"PT1H"</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'
              '<bpmn:sequenceFlow id="f1" sourceRef="wait" targetRef="calc"/>'
              f'<bpmn:scriptTask id="calc" name="计算比例" scriptFormat="python"><bpmn:script>{script}</bpmn:script>'
              '</bpmn:scriptTask><bpmn:sequenceFlow id="f2" sourceRef="calc" targetRef="work"/>')
    return package(process(linear(middle, "wait"), process_id=PROCESS))


def deploy_ratio(api, script: str = FAILS) -> None:
    response = deploy(api, ratio_process(script))
    assert response.status_code == 201, response.get_json()


def start_ratio(app, community: str = "nanshan", divisor=0) -> int:
    """An instance of the ratio process in `community`, started at STARTED, waiting on its timer."""
    with writing(), app.extensions["db_sessions"]() as session, clock.frozen_at(STARTED):
        org = session.scalars(select(Organisation).where(Organisation.code == community)).one()
        instance = start_process(session, PROCESS, {"title": f"{org.name}比例核算", "divisor": divisor}, org, None)
        session.commit()
        return instance.id


def failed_instances(app, api, communities=("nanshan",)) -> list[int]:
    """The ratio process deployed, one instance per community started, and the timer pass that fails them."""
    deploy_ratio(api)
    ids = [start_ratio(app, community) for community in communities]
    run_timers(app, PASS)
    return ids


@pytest.fixture(autouse=True)
def wall_clock():
    """Pages, failure times and tokens read the wall clock: it stands at the timer pass."""
    with time_machine.travel(PASS, tick=False):
        yield


@pytest.fixture
def incident_id(app, api) -> int:
    return failed_instances(app, api)[0]


def listed(api, instance_id: int, as_user: str = "admin") -> list[dict]:
    response = api.get("/api/incidents", as_user)
    assert response.status_code == 200, response.get_json()
    return [i for i in response.get_json()["incidents"] if i["instance_id"] == instance_id]


def retry(api, instance_id: int, body: dict, as_user: str = "admin", status: int = 200) -> dict:
    response = api.post(f"/api/incidents/{instance_id}/retry", body, as_user)
    assert response.status_code == status, response.get_json()
    return response.get_json()


def test_a_failed_instance_is_listed_with_its_element_error_and_time(api, incident_id):
    for user in ("admin", "designer1"):
        [found] = listed(api, incident_id, user)
        assert found["status"] == "error" and found["process_id"] == PROCESS and found["version"] == 1
        assert found["community"] == "nanshan" and found["title"] == "南山社区比例核算"
        assert found["element"] == {"id": "calc", "name": "计算比例"}
        assert "ZeroDivisionError" in found["error"]
        assert datetime.fromisoformat(found["failed_at"]) == PASS
    detail = api.get(f"/api/incidents/{incident_id}", "designer1").get_json()
    assert detail["data"]["divisor"] == 0 and detail["newer_versions"] == []


def test_incidents_are_listed_newest_failure_first(app, api):
    first = failed_instances(app, api)[0]
    second = start_ratio(app, "beishan")
    with time_machine.travel(PASS + timedelta(hours=1), tick=False):
        run_timers(app, PASS + timedelta(hours=1))
        ids = [i["instance_id"] for i in api.get("/api/incidents", "admin").get_json()["incidents"]]
    assert ids.index(second) < ids.index(first)


def test_retry_with_corrected_data_goes_on_and_is_audited(api, incident_id):
    body = retry(api, incident_id, {"data": {"divisor": 4}}, as_user="designer1")
    assert body["status"] == "running"
    assert listed(api, incident_id) == []
    task = api.task_for("worker1", "work", incident_id)
    api.complete("worker1", "work", {"note": "已核对"}, incident_id)
    instance = api.get(f"/api/instances/{incident_id}", "auditor1").get_json()
    assert instance["status"] == "completed" and instance["data"]["ratio"] == 25
    [retried] = [e for e in history(api, incident_id) if e["event_type"] == "incident_retried"]
    assert retried["actor"] == "designer1" and retried["data_changes"] == {"divisor": [0, 4]}
    assert task["instance_id"] == incident_id


def test_a_retry_that_fails_again_keeps_the_incident_with_the_new_error(api, incident_id):
    body = retry(api, incident_id, {"data": {"divisor": "四"}})
    assert body["status"] == "error" and "TypeError" in body["error"] and "ZeroDivisionError" not in body["error"]
    [found] = listed(api, incident_id)
    assert found["element"]["id"] == "calc" and "TypeError" in found["error"]
    assert api.get(f"/api/incidents/{incident_id}", "admin").get_json()["data"]["divisor"] == "四"
    kinds = [e["event_type"] for e in history(api, incident_id)]
    assert kinds[-2:] == ["incident_retried", "instance_failed"]
    assert [e for e in history(api, incident_id) if e["event_type"] == "incident_retried"][0]["actor"] == "admin"


def test_retry_on_a_fixed_new_version_moves_the_instance_and_goes_on(api, incident_id):
    deploy_ratio(api, FIXED)
    assert api.get(f"/api/incidents/{incident_id}", "admin").get_json()["newer_versions"] == [2]
    body = retry(api, incident_id, {"version": 2}, as_user="designer1")
    assert body["status"] == "running" and body["version"] == 2
    instance = api.get(f"/api/instances/{incident_id}", "auditor1").get_json()
    assert instance["version"] == 2 and instance["data"]["ratio"] == 0
    assert api.task_for("worker1", "work", incident_id)
    [retried] = [e for e in history(api, incident_id) if e["event_type"] == "incident_retried"]
    assert retried["actor"] == "designer1" and retried["data_changes"] == {"version": [1, 2]}


def test_retry_on_the_latest_version_without_the_fix_still_fails(api, incident_id):
    deploy_ratio(api, FAILS.replace("100", "200"))
    body = retry(api, incident_id, {"version": "latest"})
    assert body["status"] == "error" and body["version"] == 2 and "ZeroDivisionError" in body["error"]


def test_a_version_lacking_the_elements_the_instance_stands_on_is_refused(api, incident_id):
    files = ratio_process(FIXED)
    files["sample.bpmn"] = files["sample.bpmn"].replace('"calc"', '"calc2"')
    assert api.post("/api/processes", {"files": files}, "designer1").status_code == 201
    refused = retry(api, incident_id, {"version": 2}, status=409)
    assert "calc" in refused["missing"]
    assert retry(api, incident_id, {"version": 1}, status=409)["newer"] == [2]  # its own version is not newer
    assert listed(api, incident_id)[0]["version"] == 1


@pytest.mark.parametrize("body, field", [({"data": {"_engine": 1}}, "_engine"), ({"data": [1]}, "data"),
                                         ({"version": "v2"}, "version")])
def test_bad_retries_are_refused_and_change_nothing(api, incident_id, body, field):
    before = history(api, incident_id)
    assert field in retry(api, incident_id, body, status=400)["fields"]
    assert history(api, incident_id) == before


def test_cancel_ends_the_incident_and_is_audited(api, incident_id):
    response = api.post(f"/api/incidents/{incident_id}/cancel", {"reason": "数据无法补正"}, "designer1")
    assert response.status_code == 200 and response.get_json()["status"] == "cancelled"
    assert listed(api, incident_id) == []
    assert [t for t in api.inbox("worker1") if t["instance_id"] == incident_id] == []
    events = {e["event_type"]: e for e in history(api, incident_id)}
    assert events["instance_terminated"]["actor"] == "designer1"
    assert events["instance_terminated"]["summary"] == "数据无法补正"
    assert "instance_cancelled" in events
    again = api.post(f"/api/incidents/{incident_id}/cancel", {"reason": "再次"}, "admin")
    assert again.status_code == 409
    assert retry(api, incident_id, {}, status=409)
    assert api.get(f"/api/incidents/{incident_id}", "admin").status_code == 404


def test_a_running_instance_is_no_incident(api):
    need = api.record_need()
    assert api.get(f"/api/incidents/{need['instance_id']}", "admin").status_code == 404
    assert retry(api, need["instance_id"], {}, status=409)
    assert api.post(f"/api/incidents/{need['instance_id']}/cancel", {"reason": "x"}, "admin").status_code == 409
    assert api.get("/api/incidents/999999", "admin").status_code == 404


@pytest.mark.parametrize("user", OTHER_ROLES)
def test_other_roles_may_not_see_or_touch_incidents(api, incident_id, user):
    assert api.get("/api/incidents", user).status_code == 403
    assert api.get(f"/api/incidents/{incident_id}", user).status_code == 403
    assert api.post(f"/api/incidents/{incident_id}/retry", {"data": {"divisor": 4}}, user).status_code == 403
    assert api.post(f"/api/incidents/{incident_id}/cancel", {"reason": "x"}, user).status_code == 403
    assert api.get("/api/incidents").status_code == 401
    assert listed(api, incident_id)[0]["status"] == "error"


def parallel_process() -> dict[str, str]:
    """start → fork: the user task 办理, and (an hour later) the script 计算比例; both join at the end."""
    body = ('<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="fork"/>'
            '<bpmn:parallelGateway id="fork"/>'
            '<bpmn:sequenceFlow id="f1" sourceRef="fork" targetRef="work"/>'
            '<bpmn:sequenceFlow id="f2" sourceRef="fork" targetRef="wait"/>'
            f'<bpmn:userTask id="work" name="办理">{FORM}</bpmn:userTask>'
            '<bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition>'
            '<bpmn:timeDuration>"PT1H"</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'
            '<bpmn:sequenceFlow id="f3" sourceRef="wait" targetRef="calc"/>'
            f'<bpmn:scriptTask id="calc" name="计算比例" scriptFormat="python"><bpmn:script>{FAILS}</bpmn:script>'
            '</bpmn:scriptTask>'
            '<bpmn:sequenceFlow id="f4" sourceRef="work" targetRef="join"/>'
            '<bpmn:sequenceFlow id="f5" sourceRef="calc" targetRef="join"/>'
            '<bpmn:parallelGateway id="join"/><bpmn:sequenceFlow id="f6" sourceRef="join" targetRef="end"/>'
            '<bpmn:endEvent id="end"/>')
    return package(process(body, process_id=PROCESS))


def test_a_task_withdrawn_by_the_failure_is_offered_again_after_the_retry(app, api):
    assert api.post("/api/processes", {"files": parallel_process()}, "designer1").status_code == 201
    instance_id = start_ratio(app)
    before = api.task_for("worker1", "work", instance_id)
    run_timers(app, PASS)
    assert listed(api, instance_id) and not [t for t in api.inbox("worker1") if t["instance_id"] == instance_id]
    assert retry(api, instance_id, {"data": {"divisor": 2}})["status"] == "running"
    again = api.task_for("worker1", "work", instance_id)
    assert again["id"] == before["id"]
    api.complete("worker1", "work", {"note": "好"}, instance_id)
    assert api.get(f"/api/instances/{instance_id}", "auditor1").get_json()["status"] == "completed"


def test_an_engine_fault_is_retried_once_the_fault_is_gone(app, api, monkeypatch):
    from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

    def fail(self, *args, **kwargs):
        raise AttributeError("'NoneType' object has no attribute 'data'")  # as 3.2.0 does on parallel loops
    deploy_ratio(api)
    instance_id = start_ratio(app)
    monkeypatch.setattr(BpmnWorkflow, "do_engine_steps", fail)
    run_timers(app, PASS)
    [found] = listed(api, instance_id)
    assert "AttributeError" in found["error"] and found["element"]["id"] == "wait"
    monkeypatch.undo()
    assert retry(api, instance_id, {"data": {"divisor": 2}})["status"] == "running"
    assert api.get(f"/api/instances/{instance_id}", "auditor1").get_json()["data"]["ratio"] == 50


def test_a_failed_trial_is_the_designers_incident_to_retry(app, api):
    """Designers' trials run in the trial community, outside every real scope: their failures still reach them."""
    [trial] = failed_instances(app, api, communities=("TRIAL",))
    assert trial in [row["instance_id"] for row in listed(api, trial, "designer1")]
    retried = api.post(f"/api/incidents/{trial}/retry", {"data": {"divisor": 4}}, "designer1")
    assert retried.status_code == 200, retried.get_json()
    assert retried.get_json()["status"] == "running"
