"""Delivery in Chromium: a worker records a donation and is refused an overspend on the project page;
a resident answers the satisfaction survey once on a phone-sized page; a volunteer redeems points."""
from playwright.sync_api import Page, expect

from factories import project_in_delivery as claimed_and_funded
from test_need_pages import sign_in


def delivered(app, api, title: str) -> int:
    """A project delivered and its results disclosed: the survey is open. Its id."""
    need, pid, _ = claimed_and_funded(app, api, title)
    iid = need["instance_id"]
    api.complete("worker1", "progress_report", {"progress_percent": 100, "progress_text": "完成",
                                                "finished": True}, iid)
    api.complete("worker1", "complete_project", {"completed_on": "2026-12-20", "delivery_summary": "已完成"}, iid)
    api.complete("supervisor1", "results_disclosure", {"results_approved": True, "review_comment": "可以"}, iid)
    return pid


def test_a_worker_keeps_the_ledger_and_a_resident_answers_the_survey(app, page: Page, api):
    pid = delivered(app, api, "社区食堂改造")
    sign_in(page, "worker1")
    page.goto(f"/projects/{pid}")
    form = page.locator("form[data-form=fund]")
    form.get_by_label("类型").select_option("sponsorship")
    form.get_by_label("出资方（捐赠、赞助、众筹填写）").fill("辖区物业公司")
    form.get_by_label("金额（元）").fill("1500.5")
    form.get_by_role("button", name="记入台账").click()
    expect(page.get_by_role("status")).to_have_text("已记入台账。")
    expect(page.locator("table.list").first).to_contain_text("1,500.50")
    form.get_by_label("类型").select_option("spending")
    form.get_by_label("金额（元）").fill("999999")
    form.get_by_role("button", name="记入台账").click()
    expect(page.locator(".flash.error")).to_contain_text("支出超过项目资金结余")
    page.context.clear_cookies()
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto("/projects")
    page.get_by_role("link", name="社区食堂改造").click()
    survey = page.locator("form[data-form=survey]")
    survey.get_by_label("4", exact=True).check()
    survey.get_by_label("手机号（不公开，每个号码限答一次）").fill("13912345678")
    survey.get_by_role("button", name="提交").click()
    expect(page.get_by_role("status")).to_have_text("感谢参与，您的答卷已记录。")
    survey.get_by_label("5", exact=True).check()
    survey.get_by_label("手机号（不公开，每个号码限答一次）").fill("13912345678")
    survey.get_by_role("button", name="提交").click()
    expect(page.locator(".flash.error")).to_contain_text("您已参与过这次调查")


def test_a_volunteer_is_refused_a_redemption_beyond_the_balance(page: Page, api):
    logged = api.post("/api/timebank/hours", {"hours": 2, "activity": "助老陪护"}, "volunteer1").get_json()
    api.post(f"/api/timebank/hours/{logged['id']}/decision", {"confirm": True}, "worker1")
    sign_in(page, "volunteer1")
    page.goto("/timebank")
    expect(page.locator("[data-balance]")).to_have_text("20")
    form = page.locator("form[data-form=redeem]")
    form.get_by_label("兑换物品或服务").fill("理发服务")
    form.get_by_label("积分").fill("50")
    form.get_by_role("button", name="提交申请").click()
    expect(page.locator(".flash.error")).to_contain_text("积分不足")
    expect(page.locator("[data-balance]")).to_have_text("20")
