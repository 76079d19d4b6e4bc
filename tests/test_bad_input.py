"""Hostile and malformed input never produces a server error: every endpoint answers 4xx with a reason."""
import pytest

JUNK_BODIES = [None, "not json", "[]", "null", '{"data": []}', '{"data": {"x": 1}}', '"string"', "{" * 50,
               '{"title": 1, "description": [], "category": {}, "community": null}',
               '{"satisfaction": "5"}', '{"content": "' + "长" * 5000 + '"}', '{"reason": 12}',
               '{"username": ["a"], "password": {"b": 1}}',
               '{"title": "x\\u0000y", "description": "d", "category": "legal", "community": "nanshan"}']


@pytest.fixture
def targets(api):
    need = api.record_need()
    task = api.task_for("worker1", "assess_reasonableness")
    code = need["tracking_code"]
    return ["/api/tokens", "/api/public/needs", "/api/needs", f"/api/public/needs/{code}/feedback",
            f"/api/public/needs/{code}/withdraw", f"/api/tasks/{task['id']}/claim", f"/api/tasks/{task['id']}/complete",
            f"/api/tasks/{task['id']}/release", "/api/tasks/not-a-uuid/complete", "/api/public/disclosures/999/objections",
            "/api/processes", f"/api/instances/{need['instance_id']}/attachments"]


def test_junk_never_causes_a_server_error(api, targets):
    token = api.token("worker1")
    for path in targets:
        for body in JUNK_BODIES:
            for headers in ({}, {"Authorization": f"Bearer {token}"}):
                response = api.client.post(path, data=body, headers=headers | {"Content-Type": "application/json"})
                assert response.status_code < 500, (path, body, response.status_code, response.get_data(as_text=True))
                assert response.status_code != 200 or path.endswith(("/claim", "/release")), (path, body)
                if response.status_code >= 400:
                    error = response.get_json()
                    assert error["error"] and error["message"], (path, body)


@pytest.mark.parametrize("path", ["/api/tasks/%00", "/api/instances/99999999999999999999", "/api/public/needs/%E4%BD%A0",
                                  "/api/public/disclosures/-1", "/api/attachments/0", "/track/%3Cscript%3E",
                                  "/disclosures/99999", "/instances/abc"])
def test_odd_urls_are_clean_client_errors(api, path):
    response = api.client.get(path, headers={"Authorization": f"Bearer {api.token('auditor1')}"})
    assert 400 <= response.status_code < 500, (path, response.status_code)
    assert "<script>" not in response.get_data(as_text=True)


def test_nan_broken_unicode_and_nul_in_forms_are_refused(api, client):
    need = api.record_need()
    task = api.task_for("worker1", "assess_reasonableness")
    token = api.token("worker1")
    for raw in ('{"data": {"reasonable": true, "basis": NaN}}', '{"data": {"reasonable": true, "basis": "\\ud800"}}',
                '{"title": "\\udfff", "description": "d", "category": "legal", "community": "nanshan"}'):
        path = "/api/public/needs" if '"title"' in raw else f"/api/tasks/{task['id']}/complete"
        response = client.post(path, data=raw, headers={"Authorization": f"Bearer {token}",
                                                        "Content-Type": "application/json"})
        assert response.status_code == 400, (raw, response.get_json())
    page = client.post("/login", data={"username": "ab\x00c", "password": "x"})
    assert page.status_code == 400
    assert api.task_for("worker1", "assess_reasonableness")["instance_id"] == need["instance_id"]


def test_workers_record_needs_only_in_their_own_communities(api):
    response = api.post("/api/needs", {"title": "t", "description": "d", "category": "legal", "community": "nanshan",
                                       "channel": "window"}, "worker2")
    assert response.status_code == 403
    assert api.post("/api/needs", {"title": "t", "description": "d", "category": "legal", "community": "beishan",
                                   "channel": "window"}, "worker2").status_code == 201
    assert api.post("/api/needs", {"title": "t", "description": "d", "category": "legal", "community": "beishan",
                                   "channel": "window"}, "street1").status_code == 201  # the street covers both
