"""Shared steps for API tests: driving a need to its project decision (factories.py builds on them).

Dates come from the app's clock: the need is recorded (and its project designed) ten days ago, with the
clock moved there; its meetings are then recorded now, each dated in order in the past ten days
(`MEETING_DAYS_AGO`), and the plan is delivered to the party members (送达记录) six days ago."""
from datetime import timedelta, timezone

from app import clock
from helpers import frozen_at, run_timers  # noqa: F401 (run_timers long imported from here)

CHINA = timezone(timedelta(hours=8))
NEED_DAYS_AGO = 10
MEETING_DAYS_AGO = {"resident_suggestion": 9, "party_proposal": 8, "committees_deliberation": 7,
                    "notice": 6, "party_members_review": 3, "representatives_resolution": 1}
CHAIRS = {"resident_suggestion": ("residents_committee", "committee_director"),
          "party_proposal": ("party_organisation", "party_secretary"),
          "committees_deliberation": ("party_organisation", "party_secretary"),
          "party_members_review": ("party_organisation", "party_secretary"),
          "representatives_resolution": ("residents_committee", "committee_director")}

OK = {"reasonable": True, "basis": "符合社区发展规划"}
DESIGN = {"plan": "改造闲置车库为居民文化活动室", "budget": 50000, "funding_fiscal": 30000, "funding_other": 20000,
          "resources": "物业提供场地，辖区企业捐赠桌椅"}


def ago(days: float = 0, minutes: int = 0):
    """The app clock's instant that many days and minutes ago."""
    return clock.now() - timedelta(days=days, minutes=minutes)


def day_ago(days: float) -> str:
    """The China date that many days ago, as a form sends it."""
    return ago(days).astimezone(CHINA).date().isoformat()


def chinese_day_ago(days: float) -> str:
    """The China date that many days ago, as pages show it (2026年12月1日)."""
    local = ago(days).astimezone(CHINA)
    return f"{local.year}年{local.month}月{local.day}日"


def when(days: float = 0, minutes: int = 0) -> dict:
    """A meeting's date and time fields, that many days and minutes ago (China time)."""
    local = ago(days, minutes).astimezone(CHINA)
    return {"meeting_date": local.date().isoformat(), "meeting_time": local.strftime("%H:%M")}


def record(meeting_id: str = "party_proposal", **extra) -> dict:
    """The meeting record's own fields (会议记录) for a meeting of this kind, convened and chaired by its body."""
    convener, post = CHAIRS[meeting_id]
    return {"place": "南山社区党群服务中心二楼会议室", "convener": convener, "chair": "王书记", "chair_post": post,
            "recorder": "李记录", "observers": "街道包联干部 张同志", "agenda": "审议：小区文化活动室项目方案",
            "discussion": "与会人员逐项讨论了选址、预算和开放时间"} | extra


def meeting(present: int, votes_for: int, date: str | None = None, meeting_id: str = "party_proposal",
            days: float | None = None, minutes: int = 0, **extra) -> dict:
    """A meeting record of `meeting_id`, held `days` (and `minutes`) ago (default: its day in MEETING_DAYS_AGO)
    or on `date`: the rest of those present vote against."""
    held = when(MEETING_DAYS_AGO[meeting_id] if days is None else days, minutes)
    if date is not None:
        held["meeting_date"] = date
    return held | {"present": present, "votes_for": votes_for, "votes_against": present - votes_for,
                   "abstain": 0, "minutes": "会议记录"} | record(meeting_id) | extra


def suggestion(hearing: bool = False, **extra) -> dict:
    """The residents' suggestions (群众建议) gathered nine days ago, with or without a hearing."""
    held = when(MEETING_DAYS_AGO["resident_suggestion"])
    hearing_fields = {"hearing_date": held["meeting_date"], "hearing_summary": "居民一致赞成"} if hearing else {}
    return held | {"hearing_held": hearing, "minutes": "听证会意见一致" if hearing else "征集意见"} | hearing_fields \
        | record("resident_suggestion") | extra


def deliver_notice(api, project_id: int, days: float | None = None, as_user: str = "secretary1", **extra):
    """The plan delivered to the party members (送达记录), recorded with the clock `days` ago; the response."""
    with frozen_at(ago(MEETING_DAYS_AGO["notice"] if days is None else days)):
        return api.post(f"/api/projects/{project_id}/notices", {
            "meeting": "party_members_review", "method": "in_person", "recipients": 40, "delivered_by": "各网格党小组长"}
            | extra, as_user)


def notice_given(api, iid: int, days: float | None = None, as_user: str = "secretary1") -> str:
    """Deliver the plan to the party members `days` ago (recorded by `as_user`); the date to give as notice_date."""
    response = deliver_notice(api, project_of(api, iid), days, as_user)
    assert response.status_code == 201, response.get_json()
    return response.get_json()["delivered_on"]


def project_of(api, iid: int) -> int:
    """The id of the case's project (staff reach it from the case's page)."""
    from sqlalchemy import select
    from app.modules.decision.models import Project
    with api.client.application.extensions["db_sessions"]() as session:
        return session.scalars(select(Project.id).where(Project.instance_id == iid)).one()


