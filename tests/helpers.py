"""Steps many tests share, defined once: page sign-in with its CSRF token, the timer pass, an instance's
history and ready tasks, a JSON deploy, and writing to the database behind the app's back.

Importable by name (`from helpers import sign_in`), like api_client: `conftest` is ambiguous once
tests/browser (which has its own conftest.py) is collected in the same run."""
import re
from contextlib import contextmanager
from datetime import UTC, datetime

import time_machine
from sqlalchemy import select, text

from api_client import DEMO_PASSWORD

# A fixed Wednesday morning, China time: where tests that freeze the app's clock stand (see `fixed_clock`).
WEDNESDAY_MORNING = datetime(2026, 6, 3, 2, 0, tzinfo=UTC)


def csrf_of(html: str) -> str:
    """The CSRF token in a rendered page's form."""
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def page_csrf(client, path: str = "/") -> str:
    """The CSRF token of the page at `path`, for the client's session."""
    return csrf_of(client.get(path).get_data(as_text=True))


def sign_in(client, username: str, password: str = DEMO_PASSWORD):
    """Sign in on the pages as `username`; the response (302 when it worked)."""
    token = page_csrf(client, "/login")
    return client.post("/login", data={"username": username, "password": password, "csrf_token": token})


def run_timers(app, instant: datetime) -> str:
    """`flask timers run --now instant`; returns its output."""
    result = app.test_cli_runner().invoke(args=["timers", "run", "--now", instant.isoformat()])
    assert result.exit_code == 0, result.output
    return result.output


@contextmanager
def frozen_at(instant: datetime):
    """The wall clock (and so the app's clock) stands still at `instant`."""
    with time_machine.travel(instant, tick=False):
        yield


def history(api, instance_id: int, as_user: str = "auditor1") -> list[dict]:
    """An instance's audit history through the API."""
    response = api.get(f"/api/instances/{instance_id}/history", as_user)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["events"]


def ready(api, username: str, iid: int) -> list[str]:
    """The bpmn ids of the instance's tasks in the user's inbox."""
    return [t["bpmn_id"] for t in api.inbox(username) if t["instance_id"] == iid]


def deploy(api, files: dict[str, str], as_user: str = "designer1", **extra):
    """POST the files to /api/processes as JSON; the response."""
    return api.post("/api/processes", {"files": files} | extra, as_user)


def run_sql(app, statement, **params) -> None:
    """Execute and commit a statement (text or SQLAlchemy) outside the app, as an intruder would."""
    with app.extensions["db_sessions"]() as session:
        session.execute(statement if not isinstance(statement, str) else text(statement), params)
        session.commit()


def events_of(app, event_type: str) -> list:
    """The audit events of this type, oldest first."""
    from app.workflow.models.audit import AuditEvent  # here, so importing helpers builds no models
    with app.extensions["db_sessions"]() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.event_type == event_type)
                                    .order_by(AuditEvent.seq)))


def audit_verdict(api) -> dict:
    """The audit chain check through the API, as auditor1."""
    response = api.get("/api/audit/verify", "auditor1")
    assert response.status_code == 200
    return response.get_json()


def audit_event_count(app) -> int:
    """How many audit events the log holds."""
    from app.workflow.models.audit import AuditEvent
    from sqlalchemy import func
    with app.extensions["db_sessions"]() as session:
        return session.scalar(select(func.count()).select_from(AuditEvent))
