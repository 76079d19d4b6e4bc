"""指定责任 / 兜底负责 through the JSON API: a lead, cooperating lines, their tasks, the sign-off, overdue notices."""
from datetime import datetime, timedelta

import pytest

from app import clock
from factories import project_in_delivery, submit_need
from helpers import frozen_at, history, run_timers, sign_in

pytestmark = pytest.mark.usefixtures("fixed_clock")

OK = {"reasonable": True, "basis": "符合《物业管理条例》"}
LINES = {"lead": "secretary1", "line_1": "街道综治", "line_1_contact": "street1",
         "line_2": "城管执法", "line_2_contact": "district1", "line_deadline_days": 5}


def multi_line_need(api, **designation) -> int:
    """A need the community handles with several lines, waiting at designate_lead."""
    iid = submit_need(api, "worker1", title="小区门口占道经营、油烟扰民")["instance_id"]
    api.complete("worker1", "assess_reasonableness", OK, iid)
    api.complete("worker1", "assess_responsibility", {"responsibility": "community", "multi_line": True}, iid)
    return iid


def designated(api, **changes) -> int:
    iid = multi_line_need(api)
    api.complete("worker1", "designate_lead", LINES | changes, iid)
    return iid


def status(api, iid: int) -> tuple[str, str | None]:
    found = api.get(f"/api/instances/{iid}", "auditor1").get_json()
    return found["status"], found["outcome"]


def notes(api, username: str) -> list[str]:
    return [n["message"] for n in api.get("/api/notifications", username).get_json()["notifications"]]


def test_the_form_offers_people_from_the_app_not_typed_names(api):
    iid = multi_line_need(api)
    task = api.task_for("worker1", "designate_lead", iid)
    form = api.get(f"/api/tasks/{task['id']}", "worker1").get_json()["form"]["schema"]["properties"]
    leads = {o["const"] for o in form["lead"]["oneOf"]}
    contacts = {o["const"] for o in form["line_1_contact"]["oneOf"]}
    assert {"worker1", "secretary1", "street1"} <= leads and "district1" not in leads and "worker2" not in leads
    assert {"worker1", "secretary1", "street1", "district1"} <= contacts and "resident1" not in contacts
    assert "worker2" not in contacts  # 北山社区's worker is not this community's staff
    bad = api.post(f"/api/tasks/{task['id']}/complete", {"data": LINES | {"line_2_contact": "resident1"}}, "worker1")
    assert bad.status_code == 400 and "line_2_contact" in bad.get_json()["fields"]
    one = {k: v for k, v in LINES.items() if not k.startswith("line_2")}
    assert "line_2" in api.post(f"/api/tasks/{task['id']}/complete", {"data": one}, "worker1").get_json()["fields"]
    same = api.post(f"/api/tasks/{task['id']}/complete", {"data": LINES | {"line_2": "街道综治"}}, "worker1")
    assert same.status_code == 400 and same.get_json()["fields"] == {"line_2": "each line is named once"}
    half = api.post(f"/api/tasks/{task['id']}/complete", {"data": LINES | {"line_3": "物业"}}, "worker1")
    assert half.status_code == 400 and half.get_json()["fields"] == {"line_3_contact": "required"}
    assert api.task_for("worker1", "designate_lead", iid)["id"] == task["id"]  # nothing was lost


