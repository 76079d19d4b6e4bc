"""A process package: BPMN, DMN and form files parsed and checked into runnable specs."""
import hashlib
import json
from dataclasses import dataclass, field

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.exceptions import SpiffWorkflowException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from . import checks

# Hostile uploads must not read local files or expand entity bombs.
SAFE_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=False)
FORM_PROPERTY = "formJsonSchemaFilename"
UI_PROPERTY = "formUiSchemaFilename"


@dataclass(frozen=True)
class Problem:
    element: str
    message: str

    def as_dict(self) -> dict:
        return {"element": self.element, "message": self.message}


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
                  known_functions=(), process_id: str | None = None) -> ProcessBundle:
    """Parse and check a package; raise ProcessProblems listing everything wrong."""
    problems: list[Problem] = []
    trees = _parse_xml(files, problems)
    forms = _parse_forms(files, problems)
    if problems:
        raise ProcessProblems(problems)
    parser = SpiffBpmnParser(validator=VALIDATOR)
    _add_documents(parser, trees, problems)
    if problems:
        raise ProcessProblems(problems)
    main_id = process_id or _main_process_id(parser, trees, problems)
    spec, subprocess_specs = _build_specs(parser, main_id, problems)
    for name, tree in trees.items():
        problems += checks.check_document(name, tree, forms, lane_is_known, known_functions)
    if problems:
        raise ProcessProblems(problems)
    lanes = {ts.lane for s in [spec, *subprocess_specs.values()] for ts in s.task_specs.values() if ts.lane}
    return ProcessBundle(main_id, spec.description or main_id, spec, subprocess_specs, forms,
                         dict(files), content_hash(files), lanes)


def _parse_xml(files: dict[str, str], problems: list[Problem]) -> dict[str, etree._Element]:
    trees = {}
    for name, text in files.items():
        if not name.endswith((".bpmn", ".dmn")):
            continue
        try:
            trees[name] = etree.fromstring(text.encode(), SAFE_XML)
        except etree.XMLSyntaxError as err:
            problems.append(Problem(name, f"not well-formed XML: {err}"))
    if not any(n.endswith(".bpmn") for n in files):
        problems.append(Problem("package", "no .bpmn file given"))
    return trees


def _parse_forms(files: dict[str, str], problems: list[Problem]) -> dict[str, dict]:
    forms = {}
    for name, text in files.items():
        if not name.endswith(".json"):
            continue
        try:
            forms[name] = json.loads(text)
        except json.JSONDecodeError as err:
            problems.append(Problem(name, f"not valid JSON: {err}"))
            continue
        if name.endswith("-schema.json"):
            try:
                Draft202012Validator.check_schema(forms[name])
            except SchemaError as err:
                problems.append(Problem(name, f"not a valid JSON Schema: {err.message}"))
    return forms


def _add_documents(parser: SpiffBpmnParser, trees: dict, problems: list[Problem]) -> None:
    for name, tree in trees.items():
        try:
            if name.endswith(".bpmn"):
                parser.add_bpmn_xml(tree, filename=name)
            else:
                parser.add_dmn_xml(tree, filename=name)
        except ValidationException as err:
            problems.append(Problem(err.id or name, f"{err.tag} {err}".strip()))
        except (SpiffWorkflowException, ValueError, KeyError, TypeError) as err:
            problems.append(Problem(name, f"cannot be read as BPMN/DMN: {err}"))


def _main_process_id(parser: SpiffBpmnParser, trees: dict, problems: list[Problem]) -> str | None:
    """The executable process that no other process in the package calls."""
    ns = {"bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL"}
    called, executable = set(), []
    for tree in trees.values():
        called.update(tree.xpath("//bpmn:callActivity/@calledElement", namespaces=ns))
        executable += tree.xpath("//bpmn:process[@isExecutable='true']/@id", namespaces=ns)
    candidates = [pid for pid in executable if pid not in called]
    if len(candidates) != 1:
        problems.append(Problem("package", "exactly one executable process must be the entry point; "
                                f"found {candidates or 'none'} (set isExecutable=\"true\")"))
        return None
    return candidates[0]


def _build_specs(parser: SpiffBpmnParser, main_id: str | None, problems: list[Problem]):
    if main_id is None:
        raise ProcessProblems(problems)
    try:
        return parser.get_spec(main_id), parser.get_subprocess_specs(main_id)
    except ValidationException as err:
        problems.append(Problem(err.id or main_id, str(err)))
    except (SpiffWorkflowException, ValueError, KeyError, TypeError, AttributeError) as err:
        problems.append(Problem(main_id, f"SpiffWorkflow cannot build this process: {err}"))
    raise ProcessProblems(problems)
