"""The publicity window as a process state, objections made in person, the objector told the answer, the plan
revised after an unsettled objection, and the bulletin-board notice (公示栏) that a newer one supersedes."""
import io
import re
from datetime import datetime, timedelta

from sqlalchemy import func, select

from app import clock
from app.modules.disclosure.models import Disclosure, Objection
from app.people.models import User
from app.workflow.models.notification import OutboxMessage
from factories import PROJECT_TITLE, project_on_notice
from flows import MEETING_DAYS_AGO, chinese_day_ago, meeting, notice_given, signed, suggestion
from helpers import history, ready, run_timers

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
IN_PERSON = {"content": "活动室开放到晚上十点太吵", "objector_name": "王大爷", "channel": "in_person",
             "contact": "13912345678"}


def newest_notice(api) -> dict:
    return api.get("/api/public/disclosures?kind=decision").get_json()["disclosures"][0]


def count(app, model, *where) -> int:
    with app.extensions["db_sessions"]() as session:
        return session.scalar(select(func.count()).select_from(model).where(*where))


def test_an_objection_after_timers_run_ended_the_period_is_refused(app, api):
    iid = project_on_notice(api)["instance_id"]
    notice = newest_notice(api)
    assert notice["open"] is True and notice["closed"] is None
    run_timers(app, clock.now() + timedelta(days=7, minutes=5))  # the period ended by `timers run --now`
    assert ready(api, "street1", iid) == ["street_filing"]
    # By the wall clock the seven days have not passed; by the process's state they have.
    assert clock.now() < datetime.fromisoformat(notice["ends_at"])
    late = api.post(f"/api/public/disclosures/{notice['id']}/objections", {"content": "我还有意见"})
    assert late.status_code == 409, late.get_json()
    assert "publicity period of this notice has ended" in late.get_json()["message"]
    recorded = api.post(f"/api/disclosures/{notice['id']}/objections", IN_PERSON, "worker1")
    assert recorded.status_code == 409 and "has ended" in recorded.get_json()["message"]
    shown = api.get(f"/api/public/disclosures/{notice['id']}").get_json()
    assert shown["open"] is False and shown["closed"] == "ended" and shown["objections"] == 0
    assert count(app, Objection) == 0
    page = api.client.get(f"/disclosures/{notice['id']}").get_data(as_text=True)
    assert "公示期已结束，不再受理异议。" in page and 'name="content"' not in page  # no objection form


def test_an_objection_made_in_person_is_recorded_answered_and_the_objector_texted(app, api):
    project_on_notice(api)
    notice = newest_notice(api)
    response = api.post(f"/api/disclosures/{notice['id']}/objections", IN_PERSON, "worker1")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["channel"] == "in_person" and body["status"] == "open"
    task = api.task_for("worker1", "answer_objection", body["instance_id"])
    text = api.get(f"/api/tasks/{task['id']}", "worker1").get_json()["instructions"]
    assert "太吵" in text and "现场提出" in text
    api.complete("worker1", "answer_objection", {"settled": True, "answer": "开放时间改为晚上九点"}, body["instance_id"])
    with app.extensions["db_sessions"]() as session:
        sms = session.scalars(select(OutboxMessage).where(OutboxMessage.recipient_id.is_(None))).all()
        objection = session.get(Objection, body["id"])
        assert objection.notified_at is not None and objection.recorded_by.username == "worker1"
    assert len(sms) == 1 and sms[0].payload["to"] == "13912345678"
    assert "开放时间改为晚上九点" in sms[0].payload["text"] and "已化解" in sms[0].payload["text"]
    events = history(api, body["instance_id"])
    told = [e for e in events if e["event_type"] == "objector_notified"]
    assert len(told) == 1 and told[0]["data_changes"]["way"] == "sms"
    assert told[0]["data_changes"]["to"] == "139****5678" and "13912345678" not in str(events)
    assert [e["event_type"] for e in events if e["event_type"] == "objection_filed"] == ["objection_filed"]
    shown = api.get(f"/api/public/disclosures/{notice['id']}").get_json()
    assert shown["answers"][0]["channel"] == "in_person" and "13912345678" not in str(shown)
    assert "王大爷" not in str(shown)


