"""Meetings and disclosures name their project, ballots their case, by foreign key; migration 0013 backfills
them from the string keys the diagrams pass."""
from alembic import command
from sqlalchemy import select

from app.migrate import alembic_config, upgrade
from app.modules.decision.models import Ballot, Meeting, Project
from app.modules.disclosure.models import Disclosure
from app.workflow.models.instance import Instance
from flows import design_and_assess, meeting, signed, suggestion, to_disclosure, to_project
from test_project_decision_api import decision_notice


def decided_with_online_votes(api) -> dict:
    """One need at its disclosure, and another whose two committees voted online (two ballots cast)."""
    disclosed = to_project(api)
    to_disclosure(api, disclosed["instance_id"])
    voted = to_project(api, title="楼道需要安装扶手")
    iid = voted["instance_id"]
    design_and_assess(api, iid)
    api.complete("worker1", "resident_suggestion", suggestion(), iid)
    signed(api, "secretary1", "party_proposal", meeting(5, 4), iid)
    api.complete("worker1", "choose_voting_mode", {"voting_mode": "online"}, iid)
    for n in (1, 2):
        api.complete(f"committee{n}", "committee_vote", {"vote": "for"}, iid)
    return {"disclosed": disclosed, "voted": voted}


def links(app) -> dict:
    """Each record's foreign key, checked against the string key it was written with."""
    with app.extensions["db_sessions"]() as session:
        projects = dict(session.execute(select(Project.project_key, Project.id)).all())
        cases = dict(session.execute(select(Instance.business_key, Instance.id)).all())
        # Since 0015 a meeting and a notice name their project by its key alone: a meeting's project is its
        # case's, and the case that posted a notice is keyed like its project.
        project_cases = dict(session.execute(select(Project.id, Project.instance_id)).all())
        meetings = {m.id: m.project_id for m in session.scalars(select(Meeting))}
        notices = [(session.get(Instance, d.instance_id).business_key, d.project_id)
                   for d in session.scalars(select(Disclosure)) if d.project_id]
        ballots = [(b.ballot_key.split(":")[0], b.instance_id) for b in session.scalars(select(Ballot))]
    assert all(projects[key] == pid for key, pid in notices)
    assert all(cases[key] == iid for key, iid in ballots)
    assert all(project_cases.get(pid) is not None for pid in meetings.values())
    return {"meetings": meetings, "disclosures": len(notices), "ballots": len(ballots)}


def test_records_written_by_the_diagrams_carry_their_foreign_keys(app, api):
    cases = decided_with_online_votes(api)
    found = links(app)
    assert len(found["meetings"]) >= 7 and found["disclosures"] >= 1 and found["ballots"] == 2
    notice = decision_notice(api, cases["disclosed"]["tracking_code"])
    assert len(notice["meetings"]) == 5 and notice["project"] is not None  # read through the foreign keys


def test_the_migration_backfills_the_keys_from_the_strings(app, api, database_url):
    decided_with_online_votes(api)
    before = links(app)
    app.extensions["db_engine"].dispose()
    command.downgrade(alembic_config(database_url), "0013")
    upgrade(database_url)
    assert links(app) == before
    with app.extensions["db_sessions"]() as session:
        assert None not in session.scalars(select(Meeting.project_id)).all()
        assert None not in session.scalars(select(Ballot.instance_id)).all()
