"""A process package: BPMN, DMN and form files parsed and checked into runnable specs."""
import hashlib
import json
from dataclasses import dataclass, field

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from app.engine import checks
from app.engine.form_schema import schema_problems
from app.engine.text import Text, translated

# Hostile uploads must not read local files or expand entity bombs.
SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=False)
FORM_PROPERTY = "formJsonSchemaFilename"
UI_PROPERTY = "formUiSchemaFilename"
# A user task's script that reads the data its form and instructions show when the task is viewed or submitted
# (not when the instance reached it): it may only call helpers that read.
LIVE_DATA_PROPERTY = "liveData"


@dataclass(frozen=True)
class Problem:
    """What keeps a package from deploying, tied to an element: English text, a `Text` where it is ours."""

    element: str
    message: str

    def as_dict(self, gettext=None) -> dict:
        """{element, message}: the message in English, or through `gettext` in the reader's language."""
        return {"element": self.element, "message": translated(self.message, gettext) if gettext else self.message}


class ProcessProblems(Exception):
    """The package cannot be deployed; `problems` lists every one found."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(f"{p.element}: {p.message}" for p in problems))
        self.problems = problems


@dataclass
class ProcessBundle:
    """Everything needed to run one process version, parsed once and cached."""

    process_id: str
    name: str
    spec: object
    subprocess_specs: dict
    forms: dict[str, dict]
    files: dict[str, str]
    content_hash: str
    lanes: set[str] = field(default_factory=set)

    def form(self, filename: str | None) -> dict | None:
        """A form file's JSON, or None."""
        return self.forms.get(filename) if filename else None


def content_hash(files: dict[str, str]) -> str:
    """A stable hash of a package's files (names and contents)."""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + files[name].encode() + b"\0")
    return digest.hexdigest()


def parse_package(files: dict[str, str], lane_is_known=lambda lane: True,
                  known_functions=(), process_id: str | None = None, reading_functions=None) -> ProcessBundle:
    """Parse and check a package; raise ProcessProblems listing everything wrong.

    `reading_functions`: the helpers that only read, the ones a task's `liveData` script may call (default:
    all `known_functions`)."""
    problems: list[Problem] = []
    trees = _parse_xml(files, problems)
    forms = _parse_forms(files, _schema_files(files, trees), problems)
    # Our own checks read the XML directly, so they report even when SpiffWorkflow's parser stops early.
    for name, tree in trees.items():
        problems += checks.check_document(name, tree, forms, lane_is_known, known_functions,
                                          known_functions if reading_functions is None else reading_functions)
    problems += checks.call_problems(trees)
    parser = SpiffBpmnParser(validator=VALIDATOR)
    _add_new_problems(problems, _parser_problems(parser, trees))
    if problems:
        raise ProcessProblems(problems)
    main_id = _main_process_id(trees, process_id, problems)
    spec, subprocess_specs = _build_specs(parser, main_id, problems)
    lanes = {ts.lane for s in [spec, *subprocess_specs.values()] for ts in s.task_specs.values() if ts.lane}
    return ProcessBundle(main_id, spec.description or main_id, spec, subprocess_specs, forms,
                         dict(files), content_hash(files), lanes)


def _add_new_problems(problems: list[Problem], found: list[Problem]) -> None:
    """Add the parser's findings, except for elements our checks already explained."""
    explained = {p.element for p in problems}
    problems += [p for p in found if p.element not in explained]


def _parse_xml(files: dict[str, str], problems: list[Problem]) -> dict[str, etree._Element]:
    trees = {}
    for name, text in files.items():
        if not name.endswith((".bpmn", ".dmn")):
            continue
        try:
            trees[name] = etree.fromstring(text.encode(), SAFE_XML)
        except etree.XMLSyntaxError as err:
            problems.append(Problem(name, Text("not well-formed XML: %(reason)s", reason=str(err))))
    if not any(n.endswith(".bpmn") for n in files):
        problems.append(Problem("package", Text("no .bpmn file given")))
    return trees


def _schema_files(files: dict[str, str], trees: dict) -> set[str]:
    """The form files used as JSON Schemas: by their name, or because a task names them as its form."""
    named = {v for tree in trees.values() for v in tree.xpath(
        "//*[local-name()='property'][@name=$name]/@value", name=FORM_PROPERTY)}
    return {n for n in files if n.endswith("-schema.json")} | (named & files.keys())


def _parse_forms(files: dict[str, str], schema_files: set[str], problems: list[Problem]) -> dict[str, dict]:
    forms = {}
    for name, text in files.items():
        if not name.endswith(".json"):
            continue
        try:
            forms[name] = json.loads(text)
        except json.JSONDecodeError as err:
            problems.append(Problem(name, Text("not valid JSON: %(reason)s", reason=str(err))))
            continue
        except RecursionError:
            problems.append(Problem(name, Text("not valid JSON: nested too deeply")))
            continue
        if name in schema_files and (found := schema_problems(forms[name])):
            problems += [Problem(name, message) for message in found]
            continue
        shape = (forms[name], {}) if name in schema_files else ({}, forms[name])
        problems += [Problem(name, message) for message in form_shape_problems(*shape)]
    return forms