def test_an_objector_with_an_account_is_told_in_the_app(app, api):
    project_on_notice(api)
    notice = newest_notice(api)
    by_phone = IN_PERSON | {"channel": "phone", "contact": "", "objector_account": "resident1"}
    response = api.post(f"/api/disclosures/{notice['id']}/objections", by_phone, "worker1")
    assert response.status_code == 201, response.get_json()
    online = api.post(f"/api/public/disclosures/{notice['id']}/objections", {"content": "预算太高"}, "resident1")
    assert online.status_code == 201
    for objection in (response.get_json(), online.get_json()):
        api.complete("worker1", "answer_objection", {"settled": False, "answer": "将在党员大会上说明"},
                     _objection_case(app, objection["id"]))
    mine = api.get("/api/notifications", "resident1").get_json()["notifications"]
    answers = [n for n in mine if "将在党员大会上说明" in n["message"]]
    assert len(answers) == 2 and all("未化解" in n["message"] for n in answers)
    assert count(app, OutboxMessage, OutboxMessage.recipient_id.is_(None)) == 0


def _objection_case(app, objection_id: int) -> int:
    with app.extensions["db_sessions"]() as session:
        return session.get(Objection, objection_id).instance_id


def test_a_recorded_objection_names_the_objector_the_channel_and_a_contact(app, api):
    project_on_notice(api)
    path = f"/api/disclosures/{newest_notice(api)['id']}/objections"
    for change, field in ((dict(objector_name=""), "objector_name"), (dict(channel="online"), "channel"),
                          (dict(channel=None), "channel"), (dict(contact=""), "contact"),
                          (dict(objector_account="nobody"), "objector_account"), (dict(content=" "), "content"),
                          # only a resident of the notice's community is named as the objector, and the answer is
                          # the same for any other account, so the field cannot probe which accounts exist
                          (dict(objector_account="admin"), "objector_account"),
                          (dict(objector_account="worker2"), "objector_account")):
        bad = api.post(path, {k: v for k, v in (IN_PERSON | change).items() if v is not None}, "worker1")
        assert bad.status_code == 400 and field in bad.get_json()["fields"], (change, bad.get_json())
    assert api.post(path, IN_PERSON, "resident1").status_code == 403
    assert api.post(path, IN_PERSON, "worker2").status_code == 403  # 北山's worker, a 南山 notice
    assert api.post(path, IN_PERSON).status_code == 401
    assert count(app, Objection) == 0


