"""POST /api/processes/<id>/instances: who may start a deployed process, where, with what start data."""
from sqlalchemy import func, select

from app.workflow.models.audit import AuditEvent
from app.workflow.models.instance import Instance
from app.workflow.starting import START_BODY
from bpmn_samples import FORM, NOTE_SCHEMA, linear, process

WITH_START_FORM = linear().replace('<bpmn:startEvent id="start"/>', f'<bpmn:startEvent id="start">{FORM}</bpmn:startEvent>')


def deploy(api, bpmn: str, process_id: str = "sample") -> None:
    files = {f"{process_id}.bpmn": bpmn, "note-schema.json": NOTE_SCHEMA}
    assert api.post("/api/processes", {"files": files}, "designer1").status_code == 201


def start(api, user: str, body: dict, process_id: str = "sample"):
    return api.post(f"/api/processes/{process_id}/instances", body, user)


def stored(app) -> tuple[int, int]:
    """How many instances and audit events the database holds."""
    with app.extensions["db_sessions"]() as session:
        return (session.scalar(select(func.count()).select_from(Instance)),
                session.scalar(select(func.count()).select_from(AuditEvent)))


def test_a_role_of_the_start_lane_starts_in_its_community(api):
    deploy(api, process(WITH_START_FORM, lane_refs=("start", "work")))
    response = start(api, "worker1", {"community": "nanshan", "data": {"note": "楼道灯"}})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["process_id"], body["version"], body["status"], body["community"]) == ("sample", 1, "running", "nanshan")
    assert [t["bpmn_id"] for t in body["ready_tasks"]] == ["work"] and body["data"]["note"] == "楼道灯"
    assert response.headers["Location"].endswith(f"/api/instances/{body['id']}")
    assert api.get(response.headers["Location"], "worker1").get_json()["id"] == body["id"]
    events = api.get(f"/api/instances/{body['id']}/history", "worker1").get_json()["events"]
    assert [(e["event_type"], e["actor"]) for e in events] == [("instance_started", "worker1")]
    assert [t["instance_id"] for t in api.inbox("worker1") if t["process_id"] == "sample"] == [body["id"]]


def test_refusals_change_nothing(app, api):
    deploy(api, process(WITH_START_FORM, lane_refs=("start", "work")))
    api.token("worker1"), api.token("resident1"), api.token("designer1")  # sign-ins are audited: before counting
    before = stored(app)
    refused = {
        "resident": start(api, "resident1", {"community": "nanshan", "data": {"note": "x"}}),
        "unknown process": start(api, "worker1", {"community": "nanshan"}, "no_such_process"),
        "other community": start(api, "worker1", {"community": "beishan", "data": {"note": "x"}}),
        "unknown community": start(api, "worker1", {"community": "nowhere", "data": {"note": "x"}}),
        "a street is no community": start(api, "worker1", {"community": "xingfu", "data": {}}),
        "bad data": start(api, "worker1", {"community": "nanshan", "data": {"note": "长" * 51, "other": 1}}),
        "no community": start(api, "worker1", {"data": {}}),
        "wrong shape": start(api, "worker1", {"community": 7, "data": [], "extra": True}),
        "trial for a worker": start(api, "worker1", {"community": "TRIAL", "data": {"note": "x"}}),
        "designer in a real community": start(api, "designer1", {"community": "nanshan", "data": {"note": "x"}}),
    }
    answers = {k: (r.status_code, r.get_json()["error"], r.get_json()["fields"]) for k, r in refused.items()}
    assert answers == {
        "resident": (403, "forbidden", {}),
        "unknown process": (404, "not_found", {}),
        "other community": (422, "unprocessable", {"community": "outside your communities"}),
        "unknown community": (422, "unprocessable", {"community": "unknown community"}),
        "a street is no community": (422, "unprocessable", {"community": "unknown community"}),
        "bad data": (422, "unprocessable", {"note": "too long", "other": "unknown field"}),
        "no community": (422, "unprocessable", {"community": "required"}),
        "wrong shape": (422, "unprocessable", {"community": "wrong type", "data": "wrong type", "extra": "unknown field"}),
        "trial for a worker": (422, "unprocessable", {"community": "outside your communities"}),
        "designer in a real community": (422, "unprocessable", {"community": "not the trial community"}),
    }
    assert stored(app) == before


def test_designers_start_trials_of_any_process_in_the_trial_community(api):
    deploy(api, process(linear()))  # the start event sits in no lane: nobody starts it for real
    assert start(api, "worker1", {"community": "nanshan"}).status_code == 403
    trial = start(api, "designer1", {"community": "TRIAL"})
    assert trial.status_code == 201, trial.get_json()
    assert trial.get_json()["community"] == "TRIAL" and trial.get_json()["business_key"].startswith("TRIAL-")
    assert not [t for t in api.inbox("worker1") if t["process_id"] == "sample"]  # no real community's people
    assert api.get(trial.headers["Location"], "designer1").status_code == 200


def test_processes_their_own_operations_start_are_refused_in_a_real_community(app, api):
    """A need, an objection, a redemption or the annual review started bare would be a case nobody can follow."""
    api.inbox("worker1")  # signs in first: its audit event is not the start's
    for process_id, how in (("need_lifecycle", "/api/public/needs"), ("objection_handling", "/objections"),
                            ("time_bank_redemption", "/api/timebank/redemptions"), ("annual_review", "timer")):
        before = stored(app)
        response = start(api, "worker1", {"community": "nanshan", "data": {}}, process_id)
        assert (response.status_code, response.get_json()["error"]) == (409, "conflict"), process_id
        assert how in response.get_json()["started_by"]
        assert stored(app) == before
    for user in ("street1", "provider1", "auditor1"):  # outside the start lane: refused before anything else
        assert start(api, user, {"community": "nanshan", "data": {}}, "objection_handling").status_code == 403
    trial = start(api, "designer1", {"community": "TRIAL", "data": {}}, "objection_handling")
    assert trial.status_code == 201, trial.get_json()
    assert [t["bpmn_id"] for t in trial.get_json()["ready_tasks"]] == ["answer_objection"]


def test_the_document_shows_the_body_the_endpoint_checks(api):
    document = api.client.get("/api/openapi.json").get_json()
    operation = document["paths"]["/api/processes/{process_id}/instances"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"] == START_BODY
    assert set(operation["responses"]) == {"201", "400", "401", "403", "404", "422"}


def test_its_messages_are_in_the_zh_catalogue(app):
    from flask_babel import gettext
    messages = ("your roles may not start this process", "only designers start instances in the trial community",
                "this community is outside your communities", "outside your communities", "unknown community",
                "trial instances start only in the trial community", "not the trial community",
                'send {"community": "<code>", "data": {...}}', "unprocessable",
                "this process is started by its own form, not here")
    with app.test_request_context("/"):
        untranslated = [m for m in messages if gettext(m) == m]
    assert not untranslated
