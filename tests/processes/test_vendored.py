"""The vendored bpmn-js: the version the pages load, with its licence, unchanged since it was copied."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

from app.views.modeler import BPMN_JS_VERSION

VENDOR = Path(__file__).resolve().parents[2] / "app" / "static" / "vendor" / "bpmn-js" / BPMN_JS_VERSION


def test_the_vendored_bundle_is_the_recorded_one_with_its_licence():
    licence = (VENDOR / "LICENSE").read_text(encoding="utf-8")
    assert "Camunda" in licence and "watermark" in licence
    record = (VENDOR / "VENDORED.md").read_text(encoding="utf-8")
    assert f"bpmn-js {BPMN_JS_VERSION}" in record
    hashes = dict(re.findall(r"\| `([\w.-]+\.js)` \| `([0-9a-f]{64})` \|", record))
    assert set(hashes) == {"bpmn-modeler.production.min.js", "bpmn-navigated-viewer.production.min.js"}
    for name, digest in hashes.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name


def test_our_stylesheets_never_hide_the_watermark():
    css = "".join(p.read_text(encoding="utf-8") for p in (VENDOR.parents[3] / "static").rglob("*.css")
                  if "vendor" not in p.parts)
    rules = re.sub(r"/\*.*?\*/", "", css, flags=re.DOTALL)  # comments may mention it; no rule may restyle it
    assert "bjs-powered-by" not in rules
