"""Generic set-based load statements: staging, upsert of changed rows, SCD 2.

Every loader follows the same three moves, each one SQL statement over whole
tables (no per-row Python):

1. stage: `CREATE TEMP TABLE stg_x AS SELECT ...` the source rows, already
   transformed and with their dimension keys looked up;
2. compare: `UPDATE target ... FROM stg_x` only where a column differs
   (NULL-safe), then `INSERT ... SELECT` the natural keys not loaded yet;
3. count what each statement touched, for the etl_batch audit.

Rows that did not change are never written, which is what makes a second run
over an unchanged ODS insert and update nothing.
"""
import time
from dataclasses import dataclass, field

from ..models import OPEN_END


@dataclass
class TableCounts:
    read: int = 0
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    seconds: float = 0.0

    def as_dict(self):
        return {
            "read": self.read,
            "inserted": self.inserted,
            "updated": self.updated,
            "deleted": self.deleted,
            "seconds": round(self.seconds, 3),
        }


@dataclass
class LoadContext:
    """What every load step needs: one cursor inside the batch's transaction."""

    cursor: object
    dialect: object
    batch_id: int
    as_of: object  # datetime.date
    full: bool
    counts: dict = field(default_factory=dict)
    temp_tables: list = field(default_factory=list)

    def execute(self, sql, params=None):
        self.cursor.execute(sql, params if params is not None else [])
        return self.cursor.rowcount

    def scalar(self, sql, params=None):
        self.cursor.execute(sql, params if params is not None else [])
        row = self.cursor.fetchone()
        return row[0] if row else None

    def counts_for(self, table):
        return self.counts.setdefault(table, TableCounts())


class timed:
    """`with timed(ctx, table):` adds the elapsed seconds to the table's counts."""

    def __init__(self, ctx, table):
        self.counts = ctx.counts_for(table)

    def __enter__(self):
        self.started = time.perf_counter()
        return self.counts

    def __exit__(self, *exc):
        self.counts.seconds += time.perf_counter() - self.started
        return False


def stage(ctx, name, select_sql, params=None):
    """Materialise `select_sql` as temp table `name`; returns its row count."""
    ctx.execute(f"DROP TABLE IF EXISTS {name}")
    ctx.execute(f"CREATE TEMP TABLE {name} AS {select_sql}", params)
    if name not in ctx.temp_tables:
        ctx.temp_tables.append(name)
    if ctx.dialect.is_postgres:
        ctx.execute(f"ANALYZE {name}")  # temp tables have no statistics: the planner needs them
    return ctx.scalar(f"SELECT COUNT(*) FROM {name}")


def drop_temp_tables(ctx):
    for name in ctx.temp_tables:
        ctx.execute(f"DROP TABLE IF EXISTS {name}")
    ctx.temp_tables.clear()


def _match(keys, left="t", right="s"):
    return " AND ".join(f"{left}.{k} = {right}.{k}" for k in keys)


def _differs(ctx, columns, left="t", right="s"):
    return " OR ".join(ctx.dialect.distinct(f"{left}.{c}", f"{right}.{c}") for c in columns)


