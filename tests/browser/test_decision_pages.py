"""五议两公开一备案 in Chromium: a meeting signed in from its register without quorum is refused with its
reason; a resident objects to a public notice on the public page."""
from playwright.sync_api import Page, expect

from flows import design_and_assess, first_four_meetings, meeting, signed, to_project
from test_need_pages import open_from_inbox, sign_in


def test_a_meeting_without_quorum_is_refused_with_the_reason(page: Page, api):
    iid = to_project(api, title="建设社区四点半课堂")["instance_id"]
    design_and_assess(api, iid)
    api.complete("worker1", "resident_suggestion", {"meeting_date": "2026-12-01", "hearing_held": False,
                                                    "minutes": "征集意见"}, iid)
    sign_in(page, "secretary1")
    open_from_inbox(page, "党组织提议", "建设社区四点半课堂")
    expect(page.get_by_label("党组织委员会委员人数（花名册）")).to_have_value("5")  # from the register
    expect(page.get_by_label("党组织委员会委员人数（花名册）")).to_have_attribute("readonly", "")
    page.get_by_label("会议日期").fill("2026-12-02")
    signatures = page.locator('[data-field="attendees"] input[type="checkbox"]')
    expect(signatures).to_have_count(5)  # the sign-in sheet is the party committee's register, by name
    signatures.nth(0).check()
    signatures.nth(1).check()
    page.get_by_label("赞成票").fill("2")
    page.get_by_label("反对票").fill("0")
    page.get_by_label("弃权票").fill("0")
    page.get_by_label("会议纪要").fill("仅两名委员到会")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("已完成：党组织提议。")
    open_from_inbox(page, "党组织提议", "建设社区四点半课堂")  # void: to be reconvened
    expect(page.locator(".instructions")).to_contain_text("到会委员未过半")


def test_a_resident_objects_on_the_public_page(page: Page, api):
    need = to_project(api, title="更换小区健身器材")
    iid = need["instance_id"]
    design_and_assess(api, iid)
    first_four_meetings(api, iid)
    signed(api, "worker1", "representatives_resolution", meeting(25, 20, assembly="representatives"), iid)
    page.goto("/disclosures")
    page.get_by_role("link", name="更换小区健身器材").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("公示：更换小区健身器材")
    expect(page.locator("table.list")).to_contain_text("党员大会审议")
    page.get_by_label("异议内容").fill("器材位置离住户窗户太近")
    page.get_by_role("button", name="提交异议").click()
    expect(page.get_by_role("status")).to_contain_text("居委会将在3日内答复")
    expect(page.locator("ol.timeline")).to_contain_text("器材位置离住户窗户太近")
    expect(page.locator("ol.timeline")).to_contain_text("待答复")
    assert api.task_for("worker1", "answer_objection")
