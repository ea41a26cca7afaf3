"""Web workers and the scheduler tune the garbage collector the same way, once start-up is done."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Run in a child process: the collector's settings are process-wide, and the test run's own must
# not change.
PROBE = """
import gc, runpy
before = gc.get_threshold()
{call}
assert gc.get_threshold() == (10_000, 20, 20), (before, gc.get_threshold())
assert gc.get_freeze_count() > 1000, gc.get_freeze_count()
print("tuned")
"""

CALLS = {
    "gunicorn worker": "runpy.run_path('gunicorn.conf.py')['post_worker_init'](None)",
    "scheduler": "from app.services.timers.scheduler import prepare_process; prepare_process()",
}


@pytest.mark.parametrize("process", sorted(CALLS))
def test_a_long_running_process_freezes_what_start_up_built_and_collects_less_often(process):
    done = subprocess.run([sys.executable, "-c", PROBE.format(call=CALLS[process])], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "tuned"
