"""五议两公开一备案 through the API: every rule edge, disclosure with objections, filing; time moves
with `timers run --now`, never with sleeps."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.modules.decision.models import Ballot, Meeting, MeetingAttendance, Project
from flows import (rejected_project, design_and_assess, first_four_meetings, meeting, notice_given, sheet, signed, suggestion,
                   to_committees, to_disclosure, to_party_members_review, to_project)
from helpers import ready, run_timers


def decision_notice(api, code: str) -> dict:
    """The newest decision notice; the need's tracking code (a credential) must not appear in it."""
    listed = api.get("/api/public/disclosures?kind=decision").get_json()["disclosures"]
    assert listed, "no decision notice was posted"
    assert code not in str(listed)
    return listed[0]


def posted_with_objection(api, content: str) -> int:
    """A project through its five deliberations whose posted notice has one objection; its instance id."""
    need = to_project(api)
    to_disclosure(api, need["instance_id"])
    notice = decision_notice(api, need["tracking_code"])
    response = api.post(f"/api/public/disclosures/{notice['id']}/objections", {"content": content})
    assert response.status_code == 201
    return need["instance_id"]


def instructions(api, username: str, bpmn_id: str, iid: int) -> str:
    task = api.task_for(username, bpmn_id, iid)
    return api.get(f"/api/tasks/{task['id']}", username).get_json()["instructions"]


def test_a_need_goes_all_the_way_to_a_filed_decision(app, api):
    need = to_project(api)
    iid, code = need["instance_id"], need["tracking_code"]
    to_disclosure(api, iid)
    notice = decision_notice(api, code)
    assert notice["open"] is True and notice["objections"] == 0
    assert [(m["meeting"], m["valid"], m["passed"]) for m in notice["meetings"]] == [
        ("resident_suggestion", True, True), ("party_proposal", True, True), ("committees_deliberation", True, True),
        ("party_members_review", True, True), ("representatives_resolution", True, True)]
    assert [m["members_total"] for m in notice["meetings"][1:]] == [5, 7, 40, 30]  # from the registers
    assert "改造闲置车库" in notice["text"] and notice["project_days"]["target_days"] == 20
    ends = clock.now() + timedelta(days=7)
    assert "0 instance(s)" in run_timers(app, ends - timedelta(hours=1))
    assert ready(api, "street1", iid) == []
    run_timers(app, ends + timedelta(minutes=5))
    api.complete("street1", "street_filing", {"filing_decision": "filed"}, iid)
    assert ready(api, "worker1", iid) == ["publish_project"]  # delivery: tests/test_project_delivery_api.py
    with app.extensions["db_sessions"]() as session:
        project = session.scalars(select(Project).where(Project.project_key == code)).one()
        assert project.status == "filed" and project.decided_at is not None


@pytest.mark.parametrize("present,valid", [(20, True), (19, False)])
def test_two_thirds_present_exactly_versus_one_fewer(api, present, valid):
    iid = to_project(api)["instance_id"]
    design_and_assess(api, iid)
    first_four_meetings(api, iid)
    signed(api, "worker1", "representatives_resolution",
                 meeting(present, present - 1, meeting_id="representatives_resolution", assembly="representatives"), iid)
    if valid:
        assert ready(api, "worker1", iid) == []  # posted for objections
    else:
        assert ready(api, "worker1", iid) == ["representatives_resolution"]  # void: reconvene
        assert "到会代表不足三分之二" in instructions(api, "worker1", "representatives_resolution", iid)


@pytest.mark.parametrize("votes_for,passed", [(20, False), (21, True)])
def test_votes_for_exactly_half_versus_half_plus_one(api, votes_for, passed):
    iid = to_project(api)["instance_id"]
    to_party_members_review(api, iid)
    signed(api, "secretary1", "party_members_review",
                 meeting(40, votes_for, meeting_id="party_members_review", notice_date=notice_given(api, iid)), iid)
    expected = ["representatives_resolution"] if passed else ["revise_plan"]
    assert ready(api, "worker1", iid) == expected
    if not passed:
        assert "赞成票未超过应到党员半数" in instructions(api, "worker1", "revise_plan", iid)


@pytest.mark.parametrize("notice_days_ago,valid", [(5, False), (6, True)])
def test_notice_two_versus_three_days_before_the_assembly(api, notice_days_ago, valid):
    iid = to_project(api)["instance_id"]
    to_party_members_review(api, iid)
    notice = notice_given(api, iid, days=notice_days_ago)  # the assembly is held 3 days ago
    signed(api, "secretary1", "party_members_review",
                 meeting(36, 30, meeting_id="party_members_review", days=3, notice_date=notice), iid)
    if valid:
        assert ready(api, "worker1", iid) == ["representatives_resolution"]
    else:
        assert ready(api, "secretary1", iid) == ["party_members_review"]
        assert "3天" in instructions(api, "secretary1", "party_members_review", iid)