def form_shape_problems(schema, ui_schema) -> list[str]:
    """What the task form renderer cannot show: fields and UI hints must be objects, the order a list."""
    problems = []
    if not isinstance(schema, dict) or not isinstance(ui_schema, dict):
        return [Text("a form file must hold a JSON object")]
    properties = schema.get("properties", {})
    if not isinstance(properties, dict) or not all(isinstance(v, dict) for v in properties.values()):
        problems.append(Text("every field under 'properties' must be an object"))
    for key, value in ui_schema.items():
        if key == "ui:order":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                problems.append(Text("'ui:order' must be a list of field names"))
        elif not key.startswith("ui:") and not isinstance(value, dict):
            problems.append(Text("the UI hints of '%(field)s' must be an object", field=key))
        elif isinstance(value, dict) and not isinstance(value.get("ui:optionsFrom", ""), str):
            problems.append(Text("'ui:optionsFrom' of '%(field)s' must name a process variable", field=key))
    return problems


def _parser_problems(parser: SpiffBpmnParser, trees: dict) -> list[Problem]:
    problems = []
    for name, tree in trees.items():
        if name.endswith(".dmn") and (found := checks.dmn_document_problems(tree)):
            problems += [Problem(name, message) for message in found]
            continue
        try:
            if name.endswith(".bpmn"):
                parser.add_bpmn_xml(tree, filename=name)
            else:
                parser.add_dmn_xml(tree, filename=name)
        except ValidationException as err:
            problems.append(Problem(err.id or name, f"{err.tag} {err}".strip()))
        # Broad on purpose: SpiffWorkflow's parsers fail on odd files in many ways (lxml schema and
        # XPath errors, IndexError, KeyError, …), and an uploaded file must never give a 500.
        except Exception as err:
            problems.append(Problem(name, Text("cannot be read as %(kind)s: %(reason)s", reason=_error_text(err),
                                               kind="BPMN" if name.endswith(".bpmn") else "DMN")))
    return problems


def _error_text(err: Exception) -> str:
    """The exception's message, or its type when it has none (an IndexError, say)."""
    text = str(err).strip()
    return f"{type(err).__name__}: {text}" if text else type(err).__name__


def _main_process_id(trees: dict, chosen: str | None, problems: list[Problem]) -> str | None:
    """The chosen entry process, else the one executable process that no other process calls.

    As in SpiffWorkflow, a process without isExecutable is executable."""
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
    called, executable = set(), {}
    for name, tree in trees.items():
        if name.endswith(".bpmn"):
            called.update(tree.xpath("//bpmn:callActivity/@calledElement", namespaces=ns))
            for node in tree.xpath("//bpmn:process[@id]", namespaces=ns):
                executable[node.get("id")] = node.get("isExecutable", "true") == "true"
    if chosen is not None:
        return _chosen_entry(chosen, executable, problems)
    candidates = [pid for pid, runs in executable.items() if runs and pid not in called]
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        problems.append(Problem("package", Text("several processes could be the entry point: %(processes)s; "
                                                "choose the entry process (entry_process)",
                                                processes=", ".join(candidates))))
    else:
        problems.append(Problem("package", Text("exactly one executable process must be the entry point; found "
                                                "none (remove isExecutable=\"false\" from the entry process)")))
    return None


def _chosen_entry(chosen: str, executable: dict[str, bool], problems: list[Problem]) -> str | None:
    """The entry process the designer chose, if the package holds it and it can run."""
    if chosen not in executable:
        held = ", ".join(executable)
        problems.append(Problem("package", Text("the entry process '%(process)s' is not in this package; it holds: "
                                                "%(processes)s", process=chosen, processes=held) if held else
                                Text("the entry process '%(process)s' is not in this package; it holds: no process",
                                     process=chosen)))
        return None
    if not executable[chosen]:
        problems.append(Problem(chosen, Text("the entry process is marked isExecutable=\"false\"")))
        return None
    return chosen


def _build_specs(parser: SpiffBpmnParser, main_id: str | None, problems: list[Problem]):
    if main_id is None:
        raise ProcessProblems(problems)
    try:
        return parser.get_spec(main_id), parser.get_subprocess_specs(main_id)
    except ValidationException as err:
        problems.append(Problem(err.id or main_id, str(err)))
    except Exception as err:  # see _parser_problems
        problems.append(Problem(main_id, Text("SpiffWorkflow cannot build this process: %(reason)s",
                                              reason=_error_text(err))))
    raise ProcessProblems(problems)
