"""Every path of need_lifecycle through the JSON API, as the demo users: end state, who did what, history."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from app.workflow.models.notification import Notification, OutboxMessage
from factories import assessed_need
from helpers import WEDNESDAY_MORNING as START
from helpers import history, run_timers

CHINA = timezone(timedelta(hours=8))

OK = {"reasonable": True, "basis": "符合《物业管理条例》"}

# The app's clock (tokens, records, deadlines) stands still at a fixed Wednesday morning, China time.
pytestmark = pytest.mark.usefixtures("fixed_clock")


def steps(api, instance_id: int) -> list[tuple[str, str]]:
    return [(e["task"]["bpmn_id"], e["actor"]) for e in history(api, instance_id) if e["event_type"] == "task_completed"]


def outcome(api, instance_id: int) -> tuple[str, str]:
    instance = api.get(f"/api/instances/{instance_id}", "auditor1").get_json()
    return instance["status"], instance["outcome"]


def to_grading(api, **need) -> int:
    return assessed_need(api, assessment=OK, **need)["instance_id"]


def finish(api, iid: int, satisfaction: int = 5) -> None:
    api.complete("worker1", "resident_feedback", {"satisfaction": satisfaction}, iid)


def test_affair_routine_is_resolved_now(api):
    iid = to_grading(api)
    api.complete("worker1", "grade_need", {"tier": "A", "kind": "affair", "affair_weight": "routine"}, iid)
    api.complete("worker1", "resolve_need", {"resolution": "当天修复"}, iid)
    finish(api, iid)
    assert outcome(api, iid) == ("completed", "resolved")
    data = api.get(f"/api/instances/{iid}", "worker1").get_json()["data"]
    assert data["suggested_tier"] == "A" and data["grade_overridden"] is False


def test_affair_general_waits_for_the_handling_day(app, api):
    iid = to_grading(api)
    result = api.complete("worker1", "grade_need", {"tier": "B", "kind": "affair", "affair_weight": "general"}, iid)
    assert result["next_tasks"] == []
    data = api.get(f"/api/instances/{iid}", "worker1").get_json()["data"]
    assert data["grade_overridden"] is True  # the DMN suggested A
    china = START.astimezone(CHINA)
    monday = china.date() + timedelta(days=-china.weekday() % 7)
    handling_day = datetime(monday.year, monday.month, monday.day, 9, 0, tzinfo=CHINA)
    if handling_day <= china:
        handling_day += timedelta(days=7)  # Monday 09:00 China time, the next one
    assert "0 instance(s)" in run_timers(app, handling_day - timedelta(minutes=1))
    assert "1 instance(s)" in run_timers(app, handling_day + timedelta(minutes=1))
    api.complete("worker1", "resolve_need", {"resolution": "周一集中办理"}, iid)
    finish(api, iid)
    assert outcome(api, iid) == ("completed", "resolved")


def test_affair_major_goes_through_a_recorded_joint_meeting(api):
    iid = to_grading(api)
    api.complete("worker1", "grade_need", {"tier": "B", "kind": "affair", "affair_weight": "major"}, iid)
    api.complete("worker1", "joint_meeting", {"meeting_date": "2026-11-30", "bodies": "物业、业委会、街道城管",
                                               "attendees": 9, "decision": "物业负责更换，街道督办"}, iid)
    api.complete("worker1", "resolve_need", {"resolution": "按联席会议决定完成"}, iid)
    finish(api, iid)
    assert [s for s, _ in steps(api, iid)][-4:] == ["grade_need", "joint_meeting", "resolve_need", "resident_feedback"]
    assert outcome(api, iid) == ("completed", "resolved")


def test_wish_is_claimed_and_fulfilled_by_a_volunteer(api):
    iid = to_grading(api, title="独居老人想要一台收音机", category="daily_life", channel="social_org")
    task = api.task_for("worker1", "grade_need", iid)
    assert api.get(f"/api/tasks/{task['id']}", "worker1").get_json()["data"]["kind"] == "wish"  # DMN suggestion
    api.complete("worker1", "grade_need", {"tier": "A", "kind": "wish"}, iid)
    api.complete("worker1", "publish_wish", {"wish_text": "为独居老人捐赠一台收音机"}, iid)
    claim = api.task_for("volunteer1", "claim_wish", iid)  # the claim board
    assert claim["role"] == "wish_claimer" and api.inbox("worker1") == []
    api.complete("volunteer1", "claim_wish", {"claim_note": "我家有闲置收音机"}, iid)
    fulfil = api.task_for("volunteer1", "fulfil_wish", iid)
    assert api.get(f"/api/tasks/{fulfil['id']}", "volunteer1").get_json()["bpmn_id"] == "fulfil_wish"
    api.complete("volunteer1", "fulfil_wish", {"fulfilment": "已送达并调好频道", "volunteer_hours": 2}, iid)
    finish(api, iid)
    assert ("claim_wish", "volunteer1") in steps(api, iid) and ("fulfil_wish", "volunteer1") in steps(api, iid)
    data = api.get(f"/api/instances/{iid}", "worker1").get_json()["data"]
    assert data["wish_claimer"] == "volunteer1" and data["volunteer_hours"] == 2 and data["wish_claimer_kind"] == "volunteer"


def test_street_resolves_and_the_community_rates_it(api):
    iid = assessed_need(api, "government", assessment=OK, category="government")["instance_id"]
    api.complete("street1", "street_handle", {"street_decision": "resolved", "street_resolution": "已协调修复"}, iid)
    rate = api.task_for("worker1", "rate_department", iid)
    assert "街道" in api.get(f"/api/tasks/{rate['id']}", "worker1").get_json()["instructions"]
    api.complete("worker1", "rate_department", {"guidance": 4, "service": 5, "payment": 4,
                                                  "interference": 5, "rating_comment": "响应及时"}, iid)
    finish(api, iid)
    assert steps(api, iid) == [("assess_reasonableness", "worker1"), ("assess_responsibility", "worker1"),
                               ("street_handle", "street1"), ("rate_department", "worker1"),
                               ("resident_feedback", "worker1")]
    assert api.get(f"/api/instances/{iid}", "worker1").get_json()["data"]["rated_body"] == "street"


def test_street_dispatches_to_the_district(api):
    iid = assessed_need(api, "government", assessment=OK, category="government")["instance_id"]
    api.complete("street1", "street_handle", {"street_decision": "dispatch", "assigned_department": "zhifu-mz",
                                              "street_resolution": "需区民政局处理"}, iid)
    assert api.inbox("street1") == []
    api.complete("district1", "district_handle", {"district_decision": "return", "return_reason": "请街道先行协调"}, iid)
    api.complete("street1", "street_handle", {"street_decision": "dispatch", "assigned_department": "zhifu-mz",
                                              "street_resolution": "协调无果，再次派单"}, iid)
    api.complete("district1", "district_handle", {"district_decision": "resolved", "district_resolution": "已立项修复"}, iid)
    api.complete("worker1", "rate_department", {"guidance": 5, "service": 5, "payment": 5, "interference": 5}, iid)
    finish(api, iid)
    assert [a for s, a in steps(api, iid) if s == "district_handle"] == ["district1", "district1"]
    assert api.get(f"/api/instances/{iid}", "worker1").get_json()["data"]["rated_body"] == "district"
    assert outcome(api, iid) == ("completed", "resolved")


def test_street_returns_the_need_to_the_community(api):
    iid = assessed_need(api, "government", assessment=OK, category="government")["instance_id"]
    api.complete("street1", "street_handle", {"street_decision": "return", "street_resolution": "属社区自治事务"}, iid)
    api.complete("worker1", "grade_need", {"tier": "A", "kind": "affair", "affair_weight": "routine"}, iid)
    api.complete("worker1", "resolve_need", {"resolution": "社区已解决"}, iid)
    finish(api, iid)
    assert outcome(api, iid) == ("completed", "resolved")


def test_overdue_street_task_escalates_to_the_district(app, api):
    iid = assessed_need(api, "government", assessment=OK, category="government")["instance_id"]
    street = api.task_for("street1", "street_handle", iid)
    due = datetime.fromisoformat(street["due_at"])
    assert timedelta(days=4, hours=23) < due - START <= timedelta(days=5)
    assert "1 instance(s)" in run_timers(app, due + timedelta(minutes=1))
    assert api.inbox("street1") == []
    late = api.post(f"/api/tasks/{street['id']}/complete",
                    {"data": {"street_decision": "resolved", "street_resolution": "迟到"}}, "street1")
    assert late.status_code == 409
    district = api.task_for("district1", "district_handle", iid)
    # The district's own deadline only sends a reminder (督办): its task stays.
    district_due = datetime.fromisoformat(district["due_at"])
    run_timers(app, district_due + timedelta(minutes=1))  # (December's annual reviews may start too)
    run_timers(app, district_due + timedelta(minutes=2))
    assert api.task_for("district1", "district_handle", iid)["id"] == district["id"]
    assert api.task_for("district1", "district_handle", iid)["due_at"] == district["due_at"]  # still shown late
    notes = api.get("/api/notifications", "district1").get_json()["notifications"]
    assert len([n for n in notes if "区级办理已超时" in n["message"]]) == 1, notes


def test_merge_raises_the_earlier_needs_supporters(api):
    first = api.record_need(title="3号楼楼道灯不亮", grid="nanshan-1")
    second = api.record_need(title="三号楼的楼道灯坏了", grid="nanshan-1", username="grid1")
    review = api.task_for("worker1", "merge_review", second["instance_id"])
    detail = api.get(f"/api/tasks/{review['id']}", "worker1").get_json()
    options = detail["form"]["schema"]["properties"]["merge_into"]["oneOf"]
    assert [o["const"] for o in options] == [first["tracking_code"]]
    bad = api.post(f"/api/tasks/{review['id']}/complete", {"data": {"merge": True, "merge_into": "NOPE"}}, "worker1")
    assert bad.status_code == 400 and "merge_into" in bad.get_json()["fields"]
    api.complete("worker1", "merge_review", {"merge": True, "merge_into": first["tracking_code"]}, second["instance_id"])
    assert outcome(api, second["instance_id"]) == ("completed", "merged")
    progress = api.get(f"/api/public/needs/{first['tracking_code']}").get_json()
    assert progress["supporters"] == 2
    merged = api.get(f"/api/public/needs/{second['tracking_code']}").get_json()
    assert merged["status"] == "merged" and merged["merged_into_title"] == "3号楼楼道灯不亮"
    assert first["tracking_code"] not in str(merged)  # another resident's credential is never shown
    assert any(e["event_type"] == "need_merged" for e in history(api, first["instance_id"]))


def test_no_merge_keeps_the_need_apart(api):
    api.record_need(title="3号楼楼道灯不亮", grid="nanshan-1")
    second = api.record_need(title="3号楼楼道灯坏了", grid="nanshan-1")
    api.complete("worker1", "merge_review", {"merge": False}, second["instance_id"])
    assert api.task_for("worker1", "assess_reasonableness", second["instance_id"])


def test_low_rating_reopens_twice_then_goes_to_the_party_secretary(api):
    iid = to_grading(api)
    for _ in range(2):
        api.complete("worker1", "grade_need", {"tier": "A", "kind": "affair", "affair_weight": "routine"}, iid)
        api.complete("worker1", "resolve_need", {"resolution": "已处理"}, iid)
        api.complete("worker1", "resident_feedback", {"satisfaction": 1, "feedback_comment": "还是不亮"}, iid)
        api.complete("worker1", "assess_responsibility", {"responsibility": "community"}, iid)
    api.complete("worker1", "grade_need", {"tier": "A", "kind": "affair", "affair_weight": "routine"}, iid)
    api.complete("worker1", "resolve_need", {"resolution": "更换线路"}, iid)
    api.complete("worker1", "resident_feedback", {"satisfaction": 2}, iid)
    api.complete("secretary1", "secretary_review", {"secretary_decision": "resolved", "secretary_note": "书记督办，已彻底修复"}, iid)
    assert outcome(api, iid) == ("completed", "resolved")
    assert [a for s, a in steps(api, iid) if s == "resident_feedback"] == ["worker1"] * 3
    assert api.get(f"/api/instances/{iid}", "worker1").get_json()["data"]["reopen_count"] == 2


def test_the_resident_rates_by_tracking_code(api):
    need = api.record_need()
    iid = need["instance_id"]
    api.complete("worker1", "assess_reasonableness", OK, iid)
    early = api.post(f"/api/public/needs/{need['tracking_code']}/feedback", {"satisfaction": 5})
    assert early.status_code == 409
    api.complete("worker1", "assess_responsibility", {"responsibility": "community"}, iid)
    api.complete("worker1", "grade_need", {"tier": "A", "kind": "affair", "affair_weight": "routine"}, iid)
    api.complete("worker1", "resolve_need", {"resolution": "已修复"}, iid)
    assert api.get(f"/api/public/needs/{need['tracking_code']}").get_json()["can_rate"] is True
    bad = api.post(f"/api/public/needs/{need['tracking_code']}/feedback", {"satisfaction": 9})
    assert bad.status_code == 400 and bad.get_json()["fields"] == {"satisfaction": "out of range"}
    done = api.post(f"/api/public/needs/{need['tracking_code']}/feedback", {"satisfaction": 5, "feedback_comment": "很快"})
    assert done.status_code == 200 and done.get_json()["status"] == "resolved"
    assert steps(api, iid)[-1] == ("resident_feedback", f"resident:{need['tracking_code']}")


def test_people_are_notified_of_their_new_tasks(app, api):
    api.record_need()
    notes = api.get("/api/notifications", "worker1").get_json()
    assert notes["unread"] >= 1 and "合理性研判" in notes["notifications"][0]["message"]
    assert api.get("/api/notifications", "worker2").get_json()["notifications"] == []
    with app.extensions["db_sessions"]() as session:
        sms = session.scalars(select(OutboxMessage)).all()
        assert any(m.payload["to"] == "worker1" and "合理性研判" in m.payload["text"] for m in sms)
        assert session.scalars(select(Notification)).all()


@pytest.mark.parametrize("filters,expected", [("", 2), ("?task=assess_reasonableness", 2), ("?overdue=1", 0),
                                               ("?community=beishan", 0), ("?task=grade_need", 0)])
def test_inbox_filters(api, filters, expected):
    api.record_need(title="甲")
    api.record_need(title="乙", category="legal")
    assert len(api.get(f"/api/tasks{filters}", "worker1").get_json()["tasks"]) == expected


def test_the_resident_withdraws_an_open_need(api):
    need = api.record_need()
    path = f"/api/public/needs/{need['tracking_code']}/withdraw"
    assert api.post(path, {"reason": ""}).status_code == 400
    done = api.post(path, {"reason": "已自行解决"})
    assert done.status_code == 200 and done.get_json()["status"] == "withdrawn"
    assert api.inbox("worker1") == []
    assert outcome(api, need["instance_id"]) == ("cancelled", "withdrawn")
    assert api.post(path, {"reason": "again"}).status_code == 409
    events = [e["event_type"] for e in history(api, need["instance_id"])]
    assert events[-3:] == ["need_withdrawn", "task_cancelled", "instance_cancelled"]


def test_party_line_needs_say_which_visit(api):
    response = api.post("/api/needs", {"title": "t", "description": "d", "category": "legal", "community": "nanshan",
                                       "channel": "party_line"}, "grid1")
    assert response.status_code == 400 and response.get_json()["fields"] == {"visit_type": "required"}
    window = api.post("/api/needs", {"title": "t", "description": "d", "category": "legal", "community": "nanshan",
                                     "channel": "window"}, "grid1")
    assert window.status_code == 201
    data = api.get(f"/api/instances/{window.get_json()['instance_id']}", "worker1").get_json()["data"]
    assert data["first_responder"] == "grid1" and data["channel"] == "window"


def test_a_merge_into_a_need_closed_meanwhile_is_refused_and_changes_nothing(api):
    first = api.record_need(title="3号楼楼道灯不亮", grid="nanshan-1")
    second = api.record_need(title="三号楼的楼道灯坏了", grid="nanshan-1")
    api.post(f"/api/public/needs/{first['tracking_code']}/withdraw", {"reason": "已自行修好"})
    review = api.task_for("worker1", "merge_review", second["instance_id"])
    response = api.post(f"/api/tasks/{review['id']}/complete",
                        {"data": {"merge": True, "merge_into": first["tracking_code"]}}, "worker1")
    assert response.status_code == 422 and response.get_json()["error"] == "process_error"
    assert "not an open need" in response.get_json()["message"]
    assert api.task_for("worker1", "merge_review", second["instance_id"])["id"] == review["id"]  # still ready
    api.complete("worker1", "merge_review", {"merge": False}, second["instance_id"])
    assert api.task_for("worker1", "assess_reasonableness", second["instance_id"])
