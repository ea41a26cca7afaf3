"""A faster walk of SpiffWorkflow's task tree, with the same results in the same order.

Every engine step walks the whole task tree several times (ready tasks to run, waiting tasks
to update after each completion, parallel joins looking for their inputs, our own list of
ready user tasks).  The tree keeps every finished task — a monitoring loop that ran 300 times
holds 300 completed children — so a case's steps cost more the longer it runs, and replaying
a long case (`tsunagi audit replay`) walks the tree tens of thousands of times.

SpiffWorkflow 3.2's `TaskIterator` pays, per visited task, for depth bookkeeping that walks
parent links (UUID-keyed dict look-ups) only to honour `max_depth` (1000 by default), plus a
filter method call or two.  `install()` gives `TaskIterator` and `BpmnTaskIterator` a
`__next__` that takes a plain depth-first stack walk instead, only when it is provably
equivalent:

* depth-first order (the default; breadth-first keeps the library's walk);
* the walk starts fresh (nothing consumed yet);
* the workflow (with all its subprocesses for the BPMN iterator) holds fewer tasks than
  `max_depth`: the library's depth counter only grows when a task's children are expanded,
  at most once per task, so it can never reach `max_depth` and the limit never applies.

Children are expanded when a task is taken off the stack, before it is handed to the caller,
exactly as the library does (callers such as `update_waiting_tasks` change the tree while they
iterate).  Filters are the library's own, inlined for the plain cases (state, manual, spec
name) and called as they are otherwise.  `tests/test_engine_iteration.py` compares both walks
over real case workflows with every filter the library and we use.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from contextlib import contextmanager

from SpiffWorkflow.bpmn.util.task import BpmnTaskFilter, BpmnTaskIterator
from SpiffWorkflow.util.task import TaskFilter, TaskIterator, TaskState

_library_next = {TaskIterator: TaskIterator.__next__, BpmnTaskIterator: BpmnTaskIterator.__next__}
_own_next = {k: v for k, v in BpmnTaskIterator.__dict__.items() if k == "__next__"}  # the library's own, if any
_FINISHED = TaskState.FINISHED_MASK


def _matcher(task_filter):
    """The filter as a small function; the filter's own `matches` when it is not a plain one."""
    kind = type(task_filter)
    if (kind not in (TaskFilter, BpmnTaskFilter) or task_filter.updated_ts != 0
            or task_filter.spec_class is not None
            or getattr(task_filter, "catches_event", None) is not None
            or getattr(task_filter, "lane", None) is not None):
        return task_filter.matches
    # updated_ts == 0: `last_state_change >= 0` holds for every task (a Unix time).
    state, manual, name = task_filter.state, task_filter.manual, task_filter.spec_name
    if manual is None and name is None:
        return lambda task: task._state & state
    if name is None:
        return lambda task: task._state & state and task.task_spec.manual == manual
    if manual is None:
        return lambda task: task._state & state and task.task_spec.name == name
    return task_filter.matches


def _walk(iterator, start, bpmn: bool):
    matches = _matcher(iterator.task_filter)
    min_state, end_at = iterator.min_state, iterator.end_at_spec
    stack = [start]
    pop, extend = stack.pop, stack.extend
    # `task.children` is [task.workflow.tasks.get(id) for id in task._children]; the same, inline.
    if not bpmn:
        child = start.workflow.tasks.get  # this iterator stays in one workflow
        while stack:
            task = pop()
            if task._children and task._state >= min_state and task.task_spec.name != end_at:
                extend(map(child, reversed(task._children)))
            if matches(task):
                yield task
        return
    subprocesses = start.workflow.top_workflow.subprocesses
    skip, filter_state = iterator.skip_subprocesses, iterator.task_filter.state
    while stack:
        task = pop()
        subprocess = subprocesses.get(task.id) if subprocesses else None
        if subprocess is None:
            if task._children and task._state >= min_state and task.task_spec.name != end_at:
                extend(map(task.workflow.tasks.get, reversed(task._children)))
        elif task.task_spec.name != end_at:
            # The library visits the subprocess's tree first, then the task's own children.
            extend(map(task.workflow.tasks.get, reversed(task._children)))
            if not (skip or (task._state >= _FINISHED and filter_state <= _FINISHED)):
                stack.append(subprocess.task_tree)
        if matches(task):
            yield task


