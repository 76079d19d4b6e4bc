"""Diagram helpers act only inside their own case; each write they make is in the instance's history;
designers' trial instances run in the trial community, which no public list or dashboard shows."""
from datetime import datetime, timedelta, timezone
import re
from xml.sax.saxutils import escape

import pytest
from sqlalchemy import func, select

from app.workflow.models.audit import AuditEvent
from app.modules.decision.models import Ballot, Meeting, Project
from app.modules.disclosure.models import Disclosure
from app.modules.delivery.models import FundEntry
from app.workflow.models.instance import Instance
from app.workflow.models.notification import Notification
from app.people.org import Organisation
from app.modules.timebank.models import VolunteerHours
from bpmn_samples import package, with_script
from flows import run_timers, to_committees, to_project
from helpers import deploy, page_csrf

OWN_CASE_SCRIPT = """k = case_key()
register_project(k, "TRIAL", "试用项目")
set_project_status(k, "disclosed")
set_project_status(k, "filed")
closes = publish_project(k, "TRIAL", "试用项目", 100, 7)
balance = record_fiscal_share(k, 100)
set_project_progress(k, 50)
record_scores(k, 5, 4, 3)
notice = open_disclosure("implementation", "TRIAL", k, "试用进度公示", "已完成一半", 0)
linked = open_disclosure("annual", "TRIAL", "", "领奖<b>通知</b>", "详见 http://evil.example/x 或访问evil.com，<a href='x'>点此</a>，[这里](https://e.cn)", 0)
notify_role("community_worker", "TRIAL", "试用通知")
overlaps = find_overlaps("TRIAL", "culture", "", "试用", k)
filing = file_decision(k, "filed", "")"""
OWN_CASE_EVENTS = {"project_registered", "project_status_changed", "project_published", "fund_entry_added",
                   "project_progress_changed", "project_scores_recorded", "disclosure_opened", "notification_sent",
                   "decision_filed"}
CHINA = timezone(timedelta(hours=8))


@pytest.fixture
def others(api):
    """Live records of real communities: a 北山 need, a 南山 need at its project, and its disclosure key."""
    beishan = api.record_need("worker2", community="beishan", title="北山路灯不亮")
    nanshan = to_project(api)
    return {"beishan": beishan["tracking_code"], "nanshan": nanshan["tracking_code"],
            "nanshan_iid": nanshan["instance_id"]}


def start_trial(api, designer, script: str, community: str = "TRIAL", lang: str = "zh_CN"):
    """Deploy a one-script process as designer1 (API) and start it from the designer's page (in `lang`)."""
    deployed = deploy(api, package(with_script(escape(script))))
    assert deployed.status_code in (200, 201), deployed.get_json()
    token = page_csrf(designer, f"/designer/sample/start?lang={lang}")
    return designer.post("/designer/sample/start", data={"csrf_token": token, "community": community})


def counts(app) -> dict:
    with app.extensions["db_sessions"]() as session:
        return {model.__name__: session.scalar(select(func.count()).select_from(model)) for model in (
            Ballot, Disclosure, FundEntry, Meeting, Project, Notification, VolunteerHours)} | {
            "trial_instances": session.scalar(select(func.count()).select_from(Instance)
                                              .where(Instance.process_id == "sample")),
            "supporters": session.scalar(select(func.sum(Instance.supporters)))}


