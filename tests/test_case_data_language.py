"""A case's data reads in the page's language: labelled keys, titled values, no raw key (issue 17).

Cases of the shipped processes are driven through needs, the five deliberations, delivery, the survey and
a time-bank redemption; their pages are read in zh and in en as a worker and as the auditor."""
import re

import pytest

from factories import graded_need, project_delivered, project_filed
from test_page_language import english_words
from test_pages import sign_in
from test_time_bank_api import earn

KEY = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)+|[a-z]+")


def section(html: str, element_id: str) -> str:
    """The inner HTML of the element with this id ('' when the page has none)."""
    found = re.search(rf'<table class="kv" id="{element_id}">(.*?)</table>', html, re.S)
    return found.group(1) if found else ""


def headings(table: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", table, re.S)]


def cells(table: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", table, re.S)]


@pytest.fixture
def cases(app, api) -> dict[str, int]:
    """Instances of the shipped processes far along their paths: a delivered project, an affair, a redemption."""
    need, _at = project_filed(app, api)
    iid = need["instance_id"]
    api.complete("worker1", "publish_project", {"claim_days": 7, "report_interval_days": 14}, iid)
    project_delivered_after_claim(app, api, iid, _at)
    earn(api, 2)
    redemption = api.post("/api/timebank/redemptions", {"item": "大米一袋", "points": 15}, "volunteer1").get_json()
    api.complete("worker1", "approve_redemption", {"approved": True, "decision_note": "同意"},
                 redemption["instance_id"])
    return {"project": iid, "affair": graded_need(api)["instance_id"], "redemption": redemption["instance_id"]}


def project_delivered_after_claim(app, api, iid: int, at) -> None:
    from datetime import timedelta
    from factories import public_project_id, PROJECT_TITLE
    from helpers import run_timers
    pid = public_project_id(api, PROJECT_TITLE)
    assert api.post(f"/api/projects/{pid}/applications", {"unit_name": "阳光社工服务中心", "plan": "三周完成改造"},
                    "provider1").status_code == 201
    run_timers(app, at + timedelta(days=7, minutes=5))
    project_delivered(api, iid)


def test_a_case_shows_its_data_in_chinese_with_no_raw_key(client, cases):
    sign_in(client, "worker1")
    for name, iid in cases.items():
        html = client.get(f"/instances/{iid}").get_data(as_text=True)
        data = section(html, "case-data")
        assert data, name
        assert 'id="other-data"' not in html, (name, section(html, "other-data"))
        assert [h for h in headings(data) if KEY.fullmatch(h)] == [], name
        assert english_words(data) == [], name
        assert not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}", data), name  # no ISO timestamp
        changes = " ".join(re.findall(r'<summary>变更</summary>(.*?)</details>', html, re.S))
        assert changes and not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}", changes), name
        assert english_words(changes) == [], f"{name}: {english_words(changes)}"
    project = section(client.get(f"/instances/{cases['project']}").get_data(as_text=True), "case-data")
    shown = dict(zip(headings(project), cells(project)))
    assert shown["需求标题"] == "小区需要一个文化活动室" and shown["立项结果"] == "已备案"
    assert shown["项目编号"] and shown["当前会议"] == "居民（代表）会议决议"
    assert re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", shown["认领截止时间"])
    assert "财政资金：30,000.00 元" in shown["项目资金"]
    assert shown["首问责任人"] == "南山社工王芳" and shown["承接单位账号"] != "provider1"  # people by name, not username


def test_the_auditors_history_labels_every_change(client, cases):
    sign_in(client, "auditor1")
    for name, iid in cases.items():
        html = client.get(f"/instances/{iid}/history").get_data(as_text=True)
        changed = re.findall(r'<span title="([^"]*)">([^<]*)</span>:', html)
        assert changed, name
        unnamed = sorted({key for key, label in changed if label == key})
        assert not unnamed, f"{name}: {unnamed}"
        values = " ".join(re.findall(r"<(?:del|ins)>(.*?)</(?:del|ins)>", html, re.S))
        assert values and not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}", values), name
        assert english_words(values) == [], f"{name}: {english_words(values)}"
        data = section(client.get(f"/instances/{iid}").get_data(as_text=True), "case-data")
        assert english_words(data) == [], name


def test_a_case_shows_its_catalogued_keys_in_english_on_an_english_page(client, cases):
    sign_in(client, "worker1")
    client.get("/?lang=en")
    html = client.get(f"/instances/{cases['project']}").get_data(as_text=True)
    shown = dict(zip(headings(section(html, "case-data")), cells(section(html, "case-data"))))
    assert shown["Title"] == "小区需要一个文化活动室"  # the value is the resident's own text
    assert shown["Project outcome"] == "Filed" and "Handling level" in shown and "Responsible body" in shown
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", shown["Claiming closes"])
    assert [h for h in shown if KEY.fullmatch(h)] == []


def test_keys_nobody_named_are_shown_apart_and_dates_are_read_as_dates(app, client, cases):
    from app.workflow.data_view import data_sections
    with app.test_request_context("/"):
        known, other = data_sections({}, {}, {"title": "x", "_private": 1, "disclosure_id": 3, "community": "nanshan",
                                             "my_field": "2026-12-05T01:00:00+00:00", "picked_on": "2026-12-05"})
    assert [r["label"] for r in known] == ["标题"]
    assert [(r["key"], r["value"]) for r in other] == [("my_field", "2026年12月5日 09:00"), ("picked_on", "2026年12月5日")]
    sign_in(client, "worker1")
    assert "其他数据" not in client.get(f"/instances/{cases['affair']}").get_data(as_text=True)


@pytest.mark.parametrize("step", ["resident_suggestion", "party_proposal"])
def test_a_task_page_shows_the_data_it_reads_in_chinese(api, client, step):
    from factories import project_at_design
    from flows import design_and_assess, suggestion
    iid = project_at_design(api)["instance_id"]
    design_and_assess(api, iid)
    holder = "worker1"
    if step == "party_proposal":
        api.complete("worker1", "resident_suggestion", suggestion(), iid)
        holder = "secretary1"
    task = api.task_for(holder, step, iid)
    sign_in(client, holder)
    html = client.get(f"/tasks/{task['id']}").get_data(as_text=True)
    form = html[html.index('<form method="post" class="card task-form"'):html.index('id="f-attachments"')]
    assert "readonly" in form or step == "resident_suggestion"
    assert english_words(form) == [] and not re.search(r"\d{4}-\d{2}-\d{2}T\d{2}", form)


def test_deep_or_odd_values_are_shown_without_failing(app):
    from app.workflow.data_view import data_sections
    deep: list = []
    for _ in range(3000):
        deep = [deep]
    with app.test_request_context("/"):
        _known, other = data_sections({}, {}, {"deep": deep, "odd": "2026-13-45T99:99", "flag": True, "none": None})
    assert {r["key"]: r["value"] for r in other} == {"deep": "…", "flag": "是", "none": "—", "odd": "2026-13-45T99:99"}
