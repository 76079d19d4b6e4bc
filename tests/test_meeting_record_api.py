"""The meeting record of each 议 (issue 18): dates in order, votes within attendance, the body's convener and
chair, the notice proved by its delivery record; each refused at submission with the field and the rule named,
nothing stored. A void meeting or a failed vote answers at once with its verdict and never reaches a notice."""
from sqlalchemy import func, select

from app.modules.decision.models import Meeting
import io

from flows import (MEETING_DAYS_AGO, day_ago, deliver_notice, design_and_assess, meeting, notice_given, project_of,
                   sheet, signed, suggestion, to_committees, to_disclosure, to_party_members_review, to_project, when)
from helpers import ready, sign_in


def meetings_stored(app) -> int:
    with app.extensions["db_sessions"]() as session:
        return session.scalar(select(func.count()).select_from(Meeting))


def submit(api, username: str, bpmn_id: str, iid: int, data: dict):
    if "present" in data:  # a meeting that signs in from a register: the sheet of that many members
        data = sheet(api, username, bpmn_id, iid, data)
    task = api.task_for(username, bpmn_id, iid)
    return api.post(f"/api/tasks/{task['id']}/complete", {"data": data}, username)


def at_party_proposal(api) -> int:
    iid = to_project(api)["instance_id"]
    design_and_assess(api, iid)
    api.complete("worker1", "resident_suggestion", suggestion(), iid)
    return iid


def refused(app, api, username: str, bpmn_id: str, iid: int, data: dict) -> dict:
    """The submission is refused with 400 and stores nothing; the task stays ready. The error body."""
    before = meetings_stored(app)
    response = submit(api, username, bpmn_id, iid, data)
    assert response.status_code == 400, response.get_json()
    assert meetings_stored(app) == before and bpmn_id in ready(api, username, iid)
    return response.get_json()


def test_a_meeting_dated_in_the_future_is_refused(app, api):
    iid = at_party_proposal(api)
    body = refused(app, api, "secretary1", "party_proposal", iid, meeting(5, 4, days=-1))
    assert body["fields"] == {"meeting_date": "a meeting cannot be dated in the future"}
    later_today = meeting(5, 4, days=0, minutes=-30)  # today, half an hour from now
    if later_today["meeting_date"] == day_ago(0):
        assert "meeting_time" in refused(app, api, "secretary1", "party_proposal", iid, later_today)["fields"]
    assert submit(api, "secretary1", "party_proposal", iid, meeting(5, 4)).status_code == 200


def test_meetings_out_of_order_or_before_the_need_are_refused(app, api):
    iid = at_party_proposal(api)  # the residents' suggestions were gathered 9 days ago
    earlier = meeting(5, 4, days=MEETING_DAYS_AGO["resident_suggestion"] + 0.5)
    body = refused(app, api, "secretary1", "party_proposal", iid, earlier)
    assert body["fields"] == {"meeting_date": "each deliberation comes after the previous one"}
    assert "the last was held at" in body["message"]
    before_need = meeting(5, 4, days=30)
    assert refused(app, api, "secretary1", "party_proposal", iid, before_need)["fields"] == {
        "meeting_date": "a meeting cannot be held before the need was recorded"}
    other = to_project(api, title="楼道需要安装扶手")["instance_id"]
    design_and_assess(api, other)
    body = refused(app, api, "worker1", "resident_suggestion", other, suggestion() | when(days=30))
    assert body["fields"] == {"meeting_date": "a meeting cannot be held before the need was recorded"}


def test_the_assembly_notice_needs_its_delivery_record(app, api):
    iid = to_project(api)["instance_id"]
    to_party_members_review(api, iid)
    typed = meeting(36, 30, meeting_id="party_members_review", notice_date=day_ago(6))
    body = refused(app, api, "secretary1", "party_members_review", iid, typed)
    assert body["fields"] == {"notice_date": "the notice date must be that of a delivery record"}
    assert "送达记录" in body["message"]
    # Recorded today, it cannot prove a notice six days ago: the record carries the day it was made.
    assert deliver_notice(api, project_of(api, iid), days=0).status_code == 201
    assert refused(app, api, "secretary1", "party_members_review", iid, typed)["fields"] == {
        "notice_date": "the notice date must be that of a delivery record"}
    # A delivery before the two committees met is not this plan's notice.
    early = notice_given(api, iid, days=MEETING_DAYS_AGO["committees_deliberation"] + 1)
    assert refused(app, api, "secretary1", "party_members_review", iid, typed | {"notice_date": early})[
        "fields"] == {"notice_date": "the plan is delivered after the previous deliberation"}
    proved = notice_given(api, iid, days=6)
    assert submit(api, "secretary1", "party_members_review", iid, typed | {"notice_date": proved}).status_code == 200
    assert ready(api, "worker1", iid) == ["representatives_resolution"]


