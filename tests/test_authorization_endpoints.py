"""The authorisation matrix over the whole JSON API: every operation of /api/openapi.json × every demo user
(and anonymous) × an object in 南山 (nanshan, the 南山 users' own community) and one in 北山 (beishan).

MATRIX is the expected status of every cell, written out from domain.md and api.md. Each user's test calls
the rows in order on a private copy of one prepared database (the "world"): reads first, then writes. A
write that uses its object up (cancel, withdraw, rate, decide hours, reassign) has an object of its own; on
the open task, release follows claim and complete comes last. Where the table says 2xx the call carries a
valid body, so the status proves access. Listings answering 200 must hold rows of the user's communities only.

Denied cells are 401 (no token) or 403 (a token, but not this role or not this community). No cell expects
404: no object is hidden from a caller by pretending it does not exist. Cells marked 400 are refusals by
field (the body names a community or a volunteer outside the caller's reach); each is commented in place.

World: 北山 has one demo user (worker2), so while the world is built worker2 also stands in as 北山's party
secretary, supervision committee and volunteer; its roles are set back before any cell is called."""
import io
import shutil
import uuid
from datetime import timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import text
from sqlalchemy.engine import make_url

from api_client import DEMO_PASSWORD, Api
from app import create_app
from app import clock
from bpmn_samples import linear, package, process, with_condition
from backends import BACKENDS, PG_URL
from factories import give_roles, project_delivered, project_on_notice, public_project_id
from flows import OK, project_of, to_committees, to_project
from helpers import deploy, run_timers
from test_incidents_api import PASS as INCIDENT_PASS, deploy_ratio, start_ratio

USERS = [None, "resident1", "grid1", "worker1", "worker2", "secretary1", "committee1", "supervisor1", "street1",
         "district1", "provider1", "volunteer1", "evaluator1", "designer1", "auditor1", "admin"]
WHERE = {"-": None, "N": "nanshan", "B": "beishan"}

