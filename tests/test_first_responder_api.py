"""首问负责 (issue 19): the duty roster (值班表) an administrator keeps, online needs going to the day's on-duty
worker, and the first responder (首问责任人) told of every stage, shown in the lists and able to follow the case."""
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from app.migrate import alembic_config, upgrade
from factories import make_user
from flows import CHINA, ago
from helpers import csrf_of, events_of, frozen_at, history, sign_in

pytestmark = pytest.mark.usefixtures("fixed_clock")
NEED = {"title": "健身器材损坏", "description": "广场单杠松动", "category": "culture", "community": "nanshan"}
FIRST = "您首问的需求"  # how every notice to a first responder begins


def china_day(days: int = 0) -> str:
    """The China date `days` from today by the app's clock, as the roster takes it."""
    return (ago() + timedelta(days=days)).astimezone(CHINA).date().isoformat()


def shift(api, username: str, first: int, last: int, status: int = 201, **extra) -> dict:
    """Put `username` on duty at 南山 from `first` to `last` days from today; the answer's body."""
    body = {"community": "nanshan", "username": username, "starts_on": china_day(first), "ends_on": china_day(last)}
    response = api.post("/api/admin/duty", body | extra, "admin")
    assert response.status_code == status, response.get_json()
    return response.get_json()


def messages(api, username: str) -> list[str]:
    """The user's notifications, oldest first."""
    return [n["message"] for n in reversed(api.get("/api/notifications", username).get_json()["notifications"])]


def submit_online(api) -> tuple[str, int]:
    """A resident's need submitted online: its tracking code and case id (found through the auditor's search)."""
    response = api.post("/api/public/needs", NEED)
    assert response.status_code == 201, response.get_json()
    code = response.get_json()["tracking_code"]
    found = [n for n in api.get("/api/lists/needs?q=" + code, "auditor1").get_json()["items"]]
    assert len(found) == 1
    return code, found[0]["id"]


def test_an_online_need_goes_to_the_on_duty_worker_and_notifies_them(app, api):
    make_user(app, api, "worker3", ["community_worker"], display_name="南山社工孙丽")
    shift(api, "worker3", -1, 1)
    code, iid = submit_online(api)
    case = api.get(f"/api/instances/{iid}", "worker3").get_json()
    assert case["first_responder"] == {"username": "worker3", "display_name": "南山社工孙丽"}
    assert case["data"]["first_responder"] == "worker3" and case["data"]["tracking_code"] == code
    assert f"新需求已到达，您是首问责任人：{NEED['title']}" in messages(api, "worker3")
    assert not [m for m in messages(api, "worker1") if "首问责任人" in m]  # worker1 is first by id, not on duty
    events = [e["event_type"] for e in history(api, iid)]
    assert events.index("instance_started") < events.index("first_responder_on_duty")
    assert "first_responder_fallback" not in events


def test_with_nobody_on_duty_today_the_first_worker_answers_and_the_history_says_so(app, api):
    make_user(app, api, "worker3", ["community_worker"], display_name="南山社工孙丽")
    shift(api, "worker3", 1, 7)  # from tomorrow: nobody today
    _code, iid = submit_online(api)
    assert api.get(f"/api/instances/{iid}", "worker1").get_json()["first_responder"]["username"] == "worker1"
    assert [e["event_type"] for e in history(api, iid)].count("first_responder_fallback") == 1
    assert f"新需求已到达，您是首问责任人：{NEED['title']}" in messages(api, "worker1")
    assert not [m for m in messages(api, "worker3") if "首问" in m]  # only the role's task notice
    client = app.test_client()
    sign_in(client, "worker1")
    page = client.get(f"/instances/{iid}").get_data(as_text=True)
    assert "当天值班表无人值班，按原规则由社区第一位在岗社区工作者首问" in page
    assert 'data-first-responder="worker1"' in page and "首问责任人：南山社工王芳" in page


def test_a_rostered_worker_who_left_the_post_is_passed_over(app, api):
    make_user(app, api, "worker3", ["community_worker"], display_name="南山社工孙丽")
    shift(api, "worker3", 0, 0)
    assert api.post("/api/admin/users/worker3/roles", {"roles": ["community_worker"], "active": False},
                    "admin").status_code == 200
    _code, iid = submit_online(api)
    assert api.get(f"/api/instances/{iid}", "worker1").get_json()["first_responder"]["username"] == "worker1"
    assert "first_responder_fallback" in [e["event_type"] for e in history(api, iid)]


