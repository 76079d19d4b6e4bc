"""The administrator's repairs: reassign a task, edit or cancel an instance, change a user's roles.

Each is refused to everyone but administrators and leaves an audit event with values before and after."""
import pytest
from sqlalchemy import select, update

from app.workflow.models.audit import AuditEvent
from app.workflow.models.instance import Instance
from factories import give_roles
from helpers import csrf_of, history, sign_in

ADMIN = "admin"


def last_event(api, instance_id: int, event_type: str) -> dict:
    return [e for e in history(api, instance_id) if e["event_type"] == event_type][-1]


def events_without_instance(app, event_type: str) -> list[tuple]:
    with app.extensions["db_sessions"]() as session:
        found = session.scalars(select(AuditEvent).where(AuditEvent.event_type == event_type).order_by(AuditEvent.seq))
        return [(e.actor_name, e.summary, e.data_changes) for e in found]


def instance_of(api, instance_id: int) -> dict:
    return api.get(f"/api/instances/{instance_id}", "auditor1").get_json()


def assert_chain_verifies(api) -> None:
    assert api.get("/api/audit/verify", "auditor1").get_json()["ok"] is True


def need_with_task(api) -> tuple[dict, dict]:
    need = api.record_need()
    return need, api.task_for("worker1", "assess_reasonableness", need["instance_id"])


# --- reassigning a task ---------------------------------------------------------------------------------------

def test_reassign_a_task_to_an_eligible_user_and_back_to_the_queue(api):
    need, task = need_with_task(api)
    api.post(f"/api/tasks/{task['id']}/claim", as_user="worker1")
    give_roles(api, "grid1", ["community_worker", "grid_worker"])
    moved = api.post(f"/api/admin/tasks/{task['id']}/reassign", {"username": "grid1"}, ADMIN)
    assert moved.status_code == 200 and moved.get_json()["assignee"] == "grid1"
    assert moved.get_json()["claimed_by"] is None
    event = last_event(api, need["instance_id"], "task_reassigned")
    assert event["actor"] == ADMIN and event["task"]["id"] == task["id"]
    assert event["data_changes"] == {"assignee": [None, "grid1"], "claimed_by": ["worker1", None]}
    assert task["id"] not in [t["id"] for t in api.inbox("worker1")]
    assert api.task_for("grid1", "assess_reasonableness", need["instance_id"])["id"] == task["id"]
    assert any(n["task_id"] == task["id"] and "转派" in n["message"]
               for n in api.get("/api/notifications", "grid1").get_json()["notifications"])
    back = api.post(f"/api/admin/tasks/{task['id']}/reassign", {"username": None}, ADMIN)
    assert back.status_code == 200 and back.get_json()["assignee"] is None
    assert last_event(api, need["instance_id"], "task_reassigned")["data_changes"] == {
        "assignee": ["grid1", None], "claimed_by": [None, None]}
    api.complete("worker1", "assess_reasonableness", {"reasonable": True, "basis": "物业服务合同"}, need["instance_id"])
    assert_chain_verifies(api)


@pytest.mark.parametrize(("body", "status"), [
    ({"username": "worker2"}, 400),    # a community worker, but of another community
    ({"username": "auditor1"}, 400),   # sees every community, but does not hold the role
    ({"username": "nobody"}, 400),
    ({"username": 7}, 400),
    ({}, 400),
])
def test_reassign_refuses_users_who_may_not_act(api, body, status):
    need, task = need_with_task(api)
    response = api.post(f"/api/admin/tasks/{task['id']}/reassign", body, ADMIN)
    assert response.status_code == status, response.get_json()
    assert api.task_for("worker1", "assess_reasonableness", need["instance_id"])["claimed_by"] is None
    assert not [e for e in history(api, need["instance_id"]) if e["event_type"] == "task_reassigned"]


