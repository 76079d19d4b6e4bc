"""Delivery and evaluation through the API: claiming, the 1+X ledger, progress disclosure with reminders
and escalation, results, the satisfaction survey, the loop back to a follow-up need; the annual review."""
from datetime import datetime, timedelta

from sqlalchemy import select

from app import clock
from app.modules.disclosure.models import Disclosure
from app.workflow.models.instance import Instance
from app.modules.decision.models import Project
from factories import project_in_delivery as claimed_and_funded
from helpers import ready, run_timers

DAY = timedelta(days=1)


def test_a_project_from_filing_to_effect_disclosure_resolves_its_need(app, api):
    need, pid, at = claimed_and_funded(app, api)
    iid, code = need["instance_id"], need["tracking_code"]
    too_much = api.post(f"/api/projects/{pid}/fund", {"kind": "spending", "amount": 50000.01, "note": "超支"}, "worker1")
    assert too_much.status_code == 400 and "amount" in too_much.get_json()["fields"]
    api.complete("worker1", "progress_report", {"progress_percent": 50, "progress_text": "完成墙面和地面",
                                                "spent_amount": 30000, "spent_purpose": "材料费", "finished": False}, iid)
    api.complete("worker1", "progress_report", {"progress_percent": 100, "progress_text": "桌椅到位，开放使用",
                                                "spent_amount": 15000, "spent_purpose": "家具", "finished": True}, iid)
    api.complete("worker1", "complete_project", {"completed_on": "2026-12-30", "delivery_summary": "活动室已建成开放"}, iid)
    api.complete("supervisor1", "results_disclosure", {"results_approved": True, "review_comment": "账目清楚"}, iid)
    public = api.get(f"/api/public/projects/{pid}").get_json()
    assert public["provider"] == "阳光社工服务中心" and public["progress_percent"] == 100
    fund = public["fund"]
    assert (fund["fiscal"], fund["donation"], fund["spent"], fund["balance"]) == (30000, 20000, 45000, 5000)
    assert public["survey_open"] is True
    # The survey: one answer per resident (by account, or by mobile number), only inside its window.
    assert api.post(f"/api/public/projects/{pid}/survey", {"satisfaction": 5}, "resident1").status_code == 201
    assert api.post(f"/api/public/projects/{pid}/survey", {"satisfaction": 1}, "resident1").status_code == 409
    assert api.post(f"/api/public/projects/{pid}/survey", {"satisfaction": 4, "phone": "13800000001"}).status_code == 201
    assert api.post(f"/api/public/projects/{pid}/survey", {"satisfaction": 1, "phone": "13800000001"}).status_code == 409
    missing = api.post(f"/api/public/projects/{pid}/survey", {"satisfaction": 9})
    assert missing.status_code == 400 and set(missing.get_json()["fields"]) == {"satisfaction", "phone"}
    api.complete("worker1", "self_evaluation", {"self_score": 5, "self_report": "按期完成"}, iid)
    api.complete("secretary1", "community_evaluation", {"community_score": 4, "community_comment": "居民认可",
                                                        "third_party_needed": True}, iid)
    run_timers(app, at + 8 * DAY)
    assert api.post(f"/api/public/projects/{pid}/survey", {"satisfaction": 5, "phone": "13800000002"}).status_code == 409
    api.complete("evaluator1", "third_party_evaluation", {"third_party_score": 4, "evaluation_report": "效果良好"}, iid)
    api.complete("worker1", "effect_disclosure", {"effect_summary": "每周开放五天，居民满意"}, iid)
    assert ready(api, "worker1", iid) == ["resident_feedback"]
    api.complete("worker1", "resident_feedback", {"satisfaction": 5}, iid)
    instance = api.get(f"/api/instances/{iid}", "auditor1").get_json()
    assert (instance["status"], instance["outcome"]) == ("completed", "resolved")
    assert api.get(f"/api/public/needs/{code}").get_json()["status"] == "resolved"
    with app.extensions["db_sessions"]() as session:
        project = session.get(Project, pid)
        assert (project.status, project.survey_responses, project.satisfaction_avg, project.satisfied_share) == (
            "evaluated", 2, 4.5, 1.0)
        assert (project.self_score, project.community_score, project.third_party_score) == (5, 4, 4)
        assert project.follow_up_code is None and project.completed_at is not None
        notices = session.scalars(select(Disclosure).where(Disclosure.project_id == pid).order_by(Disclosure.id)).all()
        assert all(code not in d.text and code not in d.title for d in notices)  # the code is the resident's key
        kinds = [d.kind for d in notices]
        assert kinds == ["decision", "implementation", "implementation", "results", "effect"]
        assert all(d.superseded_by_id is None for d in notices)  # progress reports add up, none replaces another
        results = session.scalars(select(Disclosure).where(Disclosure.project_id == pid,
                                                           Disclosure.kind == "results")).one()
        assert "30000" in results.text.replace(",", "") and "45000" in results.text.replace(",", "")


