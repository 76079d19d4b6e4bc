"""Deploy-time checks of a BPMN or DMN document: constructs, expressions, scripts, timers, forms, lanes, texts."""
import ast
import re
from datetime import datetime

from lxml import etree

from app.engine.bounds import MAX_CALL_DEPTH, MAX_INSTANCES, MIN_CYCLE_INTERVAL, cycle_interval
from app.engine.render import check_template
from app.engine.scripting import check_expression, check_script
from app.engine.text import Text

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
TIMER_PATHS = ("//bpmn:timeDuration", "//bpmn:timeDate", "//bpmn:timeCycle")
# What SpiffWorkflow could parse but this installation cannot run, and what to use instead.
UNSUPPORTED = {
    "//bpmn:serviceTask": Text("service tasks call outside systems, which minxu does not do: "
                               "use a script task that calls a helper function"),
    "//bpmn:sendTask | //bpmn:receiveTask": Text("messages between instances are not delivered: "
                                                 "use a user task, a timer or a linked process"),
    "//bpmn:*[bpmn:messageEventDefinition][self::bpmn:startEvent or self::bpmn:intermediateCatchEvent "
    "or self::bpmn:boundaryEvent or self::bpmn:intermediateThrowEvent or self::bpmn:endEvent]":
        Text("message events are not delivered between instances: use a timer, a signal or a user task"),
    "//bpmn:complexGateway": Text("complex gateways cannot run: use an exclusive, inclusive or parallel gateway"),
    "//bpmn:dataStoreReference": Text("data stores are not supported: keep the data in process variables"),
    "//bpmn:adHocSubProcess": Text("ad hoc subprocesses run their parts in no set order and cannot be bounded: "
                                   "use an embedded subprocess with gateways"),
}
ISO_DURATION = re.compile(r"^P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
ISO_LOOKALIKE = re.compile(r"^(R\d*/|P\d|PT\d|\d{4}-\d\d-\d\d)")
DMN_EXPRESSION_PATHS = ("//*[local-name()='outputEntry']/*[local-name()='text']",)
# SpiffWorkflow's DMN engine puts the input's value where an entry says `?` (outside quotes).
DMN_QUESTION_MARK = re.compile(r"""(\?)(?=(?:[^'"]|['"][^'"]*['"])*$)""")
MAX_ENTRY_CHARS = 1000
DMN_NAMESPACES = {
    "http://www.omg.org/spec/DMN/20151101/dmn.xsd": "DMN 1.1",
    "http://www.omg.org/spec/DMN/20180521/MODEL/": "DMN 1.2",
    "https://www.omg.org/spec/DMN/20191111/MODEL/": "DMN 1.3",
}


def check_document(name: str, tree, forms: dict, lane_is_known, known_functions, reading_functions=()) -> list:
    """Every problem found in one document, each tied to the element that has it."""
    from app.engine.package import Problem  # package imports this module

    problems = []
    for element, message in _problems(tree, forms, lane_is_known, tuple(known_functions), tuple(reading_functions)):
        problems.append(Problem(_element_id(element, name), message))
    return problems


def _problems(tree, forms, lane_is_known, known_functions, reading_functions=()):
    for path, message in UNSUPPORTED.items():
        for node in tree.xpath(path, namespaces=NS):
            yield node, Text("not supported: %(reason)s", reason=message)
    for path in TIMER_PATHS:
        for node in tree.xpath(path, namespaces=NS):
            if message := _timer_problem(etree.QName(node).localname, _text(node).strip()):
                yield node, message
    for path in EXPRESSION_PATHS + DMN_EXPRESSION_PATHS:
        for node in tree.xpath(path, namespaces=NS):
            if message := _expression_form_problem(node):
                yield node, message
                continue
            for message in check_expression(_text(node), known_functions=known_functions):
                yield node, Text("expression refused: %(reason)s", reason=message)
    for path in SCRIPT_PATHS:
        for node in tree.xpath(path, namespaces=NS):
            for message in check_script(_text(node), known_functions=known_functions):
                yield node, Text("script refused: %(reason)s", reason=message)
    for node in tree.xpath("//spiff:property[@name='liveData']", namespaces=NS):
        # Run at every view of the task: it may call only the helpers that read, so it can never write.
        for message in check_script(node.get("value") or "", known_functions=reading_functions):
            yield node, Text("live-data script refused (it may call only the functions that read): %(reason)s",
                             reason=message)
    yield from _dmn_input_problems(tree, known_functions)
    for node in tree.xpath("//*[local-name()='inputEntry']/*[local-name()='text']"):
        yield from _dmn_entry_problems(node, known_functions)
    yield from _bound_problems(tree)
    yield from _form_problems(tree, forms)
    yield from _lane_problems(tree, lane_is_known)
    for node in tree.xpath("//spiff:instructionsForEndUser", namespaces=NS):
        if message := check_template(_text(node)):
            yield node, Text("instructions cannot be rendered: %(reason)s", reason=message)


def _expression_form_problem(node) -> str | None:
    """An expression in another language, or none at all, explained before Python would fail on it."""
    language = (node.get("language") or "").lower()
    if language and "python" not in language:
        return Text("written in %(language)s; minxu runs Python expressions (remove the language attribute)",
                    language=node.get("language"))
    if not _text(node).strip() and etree.QName(node).localname != "text":
        return Text("expression is empty: write a Python expression (such as approved == True) or remove it")
    return None


def _timer_problem(kind: str, text: str) -> str | None:
    """Why a timer expression cannot work, when that can be known before it runs."""
    if not text:
        return Text("timer has no expression")
    if ISO_LOOKALIKE.match(text):
        return Text('timer expression is Python: write the ISO 8601 value in quotes, "%(value)s"', value=text)
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None  # computed from process data (e.g. f"P{days}D"): checked by the expression check
    if not isinstance(value, str):
        return Text("timer expression must give an ISO 8601 text, not %(type)s", type=type(value).__name__)
    if not _valid_timer_value(kind, value):
        example = {"timeDuration": "P3D", "timeDate": "2026-12-01T09:00:00+08:00", "timeCycle": "R3/PT1H"}[kind]
        return Text("'%(value)s' is not a valid ISO 8601 %(kind)s (for example \"%(example)s\")",
                    value=value, kind=kind, example=example)
    return None


def _valid_timer_value(kind: str, value: str) -> bool:
    if kind == "timeDuration":
        return bool(ISO_DURATION.match(value))
    if kind == "timeDate":
        return _is_datetime(value)
    parts = value.split("/")
    return (len(parts) in (2, 3) and re.fullmatch(r"R\d*", parts[0]) is not None
            and all(ISO_DURATION.match(p) or _is_datetime(p) for p in parts[1:]))


def _is_datetime(value: str) -> bool:
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _dmn_input_problems(tree, known_functions):
    """An input's expression; an empty one is allowed when the input has a label (SpiffWorkflow then
    reads the process variable named by the label)."""
    for node in tree.xpath("//*[local-name()='decisionTable']/*[local-name()='input']"):
        texts = node.xpath("*[local-name()='inputExpression']/*[local-name()='text']")
        text = _text(texts[0]) if texts else ""
        if not text.strip():
            if not (node.get("label") or "").strip():
                yield node, Text("decision input has no expression and no label: write an expression such as amount")
            continue
        for message in check_expression(text, known_functions=known_functions):
            yield texts[0], Text("expression refused: %(reason)s", reason=message)


def _dmn_entry_problems(node, known_functions):
    # SpiffWorkflow turns an input entry into `input == (entry)` or `input <entry>`, or, when the
    # entry says `?` (as in 100 <= ? <= 110), evaluates it with the input's value in place of `?`.
    text = _text(node).strip()
    if text in ("", "-"):
        return
    if len(text) > MAX_ENTRY_CHARS:  # also keeps the `?` search below (and SpiffWorkflow's) short
        yield node, Text("decision rule is longer than %(limit)s characters", limit=MAX_ENTRY_CHARS)
        return
    with_input = DMN_QUESTION_MARK.sub("dmninputexpr", text)
    if "dmninputexpr" in with_input:
        if problems := check_expression(with_input, known_functions=known_functions):
            yield node, Text("decision rule refused: %(reason)s", reason=problems[0])
        return
    as_value = check_expression(text, known_functions=known_functions)
    if as_value and check_expression(f"dmninputexpr {text}", known_functions=known_functions):
        yield node, Text("decision rule refused: %(reason)s", reason=as_value[0])


def _bound_problems(tree):
    """Literal cardinalities and timer cycles past the engine's limits (computed ones are checked as they run)."""
    for node in tree.xpath("//bpmn:multiInstanceLoopCharacteristics/bpmn:loopCardinality", namespaces=NS):
        count = _literal(_text(node))
        if isinstance(count, int) and count > MAX_INSTANCES:
            yield node, Text("loopCardinality %(count)s is too many: a multi-instance activity runs at most "
                             "%(limit)s times", count=count, limit=MAX_INSTANCES)
    for node in tree.xpath("//bpmn:timeCycle", namespaces=NS):
        value = _literal(_text(node))
        interval = cycle_interval(value) if isinstance(value, str) else None
        if interval is not None and interval < MIN_CYCLE_INTERVAL:
            yield node, Text("timer cycle '%(value)s' repeats every %(seconds)s seconds: the shortest interval "
                             'is %(hours)s hour (for example "R/PT1H" or "R/P1D")', value=value,
                             seconds=f"{interval.total_seconds():g}",
                             hours=f"{MIN_CYCLE_INTERVAL.total_seconds() / 3600:g}")


def call_problems(trees: dict) -> list:
    """Call activities that call their own process (directly or round a cycle), or nest too deep."""
    from app.engine.package import Problem  # package imports this module

    processes = {p.get("id"): p for tree in trees.values() for p in tree.xpath("//bpmn:process", namespaces=NS)}
    problems = []
    for process_id, process in processes.items():
        for call in process.xpath(".//bpmn:callActivity", namespaces=NS):
            cycle = _call_cycle(processes, process_id, call.get("calledElement"))
            if cycle:
                problems.append(Problem(call.get("id") or process_id, Text(
                    "call activity calls back into its own process (%(cycle)s): a process "
                    "cannot call itself, so the call would never end", cycle=" → ".join(cycle))))
    if problems:
        return problems
    memo: dict = {}
    for process_id, process in processes.items():
        depth = _nesting(process, processes, memo)
        if depth > MAX_CALL_DEPTH:
            problems.append(Problem(process_id, Text("call activities and subprocesses nest more than %(limit)s "
                                                     "deep here; at most %(limit)s levels can run",
                                                     limit=MAX_CALL_DEPTH)))
    return problems


def _call_cycle(processes: dict, start: str, called: str | None) -> list[str] | None:
    """The chain of calls from `start` through `called` back to `start`, if there is one."""
    paths, seen = [[start, called]], set()
    while paths:
        path = paths.pop()
        if path[-1] == start:
            return path
        if path[-1] in seen or path[-1] not in processes:
            continue
        seen.add(path[-1])
        for call in processes[path[-1]].xpath(".//bpmn:callActivity/@calledElement", namespaces=NS):
            paths.append([*path, str(call)])
    return None


def _nesting(element, processes: dict, memo: dict, level: int = 0) -> int:
    """How deep subprocesses and call activities nest under a process or subprocess (cycles refused first).

    Counted no further than just past MAX_CALL_DEPTH from the top, so a long chain stays cheap to walk."""
    if level > MAX_CALL_DEPTH:
        return 0
    deepest = 0
    for child in element:
        name = etree.QName(child).localname if isinstance(child.tag, str) else ""
        if name in ("subProcess", "transaction"):
            deepest = max(deepest, 1 + _nesting(child, processes, memo, level + 1))
        elif name == "callActivity" and child.get("calledElement") in processes:
            key = (child.get("calledElement"), level + 1)
            if key not in memo:
                memo[key] = _nesting(processes[key[0]], processes, memo, level + 1)
            deepest = max(deepest, 1 + memo[key])
    return deepest


def _literal(text: str):
    try:
        return ast.literal_eval(text.strip())
    except (ValueError, SyntaxError, MemoryError, RecursionError, TypeError):
        return None
def dmn_document_problems(tree) -> list[str]:
    """Why SpiffWorkflow's DMN parser cannot read this document at all ([] when it can)."""
    nsmap = tree.nsmap
    namespace = nsmap.get(None, nsmap.get("dmn"))  # the parser reads DMN elements in this namespace
    if namespace is None or etree.QName(tree).namespace != namespace or etree.QName(tree).localname != "definitions":
        return [Text("not a DMN document: the root must be <definitions xmlns=\"%(namespace)s\">",
                     namespace="https://www.omg.org/spec/DMN/20191111/MODEL/")]
    if DMN_NAMESPACES.get(namespace) == "DMN 1.2":  # SpiffWorkflow's DMN 1.2 schema does not load
        return [Text("DMN 1.2 files cannot be checked: save the file as DMN 1.3 (namespace %(namespace)s)",
                     namespace="https://www.omg.org/spec/DMN/20191111/MODEL/")]
    decisions = tree.xpath("d:decision", namespaces={"d": namespace})
    if len(decisions) != 1:
        return [Text("a DMN file must hold exactly one decision; this one holds %(count)s", count=len(decisions))]
    if not decisions[0].get("id"):
        return [Text("the decision has no id")]
    if not decisions[0].xpath("d:decisionTable", namespaces={"d": namespace}):
        return [Text("the decision has no decision table: only decision tables can run")]
    return []


def _form_problems(tree, forms):
    for prop in tree.xpath("//spiff:property[@name='formJsonSchemaFilename' or "
                           "@name='formUiSchemaFilename']", namespaces=NS):
        filename = prop.get("value", "")
        if filename not in forms:
            yield prop, Text("form file '%(file)s' is not in the package", file=filename)
    for task in tree.xpath("//bpmn:userTask", namespaces=NS):
        if not task.xpath(".//spiff:property[@name='formJsonSchemaFilename']", namespaces=NS):
            yield task, Text("user task has no form (property formJsonSchemaFilename)")


def _lane_problems(tree, lane_is_known):
    for lane in tree.xpath("//bpmn:lane", namespaces=NS):
        if not lane_is_known(lane.get("name") or ""):
            yield lane, Text("lane '%(lane)s' names no role", lane=lane.get("name") or "")
    for task in tree.xpath("//bpmn:userTask", namespaces=NS):
        # An XPath variable, not string formatting: an id may hold quotes.
        lanes = tree.xpath("//bpmn:lane[bpmn:flowNodeRef=$id]", namespaces=NS, id=task.get("id") or "")
        if not lanes:
            yield task, Text("user task is in no lane, so nobody could be assigned to it")


# Parts of an element that may carry ids of their own but have no shape on the diagram.
_PART_NAMES = ("Expression", "EventDefinition", "timeDuration", "timeDate", "timeCycle", "script",
               "loopCardinality", "completionCondition")


def _element_id(node, fallback: str) -> str:
    """The id of the diagram element a problem belongs to (an expression's flow, a timer's event)."""
    while node is not None:
        if isinstance(node.tag, str) and node.get("id") and not etree.QName(node).localname.endswith(_PART_NAMES):
            return node.get("id")
        node = node.getparent()
    return fallback


def _text(node) -> str:
    return "".join(node.itertext()) if isinstance(node, etree._Element) else str(node)
