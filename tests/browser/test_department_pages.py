"""The department's inbox in Chromium: a need the street dispatched (派单) to 芝罘区城市管理局 waits there with its
time limit (办理时限); the department's user opens it and resolves it (归口办理); other departments never see it."""
from datetime import datetime

from playwright.sync_api import Page, expect

from app.workflow.helpers import CHINA
from factories import assessed_need
from test_need_pages import choose, open_from_inbox, open_inbox, sign_in, submit_task, task_link

TITLE = "小区门口流动摊贩占道经营"


def dispatched(api) -> dict:
    need = assessed_need(api, "government", title=TITLE, category="government")
    api.complete("street1", "street_handle", {"street_decision": "dispatch", "assigned_department": "zhifu-cg",
                                              "district_deadline_days": 7, "street_resolution": "需城管执法处理"},
                 need["instance_id"])
    return need


def test_the_department_sees_the_dispatched_need_with_its_time_limit_and_resolves_it(page: Page, api):
    need = dispatched(api)
    due = datetime.fromisoformat(api.task_for("district2", "district_handle", need["instance_id"])["due_at"])
    local = due.astimezone(CHINA)
    sign_in(page, "district2")
    open_inbox(page)
    row = page.get_by_role("row").filter(has_text=TITLE)
    expect(row.get_by_role("link", name="区级部门归口办理", exact=True)).to_be_visible()
    # the due time (办理时限) in China time, as people write it
    expect(row).to_contain_text(f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}")

    open_from_inbox(page, "区级部门归口办理", TITLE)
    instructions = page.locator(".instructions")
    expect(instructions).to_contain_text("街道将这条需求派单至芝罘区城市管理局")
    expect(instructions).to_contain_text(f"办理时限：{local.year}年{local.month}月{local.day}日前（7 天）")
    expect(instructions).to_contain_text("需城管执法处理")

    # Returning needs a reason: without one the form says so and the task stays.
    choose(page, "办理结果", "退回街道")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.locator('.field[data-field="return_reason"]').get_by_role("alert")).to_have_text("此项必填")

    choose(page, "办理结果", "已解决")
    page.get_by_label("办理情况").fill("已联合街道依法劝离摊贩，设置便民疏导点")
    submit_task(page, "区级部门归口办理")
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()  # the department follows its case
    open_inbox(page)
    expect(task_link(page, "区级部门归口办理", TITLE)).to_have_count(0)


def test_another_department_does_not_see_it(page: Page, api):
    dispatched(api)
    sign_in(page, "district3")
    open_inbox(page)
    expect(page.get_by_role("heading", name="待办", level=1)).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=TITLE)).to_have_count(0)
    page.get_by_role("navigation").get_by_role("link", name="事项", exact=True).click()
    expect(page.get_by_role("row").filter(has_text=TITLE)).to_have_count(0)


def test_the_street_dispatches_from_its_task_page(page: Page, api):
    need = assessed_need(api, "government", title=TITLE, category="government")
    sign_in(page, "street1")
    open_from_inbox(page, "街道办理", TITLE)
    choose(page, "办理结果", "派单至区级部门（归口办理）")
    page.get_by_role("button", name="提交", exact=True).click()  # no department chosen: refused, nothing lost
    expect(page.locator('.field[data-field="assigned_department"]').get_by_role("alert")).to_have_text("此项必填")
    expect(page.get_by_label("办理时限（天）")).to_have_value("10")  # the default time limit
    choose(page, "承办部门", "芝罘区城市管理局")  # the directory's departments
    page.get_by_label("办理时限（天）").fill("7")
    page.get_by_label("办理情况").fill("需城管执法处理")
    submit_task(page, "街道办理")
    assert [t["bpmn_id"] for t in api.inbox("district2") if t["instance_id"] == need["instance_id"]] == [
        "district_handle"]
    assert all(t["instance_id"] != need["instance_id"] for u in ("district1", "district3") for t in api.inbox(u))
