"""The need pages as a person uses them, in Chromium: sign in, record a need, work it through the
inbox to the end, scope, form errors, language, and that pages render (CJK) to screenshots.

Assertions are on what a person sees (zh_CN is the default locale). Every wait is Playwright's
auto-wait (`expect(...)` retries until the page shows it); there are no sleeps.
"""
import re

from playwright.sync_api import Page, expect

PASSWORD = "demo-pass-2026"  # the demo password the top-level conftest seeds with
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


# --- what a person does ---------------------------------------------------------------------

def sign_in(page: Page, username: str) -> None:
    page.goto("/login")
    expect(page.get_by_role("heading", name="登录", level=1)).to_be_visible()
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("您好")


def group(page: Page, legend: str):
    """A field rendered as a fieldset (radios), found by its legend."""
    return page.get_by_role("group", name=legend)


def field(page: Page, name: str):
    """The block of one form field (input, help and inline error), by the schema property name."""
    return page.locator(f'.field[data-field="{name}"]')


def choose(page: Page, legend: str, option: str) -> None:
    group(page, legend).get_by_role("radio", name=option, exact=True).check()


def open_inbox(page: Page) -> None:
    page.get_by_role("navigation").get_by_role("link", name="待办", exact=True).click()
    expect(page.get_by_role("heading", name="待办", level=1)).to_be_visible()


def task_link(page: Page, task_name: str, case_title: str):
    """The inbox row's link to this task of this case."""
    row = page.get_by_role("row").filter(has_text=case_title)
    return row.get_by_role("link", name=task_name, exact=True)


def open_from_inbox(page: Page, task_name: str, case_title: str) -> None:
    open_inbox(page)
    task_link(page, task_name, case_title).click()
    expect(page.get_by_role("heading", name=task_name, level=1, exact=True)).to_be_visible()


def submit_task(page: Page, task_name: str) -> None:
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.get_by_role("status")).to_have_text(f"已完成：{task_name}。")
    expect(page).to_have_url(re.compile(r"/instances/\d+$"))


def step_pattern(event: str, task: str, actor: str) -> re.Pattern:
    return re.compile(rf"{event}\s*·\s*{task}\s*·\s*{actor}")


# --- the flows ------------------------------------------------------------------------------