# One line per operation and object: the status for each user (ano: anonymous, then USERS in order), then
# where the object is (- none, N 南山, B 北山), then the operation as /api/openapi.json names it. Rows run
# top to bottom.
MATRIX = """
ano res grd wk1 wk2 sec com sup str dis pro vol eva des aud adm

# Open to everyone (a token, if sent, changes nothing); anonymous signs in with a wrong password.
200 200 200 200 200 200 200 200 200 200 200 200 200 200 200 200  -  GET /healthz
200 200 200 200 200 200 200 200 200 200 200 200 200 200 200 200  -  GET /api/openapi.json
401 201 201 201 201 201 201 201 201 201 201 201 201 201 201 201  -  POST /api/tokens

# Anyone signed in: their own inbox and notifications; the search answers only from their scope.
401 200 200 200 200 200 200 200 200 200 200 200 200 200 200 200  -  GET /api/notifications
401 200 200 200 200 200 200 200 200 200 200 200 200 200 200 200  -  GET /api/needs/first-responder
401 200 200 200 200 200 200 200 200 200 200 200 200 200 200 200  -  GET /api/tasks
401 200 200 200 200 200 200 200 200 200 200 200 200 200 200 200  -  GET /api/instances
# The needs one leads (我牵头的需求): one's own list, empty for whoever leads none.
401 200 200 200 200 200 200 200 200 200 200 200 200 200 200 200  -  GET /api/lines/led

# The government interface: street, district, and those who read everything.
401 403 403 403 403 403 403 403 200 200 403 403 403 403 200 200  -  GET /api/dashboard
# 双向评价: the street's ratings of communities, read by the street, the district, those who read everything and
# the community itself.
401 403 403 200 200 200 403 403 200 200 403 403 403 403 200 200  -  GET /api/community-ratings
# 三张清单: the staff who look at cases in their communities.
401 403 200 200 200 200 200 200 200 200 403 403 403 403 200 200  -  GET /api/lists/needs
401 403 200 200 200 200 200 200 200 200 403 403 403 403 200 200  -  GET /api/lists/resources
401 403 200 200 200 200 200 200 200 200 403 403 403 403 200 200  -  GET /api/lists/projects
401 403 403 403 403 403 403 403 403 403 403 403 403 403 200 200  -  GET /api/audit/verify
401 403 403 403 403 403 403 403 403 403 403 403 403 403 200 200  -  GET /api/audit/events
401 403 403 403 403 403 403 403 403 403 403 403 403 403 403 200  -  GET /api/admin/users
401 403 403 403 403 403 403 403 403 403 403 200 403 403 403 403  -  GET /api/timebank
# Hours wait for the community's workers (community worker, party secretary) to confirm them.
401 403 403 200 200 200 403 403 403 403 403 403 403 403 403 403  -  GET /api/timebank/hours
# Process definitions: the designer; the auditor (and the administrator) read them.
401 403 403 403 403 403 403 403 403 403 403 403 403 200 200 200  -  GET /api/processes
401 403 403 403 403 403 403 403 403 403 403 403 403 200 200 200  -  GET /api/processes/{process_id}/versions/{version}/bpmn
401 403 403 403 403 403 403 403 403 403 403 403 403 200 200 200  -  GET /api/processes/{process_id}/versions/{version}/files
401 403 403 403 403 403 403 403 403 403 403 403 403 200 200 200  -  GET /api/processes/{process_id}/diff

# The public portal, for anyone, in every community.
200 200 200 200 200 200 200 200 200 200 200 200 200 200 200 200  N  GET /api/public/needs/{code}
200 200 200 200 200 200 200 200 200 200 200 200 200 200 200 200  B  GET /api/public/needs/{code}
200 200 200 200 200 200 200 200 200 200 200 200 200 200 200 200  -  GET /api/public/disclosures
200 200 200 200 200 200 200 200 200 200 200 200 200 200 200 200  N  GET /api/public/disclosures/{disclosure_id}
200 200 200 200 200 200 200 200 200 200 200 200 200 200 200 200  B  GET /api/public/disclosures/{disclosure_id}
200 200 200 200 200 200 200 200 200 200 200 200 200 200 200 200  N  GET /api/public/disclosures/{disclosure_id}/photo
200 200 200 200 200 200 200 200 200 200 200 200 200 200 200 200  B  GET /api/public/disclosures/{disclosure_id}/photo
200 200 200 200 200 200 200 200 200 200 200 200 200 200 200 200  -  GET /api/public/projects
200 200 200 200 200 200 200 200 200 200 200 200 200 200 200 200  N  GET /api/public/projects/{project_id}
200 200 200 200 200 200 200 200 200 200 200 200 200 200 200 200  B  GET /api/public/projects/{project_id}

# A case (a need waiting at assess_reasonableness): the community's staff see it; street and district
# only once it is routed to them; auditor and administrator everywhere.
401 403 200 200 403 200 200 200 403 403 403 403 403 403 200 200  N  GET /api/instances/{instance_id}
401 403 403 403 200 403 403 403 403 403 403 403 403 403 200 200  B  GET /api/instances/{instance_id}
401 403 200 200 403 200 200 200 403 403 403 403 403 403 200 200  N  GET /api/instances/{instance_id}/history
401 403 403 403 200 403 403 403 403 403 403 403 403 403 200 200  B  GET /api/instances/{instance_id}/history
401 403 200 200 403 200 200 200 403 403 403 403 403 403 200 200  N  GET /api/instances/{instance_id}/trace
401 403 403 403 200 403 403 403 403 403 403 403 403 403 200 200  B  GET /api/instances/{instance_id}/trace
401 403 200 200 403 200 200 200 403 403 403 403 403 403 200 200  N  GET /api/instances/{instance_id}/lines
401 403 403 403 200 403 403 403 403 403 403 403 403 403 200 200  B  GET /api/instances/{instance_id}/lines
401 403 200 200 403 200 200 200 403 403 403 403 403 403 200 200  N  GET /api/attachments/{attachment_id}
401 403 403 403 200 403 403 403 403 403 403 403 403 403 200 200  B  GET /api/attachments/{attachment_id}

# A project's applications and ledger: its community's project staff, the street and district above it.
401 403 403 200 403 200 200 200 200 200 403 403 403 403 200 200  N  GET /api/projects/{project_id}/applications
401 403 403 403 200 403 403 403 200 200 403 403 403 403 200 200  B  GET /api/projects/{project_id}/applications
401 403 403 200 403 200 200 200 200 200 403 403 403 403 200 200  N  GET /api/projects/{project_id}/fund
401 403 403 403 200 403 403 403 200 200 403 403 403 403 200 200  B  GET /api/projects/{project_id}/fund
# The community micro-fund (社区微基金) and its 台账: the same staff, by community.
401 403 403 200 403 200 200 200 200 200 403 403 403 403 200 200  N  GET /api/micro-fund/{community}
401 403 403 403 200 403 403 403 200 200 403 403 403 403 200 200  B  GET /api/micro-fund/{community}
401 403 403 200 403 200 200 200 200 200 403 403 403 403 200 200  N  GET /api/micro-fund/{community}/export
401 403 403 403 200 403 403 403 200 200 403 403 403 403 200 200  B  GET /api/micro-fund/{community}/export

# A project's meeting records (会议记录), void ones too, and its delivery records: the same project staff.
401 403 403 200 403 200 200 200 200 200 403 403 403 403 200 200  N  GET /api/projects/{project_id}/meetings
401 403 403 403 200 403 403 403 200 200 403 403 403 403 200 200  B  GET /api/projects/{project_id}/meetings
401 403 403 200 403 200 200 200 200 200 403 403 403 403 200 200  N  GET /api/projects/{project_id}/meetings/{meeting_id}
401 403 403 403 200 403 403 403 200 200 403 403 403 403 200 200  B  GET /api/projects/{project_id}/meetings/{meeting_id}

# The task's lane is community_worker: only the community's worker may open, claim, release, complete it.
401 403 403 200 403 403 403 403 403 403 403 403 403 403 403 403  N  GET /api/tasks/{task_id}
401 403 403 403 200 403 403 403 403 403 403 403 403 403 403 403  B  GET /api/tasks/{task_id}
401 403 403 200 403 403 403 403 403 403 403 403 403 403 403 403  N  POST /api/tasks/{task_id}/claim
401 403 403 403 200 403 403 403 403 403 403 403 403 403 403 403  B  POST /api/tasks/{task_id}/claim
401 403 403 200 403 403 403 403 403 403 403 403 403 403 403 403  N  POST /api/tasks/{task_id}/release
401 403 403 403 200 403 403 403 403 403 403 403 403 403 403 403  B  POST /api/tasks/{task_id}/release
401 403 403 200 403 403 403 403 403 403 403 403 403 403 403 403  N  POST /api/tasks/{task_id}/complete
401 403 403 403 200 403 403 403 403 403 403 403 403 403 403 403  B  POST /api/tasks/{task_id}/complete

# Files go onto a case by those who record and handle it, in their communities.
401 403 201 201 403 201 403 403 403 403 403 403 403 403 403 403  N  POST /api/instances/{instance_id}/attachments
401 403 403 403 201 403 403 403 403 403 403 403 403 403 403 403  B  POST /api/instances/{instance_id}/attachments

# Administration: the administrator only, in every community.
401 403 403 403 403 403 403 403 403 403 403 403 403 403 403 200  N  POST /api/admin/instances/{instance_id}/data
401 403 403 403 403 403 403 403 403 403 403 403 403 403 403 200  B  POST /api/admin/instances/{instance_id}/data
401 403 403 403 403 403 403 403 403 403 403 403 403 403 403 200  N  POST /api/admin/tasks/{task_id}/reassign
401 403 403 403 403 403 403 403 403 403 403 403 403 403 403 200  B  POST /api/admin/tasks/{task_id}/reassign
401 403 403 403 403 403 403 403 403 403 403 403 403 403 403 200  N  POST /api/admin/instances/{instance_id}/cancel
401 403 403 403 403 403 403 403 403 403 403 403 403 403 403 200  B  POST /api/admin/instances/{instance_id}/cancel
401 403 403 403 403 403 403 403 403 403 403 403 403 403 403 200  -  POST /api/admin/users/{username}/roles
# The working-day calendar: the administrator records a day, then removes it.
401 403 403 403 403 403 403 403 403 403 403 403 403 403 403 200  -  GET /api/admin/calendar
401 403 403 403 403 403 403 403 403 403 403 403 403 403 403 201  -  POST /api/admin/calendar
401 403 403 403 403 403 403 403 403 403 403 403 403 403 403 200  -  DELETE /api/admin/calendar/{day}
# The duty roster (值班表): the administrator adds a shift, changes the world's one, then removes it.
401 403 403 403 403 403 403 403 403 403 403 403 403 403 403 200  -  GET /api/admin/duty
401 403 403 403 403 403 403 403 403 403 403 403 403 403 403 201  -  POST /api/admin/duty
401 403 403 403 403 403 403 403 403 403 403 403 403 403 403 200  -  PUT /api/admin/duty/{shift_id}
401 403 403 403 403 403 403 403 403 403 403 403 403 403 403 200  -  DELETE /api/admin/duty/{shift_id}
401 403 403 403 403 403 403 403 403 403 403 403 403 403 403 200  -  GET /api/admin/departments
401 403 403 403 403 403 403 403 403 403 403 403 403 403 403 201  -  POST /api/admin/departments
# 双向评价: the street office rates each of its communities (this quarter).
401 403 403 403 403 403 403 403 201 403 403 403 403 403 403 403  N  POST /api/community-ratings
401 403 403 403 403 403 403 403 201 403 403 403 403 403 403 403  B  POST /api/community-ratings

# Incidents (failed instances): the designer and the administrator, in every community. The retry sends no
# correction, so it fails again and the incident stays (200, status error); cancel has an incident of its own.
401 403 403 403 403 403 403 403 403 403 403 403 403 200 403 200  -  GET /api/incidents
401 403 403 403 403 403 403 403 403 403 403 403 403 200 403 200  N  GET /api/incidents/{instance_id}
401 403 403 403 403 403 403 403 403 403 403 403 403 200 403 200  B  GET /api/incidents/{instance_id}
401 403 403 403 403 403 403 403 403 403 403 403 403 200 403 200  N  POST /api/incidents/{instance_id}/retry
401 403 403 403 403 403 403 403 403 403 403 403 403 200 403 200  B  POST /api/incidents/{instance_id}/retry
401 403 403 403 403 403 403 403 403 403 403 403 403 200 403 200  N  POST /api/incidents/{instance_id}/cancel
401 403 403 403 403 403 403 403 403 403 403 403 403 200 403 200  B  POST /api/incidents/{instance_id}/cancel

# Recording a need on a resident's behalf: the worker roles, in their own communities.
401 403 201 201 403 201 403 403 201 403 403 403 403 403 403 403  N  POST /api/needs
401 403 403 403 201 403 403 403 201 403 403 403 403 403 403 403  B  POST /api/needs

# The resident's side, by tracking code or notice: anyone; never the auditor, whose access is read-only.
201 201 201 201 201 201 201 201 201 201 201 201 201 201 403 201  N  POST /api/public/needs
201 201 201 201 201 201 201 201 201 201 201 201 201 201 403 201  B  POST /api/public/needs
200 200 200 200 200 200 200 200 200 200 200 200 200 200 403 200  N  POST /api/public/needs/{code}/feedback
200 200 200 200 200 200 200 200 200 200 200 200 200 200 403 200  B  POST /api/public/needs/{code}/feedback
200 200 200 200 200 200 200 200 200 200 200 200 200 200 403 200  N  POST /api/public/needs/{code}/withdraw
200 200 200 200 200 200 200 200 200 200 200 200 200 200 403 200  B  POST /api/public/needs/{code}/withdraw
201 201 201 201 201 201 201 201 201 201 201 201 201 201 403 201  N  POST /api/public/disclosures/{disclosure_id}/objections
201 201 201 201 201 201 201 201 201 201 201 201 201 201 403 201  B  POST /api/public/disclosures/{disclosure_id}/objections
# Keeping a notice (objections made in person, its details, the posting photo): the community's workers and the
# street office above them.
401 403 201 201 403 201 403 403 201 403 403 403 403 403 403 403  N  POST /api/disclosures/{disclosure_id}/objections
401 403 403 403 201 403 403 403 201 403 403 403 403 403 403 403  B  POST /api/disclosures/{disclosure_id}/objections
401 403 200 200 403 200 403 403 200 403 403 403 403 403 403 403  N  POST /api/disclosures/{disclosure_id}/details
401 403 403 403 200 403 403 403 200 403 403 403 403 403 403 403  B  POST /api/disclosures/{disclosure_id}/details
401 403 201 201 403 201 403 403 201 403 403 403 403 403 403 403  N  POST /api/disclosures/{disclosure_id}/photo
401 403 403 403 201 403 403 403 201 403 403 403 403 403 403 403  B  POST /api/disclosures/{disclosure_id}/photo

# The resources list: the community's workers and party secretary, the street office, the administrator.
# Another community in the body is refused as a field error (400, fields.community "not one of your
# communities", reported together with the body's other bad fields; see test_lists.py).
401 403 403 201 400 201 403 403 201 403 403 403 403 403 403 201  N  POST /api/resources
401 403 403 400 201 400 403 403 201 403 403 403 403 403 403 201  B  POST /api/resources

# The project list is public: any provider may apply, any volunteer sign up, wherever the project is.
401 403 403 403 403 403 403 403 403 403 201 403 403 403 403 403  N  POST /api/projects/{project_id}/applications
401 403 403 403 403 403 403 403 403 403 201 403 403 403 403 403  B  POST /api/projects/{project_id}/applications
401 403 403 403 403 403 403 403 403 403 403 201 403 403 403 403  N  POST /api/projects/{project_id}/volunteers
401 403 403 403 403 403 403 403 403 403 403 201 403 403 403 403  B  POST /api/projects/{project_id}/volunteers
# The 1+X ledger is kept by the community's workers and the street office.
401 403 403 201 403 201 403 403 201 403 403 403 403 403 403 403  N  POST /api/projects/{project_id}/fund
401 403 403 403 201 403 403 403 201 403 403 403 403 403 403 403  B  POST /api/projects/{project_id}/fund
# Contributions to the community micro-fund: the same ledger keepers.
401 403 403 201 403 201 403 403 201 403 403 403 403 403 403 403  N  POST /api/micro-fund/{community}/entries
401 403 403 403 201 403 403 403 201 403 403 403 403 403 403 403  B  POST /api/micro-fund/{community}/entries
# Deliveries of a plan (送达) and the signed minutes are recorded by the community's workers and its secretary.
401 403 403 201 403 201 403 403 403 403 403 403 403 403 403 403  N  POST /api/projects/{project_id}/notices
401 403 403 403 201 403 403 403 403 403 403 403 403 403 403 403  B  POST /api/projects/{project_id}/notices
401 403 403 200 403 200 403 403 403 403 403 403 403 403 403 403  N  POST /api/projects/{project_id}/meetings/{meeting_id}/minutes
401 403 403 403 200 403 403 403 403 403 403 403 403 403 403 403  B  POST /api/projects/{project_id}/meetings/{meeting_id}/minutes
# The satisfaction survey is the residents': a resident's account, or anyone by mobile number.
201 201 403 403 403 403 403 403 403 403 403 403 403 403 403 403  N  POST /api/public/projects/{project_id}/survey
201 201 403 403 403 403 403 403 403 403 403 403 403 403 403 403  B  POST /api/public/projects/{project_id}/survey

# The time bank: volunteer1 logs its own hours, or a worker of its community (南山) logs them for it;
# worker2 is told 400 "no such volunteer in your communities" (fields.volunteer), as for an unknown name:
# whether a volunteer exists elsewhere is not given away.
401 403 403 201 400 201 403 403 403 403 403 201 403 403 403 403  -  POST /api/timebank/hours
401 403 403 200 403 200 403 403 403 403 403 403 403 403 403 403  N  POST /api/timebank/hours/{hours_id}/decision
401 403 403 403 200 403 403 403 403 403 403 403 403 403 403 403  B  POST /api/timebank/hours/{hours_id}/decision
401 403 403 403 403 403 403 403 403 403 403 201 403 403 403 403  -  POST /api/timebank/redemptions

# Registers (花名册): the administrator keeps them, in every community (the import replaces 居民代表's register).
401 403 403 403 403 403 403 403 403 403 403 403 403 403 403 200  N  GET /api/admin/registers/{community}/{body}
401 403 403 403 403 403 403 403 403 403 403 403 403 403 403 200  B  GET /api/admin/registers/{community}/{body}
401 403 403 403 403 403 403 403 403 403 403 403 403 403 403 200  N  GET /api/admin/registers/{community}/{body}/export
401 403 403 403 403 403 403 403 403 403 403 403 403 403 403 200  B  GET /api/admin/registers/{community}/{body}/export
401 403 403 403 403 403 403 403 403 403 403 403 403 403 403 201  N  POST /api/admin/registers/{community}/{body}/members
401 403 403 403 403 403 403 403 403 403 403 403 403 403 403 201  B  POST /api/admin/registers/{community}/{body}/members
401 403 403 403 403 403 403 403 403 403 403 403 403 403 403 200  N  POST /api/admin/registers/{community}/{body}/import
401 403 403 403 403 403 403 403 403 403 403 403 403 403 403 200  B  POST /api/admin/registers/{community}/{body}/import
# An online two-committee vote: the community's workers and party secretary record the vote of a member without
# an account. 北山's case has no vote open, so its worker, allowed, is told 409.
401 403 403 201 403 201 403 403 403 403 403 403 403 403 403 403  N  POST /api/instances/{instance_id}/ballots
401 403 403 403 409 403 403 403 403 403 403 403 403 403 403 403  B  POST /api/instances/{instance_id}/ballots

# Designing and deploying: the designer only.
401 403 403 403 403 403 403 403 403 403 403 403 403 201 403 403  -  POST /api/processes
401 403 403 403 403 403 403 403 403 403 403 403 403 200 403 403  -  POST /api/processes/check
401 403 403 403 403 403 403 403 403 403 403 403 403 200 403 403  -  POST /api/processes/dry-run
# Starting the sample by hand: its start event is in no lane, so only a designer's trial (in TRIAL) may.
401 403 403 403 403 403 403 403 403 403 403 403 403 201 403 403  -  POST /api/processes/{process_id}/instances
401 403 403 403 403 403 403 403 403 403 403 403 403 200 403 403  -  POST /api/processes/{process_id}/versions/{version}/retire
401 403 403 403 403 403 403 403 403 403 403 403 403 200 403 403  -  POST /api/processes/{process_id}/versions/{version}/restore
"""

