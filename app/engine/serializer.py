"""Workflow (de)serialisation that always re-attaches the restricted script engine."""

from __future__ import annotations

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG


class AppSerializer(BpmnWorkflowSerializer):
    def __init__(self, script_engine):
        super().__init__(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
        self.script_engine = script_engine

    def dump(self, workflow) -> bytes:
        return self.serialize_json(workflow, use_gzip=True)

    def load(self, blob: bytes):
        workflow = self.deserialize_json(blob, use_gzip=True)
        # The script engine is not serialised; a loaded workflow would otherwise get
        # SpiffWorkflow's unrestricted default.
        workflow.script_engine = self.script_engine
        return workflow
