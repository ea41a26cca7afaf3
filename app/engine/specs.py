"""Parsing BPMN safely into workflow specs, cached by content hash."""

from __future__ import annotations

import copy
import gc
import hashlib
import json
import pickle
from dataclasses import dataclass
from threading import Lock

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs import AdHocSubprocessSpec
from SpiffWorkflow.spiff.parser import VALIDATOR, SpiffBpmnParser

from .types import EngineError

MAX_BPMN_BYTES = 2 * 1024 * 1024


def hardened_xml_parser() -> etree.XMLParser:
    # No entities, no DTDs, no network: a diagram is data, never an include.
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
    )


def parse_xml(text: str | bytes, filename: str) -> etree._Element:
    raw = text.encode("utf-8") if isinstance(text, str) else text
    if len(raw) > MAX_BPMN_BYTES:
        raise EngineError(f"{filename}: file is larger than {MAX_BPMN_BYTES} bytes")
    if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
        raise EngineError(f"{filename}: DOCTYPE and ENTITY declarations are not allowed")
    try:
        return etree.fromstring(raw, hardened_xml_parser())
    except etree.XMLSyntaxError as exc:
        raise EngineError(f"{filename}: XML syntax error: {exc}") from exc


@dataclass(frozen=True)
class ProcessSpec:
    """A parsed main process with the specs of its call activities and subprocesses."""

    process_id: str
    content_hash: str
    spec: object
    subprocess_specs: dict

    def private_copy(self) -> tuple[object, dict]:
        """(spec, subprocess_specs) for one new workflow that no other workflow can disturb.

        SpiffWorkflow rewires a spec when an event subprocess is first triggered, so each
        started workflow needs its own copy of such a spec; specs that can never be rewired
        are shared (see `SharedSpecs`).
        """
        return self.shared().for_workflow()

    def shared(self) -> SharedSpecs:
        shared = self.__dict__.get("_shared")
        if shared is None:
            shared = SharedSpecs(self.spec, self.subprocess_specs)
            object.__setattr__(self, "_shared", shared)
        return shared


def can_be_rewired(spec) -> bool:
    """Whether running a workflow may change this process spec.

    The run-time changes SpiffWorkflow makes to a spec's structure: `BpmnStartTask.trigger_wf`
    (the first time an event subprocess with a message/signal/... start triggers, it connects
    that subprocess to the spec's start and end) and `AdHocSubprocessSpec.add_path`.  A spec
    without such subprocesses, or where all of them are connected already, stays as it is
    (multi-instance tasks connect a callback once; `SharedSpecs` does that up front).
    """
    if isinstance(spec, AdHocSubprocessSpec):
        return True  # `add_path` connects conditional paths to the start while running
    start = getattr(spec, "start", None)
    names = getattr(start, "trigger_specs", None) or []
    task_specs = getattr(spec, "task_specs", {})
    return any(name not in task_specs or start not in task_specs[name].inputs for name in names)


def _wiring(spec) -> tuple:
    """What `BpmnStartTask.trigger_wf` changes: the start's outputs and the triggered specs' inputs."""
    start = spec.start
    return (tuple(output.name for output in start.outputs), tuple(start.trigger_specs),
            tuple(tuple(i.name for i in spec.task_specs[name].inputs) if name in spec.task_specs else None
                  for name in start.trigger_specs))


