"""Workflow (de)serialisation that always re-attaches the restricted script engine.

Every serialised case carries its own copy of the process specs (≈ 60 % of the JSON), and
thousands of cases carry the very same ones.  Restoring, copying and re-serialising them was
more than half the cost of a timer firing, so:

* `load` keeps the specs it restored (compared by content) and hands them to later loads,
  shared where SpiffWorkflow cannot change them at run time and copied where it can (see
  `specs.SharedSpecs`); once known, their text is found in a blob and cut out before parsing.
* `dump` writes the text of specs that are still as handed out instead of rebuilding it.

The bytes written are exactly the stock serializer's JSON (tests/test_engine_isolation.py
checks it), so every blob stays readable by SpiffWorkflow alone.  A case whose specs were
changed (an event subprocess triggered, a migration) has different spec text and simply gets
its own entry.
"""

from __future__ import annotations

import gzip
import json
import secrets
from collections import deque
from threading import Lock

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from .specs import SharedSpecs

# Blobs are written often (every step, every timer) and read as often: gzip's default level 9
# took 2 ms of a 3 ms `dump`; level 5 took 1.2–2.2 ms of a 6 ms `dump` on a loaded machine,
# level 1 takes 0.5–1.2 ms for 25 % more bytes (a 140 kB workflow: 15 kB → 19 kB).  Any level
# reads back the same way.
GZIP_LEVEL = 1

# Distinct spec sets kept restored (a few per deployed version: untouched, and with each
# event subprocess triggered).
SPEC_CACHE_SIZE = 32

# Spec sets looked for in a blob's text before parsing it whole.
RECENT_SPECS = 4

_NONCE = secrets.token_hex(8)
_EMPTY_BLOCK = '"spec": null, "subprocess_specs": null'


