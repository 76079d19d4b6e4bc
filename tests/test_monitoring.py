"""Auditors and the monitoring desk: an instance's history and path, search across instances with exports,
the audit chain check page, and the dashboard's figures."""
import csv
import io
from datetime import timedelta

import pytest
from factories import assessed_need, graded_need
from flows import OK
from helpers import sign_in
from openpyxl import load_workbook

from app import clock

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def resolved_by_street(api, score: int, satisfaction: int, title: str = "路灯不亮") -> int:
    """A need the street resolves: the community rates the street, the resident rates the result."""
    iid = assessed_need(api, "government", assessment=OK, category="government", title=title)["instance_id"]
    api.complete("street1", "street_handle", {"street_decision": "resolved", "street_resolution": "已修复"}, iid)
    api.complete("worker1", "rate_department", dict.fromkeys(("guidance", "service", "payment", "interference"), score),
                 iid)
    api.complete("worker1", "resident_feedback", {"satisfaction": satisfaction}, iid)
    return iid


def graded(api, tier: str, community: str = "nanshan", worker: str = "worker1") -> int:
    """A need graded and waiting at resolve_need."""
    return graded_need(api, tier, worker=worker, assessment=OK, community=community, title=f"{tier}级需求")["instance_id"]


@pytest.fixture
def cases(api):
    """Four needs: two resolved through the street (rated 4 and 2), a tier A and a tier B waiting, in two communities."""
    return {"rated_4": resolved_by_street(api, 4, 5), "rated_2": resolved_by_street(api, 2, 3, "井盖松动"),
            "tier_a": graded(api, "A"), "tier_b": graded(api, "B", "beishan", "worker2")}


def test_the_trace_shows_the_path_current_task_and_step_times(api, cases):
    body = api.get(f"/api/instances/{cases['tier_a']}/trace", "auditor1").get_json()
    path = [s["bpmn_id"] for s in body["path"]]
    assert path[:3] == ["start_need", "check_overlap", "gw_overlap"]
    assert {"assess_reasonableness", "assess_responsibility", "suggest_grade", "grade_need"} <= set(path)
    assert {(c["bpmn_id"], c["state"]) for c in body["current"]} == {("resolve_need", "READY"),
                                                                      ("resolve_overdue", "WAITING")}
    assert ["gw_reasonable", "assess_responsibility"] in body["flows"]
    steps = {s["bpmn_id"]: s for s in body["steps"]}
    assert steps["grade_need"]["outcome"] == "completed" and steps["grade_need"]["seconds"] >= 0
    assert steps["resolve_need"]["ended_at"] is None and steps["resolve_need"]["role"] == "community_worker"
    assert body["files"][0] == "need_lifecycle.bpmn"
    assert api.get(f"/api/instances/{cases['tier_a']}/trace", "worker2").status_code == 403


def test_the_history_page_lists_events_with_roles_and_changes_and_exports_them(client, api, cases):
    sign_in(client, "auditor1")
    page = client.get(f"/instances/{cases['rated_4']}/history").get_data(as_text=True)
    assert 'id="history-canvas"' in page and "街道办事处" in page  # the street's task, with its role
    assert "指导" in page and "<ins>4" in page  # rate_department's guidance score, labelled, before → after
    events = api.get(f"/api/instances/{cases['rated_4']}/history", "auditor1").get_json()["events"]
    sheet = load_workbook(io.BytesIO(client.get(f"/instances/{cases['rated_4']}/history?format=xlsx").data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert {r[0] for r in rows[1:]} == {e["seq"] for e in events}  # every event, one row per changed field
    assert any(r[6] == "指导" and r[8] == "4 满意" for r in rows)
    text = client.get(f"/instances/{cases['rated_4']}/history?format=csv").data.decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(text)))) == len(rows)
    assert client.get(f"/instances/{cases['rated_4']}/history?format=pdf").status_code == 400


@pytest.mark.parametrize("query, expected", [
    ("", {"rated_4", "rated_2", "tier_a", "tier_b"}),
    ("community=beishan", {"tier_b"}),
    ("status=completed", {"rated_4", "rated_2"}),
    ("actor=street1", {"rated_4", "rated_2"}),
    ("actor=worker2", {"tier_b"}),
    ("field=tier&value=A", {"tier_a"}),
    ("field=guidance&value=2", {"rated_2"}),
    ("field=tier", {"tier_a", "tier_b"}),
    ("process=need_lifecycle&version=1", {"rated_4", "rated_2", "tier_a", "tier_b"}),
    ("version=2", set()),
    ("q=井盖", {"rated_2"}),
])
def test_search_filters(api, cases, query, expected):
    found = api.get(f"/api/instances?{query}", "auditor1").get_json()
    ids = {c for c, iid in cases.items() if iid in {i["id"] for i in found["instances"]}}
    assert ids == expected and found["total"] == len(expected)


