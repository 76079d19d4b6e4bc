"""微心愿 (issue 19): volunteers, party members, units and businesses claim a wish; an unclaimed wish reminds the
community at the first timer and comes back to the worker at the second, who republishes it, fulfils it or closes
it with a reason the resident sees. Timers fire through `timers run --now`, never with sleeps."""
from datetime import timedelta

import pytest

from factories import assessed_need
from helpers import WEDNESDAY_MORNING as START
from helpers import events_of, history, ready, run_timers

pytestmark = pytest.mark.usefixtures("fixed_clock")

OK = {"reasonable": True, "basis": "符合社区服务范围"}
CLAIMERS = {"volunteer1": "volunteer", "partymember1": "party_member", "unit1": "unit", "business1": "business"}
REMINDER, RETURN = timedelta(days=7), timedelta(days=14)  # the boundary timers' defaults in the diagram


def published_wish(api, tier: str = "B") -> dict:
    """A need graded a micro-wish and published on the claim board (tier B: 30 days to fulfil once claimed)."""
    need = assessed_need(api, assessment=OK, title="独居老人想要一台收音机", category="daily_life", channel="social_org")
    iid = need["instance_id"]
    api.complete("worker1", "grade_need", {"tier": tier, "kind": "wish"}, iid)
    api.complete("worker1", "publish_wish", {"wish_text": "为独居老人捐赠一台收音机", "hours_expected": 2}, iid)
    return need


def data_of(api, iid: int) -> dict:
    return api.get(f"/api/instances/{iid}", "auditor1").get_json()["data"]


def outcome(api, iid: int) -> tuple[str, str]:
    instance = api.get(f"/api/instances/{iid}", "auditor1").get_json()
    return instance["status"], instance["outcome"]


def notes(api, username: str) -> list[str]:
    return [n["message"] for n in api.get("/api/notifications", username).get_json()["notifications"]]


def test_the_claim_board_offers_a_wish_to_every_claimer_kind(api):
    iid = published_wish(api)["instance_id"]
    for username in CLAIMERS:
        task = api.task_for(username, "claim_wish", iid)
        assert task["role"] == "wish_claimer"
        assert task["offered_to"] == ["volunteer", "party_member", "unit", "business"]
        assert any("认领微心愿" in n for n in notes(api, username))  # each was told a wish waits
    view = api.get(f"/api/tasks/{task['id']}", "unit1").get_json()
    assert all(word in view["instructions"] for word in ("志愿者", "在职党员", "辖区单位", "商户"))


@pytest.mark.parametrize("claimer", sorted(CLAIMERS))
def test_each_claimer_kind_claims_and_fulfils_a_wish(app, api, claimer):
    need = published_wish(api)
    iid = need["instance_id"]
    api.complete(claimer, "claim_wish", {"claim_note": "本周六上门"}, iid)
    for other in set(CLAIMERS) - {claimer}:
        assert "claim_wish" not in ready(api, other, iid)  # the first to claim takes it off the board
    assert ready(api, claimer, iid) == ["fulfil_wish"]
    assert all("fulfil_wish" not in ready(api, other, iid) for other in set(CLAIMERS) - {claimer})
    api.complete(claimer, "fulfil_wish", {"fulfilment": "已送达并调好频道", "volunteer_hours": 1.5}, iid)
    data = data_of(api, iid)
    assert data["wish_claimer"] == claimer and data["wish_claimer_kind"] == CLAIMERS[claimer]
    services = [e for e in events_of(app, "wish_service_recorded") if e.instance_id == iid]
    banked = [(h["volunteer"], h["hours"]) for h in api.get("/api/timebank/hours", "worker1").get_json()["hours"]
              if h["source"] == need["tracking_code"]]
    if claimer == "volunteer1":  # only a volunteer's hours go to the time bank, pending a worker's check
        assert data["wish_hours_to_bank"] is True and data["wish_hours_record"] > 0 and services == []
        assert banked == [("volunteer1", 1.5)]
    else:  # a party member, unit or business gets a service record in the case, no time-bank entry
        assert data["wish_hours_to_bank"] is False and "wish_hours_record" not in data and banked == []
        assert data["wish_service_recorded"] is True and len(services) == 1
        assert services[0].data_changes["wish_claimer_kind"] == [None, CLAIMERS[claimer]]
        assert services[0].data_changes["hours"] == [None, 1.5] and services[0].actor_name == claimer
        assert "1.5 小时" in services[0].summary
    api.complete("worker1", "resident_feedback", {"satisfaction": 5}, iid)
    assert outcome(api, iid) == ("completed", "resolved")


