"""Shared steps for API tests: driving a need to its project decision (factories.py builds on them)."""
from helpers import run_timers  # noqa: F401 (long imported from here)

OK = {"reasonable": True, "basis": "符合社区发展规划"}
DESIGN = {"plan": "改造闲置车库为居民文化活动室", "budget": 50000, "funding_fiscal": 30000, "funding_other": 20000,
          "resources": "物业提供场地，辖区企业捐赠桌椅"}


def to_project(api, title: str = "小区需要一个文化活动室", worker: str = "worker1", community: str = "nanshan") -> dict:
    """A need graded C / project, standing at design_project."""
    need = api.record_need(worker, category="culture", title=title, community=community)
    iid = need["instance_id"]
    api.complete(worker, "assess_reasonableness", OK, iid)
    api.complete(worker, "assess_responsibility", {"responsibility": "community"}, iid)
    api.complete(worker, "grade_need", {"tier": "C", "kind": "project"}, iid)
    return need


def meeting(present: int, votes_for: int, date: str = "2026-12-10", **extra) -> dict:
    """A meeting record: the rest of those present vote against (`present` becomes a sign-in sheet: signed)."""
    return {"meeting_date": date, "present": present, "votes_for": votes_for, "votes_against": present - votes_for,
            "abstain": 0, "minutes": "会议记录"} | extra


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
    api.complete(worker, "design_project", DESIGN, iid)
    api.complete(secretary, "project_assessment", {"feasible": True, "risk": "低", "fit": "契合居民需求"}, iid)


def first_four_meetings(api, iid: int, worker: str = "worker1", secretary: str = "secretary1") -> None:
    """群众建议, 党组织提议, “两委”商议 (at a meeting) and 党员大会审议, each valid and passed."""
    api.complete(worker, "resident_suggestion", {"meeting_date": "2026-12-01", "hearing_held": True,
                                                 "hearing_date": "2026-11-30", "hearing_summary": "居民一致赞成",
                                                 "minutes": "听证会意见一致"}, iid)
    signed(api, secretary, "party_proposal", meeting(5, 4, "2026-12-02"), iid)
    api.complete(worker, "choose_voting_mode", {"voting_mode": "meeting"}, iid)
    signed(api, worker, "committees_deliberation", meeting(7, 6, "2026-12-03"), iid)
    signed(api, secretary, "party_members_review", meeting(30, 25, "2026-12-08", notice_date="2026-12-04"), iid)


def to_disclosure(api, iid: int, worker: str = "worker1", secretary: str = "secretary1") -> None:
    """Through all five deliberations: the resolution is posted for objections."""
    design_and_assess(api, iid, worker, secretary)
    first_four_meetings(api, iid, worker, secretary)
    signed(api, worker, "representatives_resolution", meeting(25, 20, assembly="representatives"), iid)


def to_committees(api, iid: int, voting_mode: str) -> None:
    """Design, assessment, the residents' suggestions (no hearing) and the party's proposal, passed; the
    committees' voting mode chosen ("meeting": committees_deliberation; "online": one committee_vote each)."""
    design_and_assess(api, iid)
    api.complete("worker1", "resident_suggestion", {"meeting_date": "2026-12-01", "hearing_held": False,
                                                    "minutes": "征集意见"}, iid)
    signed(api, "secretary1", "party_proposal", meeting(5, 4), iid)
    api.complete("worker1", "choose_voting_mode", {"voting_mode": voting_mode}, iid)


def to_party_members_review(api, iid: int) -> None:
    """Design, assessment and the first three deliberations (no hearing; meeting vote), all passed."""
    to_committees(api, iid, "meeting")
    signed(api, "worker1", "committees_deliberation", meeting(7, 5), iid)
