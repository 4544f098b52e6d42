"""Bulk writes and reads of the store: one INSERT (… ON CONFLICT) per table and batch, rows as plain tuples.

Why tuples: a night writes about eleven rows per conversation (messages, conversation, result).
SQLAlchemy's executemany builds a parameter dict per row and runs every value through it; on
SQLite that bookkeeping cost more than the database's own work (profile of the 3,000-conversation
bench). So on SQLite the statement is compiled once per table and column list, and the rows go to
the driver as tuples, each value through its column type's own bind processor (the same
processors SQLAlchemy would run: JSON encoding, UTC timestamps), so what is stored is the same,
byte for byte. PostgreSQL and other databases keep SQLAlchemy's executemany (on PostgreSQL its
paged batching is what avoids a round trip per row), given the same rows as dicts.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timezone
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from pipeline.store.rows import chunks
from pipeline.store.schema import UTCDateTime, tz

# (table, columns, conflict keys, update columns) -> the SQL text and, in its parameter order, each
# parameter's position in a row and its bind processor (None: the value goes as it is)
_Statement = tuple[str, list[int], list[Callable[[Any], Any] | None]]


def _conflict(ins: Any, keys: Sequence[str], update: Sequence[str] | None) -> Any:
    if update is None:
        return ins.on_conflict_do_nothing(index_elements=list(keys))
    return ins.on_conflict_do_update(index_elements=list(keys), set_={c: getattr(ins.excluded, c) for c in update})


def _sqlite_statement(
    conn: Connection, table: sa.Table, columns: Sequence[str], keys: Sequence[str], update: Sequence[str] | None,
    statements: dict[tuple, _Statement],
) -> _Statement:
    dialect = conn.dialect
    cache_key = (table.name, tuple(columns), tuple(keys), None if update is None else tuple(update))
    hit = statements.get(cache_key)
    if hit is not None:
        return hit
    from sqlalchemy.dialects.sqlite import insert

    compiled = _conflict(insert(table), keys, update).compile(dialect=dialect, column_keys=list(columns))
    order = list(compiled.positiontup or [])
    if sorted(order) != sorted(columns):  # the statement binds exactly the given columns, once each
        raise RuntimeError(f"bulk insert into {table.name}: compiled binds {order}, expected {list(columns)}")
    position = {name: i for i, name in enumerate(columns)}
    processors = [_bind_processor(table.c[name].type, dialect) for name in order]
    hit = (str(compiled), [position[name] for name in order], processors)
    statements[cache_key] = hit
    return hit


def _bind_processor(column_type: Any, dialect: Any) -> Callable[[Any], Any] | None:
    """The column type's bind processor; for a UTC timestamp on SQLite, the same text in one step.

    SQLAlchemy's own for UTCDateTime is three calls (the TypeDecorator's wrapper, process_bind_param,
    then SQLite's DATETIME formatting) for each of the night's ~130,000 timestamps. An aware datetime
    (what ingest and the scoring stages hand the store) goes the short way: in UTC, without its zone,
    as SQLite's DATETIME writes it ('%04d-%02d-%02d %02d:%02d:%02d.%06d', what isoformat(" ",
    "microseconds") writes for years 1-9999, before its "+00:00": cut off rather than dropping the zone
    with replace(tzinfo=None), which cost more than the rest). Anything else (None, a naive time, text)
    goes through SQLAlchemy's; tests/pipeline/store/test_bulk.py compares the two.
    """
    generic = column_type.dialect_impl(dialect).bind_processor(dialect)
    if generic is None or dialect.name != "sqlite" or not isinstance(column_type, UTCDateTime):
        return generic
    storage = getattr(sa.DateTime().dialect_impl(dialect), "_storage_format", None)
    if storage != "%(year)04d-%(month)02d-%(day)02d %(hour)02d:%(minute)02d:%(second)02d.%(microsecond)06d":
        return generic  # another SQLAlchemy's format: its own processor, whatever it writes
    utc = timezone.utc

    def utc_text(value: Any) -> Any:
        if type(value) is datetime and value.tzinfo is not None:
            return value.astimezone(utc).isoformat(" ", "microseconds")[:26]
        return generic(value)

    utc_text.distinct = True  # type: ignore[attr-defined]  # a batch's timestamps repeat: each distinct one once
    return utc_text


def _distinct_map(proc: Callable[[Any], Any], column: list) -> list:
    """list(map(proc, column)), proc run once per distinct value (the bench's 60,165 messages have 3,339 times).

    Equal datetimes give the same UTC text, except an aware pair in one zone that differs only in `fold`
    (they compare equal, yet are an hour apart): a column holding a fold=1 time is mapped value by value.
    """
    try:
        distinct = set(column)
    except TypeError:  # an unhashable value: whatever it is, its processor decides
        return list(map(proc, column))
    if len(distinct) * 2 > len(column) or any(getattr(v, "fold", 0) for v in column):  # a set keeps one of twins
        return list(map(proc, column))
    memo = {v: proc(v) for v in distinct}
    return list(map(memo.__getitem__, column))


def upsert(
    conn: Connection,
    table: sa.Table,
    columns: Sequence[str],
    rows: Sequence[tuple],
    keys: Sequence[str],
    update: Sequence[str] | None,
    statements: dict[tuple, _Statement] | None = None,
) -> int | None:
    """Insert `rows` (tuples in `columns` order); on a `keys` conflict update `update` columns, or do nothing (None).

    `statements`: where compiled SQLite statements are kept, one dict per engine (a Store's own: the
    processors belong to its dialect, and go with it); None compiles the statement for this call.
    Returns, on SQLite, the rows the driver counts as changed (with do-nothing: the rows inserted); None elsewhere.
    """
    if not rows:
        return 0 if conn.dialect.name == "sqlite" else None
    dialect = conn.dialect.name
    if dialect == "sqlite":
        cache = {} if statements is None else statements
        sql, order, processors = _sqlite_statement(conn, table, columns, keys, update, cache)
        # Column by column (a few processed columns, many rows), then back to one tuple per row.
        values = [[row[i] for row in rows] for i in order]
        for j, proc in enumerate(processors):
            if proc is not None:
                values[j] = _distinct_map(proc, values[j]) if getattr(proc, "distinct", False) else list(map(proc, values[j]))
        return conn.exec_driver_sql(sql, list(zip(*values))).rowcount
    dicts = [dict(zip(columns, row)) for row in rows]
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert

        stmt = _conflict(insert(table), keys, update)
        for chunk in chunks(dicts):
            conn.execute(stmt, list(chunk))
        return None
    # Portable fallback (other databases): delete-then-insert for updates, filter for do-nothing.
    for chunk in chunks(dicts):
        cond = sa.or_(*[sa.and_(*[table.c[k] == r[k] for k in keys]) for r in chunk])
        if update is None:
            existing = {tuple(r) for r in conn.execute(sa.select(*[table.c[k] for k in keys]).where(cond))}
            chunk = [r for r in chunk if tuple(r[k] for k in keys) not in existing]
        else:
            conn.execute(table.delete().where(cond))
        if chunk:
            conn.execute(table.insert(), list(chunk))
    return None


def present(conn: Connection, column: sa.Column, values: Iterable[Any]) -> set[Any]:
    """Those of `values` that `column` (a text key: message_key) already holds.

    On SQLite a plain `SELECT … IN (?, …)` to the driver: SQLAlchemy compiling an IN list of 500
    bound values per chunk cost more than the lookups (the night asks for every message's key).
    """
    values = list(values)
    found: set[Any] = set()
    if conn.dialect.name != "sqlite":
        for chunk in chunks(values):
            found.update(conn.execute(sa.select(column).where(column.in_(chunk))).scalars())
        return found
    quote = conn.dialect.identifier_preparer.quote
    sql = f"SELECT {quote(column.name)} FROM {quote(column.table.name)} WHERE {quote(column.name)} IN ({{}})"
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]  # plain tuples, as in select_in
    try:
        for chunk in chunks(values):
            found.update(r[0] for r in cursor.execute(sql.format(", ".join("?" * len(chunk))), tuple(chunk)))
    finally:
        cursor.close()
    return found


# (dialect name, table, columns, key column, order) -> the SELECT's text without its IN list, and each column's
# result processor (None: the value comes as it is)
_SELECTS: dict[tuple, tuple[str, list[Callable[[Any], Any] | None]]] = {}


def _utc_reader(generic: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """UTCDateTime's result processor on SQLite in one step for the text bulk writes ('%Y-%m-%d
    %H:%M:%S.%f', 26 characters): the same aware datetime in the settings' time zone, without the
    TypeDecorator's wrapper and a settings lookup per value (a batch reads ~20,000 timestamps). The
    text is read as UTC by its "+00:00": replace(tzinfo=utc) took twice as long as the parse."""
    zone, parse = tz(), datetime.fromisoformat

    def read(value: Any) -> Any:
        if type(value) is str and len(value) == 26 and value[10] == " ":
            return parse(value + "+00:00").astimezone(zone)
        return generic(value)

    return read


def select_in(
    conn: Connection, table: sa.Table, columns: Sequence[str], key: str, values: Sequence[Any], order_by: Sequence[str]
) -> list[tuple]:
    """The rows (tuples in `columns` order) whose `key` is one of `values`, in `order_by` order.

    On SQLite the statement goes to the driver as text and each column's values through its type's own
    result processor (as SQLAlchemy would run them: UTC timestamps back to aware ones), column by column:
    a batch's 5,000 messages through SQLAlchemy's Result cost twice the database's own work. Elsewhere
    SQLAlchemy's select, the same rows. `values` go in pieces of `chunks` (the driver's parameter limit).
    """
    dialect = conn.dialect
    out: list[tuple] = []
    if dialect.name != "sqlite":
        for chunk in chunks(list(values)):
            stmt = sa.select(*[table.c[c] for c in columns]).where(table.c[key].in_(chunk))
            out.extend(tuple(r) for r in conn.execute(stmt.order_by(*[table.c[c] for c in order_by])))
        return out
    cache_key = (dialect.name, table.name, tuple(columns), key, tuple(order_by))
    hit = _SELECTS.get(cache_key)
    if hit is None:
        quote = dialect.identifier_preparer.quote
        sql = (f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(table.name)} WHERE {quote(key)} IN ({{}}) "
               f"ORDER BY {', '.join(quote(c) for c in order_by)}")  # fmt: skip
        processors = [table.c[c].type.dialect_impl(dialect).result_processor(dialect, None) for c in columns]
        hit = _SELECTS[cache_key] = (sql, processors, [isinstance(table.c[c].type, UTCDateTime) for c in columns])
    sql, processors, utc_columns = hit
    if any(utc_columns):  # the time zone is the settings' now (as UTCDateTime reads it), so not kept with the text
        processors = [_utc_reader(p) if utc and p is not None else p for p, utc in zip(processors, utc_columns)]
    # The driver's own cursor: its rows are plain tuples (SQLAlchemy's Result made a Row of each, ~1/3 of the read)
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        for chunk in chunks(list(values)):
            rows = cursor.execute(sql.format(", ".join("?" * len(chunk))), tuple(chunk)).fetchall()
            if not rows:
                continue
            if any(p is not None for p in processors):
                cols = list(zip(*rows))
                rows = list(zip(*[col if p is None else _distinct_map(p, col) if utc else list(map(p, col))
                                  for col, p, utc in zip(cols, processors, utc_columns)]))
            out.extend(rows)
    finally:
        cursor.close()
    return out