def test_low_satisfaction_starts_a_linked_follow_up_need(app, api):
    need, pid, at = claimed_and_funded(app, api, "楼道照明改造")
    iid, code = need["instance_id"], need["tracking_code"]
    api.complete("worker1", "progress_report", {"progress_percent": 100, "progress_text": "灯具已更换",
                                                "finished": True}, iid)
    api.complete("worker1", "complete_project", {"completed_on": "2026-12-20", "delivery_summary": "更换灯具"}, iid)
    api.complete("supervisor1", "results_disclosure", {"results_approved": True, "review_comment": "可以公开"}, iid)
    for phone, score in (("13800000011", 2), ("13800000012", 3), ("13800000013", 4)):
        assert api.post(f"/api/public/projects/{pid}/survey", {"satisfaction": score, "phone": phone}).status_code == 201
    api.complete("worker1", "self_evaluation", {"self_score": 4, "self_report": "完成"}, iid)
    api.complete("secretary1", "community_evaluation", {"community_score": 3, "community_comment": "一般",
                                                        "third_party_needed": False}, iid)
    run_timers(app, at + 8 * DAY)
    api.complete("worker1", "effect_disclosure", {"effect_summary": "部分楼层仍偏暗"}, iid)
    data = api.get(f"/api/instances/{iid}", "auditor1").get_json()["data"]
    follow_up = data["follow_up_need"]
    assert follow_up and follow_up != code
    assert api.get(f"/api/public/needs/{follow_up}").get_json()["status"] == "open"
    with app.extensions["db_sessions"]() as session:
        new_need = session.scalars(select(Instance).where(Instance.business_key == follow_up)).one()
        assert new_need.process_id == "need_lifecycle" and new_need.status == "running"
        assert session.get(Project, pid).follow_up_code == follow_up  # linked both ways
    new_data = api.get(f"/api/instances/{new_need.id}", "auditor1").get_json()["data"]
    assert new_data["follow_up_of"] == code and "楼道照明改造" in new_data["title"]
    assert any(t["instance_id"] == new_need.id for t in api.inbox("worker1"))
    # The originating need still goes back to its resident for feedback, then closes.
    api.complete("worker1", "resident_feedback", {"satisfaction": 3}, iid)
    assert api.get(f"/api/instances/{iid}", "auditor1").get_json()["outcome"] == "resolved"


def test_a_late_progress_report_is_reminded_then_escalated_to_the_street(app, api):
    need, pid, _ = claimed_and_funded(app, api, "健身器材更新")
    iid, reported_from = need["instance_id"], clock.now()  # the report fell due when fund_project was done
    unread = api.get("/api/notifications", "worker1").get_json()["unread"]
    run_timers(app, reported_from + 14 * DAY + timedelta(minutes=5))  # the report interval passes: a reminder
    assert ready(api, "worker1", iid) == ["progress_report"]
    notes = api.get("/api/notifications", "worker1").get_json()
    assert notes["unread"] > unread and any("逾期" in n["message"] for n in notes["notifications"])
    run_timers(app, reported_from + 17 * DAY + timedelta(minutes=5))  # still late after the grace days: escalated
    assert ready(api, "worker1", iid) == []
    assert ready(api, "street1", iid) == ["supervise_progress"]
    api.complete("street1", "supervise_progress", {"supervision_note": "请三日内报告进度"}, iid)
    assert ready(api, "worker1", iid) == ["progress_report"]
    history = api.get(f"/api/instances/{iid}/history", "auditor1").get_json()["events"]
    assert any(e["event_type"] == "task_completed" and e["task"] and e["task"]["bpmn_id"] == "supervise_progress"
               for e in history)


def test_the_annual_review_is_started_by_the_clock_once_per_community(app, api):
    before = datetime.fromisoformat("2026-11-30T09:00:00+08:00")
    run_timers(app, before)
    assert not [t for t in api.inbox("worker1") if t["bpmn_id"] == "annual_review_meeting"]
    december = datetime.fromisoformat("2026-12-01T09:05:00+08:00")
    run_timers(app, december)
    run_timers(app, december + timedelta(minutes=5))  # a second pass starts nothing more
    mine = [t for t in api.inbox("worker1") if t["bpmn_id"] == "annual_review_meeting"]
    theirs = [t for t in api.inbox("worker2") if t["bpmn_id"] == "annual_review_meeting"]
    assert len(mine) == 1 and len(theirs) == 1 and mine[0]["community"] != theirs[0]["community"]
    api.complete("worker1", "annual_review_meeting", {"meeting_date": "2026-12-05", "attendees": 45,
                                                      "outstanding_units": [], "remarks": "全年项目运行良好"},
                 mine[0]["instance_id"])
    notices = api.get("/api/public/disclosures?kind=annual").get_json()["disclosures"]
    assert len(notices) == 1 and "全年项目运行良好" in notices[0]["text"]
    with app.extensions["db_sessions"]() as session:
        keys = session.scalars(select(Instance.business_key).where(Instance.process_id == "annual_review")).all()
        assert sorted(keys) == ["AR-beishan-2026", "AR-nanshan-2026"]
