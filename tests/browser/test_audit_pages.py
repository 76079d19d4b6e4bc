"""Auditors and the monitoring desk in Chromium: an instance's history on its diagram, the dashboard's
charts against the API, saved searches, and the chain check."""
from playwright.sync_api import Page, expect

from test_monitoring import graded, resolved_by_street
from test_need_pages import sign_in


def test_the_history_page_marks_the_path_on_the_diagram(page: Page, api):
    iid = graded(api, "A")
    sign_in(page, "auditor1")
    page.goto(f"/instances/{iid}/history")
    canvas = page.locator("#history-canvas")
    expect(canvas).to_have_attribute("data-ready", "true")
    for element in ("start_need", "assess_reasonableness", "assess_responsibility", "grade_need"):
        expect(canvas.locator(f".djs-element.run-visited[data-element-id={element}]")).to_have_count(1)
    expect(canvas.locator(".djs-element.run-current[data-element-id=resolve_need]")).to_have_count(1)
    expect(canvas.locator(".djs-element.run-visited[data-element-id=explain_to_resident]")).to_have_count(0)
    expect(canvas.locator(".djs-connection.run-flow")).not_to_have_count(0)
    expect(canvas.locator(".step-time[data-step=grade_need]")).to_be_visible()
    events = page.locator("#events tr[data-seq]")
    expect(events).to_have_count(len(api.get(f"/api/instances/{iid}/history", "auditor1").get_json()["events"]))
    expect(page.locator("#events tr[data-task=grade_need]")).to_contain_text("立行立办")
    page.locator("#diagram-tabs button[data-file='project_decision.bpmn']").click()
    expect(canvas).to_have_attribute("data-file", "project_decision.bpmn")
    expect(canvas.locator(".djs-element.run-visited")).to_have_count(0)  # this need never became a project


def test_the_dashboard_charts_show_the_api_numbers(page: Page, api):
    resolved_by_street(api, 4, 5)
    resolved_by_street(api, 2, 3, "井盖松动")
    graded(api, "A")
    graded(api, "B", "beishan", "worker2")
    figures = api.get("/api/dashboard", "street1").get_json()
    sign_in(page, "street1")
    page.goto("/dashboard")
    expect(page.locator("#tile-needs strong")).to_have_attribute("data-value", str(figures["needs"]))
    for chart, items, value in (("by_stage", figures["by_stage"], "count"), ("by_tier", figures["by_tier"], "count"),
                                ("by_category", figures["by_category"], "count"),
                                ("by_community", figures["by_community"], "count"),
                                ("two_way", figures["two_way"]["departments"], "average"),
                                ("step_times", figures["step_times"], "median_hours")):
        bars = page.locator(f"#chart-{chart} svg g.bar")
        expect(bars).to_have_count(len(items))
        for item in items:
            shown = item[value] if item[value] is not None else 0
            expect(bars.locator(f"xpath=self::*[@data-key='{item['key']}']")).to_have_attribute("data-value", str(shown))
    tier = page.locator("#chart-by_tier")
    tier.get_by_text("具体数字").click()
    expect(tier.locator("table.numbers tr[data-key=A]")).to_contain_text("1")
    expect(page.locator("#heat-canvas")).to_have_attribute("data-ready", "true")
    expect(page.locator("#heat-canvas .step-time[data-step=street_handle]")).to_be_visible()


def test_a_saved_search_comes_back(page: Page, api):
    resolved_by_street(api, 4, 5)
    sign_in(page, "auditor1")
    page.goto("/audit")
    page.get_by_label("参与人（用户名）").fill("street1")
    page.get_by_role("button", name="搜索", exact=True).click()
    expect(page.locator("#results tr[data-instance]")).to_have_count(1)
    page.once("dialog", lambda dialog: dialog.accept("街道办理的需求"))
    page.get_by_role("button", name="保存此查询").click()
    page.goto("/audit")
    expect(page.locator("#results tr[data-instance]")).to_have_count(1)  # everything (one case) with no filter
    page.get_by_role("link", name="街道办理的需求").click()
    expect(page.get_by_label("参与人（用户名）")).to_have_value("street1")


def test_the_chain_check_from_the_page(page: Page, api):
    graded(api, "A")
    sign_in(page, "auditor1")
    page.goto("/audit")
    page.get_by_role("link", name="核验审计链").click()
    expect(page.locator("#verify-result")).to_have_attribute("data-ok", "true")
    expect(page.locator("#verify-result")).to_contain_text("审计链完整")
