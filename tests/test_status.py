"""Status enums: a diagram helper given an unknown status, or a change its table refuses, fails the script
with the reason, so the person's submission is refused with nothing changed."""
import pytest
from sqlalchemy import select

from app.modules.decision.models import Project, ProjectStatus
from app.modules.disclosure.models import ObjectionStatus
from app.modules.timebank.models import HoursStatus, RedemptionStatus
from app.status import TransitionRefused, allowed, change_status, check_transition
from app.workflow.models.instance import InstanceStatus
from test_helper_scope import counts, start_trial

pytestmark = pytest.mark.usefixtures("designer")
START = 'k = case_key()\nregister_project(k, "TRIAL", "试用项目")\n'


@pytest.mark.parametrize("script, reason", [
    ('set_project_status(k, "approved")', "'approved' is not a ProjectStatus (known: deciding, disclosed"),
    ('set_project_status(k, "evaluated")', "a ProjectStatus cannot go from 'deciding' to 'evaluated'"),
    ('set_project_status(k, "disclosed")\nset_project_status(k, "claiming")',
     "a ProjectStatus cannot go from 'disclosed' to 'claiming'"),
    ('publish_project(k, "TRIAL", "试用项目", 100, 7)', "a ProjectStatus cannot go from 'deciding' to 'claiming'"),
])
def test_a_status_the_project_cannot_take_fails_the_script_and_changes_nothing(app, api, designer, script, reason):
    before = counts(app)
    refused = start_trial(api, designer, START + script, lang="en")
    page = refused.get_data(as_text=True).replace("&#39;", "'")
    assert refused.status_code == 422 and "the process could not start" in page and reason in page
    assert counts(app) == before


def test_the_statuses_the_diagrams_set_are_stored_as_the_same_text(app, api, designer):
    assert start_trial(api, designer, START + 'set_project_status(k, "disclosed")\n'
                                              'set_project_status(k, "filed")').status_code == 302
    with app.extensions["db_sessions"]() as session:
        project = session.scalars(select(Project).where(Project.title == "试用项目")).one()
        assert project.status == "filed" and project.decided_at is not None
        stored = session.connection().exec_driver_sql(f"SELECT status FROM project WHERE id = {project.id}").scalar()
        assert stored == "filed" and type(stored) is str


def test_each_table_allows_the_shipped_paths_and_refuses_going_back():
    path = ["deciding", "disclosed", "filed", "claiming", "delivering", "completed", "delivered", "evaluating",
            "evaluated"]
    assert all(allowed(ProjectStatus, a, b) for a, b in zip(path, path[1:]))
    assert allowed(ProjectStatus, "evaluated", "disclosed")  # a need handled again (重新办理) is decided again
    assert not allowed(ProjectStatus, "delivering", "claiming")
    assert allowed(InstanceStatus, "error", "running") and not allowed(InstanceStatus, "completed", "running")
    assert not allowed(InstanceStatus, "cancelled", "error")
    assert allowed(HoursStatus, "pending", "confirmed") and not allowed(HoursStatus, "rejected", "confirmed")
    assert not allowed(RedemptionStatus, "redeemed", "refused")
    assert not allowed(ObjectionStatus, "settled", "unsettled")
    assert check_transition(ObjectionStatus, "open", "settled") is ObjectionStatus.SETTLED


def test_change_status_sets_the_record_or_leaves_it_as_it_was():
    class Row:
        status = "pending"
    row = Row()
    assert change_status(row, HoursStatus, "confirmed") == ("pending", HoursStatus.CONFIRMED)
    with pytest.raises(TransitionRefused, match="cannot go from 'confirmed' to 'rejected'"):
        change_status(row, HoursStatus, "rejected")
    assert row.status == "confirmed"