def test_an_unsettled_objection_leads_to_a_revised_plan_and_a_notice_that_supersedes_the_first(app, api):
    iid = project_on_notice(api)["instance_id"]
    first = newest_notice(api)
    made = api.post(f"/api/disclosures/{first['id']}/objections", IN_PERSON, "worker1").get_json()
    api.complete("worker1", "answer_objection", {"settled": False, "answer": "将修改方案"}, made["instance_id"])
    run_timers(app, clock.now() + timedelta(days=7, minutes=5))
    assert ready(api, "secretary1", iid) == [] and ready(api, "street1", iid) == []
    assert ready(api, "worker1", iid) == ["revise_plan_after_objection"]
    task = api.task_for("worker1", "revise_plan_after_objection", iid)
    form = api.get(f"/api/tasks/{task['id']}", "worker1").get_json()
    assert form["data"]["plan"] == "改造闲置车库为居民文化活动室"  # pre-filled with the plan posted
    assert "太吵" in form["instructions"] and "将修改方案" in form["instructions"]
    refused = api.post(f"/api/tasks/{task['id']}/complete", {"data": {"plan": "新方案"}}, "worker1")
    assert refused.status_code == 400 and "objection_revision" in refused.get_json()["fields"]
    api.complete("worker1", "revise_plan_after_objection",
                 {"plan": "改造闲置车库为居民文化活动室，晚上九点闭馆", "objection_revision": "开放时间缩短到晚上九点"}, iid)
    # The party members meet again: the plan delivered a day after the period ended, the meeting 4 days later.
    later = clock.now() + timedelta(days=8)
    with clock.frozen_at(later):
        notice = notice_given(api, iid, days=0)
    with clock.frozen_at(later + timedelta(days=4)):
        signed(api, "secretary1", "party_members_review",
                     meeting(30, 25, meeting_id="party_members_review", days=0, minutes=30, notice_date=notice), iid)
        signed(api, "worker1", "representatives_resolution", meeting(
            25, 20, meeting_id="representatives_resolution", days=0, minutes=10, assembly="representatives"), iid)
        second = newest_notice(api)
        assert second["id"] != first["id"] and "晚上九点闭馆" in second["text"] and second["open"] is True
        old = api.get(f"/api/public/disclosures/{first['id']}").get_json()
        assert old["superseded_by"] == second["id"] and old["closed"] == "superseded" and old["open"] is False
        late = api.post(f"/api/public/disclosures/{first['id']}/objections", {"content": "旧公示"})
        assert late.status_code == 409 and "replaced by a newer one" in late.get_json()["message"]
        printed = api.client.get(f"/disclosures/{first['id']}?print=1").get_data(as_text=True)
        assert "已被新公示替代" in printed and f"/disclosures/{second['id']}" in printed
        assert "已被新公示替代" not in api.client.get(f"/disclosures/{second['id']}?print=1").get_data(as_text=True)


def test_the_bulletin_board_notice_names_issuer_period_and_valid_meetings_only(app, api):
    reviewed = chinese_day_ago(MEETING_DAYS_AGO["party_members_review"])
    need = project_on_notice(api)
    notice = newest_notice(api)
    assert notice["heading"] == f"关于“{PROJECT_TITLE}”项目决议的公示"
    assert notice["issuer"] == "南山社区居民委员会" and "月" in notice["period"] and "至" in notice["period"]
    assert "T" not in notice["period"] and notice["issued_on"].endswith("日")
    headers = {"Authorization": f"Bearer {api.token('worker1')}"}
    changed = api.client.post(f"/api/disclosures/{notice['id']}/details", headers=headers, json={
        "issuer": "中共南山社区委员会　南山社区居民委员会", "objection_phone": "0535-6661234",
        "objection_address": "南山社区党群服务中心一楼"})
    assert changed.status_code == 200, changed.get_json()
    assert api.client.post(f"/api/disclosures/{notice['id']}/details", headers=headers,
                            json={"objection_phone": 5}).status_code == 400
    assert api.client.post(f"/api/disclosures/{notice['id']}/details", headers=headers,
                           json={"title": "x"}).status_code == 400
    resident = {"Authorization": f"Bearer {api.token('resident1')}"}
    assert api.client.post(f"/api/disclosures/{notice['id']}/details", headers=resident, json={}).status_code == 403
    page = api.client.get(f"/disclosures/{notice['id']}?print=1").get_data(as_text=True)
    for text in (f"关于“{PROJECT_TITLE}”项目决议的公示", "中共南山社区委员会", "0535-6661234", "南山社区党群服务中心一楼",
                 "50,000.00 元",
                 notice["period"], "（盖章）", "党员大会审议", reviewed):
        assert text in page, text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", page.split("<main", 1)[-1]), "an ISO date on the notice"
    assert need["tracking_code"] not in page


