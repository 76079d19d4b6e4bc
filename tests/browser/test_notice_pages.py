"""The bulletin-board notice (公示栏) in Chromium: a worker keeps it (where objections go, the posting photo, an
objection made in person) and prints it: 关于……的公示, the issuer with room for the seal, the period in 月日."""
import re

from playwright.sync_api import Page, expect

from flows import MEETING_DAYS_AGO, chinese_day_ago
from factories import project_on_notice
from test_need_pages import sign_in

PNG = b"\x89PNG\r\n\x1a\n" + bytes(64)
PERIOD = re.compile(r"公示期：\d{4}年\d{1,2}月\d{1,2}日至(\d{4}年)?\d{1,2}月\d{1,2}日")


def test_a_worker_keeps_the_notice_and_prints_it_for_the_bulletin_board(page: Page, api):
    project_on_notice(api, title="加装楼道扶手")
    sign_in(page, "worker1")
    page.goto("/disclosures")
    page.get_by_role("link", name="加装楼道扶手").click()
    page.get_by_role("link", name="公示维护").click()
    page.get_by_label("异议受理电话").fill("0535-6661234")
    page.get_by_label("异议受理地址").fill("南山社区党群服务中心一楼")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_role("status")).to_contain_text("公示信息已保存")
    page.get_by_label("公示张贴后的照片（JPG 或 PNG 格式）").set_input_files(
        {"name": "张贴照片.png", "mimeType": "image/png", "buffer": PNG})
    page.get_by_role("button", name="上传照片").click()
    expect(page.get_by_role("status")).to_contain_text("张贴照片已上传")
    page.get_by_label("现场").check()
    page.get_by_label("异议人姓名").fill("王大爷")
    page.get_by_label("联系电话（答复将以短信发送到此号码）").fill("13912345678")
    page.get_by_label("异议内容").fill("扶手颜色太暗，晚上看不清")
    page.get_by_role("button", name="登记异议").click()
    expect(page.get_by_role("status")).to_contain_text("异议已登记")
    assert api.task_for("worker1", "answer_objection")

    notice_id = re.search(r"/disclosures/(\d+)/keep", page.url).group(1)
    page.goto(f"/disclosures/{notice_id}?print=1")  # the page's 打印公示 link opens this in a new tab
    notice = page.locator("article.notice")
    expect(page.get_by_role("heading", level=1)).to_have_text("关于“加装楼道扶手”项目决议的公示")
    expect(notice.locator(".notice-period")).to_have_text(PERIOD)
    expect(notice).to_contain_text("南山社区居民委员会")
    expect(notice).to_contain_text("（盖章）")
    expect(notice).to_contain_text("0535-6661234")
    expect(notice).to_contain_text("南山社区党群服务中心一楼")
    expect(notice.locator("table.list")).to_contain_text("党员大会审议")
    expect(notice.locator("table.list")).to_contain_text(chinese_day_ago(MEETING_DAYS_AGO["party_members_review"]))
    expect(notice.get_by_role("img", name="张贴照片")).to_be_visible()
    text = notice.inner_text()
    assert not re.search(r"\d{4}-\d{2}-\d{2}", text), text  # no ISO date on the notice
    assert not re.search(r"[A-Za-z]{4,}", text.replace("http", "").split("网上提交")[0]), text  # Chinese only
