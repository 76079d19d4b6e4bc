"""Auditors are read-only: every write route in the URL map refuses auditor1 with 403 and changes nothing."""
import re
from urllib.parse import quote

import pytest
from sqlalchemy import inspect, text
from werkzeug.routing import IntegerConverter

from app import create_app
from helpers import csrf_of, sign_in

WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")
SIGN_IN_OUT = {"/login", "/logout", "/api/tokens"}
# The worker's own writes (designer and admin routes refuse the worker too, so they prove nothing).
WORKER_MAY = {"/api/needs", "/api/tasks/<task_id>/claim", "/api/tasks/<task_id>/complete", "/api/public/needs",
              "/needs/new", "/tasks/<task_id>", "/tasks/<task_id>/claim", "/submit", "/notifications/read"}
READ_ONLY = {"error": "forbidden", "message": "auditors have read-only access", "fields": {}}


def write_routes() -> list:
    """(rule, method, {argument: is_int}) for every write rule but signing in and out."""
    app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x"})  # only its URL map: never connects
    app.extensions["db_engine"].dispose()
    routes = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        arguments = {name: isinstance(conv, IntegerConverter) for name, conv in rule._converters.items()}
        for method in sorted(set(WRITE_METHODS) & rule.methods):
            if rule.rule not in SIGN_IN_OUT:
                routes.append(pytest.param(rule.rule, method, arguments,
                                           id=rule.rule if method == "POST" else f"{method} {rule.rule}"))
    return routes


ROUTES = write_routes()


@pytest.fixture
def known(api) -> dict:
    """Existing rows to point URLs at: a need, its ready task, logged hours, a deployed process."""
    need = api.record_need()
    hours = api.post("/api/timebank/hours", {"hours": 1, "activity": "助老陪护"}, "volunteer1").get_json()
    return {"instance_id": need["instance_id"], "code": need["tracking_code"], "hours_id": hours["id"],
            "task_id": api.task_for("worker1", "assess_reasonableness")["id"], "process_id": "need_lifecycle",
            "username": "resident1"}


def url_for_rule(rule: str, arguments: dict, known: dict) -> str:
    """The rule with a plausible value in every slot: a known row, else 1 for ids and "x" for strings."""
    values = {name: known.get(name, 1 if is_int else "x") for name, is_int in arguments.items()}
    return re.sub(r"<(?:[^<>:]+:)?([^<>]+)>", lambda m: quote(str(values[m.group(1)]), safe=""), rule)


def snapshot(app) -> dict[str, list[str]]:
    """Every row of every table, to show that a refused request wrote nothing at all."""
    with app.extensions["db_engine"].connect() as conn:
        return {table: sorted(repr(tuple(row)) for row in conn.execute(text(f'SELECT * FROM "{table}"')))
                for table in inspect(conn).get_table_names()}


def audit_count(app) -> int:
    with app.extensions["db_engine"].connect() as conn:
        return conn.scalar(text("SELECT count(*) FROM audit_event"))


def page_session(client, username: str) -> str:
    """Sign in on the pages; the session's CSRF token (so a refusal is the guard's, not CSRF's)."""
    assert sign_in(client, username).status_code == 302
    return csrf_of(client.get("/").get_data(as_text=True))


def call(api, rule: str, method: str, url: str, username: str, csrf: str | None):
    """The write request as `username`: bearer token on /api/, page session with CSRF elsewhere."""
    if rule.startswith("/api/"):
        headers = {"Authorization": f"Bearer {api.token(username)}"}
        return api.client.open(url, method=method, json={}, headers=headers)
    return api.client.open(url, method=method, data={"csrf_token": csrf})


@pytest.mark.parametrize("rule,method,arguments", ROUTES)
def test_auditor_write_is_refused_and_changes_nothing(app, api, known, rule, method, arguments):
    csrf = None if rule.startswith("/api/") else page_session(api.client, "auditor1")
    api.token("auditor1")  # issued (and audited) before the snapshot
    url = url_for_rule(rule, arguments, known)
    events, before = audit_count(app), snapshot(app)
    response = call(api, rule, method, url, "auditor1", csrf)
    assert response.status_code == 403, (url, response.get_data(as_text=True)[:300])
    if rule.startswith("/api/"):
        assert response.get_json() == READ_ONLY
    else:
        assert response.mimetype == "text/html" and "您无权打开此页面" in response.get_data(as_text=True)
    assert audit_count(app) == events
    assert snapshot(app) == before


def test_the_same_calls_by_a_worker_are_not_all_refused(api, known):
    csrf = page_session(api.client, "worker1")
    refused = set()
    for rule, method, arguments in (p.values for p in ROUTES):
        response = call(api, rule, method, url_for_rule(rule, arguments, known), "worker1", csrf)
        if response.status_code == 403:
            refused.add(rule)
    assert len(refused) < len(ROUTES)
    assert not refused & WORKER_MAY, sorted(refused & WORKER_MAY)


def test_a_write_that_succeeds_for_a_worker_is_refused_for_the_auditor(api):
    body = {"title": "楼道灯坏了", "description": "不亮", "category": "daily_life", "channel": "party_line",
            "visit_type": "home_visit", "community": "nanshan"}
    assert api.post("/api/needs", body, "worker1").status_code == 201
    assert api.post("/api/needs", body, "auditor1").get_json() == READ_ONLY
    public = {k: body[k] for k in ("title", "description", "category", "community")}
    assert api.post("/api/public/needs", public).status_code == 201  # anonymous: open to all
    assert api.post("/api/public/needs", public, "auditor1").status_code == 403


def test_a_bad_token_keeps_its_usual_answer(api):
    bad = {"Authorization": "Bearer not-a-token"}
    refused = api.client.post("/api/needs", json={}, headers=bad)
    assert refused.status_code == 401 and refused.get_json()["error"] == "unauthenticated"
    public = {"title": "路灯不亮", "description": "小区东门", "category": "daily_life", "community": "nanshan"}
    assert api.client.post("/api/public/needs", json=public, headers=bad).status_code == 201  # token not needed


def test_auditor_signs_in_and_out_gets_a_token_and_reads(api):
    assert api.token("auditor1")
    assert api.get("/api/audit/verify", "auditor1").status_code == 200
    csrf = page_session(api.client, "auditor1")
    assert api.client.get("/lists/needs").status_code == 200
    assert api.client.post("/logout", data={"csrf_token": csrf}).status_code == 302
