"""Dispatch (派单) to the district departments (区级职能部门) through the JSON API, as the demo users.

The street chooses a department from the directory and a time limit (办理时限); the need reaches that
department's inbox and no other; the department resolves it (归口办理) or returns it with a reason (退回),
which the street reads in its task."""
from datetime import datetime, timedelta

import pytest

from factories import assessed_need
from helpers import WEDNESDAY_MORNING as START
from helpers import history, run_timers

pytestmark = pytest.mark.usefixtures("fixed_clock")

OK = {"reasonable": True, "basis": "符合《城市市容和环境卫生管理条例》"}
DEPARTMENT_USERS = {"zhifu-mz": "district1", "zhifu-cg": "district2", "zhifu-zj": "district3",
                    "zhifu-scjg": "district4"}


def at_street(api, title: str = "小区门口占道经营") -> int:
    return assessed_need(api, "government", assessment=OK, category="government", title=title)["instance_id"]


def dispatch(api, iid: int, department: str = "zhifu-cg", status: int = 200, **extra) -> dict:
    task = api.task_for("street1", "street_handle", iid)
    data = {"street_decision": "dispatch", "assigned_department": department, "street_resolution": "需城管执法处理"}
    response = api.post(f"/api/tasks/{task['id']}/complete", {"data": data | extra}, "street1")
    assert response.status_code == status, response.get_json()
    return response.get_json()


def tasks_of(api, username: str, iid: int) -> list[str]:
    return [t["bpmn_id"] for t in api.inbox(username) if t["instance_id"] == iid]


def test_the_street_chooses_from_the_directory(api):
    iid = at_street(api)
    task = api.task_for("street1", "street_handle", iid)
    detail = api.get(f"/api/tasks/{task['id']}", "street1").get_json()
    options = detail["form"]["schema"]["properties"]["assigned_department"]["oneOf"]
    assert [(o["const"], o["title"]) for o in options] == [
        ("zhifu-mz", "芝罘区民政局"), ("zhifu-cg", "芝罘区城市管理局"), ("zhifu-zj", "芝罘区住房和城乡建设局"),
        ("zhifu-scjg", "芝罘区市场监督管理局")]
    assert detail["data"]["district_deadline_days"] == 10  # the default time limit, pre-filled


def test_a_dispatched_need_reaches_the_chosen_department_and_no_other(api):
    iid = at_street(api)
    dispatch(api, iid, "zhifu-cg", district_deadline_days=7)
    assert tasks_of(api, "district2", iid) == ["district_handle"]
    for other in ("district1", "district3", "district4"):
        assert tasks_of(api, other, iid) == [], other
    task = api.task_for("district2", "district_handle", iid)
    assert datetime.fromisoformat(task["due_at"]) - START == timedelta(days=7)  # the street's time limit
    for other in ("district1", "district3"):  # nor may another department take or complete it
        assert api.post(f"/api/tasks/{task['id']}/claim", None, other).status_code == 403
        refused = api.post(f"/api/tasks/{task['id']}/complete",
                           {"data": {"district_decision": "resolved", "district_resolution": "已办"}}, other)
        assert refused.status_code == 403
    detail = api.get(f"/api/tasks/{task['id']}", "district2").get_json()
    due = (START + timedelta(hours=8, days=7)).date()
    assert "派单至芝罘区城市管理局" in detail["instructions"]
    assert f"办理时限：{due.year}年{due.month}月{due.day}日前（7 天）" in detail["instructions"]
    told = [n["message"] for n in api.get("/api/notifications", "district2").get_json()["notifications"]]
    assert any("区级部门归口办理" in m for m in told)
    assert not any("区级部门归口办理" in n["message"]
                   for n in api.get("/api/notifications", "district1").get_json()["notifications"])
    dispatched = [e for e in history(api, iid) if e["event_type"] == "need_dispatched"]
    assert len(dispatched) == 1 and dispatched[0]["actor"] == "street1"


def test_department_users_see_only_the_needs_dispatched_to_them(api):
    mine, other, kept = at_street(api, "占道经营"), at_street(api, "违章搭建"), at_street(api, "街道自办")
    dispatch(api, mine, "zhifu-cg")
    dispatch(api, other, "zhifu-zj")
    assert api.get(f"/api/instances/{mine}", "district2").status_code == 200
    for iid in (other, kept):
        assert api.get(f"/api/instances/{iid}", "district2").status_code == 403
        assert api.get(f"/api/instances/{iid}/history", "district2").status_code == 403
    assert api.get(f"/api/instances/{other}", "district3").status_code == 200
    assert api.get(f"/api/instances/{mine}", "district3").status_code == 403
    listed = api.get("/api/lists/needs", "district2").get_json()
    assert listed["count"] == 1 and [i["title"] for i in listed["items"]] == ["占道经营"]
    assert api.get("/api/lists/needs", "district4").get_json()["count"] == 0  # nothing dispatched to it
    assert api.get("/api/lists/needs", "street1").get_json()["count"] == 3  # the street sees all three