class SharedSpecs:
    """One set of process specs handed to many workflows: shared where safe, else copied.

    A spec that `can_be_rewired` is copied for every workflow (unpickling a snapshot taken
    once: a deep copy at a seventh of `copy.deepcopy`'s cost; no spec class customises
    copying or pickling; the snapshot is our own in-memory bytes, never read from outside).
    Every other spec is the same object in every workflow, as SpiffWorkflow itself intends.
    """

    def __init__(self, spec, subprocess_specs: dict):
        self._spec = spec
        self._subprocess_specs = dict(subprocess_specs)
        self._snapshots: dict[str | None, bytes] = {}
        self._wiring: dict[str | None, tuple] = {}
        # Serialised form of each spec, and of all of them as written in a blob (kept by the serializer).
        self.texts: dict[str | None, str] = {}
        self.block: str | None = None
        for name, candidate in [(None, spec), *self._subprocess_specs.items()]:
            if can_be_rewired(candidate):
                self._wiring[name] = _wiring(candidate)
                try:
                    self._snapshots[name] = pickle.dumps(candidate, protocol=pickle.HIGHEST_PROTOCOL)
                except Exception:  # something in a spec cannot be pickled: copy it the slow way
                    self._snapshots[name] = b""
            else:
                self._connect_multi_instance_merges(candidate)

    def names(self) -> list[str]:
        return list(self._subprocess_specs)

    @staticmethod
    def _connect_multi_instance_merges(spec) -> None:
        """Do once now what a multi-instance task does on first use of a spec.

        `MultiInstanceTask.create_child` connects its `merge_child` to the child spec's
        completed event if not yet connected; on a spec shared by threads two could both find
        it unconnected and connect it twice (every child then merged twice).
        """
        for task_spec in spec.task_specs.values():
            child_name, merge = getattr(task_spec, "task_spec", None), getattr(task_spec, "merge_child", None)
            if isinstance(child_name, str) and callable(merge) and child_name in spec.task_specs:
                event = spec.task_specs[child_name].completed_event
                if not event.is_connected(merge):
                    event.connect(merge)

    def original(self, name: str | None):
        return self._spec if name is None else self._subprocess_specs.get(name)

    def unchanged(self, name: str | None, spec) -> bool:
        """Whether `spec` (handed out by `for_workflow` under `name`) is still as it was parsed."""
        if name not in self._wiring:
            return spec is self.original(name)  # shared, so never rewired
        return _wiring(spec) == self._wiring[name]

    def _copy(self, name: str | None, original):
        if name not in self._snapshots:
            return original
        snapshot = self._snapshots[name]
        if not snapshot:
            return copy.deepcopy(original)
        # The copy makes thousands of small objects at once; a cyclic garbage collection started in
        # the middle of it walks the whole heap of the process for nothing (they are all alive).
        collecting = gc.isenabled()
        gc.disable()
        try:
            return pickle.loads(snapshot)  # noqa: S301 - bytes we pickled ourselves
        finally:
            if collecting:
                gc.enable()

    def for_workflow(self) -> tuple[object, dict]:
        return self._copy(None, self._spec), {
            name: self._copy(name, sub) for name, sub in self._subprocess_specs.items()
        }


def _element_at_line(files: dict[str, str], filename: str | None, line) -> str | None:
    """The id of the element an XSD error names by line (the validator gives no element)."""
    text = files.get(filename or "")
    if text is None or not isinstance(line, int):
        return None
    for element in parse_xml(text, filename).iter():
        if element.sourceline == line and element.get("id"):
            return element.get("id")
    return None


def content_hash(files: dict[str, str]) -> str:
    canonical = json.dumps(sorted(files.items()), ensure_ascii=False).encode("utf-8")
    return hashlib.sha256(canonical).hexdigest()


_SPIFF = "http://spiffworkflow.org/bpmn/schema/1.0/core"
_BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"


def lane_roles(root) -> dict[str, str]:
    """{lane name: role code} of the lanes of one document that name their role as a property.

    A lane's name is for people (相談支援員); the role code it stands for is the lane's
    ``spiffworkflow:property name="role"``.  Lanes without it (versions deployed before lanes had
    Japanese names) named the role code itself, and SpiffWorkflow's lane is that code.
    """
    roles = {}
    for lane in root.iter(f"{{{_BPMN}}}lane"):
        for prop in lane.iterfind(f"{{{_BPMN}}}extensionElements/{{{_SPIFF}}}properties/{{{_SPIFF}}}property"):
            if prop.get("name") == "role" and (prop.get("value") or "").strip():
                roles[(lane.get("name") or "").strip()] = prop.get("value").strip()
    return roles


def _note_lane_roles(specs, roots: dict) -> None:
    """Give each user task in a lane with a role property that role as ``laneRole``.

    SpiffWorkflow keeps only the lane's name on a task spec; the property goes into the task's
    ``extensions`` (serialised with the spec), so a loaded workflow knows it without the XML.
    """
    by_file = {filename: lane_roles(root) for filename, root in roots.items()}
    for spec in specs:
        roles = by_file.get(getattr(spec, "file", None)) or {}
        for task_spec in spec.task_specs.values():
            role = roles.get(getattr(task_spec, "lane", None) or "")
            if role and getattr(task_spec, "manual", False):
                extensions = task_spec.extensions if isinstance(getattr(task_spec, "extensions", None), dict) else {}
                extensions.setdefault("properties", {})["laneRole"] = role
                task_spec.extensions = extensions


_cache: dict[tuple[str, str], ProcessSpec] = {}
_cache_lock = Lock()


def parse_process(files: dict[str, str], process_id: str, validate: bool = True) -> ProcessSpec:
    key = (content_hash(files), process_id)
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    parser = SpiffBpmnParser(validator=VALIDATOR if validate else None)
    roots = {}
    try:
        for filename, text in sorted(files.items()):
            roots[filename] = parse_xml(text, filename)
            parser.add_bpmn_xml(roots[filename], filename=filename)
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        element_id = getattr(exc, "id", None) or _element_at_line(files, exc.file_name, exc.line_number)
        raise EngineError(str(exc), element_id) from exc
    _note_lane_roles([spec, *subprocess_specs.values()], roots)
    parsed = ProcessSpec(process_id, key[0], spec, subprocess_specs)
    with _cache_lock:
        _cache[key] = parsed
    return parsed
