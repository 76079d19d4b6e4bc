"""指定责任 / 兜底负责 in Chromium: the worker names a lead and two lines; the lead follows the case and its lines."""
import pytest
from playwright.sync_api import Page, expect

from factories import submit_need
from test_need_pages import sign_in

pytestmark = pytest.mark.usefixtures("fixed_clock")

OK = {"reasonable": True, "basis": "符合《城市市容和环境卫生管理条例》"}


def test_the_lead_sees_the_lines_of_a_multi_line_need(page: Page, api):
    iid = submit_need(api, "worker1", title="小区门口占道经营、油烟扰民")["instance_id"]
    api.complete("worker1", "assess_reasonableness", OK, iid)
    api.complete("worker1", "assess_responsibility", {"responsibility": "community", "multi_line": True}, iid)
    task = api.task_for("worker1", "designate_lead", iid)

    # The worker names them on the task page: the people are offered by name, not typed.
    sign_in(page, "worker1")
    page.goto(f"/tasks/{task['id']}")
    expect(page.get_by_role("heading", level=1)).to_contain_text("指定牵头负责人和配合单位/条线")
    lead = page.get_by_label("牵头负责人")
    expect(lead.locator("option", has_text="幸福街道")).not_to_have_count(0)  # the street's officers may lead
    lead.select_option("secretary1")
    page.locator("#f-line_1").fill("街道综治")
    page.get_by_label("配合单位/条线1联系人").select_option("street1")
    page.locator("#f-line_2").fill("城管执法")
    page.get_by_label("配合单位/条线2联系人").select_option("district1")
    page.get_by_label("配合办理时限（天）").fill("5")
    page.get_by_role("button", name="提交").click()
    expect(page.locator(".flash, [role=status]").first).to_contain_text("指定牵头负责人和配合单位/条线")
    api.complete("street1", "cooperate_line", {"line_report": "街道综治组织约谈商户"}, iid)

    # The lead opens 我牵头的需求, then the case: its lines, their contacts and where each stands.
    page.context.clear_cookies()
    sign_in(page, "secretary1")
    page.get_by_role("link", name="我牵头的需求").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("我牵头的需求")
    row = page.locator(f"[data-case='{iid}']")
    expect(row).to_contain_text("2 个条线已办完 1 个")
    expect(row).to_contain_text("配合办理")
    row.get_by_role("link", name="小区门口占道经营、油烟扰民").click()
    expect(page.locator("[data-lead]")).to_contain_text("牵头负责人：")
    done, pending = page.locator("[data-line='1']"), page.locator("[data-line='2']")
    expect(done).to_contain_text("街道综治")
    expect(done).to_contain_text("幸福街道")
    expect(done).to_contain_text("已办完")
    expect(done).to_contain_text("街道综治组织约谈商户")
    expect(pending).to_contain_text("城管执法")
    expect(pending).to_contain_text("芝罘区")
    expect(pending).to_contain_text("办理中")
    page.get_by_role("link", name="查看整个案件").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("小区门口占道经营、油烟扰民")
    # The case shows whose the open line's task is (the contact named, not the lane's role), and links back.
    expect(page.locator("section").first).to_contain_text("配合办理 · 芝罘区民政局")
    page.locator("[data-link='lines']").get_by_role("link").click()
    expect(page.locator("[data-line='2']")).to_contain_text("办理中")
