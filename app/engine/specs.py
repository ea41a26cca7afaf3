"""Parsing BPMN safely into workflow specs, cached by content hash."""

from __future__ import annotations

import hashlib
import json
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
        raise EngineError(str(exc), getattr(exc, "id", None)) from exc
    parsed = ProcessSpec(process_id, key[0], spec, subprocess_specs)
    with _cache_lock:
        _cache[key] = parsed
    return parsed