class AppSerializer(BpmnWorkflowSerializer):
    def __init__(self, script_engine):
        super().__init__(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
        self.script_engine = script_engine
        # {fingerprint: [(spec dict, subprocess specs dict, SharedSpecs)]}
        self._specs: dict[tuple, list[tuple[dict, dict, SharedSpecs]]] = {}
        self._specs_count = 0
        self._recent: deque[SharedSpecs] = deque(maxlen=RECENT_SPECS)
        self._specs_lock = Lock()

    def dump(self, workflow) -> bytes:
        self.registry._encoder_mode = True
        try:
            text = self._json(workflow)
        finally:
            self.registry._encoder_mode = False
        return gzip.compress(text.encode("utf-8"), compresslevel=GZIP_LEVEL)

    def _json(self, workflow) -> str:
        """The stock serialisation, with the text of specs that are as parsed reused, not rebuilt."""
        reuse = self._reusable_specs(workflow)
        if not reuse:
            dct = self.to_dict(workflow)
            dct[self.VERSION_KEY] = self.VERSION
            return json.dumps(dct, cls=self._encoder_cls)
        # Each reusable spec is serialised as a marker string, then the marker is replaced by
        # the spec's text (a NUL and a per-process nonce: task data cannot contain it by chance).
        markers = {name: f"\x00tsunagi-spec:{_NONCE}:{i}\x00" for i, name in enumerate(reuse)}
        spec, subprocess_specs = workflow.spec, workflow.subprocess_specs
        try:
            if None in reuse:
                workflow.spec = markers[None]
            workflow.subprocess_specs = {name: markers.get(name, sub) for name, sub in subprocess_specs.items()}
            dct = self.to_dict(workflow)
        finally:
            workflow.spec, workflow.subprocess_specs = spec, subprocess_specs
        dct[self.VERSION_KEY] = self.VERSION
        text = json.dumps(dct, cls=self._encoder_cls)
        for name, marker in markers.items():
            text = text.replace(json.dumps(marker), reuse[name], 1)
        return text

    def _reusable_specs(self, workflow) -> dict[str | None, str]:
        """{None (the main spec) or subprocess name: serialised text} of specs still as handed out."""
        origin = getattr(workflow, "_tsunagi_specs", None)
        if origin is None:
            return {}
        shared, handed_spec, handed_subprocesses = origin
        found = {}
        if workflow.spec is handed_spec and shared.unchanged(None, handed_spec):
            found[None] = self._spec_text(shared, None)
        for name, sub in workflow.subprocess_specs.items():
            if handed_subprocesses.get(name) is sub and shared.unchanged(name, sub):
                found[name] = self._spec_text(shared, name)
        return found

    def _spec_text(self, shared: SharedSpecs, name: str | None) -> str:
        text = shared.texts.get(name)
        if text is None:
            text = json.dumps(self.registry.convert(shared.original(name)), cls=self._encoder_cls)
            shared.texts[name] = text
        return text

    def load(self, blob: bytes):
        text = gzip.decompress(blob).decode("utf-8")
        shared, dct = self._parse_with_known_specs(text)
        if shared is None:
            dct = json.loads(text, cls=self.json_decoder_cls)
            self.migrate(dct)
            if dct.get("typename") == "BpmnWorkflow" and isinstance(dct.get("spec"), dict):
                shared = self._restored_specs(dct["spec"], dct.get("subprocess_specs") or {})
        if shared is not None:
            spec, subprocess_specs = shared.for_workflow()
            # The registry passes objects that are not dicts through unchanged, so the
            # stock converter builds the workflow around the specs we hand it.
            dct["spec"], dct["subprocess_specs"] = spec, subprocess_specs
        workflow = self.from_dict(dct)
        if shared is not None:
            workflow._tsunagi_specs = (shared, spec, dict(subprocess_specs))
        # The script engine is not serialised; a loaded workflow would otherwise get
        # SpiffWorkflow's unrestricted default.
        workflow.script_engine = self.script_engine
        return workflow

    def _parse_with_known_specs(self, text: str) -> tuple[SharedSpecs | None, dict | None]:
        """Parse only the workflow's own part when its specs are ones restored lately.

        A blob written by `dump` holds the specs' text exactly as `_spec_block` makes it; when
        that text is found, it is cut out before parsing (it was 60 % of the JSON).
        """
        with self._specs_lock:
            recent = list(self._recent)
        for shared in recent:
            start = text.find(shared.block) if shared.block else -1
            if start < 0:
                continue
            rest = text[:start] + _EMPTY_BLOCK + text[start + len(shared.block):]
            dct = json.loads(rest, cls=self.json_decoder_cls)
            if dct.get(self.VERSION_KEY) != self.VERSION or dct.get("typename") != "BpmnWorkflow":
                return None, None  # an older format: the full path migrates it
            self.migrate(dct)
            return shared, dct
        return None, None

    def _spec_block(self, shared: SharedSpecs) -> str:
        """`"spec": …, "subprocess_specs": {…}` exactly as the stock serialiser writes them."""
        self.registry._encoder_mode = True
        try:
            subprocesses = ", ".join(f"{json.dumps(name)}: {self._spec_text(shared, name)}"
                                     for name in shared.names())
            return f'"spec": {self._spec_text(shared, None)}, "subprocess_specs": {{{subprocesses}}}'
        finally:
            self.registry._encoder_mode = False

    def _restored_specs(self, spec_dct: dict, subprocess_dct: dict) -> SharedSpecs:
        # Comparing parsed dicts is C code and stops at the first difference (≈ 0.06 ms for
        # our specs; hashing their JSON text took 0.4 ms).
        fingerprint = _fingerprint(spec_dct, subprocess_dct)
        with self._specs_lock:
            for known_spec, known_subprocesses, shared in self._specs.get(fingerprint, ()):
                if known_spec == spec_dct and known_subprocesses == subprocess_dct:
                    self._remember(shared)
                    return shared
        # Kept apart from the dicts the converters consume while restoring.
        known_spec, known_subprocesses = json.loads(json.dumps([spec_dct, subprocess_dct]))
        spec = self.registry.restore(spec_dct)
        subprocess_specs = {name: self.registry.restore(sub) for name, sub in subprocess_dct.items()}
        shared = SharedSpecs(spec, subprocess_specs)
        with self._specs_lock:
            if self._specs_count >= SPEC_CACHE_SIZE:
                self._specs.clear()
                self._specs_count = 0
            self._specs.setdefault(fingerprint, []).append((known_spec, known_subprocesses, shared))
            self._specs_count += 1
        self._remember(shared)
        return shared

    def _remember(self, shared: SharedSpecs) -> None:
        """Put `shared` first among the specs `_parse_with_known_specs` looks for."""
        if shared.block is None:
            shared.block = self._spec_block(shared)
        with self._specs_lock:
            if shared in self._recent:
                self._recent.remove(shared)
            self._recent.appendleft(shared)


def _fingerprint(spec_dct: dict, subprocess_dct: dict) -> tuple:
    """Cheap to compute and equal for equal specs (the dicts are compared in full afterwards)."""
    task_specs = spec_dct.get("task_specs") or {}
    start = task_specs.get("Start") or {}
    return (spec_dct.get("name"), len(task_specs), tuple(start.get("outputs") or ()), tuple(subprocess_dct),
            sum(len(sub.get("task_specs") or ()) for sub in subprocess_dct.values() if isinstance(sub, dict)))
