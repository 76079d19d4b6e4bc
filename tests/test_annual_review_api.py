"""The annual review (年底项目评议大会) through the API: the meeting reads the year's projects and candidates when it
is held (not when the instance started), grades each project, names 先进单位 and 先进组织, posts the 年度评议 notice,
and each project marked for follow-up starts a need in next year's pool.

Each test stands on 2 December of the clock's year (whatever day the suite runs): the review of that year has
started (its timer is 1 December 09:00) and the year's projects are recorded in the ten days before."""
from datetime import datetime

import pytest
from sqlalchemy import select

from app import clock
from app.modules.decision.models import Project
from app.modules.disclosure.models import Disclosure
from app.workflow.models.instance import Instance
from factories import project_in_delivery
from flows import CHINA
from helpers import csrf_of, frozen_at, run_timers, sign_in
from test_helper_scope import start_trial
from test_page_language import english_words

MEETING = {"meeting_date": None, "attendees": 45, "remarks": "全年项目运行良好"}


@pytest.fixture
def december():
    """The wall clock stands at 2 December 10:00 (China time) of the clock's year; that year."""
    year = clock.now().astimezone(CHINA).year
    with frozen_at(datetime(year, 12, 2, 10, 0, tzinfo=CHINA)):
        yield year


def review_started(app, api, year: int) -> dict:
    """The timer pass of 2 December opens nanshan's review of `year`; its meeting task, as the API shows it."""
    run_timers(app, datetime(year, 12, 2, 10, 5, tzinfo=CHINA))
    task = api.task_for("worker1", "annual_review_meeting")
    return api.get(f"/api/tasks/{task['id']}", "worker1").get_json()


def meeting_view(api, iid: int) -> dict:
    task = api.task_for("worker1", "annual_review_meeting", iid)
    return api.get(f"/api/tasks/{task['id']}", "worker1").get_json()


def options(view: dict, field: str) -> dict:
    """{value: title} of a checkbox field of the meeting form."""
    items = view["form"]["schema"]["properties"][field]["items"]
    assert "oneOf" in items or items["enum"] == []  # no candidate: nothing may be chosen
    return {o["const"]: o["title"] for o in items.get("oneOf", [])}


def finish_delivery(api, iid: int) -> None:
    """From progress_report: finished, completed and the results disclosed (the survey opens)."""
    api.complete("worker1", "progress_report", {"progress_percent": 100, "progress_text": "桌椅到位",
                                                "finished": True}, iid)
    api.complete("worker1", "complete_project", {"completed_on": clock.now().astimezone(CHINA).date().isoformat(),
                                                 "delivery_summary": "活动室已建成开放"}, iid)
    api.complete("supervisor1", "results_disclosure", {"results_approved": True, "review_comment": "账目清楚"}, iid)


def meeting(year: int, **fields) -> dict:
    return MEETING | {"meeting_date": f"{year}-12-05"} | fields


def test_the_meeting_shows_the_projects_and_candidates_as_they_are_when_it_is_held(app, api, december):
    need, pid, _ = project_in_delivery(app, api, "小区文化活动室")
    view = review_started(app, api, december)
    iid = view["instance_id"]
    key = need["tracking_code"]
    assert "实施中" in view["instructions"] and "小区文化活动室" in view["instructions"]
    assert options(view, "grade_good") == {key: "小区文化活动室（实施中）"}
    units = options(view, "outstanding_units")
    assert "阳光社工服务中心" in units and "南山供电所" in units  # the provider, and the list's 共建单位
    assert set(options(view, "outstanding_organisations")) == {"南山邻里互助社", "南山红马甲志愿服务队"}
    # Days later: the project is finished, and a new organisation joins the resources list.
    finish_delivery(api, need["instance_id"])
    added = api.post("/api/resources", {"community": "nanshan", "kind": "organisation", "name": "南山书香读书会",
                                        "contact": "周会长", "capacity": "会员 20 人", "description": "社会组织"},
                     "worker1")
    assert added.status_code == 201, added.get_json()
    with app.extensions["db_sessions"]() as session:
        status = session.get(Project, pid).status
    assert status != "delivering"
    later = meeting_view(api, iid)
    assert "实施中" not in later["instructions"] and "决议公示中" not in later["instructions"]
    assert options(later, "grade_good")[key] != "小区文化活动室（实施中）"
    assert "南山书香读书会" in options(later, "outstanding_organisations")
    # Viewing changed nothing: the instance still holds only what its diagram wrote.
    data = api.get(f"/api/instances/{iid}", "auditor1").get_json()["data"]
    assert "project_choices" not in data and "organisation_choices" not in data
    # The submission is checked against the candidates as they are now: the new organisation may be named.
    api.complete("worker1", "annual_review_meeting", meeting(december, grade_good=[key],
                                                             outstanding_organisations=["南山书香读书会"]), iid)
    data = api.get(f"/api/instances/{iid}", "auditor1").get_json()["data"]
    assert data["annual_ratings"] == {key: "good"}
    assert [p["status"] for p in data["projects"]] == [status]