def test_a_delivery_record_is_checked_and_only_staff_record_it(api):
    iid = to_project(api)["instance_id"]
    pid = project_of(api, iid)
    bad = deliver_notice(api, pid, method="carrier pigeon", recipients=0, delivered_by="")
    assert bad.status_code == 400 and set(bad.get_json()["fields"]) == {"method", "recipients", "delivered_by"}
    assert deliver_notice(api, pid, as_user="committee1").status_code == 403  # reads the records, does not keep them
    assert deliver_notice(api, pid, as_user="worker2").status_code == 403  # another community's worker
    listed = api.get(f"/api/projects/{pid}/meetings", "committee1").get_json()
    assert listed["notices"] == [] and listed["meetings"] == []


def test_votes_above_attendance_are_refused(app, api):
    iid = at_party_proposal(api)
    body = refused(app, api, "secretary1", "party_proposal", iid, meeting(3, 3) | {"votes_against": 2})
    assert set(body["fields"]) == {"votes_for", "votes_against", "abstain"}
    assert body["message"] == "votes cast (5) cannot be more than those present (3)"


def test_the_body_convenes_and_chairs_its_own_meeting(app, api):
    iid = to_project(api)["instance_id"]
    to_party_members_review(api, iid)
    notice = notice_given(api, iid)
    by_residents = meeting(36, 30, meeting_id="party_members_review", notice_date=notice,
                           convener="residents_committee")
    assert refused(app, api, "secretary1", "party_members_review", iid, by_residents)["fields"] == {
        "convener": "the party organisation convenes the party committee's meeting, the joint meeting of the two "
                    "committees and the party members' assembly"}
    chaired = by_residents | {"convener": "party_organisation", "chair_post": "committee_director"}
    assert set(refused(app, api, "secretary1", "party_members_review", iid, chaired)["fields"]) == {"chair_post"}
    missing = {k: v for k, v in chaired.items() if k not in ("place", "recorder", "agenda", "discussion")}
    assert set(refused(app, api, "secretary1", "party_members_review", iid, missing)["fields"]) == {
        "place", "recorder", "agenda", "discussion"}


def test_a_void_meeting_and_a_failed_vote_answer_with_their_verdict(api):
    iid = at_party_proposal(api)
    void = submit(api, "secretary1", "party_proposal", iid, meeting(2, 2)).get_json()
    assert void["verdict"]["outcome"] == "void" and void["verdict"]["valid"] is False
    assert void["verdict"]["message"] == "会议无效：到会委员未过半，会议无效，请重新召开"
    assert ready(api, "secretary1", iid) == ["party_proposal"]  # recorded; the meeting is reconvened
    failed = submit(api, "secretary1", "party_proposal", iid, meeting(5, 2, days=7.5)).get_json()
    assert failed["verdict"]["outcome"] == "not_passed"
    assert failed["verdict"]["message"].startswith("表决未通过：赞成票未超过党组织委员会委员半数")
    assert ready(api, "worker1", iid) == ["revise_plan"]
    passed_answer = api.complete("worker1", "revise_plan", {"revise_decision": "revise", "revise_note": "调整选址"}, iid)
    assert passed_answer["verdict"] is None  # no meeting recorded by this step


def test_a_void_meeting_stays_in_the_records_and_never_reaches_the_public_notice(app, api):
    need = to_project(api)
    iid = need["instance_id"]
    design_and_assess(api, iid)
    api.complete("worker1", "resident_suggestion", suggestion(hearing=True), iid)
    void = signed(api, "secretary1", "party_proposal", meeting(2, 2, days=8.5), iid)
    assert void["verdict"]["outcome"] == "void"
    signed(api, "secretary1", "party_proposal", meeting(5, 4), iid)
    api.complete("worker1", "choose_voting_mode", {"voting_mode": "meeting"}, iid)
    signed(api, "worker1", "committees_deliberation", meeting(7, 6, meeting_id="committees_deliberation"), iid)
    notice = notice_given(api, iid)
    signed(api, "secretary1", "party_members_review",
                 meeting(30, 25, meeting_id="party_members_review", notice_date=notice), iid)
    signed(api, "worker1", "representatives_resolution",
                 meeting(25, 20, meeting_id="representatives_resolution", assembly="representatives"), iid)
    public = api.get("/api/public/disclosures?kind=decision").get_json()["disclosures"][0]
    assert [m["meeting"] for m in public["meetings"]] == [
        "resident_suggestion", "party_proposal", "committees_deliberation", "party_members_review",
        "representatives_resolution"]  # in the order held, the void one left out
    assert all(m["valid"] for m in public["meetings"]) and "会议无效" not in str(public)
    assert "未过半" not in api.get(f"/disclosures/{public['id']}?print=1").get_data(as_text=True)
    kept = api.get(f"/api/projects/{project_of(api, iid)}/meetings", "auditor1").get_json()["meetings"]
    assert [(m["meeting"], m["valid"]) for m in kept][:3] == [
        ("resident_suggestion", True), ("party_proposal", False), ("party_proposal", True)]
    assert kept[1]["reason"] == "到会委员未过半，会议无效，请重新召开" and kept[1]["chair"] == "王书记"