@pytest.mark.parametrize("username", ["provider1", "grid1", "resident1", "worker1"])
def test_a_role_that_does_not_claim_wishes_cannot(api, username):
    iid = published_wish(api)["instance_id"]
    task = api.task_for("volunteer1", "claim_wish", iid)
    assert "claim_wish" not in ready(api, username, iid)
    refused = api.post(f"/api/tasks/{task['id']}/complete", {"data": {"claim_note": "我来"}}, username)
    assert refused.status_code == 403
    assert api.task_for("volunteer1", "claim_wish", iid)["id"] == task["id"]  # still on the board


def test_an_unclaimed_wish_reminds_the_community_then_returns_to_the_worker(app, api):
    iid = published_wish(api)["instance_id"]
    assert "0 instance(s)" in run_timers(app, START + REMINDER - timedelta(minutes=5))
    assert not any("无人认领" in n for n in notes(api, "worker1"))
    assert "1 instance(s)" in run_timers(app, START + REMINDER + timedelta(minutes=5))
    assert any("无人认领" in n and "独居老人想要一台收音机" in n for n in notes(api, "worker1"))
    assert not any("无人认领" in n for n in notes(api, "worker2"))  # 北山's worker is not told
    assert ready(api, "volunteer1", iid) == ["claim_wish"]  # the reminder leaves the wish on the board
    assert ready(api, "worker1", iid) == []
    assert "1 instance(s)" in run_timers(app, START + RETURN + timedelta(minutes=5))
    assert ready(api, "volunteer1", iid) == [] and ready(api, "worker1", iid) == ["decide_unclaimed_wish"]
    fired = [e for e in history(api, iid) if e["event_type"] == "timer_fired"]
    assert len(fired) == 2 and fired[-1]["data_changes"]["ready_tasks"] == [["claim_wish"], ["decide_unclaimed_wish"]]


def returned_wish(app, api) -> int:
    iid = published_wish(api)["instance_id"]
    run_timers(app, START + RETURN + timedelta(minutes=5))
    assert ready(api, "worker1", iid) == ["decide_unclaimed_wish"]
    return iid


def test_the_worker_republishes_an_unclaimed_wish(app, api):
    iid = returned_wish(app, api)
    task = api.task_for("worker1", "decide_unclaimed_wish", iid)
    assert api.get(f"/api/tasks/{task['id']}", "worker1").get_json()["data"]["wish_text"] == "为独居老人捐赠一台收音机"
    api.complete("worker1", "decide_unclaimed_wish", {"unclaimed_decision": "republish",
                                                       "wish_text": "为独居老人捐赠一台收音机（旧的也可以）"}, iid)
    claim = api.task_for("business1", "claim_wish", iid)
    assert "旧的也可以" in api.get(f"/api/tasks/{claim['id']}", "business1").get_json()["instructions"]
    api.complete("business1", "claim_wish", {}, iid)
    api.complete("business1", "fulfil_wish", {"fulfilment": "超市捐赠收音机一台", "volunteer_hours": 1}, iid)
    assert data_of(api, iid)["wish_claimer_kind"] == "business"
    api.complete("worker1", "resident_feedback", {"satisfaction": 5}, iid)
    assert outcome(api, iid) == ("completed", "resolved")


def test_the_community_fulfils_an_unclaimed_wish_itself(app, api):
    iid = returned_wish(app, api)
    api.complete("worker1", "decide_unclaimed_wish", {"unclaimed_decision": "self_fulfil"}, iid)
    assert ready(api, "volunteer1", iid) == [] and ready(api, "worker1", iid) == ["fulfil_wish"]
    task = api.task_for("worker1", "fulfil_wish", iid)
    assert "由社区自行完成" in api.get(f"/api/tasks/{task['id']}", "worker1").get_json()["instructions"]
    api.complete("worker1", "fulfil_wish", {"fulfilment": "社区购置收音机送达", "volunteer_hours": 1}, iid)
    data = data_of(api, iid)
    assert data["wish_claimer"] == "worker1" and data["wish_claimer_kind"] == "community"
    assert data["wish_service_recorded"] is True and "wish_hours_record" not in data
    api.complete("worker1", "resident_feedback", {"satisfaction": 4}, iid)
    assert outcome(api, iid) == ("completed", "resolved")


