"""Script payloads typed into text fields stay text on every page that shows them."""
import pytest

from flows import OK
from factories import assessed_need, project_in_delivery
from helpers import sign_in

PAYLOADS = ['<script>window.__xss=1</script>', '<img src=x onerror="window.__xss=1">',
            '"><svg onload=window.__xss=1>', "javascript:window.__xss=1", "{{7*7}}{% raw %}"]
LIVE = ("<script>window.__xss", "<img src=x onerror", "<svg onload", 'href="javascript:')


@pytest.fixture
def hostile(api):
    """A need, its tasks, a resource and an online need, every text field carrying a payload."""
    text = " ".join(PAYLOADS)
    need = api.record_need(title=("标题" + PAYLOADS[0])[:100], description=text, resident_name=PAYLOADS[1][:50],
                           contact=PAYLOADS[2][:50])
    iid = need["instance_id"]
    api.complete("worker1", "assess_reasonableness", {"reasonable": False, "basis": text}, iid)
    api.complete("worker1", "explain_to_resident", {"explanation_method": "phone", "explanation": text}, iid)
    online = api.post("/api/public/needs", {"title": PAYLOADS[1][:100], "description": text, "category": "legal",
                                            "community": "nanshan", "contact": PAYLOADS[0][:50]})
    assert online.status_code == 201
    resource = api.post("/api/resources", {"community": "nanshan", "kind": "venue", "name": PAYLOADS[2][:200],
                                           "description": text}, "worker1")
    assert resource.status_code == 201
    second = api.record_need(title="普通需求", description="正常")["instance_id"]
    api.complete("worker1", "assess_reasonableness", OK, second)
    return {"instance": iid, "code": need["tracking_code"], "online": online.get_json()["tracking_code"]}


def pages(hostile) -> list[str]:
    iid = hostile["instance"]
    return ["/", "/inbox", "/instances", f"/instances/{iid}", f"/instances/{iid}/history", "/lists/needs",
            "/lists/resources", "/lists/projects", "/disclosures", "/projects", "/notifications",
            f"/track/{hostile['code']}", f"/track/{hostile['online']}", "/audit", "/audit?q=%3Cscript%3E"]


@pytest.mark.parametrize("user", ["worker1", "auditor1", "street1"])
def test_payloads_render_as_text_on_every_page(client, hostile, user):
    sign_in(client, user)
    shown = 0
    for path in pages(hostile):
        response = client.get(path)
        assert response.status_code in (200, 403), (path, response.status_code)
        html = response.get_data(as_text=True)
        for live in LIVE:
            assert live not in html, (user, path, live)
        shown += html.count("&lt;script&gt;window.__xss") + html.count("\\u003cscript\\u003ewindow.__xss")
    assert shown > 0  # the payload was really on some page, escaped


def test_payloads_render_as_text_for_residents(client, hostile):
    for path in (f"/track/{hostile['code']}", f"/track/{hostile['online']}", "/disclosures", "/projects"):
        html = client.get(path).get_data(as_text=True)
        assert not any(live in html for live in LIVE), path


def test_template_code_in_data_stays_text_in_instructions(api, client):
    """grade_need's instructions show the need's title: a {{ }} typed by a resident is not evaluated."""
    iid = assessed_need(api, assessment=OK, title="{{7*7}}号楼灯坏了")["instance_id"]
    task = api.task_for("worker1", "grade_need", iid)
    sign_in(client, "worker1")
    page = client.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert "{{7*7}}号楼灯坏了" in page and "49号楼灯坏了" not in page


def test_payloads_in_project_and_time_bank_texts_stay_text(app, api, client):
    """A project's applicant, funder and title, and the time bank's activities and items."""
    _, pid, _ = project_in_delivery(app, api, "活动室<script>window.__xss=1</script>")
    assert api.post(f"/api/projects/{pid}/fund", {"kind": "donation", "source": PAYLOADS[1][:100], "amount": 10},
                    "worker1").status_code == 201
    assert api.post("/api/timebank/hours", {"hours": 1, "activity": PAYLOADS[0]}, "volunteer1").status_code == 201
    assert api.post("/api/timebank/redemptions", {"item": PAYLOADS[2][:100], "points": 1}, "volunteer1").status_code in (201, 400)
    for user, paths in (("worker1", [f"/projects/{pid}", "/projects", "/timebank", "/lists/projects", "/disclosures"]),
                        ("volunteer1", ["/timebank", f"/projects/{pid}"]), (None, [f"/projects/{pid}", "/disclosures"])):
        client.delete_cookie("session")  # the next user, or nobody
        if user:
            sign_in(client, user)
        for path in paths:
            html = client.get(path).get_data(as_text=True)
            assert not any(live in html for live in LIVE), (user, path)
