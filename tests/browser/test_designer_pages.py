"""The process designer in Chromium: model a new task and deploy it, see a broken diagram refused,
keep multi-instance references through a save, dry-run a path, edit a form with its preview, open
decision tables, and open every MIWG reference model."""
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from test_need_pages import sign_in

MIWG = sorted((Path(__file__).parent.parent / "fixtures" / "miwg").glob("*.bpmn"))
PANEL = "#properties"


def open_editor(page: Page, path: str) -> None:
    page.goto(path)
    expect(page.locator("body")).to_have_attribute("data-designer-ready", "true")


def panel_field(page: Page, key: str):
    return page.locator(f"{PANEL} [data-field={key}] input, {PANEL} [data-field={key}] textarea, "
                        f"{PANEL} [data-field={key}] select").first


def set_field(page: Page, key: str, value: str) -> None:
    field = panel_field(page, key)
    field.fill(value)
    field.press("Tab")  # the panel applies a change when the field loses focus: one undo step


def select(page: Page, element_id: str) -> None:
    """Select a diagram element as a click would (sequence flows are too thin to hit reliably)."""
    page.evaluate("id => { const m = window.minxuDesigner.modeler(); "
                  "m.get('selection').select(m.get('elementRegistry').get(id)); }", element_id)


def saved_files(page: Page) -> dict:
    """The package as the editor would send it (the open diagram exported first)."""
    return page.evaluate("async () => { await window.minxuDesigner.flush(); return window.minxuDesigner.state.files; }")