def test_reassign_refuses_inactive_users_and_tasks_that_are_gone(api):
    need, task = need_with_task(api)
    api.post("/api/admin/users/grid1/roles", {"roles": ["community_worker"], "active": False}, ADMIN)
    assert api.post(f"/api/admin/tasks/{task['id']}/reassign", {"username": "grid1"}, ADMIN).status_code == 400
    assert api.post("/api/admin/tasks/no-such-task/reassign", {"username": None}, ADMIN).status_code == 404
    api.complete("worker1", "assess_reasonableness", {"reasonable": True, "basis": "x"}, need["instance_id"])
    assert api.post(f"/api/admin/tasks/{task['id']}/reassign", {"username": None}, ADMIN).status_code == 409


# --- editing an instance's data -------------------------------------------------------------------------------

def test_edit_instance_data_then_the_task_can_still_be_completed(api):
    need, task = need_with_task(api)
    iid = need["instance_id"]
    body = {"data": {"description": "3号楼2单元和3单元楼道灯都不亮", "note": {"floors": [2, 3]}}, "reason": "居民来电补充"}
    response = api.post(f"/api/admin/instances/{iid}/data", body, ADMIN)
    assert response.status_code == 200 and response.get_json()["data"]["note"] == {"floors": [2, 3]}
    event = last_event(api, iid, "instance_data_edited")
    assert event["actor"] == ADMIN and event["summary"] == "居民来电补充"
    assert event["data_changes"] == {"description": ["3号楼2单元楼道灯不亮", "3号楼2单元和3单元楼道灯都不亮"],
                                     "note": [None, {"floors": [2, 3]}]}
    assert instance_of(api, iid)["data"]["description"] == "3号楼2单元和3单元楼道灯都不亮"
    assert api.task_for("worker1", "assess_reasonableness", iid)["id"] == task["id"]  # same task, still ready
    api.complete("worker1", "assess_reasonableness", {"reasonable": True, "basis": "物业服务合同"}, iid)
    after = instance_of(api, iid)
    assert after["data"]["note"] == {"floors": [2, 3]} and after["data"]["reasonable"] is True
    assert_chain_verifies(api)


def test_editing_the_title_keeps_the_case_list_in_step(api):
    need, _task = need_with_task(api)
    api.post(f"/api/admin/instances/{need['instance_id']}/data", {"data": {"title": "楼道灯和门禁坏了"},
                                                                  "reason": "标题有误"}, ADMIN)
    assert instance_of(api, need["instance_id"])["title"] == "楼道灯和门禁坏了"


@pytest.mark.parametrize("body", [
    {"data": {"_internal": 1}, "reason": "r"},
    {"data": {"not a name": 1}, "reason": "r"},
    {"data": {}, "reason": "r"},
    {"data": ["title"], "reason": "r"},
    {"data": {"title": "x"}},
    {"data": {"title": "x"}, "reason": "   "},
    {"data": {"title": "x"}, "reason": "r" * 501},
])
def test_edit_instance_data_refuses_bad_input(api, body):
    need, _task = need_with_task(api)
    before = instance_of(api, need["instance_id"])["data"]
    response = api.post(f"/api/admin/instances/{need['instance_id']}/data", body, ADMIN)
    assert response.status_code == 400, response.get_json()
    assert instance_of(api, need["instance_id"])["data"] == before


def test_edit_instance_data_needs_a_running_instance(api):
    need, _task = need_with_task(api)
    iid = need["instance_id"]
    assert api.post("/api/admin/instances/999999/data", {"data": {"a": 1}, "reason": "r"}, ADMIN).status_code == 404
    api.post(f"/api/admin/instances/{iid}/cancel", {"reason": "重复登记"}, ADMIN)
    assert api.post(f"/api/admin/instances/{iid}/data", {"data": {"a": 1}, "reason": "r"}, ADMIN).status_code == 409


# --- cancelling an instance -----------------------------------------------------------------------------------