def test_the_need_closes_only_after_both_lines_and_the_lead(api):
    iid = designated(api)
    street = api.task_for("street1", "cooperate_line", iid)
    district = api.task_for("district1", "cooperate_line", iid)
    # Each line's task reaches its own contact only: not the lane's community workers, not the other line.
    assert [t for t in api.inbox("worker1") if t["instance_id"] == iid] == []
    assert not [m for m in notes(api, "worker1") if "配合办理" in m]  # nor are the lane's workers told of them
    assert [t["id"] for t in api.inbox("street1") if t["instance_id"] == iid] == [street["id"]]
    refused = api.post(f"/api/tasks/{district['id']}/complete", {"data": {"line_report": "代办"}}, "street1")
    assert refused.status_code == 403
    told = "你被指定为需求“小区门口占道经营、油烟扰民”的牵头负责人，请统筹推进各配合单位/条线"
    assert told in notes(api, "secretary1")

    api.complete("street1", "cooperate_line", {"line_report": "街道综治组织约谈商户"}, iid)
    assert status(api, iid) == ("running", None)
    assert [t["bpmn_id"] for t in api.inbox("secretary1") if t["instance_id"] == iid] == []  # one line still to go
    lines = api.get(f"/api/instances/{iid}/lines", "secretary1").get_json()
    assert [(line["line"], line["contact"], line["status"]) for line in lines["lines"]] == [
        ("街道综治", "street1", "done"), ("城管执法", "district1", "pending")]
    assert lines["lead"] == "secretary1" and lines["waiting"] == ["配合办理"]

    api.complete("district1", "cooperate_line", {"line_report": "城管执法清理占道摊位"}, iid)
    sign_off = api.task_for("secretary1", "lead_sign_off", iid)
    assert [t for t in api.inbox("worker1") if t["instance_id"] == iid] == []  # only the lead signs off
    detail = api.get(f"/api/tasks/{sign_off['id']}", "secretary1").get_json()
    assert "城管执法（" in detail["instructions"] and "城管执法清理占道摊位" in detail["instructions"]
    # Sent back, both lines report again; then the lead closes it.
    api.complete("secretary1", "lead_sign_off", {"sign_off": "return", "sign_off_note": "油烟问题未解决"}, iid)
    again = api.task_for("district1", "cooperate_line", iid)
    shown = api.get(f"/api/tasks/{again['id']}", "district1").get_json()["instructions"]
    assert "牵头负责人退回意见：油烟问题未解决" in shown
    api.complete("district1", "cooperate_line", {"line_report": "督促安装油烟净化器"}, iid)
    api.complete("street1", "cooperate_line", {"line_report": "复查合格"}, iid)
    api.complete("secretary1", "lead_sign_off", {"sign_off": "close", "sign_off_note": "占道和油烟问题均已解决"}, iid)
    assert status(api, iid) == ("running", None)
    feedback = api.task_for("worker1", "resident_feedback", iid)
    assert "占道和油烟问题均已解决" in api.get(f"/api/tasks/{feedback['id']}", "worker1").get_json()["instructions"]
    api.complete("worker1", "resident_feedback", {"satisfaction": 5}, iid)
    assert status(api, iid) == ("completed", "resolved")
    done = [(e["task"]["bpmn_id"], e["actor"]) for e in history(api, iid) if e["event_type"] == "task_completed"]
    assert done[-4:] == [("cooperate_line", "district1"), ("cooperate_line", "street1"),
                         ("lead_sign_off", "secretary1"), ("resident_feedback", "worker1")]
    led = api.get("/api/lines/led", "secretary1").get_json()["needs"]
    assert [(n["instance_id"], [line["rounds"] for line in n["lines"]]) for n in led] == [(iid, [2, 2])]


def test_the_lead_follows_the_case_wherever_it_goes(api):
    iid = designated(api, lead="street1")
    # A street officer sees only cases routed to the street; as this need's lead they open it anyway.
    assert api.get(f"/api/instances/{iid}", "street1").status_code == 200
    assert api.get(f"/api/instances/{iid}/lines", "street1").status_code == 200
    assert api.get(f"/api/instances/{iid}/lines", "worker2").status_code == 403  # another community's worker
    assert api.get("/api/lines/led", "secretary1").get_json()["needs"] == []


def test_the_lead_is_told_of_an_overdue_step(app, api):
    iid = designated(api)
    line = api.task_for("street1", "cooperate_line", iid)
    assert line["due_at"], "a line's task has its own deadline"
    due = datetime.fromisoformat(line["due_at"])
    assert "1 instance(s)" in run_timers(app, due + timedelta(minutes=1))
    # Non-interrupting: the lines keep their tasks, still shown late; the contacts are reminded, the lead told.
    assert api.task_for("street1", "cooperate_line", iid)["due_at"] == line["due_at"]
    assert len([m for m in notes(api, "district1") if "配合办理已超时" in m]) == 1
    told = [m for m in notes(api, "secretary1") if m.startswith("超时提醒")]
    assert told == ["超时提醒：你牵头负责的需求“小区门口占道经营、油烟扰民”中，“配合办理”已超过办理时限"]


def test_a_need_without_several_lines_goes_on_as_before(api):
    iid = submit_need(api, "worker1")["instance_id"]
    api.complete("worker1", "assess_reasonableness", OK, iid)
    api.complete("worker1", "assess_responsibility", {"responsibility": "community"}, iid)
    assert api.task_for("worker1", "grade_need", iid)


