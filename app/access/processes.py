"""Process owners: who may open the modeler, save drafts, deploy and migrate cases.

Only ``process_owner`` (the role code of プロセス管理者). A diagram decides what caseworkers
see and runs restricted scripts on the server, so no other role may publish one — not
even ``admin`` (access rule ``process_admin`` is declared on these views; this function is
the check the services apply).
"""

from __future__ import annotations


def can_manage_processes(user) -> bool:
    return bool(getattr(user, "is_authenticated", False)) and user.has_role("process_owner")