def to_project(api, title: str = "小区需要一个文化活动室", worker: str = "worker1", community: str = "nanshan") -> dict:
    """A need graded C / project, recorded ten days ago, standing at design_project."""
    with frozen_at(ago(NEED_DAYS_AGO)):
        need = api.record_need(worker, category="culture", title=title, community=community)
        iid = need["instance_id"]
        api.complete(worker, "assess_reasonableness", OK, iid)
        api.complete(worker, "assess_responsibility", {"responsibility": "community"}, iid)
        api.complete(worker, "grade_need", {"tier": "C", "kind": "project"}, iid)
    return need


def sheet(api, username: str, bpmn_id: str, iid: int, record: dict, excused: int = 0) -> dict:
    """The record with its sign-in sheet picked from the register the task offers, as a clerk ticks it: the first
    `excused` members who may be excused are excused (with a reason), then the first `present` others sign in
    (for a 居民（代表）会议, from the chosen meeting's register)."""
    task = api.task_for(username, bpmn_id, iid)
    fields = api.get(f"/api/tasks/{task['id']}", username).get_json()["form"]["schema"]["properties"]
    lead = {"representatives": "【居民代表】", "residents": "【户代表】"}.get(record.get("assembly"), "")
    away = [o["const"] for o in fields["excused"]["items"].get("oneOf", []) if o["title"].startswith(lead)][:excused]
    roster = [o["const"] for o in fields["attendees"]["items"]["oneOf"]
              if o["title"].startswith(lead) and o["const"] not in away]
    record = dict(record)
    present = record.pop("present")
    assert present <= len(roster), f"only {len(roster)} on the register for {bpmn_id}"
    return record | {"attendees": roster[:present], "excused": away} | ({"excused_reason": "外出务工"} if away else {})


def signed(api, username: str, bpmn_id: str, record: dict, iid: int, excused: int = 0, status: int = 200) -> dict:
    """Complete a meeting task with the record and a sign-in sheet of `record["present"]` members."""
    return api.complete(username, bpmn_id, sheet(api, username, bpmn_id, iid, record, excused), iid, status)


def design_and_assess(api, iid: int, worker: str = "worker1", secretary: str = "secretary1") -> None:
    """The plan designed and assessed, just after the need was recorded (ten days ago)."""
    with frozen_at(ago(NEED_DAYS_AGO - 0.1)):
        api.complete(worker, "design_project", DESIGN, iid)
        api.complete(secretary, "project_assessment", {"feasible": True, "risk": "低", "fit": "契合居民需求"}, iid)


def first_four_meetings(api, iid: int, worker: str = "worker1", secretary: str = "secretary1") -> None:
    """群众建议, 党组织提议, “两委”商议 (at a meeting) and 党员大会审议, each valid and passed."""
    api.complete(worker, "resident_suggestion", suggestion(hearing=True), iid)
    signed(api, secretary, "party_proposal", meeting(5, 4), iid)
    api.complete(worker, "choose_voting_mode", {"voting_mode": "meeting"}, iid)
    signed(api, worker, "committees_deliberation", meeting(7, 6, meeting_id="committees_deliberation"), iid)
    notice = notice_given(api, iid, as_user=secretary)
    signed(api, secretary, "party_members_review",
                 meeting(30, 25, meeting_id="party_members_review", notice_date=notice), iid)


def to_disclosure(api, iid: int, worker: str = "worker1", secretary: str = "secretary1") -> None:
    """Through all five deliberations: the resolution is posted for objections."""
    design_and_assess(api, iid, worker, secretary)
    first_four_meetings(api, iid, worker, secretary)
    signed(api, worker, "representatives_resolution",
                 meeting(25, 20, meeting_id="representatives_resolution", assembly="representatives"), iid)


def to_committees(api, iid: int, voting_mode: str) -> None:
    """Design, assessment, the residents' suggestions (no hearing) and the party's proposal, passed; the
    committees' voting mode chosen ("meeting": committees_deliberation; "online": one committee_vote each)."""
    design_and_assess(api, iid)
    api.complete("worker1", "resident_suggestion", suggestion(), iid)
    signed(api, "secretary1", "party_proposal", meeting(5, 4), iid)
    api.complete("worker1", "choose_voting_mode", {"voting_mode": voting_mode}, iid)


def to_party_members_review(api, iid: int) -> None:
    """Design, assessment and the first three deliberations (no hearing; meeting vote), all passed."""
    to_committees(api, iid, "meeting")
    signed(api, "worker1", "committees_deliberation", meeting(7, 5, meeting_id="committees_deliberation"), iid)


def rejected_project(api, note: str = "选址存在消防隐患") -> dict:
    """A need whose project failed the party's proposal (2 of 5 for) and was then ended as rejected with `note`."""
    need = to_project(api)
    iid = need["instance_id"]
    design_and_assess(api, iid)
    api.complete("worker1", "resident_suggestion", suggestion(), iid)
    signed(api, "secretary1", "party_proposal", meeting(5, 2), iid)  # 2 of 5: not passed
    api.complete("worker1", "revise_plan", {"revise_decision": "reject", "revise_note": note}, iid)
    return need