FOREIGN_CALLS = [
    ('find_overlaps("beishan", "daily_life", "", "北山路灯不亮", case_key())', "community beishan is not this case"),
    ('find_overlaps("TRIAL", "daily_life", "", "x", "{beishan}")', "is not this case"),
    ('merge_need("{nanshan}", "{beishan}")', "is not this case"),
    ('merge_need("{nanshan}", case_key())', "is not an open need of this community"),
    ('cast_ballot("{nanshan}:committees:1", "designer1", "for")', "is not one of this case"),
    ('cast_ballot(case_key() + ":committees:1", "committee1", "for")', "only by the member submitting it"),
    ('tally_ballots("{nanshan}:committees:1")', "is not one of this case"),
    ('record_fiscal_share("{nanshan}", 99999)', "is not this case"),
    ('record_spending("{nanshan}", 1, "x")', "is not this case"),
    ('set_project_progress("{nanshan}", 100)', "is not this case"),
    ('record_scores("{nanshan}", 1, 1, 1)', "is not this case"),
    ('set_project_status("{nanshan}", "filed")', "is not this case"),
    ('register_project("{nanshan}", "nanshan", "x")', "is not this case"),
    ('save_meeting(case_key(), "party_proposal", {{"community": "nanshan"}})', "community nanshan is not"),
    ('open_disclosure("annual", "nanshan", "", "公告", "正文", 0)', "community nanshan is not"),
    ('notify_role("community_worker", "nanshan", "你好")', "community nanshan is not"),
    ('register_size("beishan", "residents")', "community beishan is not"),
    ('committee_roster("nanshan")', "community nanshan is not"),
    ('register_roster("nanshan", "party_members")', "community nanshan is not"),
    ('sign_in("nanshan", "party_members", [], [], "", 0, 0, 0)', "community nanshan is not"),
    ('record_sign_in(1, {{"attendees": ["1"]}})', "is not one of this case's meetings"),
    ('year_projects("nanshan", 2026)', "community nanshan is not"),
    ('answer_objection_record(1, True, "已答复")', "OBJ1 is not this case"),
    ('objection_state(1)', "is not a record of this case"),
    ('end_publicity(1)', "is not a record of this case"),
    ('unsettled_objections(1)', "is not a record of this case"),
    ('notify_objector(1)', "OBJ1 is not this case"),
    ('redeem_points(1)', "RD1 is not this case"),
    ('refuse_redemption(1, "x")', "RD1 is not this case"),
    ('points_balance("volunteer1")', "volunteer1 is not a volunteer of this case"),
    ('log_volunteer_hours("volunteer1", 2, "服务", "TRIAL", "")', "volunteer1 is not a volunteer of this case"),
    ('publish_project("{nanshan}", "nanshan", "x", 1, 1)', "community nanshan is not"),
    ('applicant_options("{nanshan}")', "is not this case"),
    ('open_survey("{nanshan}", 7)', "is not this case"),
    ('start_follow_up_need("{nanshan}", "x")', "is not this case"),
    ('file_decision("{nanshan}", "filed", "")', "is not this case"),
]


@pytest.mark.parametrize("call, reason", FOREIGN_CALLS, ids=[c.split("(")[0] + str(i) for i, (c, _r) in
                                                               enumerate(FOREIGN_CALLS)])
def test_a_trial_reaching_another_case_is_refused_and_changes_nothing(app, api, designer, others, call, reason):
    before = counts(app)
    refused = start_trial(api, designer, "x = " + call.format(**others), lang="en")
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422, page
    assert "the process could not start" in page and reason in page.replace("&#39;", "'")
    assert counts(app) == before


def test_a_helpers_refusal_reads_in_chinese_on_a_chinese_page(app, api, designer, others):
    nanshan, beishan = others["nanshan"], others["beishan"]
    refused = start_trial(api, designer, f'x = merge_need("{nanshan}", "{beishan}")')
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert re.search(rf"流程无法启动：({nanshan}|{beishan}) 不是本事项（TRIAL-\w+）：流程只能处理本事项", page)
    assert "a process acts only on its own case" not in page


def test_helpers_on_their_own_case_work_and_each_write_is_in_its_history(app, api, designer):
    started = start_trial(api, designer, OWN_CASE_SCRIPT)
    assert started.status_code == 302, started.get_data(as_text=True)
    with app.extensions["db_sessions"]() as session:
        trial = session.scalars(select(Instance).where(Instance.process_id == "sample")).one()
        assert trial.community.code == "TRIAL" and trial.business_key.startswith("TRIAL-")
        project = session.scalars(select(Project).where(Project.project_key == trial.business_key)).one()
        assert (project.status, project.progress_percent, project.self_score) == ("claiming", 50, 5)
        linked = session.scalars(select(Disclosure).where(Disclosure.kind == "annual",
                                                          Disclosure.community_id == trial.community_id)).one()
        assert (linked.title, linked.text) == ("领奖通知", "详见 （链接已删除） 或访问（链接已删除），点此，这里")
        iid = trial.id
    events = api.get(f"/api/instances/{iid}/history", "designer1").get_json()["events"]
    written = {e["event_type"]: e["actor"] for e in events if e["event_type"] in OWN_CASE_EVENTS}
    assert written == dict.fromkeys(OWN_CASE_EVENTS, "designer1")
    assert all(e["actor"] == "designer1" for e in events)