def test_cancel_an_instance_withdraws_its_tasks(api):
    need, task = need_with_task(api)
    iid = need["instance_id"]
    response = api.post(f"/api/admin/instances/{iid}/cancel", {"reason": "重复登记"}, ADMIN)
    body = response.get_json()
    assert response.status_code == 200 and (body["status"], body["outcome"]) == ("cancelled", "terminated")
    assert body["ready_tasks"] == [] and api.inbox("worker1") == []
    done = api.post(f"/api/tasks/{task['id']}/complete", {"data": {"reasonable": True, "basis": "x"}}, "worker1")
    assert done.status_code == 409
    events = history(api, iid)
    assert [e["event_type"] for e in events[-3:]] == ["instance_terminated", "task_cancelled", "instance_cancelled"]
    assert (events[-3]["actor"], events[-3]["summary"]) == (ADMIN, "重复登记")
    assert events[-3]["data_changes"] == {"status": ["running", "cancelled"]}
    assert api.post(f"/api/admin/instances/{iid}/cancel", {"reason": "again"}, ADMIN).status_code == 409
    assert_chain_verifies(api)


def test_cancel_needs_a_reason_and_an_instance(api):
    need, _task = need_with_task(api)
    assert api.post(f"/api/admin/instances/{need['instance_id']}/cancel", {}, ADMIN).status_code == 400
    assert api.post("/api/admin/instances/999999/cancel", {"reason": "r"}, ADMIN).status_code == 404
    assert instance_of(api, need["instance_id"])["status"] == "running"


def test_a_failed_instance_can_be_cancelled(app, api):
    need, _task = need_with_task(api)
    with app.extensions["db_sessions"]() as session:
        session.execute(update(Instance).where(Instance.id == need["instance_id"]).values(status="error"))
        session.commit()
    assert api.post(f"/api/admin/instances/{need['instance_id']}/cancel", {"reason": "脚本出错"}, ADMIN).status_code == 200
    assert last_event(api, need["instance_id"], "instance_terminated")["data_changes"] == {
        "status": ["error", "cancelled"]}


# --- users and roles ------------------------------------------------------------------------------------------

def test_change_a_users_roles_and_deactivate_them(app, api):
    listed = api.get("/api/admin/users", ADMIN).get_json()["users"]
    assert {"username": "worker1", "roles": ["community_worker"], "active": True}.items() <= \
        next(u for u in listed if u["username"] == "worker1").items()
    assert give_roles(api, "worker1", ["grid_worker", "community_worker", "grid_worker"])["roles"] == [
        "community_worker", "grid_worker"]
    assert events_without_instance(app, "user_roles_changed") == [
        (ADMIN, "worker1", {"roles": [["community_worker"], ["community_worker", "grid_worker"]]})]
    api.token("worker1")  # signed in before being deactivated
    off = api.post("/api/admin/users/worker1/roles", {"roles": ["community_worker"], "active": False}, ADMIN)
    assert off.status_code == 200 and off.get_json()["active"] is False
    assert events_without_instance(app, "user_deactivated") == [(ADMIN, "worker1", {"active": [True, False]})]
    assert api.get("/api/tasks", "worker1").status_code == 401
    assert_chain_verifies(api)


@pytest.mark.parametrize(("username", "body", "status"), [
    ("worker1", {"roles": ["wizard"]}, 400),
    ("worker1", {"roles": ["admin", "auditor"]}, 400),    # auditors are read-only: no use as administrators
    ("worker1", {"roles": "community_worker"}, 400),
    ("worker1", {}, 400),
    ("worker1", {"roles": ["community_worker"], "active": "no"}, 400),
    ("nobody", {"roles": ["resident"]}, 404),
    (ADMIN, {"roles": ["auditor"]}, 409),                  # the last administrator keeps the role
    (ADMIN, {"roles": ["admin"], "active": False}, 409),   # and stays active
])
def test_role_changes_are_refused_when_they_must_be(app, api, username, body, status):
    response = api.post(f"/api/admin/users/{username}/roles", body, ADMIN)
    assert response.status_code == status, response.get_json()
    users = {u["username"]: u for u in api.get("/api/admin/users", ADMIN).get_json()["users"]}
    assert users["worker1"]["roles"] == ["community_worker"] and users[ADMIN]["roles"] == ["admin"]
    assert events_without_instance(app, "user_roles_changed") == []