SAMPLE = "authz_sample"  # a small process the world deploys twice, for the version endpoints


def parse(matrix: str) -> list[tuple[str, str, str, dict]]:
    """The table's rows in order: (method, path, where, {user: status})."""
    rows = []
    for line in matrix.strip().splitlines()[1:]:
        if not line.strip() or line.startswith("#"):
            continue
        *statuses, where, method, path = line.split()
        assert len(statuses) == len(USERS) and where in WHERE, line
        rows.append((method, path, where, dict(zip(USERS, map(int, statuses)))))
    return rows


ROWS = parse(MATRIX)


# ---- what each row sends -------------------------------------------------------------------------------

# Path parameters taken from another object of the row's community than the default one of that name.
OBJECT_OF = {
    ("POST", "/api/public/needs/{code}/feedback"): {"code": "feedback_code"},
    ("POST", "/api/public/needs/{code}/withdraw"): {"code": "withdraw_code"},
    ("POST", "/api/admin/tasks/{task_id}/reassign"): {"task_id": "reassign_task_id"},
    ("POST", "/api/admin/instances/{instance_id}/cancel"): {"instance_id": "cancel_id"},
    ("POST", "/api/public/projects/{project_id}/survey"): {"project_id": "survey_project_id"},
    ("POST", "/api/projects/{project_id}/notices"): {"project_id": "notice_project_id"},
    ("GET", "/api/incidents/{instance_id}"): {"instance_id": "incident_id"},
    ("POST", "/api/incidents/{instance_id}/retry"): {"instance_id": "incident_id"},
    ("POST", "/api/incidents/{instance_id}/cancel"): {"instance_id": "incident_cancel_id"},
    ("POST", "/api/instances/{instance_id}/ballots"): {"instance_id": "vote_instance_id"},
}
# Rows whose object is named in the body (its community) rather than in the path.
SCOPED_BY_BODY = {("POST", path) for path in ("/api/needs", "/api/public/needs", "/api/resources",
                                               "/api/community-ratings")}
