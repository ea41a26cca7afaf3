"""A step's pending rows written with Core statements instead of the ORM's flush.

A step writes a few rows of one case: the form submission and the completed task, the handler's
record (a plan version, a service record, a meeting), the audit events, the case row (state,
workflow, next timer), the task rows it opened or withdrew.  The ORM's flush of them cost more in
Python than the statements themselves, and sent a statement per table and row where one does: on
PostgreSQL every write rides along as a data-modifying CTE of the case's UPDATE (or of a SELECT,
when the case row is unchanged).  SQLite gets a statement per row.

Exactly what the flush would have written is written, in the step's own transaction, under the
case row lock the step took: the same rows in the same order (ids follow the order the objects
were added, as the flush assigns them: the audit chain's order), with the flush's version check on
the case row and a check that every other updated row was there.  Afterwards each written object is
in the session as if it had been flushed: new objects persistent with their ids, changed ones
clean with their new values.

Anything else (a deletion, a relationship whose keys the flush would work out, a mapper with its
own flush events, another versioned row, a table without a plain integer key) leaves the whole lot
to the ORM's flush, as for any step.  Whoever follows flushed rows (the statistics' stored facts)
registers with `on_rows_written` and is told of these rows before they are written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache, lru_cache

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session, attributes, make_transient_to_detached
from sqlalchemy.orm.exc import StaleDataError

from app.extensions import db
from app.models import Case, FormSubmission

_CASES = Case.__table__
_FLUSH_EVENTS = ("before_insert", "after_insert", "before_update", "after_update")
_MOST_ROWS = 200  # a step writes a few dozen rows at most
_row_listeners: list[Callable[[Session], None]] = []


def on_rows_written(listener: Callable[[Session], None]) -> None:
    """Call `listener(session)` before rows pending in the session are written here, as a flush
    listener would be called after a flush (idempotent)."""
    if listener not in _row_listeners:
        _row_listeners.append(listener)


@dataclass
class _Inserts:
    """New objects of one table setting the same columns: one INSERT."""

    table: sa.Table
    columns: tuple[str, ...]
    objects: list = field(default_factory=list)
    rows: list[dict] = field(default_factory=list)


@dataclass
class _Updates:
    """Rows of one table given the same new values: one UPDATE of their ids."""

    table: sa.Table
    values: dict
    objects: list = field(default_factory=list)


@dataclass
class _Writes:
    case_changes: dict  # case column -> new value
    unchanged: list = field(default_factory=list)  # flagged as changed, but nothing to write
    inserts: list[_Inserts] = field(default_factory=list)
    updates: list[_Updates] = field(default_factory=list)

    def shape(self) -> tuple:
        return (tuple(self.case_changes),
                tuple((group.table.name, group.columns, len(group.rows)) for group in self.inserts),
                tuple((group.table.name, tuple(group.values)) for group in self.updates))


def write(step) -> bool:
    """Write what the session holds for the step's case with Core statements; False (nothing
    done) when it holds anything else: the next flush writes it all then, as for any step."""
    session = db.session()
    case = step.case
    writes = _pending(session, case)
    if writes is None:
        return False
    version = case.lock_version
    ids = []
    if writes.case_changes or writes.inserts or writes.updates:
        for listener in _row_listeners:
            listener(session)
        connection = session.connection()  # the step's own transaction
        if connection.dialect.name == "postgresql":
            ids = _in_one_statement(connection, case.id, version, writes)
        else:
            ids = _one_by_one(connection, case.id, version, writes)
    _as_flushed(session, case, version, writes, ids)
    return True


# -- what is pending --------------------------------------------------------------------------
def _pending(session: Session, case: Case) -> _Writes | None:
    """What the flush would write, when it is only rows this module knows how to write."""
    if session.deleted or sa.inspect(case).key is None:
        return None
    case_changes = _changed_columns(case)
    if case_changes is None:
        return None
    if len(session.new) + len(session.dirty) > _MOST_ROWS:
        return None  # a bulk change: one statement would carry too many parameters
    writes = _Writes(case_changes)
    for obj in sorted(session.new, key=lambda obj: sa.inspect(obj).insert_order):
        table = _plain_table(obj)
        row = _insert_values(obj, table) if table is not None else None
        if row is None:
            return None
        group = next((g for g in writes.inserts if g.table is table and g.columns == tuple(row)), None)
        if group is None:
            group = _Inserts(table, tuple(row))
            writes.inserts.append(group)
        group.objects.append(obj)
        group.rows.append(row)
    for obj in session.dirty:
        if obj is case:
            continue
        if not session.is_modified(obj):
            writes.unchanged.append(obj)
            continue
        table = _plain_table(obj)
        changes = _changed_columns(obj) if table is not None else None
        if not changes:
            return None
        group = next((g for g in writes.updates if g.table is table and g.values == changes), None)
        if group is None:
            group = _Updates(table, changes)
            writes.updates.append(group)
        group.objects.append(obj)
    return writes


def _plain_table(obj) -> sa.Table | None:
    return _plain_table_of(sa.inspect(obj).mapper)


@cache
def _plain_table_of(mapper) -> sa.Table | None:
    """The mapper's one table, when a row of it is written plainly: a single integer key, no
    version counter, no flush events of its own (mappers are set up once, so asked once each)."""
    table = mapper.local_table
    if mapper.inherits is not None or mapper.persist_selectable is not table or mapper.version_id_col is not None:
        return None
    if any(getattr(mapper.dispatch, name) for name in _FLUSH_EVENTS):
        return None
    key = table.primary_key.columns
    if len(key) != 1 or "id" not in key or not isinstance(table.c.id.type, sa.Integer):
        return None
    if any(column.onupdate is not None or column.server_onupdate is not None for column in table.columns):
        return None  # the flush would set those on every UPDATE
    return table


def _changed_columns(obj) -> dict | None:
    """{column name: new value} of the object's changed attributes; None when a relationship or
    the version counter changed (the flush knows how to write those)."""
    state = sa.inspect(obj)
    changes = {}
    # Only attributes set since the object was loaded can have changed: they keep their old
    # value in `committed_state` (a JSON value changed in place is flagged there too).
    for key in list(state.committed_state):
        history = state.attrs[key].history
        if not history.has_changes():
            continue
        prop = state.mapper.attrs[key]
        if not isinstance(prop, sa.orm.ColumnProperty) or key == "lock_version" or prop.columns[0].key == "id":
            return None
        changes[prop.columns[0].key] = history.added[0] if history.added else None
    return changes


def _insert_values(obj, table: sa.Table) -> dict | None:
    """The object's column values as its flush would insert them: the ones set, and the Python
    defaults of the others (a server default or NULL for the rest, as the flush leaves them)."""
    state = sa.inspect(obj)
    for prop in state.mapper.relationships:
        if prop.key in state.dict and state.attrs[prop.key].history.has_changes():
            return None  # the flush would work out its keys
    row = {prop.columns[0].key: state.dict[prop.key]
           for prop in state.mapper.column_attrs if prop.key in state.dict}
    if row.get("id", 0) is None:
        del row["id"]
    for column in table.columns:
        if column.key in row or column.default is None:
            continue
        if not (column.default.is_scalar or column.default.is_callable):
            return None
        row[column.key] = column.default.arg if column.default.is_scalar else column.default.arg(None)
    return row


# -- PostgreSQL: one statement ------------------------------------------------------------------
def _insert(table: sa.Table, prefix: str, columns: tuple[str, ...], count: int):
    # INSERT … SELECT … UNION ALL SELECT …: SQLAlchemy never caches a multi-row VALUES (it
    # compiled the statement anew for every step, a few milliseconds); this it compiles once.
    rows = [sa.select(*[sa.bindparam(f"{prefix}{i}_{name}", type_=table.c[name].type) for name in columns])
            for i in range(count)]
    return sa.insert(table).from_select(columns, sa.union_all(*rows) if count > 1 else rows[0],
                                        include_defaults=False)


def _case_update(columns: tuple[str, ...]):
    return (sa.update(_CASES)
            .where(_CASES.c.id == sa.bindparam("step_case_id"), _CASES.c.lock_version == sa.bindparam("step_version"))
            .values({name: sa.bindparam(f"set_{name}", type_=_CASES.c[name].type) for name in columns}
                    | {"lock_version": _CASES.c.lock_version + 1}))


def _update(table: sa.Table, prefix: str, columns: tuple[str, ...], ids: sa.ColumnElement):
    return sa.update(table).where(ids).values(
        {name: sa.bindparam(f"{prefix}{name}", type_=table.c[name].type) for name in columns})


@lru_cache(maxsize=256)
def _one_statement(shape: tuple):
    """The case's UPDATE (a SELECT when the case row is unchanged) with every other write as a
    CTE, built once per shape of step.  It answers the new ids of each INSERT and the count of
    rows each other UPDATE found."""
    case_columns, inserts, updates = shape
    tables = db.Model.metadata.tables
    statement = _case_update(case_columns) if case_columns else sa.select(sa.literal_column("1").label("one"))
    answers = []
    for n, (name, columns, count) in enumerate(inserts):
        table = tables[name]
        written = _insert(table, f"i{n}_", columns, count).returning(table.c.id).cte(f"step_insert_{n}")
        answers.append(sa.select(sa.func.array_agg(written.c.id)).scalar_subquery())
    for n, (name, columns) in enumerate(updates):
        table = tables[name]
        ids = sa.bindparam(f"u{n}_ids", type_=postgresql.ARRAY(sa.Integer))
        written = _update(table, f"u{n}_", columns, table.c.id == sa.any_(ids)).returning(table.c.id)
        written = written.cte(f"step_update_{n}")
        answers.append(sa.select(sa.func.count()).select_from(written).scalar_subquery())
    if case_columns:
        return statement.returning(_CASES.c.id, *answers)
    return statement.add_columns(*answers)


def _params(writes: _Writes, case_id: int, version: int) -> dict:
    # No key may be a column name of a table the statement writes: SQLAlchemy would take it for a
    # value to set (a task's `case_id`, `case_state`).
    params = {"step_case_id": case_id, "step_version": version,
              **{f"set_{name}": value for name, value in writes.case_changes.items()}}
    for n, group in enumerate(writes.inserts):
        params.update({f"i{n}_{i}_{name}": value for i, row in enumerate(group.rows) for name, value in row.items()})
    for n, group in enumerate(writes.updates):
        params[f"u{n}_ids"] = [obj.id for obj in group.objects]
        params.update({f"u{n}_{name}": value for name, value in group.values.items()})
    return params


def _in_one_statement(connection, case_id: int, version: int, writes: _Writes) -> list[list[int]]:
    """PostgreSQL: one statement, one round trip; the new ids of each INSERT, in row order."""
    row = connection.execute(_one_statement(writes.shape()), _params(writes, case_id, version)).first()
    if row is None:
        raise _stale(case_id)
    answers = list(row[1:])
    inserted, found = answers[:len(writes.inserts)], answers[len(writes.inserts):]
    for group, count in zip(writes.updates, found, strict=True):
        if count != len(group.objects):
            raise _missing(group.table)
    # Ids come from the table's sequence in the order the SELECT yields the rows.
    return [sorted(ids) for ids in inserted]


# -- SQLite: a statement per row -----------------------------------------------------------------
def _one_by_one(connection, case_id: int, version: int, writes: _Writes) -> list[list[int]]:
    params = _params(writes, case_id, version)
    if writes.case_changes and connection.execute(_case_update(tuple(writes.case_changes)), params).rowcount != 1:
        raise _stale(case_id)
    inserted = []
    for group in writes.inserts:
        inserted.append([connection.execute(sa.insert(group.table).values(row)).inserted_primary_key[0]
                         for row in group.rows])
    for group in writes.updates:
        table = group.table
        statement = sa.update(table).where(table.c.id == sa.bindparam("row_id")).values(
            {name: sa.bindparam(f"new_{name}", type_=table.c[name].type) for name in group.values})
        values = {f"new_{name}": value for name, value in group.values.items()}
        for obj in group.objects:
            if connection.execute(statement, {"row_id": obj.id, **values}).rowcount != 1:
                raise _missing(table)
    return inserted


# -- afterwards: the session as a flush leaves it ------------------------------------------------
def _as_flushed(session: Session, case: Case, version: int, writes: _Writes, ids: list[list[int]]) -> None:
    for group, new_ids in zip(writes.inserts, ids, strict=True):
        for obj, new_id in zip(group.objects, new_ids, strict=True):
            session.expunge(obj)
            setattr(obj, _attribute(obj, "id"), new_id)
            make_transient_to_detached(obj)  # as if loaded: no history, the rest expired
            session.add(obj)
    if writes.case_changes:
        attributes.set_committed_value(case, "lock_version", version + 1)
    # Every change of these objects is written now: mark them clean, as the flush does after
    # writing (left flagged, every later flush walked them again for nothing).
    for obj in [case, *writes.unchanged, *(obj for group in writes.updates for obj in group.objects)]:
        state = sa.inspect(obj)
        state._commit_all(state.dict, session.identity_map)


# -- a submission whose id was taken ahead ---------------------------------------------------------
def _submissions_first(session: Session, flush_context, instances) -> None:
    """Before any flush: a form submission whose id was taken ahead (with its step's lock) is
    written first.  Rows of other tables refer to it by that id alone, and the flush orders its
    INSERTs by relationships only: it could write such a row before the submission."""
    ahead = [obj for obj in session.new if isinstance(obj, FormSubmission) and obj.id is not None]
    rows = [_insert_values(obj, _SUBMISSIONS) for obj in ahead]
    if not ahead or None in rows:
        return
    for listener in _row_listeners:
        listener(session)
    connection = session.connection()
    for obj, row in zip(ahead, rows, strict=True):
        connection.execute(sa.insert(_SUBMISSIONS), row)
        session.expunge(obj)
        make_transient_to_detached(obj)  # as if loaded: no history, the rest expired
        session.add(obj)


_SUBMISSIONS = FormSubmission.__table__


def install() -> None:
    """Listen on every session (idempotent: create_app may run many times in one process)."""
    if not event.contains(Session, "before_flush", _submissions_first):
        event.listen(Session, "before_flush", _submissions_first)


def _attribute(obj, column: str) -> str:
    mapper = sa.inspect(obj).mapper
    return mapper.get_property_by_column(mapper.local_table.c[column]).key


def _stale(case_id: int) -> StaleDataError:
    # The flush's version check (under the step's row lock it cannot fail on PostgreSQL; on
    # SQLite it is what makes a second, concurrent writer roll back).
    return StaleDataError(f"case {case_id} changed during the step")


def _missing(table: sa.Table) -> StaleDataError:
    return StaleDataError(f"a row of {table.name} to update was not there")
