"""The test factories build what a person could: a made user signs in and works in their community only."""
from factories import graded_need, make_user, submit_need
from helpers import events_of, sign_in


def test_a_made_user_signs_in_holds_their_roles_and_sees_their_communitys_tasks(app, api, client):
    make_user(app, api, "worker9", ["community_worker", "grid_worker"], community="beishan", display_name="北山社工九号")
    users = {u["username"]: u for u in api.get("/api/admin/users", "admin").get_json()["users"]}
    assert users["worker9"]["roles"] == ["community_worker", "grid_worker"] and users["worker9"]["active"]
    [given] = events_of(app, "user_roles_changed")
    assert (given.actor_name, given.summary) == ("admin", "worker9")
    ours, theirs = submit_need(api, "worker2", community="beishan"), submit_need(api)
    assert {t["instance_id"] for t in api.inbox("worker9")} == {ours["instance_id"]}
    assert theirs["instance_id"] not in {t["instance_id"] for t in api.inbox("worker9")}
    assert sign_in(client, "worker9").status_code == 302
    assert "北山社工九号" in client.get("/").get_data(as_text=True)


def test_a_graded_need_waits_at_resolve_need(api):
    need = graded_need(api, "A", title="楼道灯又坏了")
    assert api.task_for("worker1", "resolve_need", need["instance_id"])["instance_id"] == need["instance_id"]
