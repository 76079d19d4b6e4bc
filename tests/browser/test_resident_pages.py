"""A resident's side in Chromium, on a phone-sized screen: submit a need without an account, follow
it by tracking code while a worker triages and resolves it, then rate the result."""
import re

from playwright.sync_api import Page, expect

from test_need_pages import choose, open_from_inbox, sign_in, submit_task

PHONE = {"width": 390, "height": 844}


def test_resident_submits_follows_and_rates(page: Page, browser, live_server):
    page.set_viewport_size(PHONE)
    page.goto("/submit")
    page.get_by_label("社区").select_option(label="南山社区")
    page.get_by_label("网格 / 楼院（可不填）").select_option(label="南山第3网格")
    page.get_by_label("需求标题").fill("垃圾桶满了没人清")
    page.get_by_label("需求描述").fill("3号网格垃圾桶连续三天没清运")
    page.get_by_label("服务类别").select_option(label="社区管理服务")
    page.get_by_role("button", name="提交", exact=True).click()
    notice = page.get_by_role("status")
    expect(notice).to_contain_text("提交成功。请保存查询码：")
    code = re.search(r"查询码：([A-Z0-9]+)", notice.inner_text()).group(1)
    expect(page.locator("section.card")).to_contain_text("合理性研判")

    worker_context = browser.new_context(base_url=live_server, locale="zh-CN")
    worker = worker_context.new_page()
    try:
        sign_in(worker, "worker1")
        open_from_inbox(worker, "合理性研判", "垃圾桶满了没人清")
        choose(worker, "研判结论", "合理")
        worker.get_by_label("研判依据").fill("属社区环境卫生管理")
        submit_task(worker, "合理性研判")
        open_from_inbox(worker, "职能分流", "垃圾桶满了没人清")
        choose(worker, "责任主体", "社区解决")
        submit_task(worker, "职能分流")
        open_from_inbox(worker, "分级分类", "垃圾桶满了没人清")
        choose(worker, "办理方式", "常规事项常规办")
        submit_task(worker, "分级分类")
        open_from_inbox(worker, "办理", "垃圾桶满了没人清")
        worker.get_by_label("办理情况").fill("已联系保洁公司当天清运")
        submit_task(worker, "办理")
    finally:
        worker_context.close()

    page.goto(f"/track?code={code.lower()}")
    expect(page.locator("section.card")).to_contain_text("回访评价")
    page.get_by_role("link", name="评价办理结果").click()
    choose(page, "满意度", "5 非常满意")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("感谢您的评价。")
    expect(page.locator("section.card .badge")).to_have_text("已解决")
    expect(page.locator("ol.timeline")).to_contain_text("办理")
    assert "13800" not in page.content()  # nothing personal on the public page
