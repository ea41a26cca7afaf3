"""Process versions, process owners' drafts, checks, diffs and migration of running cases.

``deploy``: what is deployed and the form definitions each version uses; ``checks``: the checks a
diagram set passes before it reaches caseworkers; ``drafts``: the modeler's drafts, deploy and
diff; ``migration``: moving running cases between versions; ``graph``: reading a BPMN document
as a graph (lxml only).  Callers that only need versions import them from here.
"""

from .deploy import (
    current_version,
    deploy_from_disk,
    form_definition,
    process_files,
    read_process_files,
    spec_for,
    store_version,
)

__all__ = [
    "current_version",
    "deploy_from_disk",
    "form_definition",
    "process_files",
    "read_process_files",
    "spec_for",
    "store_version",
]