UNSCOPED_PARAMETERS = {"process_id", "version", "username", "day", "shift_id"}
QUERY = {("GET", "/api/processes/{process_id}/diff"): "?from=1&to=2"}


# A valid body for each write (what an allowed caller sends); the rows named in body_for get theirs there.
BODIES = {
    "/api/tasks/{task_id}/complete": {"data": OK},
    "/api/admin/instances/{instance_id}/data": {"data": {"checked_note": "已核对"}, "reason": "补录核对结果"},
    "/api/admin/instances/{instance_id}/cancel": {"reason": "重复登记"},
    "/api/incidents/{instance_id}/retry": {},
    "/api/incidents/{instance_id}/cancel": {"reason": "数据无法补正"},
    "/api/admin/users/{username}/roles": {"roles": ["committee_member"]},
    "/api/admin/calendar": {"day": "2030-10-08", "is_working_day": True, "note": "调休上班"},
    "/api/admin/duty": {"community": "nanshan", "username": "worker1", "starts_on": "2030-10-08",
                        "ends_on": "2030-10-14"},
    "/api/admin/duty/{shift_id}": {"community": "nanshan", "username": "worker1", "starts_on": "2030-11-01",
                                   "ends_on": "2030-11-07", "note": "调班"},
    "/api/admin/departments": {"code": "zhifu-wj", "name": "芝罘区卫生健康局"},
    "/api/community-ratings": {"need_response": 4, "handling_quality": 4, "democratic_procedure": 5,
                               "resident_satisfaction": 4, "comment": "按时办结"},
    "/api/needs": {"title": "路灯不亮", "description": "小区东门路灯坏了", "category": "daily_life",
                   "channel": "party_line", "visit_type": "home_visit"},
    "/api/public/needs": {"title": "健身器材损坏", "description": "广场单杠松动", "category": "daily_life"},
    "/api/public/needs/{code}/feedback": {"satisfaction": 5},
    "/api/public/needs/{code}/withdraw": {"reason": "已自行解决"},
    "/api/public/disclosures/{disclosure_id}/objections": {"content": "预算偏高，请说明"},
    "/api/disclosures/{disclosure_id}/objections": {"content": "预算偏高，请说明", "objector_name": "李阿姨",
                                                    "channel": "phone", "contact": "13800000007"},
    "/api/disclosures/{disclosure_id}/details": {"objection_phone": "0535-6661234"},
    "/api/resources": {"kind": "venue", "name": "老年活动室"},
    "/api/projects/{project_id}/applications": {"unit_name": "阳光社工服务中心", "plan": "三周完成"},
    "/api/projects/{project_id}/fund": {"kind": "donation", "source": "辖区企业", "amount": 1000},
    "/api/micro-fund/{community}/entries": {"kind": "named_fund", "source": "张建国", "fund_name": "张氏助老基金",
                                            "amount": 1000},
    "/api/public/projects/{project_id}/survey": {"satisfaction": 5, "phone": "13800000009"},
    "/api/projects/{project_id}/notices": {"method": "in_person", "recipients": 40, "delivered_by": "党小组长"},
    "/api/timebank/hours": {"hours": 1.5, "activity": "助老陪诊", "volunteer": "volunteer1"},
    "/api/timebank/hours/{hours_id}/decision": {"confirm": True},
    "/api/timebank/redemptions": {"item": "大米一袋", "points": 5},
    "/api/processes": {"files": package(process(linear(), process_id="authz_deployed"))},
    "/api/processes/check": {"files": package(with_condition("1 == 1"))},
    "/api/processes/dry-run": {"files": package(with_condition("1 == 1")), "answers": {"work": {"note": "好"}}},
    "/api/processes/{process_id}/instances": {"community": "TRIAL", "data": {}},
    "/api/admin/registers/{community}/{body}/members": {"name": "何平", "phone": "13912340000"},
}


