"""House rules that a grep can check."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMPORT = re.compile(r"^\s*(from|import)\s+SpiffWorkflow\b", re.MULTILINE)


def test_only_the_engine_imports_spiffworkflow():
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("app", "bench", "tests")
        if (ROOT / folder).exists()
        for path in (ROOT / folder).rglob("*.py")
        if IMPORT.search(path.read_text(encoding="utf-8")) and "app/engine" not in path.as_posix()
    ]
    assert offenders == []


def test_the_boundary_check_would_notice(tmp_path):
    sample = tmp_path / "leak.py"
    sample.write_text("from SpiffWorkflow.bpmn import BpmnWorkflow\n")
    assert IMPORT.search(sample.read_text())


def test_importing_the_engine_changes_nothing_in_spiffworkflow():
    """SpiffWorkflow is adjusted when an engine is made (create_app), never as a side effect of an import."""
    import subprocess
    import sys

    probe = (
        "import datetime\n"
        "import app.engine\n"
        "from app.engine import clock\n"
        "assert clock._timer_module.datetime is datetime.datetime, 'patched on import'\n"
        "app.engine.ProcessEngine()\n"
        "assert clock._timer_module.datetime is not datetime.datetime, 'not patched by the engine'\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_no_state_travels_through_the_session_info():
    """Lock ownership and the audit chain head are explicit (a case step holds them), never session.info."""
    offenders = [str(path.relative_to(ROOT)) for path in (ROOT / "app").rglob("*.py")
                 if "session.info" in path.read_text(encoding="utf-8")]
    assert offenders == []