def test_the_first_responder_is_told_of_every_stage_and_the_close(api):
    need = api.record_need("grid1", category="government", title="小区门口道路破损")
    iid = need["instance_id"]
    assert not [m for m in messages(api, "grid1") if m.startswith(FIRST)]  # recording it was their own step
    api.complete("worker1", "assess_reasonableness", {"reasonable": True, "basis": "市政设施"}, iid)
    api.complete("worker1", "assess_responsibility", {"responsibility": "government"}, iid)
    api.complete("street1", "street_handle", {"street_decision": "resolved", "street_resolution": "协调市政修复"}, iid)
    api.complete("worker1", "rate_department", {"guidance": 5, "service": 5, "payment": 5, "interference": 5}, iid)
    result = api.complete("worker1", "resident_feedback", {"satisfaction": 4}, iid)
    assert result["instance"]["outcome"] == "resolved"
    title = "（小区门口道路破损）"
    assert [m for m in messages(api, "grid1") if m.startswith(FIRST)] == [
        f"{FIRST}进入新环节：职能分流{title}", f"{FIRST}进入新环节：街道办理{title}",
        f"{FIRST}进入新环节：双向评价：评价承办部门{title}", f"{FIRST}进入新环节：回访评价{title}",
        f"{FIRST}已办结：已解决{title}"]
    told = api.get("/api/notifications", "grid1").get_json()["notifications"]
    assert {n["instance_id"] for n in told if n["message"].startswith(FIRST)} == {iid}


def test_the_first_responder_is_not_told_of_their_own_steps_nor_twice(api):
    iid = api.record_need("worker1", title="楼道灯坏了")["instance_id"]
    api.complete("worker1", "assess_reasonableness", {"reasonable": True, "basis": "ok"}, iid)
    api.complete("worker1", "assess_responsibility", {"responsibility": "community"}, iid)
    told = messages(api, "worker1")
    assert not [m for m in told if m.startswith(FIRST)]  # each step their own, each new task already told
    assert "新任务：分级分类（楼道灯坏了）" in told


def test_a_withdrawn_need_tells_its_first_responder(api):
    api.record_need("grid1", title="噪音扰民")
    code = api.get("/api/needs/first-responder", "grid1").get_json()["items"][0]["tracking_code"]
    assert api.post(f"/api/public/needs/{code}/withdraw", {"reason": "已自行解决"}).status_code == 200
    assert messages(api, "grid1")[-1] == f"{FIRST}已终止：居民已撤回（噪音扰民）"


def test_the_first_responder_follows_the_case_wherever_it_goes(api, client):
    iid = api.record_need("street1", title="人行道地砖松动", category="government")["instance_id"]
    # The street sees cases only once routed to it; its own need it follows from the start.
    assert api.get(f"/api/instances/{iid}", "street1").status_code == 200
    assert api.get(f"/api/instances/{iid}/history", "street1").status_code == 200
    assert api.get(f"/api/instances/{iid}", "district1").status_code == 403
    assert api.get(f"/api/instances/{iid}", "worker2").status_code == 403
    mine = api.get("/api/needs/first-responder", "street1").get_json()
    assert mine["count"] == 1 and mine["items"][0]["instance_id"] == iid
    assert mine["items"][0]["waiting_for"] == ["合理性研判"]
    assert api.get("/api/needs/first-responder", "worker1").get_json()["count"] == 0
    api.complete("worker1", "assess_reasonableness", {"reasonable": True, "basis": "市政设施"}, iid)
    assert api.get("/api/needs/first-responder", "street1").get_json()["items"][0]["waiting_for"] == ["职能分流"]
    sign_in(client, "street1")
    page = client.get("/needs/first-responder").get_data(as_text=True)
    assert "我首问的需求" in page and "人行道地砖松动" in page and "职能分流" in page
    assert client.get(f"/instances/{iid}").status_code == 200