def _task_count(task, bpmn: bool) -> int:
    workflow = task.workflow
    if not bpmn:
        return len(workflow.tasks)
    top = workflow.top_workflow
    return len(top.tasks) + sum(len(sub.tasks) for sub in top.subprocesses.values())


def _fast_next(bpmn: bool, library_next):
    def __next__(self):
        walk = self.__dict__.get("_tsunagi_walk")
        if walk is None:
            eligible = (self.depth_first and self.depth == 0 and len(self.task_list) == 1
                        and _task_count(self.task_list[0], bpmn) < self.max_depth)
            walk = _walk(self, self.task_list[0], bpmn) if eligible else False
            if eligible:
                self.task_list = []
            self._tsunagi_walk = walk
        if walk is False:
            return library_next(self)
        return next(walk)

    __next__.tsunagi_fast_walk = True
    return __next__


def install() -> None:
    """Give both library iterators the fast walk (idempotent).

    BpmnTaskIterator inherits `__next__`; it gets its own (the walk that descends into
    subprocesses), so look in each class's own dict, not through inheritance.
    """
    for cls, library_next in _library_next.items():
        if not getattr(cls.__dict__.get("__next__"), "tsunagi_fast_walk", False):
            cls.__next__ = _fast_next(cls is BpmnTaskIterator, library_next)


def uninstall() -> None:
    """Back to the library's walk (for the equivalence test)."""
    TaskIterator.__next__ = _library_next[TaskIterator]
    if "__next__" in BpmnTaskIterator.__dict__ and "__next__" not in _own_next:
        del BpmnTaskIterator.__next__
    elif "__next__" in _own_next:
        BpmnTaskIterator.__next__ = _own_next["__next__"]


def installed() -> bool:
    return all(getattr(cls.__dict__.get("__next__"), "tsunagi_fast_walk", False) for cls in _library_next)


# -- the ready user tasks, without walking the tree ------------------------------------------
_READY, _FUTURE = TaskState.READY, TaskState.FUTURE


def ready_manual_tasks(workflow) -> list:
    """`workflow.get_tasks(state=READY, manual=True)`, found through the task dictionaries.

    Asked after every step; a case's tree keeps every finished task, so walking it costs far
    more than looking at each task's state once.  The result is the library's: only tasks the
    walk would reach (every ancestor expanded: state FUTURE or later, or owning a subprocess;
    a subprocess's tree hangs under the task that owns it), in the walk's order (depth first,
    a subprocess's tree before its owner's children).  Trees too large for that reasoning
    (see `_fast_next`) take the library's walk.
    """
    top = workflow
    workflows = (top, *top.subprocesses.values())
    if sum(len(w.tasks) for w in workflows) >= 1000:
        return top.get_tasks(state=_READY, manual=True)
    found = [task for w in workflows for task in w.tasks.values()
             if task._state == _READY and task.task_spec.manual]
    if not found:
        return found
    keyed = [(key, task) for task in found if (key := _walk_position(task, top)) is not None]
    if len(keyed) > 1:
        keyed.sort(key=lambda pair: pair[0])
    return [task for _key, task in keyed]


def _walk_position(task, top) -> tuple | None:
    """Where the depth-first walk from the top root meets `task`; None if it never does."""
    key: list[int] = []
    subprocesses = top.subprocesses
    while True:
        workflow, node, path = task.workflow, task, []
        parent = node.parent
        while parent is not None:
            if parent._state < _FUTURE and parent.id not in subprocesses:
                return None  # the walk does not expand a predicted task
            path.append(parent._children.index(node.id))
            node, parent = parent, parent.parent
        if node is not workflow.task_tree:
            return None
        key[:0] = reversed(path)
        if workflow is top:
            return tuple(key)
        owner = top.get_task_from_id(workflow.parent_task_id)
        if owner is None:
            return None
        key.insert(0, -1)  # the subprocess's tree comes before the owner's own children
        task = owner


