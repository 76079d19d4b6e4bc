"""Users, needs and projects made ready for a test, through the app's own API (so they stay honest:
a factory can only build what a person could), at the stage the test starts from.

Needs: submit_need (at assess_reasonableness) → assessed_need (past both assessments) → graded_need
(at resolve_need for an affair). Projects: project_at_design → project_on_notice (resolution posted
for objections) → project_filed (at publish_project) → project_in_delivery (provider chosen, funded)
→ project_delivered (results disclosed, survey open)."""
from datetime import datetime, timedelta

from sqlalchemy import select

from api_client import DEMO_PASSWORD
from flows import to_disclosure, to_project
from helpers import ready, run_timers

DAY = timedelta(days=1)
REASONABLE = {"reasonable": True, "basis": "ok"}
PROJECT_TITLE = "小区需要一个文化活动室"


# ---- users -------------------------------------------------------------------------------------------------

def make_user(app, api, username: str, roles: list[str], community: str = "nanshan",
              display_name: str | None = None) -> str:
    """A new account in `community` (any org code) holding `roles`, signing in with the demo password.

    The account row is written as the demo loader writes its users (no operation creates accounts);
    the roles are given through the administrators' API, so they are checked and audited as usual."""
    from app.people.models import User
    from app.people.org import Organisation
    from app.people.passwords import hash_password
    with app.extensions["db_sessions"]() as session:
        org = session.scalars(select(Organisation).where(Organisation.code == community)).one()
        session.add(User(username=username, display_name=display_name or username,
                         password_hash=hash_password(DEMO_PASSWORD), org=org))
        session.commit()
    give_roles(api, username, roles)
    return username


def give_roles(api, username: str, roles: list[str], status: int = 200, **fields) -> dict:
    """Set a user's roles (and `active`, if given) as the administrator; the answer's body."""
    response = api.post(f"/api/admin/users/{username}/roles", {"roles": roles} | fields, "admin")
    assert response.status_code == status, response.get_json()
    return response.get_json()


# ---- instances of any deployed process ----------------------------------------------------------------------

def started_instance(app, process_id: str, data: dict, at: datetime | None = None, community: str = "nanshan") -> int:
    """An instance of a deployed process started in `community` (engine clock at `at`, if given); its id.

    Started through the workflow operation, as a trigger with no person behind it would start it."""
    from app.db import writing
    from app import clock
    from app.people.org import Organisation
    from app.workflow.instances import start_process
    with app.app_context(), writing(), app.extensions["db_sessions"]() as session, clock.frozen_at(at):
        org = session.scalars(select(Organisation).where(Organisation.code == community)).one()
        instance_id = start_process(session, process_id, data, org, None).id
        session.commit()
    return instance_id


# ---- needs -------------------------------------------------------------------------------------------------

def submit_need(api, worker: str = "worker1", **fields) -> dict:
    """A need recorded by `worker` (fields override the default 楼道灯 need), at assess_reasonableness."""
    return api.record_need(worker, **fields)


def assessed_need(api, responsibility: str = "community", worker: str = "worker1",
                  assessment: dict = REASONABLE, **fields) -> dict:
    """A need found reasonable and assigned: at grade_need (community) or street_handle (government)."""
    need = submit_need(api, worker, **fields)
    iid = need["instance_id"]
    api.complete(worker, "assess_reasonableness", assessment, iid)
    api.complete(worker, "assess_responsibility", {"responsibility": responsibility}, iid)
    return need


def graded_need(api, tier: str = "A", weight: str = "routine", worker: str = "worker1",
                assessment: dict = REASONABLE, **fields) -> dict:
    """A community affair graded `tier`, waiting at resolve_need (routine) or its handling step."""
    need = assessed_need(api, "community", worker, assessment, **fields)
    api.complete(worker, "grade_need", {"tier": tier, "kind": "affair", "affair_weight": weight},
                 need["instance_id"])
    return need


def resolution_task(api, tier: str = "A") -> dict:
    """The resolve_need task of a new routine affair graded `tier` (its deadline running)."""
    need = graded_need(api, tier)
    return api.task_for("worker1", "resolve_need", need["instance_id"])


# ---- projects ----------------------------------------------------------------------------------------------

def project_at_design(api, title: str = PROJECT_TITLE, worker: str = "worker1", community: str = "nanshan") -> dict:
    """A need graded C / project, standing at design_project."""
    return to_project(api, title, worker, community)