def test_an_administrator_may_step_down_once_another_exists(api):
    give_roles(api, "designer1", ["admin", "designer"])
    assert give_roles(api, ADMIN, ["designer"])["roles"] == ["designer"]
    assert api.get("/api/admin/users", ADMIN).status_code == 403
    assert api.post("/api/admin/users/designer1/roles", {"roles": ["designer"]}, "designer1").status_code == 409


# --- who may ----------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("username", ["worker1", "auditor1"])
def test_only_administrators_may(api, username):
    need, task = need_with_task(api)
    iid = need["instance_id"]
    calls = [(f"/api/admin/tasks/{task['id']}/reassign", {"username": None}),
             (f"/api/admin/instances/{iid}/data", {"data": {"title": "x"}, "reason": "r"}),
             (f"/api/admin/instances/{iid}/cancel", {"reason": "r"}),
             ("/api/admin/users/worker1/roles", {"roles": ["admin"]})]
    for path, body in calls:
        assert api.post(path, body, username).status_code == 403, path
    assert api.get("/api/admin/users", username).status_code == 403
    assert instance_of(api, iid)["status"] == "running" and instance_of(api, iid)["title"] == "楼道灯坏了"


def test_pages_are_for_administrators_only(client, api):
    need, _task = need_with_task(api)
    sign_in(client, "worker1")
    assert client.get("/admin/users").status_code == 403
    assert client.get(f"/admin/instances/{need['instance_id']}").status_code == 403


# --- pages ------------------------------------------------------------------------------------------------------

def test_users_page_changes_roles(client, api):
    sign_in(client, ADMIN)
    page = client.get("/admin/users").get_data(as_text=True)
    assert "南山社工王芳" in page and 'name="roles" value="community_worker" checked' in page
    form = {"csrf_token": csrf_of(page), "roles": ["community_worker", "grid_worker"], "active": "1"}
    assert client.post("/admin/users/worker1/roles", data={k: v for k, v in form.items() if k != "csrf_token"}
                       ).status_code == 400  # no CSRF token
    response = client.post("/admin/users/worker1/roles", data=form)
    assert response.status_code == 302 and response.headers["Location"] == "/admin/users"
    users = {u["username"]: u for u in api.get("/api/admin/users", ADMIN).get_json()["users"]}
    assert users["worker1"]["roles"] == ["community_worker", "grid_worker"] and users["worker1"]["active"]
    refused = client.post(f"/admin/users/{ADMIN}/roles", data={"csrf_token": form["csrf_token"], "active": "1"},
                          headers={"Referer": "/admin/users"})
    assert refused.status_code == 302
    assert "系统管理员" in client.get("/admin/users").get_data(as_text=True)


def test_instance_page_reassigns_edits_and_cancels(client, api):
    need, task = need_with_task(api)
    iid, path = need["instance_id"], f"/admin/instances/{need['instance_id']}"
    sign_in(client, ADMIN)
    page = client.get(path).get_data(as_text=True)
    assert 'value="worker1"' in page and 'value="worker2"' not in page and "楼道灯坏了" in page
    token = csrf_of(page)
    moved = client.post(f"/admin/tasks/{task['id']}/reassign", data={"csrf_token": token, "username": "worker1"})
    assert moved.status_code == 302 and moved.headers["Location"] == path
    assert last_event(api, iid, "task_reassigned")["data_changes"]["assignee"] == [None, "worker1"]
    bad = client.post(f"{path}/data", data={"csrf_token": token, "field": "title", "value": "不是JSON", "reason": "r"})
    assert bad.status_code == 400
    edited = client.post(f"{path}/data", data={"csrf_token": token, "field": "title", "value": '"楼道灯坏了两周"',
                                               "reason": "居民补充"})
    assert edited.status_code == 302
    assert last_event(api, iid, "instance_data_edited")["data_changes"] == {"title": ["楼道灯坏了", "楼道灯坏了两周"]}
    cancelled = client.post(f"{path}/cancel", data={"csrf_token": token, "reason": "重复登记"})
    assert cancelled.status_code == 302 and instance_of(api, iid)["status"] == "cancelled"
    assert api.inbox("worker1") == []
    assert_chain_verifies(api)
