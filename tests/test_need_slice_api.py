"""The first slice of need_lifecycle, driven through the JSON API as the demo users."""
from helpers import history as history_of


def completed_by(api, instance_id: int) -> list[tuple[str, str]]:
    return [(e["task"]["bpmn_id"], e["actor"]) for e in history_of(api, instance_id) if e["event_type"] == "task_completed"]


def test_community_tier_a_need_is_resolved(api):
    need = api.record_need()
    iid = need["instance_id"]
    api.complete("worker1", "assess_reasonableness", {"reasonable": True, "basis": "物业服务合同"})
    api.complete("worker1", "assess_responsibility", {"responsibility": "community"})
    grade = api.task_for("worker1", "grade_need")
    detail = api.get(f"/api/tasks/{grade['id']}", "worker1").get_json()
    assert detail["data"] == {"tier": "A", "kind": "affair"}  # pre-filled from the DMN suggestion
    assert "楼道灯坏了" in detail["instructions"]
    api.complete("worker1", "grade_need", {"tier": "A", "kind": "affair", "affair_weight": "routine"})
    resolve = api.task_for("worker1", "resolve_need")
    assert resolve["due_at"] is not None  # tier A: one day, from the boundary timer
    api.complete("worker1", "resolve_need", {"resolution": "已更换灯泡"})
    result = api.complete("worker1", "resident_feedback", {"satisfaction": 5})
    assert result["instance"] == {"id": iid, "status": "completed", "outcome": "resolved"}
    assert result["next_tasks"] == []
    assert completed_by(api, iid) == [("assess_reasonableness", "worker1"), ("assess_responsibility", "worker1"),
                                      ("grade_need", "worker1"), ("resolve_need", "worker1"),
                                      ("resident_feedback", "worker1")]
    last = history_of(api, iid)[-1]
    assert (last["event_type"], last["actor"], last["data_changes"]) == ("instance_completed", "worker1",
                                                                          {"outcome": [None, "resolved"]})
    instance = api.get(f"/api/instances/{iid}", "worker1").get_json()
    assert instance["status"] == "completed" and instance["data"]["resolution"] == "已更换灯泡"
    progress = api.get(f"/api/public/needs/{need['tracking_code']}").get_json()
    assert progress["status"] == "resolved" and progress["stage"] == "已解决" and progress["explanation"] is None


def test_unreasonable_need_is_explained_and_closed(api):
    need = api.record_need(title="要求物业免除全部物业费")
    api.complete("worker1", "assess_reasonableness", {"reasonable": False, "basis": "《物业管理条例》第四十一条"})
    result = api.complete("worker1", "explain_to_resident", {"explanation_method": "home_visit",
                                                             "explanation": "物业费依合同收取，已上门解释"})
    assert result["instance"]["outcome"] == "closed_unreasonable"
    progress = api.get(f"/api/public/needs/{need['tracking_code']}").get_json()
    assert progress["status"] == "closed_unreasonable"
    assert progress["explanation"] == "物业费依合同收取，已上门解释"
    assert "contact" not in progress and "resident_name" not in str(progress)


def test_government_need_is_resolved_by_the_street(api):
    need = api.record_need(category="government", title="小区门口道路破损")
    api.complete("worker1", "assess_reasonableness", {"reasonable": True, "basis": "市政设施"})
    api.complete("worker1", "assess_responsibility", {"responsibility": "government"})
    assert [t["bpmn_id"] for t in api.inbox("worker1")] == []
    api.complete("street1", "street_handle", {"street_decision": "resolved", "street_resolution": "协调市政修复"})
    api.complete("worker1", "rate_department", {"guidance": 5, "service": 5, "payment": 4, "interference": 5})
    result = api.complete("worker1", "resident_feedback", {"satisfaction": 4})
    assert result["instance"]["outcome"] == "resolved"
    assert ("street_handle", "street1") in completed_by(api, need["instance_id"])


def test_public_submission_goes_to_the_on_duty_worker(api):
    response = api.post("/api/public/needs", {"title": "健身器材损坏", "description": "广场单杠松动",
                                              "category": "culture", "community": "nanshan"})
    assert response.status_code == 201
    code = response.get_json()["tracking_code"]
    task = api.task_for("worker1", "assess_reasonableness")
    data = api.get(f"/api/instances/{task['instance_id']}", "worker1").get_json()["data"]
    assert data["channel"] == "online" and data["first_responder"] == "worker1" and data["tracking_code"] == code
    progress = api.get(f"/api/public/needs/{code}").get_json()
    assert progress["status"] == "open" and progress["stage"] == task["name"]


