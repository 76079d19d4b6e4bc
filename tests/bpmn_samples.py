"""Small BPMN documents for tests: one user task in a lane, plus an optional gateway, script or timer."""

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" id="defs" targetNamespace="http://minxu/test">
"""
FORM = """<bpmn:extensionElements><spiffworkflow:properties>
  <spiffworkflow:property name="formJsonSchemaFilename" value="note-schema.json"/>
</spiffworkflow:properties></bpmn:extensionElements>"""
NOTE_SCHEMA = '{"type": "object", "properties": {"note": {"type": "string", "maxLength": 50}}, "additionalProperties": false}'


def process(body: str, *, process_id: str = "sample", lane: str = "community_worker", lane_refs=("work",)) -> str:
    """A process with a lane holding `lane_refs`, and `body` as its flow elements."""
    refs = "".join(f"<bpmn:flowNodeRef>{r}</bpmn:flowNodeRef>" for r in lane_refs)
    return (HEAD + f'<bpmn:process id="{process_id}" name="示例" isExecutable="true">'
            f'<bpmn:laneSet id="lanes"><bpmn:lane id="lane1" name="{lane}">{refs}</bpmn:lane></bpmn:laneSet>'
            + body + "</bpmn:process></bpmn:definitions>")


def linear(middle: str = "", first: str = "work") -> str:
    """start → [middle elements, starting at `first`] → work (user task) → end."""
    return (f'<bpmn:startEvent id="start"/><bpmn:sequenceFlow id="f0" sourceRef="start" targetRef="{first}"/>'
            + middle +
            f'<bpmn:userTask id="work" name="办理">{FORM}</bpmn:userTask>'
            '<bpmn:sequenceFlow id="f9" sourceRef="work" targetRef="end"/><bpmn:endEvent id="end"/>')


def with_script(script: str) -> str:
    """A script task before the user task."""
    return process(linear(f'<bpmn:scriptTask id="calc" scriptFormat="python"><bpmn:script>{script}</bpmn:script>'
                          '</bpmn:scriptTask><bpmn:sequenceFlow id="f1" sourceRef="calc" targetRef="work"/>', "calc"))


def with_condition(condition: str) -> str:
    """An exclusive gateway whose first flow has `condition`; the other is the default."""
    return process(linear(
        '<bpmn:exclusiveGateway id="gw" default="f2"/>'
        f'<bpmn:sequenceFlow id="f1" sourceRef="gw" targetRef="work"><bpmn:conditionExpression>{condition}'
        '</bpmn:conditionExpression></bpmn:sequenceFlow>'
        '<bpmn:sequenceFlow id="f2" sourceRef="gw" targetRef="work"/>', "gw"))


def with_timer(expression: str) -> str:
    """An interrupting boundary timer on the user task."""
    return process(linear() + '<bpmn:boundaryEvent id="late" attachedToRef="work"><bpmn:timerEventDefinition>'
                   f'<bpmn:timeDuration>{expression}</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>'
                   '<bpmn:sequenceFlow id="f8" sourceRef="late" targetRef="end"/>')


def package(bpmn: str) -> dict[str, str]:
    """A deployable package: the BPMN and the form it references."""
    return {"sample.bpmn": bpmn, "note-schema.json": NOTE_SCHEMA}
