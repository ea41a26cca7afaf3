"""A fired timer's rows written with Core statements instead of the ORM's flush.

A fired timer writes a few rows of one case: the case row (state, workflow, next timer), its
audit events, the task rows the firing opened and the ones it withdrew, with a notification to
each withdrawn task's holder.  The ORM's flush of them cost more in Python than the statements
themselves, and sent a statement per table where one does: on PostgreSQL the other writes ride
along as data-modifying CTEs of the case's UPDATE.

Exactly what the flush would have written is written, in the step's own transaction, under the
case row lock the claim took: the audit events the step's `CaseChain` built (same sequences and
hashes), the task rows the projection built or withdrew, the case columns the step changed, with
the flush's version check.  Anything else pending in the session (a closure, an incident, another
case's row, any change the statistics facts follow) leaves the step to the ORM's flush as before,
so the facts listeners see every write they follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import attributes
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.lifecycle.steps import CaseStep
from app.models import AuditEvent, Case, HumanTask, Notification
from app.services.statistics import facts

_CASES, _TASKS = Case.__table__, HumanTask.__table__
# New rows written this way, in this order (the order the flush writes them in).
_NEW = {AuditEvent: ("e", AuditEvent.__table__), HumanTask: ("t", _TASKS), Notification: ("n", Notification.__table__)}


@dataclass
class _Writes:
    changes: dict  # case column -> new value
    new: dict = field(default_factory=lambda: {kind: [] for kind in _NEW})  # model -> new objects
    rows: dict = field(default_factory=dict)  # model -> their column values
    withdrawn: list = field(default_factory=list)  # task rows whose only change is their status
    withdrawn_status: str | None = None

    def shape(self) -> tuple:
        return (tuple(self.changes), tuple((kind, tuple(rows[0]) if rows else (), len(rows))
                                           for kind, rows in self.rows.items()),
                bool(self.withdrawn))


def write(step: CaseStep) -> bool:
    """Write the step's pending rows with Core statements; False (nothing done) when the session
    holds anything else: the flush at commit writes it all then, as for any step."""
    session = db.session()
    case = step.case
    writes = _pending(session, case)
    if writes is None:
        return False
    version = case.lock_version
    # First leave the session with nothing to flush (no autoflush can write these rows twice): the
    # new objects leave it, changed ones hold their new values as if loaded so.
    for objects in writes.new.values():
        for obj in objects:
            session.expunge(obj)
    for task in writes.withdrawn:
        attributes.set_committed_value(task, "status", writes.withdrawn_status)
    for key, value in writes.changes.items():
        attributes.set_committed_value(case, key, value)
    if writes.changes:
        attributes.set_committed_value(case, "lock_version", version + 1)
    connection = session.connection()  # the step's own transaction
    if connection.dialect.name == "postgresql":
        task_ids = _in_one_statement(connection, case.id, version, writes)
    else:
        task_ids = _one_by_one(connection, case.id, version, writes)
    for task in writes.new[HumanTask]:
        task.id = task_ids[task.engine_task_id]  # callers may still read the opened rows
    return True


def _pending(session, case: Case) -> _Writes | None:
    """What the flush would write, when it is only rows of the kinds above for this case."""
    if session.deleted or facts.touched_cases(session):
        return None
    changes = _changed_columns(case)  # empty when an autoflush has written the case row already
    if changes is None:
        return None
    writes = _Writes(changes)
    for obj in session.new:
        if type(obj) not in _NEW or obj.case_id != case.id:
            return None
        writes.new[type(obj)].append(obj)
    for obj in session.dirty:
        if obj is case or not session.is_modified(obj):
            continue
        if type(obj) is not HumanTask or obj.case_id != case.id or _changed_columns(obj) is None \
                or set(_changed_columns(obj)) != {"status"}:
            return None
        status = obj.status
        if writes.withdrawn_status not in (None, status):
            return None
        writes.withdrawn.append(obj)
        writes.withdrawn_status = status
    if not changes and not session.new and not writes.withdrawn:
        return None
    for objects in writes.new.values():
        # Ids in the order the objects were added, as the flush assigns them (events: chain order,
        # which `audit verify` expects).
        objects.sort(key=lambda obj: sa.inspect(obj).insert_order)
    for kind, objects in writes.new.items():
        rows = _values(objects, _NEW[kind][1])
        if rows is None:
            return None
        writes.rows[kind] = rows
    return writes


def _changed_columns(obj) -> dict | None:
    """{column name: new value} of the object's changed attributes; None when a relationship or
    the version counter changed (the flush knows how to write those)."""
    state = sa.inspect(obj)
    changes = {}
    for prop in state.mapper.attrs:
        history = state.attrs[prop.key].history
        if not history.has_changes():
            continue
        if not isinstance(prop, sa.orm.ColumnProperty) or prop.key == "lock_version":
            return None
        changes[prop.columns[0].key] = history.added[0] if history.added else None
    return changes


def _values(objects: list, table: sa.Table) -> list[dict] | None:
    """Each object's column values as its flush would insert them: the ones set, and the column
    defaults of the others.  None when the objects set different columns (one statement, one
    column list)."""
    rows = []
    for obj in objects:
        state = sa.inspect(obj)
        row = {prop.columns[0].key: state.dict[prop.key]
               for prop in state.mapper.column_attrs if prop.key in state.dict}
        for column in table.columns:
            if column.key not in row and column.default is not None:
                if not (column.default.is_scalar or column.default.is_callable):
                    return None
                row[column.key] = column.default.arg if column.default.is_scalar else column.default.arg(None)
        rows.append(row)
    if any(row.keys() != rows[0].keys() for row in rows):
        return None
    return rows


def _case_update(columns: tuple[str, ...]):
    return (sa.update(_CASES)
            .where(_CASES.c.id == sa.bindparam("step_case_id"), _CASES.c.lock_version == sa.bindparam("step_version"))
            .values({name: sa.bindparam(f"set_{name}", type_=_CASES.c[name].type) for name in columns}
                    | {"lock_version": _CASES.c.lock_version + 1}))


def _insert(table: sa.Table, prefix: str, columns: tuple[str, ...], count: int):
    # INSERT … SELECT … UNION ALL SELECT …: SQLAlchemy never caches a multi-row VALUES (it compiled
    # the statement anew for every timer, a few milliseconds); this it compiles once.
    rows = [sa.select(*[sa.bindparam(f"{prefix}{i}_{name}", type_=table.c[name].type) for name in columns])
            for i in range(count)]
    return sa.insert(table).from_select(columns, sa.union_all(*rows) if count > 1 else rows[0],
                                        include_defaults=False)


def _withdraw(task_ids: sa.ColumnElement):
    return sa.update(_TASKS).where(task_ids).values(status=sa.bindparam("withdrawn_status"))


@lru_cache(maxsize=64)
def _one_statement(shape: tuple):
    """The case's UPDATE with the other writes as CTEs, built once per shape of step (a SELECT
    instead of the UPDATE when the case row was written already)."""
    case_columns, inserts, withdrawn = shape
    statement = _case_update(case_columns) if case_columns else sa.select(sa.literal_column("1"))
    returned = [_CASES.c.id]
    for kind, columns, count in inserts:
        if not count:
            continue
        prefix, table = _NEW[kind]
        insert = _insert(table, prefix, columns, count)
        if kind is HumanTask:
            opened = insert.returning(_TASKS.c.id, _TASKS.c.engine_task_id).cte("step_opened_tasks")
            returned.append(sa.select(sa.func.json_object_agg(opened.c.engine_task_id, opened.c.id))
                            .scalar_subquery())
        else:
            statement = statement.add_cte(insert.cte(f"step_{table.name}"))
    if withdrawn:
        ids = sa.bindparam("withdrawn_ids", type_=postgresql.ARRAY(sa.Integer))
        statement = statement.add_cte(_withdraw(_TASKS.c.id == sa.any_(ids)).cte("step_withdrawn_tasks"))
    if case_columns:
        return statement.returning(*returned)
    return statement.add_columns(*returned[1:])


def _params(writes: _Writes, case_id: int, version: int) -> dict:
    # No key may be a column name of a table the statement writes: SQLAlchemy would take it for a
    # value to set (a task's `case_id`, `case_state`).
    params = {"step_case_id": case_id, "step_version": version,
              **{f"set_{name}": value for name, value in writes.changes.items()},
              "withdrawn_ids": [task.id for task in writes.withdrawn],
              "withdrawn_status": writes.withdrawn_status}
    for kind, rows in writes.rows.items():
        prefix = _NEW[kind][0]
        params.update({f"{prefix}{i}_{name}": value for i, row in enumerate(rows) for name, value in row.items()})
    return params


def _stale(case_id: int) -> StaleDataError:
    # The flush's version check (under the claim's row lock it cannot fail on PostgreSQL; on
    # SQLite it is what makes a second, concurrent firing roll back).
    return StaleDataError(f"case {case_id} changed while its timer fired")


def _in_one_statement(connection, case_id: int, version: int, writes: _Writes) -> dict[str, int]:
    """PostgreSQL: one statement, one round trip."""
    row = connection.execute(_one_statement(writes.shape()), _params(writes, case_id, version)).first()
    if row is None:
        raise _stale(case_id)
    return (row[1] or {}) if writes.new[HumanTask] else {}


def _one_by_one(connection, case_id: int, version: int, writes: _Writes) -> dict[str, int]:
    """SQLite: the same rows, a statement per table."""
    params = _params(writes, case_id, version)
    if writes.changes and connection.execute(_case_update(tuple(writes.changes)), params).rowcount != 1:
        raise _stale(case_id)
    task_ids = {}
    for kind, rows in writes.rows.items():
        table = _NEW[kind][1]
        if kind is HumanTask:
            for row in rows:
                task_ids[row["engine_task_id"]] = connection.execute(
                    sa.insert(table).values(row).returning(table.c.id)).scalar_one()
        elif rows:
            connection.execute(sa.insert(table), rows)
    if writes.withdrawn:
        connection.execute(_withdraw(_TASKS.c.id == sa.bindparam("task_id")),
                           [{"task_id": task.id, "withdrawn_status": writes.withdrawn_status}
                            for task in writes.withdrawn])
    return task_ids
