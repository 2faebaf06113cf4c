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

An incremental batch stages only candidate rows (see changes.py), so the
compare step is scoped to them: `apply_changes` updates, inserts and deletes
only among the candidates' natural keys. Dimension loads log the entities
whose versions they changed, and from which date, in the change log
(`log_dimension_changes`), so that facts pointing at them are re-pointed.
"""
import time
from dataclasses import dataclass, field

from ..models import OPEN_END


@dataclass
class TableCounts:
    read: int = 0  # rows staged (transformed, looked up)
    inserted: int = 0
    updated: int = 0
    deleted: int = 0
    seconds: float = 0.0
    checked: int = 0  # source rows fingerprinted to find the changes (incremental batches)

    def as_dict(self):
        return {
            "read": self.read,
            "checked": self.checked,
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
    memo: dict = field(default_factory=dict)  # per-batch results computed once (changes.py)

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


def stage(ctx, name, select_sql, params=None, hash_groups=False):
    """Materialise `select_sql` as temp table `name`; returns its row count.
    `hash_groups`: the SELECT groups many rows into few (see Dialect.hash_aggregate)."""
    ctx.execute(f"DROP TABLE IF EXISTS {name}")
    create = f"CREATE TEMP TABLE {name} AS {select_sql}"
    if hash_groups:
        ctx.dialect.hash_aggregate(ctx, create, params)
    else:
        ctx.execute(create, params)
    if name not in ctx.temp_tables:
        ctx.temp_tables.append(name)
    ctx.dialect.analyze(ctx.cursor, [name])  # temp tables have no statistics: the planner needs them
    return ctx.scalar(f"SELECT COUNT(*) FROM {name}")


def column_names(ctx, name):
    """The columns of table `name` (a staged temp table, say), in order."""
    ctx.cursor.execute(f"SELECT * FROM {name} WHERE 1 = 0")
    return [col[0] for col in ctx.cursor.description]


def drop_temp_tables(ctx):
    for name in ctx.temp_tables:
        ctx.execute(f"DROP TABLE IF EXISTS {name}")
    ctx.temp_tables.clear()


def _match(keys, left="t", right="s"):
    return " AND ".join(f"{left}.{k} = {right}.{k}" for k in keys)


def _differs(ctx, columns, left="t", right="s"):
    return " OR ".join(ctx.dialect.distinct(f"{left}.{c}", f"{right}.{c}") for c in columns)


def _keys_in(keys, select_sql, alias="t"):
    """`alias`'s `keys` are among the rows of `select_sql` (a row value for
    several keys: PostgreSQL and SQLite 3.15+)."""
    columns = ", ".join(f"{alias}.{k}" for k in keys)
    return f"({columns}) IN ({select_sql})" if len(keys) > 1 else f"{columns} IN ({select_sql})"


def _missing_from(stage_name, keys, among):
    """The keys of table `among` (columns named `keys`) that `stage_name`
    lacks, as an anti-join: both databases then hash or index the stage once,
    where a correlated NOT EXISTS over an unindexed temp table costs SQLite a
    scan of the stage per row."""
    return (f"SELECT {', '.join(f'p.{k}' for k in keys)} FROM {among} p LEFT JOIN {stage_name} s "
            f"ON {_match(keys, 's', 'p')} WHERE s.{keys[0]} IS NULL")


def upsert_changed(ctx, target, stage_name, keys, columns, *, delete_missing=False, delete_among=None):
    """Bring `target` in line with `stage_name`: update rows whose `columns`
    differ, insert new natural keys, optionally delete keys no longer in the
    source: those of `delete_among` (a table with the `keys` columns, e.g.
    the keys the batch recomputed) when given, else any.
    Returns (inserted, updated, deleted)."""
    match, differs = _match(keys), _differs(ctx, columns)
    updated = deleted = 0
    if not ctx.full:
        assignments = ", ".join(f"{c} = s.{c}" for c in columns)
        updated = ctx.execute(
            f"UPDATE {target} AS t SET {assignments}, etl_batch_id = %s FROM {stage_name} AS s "
            f"WHERE {match} AND ({differs})",
            [ctx.batch_id],
        )
        if delete_missing:
            missing = _missing_from(stage_name, keys, delete_among or target)
            deleted = ctx.execute(f"DELETE FROM {target} AS t WHERE {_keys_in(keys, missing)}")
    all_columns = ", ".join([*keys, *columns])
    source_columns = ", ".join(f"s.{c}" for c in [*keys, *columns])
    inserted = ctx.execute(
        f"INSERT INTO {target} ({all_columns}, etl_batch_id) SELECT {source_columns}, %s FROM {stage_name} s "
        f"WHERE NOT EXISTS (SELECT 1 FROM {target} t WHERE {match})",
        [ctx.batch_id],
    )
    return inserted, updated, deleted


@dataclass(frozen=True)
class TouchLog:
    """A temp table collecting, for the aggregates, `columns` of every fact
    row a batch writes or removes (old and new values), e.g. the (date_key,
    facility_key) pairs whose daily aggregates must be recomputed."""

    table: str
    columns: tuple

    def start(self, ctx):
        ctx.execute(f"DROP TABLE IF EXISTS {self.table}")
        ctx.execute(f"CREATE TEMP TABLE {self.table} ({', '.join(f'{c} INTEGER' for c in self.columns)})")
        if self.table not in ctx.temp_tables:
            ctx.temp_tables.append(self.table)

    def record(self, ctx, select_from, params=None):
        """Log the `columns` of the rows of `select_from` (a FROM clause whose target alias is t)."""
        columns = ", ".join(self.columns)
        ctx.execute(f"INSERT INTO {self.table} ({columns}) SELECT {', '.join('t.' + c for c in self.columns)} "
                    f"FROM {select_from}", params)


def apply_changes(ctx, target, stage_name, candidates, key, columns, touched=()):
    """Bring the `candidates` (temp table of natural keys `nk`) of fact
    `target` in line with `stage_name`, which holds the candidates still in
    the source: update the rows whose `columns` differ, insert the new keys,
    delete candidates missing from the stage. Rows outside the candidates are
    not read. `touched` lists the TouchLogs that record every row written or
    removed, old and new values, for the aggregates.
    Returns (inserted, updated, deleted)."""
    match, differs = f"t.{key} = s.{key}", _differs(ctx, columns)
    gone = (f"t.{key} IN (SELECT c.nk FROM {candidates} c LEFT JOIN {stage_name} s ON s.{key} = c.nk "
            f"WHERE s.{key} IS NULL)")
    for log in touched:
        log.record(ctx, f"{target} t JOIN {stage_name} s ON {match} WHERE {differs}")
        log.record(ctx, f"{target} t WHERE {gone}")
    assignments = ", ".join(f"{c} = s.{c}" for c in columns)
    updated = ctx.execute(
        f"UPDATE {target} AS t SET {assignments}, etl_batch_id = %s FROM {stage_name} AS s "
        f"WHERE {match} AND ({differs})",
        [ctx.batch_id],
    )
    deleted = ctx.execute(f"DELETE FROM {target} AS t WHERE {gone}")
    all_columns = ", ".join([key, *columns])
    inserted = ctx.execute(
        f"INSERT INTO {target} ({all_columns}, etl_batch_id) SELECT {', '.join('s.' + c for c in [key, *columns])}, %s "
        f"FROM {stage_name} s WHERE NOT EXISTS (SELECT 1 FROM {target} t WHERE {match})",
        [ctx.batch_id],
    )
    if inserted or updated:
        for log in touched:
            log.record(ctx, f"{target} t WHERE t.etl_batch_id = %s", [ctx.batch_id])
    return inserted, updated, deleted


# ------------------------------------------------------------- change log
CHANGE_LOG = "stg_dimension_changes"
ALL_DATES = "0001-01-01"  # from_date of a change that concerns every fact of the entity


def start_change_log(ctx):
    """(dimension, natural_id, from_date): the entities whose dimension rows
    an incremental batch changed, so that facts looked up on or after
    from_date are staged again even if their ODS row did not change."""
    ctx.execute(f"DROP TABLE IF EXISTS {CHANGE_LOG}")
    ctx.execute(f"CREATE TEMP TABLE {CHANGE_LOG} (dimension VARCHAR(20), natural_id VARCHAR(40), from_date DATE)")
    if CHANGE_LOG not in ctx.temp_tables:
        ctx.temp_tables.append(CHANGE_LOG)


def log_dimension_changes(ctx, dimension, select_sql, params=None):
    """Log the (natural_id, from_date) rows of `select_sql` as changes of `dimension`.
    A full build logs nothing: every fact is rebuilt anyway."""
    if ctx.full:
        return 0
    return ctx.execute(
        f"INSERT INTO {CHANGE_LOG} (dimension, natural_id, from_date) SELECT '{dimension}', c.* FROM ({select_sql}) c",
        params,
    )


def log_new_keys(ctx, dimension, dim, stage_name, natural_key):
    """Natural keys the dimension does not hold yet: facts that found no row
    for them (unknown key) must be looked up again."""
    log_dimension_changes(
        ctx, dimension,
        f"SELECT s.{natural_key}, {ctx.dialect.date_literal(ALL_DATES)} FROM {stage_name} s "
        f"WHERE NOT EXISTS (SELECT 1 FROM {dim} t WHERE t.{natural_key} = s.{natural_key})",
    )


def load_scd2(ctx, dim, stage_name, natural_key, tracked, type1, change_date, first_effective, dimension,
              read_by_facts=None):
    """Slowly changing dimension type 2 from a staged current state.

    - `type1` columns are overwritten on every version (corrections);
    - when a `tracked` column differs from the current version, that version
      is closed on `change_date` (an SQL expression over s = stage and t =
      current version) and a new current version opens on the same date; a
      change dated on or before the current version's start corrects that
      version in place instead (two changes on one day make one version);
    - natural keys never seen open their first version on `first_effective`.

    Every change facts can see is logged with the first date it affects:
    under `dimension` (facts looking up the key) a new key for all dates and
    a version closed on `change_date` (facts from then on get the new key);
    under its own name a column some facts read from the version
    (`read_by_facts`: {column: name}, e.g. the hourly rate a shift is costed
    at): corrected in place in the current version from that version's
    start, or, for a type 1 column, in all versions for all dates.
    Returns (inserted, updated)."""
    d = ctx.dialect
    match = f"t.{natural_key} = s.{natural_key}"
    tracked_differ = _differs(ctx, tracked)
    updated = 0
    read_by_facts = read_by_facts or {}
    if type1 and not ctx.full:
        for column in set(type1) & set(read_by_facts):
            log_dimension_changes(
                ctx, read_by_facts[column],
                f"SELECT DISTINCT s.{natural_key}, {d.date_literal(ALL_DATES)} FROM {dim} t JOIN {stage_name} s "
                f"ON {match} WHERE {d.distinct(f't.{column}', f's.{column}')}",
            )
        assignments = ", ".join(f"{c} = s.{c}" for c in type1)
        updated += ctx.execute(
            f"UPDATE {dim} AS t SET {assignments} FROM {stage_name} AS s WHERE {match} AND ({_differs(ctx, type1)})"
        )
    if not ctx.full:
        corrected = f"{match} AND t.is_current AND ({tracked_differ}) AND ({change_date}) <= t.effective_date"
        closed = f"{match} AND t.is_current AND ({tracked_differ}) AND ({change_date}) > t.effective_date"
        for column in set(tracked) & set(read_by_facts):
            log_dimension_changes(
                ctx, read_by_facts[column],
                f"SELECT s.{natural_key}, t.effective_date FROM {dim} t JOIN {stage_name} s "
                f"ON {corrected} AND {d.distinct(f't.{column}', f's.{column}')}",
            )
        log_dimension_changes(
            ctx, dimension, f"SELECT s.{natural_key}, {change_date} FROM {dim} t JOIN {stage_name} s ON {closed}"
        )
        assignments = ", ".join(f"{c} = s.{c}" for c in tracked)
        updated += ctx.execute(
            f"UPDATE {dim} AS t SET {assignments}, etl_batch_id = %s FROM {stage_name} AS s WHERE {corrected}",
            [ctx.batch_id],
        )
        updated += ctx.execute(
            f"UPDATE {dim} AS t SET expiration_date = ({change_date}), is_current = FALSE, etl_batch_id = %s "
            f"FROM {stage_name} AS s WHERE {closed}",
            [ctx.batch_id],
        )
        log_new_keys(ctx, dimension, dim, stage_name, natural_key)
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