def test_other_community_sees_nothing_and_cannot_act(api):
    api.record_need()
    task = api.task_for("worker1", "assess_reasonableness")
    assert api.inbox("worker2") == []
    assert api.get(f"/api/tasks/{task['id']}", "worker2").status_code == 403
    response = api.post(f"/api/tasks/{task['id']}/complete", {"data": {"reasonable": True, "basis": "x"}}, "worker2")
    assert response.status_code == 403
    assert api.get(f"/api/instances/{task['instance_id']}", "worker2").status_code == 403
    assert api.inbox("street1") == []  # the street sees only what is routed to it
    assert api.get(f"/api/instances/{task['instance_id']}", "street1").status_code == 403
    api.complete("worker1", "assess_reasonableness", {"reasonable": True, "basis": "ok"})
    api.complete("worker1", "assess_responsibility", {"responsibility": "government"})
    assert api.get(f"/api/instances/{task['instance_id']}", "street1").status_code == 200
    assert api.get(f"/api/instances/{task['instance_id']}", "district1").status_code == 403
    assert api.get(f"/api/instances/{task['instance_id']}", "auditor1").status_code == 200


def test_bad_submissions_get_field_errors_and_change_nothing(api):
    api.record_need()
    task = api.task_for("worker1", "assess_reasonableness")
    path = f"/api/tasks/{task['id']}/complete"
    response = api.post(path, {"data": {"reasonable": "yes", "extra": 1}}, "worker1")
    assert response.status_code == 400
    body = response.get_json()
    assert body["error"] == "invalid"
    assert body["fields"] == {"reasonable": "wrong type", "basis": "required",
                              "extra": "unknown field"}
    assert api.post(path, {"nodata": 1}, "worker1").status_code == 400
    assert api.post(path, {"data": []}, "worker1").status_code == 400
    assert api.task_for("worker1", "assess_reasonableness")["id"] == task["id"]  # still ready, untouched
    assert [e["event_type"] for e in history_of(api, task["instance_id"])] == ["instance_started"]


def test_unknown_and_finished_tasks(api):
    api.record_need()
    task = api.task_for("worker1", "assess_reasonableness")
    assert api.get("/api/tasks/00000000-0000-0000-0000-000000000000", "worker1").status_code == 404
    api.complete("worker1", "assess_reasonableness", {"reasonable": True, "basis": "ok"})
    again = api.post(f"/api/tasks/{task['id']}/complete", {"data": {"reasonable": True, "basis": "ok"}}, "worker1")
    assert again.status_code == 409 and again.get_json()["error"] == "conflict"


def test_claims(api):
    api.record_need()
    task = api.task_for("worker1", "assess_reasonableness")
    assert api.post(f"/api/tasks/{task['id']}/claim", as_user="worker1").get_json()["claimed_by"] == "worker1"
    assert api.task_for("worker1", "assess_reasonableness")["claimed_by"] == "worker1"
    assert api.post(f"/api/tasks/{task['id']}/release", as_user="worker1").get_json()["claimed_by"] is None


def test_need_input_errors(api):
    response = api.post("/api/public/needs", {"title": "", "category": "nope", "community": "atlantis"})
    assert response.status_code == 400 and response.get_json()["fields"] == {"community": "choose one of the offered options"}
    response = api.post("/api/public/needs", {"title": "x" * 101, "category": "nope", "community": "nanshan",
                                              "channel": "window"})
    fields = response.get_json()["fields"]
    assert response.status_code == 400 and fields["channel"] == "unknown field"
    response = api.post("/api/public/needs", {"title": "x" * 101, "category": "nope", "community": "nanshan"})
    assert response.get_json()["fields"] == {"title": "too long", "category": "choose one of the offered options",
                                             "description": "required"}
    response = api.post("/api/public/needs", {"title": "t", "description": "d", "category": "legal",
                                              "community": "nanshan", "grid": "beishan-1"})
    assert response.status_code == 400 and response.get_json()["fields"] == {"grid": "not a grid of this community"}
    assert api.post("/api/needs", {"title": "t"}, "resident1").status_code == 403
    assert api.get("/api/public/needs/NOPE").status_code == 404
    assert api.client.post("/api/public/needs", data="not json").status_code == 400
