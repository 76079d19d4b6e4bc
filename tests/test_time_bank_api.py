"""The volunteer time bank through the API: hours confirmed into points, redemption approval, a ledger
that never goes negative."""
from sqlalchemy import select

from app.modules.timebank.models import TimeBankEntry
from app.people.models import User


def balance(api, username: str = "volunteer1") -> int:
    return api.get("/api/timebank", username).get_json()["balance"]


def earn(api, hours: float, username: str = "volunteer1") -> dict:
    logged = api.post("/api/timebank/hours", {"hours": hours, "activity": "助老陪护"}, username)
    assert logged.status_code == 201 and logged.get_json()["status"] == "pending"
    decided = api.post(f"/api/timebank/hours/{logged.get_json()['id']}/decision", {"confirm": True}, "worker1")
    assert decided.status_code == 200
    return decided.get_json()


def redemption_task(api, instance_id: int) -> dict:
    return next(t for t in api.inbox("worker1") if t["instance_id"] == instance_id)


def test_confirmed_hours_earn_points_at_the_configured_rate(api):
    assert earn(api, 2.5)["points"] == 25
    assert balance(api) == 25
    logged = api.post("/api/timebank/hours", {"hours": 1, "activity": "清扫楼道"}, "volunteer1").get_json()
    assert api.post(f"/api/timebank/hours/{logged['id']}/decision", {"confirm": True}, "worker2").status_code == 403
    assert api.post(f"/api/timebank/hours/{logged['id']}/decision", {"confirm": False}, "worker1").status_code == 200
    assert api.post(f"/api/timebank/hours/{logged['id']}/decision", {"confirm": True}, "worker1").status_code == 409
    assert balance(api) == 25  # rejected hours earn nothing
    bad = api.post("/api/timebank/hours", {"hours": 30, "activity": ""}, "volunteer1")
    assert bad.status_code == 400 and set(bad.get_json()["fields"]) == {"hours", "activity"}


def test_a_redemption_is_refused_for_lack_of_points(app, api):
    earn(api, 1)
    refused = api.post("/api/timebank/redemptions", {"item": "理发服务", "points": 50}, "volunteer1")
    assert refused.status_code == 400 and "10" in refused.get_json()["fields"]["points"]
    assert balance(api) == 10
    with app.extensions["db_sessions"]() as session:
        volunteer = session.scalars(select(User).where(User.username == "volunteer1")).one()
        assert session.scalars(select(TimeBankEntry).where(TimeBankEntry.user_id == volunteer.id,
                                                           TimeBankEntry.kind == "redeem")).all() == []


def test_an_approved_redemption_debits_and_a_second_one_cannot_overdraw(app, api):
    earn(api, 2)
    first = api.post("/api/timebank/redemptions", {"item": "大米一袋", "points": 15}, "volunteer1").get_json()
    second = api.post("/api/timebank/redemptions", {"item": "理发服务", "points": 15}, "volunteer1").get_json()
    api.complete("worker1", "approve_redemption", {"approved": True, "decision_note": "同意"}, first["instance_id"])
    assert balance(api) == 5
    api.complete("worker1", "approve_redemption", {"approved": True, "decision_note": "同意"}, second["instance_id"])
    assert balance(api) == 5  # the balance no longer covered it: refused, never negative
    account = api.get("/api/timebank", "volunteer1").get_json()
    assert [(r["item"], r["status"]) for r in account["redemptions"]] == [("理发服务", "refused"), ("大米一袋", "redeemed")]
    assert [(e["kind"], e["points"], e["balance_after"]) for e in account["entries"]] == [
        ("redeem", -15, 5), ("earn", 20, 20)]
    outcomes = {api.get(f"/api/instances/{r['instance_id']}", "auditor1").get_json()["outcome"]
                for r in (first, second)}
    assert outcomes == {"redemption_completed", "redemption_refused_short"}


def test_a_declined_redemption_keeps_the_points(api):
    earn(api, 1)
    asked = api.post("/api/timebank/redemptions", {"item": "电影票", "points": 10}, "volunteer1").get_json()
    api.complete("worker1", "approve_redemption", {"approved": False, "decision_note": "本月兑换已满"},
                 asked["instance_id"])
    account = api.get("/api/timebank", "volunteer1").get_json()
    assert account["balance"] == 10 and account["redemptions"][0]["status"] == "refused"
    assert account["redemptions"][0]["reason"] == "本月兑换已满"


def test_a_fulfilled_wish_leaves_its_hours_for_confirmation(api):
    iid = api.record_need(title="独居老人想要一台收音机", category="daily_life", channel="social_org")["instance_id"]
    api.complete("worker1", "assess_reasonableness", {"reasonable": True, "basis": "合理"}, iid)
    api.complete("worker1", "assess_responsibility", {"responsibility": "community"}, iid)
    api.complete("worker1", "grade_need", {"tier": "A", "kind": "wish"}, iid)
    api.complete("worker1", "publish_wish", {"wish_text": "捐赠一台收音机"}, iid)
    api.complete("volunteer1", "claim_wish", {"claim_note": "我来"}, iid)
    api.complete("volunteer1", "fulfil_wish", {"fulfilment": "已送达", "volunteer_hours": 1.5}, iid)
    pending = api.get("/api/timebank/hours", "worker1").get_json()["hours"]
    assert [(h["volunteer"], h["hours"], h["status"]) for h in pending] == [("volunteer1", 1.5, "pending")]
    assert "收音机" in pending[0]["activity"]
    assert api.get("/api/timebank/hours", "worker2").get_json()["hours"] == []  # another community's worker
    api.post(f"/api/timebank/hours/{pending[0]['id']}/decision", {"confirm": True}, "worker1")
    assert balance(api) == 15