def test_a_ballot_and_a_meeting_in_a_real_case_are_in_its_history_with_who_acted(app, api):
    iid = to_project(api)["instance_id"]
    to_committees(api, iid, "online")
    api.complete("committee3", "committee_vote", {"vote": "against"}, iid)
    events = api.get(f"/api/instances/{iid}/history", "auditor1").get_json()["events"]
    done = [(e["event_type"], e["actor"]) for e in events]
    assert ("ballot_cast", "committee3") in done
    assert ("meeting_recorded", "secretary1") in done and ("project_registered", "worker1") in done


def test_trial_instances_start_only_in_the_trial_community(app, api, designer):
    page = designer.get("/designer/sample/start")
    assert page.status_code == 404  # nothing deployed yet
    refused = start_trial(api, designer, "x = 1", community="nanshan")
    assert refused.status_code == 400 and "试用实例只能在试用社区中发起" in \
        refused.get_data(as_text=True)
    offered = designer.get("/designer/sample/start").get_data(as_text=True)
    assert 'value="TRIAL"' in offered and 'value="nanshan"' not in offered
    assert start_trial(api, designer, "x = 1").status_code == 302
    with app.extensions["db_sessions"]() as session:
        started = session.scalars(select(Organisation.code).join(Instance, Instance.community_id == Organisation.id)
                                  .where(Instance.process_id == "sample")).all()
        assert started == ["TRIAL"]
    assert not [t for t in api.inbox("worker1") if t["process_id"] == "sample"]
    assert not [t for t in api.inbox("worker2") if t["process_id"] == "sample"]


def test_the_trial_communitys_cases_are_in_no_public_list_dashboard_or_annual_review(app, api, designer):
    assert start_trial(api, designer, OWN_CASE_SCRIPT).status_code == 302
    with app.extensions["db_sessions"]() as session:
        notice = session.scalars(select(Disclosure).where(Disclosure.title == "试用进度公示")).one()
        project = session.scalars(select(Project).where(Project.title == "试用项目")).one()
        notice_id, project_id = notice.id, project.id
    assert "试用" not in str(api.get("/api/public/disclosures").get_json())
    assert api.get(f"/api/public/disclosures/{notice_id}").status_code == 404
    assert "试用" not in str(api.get("/api/public/projects").get_json())
    assert api.get(f"/api/public/projects/{project_id}").status_code == 404
    assert "试用" not in api.get("/disclosures").get_data(as_text=True)
    assert "试用" not in api.get("/projects").get_data(as_text=True)
    for user in ("admin", "auditor1", "street1"):
        board = api.get("/api/dashboard", user).get_json()
        assert "TRIAL" not in {c["key"] for c in board["by_community"]}
        listed = api.get("/api/instances", user).get_json()["instances"]
        assert not [i for i in listed if i["community"] == "TRIAL"]
    run_timers(app, datetime(2027, 12, 1, 9, 5, tzinfo=CHINA))
    with app.extensions["db_sessions"]() as session:
        keys = set(session.scalars(select(Instance.business_key).where(Instance.process_id == "annual_review")))
        assert keys and not [k for k in keys if "TRIAL" in k]
        assert session.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.event_type == "disclosure_opened")) >= 1


def test_a_designer_plays_every_lane_of_a_trial_and_no_one_else_sees_it(app, api, designer):
    assert start_trial(api, designer, "x = 1").status_code == 302
    # The trial's task sits in the community workers' lane: the designer works it, as no real worker can.
    task = api.task_for("designer1", "work")
    assert task["process_id"] == "sample"
    assert not [t for t in api.inbox("worker1") if t["process_id"] == "sample"]
    refused = api.post(f"/api/tasks/{task['id']}/complete", {"data": {}}, "worker1")
    assert refused.status_code == 403
    done = api.post(f"/api/tasks/{task['id']}/complete", {"data": {}}, "designer1")
    assert done.status_code == 200, done.get_json()
    assert done.get_json()["instance"]["status"] == "completed"