def test_the_department_resolves_and_the_community_rates_it(api):
    iid = at_street(api)
    dispatch(api, iid, "zhifu-cg")
    api.complete("district2", "district_handle", {"district_decision": "resolved",
                                                  "district_resolution": "已依法取缔占道经营"}, iid)
    data = api.get(f"/api/instances/{iid}", "worker1").get_json()["data"]
    assert (data["rated_body"], data["rated_org"], data["assigned_department"]) == ("district", "zhifu-cg", "zhifu-cg")
    assert api.task_for("worker1", "rate_department", iid)
    assert api.get(f"/api/instances/{iid}", "district2").status_code == 200  # the department follows its case


def test_a_street_resolved_need_rates_the_street(api):
    iid = at_street(api)
    api.complete("street1", "street_handle", {"street_decision": "resolved", "street_resolution": "已协调"}, iid)
    assert api.get(f"/api/instances/{iid}", "worker1").get_json()["data"]["rated_org"] == "xingfu"


def test_a_return_reaches_the_street_with_the_reason(api):
    iid = at_street(api)
    dispatch(api, iid, "zhifu-zj")
    task = api.task_for("district3", "district_handle", iid)
    bare = api.post(f"/api/tasks/{task['id']}/complete", {"data": {"district_decision": "return"}}, "district3")
    assert bare.status_code == 400 and bare.get_json()["fields"] == {"return_reason": "required"}
    empty = api.post(f"/api/tasks/{task['id']}/complete",
                     {"data": {"district_decision": "return", "return_reason": ""}}, "district3")
    assert empty.status_code == 400 and "return_reason" in empty.get_json()["fields"]
    api.complete("district3", "district_handle", {"district_decision": "return",
                                                  "return_reason": "占道经营属城管职责，请改派城市管理局"}, iid)
    assert tasks_of(api, "district3", iid) == []
    street = api.task_for("street1", "street_handle", iid)
    instructions = api.get(f"/api/tasks/{street['id']}", "street1").get_json()["instructions"]
    assert "芝罘区住房和城乡建设局退回了这条需求，退回理由：占道经营属城管职责，请改派城市管理局" in instructions
    dispatch(api, iid, "zhifu-cg")  # re-dispatched to the right department
    assert tasks_of(api, "district2", iid) == ["district_handle"] and tasks_of(api, "district3", iid) == []
    assert api.get(f"/api/instances/{iid}", "district3").status_code == 200  # it was dispatched there once


@pytest.mark.parametrize("department, field, message", [
    ("", "assigned_department", "required"),
    ("zhifu-nowhere", "assigned_department", "choose one of the offered options"),
    ("zhifu", "assigned_department", "choose one of the offered options"),  # the district is no department
])
def test_a_dispatch_without_a_known_department_is_refused(api, department, field, message):
    iid = at_street(api)
    data = {} if department == "" else {"assigned_department": department}
    task = api.task_for("street1", "street_handle", iid)
    body = {"street_decision": "dispatch", "street_resolution": "派单"} | data
    refused = api.post(f"/api/tasks/{task['id']}/complete", {"data": body}, "street1")
    assert refused.status_code == 400, refused.get_json()
    assert refused.get_json()["fields"] == {field: message}
    assert api.task_for("street1", "street_handle", iid)["id"] == task["id"]  # nothing lost: still at the street
    assert all(tasks_of(api, u, iid) == [] for u in DEPARTMENT_USERS.values())


@pytest.mark.parametrize("days", [0, 91, "十"])
def test_a_time_limit_out_of_range_is_refused(api, days):
    iid = at_street(api)
    refused = dispatch(api, iid, "zhifu-cg", status=400, district_deadline_days=days)
    assert "district_deadline_days" in refused["fields"]


def test_the_chosen_time_limit_sends_the_reminder_to_that_department(app, api):
    iid = at_street(api)
    dispatch(api, iid, "zhifu-scjg", district_deadline_days=3)
    task = api.task_for("district4", "district_handle", iid)
    run_timers(app, START + timedelta(days=3, minutes=1))
    assert api.task_for("district4", "district_handle", iid)["id"] == task["id"]  # a reminder; the task stays
    late = [n for n in api.get("/api/notifications", "district4").get_json()["notifications"]
            if "区级办理已超时" in n["message"]]
    assert len(late) == 1
    assert not any("区级办理已超时" in n["message"]
                   for u in ("district1", "district2", "district3")
                   for n in api.get("/api/notifications", u).get_json()["notifications"])


def test_an_escalated_need_goes_to_the_first_department_of_the_directory(app, api):
    iid = at_street(api)
    street = api.task_for("street1", "street_handle", iid)
    run_timers(app, datetime.fromisoformat(street["due_at"]) + timedelta(minutes=1))
    assert tasks_of(api, "district1", iid) == ["district_handle"]  # 民政局: the directory's first
    assert all(tasks_of(api, u, iid) == [] for u in ("district2", "district3", "district4"))
    task = api.task_for("district1", "district_handle", iid)
    detail = api.get(f"/api/tasks/{task['id']}", "district1").get_json()
    assert "提级办理（超时督办），由芝罘区民政局接手" in detail["instructions"]
    data = api.get(f"/api/instances/{iid}", "district1").get_json()["data"]
    assert (data["escalated_from"], data["assigned_department"], data["district_deadline_days"]) == \
        ("street", "zhifu-mz", 10)