def test_the_worker_closes_an_unclaimed_wish_with_a_reason_the_resident_sees(app, api, client):
    need = published_wish(api)
    iid = need["instance_id"]
    run_timers(app, START + RETURN + timedelta(minutes=5))
    task = api.task_for("worker1", "decide_unclaimed_wish", iid)
    missing = api.post(f"/api/tasks/{task['id']}/complete", {"data": {"unclaimed_decision": "close"}}, "worker1")
    assert missing.status_code in (400, 422) and "wish_close_reason" in missing.get_json()["fields"]
    wrong = api.post(f"/api/tasks/{task['id']}/complete", {"data": {"unclaimed_decision": "forget"}}, "worker1")
    assert wrong.status_code in (400, 422) and "unclaimed_decision" in wrong.get_json()["fields"]
    reason = "居民已由子女购置收音机，心愿不再需要"
    api.complete("worker1", "decide_unclaimed_wish", {"unclaimed_decision": "close", "wish_close_reason": reason}, iid)
    assert outcome(api, iid) == ("completed", "wish_closed")
    progress = api.get(f"/api/public/needs/{need['tracking_code']}").get_json()
    assert progress["status"] == "wish_closed" and progress["explanation"] == reason
    page = client.get(f"/track/{need['tracking_code']}").get_data(as_text=True)  # the resident's page, no sign-in
    assert "微心愿无人认领（已说明原因）办结" in page and reason in page


def test_the_claim_page_names_who_may_claim(client, api):
    from helpers import sign_in
    iid = published_wish(api)["instance_id"]
    task = api.task_for("partymember1", "claim_wish", iid)
    sign_in(client, "partymember1")
    html = client.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert "可办理：志愿者、在职党员、辖区单位、商户" in html


def test_a_wish_case_shows_its_claimer_in_chinese_with_no_raw_key(app, api, client):
    import re
    from helpers import sign_in
    from test_case_data_language import KEY, cells, headings, section
    from test_page_language import english_words
    iid = published_wish(api)["instance_id"]
    api.complete("unit1", "claim_wish", {"claim_note": "供电所党员服务队上门"}, iid)
    api.complete("unit1", "fulfil_wish", {"fulfilment": "已送达", "volunteer_hours": 2}, iid)
    sign_in(client, "worker1")
    html = client.get(f"/instances/{iid}").get_data(as_text=True)
    data = section(html, "case-data")
    assert 'id="other-data"' not in html, section(html, "other-data")
    assert [h for h in headings(data) if KEY.fullmatch(h)] == [] and english_words(data) == []
    shown = dict(zip(headings(data), cells(data)))
    assert shown["认领方"] == "南山供电所" and shown["认领方式"] == "辖区单位（联村结对）"
    assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}", data)


def test_the_auditors_history_labels_a_wish_service_record(api, client):
    import re
    from helpers import sign_in
    from test_page_language import english_words
    iid = published_wish(api)["instance_id"]
    api.complete("partymember1", "claim_wish", {}, iid)
    api.complete("partymember1", "fulfil_wish", {"fulfilment": "已送达", "volunteer_hours": 2}, iid)
    sign_in(client, "auditor1")
    html = client.get(f"/instances/{iid}/history").get_data(as_text=True)
    assert "记入微心愿服务记录" in html and "在职党员孙丽（在职党员，连心解忧）2 小时" in html
    changed = re.findall(r'<span title="([^"]*)">([^<]*)</span>:', html)
    assert changed and sorted({key for key, label in changed if label == key}) == []
    values = " ".join(re.findall(r"<(?:del|ins)>(.*?)</(?:del|ins)>", html, re.S))
    assert english_words(values) == [] and "在职党员（连心解忧）" in values


def test_a_lane_named_by_a_role_group_offers_its_tasks_to_each_role_of_the_group():
    from app.people.roles import acting_roles, members_of, role_for_lane, role_label
    assert role_for_lane("微心愿认领方") == role_for_lane("wish_claimer") == "wish_claimer"
    assert members_of("wish_claimer") == {"volunteer", "party_member", "unit", "business"}
    assert members_of("volunteer") == {"volunteer"} and members_of(None) == frozenset()
    assert acting_roles({"unit"}) == {"unit", "wish_claimer"} and acting_roles({"provider"}) == {"provider"}
    assert role_label("wish_claimer") == "微心愿认领方" and role_label("party_member", "en") == "Registered party member"


def test_the_administrator_hands_a_claim_to_any_claimer_kind_but_no_other_role(api):
    iid = published_wish(api)["instance_id"]
    task = api.task_for("volunteer1", "claim_wish", iid)
    refused = api.post(f"/api/admin/tasks/{task['id']}/reassign", {"username": "provider1"}, "admin")
    assert refused.status_code == 400 and refused.get_json()["fields"] == {"username": "lacks the role"}
    moved = api.post(f"/api/admin/tasks/{task['id']}/reassign", {"username": "business1"}, "admin")
    assert moved.status_code == 200 and moved.get_json()["assignee"] == "business1"
    assert ready(api, "volunteer1", iid) == [] and ready(api, "business1", iid) == ["claim_wish"]