def test_members_on_record_cannot_be_changed_by_the_clerk(api):
    iid = to_project(api)["instance_id"]
    design_and_assess(api, iid)
    api.complete("worker1", "resident_suggestion", suggestion(), iid)
    task = api.task_for("secretary1", "party_proposal", iid)
    assert api.get(f"/api/tasks/{task['id']}", "secretary1").get_json()["data"]["members_on_register"] == 5
    record = sheet(api, "secretary1", "party_proposal", iid, meeting(3, 3, members_on_register=3))
    response = api.post(f"/api/tasks/{task['id']}/complete", {"data": record}, "secretary1")
    assert response.status_code == 400 and response.get_json()["fields"] == {"members_on_register": "read-only"}


def test_a_failed_vote_can_end_the_project_rejected_with_the_reason_disclosed(api):
    need = rejected_project(api)
    iid = need["instance_id"]
    notices = api.get("/api/public/disclosures?kind=rejection").get_json()["disclosures"]
    assert len(notices) == 1 and isinstance(notices[0]["project"], int) and "选址存在消防隐患" in notices[0]["text"]
    assert need["tracking_code"] not in str(notices)
    data = api.get(f"/api/instances/{iid}", "worker1").get_json()["data"]
    assert data["project_outcome"] == "rejected" and ready(api, "worker1", iid) == ["resident_feedback"]


def test_objection_on_day_six_is_answered_and_one_after_day_seven_is_refused(app, api):
    need = to_project(api)
    iid = need["instance_id"]
    to_disclosure(api, iid)
    notice = decision_notice(api, need["tracking_code"])
    path = f"/api/public/disclosures/{notice['id']}/objections"
    with clock.frozen_at(clock.now() + timedelta(days=6)):
        response = api.post(path, {"content": "活动室噪音会影响楼上住户", "contact": "13900000000"})
    assert response.status_code == 201
    answer = api.task_for("worker1", "answer_objection")
    assert "噪音" in api.get(f"/api/tasks/{answer['id']}", "worker1").get_json()["instructions"]
    api.complete("worker1", "answer_objection", {"settled": True, "answer": "已增加隔音措施，开放时间至21点"},
                 answer["instance_id"])
    with clock.frozen_at(clock.now() + timedelta(days=7, minutes=1)):
        late = api.post(path, {"content": "太晚了"})
    assert late.status_code == 409
    shown = api.get(f"/api/public/disclosures/{notice['id']}").get_json()
    assert shown["objections"] == 1 and shown["answers"][0]["status"] == "settled"
    assert "13900000000" not in str(shown)
    run_timers(app, clock.now() + timedelta(days=7, minutes=5))
    assert ready(api, "street1", iid) == ["street_filing"]


def test_an_objection_unanswered_for_three_days_escalates(app, api):
    posted_with_objection(api, "预算偏高")
    answer = api.task_for("worker1", "answer_objection")
    run_timers(app, clock.now() + timedelta(days=3, minutes=1))
    assert api.post(f"/api/tasks/{answer['id']}/complete", {"data": {"settled": True, "answer": "迟"}},
                    "worker1").status_code == 409
    api.complete("secretary1", "answer_objection_escalated", {"settled": True, "answer": "书记答复：预算已公示明细"})


def test_an_unsettled_objection_sends_the_plan_back_to_the_party_members(app, api):
    iid = posted_with_objection(api, "没有征求一楼住户意见")
    api.complete("worker1", "answer_objection", {"settled": False, "answer": "将重新征求意见"})
    run_timers(app, clock.now() + timedelta(days=7, minutes=5))
    assert ready(api, "secretary1", iid) == []  # the plan is revised first (tests/test_publicity_api.py)
    text = instructions(api, "worker1", "revise_plan_after_objection", iid)
    assert "没有征求一楼住户意见" in text and "将重新征求意见" in text
    api.complete("worker1", "revise_plan_after_objection",
                 {"plan": "改造闲置车库为居民文化活动室，一楼住户意见已征求", "objection_revision": "补充征求一楼住户意见"}, iid)
    assert ready(api, "secretary1", iid) == ["party_members_review"]


def test_an_open_objection_holds_the_process_until_answered(app, api):
    iid = posted_with_objection(api, "请说明维护费用")
    day7 = clock.now() + timedelta(days=7, minutes=5)
    run_timers(app, day7)
    assert ready(api, "street1", iid) == []  # still waiting for the answer
    api.complete("secretary1", "answer_objection_escalated", {"settled": True, "answer": "由物业承担"})
    run_timers(app, day7 + timedelta(days=1, minutes=5))
    assert ready(api, "street1", iid) == ["street_filing"]