# ---- the directory (administrators) ---------------------------------------------------------------------

def test_the_admin_lists_and_adds_departments(api):
    listed = api.get("/api/admin/departments", "admin").get_json()["departments"]
    assert [(d["code"], d["name"], d["users"], d["takes_escalations"]) for d in listed] == [
        ("zhifu-mz", "芝罘区民政局", ["district1"], True), ("zhifu-cg", "芝罘区城市管理局", ["district2"], False),
        ("zhifu-zj", "芝罘区住房和城乡建设局", ["district3"], False),
        ("zhifu-scjg", "芝罘区市场监督管理局", ["district4"], False)]
    added = api.post("/api/admin/departments", {"code": "zhifu-wj", "name": "芝罘区卫生健康局"}, "admin")
    assert added.status_code == 201, added.get_json()
    assert added.get_json() == {"code": "zhifu-wj", "name": "芝罘区卫生健康局", "district": "zhifu",
                                "takes_escalations": False, "users": []}
    iid = at_street(api)  # a new dispatch offers it
    task = api.task_for("street1", "street_handle", iid)
    options = api.get(f"/api/tasks/{task['id']}", "street1").get_json()["form"]["schema"]["properties"]
    assert "zhifu-wj" in [o["const"] for o in options["assigned_department"]["oneOf"]]


@pytest.mark.parametrize("body, fields", [
    ({"code": "zhifu-mz", "name": "重复"}, {"code": "already taken"}),
    ({"code": "Zhifu WJ", "name": "卫健局"}, {"code": "use 2 to 64 lowercase letters, digits or hyphens"}),
    ({"code": "zhifu-wj", "name": ""}, {"name": "required"}),
    ({"code": "zhifu-wj", "name": "卫健局", "district": "xingfu"}, {"district": "no such district"}),
])
def test_a_bad_department_is_refused(api, body, fields):
    refused = api.post("/api/admin/departments", body, "admin")
    assert refused.status_code == 400 and refused.get_json()["fields"] == fields
    assert len(api.get("/api/admin/departments", "admin").get_json()["departments"]) == 4


def test_only_admins_keep_the_directory(api):
    for user in ("street1", "district1", "worker1"):
        assert api.get("/api/admin/departments", user).status_code == 403
        assert api.post("/api/admin/departments", {"code": "zhifu-x", "name": "某局"}, user).status_code == 403


def test_the_directory_page(client):
    from helpers import csrf_of, sign_in
    sign_in(client, "admin")
    page = client.get("/admin/departments").get_data(as_text=True)
    assert "芝罘区城市管理局" in page and "接收提级办理" in page and "芝罘区民政局" in page
    token = csrf_of(page)
    bad = client.post("/admin/departments", data={"code": "卫健", "name": "芝罘区卫生健康局", "csrf_token": token})
    assert bad.status_code == 400
    text = bad.get_data(as_text=True)
    assert "部门代码：请使用 2 至 64 位小写字母、数字或连字符" in text
    assert 'value="芝罘区卫生健康局"' in text  # what was typed is kept
    good = client.post("/admin/departments", data={"code": "zhifu-wj", "name": "芝罘区卫生健康局", "csrf_token": token})
    assert good.status_code == 302
    assert "芝罘区卫生健康局 已加入部门名录。" in client.get("/admin/departments").get_data(as_text=True)
    sign_in(client, "street1")
    assert client.get("/admin/departments").status_code == 403


def test_the_case_page_names_the_department_and_its_time_limit(client, api):
    import re
    from helpers import sign_in
    iid = at_street(api)
    dispatch(api, iid, "zhifu-cg", district_deadline_days=7)
    sign_in(client, "district2")
    page = client.get(f"/instances/{iid}")
    assert page.status_code == 200
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", page.get_data(as_text=True), flags=re.S))
    due = (START + timedelta(hours=8, days=7)).date()
    assert "芝罘区城市管理局" in text and f"{due.year}年{due.month}月{due.day}日" in text
    assert "zhifu-cg" not in text and "department_choices" not in text
    sign_in(client, "district3")
    assert client.get(f"/instances/{iid}").status_code == 403


def test_the_admin_reassigns_a_dispatched_need_only_within_its_department(api):
    iid = at_street(api)
    dispatch(api, iid, "zhifu-cg")
    task = api.task_for("district2", "district_handle", iid)
    refused = api.post(f"/api/admin/tasks/{task['id']}/reassign", {"username": "district3"}, "admin")
    assert refused.status_code == 400 and refused.get_json()["fields"] == {"username": "out of scope"}
    moved = api.post(f"/api/admin/tasks/{task['id']}/reassign", {"username": "district2"}, "admin")
    assert moved.status_code == 200 and moved.get_json()["assignee"] == "district2"