def upsert_changed(ctx, target, stage_name, keys, columns, *, delete_missing=False, touched_dates=None,
                   delete_scope=None):
    """Bring `target` in line with `stage_name`: update rows whose `columns`
    differ, insert new natural keys, optionally delete keys no longer in the
    source. `touched_dates` names a temp table collecting the date_key of every
    row written or removed (old and new dates), for the daily aggregate.
    `delete_scope` restricts deletions (an SQL condition on target alias t).
    Returns (inserted, updated, deleted)."""
    match, differs = _match(keys), _differs(ctx, columns)
    updated = deleted = 0
    if not ctx.full:
        if touched_dates:
            ctx.execute(
                f"INSERT INTO {touched_dates} (date_key) SELECT t.date_key FROM {target} t "
                f"JOIN {stage_name} s ON {match} WHERE {differs}"
            )
        assignments = ", ".join(f"{c} = s.{c}" for c in columns)
        updated = ctx.execute(
            f"UPDATE {target} AS t SET {assignments}, etl_batch_id = %s FROM {stage_name} AS s "
            f"WHERE {match} AND ({differs})",
            [ctx.batch_id],
        )
        if delete_missing:
            missing = f"NOT EXISTS (SELECT 1 FROM {stage_name} s WHERE {match})"
            if delete_scope:
                missing += f" AND {delete_scope}"
            if touched_dates:
                ctx.execute(f"INSERT INTO {touched_dates} (date_key) SELECT t.date_key FROM {target} t WHERE {missing}")
            deleted = ctx.execute(f"DELETE FROM {target} AS t WHERE {missing}")
    all_columns = ", ".join([*keys, *columns])
    source_columns = ", ".join(f"s.{c}" for c in [*keys, *columns])
    inserted = ctx.execute(
        f"INSERT INTO {target} ({all_columns}, etl_batch_id) SELECT {source_columns}, %s FROM {stage_name} s "
        f"WHERE NOT EXISTS (SELECT 1 FROM {target} t WHERE {match})",
        [ctx.batch_id],
    )
    if touched_dates:
        ctx.execute(
            f"INSERT INTO {touched_dates} (date_key) SELECT DISTINCT date_key FROM {target} WHERE etl_batch_id = %s",
            [ctx.batch_id],
        )
    return inserted, updated, deleted


def load_scd2(ctx, dim, stage_name, natural_key, tracked, type1, change_date, first_effective):
    """Slowly changing dimension type 2 from a staged current state.

    - `type1` columns are overwritten on every version (corrections);
    - when a `tracked` column differs from the current version, that version
      is closed on `change_date` (an SQL expression over s = stage and t =
      current version) and a new current version opens on the same date; a
      change dated on or before the current version's start corrects that
      version in place instead (two changes on one day make one version);
    - natural keys never seen open their first version on `first_effective`.
    Returns (inserted, updated)."""
    d = ctx.dialect
    match = f"t.{natural_key} = s.{natural_key}"
    tracked_differ = _differs(ctx, tracked)
    updated = 0
    if type1 and not ctx.full:
        assignments = ", ".join(f"{c} = s.{c}" for c in type1)
        updated += ctx.execute(
            f"UPDATE {dim} AS t SET {assignments} FROM {stage_name} AS s WHERE {match} AND ({_differs(ctx, type1)})"
        )
    if not ctx.full:
        assignments = ", ".join(f"{c} = s.{c}" for c in tracked)
        updated += ctx.execute(
            f"UPDATE {dim} AS t SET {assignments}, etl_batch_id = %s FROM {stage_name} AS s "
            f"WHERE {match} AND t.is_current AND ({tracked_differ}) AND ({change_date}) <= t.effective_date",
            [ctx.batch_id],
        )
        updated += ctx.execute(
            f"UPDATE {dim} AS t SET expiration_date = ({change_date}), is_current = FALSE, etl_batch_id = %s "
            f"FROM {stage_name} AS s "
            f"WHERE {match} AND t.is_current AND ({tracked_differ}) AND ({change_date}) > t.effective_date",
            [ctx.batch_id],
        )
    columns = [natural_key, *type1, *tracked]
    inserted = ctx.execute(
        f"INSERT INTO {dim} ({', '.join(columns)}, effective_date, expiration_date, is_current, etl_batch_id) "
        f"SELECT {', '.join('s.' + c for c in columns)}, "
        f"COALESCE((SELECT MAX(t.expiration_date) FROM {dim} t WHERE {match}), {first_effective}), "
        f"{d.date_literal(OPEN_END)}, TRUE, %s FROM {stage_name} s "
        f"WHERE NOT EXISTS (SELECT 1 FROM {dim} t WHERE {match} AND t.is_current)",
        [ctx.batch_id],
    )
    return inserted, updated