def body_for(path: str, where: str, user: str | None, objects: dict) -> dict | None:
    """The row's body: the caller's own password, the task's community worker, the object's community."""
    if path == "/api/tokens":
        return {"username": user or "nobody", "password": DEMO_PASSWORD if user else "wrong"}
    if path == "/api/admin/tasks/{task_id}/reassign":
        return {"username": objects["worker"]}
    if ("POST", path) in SCOPED_BY_BODY:  # body_for is asked for writes only
        return BODIES[path] | {"community": WHERE[where]}
    if path == "/api/instances/{instance_id}/ballots":
        return {"member_id": objects["offline_member_id"], "vote": "for", "reason": "本人无智能手机，电话表决"}
    return BODIES.get(path)


def send(api: Api, user: str | None, method: str, path: str, where: str, world: dict):
    """Call one row as the user, against the object the world holds for it."""
    objects = world[where]
    names = OBJECT_OF.get((method, path), {})
    url = path.format(**{key: objects[names.get(key, key)] for key in _parameters(path)}) + QUERY.get((method, path), "")
    headers = {"Authorization": f"Bearer {api.token(user)}"} if user else {}
    if method == "GET":
        return api.client.get(url, headers=headers)
    if method == "DELETE":
        return api.client.delete(url, headers=headers)
    if method == "PUT":
        return api.client.put(url, json=body_for(path, where, user, objects), headers=headers)
    if path == "/api/instances/{instance_id}/attachments":
        return attach(api, url, headers)
    if path.endswith("/minutes"):
        return api.client.post(url, data={"file": (io.BytesIO(b"%PDF-1.4 signed"), "签字记录.pdf")},
                               content_type="multipart/form-data", headers=headers)
    if path == "/api/disclosures/{disclosure_id}/photo":
        return attach_photo(api, url, headers)
    if path == "/api/admin/registers/{community}/{body}/import":
        return api.client.post(url, data={"file": (io.BytesIO(REGISTER_FILE), "花名册.xlsx")},
                               content_type="multipart/form-data", headers=headers)
    return api.client.post(url, json=body_for(path, where, user, objects), headers=headers)