def test_the_first_responder_is_in_the_needs_list_and_its_exports(api, client):
    iid = api.record_need("grid1", title="垃圾清运不及时")["instance_id"]
    items = api.get("/api/lists/needs", "worker1").get_json()["items"]
    row = next(i for i in items if i["id"] == iid)
    assert row["first_responder"] == "grid1" and row["first_responder_name"] == "南山网格员李明"
    sign_in(client, "worker1")
    page = client.get("/lists/needs").get_data(as_text=True)
    assert "<th>首问责任人</th>" in page and "南山网格员李明" in page
    csv = client.get("/lists/needs?format=csv").get_data().decode("utf-8-sig")
    header, first = csv.splitlines()[:2]
    assert "首问责任人" in header.split(",") and "南山网格员李明" in first.split(",")
    assert header.split(",").index("首问责任人") == first.split(",").index("南山网格员李明")


def test_roster_admin_crud(app, api):
    make_user(app, api, "worker3", ["community_worker"], display_name="南山社工孙丽")
    added = shift(api, "worker3", 0, 6, note="第一周")
    assert added | {"id": 0} == {"id": 0, "community": "nanshan", "community_name": "南山社区", "username": "worker3",
                                 "display_name": "南山社工孙丽", "starts_on": china_day(0), "ends_on": china_day(6),
                                 "note": "第一周"}
    listed = api.get("/api/admin/duty?community=nanshan", "admin").get_json()
    assert listed["today"] == china_day(0) and listed["on_duty_today"] == {"nanshan": "worker3"}
    assert [s["id"] for s in listed["shifts"]] == [added["id"]]
    changed = api.client.put(f"/api/admin/duty/{added['id']}", json={
        "community": "nanshan", "username": "worker1", "starts_on": china_day(1), "ends_on": china_day(6)},
        headers={"Authorization": f"Bearer {api.token('admin')}"})
    assert changed.status_code == 200 and changed.get_json()["username"] == "worker1"
    assert api.get("/api/admin/duty", "admin").get_json()["on_duty_today"] == {"nanshan": None, "beishan": None}
    delete = {"headers": {"Authorization": f"Bearer {api.token('admin')}"}}
    assert api.client.delete(f"/api/admin/duty/{added['id']}", **delete).status_code == 200
    assert api.client.delete(f"/api/admin/duty/{added['id']}", **delete).status_code == 404
    assert api.get("/api/admin/duty", "admin").get_json()["shifts"] == []
    for kind in ("duty_shift_added", "duty_shift_changed", "duty_shift_removed"):
        assert len(events_of(app, kind)) == 1
    assert api.get("/api/admin/duty", "worker1").status_code == 403
    assert api.post("/api/admin/duty", {}, "worker1").status_code == 403


@pytest.mark.parametrize(("body", "fields"), [
    ({}, {"community", "username", "starts_on", "ends_on"}),
    ({"community": "nowhere"}, {"community"}),
    ({"username": "nobody"}, {"username"}),
    ({"username": "grid1"}, {"username"}),  # a grid worker is not a 值班社工
    ({"username": "worker2"}, {"username"}),  # 北山's worker, not 南山's
    ({"starts_on": "2026-13-01"}, {"starts_on"}),
    ({"ends_on": "yesterday"}, {"ends_on"}),
    ({"note": "长" * 101}, {"note"}),
])
def test_a_bad_shift_is_refused_naming_its_fields(api, body, fields):
    good = {"community": "nanshan", "username": "worker1", "starts_on": china_day(0), "ends_on": china_day(1)}
    response = api.post("/api/admin/duty", {} if body == {} else good | body, "admin")
    assert response.status_code == 400
    assert set(response.get_json()["fields"]) == fields
    assert api.get("/api/admin/duty", "admin").get_json()["shifts"] == []  # nothing kept


def test_the_days_must_run_forward_and_not_overlap(api):
    backwards = api.post("/api/admin/duty", {"community": "nanshan", "username": "worker1",
                                              "starts_on": china_day(3), "ends_on": china_day(1)}, "admin")
    assert backwards.status_code == 400 and backwards.get_json()["fields"] == {
        "ends_on": "the last day comes on or after the first"}
    assert api.post("/api/admin/duty", ["worker1"], "admin").status_code == 400
    shift(api, "worker1", 0, 6)
    clash = api.post("/api/admin/duty", {"community": "nanshan", "username": "worker1",
                                          "starts_on": china_day(6), "ends_on": china_day(9)}, "admin")
    assert clash.status_code == 400 and set(clash.get_json()["fields"]) == {"starts_on", "ends_on"}
    assert "南山社工王芳 is already on duty at 南山社区" in clash.get_json()["message"]
    shift(api, "worker1", 7, 9)  # the next day on is free
    assert len(api.get("/api/admin/duty", "admin").get_json()["shifts"]) == 2


