"""Diffing two process packages: exact element, file and layout changes, and hostile XML kept inert."""
import json
from xml.etree import ElementTree

import pytest

from app.config import ROOT
from app.engine.diff import diff_packages
from app.workflow.versions import package_from_directory
from bpmn_samples import package, process, linear, with_script

LIFECYCLE = "need_lifecycle.bpmn"
GRADING = "need_grading.dmn"
BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
EMPTY = {"added": [], "removed": [], "changed": [],
         "files": {"added": [], "removed": [], "changed": [], "unreadable": []}, "layout_changed": []}

NEW_TASK = """    <bpmn:userTask id="review_grade" name="复核分级">
      <bpmn:extensionElements>
        <spiffworkflow:properties>
          <spiffworkflow:property name="formJsonSchemaFilename" value="review_grade-schema.json" />
        </spiffworkflow:properties>
      </bpmn:extensionElements>
      <bpmn:incoming>flow_grade_need_to_review_grade</bpmn:incoming>
      <bpmn:outgoing>flow_review_grade_to_set_deadline</bpmn:outgoing>
    </bpmn:userTask>
"""
NEW_FLOWS = """    <bpmn:sequenceFlow id="flow_grade_need_to_review_grade" sourceRef="grade_need" targetRef="review_grade" />
    <bpmn:sequenceFlow id="flow_review_grade_to_set_deadline" sourceRef="review_grade" targetRef="set_deadline" />
"""
NEW_SHAPES = """      <bpmndi:BPMNShape id="review_grade_di" bpmnElement="review_grade">
        <dc:Bounds x="1420" y="460" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="flow_grade_need_to_review_grade_di" bpmnElement="flow_grade_need_to_review_grade">
        <di:waypoint x="1370" y="410" /><di:waypoint x="1420" y="500" />
      </bpmndi:BPMNEdge>
"""
BILLION_LAUGHS = "".join(
    ['<!ENTITY lol0 "lol">'] + [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)])


@pytest.fixture(scope="module")
def shipped() -> dict[str, str]:
    return package_from_directory(ROOT / "processes" / "need_lifecycle", ROOT / "forms")


