"""State-only serialization: instances store their task tree; specs come from the version cache."""
import json
from uuid import UUID

from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG


class StateOnlyWorkflowConverter(BpmnWorkflowConverter):
    """Leaves the specs out on save and takes the cached spec objects on load."""

    def to_dict(self, workflow):
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct, spec=None, subprocess_specs=None):
        workflow = self.target_class(spec, subprocess_specs, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dct["subprocesses"], workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _make_serializer() -> BpmnWorkflowSerializer:
    config = dict(SPIFF_CONFIG)
    config[BpmnWorkflow] = StateOnlyWorkflowConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config))


class StateSerializer:
    """Turns a workflow into state-only JSON and back."""

    def __init__(self):
        self._serializer = _make_serializer()

    def dumps(self, workflow: BpmnWorkflow) -> str:
        """State-only JSON of a workflow."""
        return self._serializer.serialize_json(workflow)

    def loads(self, state: str, spec, subprocess_specs: dict) -> BpmnWorkflow:
        """A workflow restored from state-only JSON onto the given (cached) specs."""
        dct = json.loads(state)
        self._serializer.migrate(dct)
        return self._serializer.registry.restore(dct, spec=spec, subprocess_specs=subprocess_specs)