def test_the_roster_page_adds_refuses_and_removes(app, api, client):
    sign_in(client, "admin")
    page = client.get("/admin/duty").get_data(as_text=True)
    assert "<h1>值班表</h1>" in page and 'value="nanshan:worker1"' in page and "nanshan:grid1" not in page
    form = {"csrf_token": csrf_of(page), "worker": "nanshan:worker1", "starts_on": china_day(2),
            "ends_on": china_day(0), "note": ""}
    refused = client.post("/admin/duty", data=form)
    assert refused.status_code == 400
    assert "班次需要填写社区、该社区的一名社区工作者以及起始和结束日期" in refused.get_data(as_text=True)
    assert f'value="{china_day(2)}"' in refused.get_data(as_text=True)  # what was typed stays
    added = client.post("/admin/duty", data=form | {"starts_on": china_day(0), "ends_on": china_day(2)})
    assert added.status_code == 302
    local = ago().astimezone(CHINA)
    listing = client.get("/admin/duty").get_data(as_text=True)
    assert f"{local.year}年{local.month}月{local.day}日" in listing and "今日值班" in listing
    shift_id = api.get("/api/admin/duty", "admin").get_json()["shifts"][0]["id"]
    assert client.get(f"/admin/duty/{shift_id}").status_code == 200
    clash = client.post("/admin/duty", data=form | {"starts_on": china_day(1), "ends_on": china_day(3)})
    assert clash.status_code == 400 and "同一天只能安排一名值班社工" in clash.get_data(as_text=True)
    assert client.post(f"/admin/duty/{shift_id}/remove", data={"csrf_token": form["csrf_token"]}).status_code == 302
    assert api.get("/api/admin/duty", "admin").get_json()["shifts"] == []
    sign_in(client, "worker1")
    assert client.get("/admin/duty").status_code == 403


def test_the_migration_finds_the_first_responders_of_existing_needs(app, api, database_url):
    from alembic import command
    iid = api.record_need("grid1")["instance_id"]
    command.downgrade(alembic_config(database_url), "0018_registers")
    upgrade(database_url)
    with app.extensions["db_engine"].begin() as conn:
        found = conn.execute(text("SELECT u.username FROM instance i JOIN user_account u ON u.id = i.first_responder_id"
                                  " WHERE i.id = :iid"), {"iid": iid}).scalar()
    assert found == "grid1"


def test_a_designers_new_task_reaches_the_first_responder_too(app, api):
    """The notices come from where ready tasks are projected, for any process whose start data names one."""
    from bpmn_samples import FORM, package, process
    from factories import started_instance
    from helpers import deploy
    body = ('<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="work"/>'
            f'<bpmn:userTask id="work" name="办理">{FORM}</bpmn:userTask>'
            '<bpmn:sequenceFlow id="f1" sourceRef="work" targetRef="review"/>'
            f'<bpmn:userTask id="review" name="复核">{FORM}</bpmn:userTask>'
            '<bpmn:sequenceFlow id="f9" sourceRef="review" targetRef="end"/><bpmn:endEvent id="end"/>')
    assert deploy(api, package(process(body, process_id="fr_sample", lane_refs=("work", "review")))).status_code == 201
    iid = started_instance(app, "fr_sample", {"title": "新流程事项", "first_responder": "grid1"})
    api.complete("worker1", "work", {"note": "好"}, iid)
    api.complete("worker1", "review", {"note": "好"}, iid)
    assert [m for m in messages(api, "grid1") if m.startswith(FIRST)] == [
        f"{FIRST}进入新环节：办理（新流程事项）", f"{FIRST}进入新环节：复核（新流程事项）", f"{FIRST}已办结：已结束（新流程事项）"]


def test_a_tracking_code_carries_the_china_date_the_need_arrived(api):
    early = datetime(2031, 3, 4, 22, 30, tzinfo=UTC)  # 06:30 on 5 March in China, still 4 March in UTC
    with frozen_at(early):
        code = api.record_need("worker1")["tracking_code"]
    assert code.startswith("310305")