def test_worker_records_a_need_and_sees_its_tracking_code(page: Page):
    sign_in(page, "worker1")
    page.get_by_role("link", name="登记需求").click()
    expect(page.get_by_role("heading", name="登记需求", level=1)).to_be_visible()
    expect(page.get_by_label("社区")).to_have_value("nanshan")  # the worker's own community is chosen

    # Submitted with only a title and a visit type: the required fields say so, the rest is kept.
    page.get_by_label("需求标题").fill("3号楼楼道灯不亮")
    choose(page, "收集方式", "入户家访")
    page.get_by_role("button", name="登记", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("有些内容需要修改。")
    for name in ("description", "category", "channel"):
        expect(field(page, name).get_by_role("alert")).to_have_text("此项必填")
    expect(field(page, "title").get_by_role("alert")).to_have_count(0)
    expect(page.get_by_label("需求标题")).to_have_value("3号楼楼道灯不亮")
    expect(group(page, "收集方式").get_by_role("radio", name="入户家访", exact=True)).to_be_checked()

    page.get_by_label("需求描述").fill("3号楼2单元楼道灯不亮，老人夜里上下楼不便")
    page.get_by_label("服务类别").select_option(label="生活服务")
    page.get_by_label("受理渠道").select_option(label="党组织线")
    page.get_by_label("所属网格").fill("nanshan-1")
    page.get_by_label("居民姓名").fill("张阿姨")
    choose(page, "是否匿名", "实名")
    page.get_by_role("button", name="登记", exact=True).click()

    flash = page.get_by_role("status")
    expect(flash).to_have_text(re.compile(r"^需求已登记，查询码：[0-9A-Z]+$"))
    code = flash.inner_text().split("：", 1)[1]
    expect(page).to_have_url(re.compile(r"/instances/\d+$"))
    expect(page.get_by_role("heading", name="3号楼楼道灯不亮", level=1)).to_be_visible()
    summary = page.locator("main p.muted").first
    expect(summary).to_contain_text(code)
    expect(summary).to_contain_text("南山社区")
    expect(summary.locator(".badge")).to_have_text("办理中")
    waiting = page.locator("section").filter(has=page.get_by_role("heading", name="当前环节"))
    expect(waiting.get_by_role("link", name="合理性研判", exact=True)).to_be_visible()
    expect(page.locator("ol.timeline > li").first).to_contain_text(re.compile(r"受理\s*·\s*南山社工王芳 \(worker1\)"))

    # The case is in the list of cases with the same tracking code.
    page.get_by_role("navigation").get_by_role("link", name="事项", exact=True).click()
    row = page.get_by_role("row").filter(has_text="3号楼楼道灯不亮")
    expect(row).to_contain_text(code)
    expect(row).to_contain_text("办理中")


def test_worker_walks_a_need_from_the_inbox_to_resolved(page: Page, api):
    need = api.record_need(title="楼道灯坏了")
    title = "楼道灯坏了"
    sign_in(page, "worker1")
    expect(task_link(page, "合理性研判", title)).to_be_visible()  # the home page's 近期待办

    open_from_inbox(page, "合理性研判", title)
    expect(page.locator(".instructions")).to_contain_text(need["tracking_code"])
    choose(page, "研判结论", "合理")
    page.get_by_label("研判依据").fill("《物业服务合同》约定公共照明由物业维护")
    submit_task(page, "合理性研判")

    open_from_inbox(page, "职能分流", title)
    choose(page, "责任主体", "社区解决")
    submit_task(page, "职能分流")

    open_from_inbox(page, "分级分类", title)
    # Pre-filled from the DMN suggestion (category daily_life → A 立行立办, 微事务).
    tier = group(page, "分档")
    expect(tier.get_by_role("radio", name="立行立办")).to_be_checked()
    expect(tier.get_by_role("radio", name="限期办结")).not_to_be_checked()
    expect(group(page, "需求类型").get_by_role("radio", name="微事务")).to_be_checked()
    choose(page, "办理方式", "常规事项常规办")
    submit_task(page, "分级分类")

    open_from_inbox(page, "办理", title)
    expect(page.locator("main p.muted").first).to_contain_text("办理时限")  # tier A: due within a day
    page.get_by_label("办理情况").fill("已更换楼道灯泡，居民确认灯已亮")
    submit_task(page, "办理")

    open_from_inbox(page, "回访评价", title)
    choose(page, "满意度", "5 非常满意")
    page.get_by_label("居民意见").fill("很及时")
    submit_task(page, "回访评价")

    expect(page).to_have_url(re.compile(rf"/instances/{need['instance_id']}$"))
    summary = page.locator("main p.muted").first
    expect(summary.locator(".badge")).to_have_text("已完成")
    expect(summary).to_contain_text("已解决")
    expect(page.get_by_text("无：没有进行中的任务。")).to_be_visible()
    expect(page.get_by_role("heading", name="办理记录")).to_be_visible()
    completed = page.locator("ol.timeline > li").filter(has=page.locator("strong", has_text=re.compile(r"^完成$")))
    expect(completed).to_have_text([step_pattern("完成", step, r"南山社工王芳 \(worker1\)")
                                    for step in ("合理性研判", "职能分流", "分级分类", "办理", "回访评价")])

    open_inbox(page)
    expect(page.get_by_role("row").filter(has_text=title)).to_have_count(0)  # nothing left to do on it


def test_other_community_worker_neither_sees_nor_opens_the_task(page: Page, api):
    need = api.record_need(title="南山楼道灯坏了")
    task = api.task_for("worker1", "assess_reasonableness", need["instance_id"])

    sign_in(page, "worker2")
    expect(page.get_by_role("navigation")).to_contain_text("北山社区")
    open_inbox(page)
    expect(page.get_by_text("暂无待办。")).to_be_visible()
    expect(page.get_by_text("南山楼道灯坏了")).to_have_count(0)
    expect(page.get_by_role("link", name="合理性研判")).to_have_count(0)

    response = page.goto(f"/tasks/{task['id']}")
    assert response is not None and response.status == 403
    expect(page.get_by_role("heading", name="403", level=1)).to_be_visible()
    expect(page.get_by_text("您无权办理该任务")).to_be_visible()
    expect(page.get_by_role("button", name="提交")).to_have_count(0)

    response = page.goto(f"/instances/{need['instance_id']}")
    assert response is not None and response.status == 403
    expect(page.get_by_text("该事项不在您负责的社区范围内")).to_be_visible()


def test_bad_task_submissions_show_inline_errors_and_leave_the_task_ready(page: Page, api):
    need = api.record_need(title="楼道灯坏了")
    sign_in(page, "worker1")
    open_from_inbox(page, "合理性研判", "楼道灯坏了")
    task_url = page.url

    # Nothing chosen or written: both required fields say so.
    with page.expect_response(lambda r: r.request.method == "POST") as posted:
        page.get_by_role("button", name="提交", exact=True).click()
    assert posted.value.status == 400
    expect(page.get_by_role("status")).to_have_text("有些内容需要修改。")
    expect(field(page, "reasonable").get_by_role("alert")).to_have_text("此项必填")
    expect(field(page, "basis").get_by_role("alert")).to_have_text("此项必填")

    # A value of the wrong type (as a stale or tampered form would send): the basis is kept.
    page.get_by_label("研判依据").fill("《物业管理条例》")
    radio = group(page, "研判结论").get_by_role("radio", name="合理", exact=True)
    radio.evaluate("input => { input.value = 'maybe'; }")
    radio.check()
    page.get_by_role("button", name="提交", exact=True).click()
    expect(field(page, "reasonable").get_by_role("alert")).to_have_text("格式不正确")
    expect(field(page, "basis").get_by_role("alert")).to_have_count(0)
    expect(page.get_by_label("研判依据")).to_have_value("《物业管理条例》")

    # The task is still ready: in the inbox, on the case page, and nothing was recorded.
    open_inbox(page)
    expect(task_link(page, "合理性研判", "楼道灯坏了")).to_be_visible()
    page.goto(f"/instances/{need['instance_id']}")
    waiting = page.locator("section").filter(has=page.get_by_role("heading", name="当前环节"))
    expect(waiting.get_by_role("link", name="合理性研判", exact=True)).to_be_visible()
    expect(page.locator("ol.timeline > li")).to_have_count(1)  # only 受理
    expect(page.locator("main p.muted").first.locator(".badge")).to_have_text("办理中")

    # And it can still be completed properly.
    page.goto(task_url)
    choose(page, "研判结论", "合理")
    page.get_by_label("研判依据").fill("《物业管理条例》")
    submit_task(page, "合理性研判")


def test_switching_to_english_sticks_on_the_next_page(page: Page):
    sign_in(page, "worker1")
    nav = page.get_by_role("navigation")
    expect(nav.get_by_role("link", name="待办", exact=True)).to_be_visible()
    nav.get_by_role("link", name="English").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Welcome, 南山社工王芳")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(nav.get_by_role("link", name="Inbox", exact=True)).to_be_visible()
    expect(nav.get_by_role("link", name="中文")).to_be_visible()
    expect(page.get_by_role("link", name="Record a need")).to_be_visible()

    nav.get_by_role("link", name="Inbox", exact=True).click()  # a plain link: no ?lang= any more
    expect(page).to_have_url(re.compile(r"/inbox$"))
    expect(page.get_by_role("heading", name="Inbox", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="I may claim")).to_be_visible()
    expect(page.get_by_text("待办")).to_have_count(0)

    nav.get_by_role("link", name="中文").click()
    expect(page.get_by_role("heading", name="待办", level=1)).to_be_visible()


def test_case_list_filters_by_status(page: Page, api):
    api.record_need(title="楼道灯坏了")
    closed = api.record_need(title="要求物业免除全部物业费")
    api.complete("worker1", "assess_reasonableness", {"reasonable": False, "basis": "《物业管理条例》"},
                 closed["instance_id"])
    api.complete("worker1", "explain_to_resident", {"explanation_method": "phone", "explanation": "已电话解释"},
                 closed["instance_id"])
    sign_in(page, "worker1")
    page.get_by_role("navigation").get_by_role("link", name="事项", exact=True).click()
    cases = page.locator("table.list tbody tr")
    expect(cases).to_have_count(2)

    page.get_by_label("状态").select_option(label="已完成")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(re.compile(r"status=completed"))
    expect(cases).to_have_count(1)
    expect(cases).to_contain_text("要求物业免除全部物业费")
    expect(cases).to_contain_text("不合理诉求（已解释说明）办结")
    expect(page.get_by_label("状态")).to_have_value("completed")


def test_task_and_case_pages_render_to_screenshots(page: Page, api, tmp_path):
    api.record_need(title="楼道灯坏了")
    sign_in(page, "worker1")
    open_from_inbox(page, "合理性研判", "楼道灯坏了")
    task_png = tmp_path / "task.png"
    page.screenshot(path=str(task_png), full_page=True)

    page.get_by_role("link", name="楼道灯坏了").click()  # the breadcrumb to the case
    expect(page.get_by_role("heading", name="办理记录")).to_be_visible()
    case_png = tmp_path / "instance.png"
    page.screenshot(path=str(case_png), full_page=True)

    for shot in (task_png, case_png):
        content = shot.read_bytes()
        assert content.startswith(PNG_SIGNATURE) and len(content) > 10_000, (shot, len(content))
