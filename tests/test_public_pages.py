"""Residents' pages: submit without an account, follow by tracking code, rate when asked."""
import re

from test_pages import csrf_of, sign_in


def submit(client, **fields) -> str:
    page = client.get("/submit").get_data(as_text=True)
    form = {"csrf_token": csrf_of(page), "community": "nanshan", "grid": "nanshan-2", "title": "小区路灯不亮",
            "description": "2号楼前路灯坏了一周", "category": "daily_life", "contact": "13800000000"} | fields
    response = client.post("/submit", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    return re.search(r"/track/([A-Z0-9]+)", response.headers["Location"]).group(1)


def test_submit_then_follow_by_code(client, api):
    page = client.get("/submit").get_data(as_text=True)
    assert "南山第2网格" in page and 'name="contact"' in page and 'name="channel"' not in page
    code = submit(client)
    shown = client.get(f"/track/{code}?new=1").get_data(as_text=True)
    assert f"请保存查询码：{code}" in shown and "合理性研判" in shown and "13800000000" not in shown
    assert client.get(f"/track?code={code.lower()}").headers["Location"].endswith(f"/track/{code}")
    task = api.task_for("worker1", "assess_reasonableness")
    data = api.get(f"/api/instances/{task['instance_id']}", "worker1").get_json()["data"]
    assert data["channel"] == "online" and data["grid"] == "nanshan-2" and data["first_responder"] == "worker1"


def test_submit_errors_keep_what_was_typed(client):
    page = client.get("/submit").get_data(as_text=True)
    response = client.post("/submit", data={"csrf_token": csrf_of(page), "title": "只写了标题", "community": ""})
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and "请从给出的选项中选择" in html and 'value="只写了标题"' in html


def test_unknown_code_is_a_404_page(client):
    response = client.get("/track/NOSUCHCODE")
    assert response.status_code == 404 and "没有这个查询码对应的需求" in response.get_data(as_text=True)


def test_resident_rates_when_asked(client, api):
    code = submit(client)
    assert client.get(f"/track/{code}/rate").status_code == 404  # not waiting for a rating yet
    iid = api.task_for("worker1", "assess_reasonableness")["instance_id"]
    api.complete("worker1", "assess_reasonableness", {"reasonable": True, "basis": "ok"}, iid)
    api.complete("worker1", "assess_responsibility", {"responsibility": "community"}, iid)
    api.complete("worker1", "grade_need", {"tier": "A", "kind": "affair", "affair_weight": "routine"}, iid)
    api.complete("worker1", "resolve_need", {"resolution": "已更换灯泡"}, iid)
    assert "评价办理结果" in client.get(f"/track/{code}").get_data(as_text=True)
    page = client.get(f"/track/{code}/rate").get_data(as_text=True)
    bad = client.post(f"/track/{code}/rate", data={"csrf_token": csrf_of(page)})
    assert bad.status_code == 400 and "此项必填" in bad.get_data(as_text=True)
    done = client.post(f"/track/{code}/rate", data={"csrf_token": csrf_of(page), "satisfaction": "5"})
    assert done.status_code == 302
    final = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "感谢您的评价" in final and "已解决" in final


def test_signed_in_resident_sees_their_own_needs(client):
    sign_in(client, "resident1")
    code = submit(client)
    home = client.get("/").get_data(as_text=True)
    assert "我提交的需求" in home and code in home
