"""Parsing BPMN safely into workflow specs, cached by content hash."""

from __future__ import annotations

import copy
import hashlib
import json
import pickle
from dataclasses import dataclass
from threading import Lock

from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
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
        """(spec, subprocess_specs) for one new workflow, sharing nothing with this cached one.

        SpiffWorkflow rewires a spec when an event subprocess is first triggered, so each
        started workflow needs its own.  Unpickling a snapshot taken once is a deep copy at
        a seventh of `copy.deepcopy`'s cost (no spec class customises copying or pickling);
        the snapshot is our own in-memory bytes, never read from outside.
        """
        snapshot = self.__dict__.get("_snapshot")
        if snapshot is None:
            try:
                snapshot = pickle.dumps((self.spec, self.subprocess_specs), protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:  # something in a spec cannot be pickled: copy it the slow way
                snapshot = b""
            object.__setattr__(self, "_snapshot", snapshot)
        if not snapshot:
            return copy.deepcopy((self.spec, self.subprocess_specs))
        return pickle.loads(snapshot)  # noqa: S301 - bytes we pickled ourselves just above


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


_cache: dict[tuple[str, str], ProcessSpec] = {}
_cache_lock = Lock()


def parse_process(files: dict[str, str], process_id: str, validate: bool = True) -> ProcessSpec:
    key = (content_hash(files), process_id)
    with _cache_lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    parser = SpiffBpmnParser(validator=VALIDATOR if validate else None)
    try:
        for filename, text in sorted(files.items()):
            parser.add_bpmn_xml(parse_xml(text, filename), filename=filename)
        spec = parser.get_spec(process_id)
        subprocess_specs = parser.get_subprocess_specs(process_id)
    except ValidationException as exc:
        element_id = getattr(exc, "id", None) or _element_at_line(files, exc.file_name, exc.line_number)
        raise EngineError(str(exc), element_id) from exc
    parsed = ProcessSpec(process_id, key[0], spec, subprocess_specs)
    with _cache_lock:
        _cache[key] = parsed
    return parsed
