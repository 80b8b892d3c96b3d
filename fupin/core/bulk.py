"""Writing many rows fast, below the ORM, for imports: ids taken from the table's sequence in one query, so
that rows can name each other before they are written (a household its head), then the rows written with
PostgreSQL's COPY, or on SQLite with executemany inside the caller's transaction.

Django's `bulk_create` spends as long building the INSERT in Python (each value through
`get_db_prep_save`) as the database spends inserting. Here a row is a plain tuple in the model's column
order, built from the caller's dict over the fields' defaults, computed once per call. Signals do not fire
(as with `bulk_create`); `auto_now`/`auto_now_add` fields get the moment of the call. Call it inside
`transaction.atomic()`: the write is all or nothing with the rest of the caller's work."""

import itertools
import json
from collections.abc import Iterable

from django.db import connection, models
from django.utils import timezone


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def reserve_ids(model, count: int) -> list[int]:
    """`count` new primary keys for `model`, taken from its sequence (PostgreSQL) or above its highest id
    (SQLite, whose write lock the caller's IMMEDIATE transaction already holds)."""
    if count == 0:
        return []
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if is_postgresql():
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, model._meta.pk.column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f'SELECT coalesce(max("{model._meta.pk.column}"), 0) FROM "{table}"')  # noqa: S608
        highest = cursor.fetchone()[0]
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        found = cursor.fetchone()
        highest = max(highest, found[0] if found else 0)
        return list(range(highest + 1, highest + 1 + count))


def _defaults(model) -> list[tuple[str, str, object]]:
    """(attname, column, default) per concrete field; a callable default is called once, JSON dumped."""
    moment = timezone.now()
    fields = []
    for field in model._meta.concrete_fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            default = moment
        elif field.has_default():
            default = field.get_default()
        elif field.null:
            default = None
        else:
            default = field.get_default()  # "" for text without a default
        if isinstance(field, models.JSONField):
            default = json.dumps(default, ensure_ascii=False)
        fields.append((field.attname, field.column, default))
    return fields


def insert(model, rows: Iterable[dict]) -> int:
    """Write `rows` (attname → value; the primary key from `reserve_ids`, or left to the database when the
    first row has none) to `model`'s table.
    JSON fields take their value already dumped, or a list/dict (dumped here)."""
    rows = iter(rows)
    first = next(rows, None)
    if first is None:
        return 0
    rows = itertools.chain([first], rows)
    fields = _defaults(model)
    if model._meta.pk.attname not in first:  # the database numbers the rows
        fields = [f for f in fields if f[0] != model._meta.pk.attname]
    json_fields = {f.attname for f in model._meta.concrete_fields if isinstance(f, models.JSONField)}
    # SQLite stores datetimes as naive UTC text, as the ORM writes them; PostgreSQL takes them as they are.
    moments = set()
    if not is_postgresql():
        moments = {f.attname for f in model._meta.concrete_fields if isinstance(f, models.DateTimeField)}
    adapt_moment = connection.ops.adapt_datetimefield_value
    table = model._meta.db_table
    columns = ", ".join(f'"{column}"' for _attname, column, _default in fields)

    def values(row: dict) -> tuple:
        out = []
        for attname, _column, default in fields:
            value = row.get(attname, default)
            if attname in json_fields and not isinstance(value, str):
                value = json.dumps(value, ensure_ascii=False)
            elif attname in moments and value is not None:
                value = adapt_moment(value)
            out.append(value)
        return tuple(out)

    written = 0
    with connection.cursor() as cursor:
        if is_postgresql():
            with cursor.cursor.copy(f'COPY "{table}" ({columns}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(values(row))
                    written += 1
            return written
        marks = ", ".join(["%s"] * len(fields))
        batch = []
        for row in rows:
            batch.append(values(row))
            if len(batch) == 10000:
                cursor.executemany(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', batch)  # noqa: S608
                written += len(batch)
                batch = []
        if batch:
            cursor.executemany(f'INSERT INTO "{table}" ({columns}) VALUES ({marks})', batch)  # noqa: S608
            written += len(batch)
    return written