def test_a_designer_adds_a_user_task_deploys_it_and_an_instance_reaches_it(page: Page):
    sign_in(page, "designer1")
    page.goto("/designer")
    page.get_by_label("流程编号（id）").fill("trial_flow")
    page.get_by_label("名称").fill("试办流程")
    page.get_by_role("button", name="创建", exact=True).click()
    expect(page.locator("body")).to_have_attribute("data-designer-ready", "true")
    page.locator(".djs-shape[data-element-id=start]").click()
    page.locator('.djs-context-pad [data-action="append.append-task"]').click()
    page.keyboard.press("Escape")  # leave the label editor that appending opens
    page.locator('.djs-context-pad [data-action="replace"]').click()
    page.locator('.djs-popup [data-id="replace-with-user-task"]').click()
    expect(page.locator(f"{PANEL} h3").first).to_have_text("UserTask")
    set_field(page, "id", "trial_task")
    set_field(page, "name", "试办任务")
    page.get_by_role("button", name="为此任务新建表单").click()
    expect(panel_field(page, "form")).to_have_value("trial_task-schema.json")
    page.locator('.djs-context-pad [data-action="connect"]').click()
    page.locator(".djs-shape[data-element-id=end]").click()
    page.get_by_role("button", name="保存草稿").click()
    expect(page.locator("#status")).to_have_text("草稿已保存。")
    page.get_by_role("button", name="发布", exact=True).click()
    expect(page.locator("#status")).to_contain_text("已发布为第 1 版。")
    page.locator("#status").get_by_role("link", name="启动一个实例").click()
    page.get_by_label("社区").select_option("TRIAL")  # trials run in the trial community only
    page.get_by_role("button", name="启动", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("当前停在：试办任务")
    page.goto("/inbox")  # the designer plays the workers' lane of the trial from their own inbox
    page.get_by_role("link", name="试办任务").first.click()
    expect(page.get_by_label("办理情况")).to_be_visible()  # the form the designer created


def test_a_broken_diagram_shows_its_problems_and_deploys_nothing(page: Page, api):
    sign_in(page, "designer1")
    open_editor(page, "/designer/need_lifecycle/edit")
    select(page, "flow_gw_reasonable_to_explain_to_resident")
    set_field(page, "condition", "__import__('os').system('id')")
    page.locator(".djs-shape[data-element-id=assess_reasonableness]").click()
    page.locator(f"{PANEL} [data-field=form] select").select_option("")
    page.get_by_role("button", name="发布", exact=True).click()
    expect(page.locator("#status")).to_have_text("发现问题，没有发布。")
    problems = page.locator("#problem-list li")
    expect(problems.filter(has_text="flow_gw_reasonable_to_explain_to_resident")).to_have_count(1)
    expect(problems.filter(has_text="assess_reasonableness")).to_contain_text("人工任务没有表单")  # the editor speaks its reader's language
    expect(page.locator(".djs-element.has-problem")).to_have_count(2)
    problems.filter(has_text="assess_reasonableness").get_by_role("button").click()
    expect(page.locator(".djs-element.selected[data-element-id=assess_reasonableness]")).to_have_count(1)
    listed = {p["process_id"]: p for p in api.get("/api/processes", "designer1").get_json()["processes"]}
    assert listed["need_lifecycle"]["latest_version"] == 1


def test_multi_instance_references_survive_a_save(page: Page):
    sign_in(page, "designer1")
    open_editor(page, "/designer/need_lifecycle/edit")
    page.locator('button.file[data-file="project_decision.bpmn"]').click()
    expect(page.locator("#bpmn-canvas")).to_have_attribute("data-file", "project_decision.bpmn")
    page.locator(".djs-shape[data-element-id=committee_vote]").click()
    expect(panel_field(page, "collection")).to_have_value("committee_members")
    set_field(page, "name", "两委线上表决（改）")
    set_field(page, "collection", "voters_list")
    xml = saved_files(page)["project_decision.bpmn"]
    assert "<bpmn:loopDataInputRef>voters_list</bpmn:loopDataInputRef>" in xml
    assert '<bpmn:property id="voters_list" name="voters_list"' in xml
    assert 'spiffworkflow:scriptsOnInstances="true"' in xml and 'name="两委线上表决（改）"' in xml
    set_field(page, "collection", "committee_members")
    page.get_by_role("button", name="检查", exact=True).click()
    expect(page.locator("#status")).to_have_text("没有问题，可以发布。")


def test_an_undeclared_loop_reference_is_declared_when_opened(page: Page):
    sign_in(page, "designer1")
    open_editor(page, "/designer/need_lifecycle/edit")
    page.evaluate("""async () => {
      const d = window.minxuDesigner;
      const xml = d.state.files['project_decision.bpmn'];
      d.state.files['project_decision.bpmn'] = xml.replace(/<bpmn:property id="committee_members"[^>]*\\/>/, '');
      await d.open('project_decision.bpmn');
    }""")
    xml = saved_files(page)["project_decision.bpmn"]
    assert "<bpmn:loopDataInputRef>committee_members</bpmn:loopDataInputRef>" in xml


def test_a_dry_run_marks_the_path_on_the_diagram(page: Page):
    sign_in(page, "designer1")
    open_editor(page, "/designer/need_lifecycle/edit")
    page.get_by_role("button", name="试运行").click()
    page.locator("#dry-run-scenario").fill("""{
      "data": {"title": "楼道灯坏了", "description": "灯坏了一周", "category": "daily_life", "channel": "window",
               "grid": "", "visit_type": "", "anonymous": false, "community": "nanshan",
               "tracking_code": "N-0001", "first_responder": "worker1"},
      "answers": {"assess_reasonableness": {"reasonable": false, "basis": "不属于社区服务范围"},
                  "explain_to_resident": {"explanation_method": "phone", "explanation": "已电话说明原因"}},
      "helper_results": {"find_overlaps": [[]]}
    }""")
    page.get_by_role("button", name="运行", exact=True).click()
    expect(page.locator(".run-status")).to_contain_text("completed → closed_unreasonable")
    steps = page.locator("ol.run-path li")
    expect(steps.first).to_contain_text("start_need")
    expect(page.locator(".djs-element.run-visited[data-element-id=assess_reasonableness]")).to_have_count(1)
    expect(page.locator(".djs-element.run-visited[data-element-id=grade_need]")).to_have_count(0)
    expect(page.locator(".djs-connection.run-flow")).not_to_have_count(0)


def test_the_form_editor_previews_as_the_task_page_renders(page: Page):
    sign_in(page, "designer1")
    open_editor(page, "/designer/need_lifecycle/edit")
    page.locator('button.file[data-file="assess_reasonableness-schema.json"]').click()
    preview = page.locator("#form-preview")
    expect(preview.locator("form")).to_be_visible()
    schema = page.locator("#form-schema")
    schema.fill(schema.input_value().replace('"type": "object"', '"title": "合理性研判（新标题）", "type": "object"', 1))
    expect(preview.get_by_role("heading", name="合理性研判（新标题）")).to_be_visible()
    schema.fill("{ not json")
    expect(page.locator("#form-error")).to_contain_text("不是有效的 JSON")
    schema.fill('{"type": "object", "properties": {"a": {"type": 7}}}')
    expect(page.locator("#form-error")).to_contain_text("不是有效的 JSON Schema")


def test_a_lane_takes_a_role_from_a_list(page: Page):
    sign_in(page, "designer1")
    open_editor(page, "/designer/time_bank_redemption/edit")
    lane = page.locator(".djs-element[data-element-id^=lane]").first
    lane_id = lane.get_attribute("data-element-id")
    lane.click(position={"x": 15, "y": 40})
    page.locator(f"{PANEL} [data-field=role] select").select_option("街道办事处")
    xml = saved_files(page)
    assert any(f'id="{lane_id}" name="街道办事处"' in text for name, text in xml.items() if name.endswith(".bpmn"))


def test_decision_tables_open_in_the_dmn_editor(page: Page):
    sign_in(page, "designer1")
    open_editor(page, "/designer/need_lifecycle/edit")
    page.locator('button.file[data-file="need_grading.dmn"]').click()
    expect(page.locator("#dmn-canvas .tjs-table")).to_be_visible()
    expect(page.locator("#dmn-canvas")).to_contain_text('"daily_life"')
    page.locator('button.file[data-file="meeting_rules.dmn"]').click()
    expect(page.locator("#dmn-canvas .tjs-table")).to_be_visible()


@pytest.mark.parametrize("model", MIWG, ids=[m.name for m in MIWG])
def test_every_miwg_model_opens_and_is_deployed_or_refused_clearly(page: Page, model: Path):
    sign_in(page, "designer1")
    page.goto("/designer")
    page.get_by_label("导入其他工具绘制的 BPMN 文件").set_input_files(str(model))
    page.get_by_role("button", name="导入", exact=True).click()
    expect(page.locator("body")).to_have_attribute("data-designer-ready", "true")
    expect(page.locator(".djs-element.djs-shape").first).to_be_attached()
    expect(page.locator("#status")).not_to_contain_text("无法打开此文件")
    page.get_by_role("button", name="发布", exact=True).click()
    status = page.locator("#status")
    expect(status).to_have_text(re.compile(r"^(发现问题，没有发布。|已发布为第 \d+ 版。.*)$"))
    if "发现问题" in status.inner_text():
        expect(page.locator("#problem-list li").first).to_be_visible()
