"""The garbage collector's settings for a long-running process: a web worker, the scheduler.

Loading a case builds thousands of small objects, and a step or a page allocates many more.
With the default thresholds the collector's passes re-walk every object of the application
(modules, the ORM's registries, parsed specs, the workflows kept warm) again and again: in a
worker a full pass took about 160 ms, landing on whichever request happened to be running.
Objects alive after start-up are moved out of the collector's way (`gc.freeze`), and the
youngest generation is collected less often.  Memory is still freed: most objects go by
reference counting, cycles by the (rarer) passes.
"""

from __future__ import annotations

import gc

# Allocations (less deallocations) between two collections of the youngest generation; the
# default is 700, a few times per step.
YOUNG_THRESHOLD = 10_000

_tuned = False


def tune_long_running_process() -> None:
    """Freeze what start-up built and collect less often; once per process (later calls do nothing)."""
    global _tuned
    if _tuned:
        return
    _tuned = True
    gc.collect()
    gc.freeze()
    gc.set_threshold(YOUNG_THRESHOLD, 20, 20)