def test_an_escalated_task_has_its_own_deadline_and_overdue_mark(app, api):
    iid = submit_need(api, "worker1")["instance_id"]
    api.complete("worker1", "assess_reasonableness", OK, iid)
    api.complete("worker1", "assess_responsibility", {"responsibility": "community"}, iid)
    api.complete("worker1", "grade_need", {"tier": "A", "kind": "affair", "affair_weight": "routine"}, iid)
    resolve = api.task_for("worker1", "resolve_need", iid)
    run_timers(app, datetime.fromisoformat(resolve["due_at"]) + timedelta(minutes=1))
    takeover = api.task_for("street1", "street_takeover", iid)
    assert takeover["due_at"], "超时督办（街道提级办理） has its own deadline"
    due = datetime.fromisoformat(takeover["due_at"])
    assert timedelta(days=4, hours=23) < due - datetime.fromisoformat(resolve["due_at"]) <= timedelta(days=5, minutes=2)
    run_timers(app, due + timedelta(minutes=1))
    with frozen_at(due + timedelta(minutes=2)):
        late = api.get("/api/tasks?overdue=1", "street1").get_json()["tasks"]
    assert [t["id"] for t in late if t["instance_id"] == iid] == [takeover["id"]]  # still there, marked late
    assert len([m for m in notes(api, "street1") if "超时督办（街道提级办理）已超过时限" in m]) == 1


def test_the_streets_supervision_of_a_late_project_has_its_own_deadline(app, api):
    need, _pid, _at = project_in_delivery(app, api, "健身器材更新")
    iid, reported_from = need["instance_id"], clock.now()
    run_timers(app, reported_from + timedelta(days=14, minutes=5))  # the reminder
    run_timers(app, reported_from + timedelta(days=17, minutes=5))  # escalated: 街道督办进度
    supervise = api.task_for("street1", "supervise_progress", iid)
    assert supervise["due_at"], "街道督办进度 has its own deadline"
    due = datetime.fromisoformat(supervise["due_at"])
    assert timedelta(days=4, hours=23) < due - (reported_from + timedelta(days=17)) <= timedelta(days=5, minutes=10)
    run_timers(app, due + timedelta(minutes=1))
    assert api.task_for("street1", "supervise_progress", iid)["id"] == supervise["id"]  # kept, shown late
    assert len([m for m in notes(api, "street1") if "街道督办进度已超过时限" in m]) == 1


def test_a_reopened_need_names_its_lines_again(api):
    iid = designated(api)
    api.complete("street1", "cooperate_line", {"line_report": "约谈商户"}, iid)
    api.complete("district1", "cooperate_line", {"line_report": "清理摊位"}, iid)
    api.complete("secretary1", "lead_sign_off", {"sign_off": "close", "sign_off_note": "已清理"}, iid)
    api.complete("worker1", "resident_feedback", {"satisfaction": 1, "feedback_comment": "晚上又来了"}, iid)
    api.complete("worker1", "assess_responsibility", {"responsibility": "community", "multi_line": True}, iid)
    again = LINES | {"lead": "worker1", "line_2": "市场监管", "line_3": "物业", "line_3_contact": "secretary1"}
    api.complete("worker1", "designate_lead", again, iid)
    assert [t["bpmn_id"] for t in api.inbox("secretary1") if t["instance_id"] == iid] == ["cooperate_line"]
    lines = api.get(f"/api/instances/{iid}/lines", "worker1").get_json()
    assert lines["lead"] == "worker1"
    assert [(x["line"], x["status"]) for x in lines["lines"]] == [
        ("街道综治", "pending"), ("市场监管", "pending"), ("物业", "pending")]
    assert api.get("/api/lines/led", "secretary1").get_json()["needs"] == []  # the lead changed
    for user, report in (("street1", "夜间巡查"), ("district1", "立案查处"), ("secretary1", "物业加装隔离桩")):
        api.complete(user, "cooperate_line", {"line_report": report}, iid)
    api.complete("worker1", "lead_sign_off", {"sign_off": "close", "sign_off_note": "夜间占道已杜绝"}, iid)
    api.complete("worker1", "resident_feedback", {"satisfaction": 4}, iid)
    assert status(api, iid) == ("completed", "resolved")


def test_the_leads_pages_read_in_chinese_and_in_english(app, api, client):
    iid = designated(api)
    api.complete("street1", "cooperate_line", {"line_report": "约谈商户"}, iid)
    sign_in(client, "secretary1")
    led = client.get("/lines/led").get_data(as_text=True)
    assert "我牵头的需求" in led and "2 个条线已办完 1 个" in led
    case = client.get(f"/lines/{iid}").get_data(as_text=True)
    assert "已办完" in case and "办理中" in case and "line_done" not in case and "line_pending" not in case
    english = client.get(f"/lines/{iid}?lang=en").get_data(as_text=True)
    assert "Lead and cooperating lines" in english and "Done" in english and "In progress" in english
    assert client.get(f"/instances/{iid}").status_code == 200
