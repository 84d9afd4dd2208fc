"""What `runlocal backup` writes and `runlocal restore` reads: every app table, as Django's
dumpdata JSON (a list of {"model", "pk", "fields"}), gzip-compressed when the file name ends
in .gz, so `manage.py loaddata` reads it too.

Left out: sessions, content types and permissions (recreated by `migrate`, and referenced by
natural key, so a backup moves between SQLite and PostgreSQL).
"""

from __future__ import annotations

import datetime as dt
import gzip
import io
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from django.apps import apps
from django.core import serializers
from django.core.management.color import no_style
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction

EXCLUDED = {"contenttypes.contenttype", "auth.permission", "sessions.session"}


def covered_models() -> list[type[models.Model]]:
    """The models a backup holds, parents before the rows that point at them."""
    existing = set(connection.introspection.table_names())  # migrated tables only
    app_list = {}
    for config in apps.get_app_configs():
        chosen = [
            m
            for m in config.get_models()
            if m._meta.label_lower not in EXCLUDED
            and not m._meta.proxy
            and m._meta.managed
            and m._meta.db_table in existing
        ]
        if chosen:
            app_list[config] = chosen
    return serializers.sort_dependencies(app_list.items(), allow_cycles=True)


def covered_tables(model_list: list[type[models.Model]]) -> list[str]:
    tables = []
    for m in model_list:
        tables.append(m._meta.db_table)
        for f in m._meta.local_many_to_many:
            through = f.remote_field.through
            if through._meta.auto_created:
                tables.append(through._meta.db_table)
    return list(dict.fromkeys(tables))


class _Encoder(DjangoJSONEncoder):
    """Django's encoder, but times keep their microseconds (it cuts them to milliseconds)."""

    def default(self, o: object) -> object:
        if isinstance(o, dt.datetime | dt.time):
            text = o.isoformat()
            return text[:-6] + "Z" if text.endswith("+00:00") else text
        return super().default(o)


def _open(path: Path, mode: str) -> IO[str]:
    if path.suffix == ".gz":
        return io.TextIOWrapper(gzip.open(path, mode + "b"), encoding="utf-8")
    return open(path, mode, encoding="utf-8")


def _objects(model_list: list[type[models.Model]]) -> Iterator[models.Model]:
    for m in model_list:
        yield from m._default_manager.order_by(m._meta.pk.name).iterator(chunk_size=2000)


def write_backup(path: Path) -> dict[str, int]:
    """Write the backup atomically (a temporary file renamed into place); rows per model."""
    model_list = covered_models()
    counts = {}
    tmp = path.with_name(path.name + ".partial" + (".gz" if path.suffix == ".gz" else ""))
    # One snapshot: on PostgreSQL a repeatable-read view would be better still; a
    # transaction keeps SQLite consistent and PostgreSQL close to it for a small site.
    with transaction.atomic():
        for m in model_list:
            counts[m._meta.label_lower] = m._default_manager.count()
        with _open(tmp, "w") as f:
            serializers.serialize(
                "json",
                _objects(model_list),
                stream=f,
                indent=None,
                use_natural_foreign_keys=True,
                use_natural_primary_keys=False,
                cls=_Encoder,
            )
    tmp.replace(path)
    return counts


class BadBackup(Exception):
    """The file cannot be restored; the message is one line."""


def read_backup(path: Path) -> list[serializers.base.DeserializedObject]:
    try:
        with _open(path, "r") as f:
            text = f.read()
    except FileNotFoundError:
        raise BadBackup(f"{path}: no such file") from None
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise BadBackup(f"{path}: cannot read it ({_reason(exc)})") from None
    if not text.lstrip().startswith("["):
        raise BadBackup(f"{path}: not a runlocal backup (expected a JSON list)")
    try:
        return list(
            serializers.deserialize(
                "json", text, ignorenonexistent=False, handle_forward_references=True
            )
        )
    except serializers.base.DeserializationError as exc:
        raise BadBackup(f"{path}: not a valid backup ({_reason(exc)})") from None


def restore_backup(path: Path) -> dict[str, int]:
    """Replace the covered tables' contents with the file's, all or nothing."""
    objects = read_backup(path)
    model_list = covered_models()
    allowed = set(model_list)
    counts: dict[str, int] = {m._meta.label_lower: 0 for m in model_list}
    for obj in objects:
        if type(obj.object) not in allowed:
            raise BadBackup(f"{path}: holds {obj.object._meta.label_lower}, which is not restored")
    try:
        with transaction.atomic():
            # DELETE rather than TRUNCATE: PostgreSQL refuses TRUNCATE with pending deferred
            # checks in the transaction; foreign keys are checked once, at the end.
            with connection.cursor() as cursor:
                for table in reversed(covered_tables(model_list)):
                    cursor.execute(f"DELETE FROM {connection.ops.quote_name(table)}")
            deferred = []
            for obj in objects:
                obj.save()
                counts[obj.object._meta.label_lower] += 1
                if obj.deferred_fields:
                    deferred.append(obj)
            for obj in deferred:
                obj.save_deferred_fields()
            reset = connection.ops.sequence_reset_sql(no_style(), model_list)
            with connection.cursor() as cursor:
                for sql in reset:
                    cursor.execute(sql)
            connection.check_constraints(table_names=covered_tables(model_list))
    except BadBackup:
        raise
    except Exception as exc:  # integrity errors, wrong field types: the database is unchanged
        raise BadBackup(f"{path}: not restored, database unchanged ({_reason(exc)})") from None
    return counts


def _reason(exc: BaseException) -> str:
    text = str(exc).strip()
    first = text.splitlines()[0] if text else exc.__class__.__name__
    return first[:300]
