"""Deploy-time checks of a BPMN or DMN document: expressions, scripts, forms, lanes, texts."""
from lxml import etree

from .render import check_template
from .scripting import check_expression, check_script

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "spiff": "http://spiffworkflow.org/bpmn/schema/1.0/core",
    "dmn": "https://www.omg.org/spec/DMN/20191111/MODEL/",
}
EXPRESSION_PATHS = (
    "//bpmn:conditionExpression", "//bpmn:timeDuration", "//bpmn:timeDate", "//bpmn:timeCycle",
    "//bpmn:loopCardinality", "//bpmn:completionCondition",
)
SCRIPT_PATHS = ("//bpmn:scriptTask/bpmn:script", "//spiff:preScript", "//spiff:postScript")
DMN_EXPRESSION_PATHS = ("//*[local-name()='inputExpression']/*[local-name()='text']",
                        "//*[local-name()='outputEntry']/*[local-name()='text']")


def check_document(name: str, tree, forms: dict, lane_is_known, known_functions) -> list:
    """Every problem found in one document, each tied to the element that has it."""
    from .package import Problem  # package imports this module

    problems = []
    for element, message in _problems(tree, forms, lane_is_known, tuple(known_functions)):
        problems.append(Problem(_element_id(element, name), message))
    return problems


def _problems(tree, forms, lane_is_known, known_functions):
    for path in EXPRESSION_PATHS + DMN_EXPRESSION_PATHS:
        for node in tree.xpath(path, namespaces=NS):
            for message in check_expression(_text(node), known_functions=known_functions):
                yield node, f"expression refused: {message}"
    for path in SCRIPT_PATHS:
        for node in tree.xpath(path, namespaces=NS):
            for message in check_script(_text(node), known_functions=known_functions):
                yield node, f"script refused: {message}"
    for node in tree.xpath("//*[local-name()='inputEntry']/*[local-name()='text']"):
        yield from _dmn_entry_problems(node, known_functions)
    yield from _form_problems(tree, forms)
    yield from _lane_problems(tree, lane_is_known)
    for node in tree.xpath("//spiff:instructionsForEndUser", namespaces=NS):
        if message := check_template(_text(node)):
            yield node, f"instructions cannot be rendered: {message}"


def _dmn_entry_problems(node, known_functions):
    # SpiffWorkflow turns an input entry into `input == (entry)` or `input <entry>`.
    text = _text(node).strip()
    if text in ("", "-"):
        return
    as_value = check_expression(text, known_functions=known_functions)
    if as_value and check_expression(f"dmninputexpr {text}", known_functions=known_functions):
        yield node, f"decision rule refused: {as_value[0]}"


def _form_problems(tree, forms):
    for prop in tree.xpath("//spiff:property[@name='formJsonSchemaFilename' or "
                           "@name='formUiSchemaFilename']", namespaces=NS):
        filename = prop.get("value", "")
        if filename not in forms:
            yield prop, f"form file '{filename}' is not in the package"
    for task in tree.xpath("//bpmn:userTask", namespaces=NS):
        if not task.xpath(".//spiff:property[@name='formJsonSchemaFilename']", namespaces=NS):
            yield task, "user task has no form (property formJsonSchemaFilename)"


def _lane_problems(tree, lane_is_known):
    for lane in tree.xpath("//bpmn:lane", namespaces=NS):
        if not lane_is_known(lane.get("name") or ""):
            yield lane, f"lane '{lane.get('name') or ''}' names no role"
    for task in tree.xpath("//bpmn:userTask", namespaces=NS):
        lanes = tree.xpath(f"//bpmn:lane[bpmn:flowNodeRef='{task.get('id')}']", namespaces=NS)
        if not lanes:
            yield task, "user task is in no lane, so nobody could be assigned to it"


def _element_id(node, fallback: str) -> str:
    while node is not None:
        if isinstance(node.tag, str) and node.get("id"):
            return node.get("id")
        node = node.getparent()
    return fallback


def _text(node) -> str:
    return "".join(node.itertext()) if isinstance(node, etree._Element) else str(node)
