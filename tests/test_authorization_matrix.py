"""The authorisation matrix: every role × the instance and task endpoints × own and other community.

One need waits in 南山 (nanshan) and one in 北山 (beishan), both at assess_reasonableness (lane:
community workers). Columns: the instance, its history, its trace, the task, claiming the task."""
import pytest

from flows import OK

# (own community: instance, history, trace, task, claim), then the same for the other community.
MATRIX = {
    "resident1": [403] * 5 + [403] * 5,
    "grid1": [200, 200, 200, 403, 403] + [403] * 5,          # sees its community's cases; not this lane's task
    "worker1": [200, 200, 200, 200, 200] + [403] * 5,
    "worker2": [403] * 5 + [200, 200, 200, 200, 200],
    "secretary1": [200, 200, 200, 403, 403] + [403] * 5,
    "committee1": [200, 200, 200, 403, 403] + [403] * 5,
    "supervisor1": [200, 200, 200, 403, 403] + [403] * 5,
    "street1": [403] * 5 + [403] * 5,                        # only once a case is routed to the street
    "district1": [403] * 5 + [403] * 5,
    "provider1": [403] * 10, "volunteer1": [403] * 10, "evaluator1": [403] * 10, "designer1": [403] * 10,
    "auditor1": [200, 200, 200, 403, 403] * 2,               # reads everything, acts on nothing
    "admin": [200, 200, 200, 403, 403] * 2,
}


@pytest.fixture
def two_needs(api):
    own = api.record_need()
    other = api.record_need("worker2", community="beishan", title="北山的需求")
    return [(need["instance_id"], api.task_for(worker, "assess_reasonableness", need["instance_id"])["id"])
            for need, worker in ((own, "worker1"), (other, "worker2"))]


def observed(api, user: str, cases) -> list[int]:
    row = []
    for iid, task_id in cases:
        row += [api.get(path, user).status_code for path in (
            f"/api/instances/{iid}", f"/api/instances/{iid}/history", f"/api/instances/{iid}/trace",
            f"/api/tasks/{task_id}")]
        row.append(api.post(f"/api/tasks/{task_id}/claim", None, user).status_code)
        if row[-1] == 200:
            assert api.post(f"/api/tasks/{task_id}/release", None, user).status_code == 200
    return row


@pytest.mark.parametrize("user", sorted(MATRIX))
def test_role_by_endpoint_by_community(api, two_needs, user):
    assert observed(api, user, two_needs) == MATRIX[user]


def test_routing_opens_a_case_to_the_street_and_only_that_case(api, two_needs):
    (own, _), (other, _) = two_needs
    api.complete("worker1", "assess_reasonableness", OK, own)
    api.complete("worker1", "assess_responsibility", {"responsibility": "government"}, own)
    street_task = api.task_for("street1", "street_handle", own)["id"]
    assert [api.get(f"/api/instances/{own}", u).status_code for u in ("street1", "district1")] == [200, 403]
    assert api.get(f"/api/instances/{other}", "street1").status_code == 403
    assert api.post(f"/api/tasks/{street_task}/claim", None, "street1").status_code == 200
    assert api.post(f"/api/tasks/{street_task}/claim", None, "worker1").status_code == 403


@pytest.mark.parametrize("user, own_page, other_page", [
    ("worker1", 200, 403), ("worker2", 403, 200), ("resident1", 403, 403), ("auditor1", 200, 200),
    ("street1", 403, 403), ("designer1", 403, 403)])
def test_the_pages_follow_the_same_matrix(client, two_needs, user, own_page, other_page):
    from test_pages import sign_in
    sign_in(client, user)
    (own, _), (other, _) = two_needs
    for iid, expected in ((own, own_page), (other, other_page)):
        assert client.get(f"/instances/{iid}").status_code == expected, (user, iid)
        assert client.get(f"/instances/{iid}/history").status_code == expected, (user, iid)
