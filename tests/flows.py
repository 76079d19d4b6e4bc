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
    """A meeting record: the rest of those present vote against."""
    return {"meeting_date": date, "present": present, "votes_for": votes_for, "votes_against": present - votes_for,
            "abstain": 0, "minutes": "会议记录"} | extra


def design_and_assess(api, iid: int, worker: str = "worker1", secretary: str = "secretary1") -> None:
    api.complete(worker, "design_project", DESIGN, iid)
    api.complete(secretary, "project_assessment", {"feasible": True, "risk": "低", "fit": "契合居民需求"}, iid)


def first_four_meetings(api, iid: int, worker: str = "worker1", secretary: str = "secretary1") -> None:
    """群众建议, 党组织提议, “两委”商议 (at a meeting) and 党员大会审议, each valid and passed."""
    api.complete(worker, "resident_suggestion", {"meeting_date": "2026-12-01", "hearing_held": True,
                                                 "hearing_date": "2026-11-30", "hearing_summary": "居民一致赞成",
                                                 "minutes": "听证会意见一致"}, iid)
    api.complete(secretary, "party_proposal", meeting(5, 4, "2026-12-02"), iid)
    api.complete(worker, "choose_voting_mode", {"voting_mode": "meeting"}, iid)
    api.complete(worker, "committees_deliberation", meeting(7, 6, "2026-12-03"), iid)
    api.complete(secretary, "party_members_review", meeting(30, 25, "2026-12-08", notice_date="2026-12-04"), iid)


def to_disclosure(api, iid: int, worker: str = "worker1", secretary: str = "secretary1") -> None:
    """Through all five deliberations: the resolution is posted for objections."""
    design_and_assess(api, iid, worker, secretary)
    first_four_meetings(api, iid, worker, secretary)
    api.complete(worker, "representatives_resolution", meeting(25, 20, assembly="representatives"), iid)


def to_committees(api, iid: int, voting_mode: str) -> None:
    """Design, assessment, the residents' suggestions (no hearing) and the party's proposal, passed; the
    committees' voting mode chosen ("meeting": committees_deliberation; "online": one committee_vote each)."""
    design_and_assess(api, iid)
    api.complete("worker1", "resident_suggestion", {"meeting_date": "2026-12-01", "hearing_held": False,
                                                    "minutes": "征集意见"}, iid)
    api.complete("secretary1", "party_proposal", meeting(5, 4), iid)
    api.complete("worker1", "choose_voting_mode", {"voting_mode": voting_mode}, iid)


def to_party_members_review(api, iid: int) -> None:
    """Design, assessment and the first three deliberations (no hearing; meeting vote), all passed."""
    to_committees(api, iid, "meeting")
    api.complete("worker1", "committees_deliberation", meeting(7, 5), iid)