def test_search_by_period_and_scope(api, cases):
    today = clock.now().astimezone(timezone_china()).date()
    assert api.get(f"/api/instances?from={today}&to={today}", "auditor1").get_json()["total"] == 4
    tomorrow = today + timedelta(days=1)
    assert api.get(f"/api/instances?from={tomorrow}", "auditor1").get_json()["total"] == 0
    assert {i["community"] for i in api.get("/api/instances", "worker1").get_json()["instances"]} == {"nanshan"}
    bad = api.get("/api/instances?version=x&field=1a&to=2026-13-01", "auditor1")
    assert bad.status_code == 400 and set(bad.get_json()["fields"]) == {"version", "field", "to"}
    assert api.get("/api/instances", "resident1").get_json()["total"] == 0


def timezone_china():
    from datetime import timezone
    return timezone(timedelta(hours=8))


def test_search_page_exports_every_match(client, cases):
    sign_in(client, "auditor1")
    page = client.get("/audit?actor=street1").get_data(as_text=True)
    assert page.count("data-instance=") == 2
    sheet = load_workbook(io.BytesIO(client.get("/audit?actor=street1&format=xlsx").data)).active
    assert sorted(r[0] for r in list(sheet.iter_rows(values_only=True))[1:]) == sorted([cases["rated_4"], cases["rated_2"]])
    text = client.get("/audit?format=csv").data.decode("utf-8-sig")
    assert len(list(csv.reader(io.StringIO(text)))) == 1 + 4
    assert client.get("/audit?version=x").status_code == 400


def test_the_verify_page_names_the_first_broken_link(client, app, cases):
    sign_in(client, "auditor1")
    page = client.get("/audit/verify").get_data(as_text=True)
    assert 'data-ok="true"' in page
    with app.extensions["db_engine"].begin() as conn:
        from sqlalchemy import text
        conn.execute(text("UPDATE audit_event SET summary = 'forged' WHERE seq = 5"))
    page = client.get("/audit/verify").get_data(as_text=True)
    assert 'data-ok="false" data-seq="5"' in page
    client.get("/logout")
    sign_in(client, "worker1")
    assert client.get("/audit/verify").status_code == 403


def test_the_dashboard_figures(api, cases):
    figures = api.get("/api/dashboard", "street1").get_json()
    assert figures["needs"] == 4
    assert {i["key"]: i["count"] for i in figures["by_tier"]} == {"A": 1, "B": 1, "ungraded": 2}
    assert {i["key"]: i["count"] for i in figures["by_community"]} == {"nanshan": 3, "beishan": 1}
    assert {i["key"]: i["count"] for i in figures["by_category"]} == {"government": 2, "daily_life": 2}
    stages = {i["key"]: i["count"] for i in figures["by_stage"]}
    assert stages == {"end:resolved": 2, "办理": 2}
    assert figures["two_way"]["departments"] == [
        {"key": "xingfu", "name": "幸福街道", "kind": "street", "count": 2, "average": 3.0, "guidance": 3.0,
         "service": 3.0, "payment": 3.0, "interference": 3.0}]
    assert figures["two_way"]["earlier_scores"] == []
    assert figures["satisfaction"]["needs"] == {"count": 2, "average": 4.0,
                                                "by_score": [{"key": "5", "count": 1}, {"key": "3", "count": 1}]}
    times = {t["key"]: t for t in figures["step_times"]}
    assert times["street_handle"]["count"] == 2 and times["street_handle"]["median_hours"] >= 0
    assert figures["overdue"] == {"count": 0, "by_step": []}
    one = api.get("/api/dashboard?community=beishan", "district1").get_json()
    assert one["needs"] == 1 and [i["key"] for i in one["by_tier"]] == ["B"]
    assert api.get("/api/dashboard?community=nowhere", "street1").status_code == 400
    assert api.get("/api/dashboard", "worker1").status_code == 403


def test_overdue_tasks_are_counted_by_step(app, api, cases):
    from sqlalchemy import text
    with app.extensions["db_engine"].begin() as conn:  # the projection says when a task is due
        conn.execute(text("UPDATE ready_task SET due_at = :past WHERE instance_id = :iid"),
                     {"past": clock.now() - timedelta(hours=1), "iid": cases["tier_a"]})
    overdue = api.get("/api/dashboard", "auditor1").get_json()["overdue"]
    assert overdue == {"count": 1, "by_step": [{"key": "resolve_need", "label": "办理", "count": 1}]}


def test_the_dashboard_page_shows_the_same_numbers(client, api, cases):
    figures = api.get("/api/dashboard", "street1").get_json()
    sign_in(client, "street1")
    page = client.get("/dashboard").get_data(as_text=True)
    for item in figures["by_community"]:
        assert f'data-key="{item["key"]}" data-value="{item["count"]}"' in page
    assert f'<strong data-value="{figures["needs"]}">' in page
    assert 'id="heat-canvas"' in page