def test_the_printable_meeting_record_and_its_signed_minutes(app, api):
    iid = to_project(api)["instance_id"]
    to_disclosure(api, iid)
    pid = project_of(api, iid)
    records = api.get(f"/api/projects/{pid}/meetings", "secretary1").get_json()["meetings"]
    assembly = next(m for m in records if m["meeting"] == "party_members_review")
    assert assembly["notice_date"] == day_ago(MEETING_DAYS_AGO["notice"]) and assembly["absent"] == 10
    path = f"/projects/{pid}/meetings/{assembly['id']}"
    assert app.test_client().get(path).status_code == 302  # people sign in first
    other = app.test_client()
    sign_in(other, "worker2")
    assert other.get(path).status_code == 403  # another community's worker
    client = app.test_client()
    sign_in(client, "secretary1")
    page = client.get(path).get_data(as_text=True)
    for label in ("党员大会审议会议记录", "会议名称", "时间", "地点", "召集人", "社区党组织", "主持人", "王书记（社区党组织书记）",
                  "记录人", "应到40人，实到30人，缺席10人", "列席", "街道包联干部", "议题", "讨论情况", "表决结果",
                  "赞成25票，反对5票，弃权0票", "主持人（签字）", "方案送达", "当面送达"):
        assert label in page, label
    project_page = client.get(f"/projects/{pid}").get_data(as_text=True)
    assert path in project_page  # reachable from the project page
    uploaded = api.client.post(f"/api/projects/{pid}/meetings/{assembly['id']}/minutes",
                               data={"file": (io.BytesIO(b"%PDF-1.4 signed"), "签字记录.pdf")},
                               headers={"Authorization": f"Bearer {api.token('secretary1')}"})
    assert uploaded.status_code == 200 and uploaded.get_json()["minutes_attachment"] is not None
    assert "签字记录.pdf" in client.get(path).get_data(as_text=True)


def test_an_online_vote_is_recorded_as_one(app, api):
    iid = to_project(api)["instance_id"]
    to_committees(api, iid, "online")
    for voter in ("committee1", "committee2"):
        answer = api.complete(voter, "committee_vote", {"vote": "for"}, iid)
    assert answer["verdict"] is None  # four members with an account have not voted yet
    for voter in ("committee3", "committee4", "committee5", "secretary1"):  # the register's members with accounts
        answer = api.complete(voter, "committee_vote", {"vote": "for"}, iid)
    assert answer["verdict"]["outcome"] == "passed" and answer["verdict"]["meeting"] == "committees_deliberation"
    records = api.get(f"/api/projects/{project_of(api, iid)}/meetings", "worker1").get_json()["meetings"]
    assert records[-1]["online"] is True and records[-1]["place"] == "线上表决"


def test_a_meeting_recorded_on_its_page_keeps_the_files_sent_with_it(app, api):
    from helpers import csrf_of
    iid = at_party_proposal(api)
    task = api.task_for("secretary1", "party_proposal", iid)
    client = app.test_client()
    sign_in(client, "secretary1")
    token = csrf_of(client.get(f"/tasks/{task['id']}").get_data(as_text=True))
    signed_in = sheet(api, "secretary1", "party_proposal", iid, meeting(2, 2))  # two of five names ticked
    form = {k: v if isinstance(v, list) else str(v) for k, v in signed_in.items()} | {"csrf_token": token}
    sent = client.post(f"/tasks/{task['id']}", data=form | {"attachments": (io.BytesIO(b"%PDF-1.4 sheet"), "签到表.pdf")},
                       content_type="multipart/form-data", follow_redirects=True)
    page = sent.get_data(as_text=True)
    assert '<p class="flash error" role="status">会议无效：到会委员未过半，会议无效，请重新召开</p>' in page
    record = api.get(f"/api/projects/{project_of(api, iid)}/meetings", "secretary1").get_json()["meetings"][-1]
    shown = client.get(f"/projects/{project_of(api, iid)}/meetings/{record['id']}").get_data(as_text=True)
    assert "随记录提交的附件" in shown and "签到表.pdf" in shown and "会议无效：到会委员未过半" in shown