def replace_once(text: str, old: str, new: str) -> str:
    """Replace `old`, which must occur exactly once, so a fixture edit cannot silently miss."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


def edit(files: dict[str, str], name: str, *pairs: tuple[str, str]) -> None:
    for old, new in pairs:
        files[name] = replace_once(files[name], old, new)


def modified(shipped: dict[str, str]) -> dict[str, str]:
    """The shipped package with one of each kind of change a modeller makes."""
    files = dict(shipped)
    edit(files, LIFECYCLE,
         ('<bpmn:userTask id="assess_reasonableness" name="合理性研判">',
          '<bpmn:userTask id="assess_reasonableness" name="合理性初审">'),
         ('tFormalExpression">satisfaction &gt; 2<', 'tFormalExpression">satisfaction &gt;= 3<'),
         # grade_need → review_grade (new) → set_deadline replaces the direct flow.
         ('<bpmn:outgoing>flow_grade_need_to_set_deadline</bpmn:outgoing>',
          '<bpmn:outgoing>flow_grade_need_to_review_grade</bpmn:outgoing>'),
         ('<bpmn:incoming>flow_grade_need_to_set_deadline</bpmn:incoming>',
          '<bpmn:incoming>flow_review_grade_to_set_deadline</bpmn:incoming>'),
         ('    <bpmn:scriptTask id="set_deadline"', NEW_TASK + '    <bpmn:scriptTask id="set_deadline"'),
         ('    <bpmn:sequenceFlow id="flow_grade_need_to_set_deadline" sourceRef="grade_need" '
          'targetRef="set_deadline" />\n', NEW_FLOWS),
         ('<bpmn:flowNodeRef>grade_need</bpmn:flowNodeRef>',
          '<bpmn:flowNodeRef>grade_need</bpmn:flowNodeRef><bpmn:flowNodeRef>review_grade</bpmn:flowNodeRef>'),
         ('''      <bpmndi:BPMNEdge id="flow_grade_need_to_set_deadline_di" bpmnElement="flow_grade_need_to_set_deadline">
        <di:waypoint x="1420" y="370" />
        <di:waypoint x="1470" y="370" />
      </bpmndi:BPMNEdge>
''', NEW_SHAPES),
         # Layout only: a shape moved and an edge rerouted.
         ('<dc:Bounds x="290" y="330" width="100" height="80" />',
          '<dc:Bounds x="300" y="330" width="100" height="80" />'),
         ('<di:waypoint x="290" y="370" />', '<di:waypoint x="300.0" y="372" />'))
    edit(files, GRADING, ('<outputEntry id="rule_2_tier"><text>"A"</text>',
                          '<outputEntry id="rule_2_tier"><text>"B"</text>'),
         ('<dc:Bounds height="80" width="180" x="160" y="100" />',
          '<dc:Bounds height="80" width="200" x="160" y="100" />'))
    edit(files, "need_intake-schema.json", ('"title": "民需受理"', '"title": "民需登记"'))
    files["review_grade-schema.json"] = '{"type": "object"}'
    return files


def lane_refs(bpmn: str, lane_id: str) -> list[str]:
    """The flow node ids a lane of the BPMN document holds, sorted."""
    root = ElementTree.fromstring(bpmn.encode() if isinstance(bpmn, str) else bpmn)
    lane = root.find(f".//{{{BPMN}}}lane[@id='{lane_id}']")
    return sorted(ref.text.strip() for ref in lane.findall(f"{{{BPMN}}}flowNodeRef"))


def test_every_kind_of_change_is_reported_exactly(shipped):
    result = diff_packages(shipped, modified(shipped))
    assert result["added"] == [
        {"id": "flow_grade_need_to_review_grade", "type": "sequenceFlow", "name": None, "file": LIFECYCLE},
        {"id": "flow_review_grade_to_set_deadline", "type": "sequenceFlow", "name": None, "file": LIFECYCLE},
        {"id": "review_grade", "type": "userTask", "name": "复核分级", "file": LIFECYCLE},
    ]
    assert result["removed"] == [
        {"id": "flow_grade_need_to_set_deadline", "type": "sequenceFlow", "name": None, "file": LIFECYCLE},
    ]
    lane_before = lane_refs(shipped[LIFECYCLE], "lane_community_worker")  # whatever the shipped lane holds now
    assert result["changed"] == [
        {"id": "rule_2_tier", "type": "outputEntry", "name": None, "file": GRADING,
         "changes": [{"field": "text", "before": '"A"', "after": '"B"'}]},
        {"id": "assess_reasonableness", "type": "userTask", "name": "合理性初审", "file": LIFECYCLE,
         "changes": [{"field": "name", "before": "合理性研判", "after": "合理性初审"}]},
        {"id": "flow_gw_satisfaction_to_resolved", "type": "sequenceFlow", "name": "满意", "file": LIFECYCLE,
         "changes": [{"field": "conditionExpression", "before": "satisfaction > 2",
                      "after": "satisfaction >= 3"}]},
        {"id": "lane_community_worker", "type": "lane", "name": "社区工作者", "file": LIFECYCLE,
         "changes": [{"field": "flowNodeRef", "before": lane_before,
                      "after": sorted(lane_before + ["review_grade"])}]},
    ]
    assert result["files"] == {"added": ["review_grade-schema.json"], "removed": [],
                               "changed": [GRADING, "need_intake-schema.json", LIFECYCLE], "unreadable": []}
    assert result["layout_changed"] == ["need_grading", "check_overlap", "flow_start_need_to_check_overlap"]
    json.dumps(result)  # stored and sent as is


def test_identical_packages_have_no_differences(shipped):
    assert diff_packages(shipped, dict(shipped)) == EMPTY


def test_attribute_order_and_surrounding_whitespace_are_not_changes():
    old = package(process(linear()))
    new = package(old["sample.bpmn"]
                  .replace('<bpmn:userTask id="work" name="办理">', '<bpmn:userTask  name="办理"\n   id="work" >')
                  .replace("<bpmn:flowNodeRef>work</bpmn:flowNodeRef>",
                           "<bpmn:flowNodeRef>\n  work\n</bpmn:flowNodeRef><!-- reviewed -->"))
    assert new != old
    assert diff_packages(old, new) == {**EMPTY, "files": {**EMPTY["files"], "changed": ["sample.bpmn"]}}


def test_a_rule_added_to_a_decision_table_is_named_by_its_inputs(shipped):
    new = dict(shipped)
    edit(new, GRADING, ('      <rule id="rule_9">', '''      <rule id="rule_10">
        <inputEntry id="rule_10_category"><text>"legal"</text></inputEntry>
        <inputEntry id="rule_10_channel"><text>"hotline"</text></inputEntry>
        <outputEntry id="rule_10_tier"><text>"C"</text></outputEntry>
        <outputEntry id="rule_10_kind"><text>"project"</text></outputEntry>
      </rule>
      <rule id="rule_9">'''))
    assert diff_packages(shipped, new)["added"] == [
        {"id": "rule_10", "type": "rule", "name": '"legal" | "hotline"', "file": GRADING},
        {"id": "rule_10_category", "type": "inputEntry", "name": None, "file": GRADING},
        {"id": "rule_10_channel", "type": "inputEntry", "name": None, "file": GRADING},
        {"id": "rule_10_kind", "type": "outputEntry", "name": None, "file": GRADING},
        {"id": "rule_10_tier", "type": "outputEntry", "name": None, "file": GRADING},
    ]


def test_an_id_used_in_two_files_is_compared_within_its_file(shipped):
    # project_decision is both the call activity here and the called process's id in its own file.
    new = dict(shipped)
    edit(new, LIFECYCLE, ('name="项目决策（五议两公开一备案）" calledElement="project_decision"',
                          'name="项目决策" calledElement="project_decision"'))
    assert diff_packages(shipped, new)["changed"] == [
        {"id": "project_decision", "type": "callActivity", "name": "项目决策", "file": LIFECYCLE,
         "changes": [{"field": "name", "before": "项目决策（五议两公开一备案）", "after": "项目决策"}]},
    ]


def test_an_element_moved_to_another_file_is_changed_not_replaced():
    old = {"a.bpmn": process(linear()), "b.bpmn": process(linear(), process_id="other").replace(
        'id="start"', 'id="start2"').replace('id="work"', 'id="work2"').replace('id="end"', 'id="end2"')}
    new = {"a.bpmn": old["a.bpmn"].replace('<bpmn:endEvent id="end"/>', ""),
           "b.bpmn": old["b.bpmn"].replace("</bpmn:process>", '<bpmn:endEvent id="end"/></bpmn:process>')}
    result = diff_packages(old, new)
    assert result["changed"] == [{"id": "end", "type": "endEvent", "name": None, "file": "b.bpmn",
                                  "changes": [{"field": "file", "before": "a.bpmn", "after": "b.bpmn"}]}]
    assert result["added"] == result["removed"] == []


def test_long_texts_are_cut_to_500_characters():
    old, new = package(with_script("x = 1\n" * 200)), package(with_script("x = 2\n" * 200))
    [change] = diff_packages(old, new)["changed"][0]["changes"]
    assert change["field"] == "script"
    assert len(change["before"]) == len(change["after"]) == 500 and change["after"].startswith("x = 2\n")


def test_a_broken_xml_file_is_reported_unreadable_and_its_elements_skipped(shipped):
    new = dict(shipped)
    new[GRADING] = shipped[GRADING][:300]  # cut off mid-document
    assert diff_packages(shipped, new) == {
        **EMPTY, "files": {"added": [], "removed": [], "changed": [GRADING], "unreadable": [GRADING]}}
    assert diff_packages(new, new)["files"]["unreadable"] == [GRADING]


def hostile(entities: str, documentation: str, name: str = "办理") -> str:
    bpmn = process(linear()).replace('<bpmn:userTask id="work" name="办理">',
                                     f'<bpmn:userTask id="work" name="{name}">'
                                     f'<bpmn:documentation>{documentation}</bpmn:documentation>')
    return bpmn.replace("<bpmn:definitions", f"<!DOCTYPE bpmn:definitions [{entities}]>\n<bpmn:definitions", 1)


def test_external_and_internal_entities_in_text_are_not_expanded():
    old = package(hostile("", "plain"))
    new = package(hostile(BILLION_LAUGHS + '<!ENTITY xxe SYSTEM "file:///etc/passwd">', "&lol3;&xxe;"))
    result = diff_packages(old, new)
    assert result["changed"] == [{"id": "work", "type": "userTask", "name": "办理", "file": "sample.bpmn",
                                  "changes": [{"field": "documentation", "before": "plain", "after": ""}]}]
    text = json.dumps(result)
    assert "lollol" not in text and "root:" not in text


@pytest.mark.parametrize("documentation, name", [("&lol9;", "办理"), ("plain", "&lol9;")])
def test_a_billion_laughs_makes_the_file_unreadable_instead_of_expanding(documentation, name):
    new = package(hostile(BILLION_LAUGHS, documentation, name))
    result = diff_packages(package(hostile("", "plain")), new)
    assert result == {**EMPTY, "files": {**EMPTY["files"], "changed": ["sample.bpmn"], "unreadable": ["sample.bpmn"]}}


def test_default_values_written_or_dropped_by_a_modeller_are_no_change():
    old = package_from_directory(ROOT / "processes" / "need_lifecycle", ROOT / "forms")
    new = dict(old)
    assert 'cancelActivity="true"' in new["need_lifecycle.bpmn"]
    new["need_lifecycle.bpmn"] = new["need_lifecycle.bpmn"].replace(' cancelActivity="true"', "")
    assert diff_packages(old, new)["changed"] == []
    new["need_lifecycle.bpmn"] = new["need_lifecycle.bpmn"].replace(
        'attachedToRef="resolve_need"', 'attachedToRef="resolve_need" cancelActivity="false"', 1)
    assert [c["changes"] for c in diff_packages(old, new)["changed"]] == [
        [{"field": "cancelActivity", "before": None, "after": "false"}]]