def attach(api: Api, url: str, headers: dict):
    """A text file as multipart 'files'."""
    return api.client.post(url, data={"files": [(io.BytesIO("居民签名登记".encode()), "登记表.txt")]},
                           content_type="multipart/form-data", headers=headers)


def attach_photo(api: Api, url: str, headers: dict):
    """A PNG as multipart 'files' (the posting photo of a notice)."""
    return api.client.post(url, data={"files": [(io.BytesIO(b"\x89PNG\r\n\x1a\n" + bytes(32)), "张贴照片.png")]},
                           content_type="multipart/form-data", headers=headers)


def _register_file() -> bytes:
    book = Workbook()
    book.active.append(["姓名", "电话", "状态"])
    book.active.append(["何平", "13912340001", "在册"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


REGISTER_FILE = _register_file()


def _parameters(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{")]


def observed(api: Api, user: str | None, world: dict) -> dict:
    """(method, path, where) → (status, JSON body) for every row, called in order."""
    found = {}
    for method, path, where, _ in ROWS:
        response = send(api, user, method, path, where, world)
        found[(method, path, where)] = (response.status_code, response.get_json(silent=True))
    return found


# ---- the world: every object the rows act on, in both communities --------------------------------------

DAY = timedelta(days=1)
STAND_IN = ["community_worker", "party_secretary", "supervision_committee", "volunteer"]
STAFF = {"N": ("nanshan", "worker1", "secretary1", "supervisor1"), "B": ("beishan", "worker2", "worker2", "worker2")}


def build_world(app, api: Api) -> dict:
    """Prepare the objects and return their ids per community (N, B) and the shared ones (-)."""
    world = {"N": {"worker": "worker1"}, "B": {"worker": "worker2"},
             "-": {"process_id": SAMPLE, "version": 1, "username": "committee5", "day": "2030-10-08"}}
    give_roles(api, "worker2", STAND_IN)
    roster = api.post("/api/admin/duty", BODIES["/api/admin/duty/{shift_id}"] | {"note": ""}, "admin")
    assert roster.status_code == 201, roster.get_json()
    world["-"]["shift_id"] = roster.get_json()["id"]
    add_projects(app, api, world)
    for col, (community, worker, _, _) in STAFF.items():
        world[col].update(cases(api, community, worker))
    world["N"]["hours_id"] = logged_hours(api, "volunteer1")
    world["B"]["hours_id"] = logged_hours(api, "worker2")  # standing in as 北山's volunteer
    earned = api.post(f"/api/timebank/hours/{logged_hours(api, 'volunteer1')}/decision", {"confirm": True}, "worker1")
    assert earned.status_code == 200 and earned.get_json()["points"] >= 5  # enough for one redemption
    give_roles(api, "worker2", ["community_worker"])
    add_incidents(app, api, world)
    add_online_vote(api, world)
    for name in ("办理", "复核"):
        bpmn = process(linear().replace('name="办理"', f'name="{name}"'), process_id=SAMPLE)
        assert deploy(api, package(bpmn)).status_code == 201
    return world


def add_projects(app, api: Api, world: dict) -> None:
    """In each community: a project with its survey open, one open for claiming, one resolution on notice.
    The clock moves twice (publicity period, claiming period); what must stay open is made after that."""
    surveyed = {col: decided(api, col, "surveyed") for col in STAFF}
    claiming = {col: decided(api, col, "claiming") for col in STAFF}
    at = clock.now() + 7 * DAY + timedelta(minutes=5)
    run_timers(app, at)
    for col, (community, worker, _, _) in STAFF.items():
        for iid in (surveyed[col], claiming[col]):
            api.complete("street1", "street_filing", {"filing_decision": "filed"}, iid)
        api.complete(worker, "publish_project", {"claim_days": 7, "report_interval_days": 14}, surveyed[col])
        world[col]["survey_project_id"] = pid = project_id(api, community, "surveyed")
        applied = api.post(f"/api/projects/{pid}/applications", {"unit_name": "南山物业", "plan": "两周完成"}, "provider1")
        assert applied.status_code == 201
    run_timers(app, at + 7 * DAY + timedelta(minutes=5))
    for col, (community, worker, _, supervisor) in STAFF.items():
        project_delivered(api, surveyed[col], worker, supervisor)
        api.complete(worker, "publish_project", {"claim_days": 7, "report_interval_days": 14}, claiming[col])
        world[col]["project_id"] = pid = project_id(api, community, "claiming")
        world[col]["meeting_id"] = api.get(f"/api/projects/{pid}/meetings", "auditor1").get_json()["meetings"][0]["id"]
        world[col]["notice_project_id"] = project_of(api, decided(api, col, "disclosed"))
        world[col]["disclosure_id"] = open_notice(api, community)
        photo = attach_photo(api, f"/api/disclosures/{world[col]['disclosure_id']}/photo",
                             {"Authorization": f"Bearer {api.token(worker)}"})
        assert photo.status_code == 201, photo.get_json()


def add_online_vote(api: Api, world: dict) -> None:
    """南山: a case whose two committees vote online now, and the member without an account; each community's
    representatives' register for the register rows."""
    iid = to_project(api, "nanshan online vote")["instance_id"]
    to_committees(api, iid, "online")
    members = api.get("/api/admin/registers/nanshan/two_committees", "admin").get_json()["members"]
    world["N"] |= {"vote_instance_id": iid, "offline_member_id": next(m["id"] for m in members if not m["username"])}
    world["B"] |= {"vote_instance_id": world["B"]["instance_id"], "offline_member_id": 0}
    for col, (community, *_) in STAFF.items():
        world[col] |= {"community": community, "body": "representatives"}


def add_incidents(app, api: Api, world: dict) -> None:
    """In each community two instances whose script failed in a timer pass: one to retry, one to cancel."""
    deploy_ratio(api)
    for col, community in (("N", "nanshan"), ("B", "beishan")):
        world[col]["incident_id"] = start_ratio(app, community)
        world[col]["incident_cancel_id"] = start_ratio(app, community)
    run_timers(app, INCIDENT_PASS)
    listed = {i["instance_id"] for i in api.get("/api/incidents", "admin").get_json()["incidents"]}
    assert {world[col][key] for col in ("N", "B") for key in ("incident_id", "incident_cancel_id")} <= listed


def decided(api: Api, col: str, title: str) -> int:
    """A need whose project passed the five deliberations: its resolution is posted for objections."""
    community, worker, secretary, _ = STAFF[col]
    return project_on_notice(api, f"{community} {title}", worker, secretary, community)["instance_id"]


def project_id(api: Api, community: str, title: str) -> int:
    return public_project_id(api, f"{community} {title}", community)


def open_notice(api: Api, community: str) -> int:
    """The community's newest decision notice, in its publicity period."""
    notices = api.get(f"/api/public/disclosures?kind=decision&community={community}").get_json()["disclosures"]
    assert notices[0]["open"] and "disclosed" in notices[0]["title"], notices[0]
    return notices[0]["id"]


# Different categories and texts, so that the overlap check proposes no merge.
NEEDS = [("楼道灯坏了", "daily_life"), ("想咨询遗产继承", "legal"), ("希望开设老年合唱班", "culture"),
         ("社保卡补办", "government"), ("家门口量血压", "health")]


def cases(api: Api, community: str, worker: str) -> dict:
    """Needs recorded by the community's worker: one to read and act on, one each to reassign, cancel,
    withdraw, and one waiting for the resident's rating; an attachment on the first."""
    new = [api.record_need(worker, community=community, title=title, description=title, category=category)
           for title, category in NEEDS]
    opened, reassigned, cancelled, withdrawn, rated = new
    upload = attach(api, f"/api/instances/{opened['instance_id']}/attachments",
                    {"Authorization": f"Bearer {api.token(worker)}"})
    assert upload.status_code == 201, upload.get_json()
    iid = rated["instance_id"]
    api.complete(worker, "assess_reasonableness", OK, iid)
    api.complete(worker, "assess_responsibility", {"responsibility": "community"}, iid)
    api.complete(worker, "grade_need", {"tier": "A", "kind": "affair", "affair_weight": "routine"}, iid)
    api.complete(worker, "resolve_need", {"resolution": "当天修复"}, iid)
    task = api.task_for(worker, "assess_reasonableness", opened["instance_id"])
    return {"code": opened["tracking_code"], "instance_id": opened["instance_id"], "task_id": task["id"],
            "attachment_id": upload.get_json()["attachments"][0]["id"],
            "reassign_task_id": api.task_for(worker, "assess_reasonableness", reassigned["instance_id"])["id"],
            "cancel_id": cancelled["instance_id"], "withdraw_code": withdrawn["tracking_code"],
            "feedback_code": rated["tracking_code"]}


def logged_hours(api: Api, volunteer: str) -> int:
    logged = api.post("/api/timebank/hours", {"hours": 1, "activity": "清扫楼道"}, volunteer)
    assert logged.status_code == 201, logged.get_json()
    return logged.get_json()["id"]


# ---- databases: the world built once per backend, copied for each user --------------------------------


@pytest.fixture(scope="module", params=BACKENDS)
def world(request, tmp_path_factory):
    """(PostgreSQL server or None, the world's database, its objects): built once per backend, then copied."""
    admin = _server(request, request.param)
    template = request.getfixturevalue("pg_template")[1] if admin else request.getfixturevalue("sqlite_template")
    url, name = copy_database(admin, template, tmp_path_factory.mktemp("world"))
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test", "TESTING": True, "DEMO_PASSWORD": DEMO_PASSWORD})
    objects = build_world(app, Api(app.test_client()))
    app.extensions["db_engine"].dispose()
    yield admin, name or make_url(url).database, objects
    drop_database(admin, name)


@pytest.fixture
def role_api(world, tmp_path):
    """An API client on a private copy of the world, and the world's objects."""
    admin, source, objects = world
    url, name = copy_database(admin, source, tmp_path)
    app = create_app({"DATABASE_URL": url, "SECRET_KEY": "test", "TESTING": True, "DEMO_PASSWORD": DEMO_PASSWORD})
    yield Api(app.test_client()), objects
    app.extensions["db_engine"].dispose()
    drop_database(admin, name)


def _server(request, backend: str):
    """The PostgreSQL admin connection of conftest's template, or None for SQLite."""
    return request.getfixturevalue("pg_template")[0] if backend == "postgresql" else None


def copy_database(admin, source, directory) -> tuple[str, str | None]:
    """A copy of a SQLite file (admin None), or a PostgreSQL database made from `source` as its template:
    the copy's URL, and the PostgreSQL database's name to drop afterwards."""
    if admin is None:
        path = directory / "minxu.db"
        shutil.copy(source, path)
        return f"sqlite:///{path}", None
    name = f"minxu_authz_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
    return make_url(PG_URL).set(database=name).render_as_string(hide_password=False), name


def drop_database(admin, name: str | None) -> None:
    if name is not None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# ---- the tests ------------------------------------------------------------------------------------------

def test_the_table_covers_exactly_the_operations_of_the_spec(client):
    """A new endpoint without rows here fails; so does a row for an endpoint that is gone."""
    spec = client.get("/api/openapi.json").get_json()
    operations = {(method.upper(), path) for path, item in spec["paths"].items() for method in item}
    assert {(method, path) for method, path, _, _ in ROWS} == operations
    for method, path in operations:
        columns = sorted(where for m, p, where, _ in ROWS if (m, p) == (method, path))
        scoped = (method, path) in SCOPED_BY_BODY or bool(set(_parameters(path)) - UNSCOPED_PARAMETERS)
        assert columns == (["B", "N"] if scoped else ["-"]), (method, path, columns)


def _label(user) -> str:
    return user or "anonymous"


@pytest.mark.parametrize("user", USERS, ids=_label)
def test_every_operation_as(role_api, user):
    """Each row of the table as this user: the table's status, and listings only from the user's reach."""
    api, world = role_api
    found = observed(api, user, world)
    wrong = mismatches(user, found) + leaks(user, found, world)
    assert not wrong, "\n".join(wrong)


def mismatches(user: str | None, found: dict) -> list[str]:
    """Every row whose status is not the table's."""
    wrong = []
    for method, path, where, expected in ROWS:
        status, body = found[(method, path, where)]
        if status != expected[user]:
            wrong.append(f"{method} {path} [{where}]: expected {expected[user]}, got {status} {body}")
    return wrong


# Listings answer 200 to many roles: each row they hold must come from a community the user may see.
LISTINGS = {"/api/tasks": "tasks", "/api/instances": "instances", "/api/incidents": "incidents",
            "/api/lists/needs": "items",
            "/api/lists/resources": "items", "/api/lists/projects": "items", "/api/community-ratings": "communities"}
BOTH = {"nanshan", "beishan"}
REACH = {None: set(), "resident1": {"nanshan"}, "grid1": {"nanshan"}, "worker1": {"nanshan"}, "worker2": {"beishan"},
         "secretary1": {"nanshan"}, "committee1": {"nanshan"}, "supervisor1": {"nanshan"}, "street1": BOTH,
         "district1": BOTH, "provider1": {"nanshan"}, "volunteer1": {"nanshan"}, "evaluator1": BOTH,
         "designer1": BOTH, "auditor1": BOTH, "admin": BOTH}
NO_CASES = {"resident1", "provider1", "volunteer1", "evaluator1", "designer1"}  # the instance search finds nothing


def leaks(user: str | None, found: dict, world: dict) -> list[str]:
    """Every listing that shows something of a community the user may not see."""
    wrong = []
    status, body = found[("GET", "/api/timebank/hours", "-")]
    pending = {hours["id"] for hours in body["hours"]} if status == 200 else set()
    for col, community in (("N", "nanshan"), ("B", "beishan")):
        if community not in REACH[user] and world[col]["hours_id"] in pending:
            wrong.append(f"GET /api/timebank/hours shows hours of {community}")
    for path, key in LISTINGS.items():
        status, body = found[("GET", path, "-")]
        shown = {item["community"] for item in body[key]} if status == 200 else set()
        if not shown <= REACH[user]:
            wrong.append(f"GET {path} shows rows of {sorted(shown - REACH[user])}")
    if user in NO_CASES and (found[("GET", "/api/instances", "-")][1] or {}).get("total"):
        wrong.append("GET /api/instances finds cases for a role that sees none")
    return wrong
