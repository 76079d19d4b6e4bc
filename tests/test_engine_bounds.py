"""The engine's bounds through the designer's API and in live instances: what cannot be bounded is refused
at deploy with a listed problem; past a limit at run time a person's submission is refused (422, nothing
changed) and a timer pass marks that instance failed."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.workflow.models.audit import AuditEvent
from app.workflow.models.instance import Instance, ReadyTask
from bpmn_samples import FORM, HEAD, NOTE_SCHEMA, package, process
from factories import started_instance
from helpers import deploy, run_timers

LATER = datetime(2090, 1, 6, 1, 0, tzinfo=UTC)


def flows(*pairs: tuple[str, str]) -> str:
    return "".join(f'<bpmn:sequenceFlow id="{a}_{b}" sourceRef="{a}" targetRef="{b}"/>' for a, b in pairs)


def self_calling() -> str:
    return (HEAD + '<bpmn:process id="again" isExecutable="true"><bpmn:startEvent id="s"/>'
            '<bpmn:callActivity id="call" calledElement="again"/><bpmn:endEvent id="e"/>'
            + flows(("s", "call"), ("call", "e")) + "</bpmn:process></bpmn:definitions>")


def reminder(cycle: str) -> str:
    return process('<bpmn:startEvent id="start"/>' + f'<bpmn:userTask id="work" name="办理">{FORM}</bpmn:userTask>'
                   '<bpmn:endEvent id="end"/><bpmn:endEvent id="sms_sent"/>'
                   '<bpmn:boundaryEvent id="remind" attachedToRef="work" cancelActivity="false">'
                   f'<bpmn:timerEventDefinition><bpmn:timeCycle>{cycle}</bpmn:timeCycle></bpmn:timerEventDefinition>'
                   '</bpmn:boundaryEvent>' + flows(("start", "work"), ("work", "end"), ("remind", "sms_sent")))


def many(cardinality: str) -> str:
    return process('<bpmn:startEvent id="start"/>' + f'<bpmn:userTask id="work" name="办理">{FORM}'
                   f'<bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>{cardinality}</bpmn:loopCardinality>'
                   '</bpmn:multiInstanceLoopCharacteristics></bpmn:userTask><bpmn:endEvent id="end"/>'
                   + flows(("start", "work"), ("work", "end")))


def ad_hoc() -> str:
    return process('<bpmn:startEvent id="start"/><bpmn:adHocSubProcess id="adhoc"><bpmn:task id="t"/>'
                   f'</bpmn:adHocSubProcess><bpmn:userTask id="work" name="办理">{FORM}</bpmn:userTask>'
                   '<bpmn:endEvent id="end"/>' + flows(("start", "adhoc"), ("adhoc", "work"), ("work", "end")))


@pytest.mark.parametrize("files, element, message", [
    ({"again.bpmn": self_calling()}, "call", "call activity calls back into its own process (again → again)"),
    (package(ad_hoc()), "adhoc", "not supported: ad hoc subprocesses"),
    (package(many("3000")), "work", "loopCardinality 3000 is too many"),
    (package(reminder('"R/PT1S"')), "remind", "timer cycle 'R/PT1S' repeats every 1 seconds"),
], ids=["self-call", "ad-hoc", "cardinality", "cycle"])
def test_what_cannot_be_bounded_is_refused_at_deploy(api, files, element, message):
    response = deploy(api, files)
    assert response.status_code == 422
    assert any(p["element"] == element and p["message"].startswith(message)
               for p in response.get_json()["problems"]), response.get_json()["problems"]
    checked = api.post("/api/processes/check", {"files": files}, "designer1").get_json()
    assert checked["ok"] is False


def test_the_shipped_kind_of_timer_cycle_deploys(api):
    assert deploy(api, package(reminder('"R/P1D"'))).status_code == 201


def test_a_naive_timer_time_in_a_dry_run_is_china_time_not_a_500(api):
    bpmn = process('<bpmn:startEvent id="start"/><bpmn:scriptTask id="set"><bpmn:script>due = "2026-12-05T09:00:00"'
                   '</bpmn:script></bpmn:scriptTask><bpmn:intermediateCatchEvent id="wait"><bpmn:timerEventDefinition>'
                   '<bpmn:timeDate>due</bpmn:timeDate></bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>'
                   f'<bpmn:userTask id="work" name="办理">{FORM}</bpmn:userTask><bpmn:endEvent id="end"/>'
                   + flows(("start", "set"), ("set", "wait"), ("wait", "work"), ("work", "end")))
    response = api.post("/api/processes/dry-run", {"files": package(bpmn), "answers": {},
                                                   "start_at": "2026-12-01T09:00:00+08:00"}, "designer1")
    assert response.status_code == 200, response.get_json()
    [fired] = response.get_json()["timers_fired"]
    assert datetime.fromisoformat(fired["at"]) == datetime(2026, 12, 5, 1, 0, tzinfo=UTC)


def counted_after_work() -> dict[str, str]:
    """work (form: note; 1-hour deadline) → many (one task per character of note, times 1000) → end."""
    bpmn = process(
        '<bpmn:startEvent id="start"/>' + f'<bpmn:userTask id="work" name="办理">{FORM}</bpmn:userTask>'
        '<bpmn:scriptTask id="count"><bpmn:script>n = len(note) * 1000</bpmn:script></bpmn:scriptTask>'
        f'<bpmn:userTask id="many" name="逐一办理">{FORM}<bpmn:multiInstanceLoopCharacteristics>'
        '<bpmn:loopCardinality>n</bpmn:loopCardinality></bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>'
        '<bpmn:endEvent id="end"/><bpmn:boundaryEvent id="late" attachedToRef="work"><bpmn:timerEventDefinition>'
        '<bpmn:timeDuration>"PT1H"</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>'
        '<bpmn:scriptTask id="late_count"><bpmn:script>n = 5000</bpmn:script></bpmn:scriptTask>'
        + flows(("start", "work"), ("work", "count"), ("count", "many"), ("many", "end"), ("late", "late_count"),
                ("late_count", "many")), lane_refs=("work", "many"))
    return {"sample.bpmn": bpmn, "note-schema.json": NOTE_SCHEMA}


def start(app, at: datetime) -> int:
    return started_instance(app, "sample", {"title": "计数"}, at)


def history(app, instance_id: int) -> tuple[str, list[str], list[str]]:
    with app.extensions["db_sessions"]() as session:
        instance = session.get(Instance, instance_id)
        ready = session.scalars(select(ReadyTask.bpmn_id).where(ReadyTask.instance_id == instance_id)).all()
        events = session.scalars(select(AuditEvent.event_type).where(AuditEvent.instance_id == instance_id)
                                 .order_by(AuditEvent.seq)).all()
        return instance.status, sorted(ready), list(events)


def test_a_submission_past_the_cardinality_cap_is_refused_and_changes_nothing(app, api):
    assert deploy(api, counted_after_work()).status_code == 201
    instance_id = start(app, LATER)
    task = api.task_for("worker1", "work", instance_id)
    before = history(app, instance_id)
    response = api.post(f"/api/tasks/{task['id']}/complete", {"data": {"note": "abc"}}, "worker1")
    assert response.status_code == 422
    assert "would run 3000 times" in response.get_json()["message"]
    assert history(app, instance_id) == before == ("running", ["work"], ["instance_started"])
    fine = api.post(f"/api/tasks/{task['id']}/complete", {"data": {"note": ""}}, "worker1")  # n = 0
    assert fine.status_code == 200


def test_a_timer_pass_past_the_cardinality_cap_marks_the_instance_failed(app, api):
    assert deploy(api, counted_after_work()).status_code == 201
    at = datetime(2020, 1, 6, 1, 0, tzinfo=UTC)
    instance_id = start(app, at)
    run_timers(app, at + timedelta(hours=2))
    status, ready, events = history(app, instance_id)
    assert (status, ready) == ("error", []) and events[-1] == "instance_failed"
    with app.extensions["db_sessions"]() as session:
        failed = session.scalars(select(AuditEvent).where(AuditEvent.instance_id == instance_id,
                                                          AuditEvent.event_type == "instance_failed")).one()
        assert "would run 5000 times" in failed.summary
