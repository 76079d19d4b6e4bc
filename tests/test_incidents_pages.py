"""The incident pages: administrators and designers see failed cases with the step, the error and the
time in China time, retry them with corrected data or on a new version, or cancel them; others get 403."""
import re

import pytest

from helpers import csrf_of, history, sign_in
from test_incidents_api import FIXED, deploy_ratio
from test_incidents_api import incident_id, wall_clock  # noqa: F401 (fixtures shared with the API tests)


def row_of(html: str, instance_id: int) -> str:
    found = re.search(rf'<tr data-instance="{instance_id}">(.*?)</tr>', html, re.S)
    assert found, html
    return found.group(1)


@pytest.mark.parametrize("user", ["admin", "designer1"])
def test_the_list_shows_step_error_and_time_in_china_time(client, api, incident_id, user):
    sign_in(client, user)
    page = client.get("/incidents")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "<h1>异常事项</h1>" in html and 'href="/incidents">异常事项</a>' in html  # the heading and the menu
    row = row_of(html, incident_id)
    assert "南山社区比例核算" in row
    # The case page for those who may open it; a designer, who sees no case pages, gets the incident's.
    case_link = f'href="/instances/{incident_id}"' if user == "admin" else f'href="/incidents/{incident_id}"'
    assert f'<a {case_link}>#{incident_id} 南山社区比例核算</a>' in row
    assert "ratio_check v1" in row and "南山社区" in row
    assert "计算比例" in row and "calc" in row and "脚本中出现除以零" in row and "ZeroDivisionError" not in row
    assert "2026年6月1日 10:30" in row and "T02:30" not in row and "+00:00" not in row


def test_other_roles_get_403_and_no_menu_entry(client, api, incident_id):
    sign_in(client, "worker1")
    assert client.get("/incidents").status_code == 403
    assert client.get(f"/incidents/{incident_id}").status_code == 403
    token = csrf_of(client.get("/").get_data(as_text=True))
    assert client.post(f"/incidents/{incident_id}/cancel", data={"csrf_token": token, "reason": "x"}).status_code == 403
    assert "/incidents" not in client.get("/inbox").get_data(as_text=True)


def test_retry_with_corrected_data_from_the_page(client, api, incident_id):
    sign_in(client, "admin")
    case = client.get(f"/instances/{incident_id}").get_data(as_text=True)
    assert f'<a href="/incidents/{incident_id}">该事项的流程已因出错而停止：处理异常</a>' in case
    page = client.get(f"/incidents/{incident_id}").get_data(as_text=True)
    assert "&#34;divisor&#34;: 0" in page and "2026年6月1日 10:30" in page
    # The reason in Chinese; the engine's own words apart, for the designer who corrects the data.
    assert '<td class="failure">脚本中出现除以零</td>' in page
    assert re.search(r'技术信息（引擎原文）</th><td class="failure-detail"><code lang="en">ZeroDivisionError:', page)
    token = csrf_of(page)
    failed = client.post(f"/incidents/{incident_id}/retry", data={"csrf_token": token, "data": '{"divisor": "四"}'},
                         follow_redirects=True)
    assert "重试后仍然出错：脚本中的值类型不对" in failed.get_data(as_text=True)
    done = client.post(f"/incidents/{incident_id}/retry", data={"csrf_token": token, "data": '{"divisor": 5}'},
                       follow_redirects=True)
    assert "重试成功，事项继续办理。" in done.get_data(as_text=True)
    assert "处理异常" not in client.get(f"/instances/{incident_id}").get_data(as_text=True)
    assert f'data-instance="{incident_id}"' not in done.get_data(as_text=True)
    assert api.task_for("worker1", "work", incident_id)
    retried = [e for e in history(api, incident_id) if e["event_type"] == "incident_retried"]
    assert [e["actor"] for e in retried] == ["admin", "admin"]


def test_retry_on_a_new_version_from_the_page(client, api, incident_id):
    deploy_ratio(api, FIXED)
    sign_in(client, "designer1")
    page = client.get(f"/incidents/{incident_id}").get_data(as_text=True)
    assert '<option value="2">新版本 v2</option>' in page
    client.post(f"/incidents/{incident_id}/retry", data={"csrf_token": csrf_of(page), "data": "", "version": "2"})
    instance = api.get(f"/api/instances/{incident_id}", "auditor1").get_json()
    assert instance["status"] == "running" and instance["version"] == 2


def test_a_refused_retry_says_why_and_cancel_ends_the_case(client, api, incident_id):
    sign_in(client, "admin")
    url = f"/incidents/{incident_id}"
    token = csrf_of(client.get(url).get_data(as_text=True))
    refused = client.post(f"{url}/retry", data={"csrf_token": token, "data": "[1]"}, headers={"Referer": url},
                          follow_redirects=True)
    assert "补正数据须为 JSON 对象" in refused.get_data(as_text=True)
    done = client.post(f"{url}/cancel", data={"csrf_token": token, "reason": "重复登记"}, follow_redirects=True)
    assert f'data-instance="{incident_id}"' not in done.get_data(as_text=True)
    assert api.get(f"/api/instances/{incident_id}", "auditor1").get_json()["status"] == "cancelled"
    assert client.get(url).status_code == 404
    assert [e["actor"] for e in history(api, incident_id) if e["event_type"] == "instance_terminated"] == ["admin"]


def test_an_incident_from_before_the_failure_columns_shows_unknown(app, client, api, incident_id):
    from sqlalchemy import update

    from app.workflow.models.instance import Instance
    with app.extensions["db_sessions"]() as session:
        session.execute(update(Instance).where(Instance.id == incident_id).values(
            failed_at=None, failed_element=None, failed_element_name=None, failure=None))
        session.commit()
    sign_in(client, "admin")
    row = row_of(client.get("/incidents").get_data(as_text=True), incident_id)
    assert row.count("不详") == 2