def test_the_meeting_grades_each_project_names_units_and_organisations_and_posts_the_notice(app, api, december):
    need, _, _ = project_in_delivery(app, api, "小区文化活动室")
    view = review_started(app, api, december)
    iid, key = view["instance_id"], need["tracking_code"]
    # Every project of the year gets one grade: none, or two, is refused with the fields named.
    ungraded = api.post(f"/api/tasks/{api.task_for('worker1', 'annual_review_meeting', iid)['id']}/complete",
                        {"data": meeting(december)}, "worker1")
    assert ungraded.status_code == 400 and "grade_excellent" in ungraded.get_json()["fields"]
    twice = api.post(f"/api/tasks/{api.task_for('worker1', 'annual_review_meeting', iid)['id']}/complete",
                     {"data": meeting(december, grade_good=[key], grade_fail=[key])}, "worker1")
    assert twice.status_code == 400 and set(twice.get_json()["fields"]) == {"grade_fail"}
    stranger = api.post(f"/api/tasks/{api.task_for('worker1', 'annual_review_meeting', iid)['id']}/complete",
                        {"data": meeting(december, grade_good=[key], outstanding_organisations=["不存在的组织"])},
                        "worker1")
    assert stranger.status_code == 400 and "outstanding_organisations" in stranger.get_json()["fields"]
    api.complete("worker1", "annual_review_meeting", meeting(
        december, grade_excellent=[key], outstanding_units=["阳光社工服务中心"],
        outstanding_organisations=["南山邻里互助社", "南山红马甲志愿服务队"]), iid)
    instance = api.get(f"/api/instances/{iid}", "auditor1").get_json()
    assert instance["status"] == "completed" and instance["data"]["annual_ratings"] == {key: "excellent"}
    notices = [n for n in api.get("/api/public/disclosures?kind=annual").get_json()["disclosures"]
               if n["title"].startswith("南山")]
    assert len(notices) == 1
    text = notices[0]["text"]
    assert f"{december} 年度项目评议结果" in text
    assert "小区文化活动室" in text and "评议等级：优秀" in text
    assert "先进单位：阳光社工服务中心" in text and "先进组织：南山邻里互助社、南山红马甲志愿服务队" in text
    assert "全年项目运行良好" in text and key not in text  # the tracking code is the resident's key
    with app.extensions["db_sessions"]() as session:
        notice = session.scalars(select(Disclosure).where(Disclosure.kind == "annual",
                                                          Disclosure.instance_id == iid)).one()
        assert notice.community.code == "nanshan"


