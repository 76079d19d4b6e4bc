"""The designer's problems read in the designer's language; the documented API keeps English (issue 17)."""
import re

from bpmn_samples import FORM, NOTE_SCHEMA, process
from test_designer_web import post_json
from test_page_language import english_words

# A diagram with one of each kind of problem the checks themselves explain: a lane naming no role, a timer
# written as Python, a service task, a form file missing, an unknown function in a script.
BROKEN = process(
    '<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="calc"/>'
    '<bpmn:scriptTask id="calc" scriptFormat="python"><bpmn:script>x = no_such_helper(1)</bpmn:script></bpmn:scriptTask>'
    '<bpmn:sequenceFlow id="f1" sourceRef="calc" targetRef="work"/>'
    f'<bpmn:userTask id="work" name="办理">{FORM.replace("note-schema.json", "missing-schema.json")}</bpmn:userTask>'
    '<bpmn:boundaryEvent id="late" attachedToRef="work"><bpmn:timerEventDefinition>'
    '<bpmn:timeDuration>P3D</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>'
    '<bpmn:sequenceFlow id="f8" sourceRef="late" targetRef="end"/>'
    '<bpmn:sequenceFlow id="f9" sourceRef="work" targetRef="call"/>'
    '<bpmn:serviceTask id="call" name="外部"/><bpmn:sequenceFlow id="f10" sourceRef="call" targetRef="end"/>'
    '<bpmn:endEvent id="end"/>', lane="无此角色", lane_refs=("calc", "work", "call"))
FILES = {"sample.bpmn": BROKEN, "note-schema.json": NOTE_SCHEMA}
EXPECTED = {"lane1": "泳道 “无此角色” 没有对应任何角色", "late": "定时器表达式按脚本计算：请把 ISO 8601 值写在引号中，如 “P3D”",
            "calc": "脚本未通过检查：第 1 行：调用了未知函数 “no_such_helper”。"}


def sentences(found: dict[str, list[str]]) -> list[str]:
    """The English words of the messages, leaving out the names they quote from the diagram."""
    return [word for texts in found.values() for text in texts
            for word in english_words(re.sub(r"“[^”]*”", " ", text))]


def messages(answer) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for problem in answer.get_json()["problems"]:
        found.setdefault(problem["element"], []).append(problem["message"])
    return found


def test_a_broken_diagram_checked_in_the_editor_shows_chinese_problems(designer):
    found = messages(post_json(designer, "/designer/check", {"files": FILES}))
    for element, text in EXPECTED.items():
        assert text in found[element], found
    assert any(m.startswith("不支持：服务任务会调用外部系统") for m in found["call"]), found
    assert any("表单文件 “missing-schema.json” 不在流程包中" == m for ms in found.values() for m in ms), found
    assert sentences(found) == []


def test_a_refused_deploy_from_the_editor_lists_its_problems_in_chinese(designer):
    refused = post_json(designer, "/designer/sample/deploy", {"files": FILES})
    assert refused.status_code == 422 and refused.get_json()["message"] == "流程无法发布"
    found = messages(refused)
    assert EXPECTED["lane1"] in found["lane1"]
    assert sentences(found) == []


def test_the_editor_speaks_english_on_english_pages_and_the_api_always(designer, api):
    designer.get("/designer?lang=en")
    found = messages(post_json(designer, "/designer/check", {"files": FILES}))
    assert "lane '无此角色' names no role" in found["lane1"]
    documented = api.post("/api/processes/check", {"files": FILES}, "designer1")
    assert "lane '无此角色' names no role" in messages(documented)["lane1"]
    assert 'timer expression is Python: write the ISO 8601 value in quotes, "P3D"' in messages(documented)["late"]


def test_a_dry_run_in_the_editor_says_where_it_stopped_in_chinese(designer):
    from bpmn_samples import linear, package
    answer = post_json(designer, "/designer/dry-run", {"files": package(process(linear())), "answers": {}})
    assert answer.status_code == 200 and answer.get_json()["message"] == "停在 work：没有剩余的答复"