# -- checking the fast walks against the library's (tests) -----------------------------------
@contextmanager
def library_walks() -> Iterator[None]:
    """Within the block, iterators walk the library's way (not thread-safe: tests only)."""
    was_installed = installed()
    uninstall()
    try:
        yield
    finally:
        if was_installed:
            install()


def _library_result(iterator, cls) -> list:
    twin = copy.copy(iterator)
    twin.__dict__ = {k: v for k, v in iterator.__dict__.items() if k != "_tsunagi_walk"}
    twin.task_list = list(iterator.task_list)
    found, library_next = [], _library_next[cls]
    try:
        while True:
            found.append(library_next(twin))
    except StopIteration:
        return found


@contextmanager
def checked_walks() -> Iterator[list[str]]:
    """Within the block, every new iterator also walks the library's way first and compares.

    Yields the list of differences found (empty when every walk agreed).  Both walks run
    before the caller sees the first task, so callers that change the tree while iterating
    compare on the tree as it was when they started.
    """
    differences: list[str] = []
    saved = {cls: cls.__dict__.get("__next__") for cls in _library_next}
    install()
    fast = {cls: cls.__dict__["__next__"] for cls in _library_next}

    def checking(cls):
        def __next__(self):
            if "_tsunagi_checked" not in self.__dict__:
                self._tsunagi_checked = True
                expected = _library_result(self, cls)
                twin = copy.copy(self)
                twin.__dict__ = dict(self.__dict__)
                twin.task_list = list(self.task_list)
                got = []
                try:
                    while True:
                        got.append(fast[cls](twin))
                except StopIteration:
                    pass
                if got != expected:
                    names = [[t.task_spec.name for t in found] for found in (expected, got)]
                    differences.append(f"{cls.__name__} {vars(self.task_filter)}: library {names[0]}, fast {names[1]}")
            return fast[cls](self)
        __next__.tsunagi_fast_walk = True
        return __next__

    for cls in _library_next:
        cls.__next__ = checking(cls)
    try:
        yield differences
    finally:
        for cls, own in saved.items():
            if own is None:
                if "__next__" in cls.__dict__:
                    delattr(cls, "__next__")
            else:
                cls.__next__ = own


def differences_from_library(running) -> list[str]:
    """Walk a loaded workflow every way the library and we do, fast and library; list mismatches."""
    top = running._wf
    workflows = [top, *top.subprocesses.values()]
    names = sorted({task.task_spec.name for w in workflows for task in w.tasks.values()})
    states = [TaskState.READY, TaskState.WAITING, TaskState.COMPLETED, TaskState.NOT_FINISHED_MASK,
              TaskState.FINISHED_MASK, TaskState.DEFINITE_MASK, TaskState.PREDICTED_MASK, TaskState.ANY_MASK]
    queries = [{"state": state} for state in states]
    queries += [{"state": TaskState.READY, "manual": True}, {"state": TaskState.READY, "manual": False},
                {"state": TaskState.WAITING, "skip_subprocesses": True}]
    queries += [{"spec_name": name} for name in names] + [{"end_at_spec": name} for name in names]

    def walk_all():
        out = []
        for w in workflows:
            for query in queries:
                out.append([t.id for t in w.get_tasks(**query)])
                plain = {k: v for k, v in query.items() if k != "skip_subprocesses"}
                out.append([t.id for t in TaskIterator(w.task_tree, **plain)])
        out.append([t.id for t in ready_manual_tasks(top)])
        return out

    fast = walk_all()
    with library_walks():
        slow = walk_all()
        slow[-1] = [t.id for t in top.get_tasks(state=TaskState.READY, manual=True)]
    labels = [f"{w.spec.name} {q}" for w in workflows for q in queries for _ in (0, 1)] + ["ready_manual_tasks"]
    return [label for label, a, b in zip(labels, fast, slow, strict=True) if a != b]
