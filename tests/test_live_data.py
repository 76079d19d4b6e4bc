"""A user task's `liveData` script: the data its form and instructions show is read when the task is viewed or
submitted, not when the instance reached it; the script is checked at deploy and may not write."""
from datetime import timedelta
from xml.sax.saxutils import quoteattr

from app import clock
from bpmn_samples import HEAD, NOTE_SCHEMA
from flows import CHINA
from helpers import deploy, frozen_at, page_csrf, sign_in


def live_package(script: str) -> dict[str, str]:
    """start → a user task whose liveData is `script` and whose instructions show `seen` → end."""
    task = ('<bpmn:userTask id="work" name="办理"><bpmn:extensionElements><spiffworkflow:properties>'
            '<spiffworkflow:property name="formJsonSchemaFilename" value="note-schema.json"/>'
            f'<spiffworkflow:property name="liveData" value={quoteattr(script)}/>'
            '</spiffworkflow:properties>'
            '<spiffworkflow:instructionsForEndUser>读取于 {{ seen }}</spiffworkflow:instructionsForEndUser>'
            '</bpmn:extensionElements></bpmn:userTask>')
    bpmn = (HEAD + '<bpmn:process id="sample" name="示例" isExecutable="true">'
            '<bpmn:laneSet id="lanes"><bpmn:lane id="lane1" name="community_worker">'
            '<bpmn:flowNodeRef>work</bpmn:flowNodeRef></bpmn:lane></bpmn:laneSet>'
            '<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="work"/>'
            + task + '<bpmn:sequenceFlow id="f9" sourceRef="work" targetRef="end"/><bpmn:endEvent id="end"/>'
            '</bpmn:process></bpmn:definitions>')
    return {"sample.bpmn": bpmn, "note-schema.json": NOTE_SCHEMA}


def started(api, designer, script: str) -> dict:
    """The trial's `work` task as designer1 sees it through the API, just after the start."""
    deployed = deploy(api, live_package(script))
    assert deployed.status_code in (200, 201), deployed.get_json()
    token = page_csrf(designer, "/designer/sample/start")
    assert designer.post("/designer/sample/start", data={"csrf_token": token, "community": "TRIAL"}).status_code == 302
    return api.task_for("designer1", "work")


def test_the_task_shows_what_its_live_data_script_reads_at_each_view(app, api, designer):
    at = clock.now().astimezone(CHINA) + timedelta(minutes=1)  # never before the designer signed in (any hour)
    with frozen_at(at):
        task = started(api, designer, "seen = chinese_day(now())")
    for days in (0, 3):  # the instance reached the task on the first day; it is read again three days on
        shown = at + timedelta(days=days)
        with frozen_at(shown):
            view = api.get(f"/api/tasks/{task['id']}", "designer1").get_json()
        assert view["instructions"] == f"读取于 {shown.year}年{shown.month}月{shown.day}日"
    assert api.post(f"/api/tasks/{task['id']}/complete", {"data": {"note": "好"}}, "designer1").status_code == 200
    data = api.get(f"/api/instances/{task['instance_id']}", "designer1").get_json()["data"]
    assert "seen" not in data  # shown, never written into the case


def test_a_live_data_script_calling_an_unknown_function_is_refused_at_deploy(api):
    refused = deploy(api, live_package("seen = no_such_helper()"))
    assert refused.status_code == 422, refused.get_json()
    assert any(p["element"] == "work" and "no_such_helper" in p["message"]
               for p in refused.get_json()["problems"]), refused.get_json()


def test_a_live_data_script_that_could_write_is_refused_at_deploy(api):
    # notify_role writes a notification at every view: only helpers that read may be called.
    refused = deploy(api, live_package('seen = notify_role("community_worker", "TRIAL", "每次打开都通知")'))
    assert refused.status_code == 422, refused.get_json()
    assert any(p["element"] == "work" and "notify_role" in p["message"] and "only the functions that read"
               in p["message"] for p in refused.get_json()["problems"]), refused.get_json()


def test_a_live_data_script_that_fails_says_why_in_chinese(app, api, designer):
    task = started(api, designer, "seen = 1 / 0")
    sign_in(designer, "designer1")
    page = designer.get(f"/tasks/{task['id']}").get_data(as_text=True)
    assert "未能读取该任务的最新数据：脚本中出现除以零" in page and "division by zero" not in page.split("技术信息")[0]
