"""五议两公开一备案 in Chromium: a meeting without quorum says "会议无效：……" in red at once; its printable
会议记录; a resident objects to a public notice on the public page."""
import re

from playwright.sync_api import Page, expect

from flows import design_and_assess, first_four_meetings, meeting, signed, suggestion, to_disclosure, to_project, when
from test_need_pages import open_from_inbox, sign_in


def fill_meeting_record(page: Page, held: dict) -> None:
    """The meeting record's own fields of a party organisation's meeting, as the secretary types them."""
    page.get_by_label("会议日期").fill(held["meeting_date"])
    page.get_by_label("会议时间").fill(held["meeting_time"])
    page.get_by_label("会议地点").fill("南山社区党群服务中心二楼会议室")
    page.get_by_label("召集人").select_option(label="社区党组织")
    page.locator("#f-chair").fill("刘书记")
    page.get_by_label("主持人职务").select_option(label="社区党组织书记")
    page.get_by_label("记录人").fill("李记录")
    page.get_by_label("议题").fill("研究是否提议建设社区四点半课堂")
    page.get_by_label("讨论情况").fill("到会委员就场地和师资进行了讨论")


def test_a_meeting_without_quorum_says_void_in_red_at_once(page: Page, api):
    iid = to_project(api, title="建设社区四点半课堂")["instance_id"]
    design_and_assess(api, iid)
    api.complete("worker1", "resident_suggestion", suggestion(), iid)
    sign_in(page, "secretary1")
    open_from_inbox(page, "党组织提议", "建设社区四点半课堂")
    expect(page.get_by_label("党组织委员会委员人数（花名册）")).to_have_value("5")  # from the register
    expect(page.get_by_label("党组织委员会委员人数（花名册）")).to_have_attribute("readonly", "")
    fill_meeting_record(page, when(days=8))
    signatures = page.locator('[data-field="attendees"] input[type="checkbox"]')
    expect(signatures).to_have_count(5)  # the sign-in sheet is the party committee's register, by name
    signatures.nth(0).check()
    signatures.nth(1).check()
    page.get_by_label("赞成票").fill("2")
    page.get_by_label("反对票").fill("0")
    page.get_by_label("弃权票").fill("0")
    page.get_by_label("会议纪要").fill("仅两名委员到会")
    page.get_by_role("button", name="提交", exact=True).click()
    verdict = page.locator(".flash")
    expect(verdict).to_have_text("会议无效：到会委员未过半，会议无效，请重新召开")
    expect(verdict).to_have_class(re.compile(r"\berror\b"))
    assert verdict.evaluate("e => getComputedStyle(e).color") == "rgb(180, 35, 24)"  # red (--accent)
    open_from_inbox(page, "党组织提议", "建设社区四点半课堂")  # void: to be reconvened
    expect(page.locator(".instructions")).to_contain_text("到会委员未过半")
    fill_meeting_record(page, when(days=9))  # dated before the residents' suggestions: refused, nothing stored
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.locator(".flash.error")).to_contain_text("每一议须在上一次会议之后召开")
    expect(page.locator('[data-field="meeting_date"] .error')).to_have_text("每一议须在上一次会议之后召开")


def test_the_printable_meeting_record_from_the_project_page(page: Page, api):
    iid = to_project(api, title="改造小区停车棚")["instance_id"]
    to_disclosure(api, iid)
    sign_in(page, "secretary1")
    page.goto(f"/instances/{iid}")
    page.get_by_role("link", name="项目与会议记录").click()
    records = page.locator('[data-section="meetings"]')
    expect(records.locator("tbody tr")).to_have_count(5)
    records.locator("tbody tr", has_text="党员大会审议").get_by_role("link", name="会议记录").click()
    record = page.locator("article.meeting-record")
    expect(record.get_by_role("heading", level=1)).to_have_text("党员大会审议会议记录")
    for label in ("会议名称", "时间", "地点", "召集人", "主持人", "记录人", "应到／实到／缺席", "列席", "议题", "讨论情况",
                  "表决结果", "签字"):
        expect(record).to_contain_text(label)
    expect(record).to_contain_text("应到40人，实到30人，缺席10人")
    expect(record).to_contain_text("方案送达")
    expect(record).not_to_contain_text("T0")  # no ISO timestamps


def test_a_resident_objects_on_the_public_page(page: Page, api):
    need = to_project(api, title="更换小区健身器材")
    iid = need["instance_id"]
    design_and_assess(api, iid)
    first_four_meetings(api, iid)
    signed(api, "worker1", "representatives_resolution",
           meeting(25, 20, meeting_id="representatives_resolution", assembly="representatives"), iid)
    page.goto("/disclosures")
    page.get_by_role("link", name="更换小区健身器材").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("关于“更换小区健身器材”项目决议的公示")
    expect(page.locator("table.list")).to_contain_text("党员大会审议")
    page.get_by_label("异议内容").fill("器材位置离住户窗户太近")
    page.get_by_role("button", name="提交异议").click()
    expect(page.get_by_role("status")).to_contain_text("居委会将在3日内答复")
    expect(page.locator("ol.timeline")).to_contain_text("器材位置离住户窗户太近")
    expect(page.locator("ol.timeline")).to_contain_text("待答复")
    assert api.task_for("worker1", "answer_objection")