def test_a_project_marked_for_follow_up_starts_a_need_in_next_years_pool(app, api, december):
    need, pid, _ = project_in_delivery(app, api, "楼道照明改造")
    view = review_started(app, api, december)
    iid, key = view["instance_id"], need["tracking_code"]
    assert options(view, "follow_up_projects") == options(view, "grade_fail")
    api.complete("worker1", "annual_review_meeting", meeting(december, grade_pass=[key],
                                                             follow_up_projects=[key]), iid)
    data = api.get(f"/api/instances/{iid}", "auditor1").get_json()["data"]
    code = data["annual_follow_up_needs"][key]
    assert code and code != key
    assert api.get(f"/api/public/needs/{code}").get_json()["status"] == "open"
    with app.extensions["db_sessions"]() as session:
        new_need = session.scalars(select(Instance).where(Instance.business_key == code)).one()
        assert new_need.process_id == "need_lifecycle" and new_need.status == "running"
        assert new_need.community.code == "nanshan"
        assert session.get(Project, pid).follow_up_code == code  # linked both ways
    new_data = api.get(f"/api/instances/{new_need.id}", "auditor1").get_json()["data"]
    assert new_data["follow_up_of"] == key and "楼道照明改造" in new_data["title"]
    assert new_data["pool_year"] == december + 1
    assert f"来源：{december}年度项目评议" in new_data["description"]
    assert f"{december + 1}年度需求库" in new_data["description"]
    assert any(t["instance_id"] == new_need.id for t in api.inbox("worker1"))
    notice = next(n for n in api.get("/api/public/disclosures?kind=annual").get_json()["disclosures"]
                  if n["title"].startswith("南山"))
    assert "需跟进，已转入下一年度需求库" in notice["text"] and code not in notice["text"]


def test_a_year_without_marks_starts_no_need_and_the_other_community_sees_only_its_own(app, api, december):
    project_in_delivery(app, api, "小区文化活动室")
    review_started(app, api, december)
    theirs = api.task_for("worker2", "annual_review_meeting")
    view = api.get(f"/api/tasks/{theirs['id']}", "worker2").get_json()
    assert options(view, "grade_good") == {} and "本年度没有项目" in view["instructions"]
    assert "北山乐龄服务中心" in options(view, "outstanding_organisations")
    assert "南山邻里互助社" not in options(view, "outstanding_organisations")
    with app.extensions["db_sessions"]() as session:
        before = session.scalar(select(Instance.id).where(Instance.process_id == "need_lifecycle")
                                .order_by(Instance.id.desc()).limit(1))
    api.complete("worker2", "annual_review_meeting", meeting(december), theirs["instance_id"])
    with app.extensions["db_sessions"]() as session:
        after = session.scalar(select(Instance.id).where(Instance.process_id == "need_lifecycle")
                               .order_by(Instance.id.desc()).limit(1))
    assert after == before


def test_the_meeting_page_reads_in_chinese_and_its_checkboxes_submit(app, api, client, december):
    need, _, _ = project_in_delivery(app, api, "小区文化活动室")
    view = review_started(app, api, december)
    key = need["tracking_code"]
    sign_in(client, "worker1")
    html = client.get(f"/tasks/{view['id']}").get_data(as_text=True)
    form = html[html.index('<form method="post" class="card task-form"'):html.index('id="f-attachments"')]
    assert "小区文化活动室（实施中）" in form and "先进组织" in form and "南山邻里互助社" in form
    assert english_words(form) == []
    posted = client.post(f"/tasks/{view['id']}", data={
        "csrf_token": csrf_of(html), "meeting_date": f"{december}-12-05", "attendees": "30", "remarks": "运行良好",
        "grade_good": key, "follow_up_projects": key, "outstanding_organisations": "南山邻里互助社"})
    assert posted.status_code == 302, posted.get_data(as_text=True)
    data = api.get(f"/api/instances/{view['instance_id']}", "auditor1").get_json()["data"]
    assert data["annual_ratings"] == {key: "good"} and set(data["annual_follow_up_needs"]) == {key}


@pytest.mark.parametrize("call", [
    'project_options("nanshan", 2026)', 'organisation_options("nanshan")', 'unit_options("nanshan", 2026)',
    'record_annual_ratings("nanshan", 2026, [], [], [], [])', 'start_annual_follow_ups("nanshan", 2026, [])',
    'annual_disclosure_text("nanshan", 2026, [], "x", {}, [], {})'])
def test_the_annual_review_helpers_reach_no_other_community(app, api, designer, call):
    refused = start_trial(api, designer, "x = " + call, lang="en")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422 and "community nanshan is not" in page


def test_only_a_project_of_the_year_can_be_marked_for_follow_up(app, api, designer):
    refused = start_trial(api, designer, 'x = start_annual_follow_ups("TRIAL", 2026, ["NOPE"])', lang="en")
    assert refused.status_code == 422 and "NOPE is not a project of the year" in refused.get_data(as_text=True)