def project_on_notice(api, title: str = PROJECT_TITLE, worker: str = "worker1", secretary: str = "secretary1",
                      community: str = "nanshan") -> dict:
    """A project through its five deliberations: its resolution is posted for objections."""
    need = project_at_design(api, title, worker, community)
    to_disclosure(api, need["instance_id"], worker, secretary)
    return need


def project_filed(app, api, title: str = PROJECT_TITLE) -> tuple[dict, datetime]:
    """A need whose project was decided and filed, standing at publish_project; and the moved clock."""
    from app import clock
    need = project_on_notice(api, title)
    iid = need["instance_id"]
    at = clock.now() + 7 * DAY + timedelta(minutes=5)
    fired = run_timers(app, at)
    assert "fired timers of 1 instance(s)" in fired, fired  # the publicity period ended; the pass said why not
    api.complete("street1", "street_filing", {"filing_decision": "filed"}, iid)
    assert ready(api, "worker1", iid) == ["publish_project"]
    return need, at


def public_project_id(api, title: str, community: str | None = None) -> int:
    """The id of the one public project with this title (in this community, if given)."""
    path = "/api/public/projects" + (f"?community={community}" if community else "")
    found = [p for p in api.get(path).get_json()["projects"] if p["title"] == title]
    assert len(found) == 1, found
    return found[0]["id"]


def project_in_delivery(app, api, title: str = PROJECT_TITLE) -> tuple[dict, int, datetime]:
    """Published, applied for by provider1, selected by review, with the fiscal share and one donation.

    On the way it checks the refusals a claim meets (a second application, a late one, selecting a
    unit that did not apply), so every test that starts from here also holds them."""
    need, at = project_filed(app, api, title)
    iid = need["instance_id"]
    api.complete("worker1", "publish_project", {"claim_days": 7, "report_interval_days": 14}, iid)
    pid = public_project_id(api, title)
    assert api.get(f"/api/public/projects/{pid}").get_json()["status"] == "claiming"
    applied = api.post(f"/api/projects/{pid}/applications", {"unit_name": "阳光社工服务中心", "plan": "三周完成改造"},
                       "provider1")
    assert applied.status_code == 201
    assert api.post(f"/api/projects/{pid}/applications", {"unit_name": "再来一次", "plan": "重复"},
                    "provider1").status_code == 409
    assert api.post(f"/api/projects/{pid}/volunteers", None, "volunteer1").status_code == 201
    assert ready(api, "worker1", iid) == []  # claiming is open for 7 days
    at += 7 * DAY + timedelta(minutes=5)
    run_timers(app, at)
    assert api.post(f"/api/projects/{pid}/applications", {"unit_name": "迟到单位", "plan": "晚了"},
                    "provider1").status_code == 409
    bad = api.post(f"/api/tasks/{api.task_for('worker1', 'select_provider', iid)['id']}/complete",
                   {"data": {"selection_mode": "review", "funding_mode": "direct_grant", "provider": "nobody",
                             "selection_reason": "评审"}}, "worker1")
    assert bad.status_code == 400  # only an applicant may be selected
    api.complete("worker1", "select_provider", {"selection_mode": "review", "funding_mode": "direct_grant",
                                                "provider": "provider1", "selection_reason": "评审得分最高"}, iid)
    api.complete("worker1", "fund_project", {"fiscal_amount": 30000}, iid)
    donation = api.post(f"/api/projects/{pid}/fund", {"kind": "donation", "source": "辖区企业", "amount": 20000},
                        "worker1")
    assert donation.status_code == 201 and donation.get_json()["balance"] == 50000
    return need, pid, at


def project_delivered(api, iid: int, worker: str = "worker1", supervisor: str = "supervisor1") -> None:
    """From select_provider: provider1 chosen, funded, delivered, results disclosed; the survey opens."""
    api.complete(worker, "select_provider", {"selection_mode": "review", "funding_mode": "direct_grant",
                                             "provider": "provider1", "selection_reason": "唯一申请"}, iid)
    api.complete(worker, "fund_project", {"fiscal_amount": 30000}, iid)
    api.complete(worker, "progress_report", {"progress_percent": 100, "progress_text": "完工", "finished": True}, iid)
    api.complete(worker, "complete_project", {"completed_on": "2026-12-30", "delivery_summary": "已交付"}, iid)
    api.complete(supervisor, "results_disclosure", {"results_approved": True, "review_comment": "账目清楚"}, iid)
