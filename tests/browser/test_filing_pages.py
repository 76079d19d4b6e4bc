"""一备案 in Chromium: the community worker opens the filing receipt from the project page and prints it."""
import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from app import clock
from app.modules.decision.models import Project
from app.workflow.helpers import CHINA
from flows import MEETING_DAYS_AGO, chinese_day_ago
from factories import project_filed
from test_need_pages import sign_in


def test_the_worker_opens_the_printable_filing_receipt(page: Page, app, api):
    need, _at = project_filed(app, api, "建设社区老年食堂")
    with app.extensions["db_sessions"]() as session:
        pid = session.scalar(select(Project.id).where(Project.project_key == need["tracking_code"]))
    number = api.get(f"/api/public/projects/{pid}").get_json()["filing"]["number"]
    today = clock.now().astimezone(CHINA).date()
    sign_in(page, "worker1")
    page.goto(f"/projects/{pid}")
    expect(page.locator("[data-filing]")).to_contain_text(f"备案号：{number}")
    with page.context.expect_page() as opened:
        page.get_by_role("link", name="打印备案回执").click()
    receipt = opened.value
    expect(receipt.get_by_role("heading", level=1)).to_have_text("备案回执")
    expect(receipt.locator("[data-number]")).to_have_text(number)
    assert re.fullmatch(r"芝罘区-幸福街道-\d{4}-\d{4}", number)
    expect(receipt.locator(".receipt-fields")).to_contain_text("建设社区老年食堂")
    expect(receipt.locator(".receipt-fields")).to_contain_text("南山社区")
    expect(receipt.locator("[data-outcome]")).to_have_text("予以备案")
    expect(receipt.locator("[data-filed-on]")).to_have_text(f"{today.year}年{today.month}月{today.day}日")
    expect(receipt.locator("[data-steps]")).to_contain_text("党员大会审议")
    expect(receipt.locator("[data-steps]")).to_contain_text(chinese_day_ago(MEETING_DAYS_AGO["party_members_review"]))
    expect(receipt.locator(".seal")).to_contain_text("幸福街道办事处（盖章）")
    expect(receipt.locator("header.top")).to_be_visible()
    receipt.emulate_media(media="print")
    expect(receipt.locator("header.top")).to_be_hidden()  # printed without the site's header
    expect(receipt.locator(".seal-box")).to_be_visible()  # room for the seal