def test_a_filing_returned_for_correction_goes_to_the_named_step(app, api):
    need = to_project(api)
    iid = need["instance_id"]
    to_disclosure(api, iid)
    run_timers(app, clock.now() + timedelta(days=7, minutes=5))
    bad = api.post(f"/api/tasks/{api.task_for('street1', 'street_filing', iid)['id']}/complete",
                   {"data": {"filing_decision": "returned"}}, "street1")
    assert bad.status_code == 400 and set(bad.get_json()["fields"]) == {"reason", "return_to"}
    api.complete("street1", "street_filing", {"filing_decision": "returned", "reason": "代表会议缺少签到表",
                                              "return_to": "representatives_resolution"}, iid)
    assert "缺少签到表" in instructions(api, "worker1", "representatives_resolution", iid)
    signed(api, "worker1", "representatives_resolution",  # reconvened today, after the first one
                 meeting(24, 20, meeting_id="representatives_resolution", days=0, minutes=1,
                         assembly="representatives"), iid)
    second = decision_notice(api, need["tracking_code"])
    run_timers(app, clock.now() + timedelta(days=14, minutes=10))
    api.complete("street1", "street_filing", {"filing_decision": "filed"}, iid)
    assert ready(api, "worker1", iid) == ["publish_project"] and second["open"] is True


def test_the_online_roster_is_the_two_committee_register(app, api):
    iid = to_project(api)["instance_id"]
    to_committees(api, iid, "online")
    register = api.get("/api/admin/registers/nanshan/two_committees", "admin").get_json()
    with_accounts = [m["username"] for m in register["members"] if m["username"]]
    assert register["due"] == 7 and sorted(with_accounts) == ["committee1", "committee2", "committee3", "committee4",
                                                               "committee5", "secretary1"]
    tasks = {u: api.task_for(u, "committee_vote", iid) for u in with_accounts}
    assert len({t["id"] for t in tasks.values()}) == 6  # one ballot per member with an account, the secretary's too
    other = api.post(f"/api/tasks/{tasks['committee1']['id']}/complete", {"data": {"vote": "for"}}, "committee2")
    assert other.status_code == 403  # nobody votes on another member's ballot
    (offline,) = [m for m in register["members"] if m["username"] is None]
    path = f"/api/instances/{iid}/ballots"
    no_reason = api.post(path, {"member_id": offline["id"], "vote": "for"}, "worker1")
    assert no_reason.status_code == 400 and set(no_reason.get_json()["fields"]) == {"reason"}
    in_person = api.post(path, {"member_id": register["members"][0]["id"], "vote": "for", "reason": "代录"}, "worker1")
    assert in_person.get_json()["fields"] == {"member_id": "this member has an account and votes in person"}
    assert api.post(path, {"member_id": offline["id"], "vote": "for", "reason": "代录"}, "committee1").status_code == 403
    recorded = api.post(path, {"member_id": offline["id"], "vote": "for", "reason": "本人无智能手机，电话表决"}, "worker1")
    assert recorded.status_code == 201
    assert api.post(path, {"member_id": offline["id"], "vote": "against", "reason": "再录"}, "worker1").status_code == 409
    for username, vote in zip(with_accounts, ("for", "for", "for", "for", "against", "abstain")):
        api.complete(username, "committee_vote", {"vote": vote}, iid)
    assert api.post(f"/api/tasks/{tasks['committee1']['id']}/complete", {"data": {"vote": "against"}},
                    "committee1").status_code == 409
    assert api.post(path, {"member_id": offline["id"], "vote": "for", "reason": "迟"}, "worker1").status_code == 409
    with app.extensions["db_sessions"]() as session:
        ballots = session.scalars(select(Ballot)).all()
        assert len(ballots) == 7 and len({b.member_id for b in ballots}) == 7
        assert [b.reason for b in ballots if b.voter_id is None] == ["本人无智能手机，电话表决"]
        recorded = session.scalars(select(Meeting).where(Meeting.meeting == "committees_deliberation")).one()
        assert (recorded.members_total, recorded.present, recorded.votes_for, recorded.votes_against) == (7, 7, 5, 1)
        assert recorded.is_valid and recorded.passed
        signed_in = session.scalars(select(MeetingAttendance).where(MeetingAttendance.meeting_id == recorded.id)).all()
        assert len(signed_in) == 7 and offline["name"] in {a.name for a in signed_in}
    data = api.get(f"/api/instances/{iid}", "worker1").get_json()["data"]
    assert "vote" not in data and "member" not in data  # ballots are rows, not process data
    assert ready(api, "secretary1", iid) == ["party_members_review"]