def test_a_void_meeting_never_shows_on_the_notice(app, api):
    from flows import design_and_assess, to_project
    iid = to_project(api)["instance_id"]
    design_and_assess(api, iid)
    api.complete("worker1", "resident_suggestion", suggestion(), iid)
    signed(api, "secretary1", "party_proposal", meeting(2, 2), iid)  # 2 of 5: void
    signed(api, "secretary1", "party_proposal", meeting(5, 4, minutes=-30), iid)  # reconvened half an hour later
    api.complete("worker1", "choose_voting_mode", {"voting_mode": "meeting"}, iid)
    signed(api, "worker1", "committees_deliberation", meeting(7, 6, meeting_id="committees_deliberation"), iid)
    signed(api, "secretary1", "party_members_review",
                 meeting(30, 25, meeting_id="party_members_review", notice_date=notice_given(api, iid)), iid)
    signed(api, "worker1", "representatives_resolution",
                 meeting(25, 20, meeting_id="representatives_resolution", assembly="representatives"), iid)
    notice = newest_notice(api)
    assert [m["meeting"] for m in notice["meetings"]] == [
        "resident_suggestion", "party_proposal", "committees_deliberation", "party_members_review",
        "representatives_resolution"]
    assert all(m["valid"] for m in notice["meetings"])
    page = api.client.get(f"/disclosures/{notice['id']}?print=1").get_data(as_text=True)
    assert "无效" not in page


def test_a_worker_attaches_the_posting_photo_and_everyone_sees_it(app, api):
    project_on_notice(api)
    notice = newest_notice(api)
    path = f"/api/disclosures/{notice['id']}/photo"
    headers = {"Authorization": f"Bearer {api.token('worker1')}"}
    text = api.client.post(path, headers=headers, data={"files": (io.BytesIO(b"hello"), "notice.txt")})
    assert text.status_code == 400 and "photo" in text.get_json()["fields"]
    resident = {"Authorization": f"Bearer {api.token('resident1')}"}
    assert api.client.post(path, headers=resident,
                           data={"files": (io.BytesIO(PNG), "notice.png")}).status_code == 403
    assert api.get(f"/api/public/disclosures/{notice['id']}/photo").status_code == 404
    stored = api.client.post(path, headers=headers, data={"files": (io.BytesIO(PNG), "张贴照片.png")})
    assert stored.status_code == 201, stored.get_json()
    photo = api.client.get(f"/api/public/disclosures/{notice['id']}/photo")
    assert photo.status_code == 200 and photo.mimetype == "image/png" and photo.data == PNG
    assert api.get(f"/api/public/disclosures/{notice['id']}").get_json()["has_photo"] is True
    page = api.client.get(f"/disclosures/{notice['id']}?print=1").get_data(as_text=True)
    assert f"/disclosures/{notice['id']}/photo" in page and "张贴照片" in page
    with app.extensions["db_sessions"]() as session:
        assert session.get(Disclosure, notice["id"]).photo.filename == "张贴照片.png"
        assert session.scalar(select(User.username).where(User.id == session.get(Disclosure, notice["id"])
                                                          .photo.uploaded_by_id)) == "worker1"


def test_the_keeping_page_is_for_the_communitys_workers_and_says_what_is_missing(app, api, client):
    from helpers import csrf_of, sign_in
    project_on_notice(api)
    notice_id = newest_notice(api)["id"]
    for user, status in (("resident1", 403), ("worker2", 403), ("worker1", 200)):
        sign_in(client, user)
        assert client.get(f"/disclosures/{notice_id}/keep").status_code == status, user
    page = client.get(f"/disclosures/{notice_id}/keep").get_data(as_text=True)
    refused = client.post(f"/disclosures/{notice_id}/keep/objections", data=IN_PERSON | {
        "objector_name": "", "csrf_token": csrf_of(page)})
    text = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "请填写异议人姓名" in text and "太吵" in text  # kept what was written
    assert count(app, Objection) == 0
    stored = client.post(f"/disclosures/{notice_id}/keep/objections", data=IN_PERSON | {"csrf_token": csrf_of(page)})
    assert stored.status_code == 302 and count(app, Objection, Objection.channel == "in_person") == 1


def test_a_stale_token_leaves_a_public_objection_anonymous(app, api):
    project_on_notice(api)
    notice_id = newest_notice(api)["id"]
    response = api.client.post(f"/api/public/disclosures/{notice_id}/objections", json={"content": "预算偏高"},
                               headers={"Authorization": "Bearer not-a-token"})
    assert response.status_code == 201
    with app.extensions["db_sessions"]() as session:
        assert session.get(Objection, response.get_json()["id"]).objector_id is None
