"""What an incremental batch must stage again: candidate natural keys per fact.

A fact row is a function of its *source row* (the ODS values its SELECT
reads: the driving table's row plus what it joins or aggregates from other ODS
tables, see FactSpec.source) and of the dimension rows it looks up. So it can
only change when

1. its source row is new, changed or gone (any edit, raw SQL included), or
2. a dimension row it looks up changed in this batch (a new SCD 2 version
   dated in the past re-points facts whose own ODS row did not change).

For 1, every fact row keeps `source_fingerprint`, a 64-bit hash of its source
row (natural key included) and of the fact's SQL (so that a new version of
the loader, or another TIME_ZONE, restages every row once), and
`etl_source_digest` keeps, per bucket of
natural keys (the key minus its last three characters: a thousand neighbours
for sequential ids), the row count, the XOR of the fingerprints and the first
and last key. One pass over the source, without dimension lookups or
time-zone conversions, recomputes the digests; only the buckets whose digest
differs ("dirty") are compared row by row, through index range scans on the
natural key on both sides. An unchanged ODS costs that one pass and nothing
else; appended rows fall into new buckets.

For 2, dimension loads log (dimension, natural id, first date affected) in
the change log (statements.CHANGE_LOG): new keys and new versions, and
in-place changes of the few version columns facts read (see load_scd2);
each fact declares its lookups (which source column holds the id and which
one dates the lookup), and the source rows matching a logged change are
candidates too.

The candidates are the only rows transformed, staged and compared; a batch
stores the new digests of the dirty buckets with the facts, in the same
transaction, so what it loaded and what it fingerprinted are the same
snapshot (pipeline.py reads the ODS in one REPEATABLE READ snapshot on
PostgreSQL).
"""
import hashlib

from fitness.core.dialect import sql_literal

from .statements import CHANGE_LOG, stage, timed

DIGEST_TABLE = "etl_source_digest"


def source_columns(ctx, spec):
    """Column names of the fact's source SELECT (natural key `nk` first)."""
    key = ("columns", spec.table)
    if key not in ctx.memo:
        ctx.cursor.execute(f"SELECT * FROM ({spec.source(ctx.dialect)}) s WHERE 1 = 0")
        ctx.memo[key] = [col[0] for col in ctx.cursor.description]
    return ctx.memo[key]


def loader_signature(ctx, spec):
    """A short hash of the fact's source and transform SQL as this code and
    these settings write them (the time zone is a literal in it)."""
    text = spec.source(ctx.dialect) + spec.transform(ctx.dialect, "(source)")
    return hashlib.sha1(text.encode()).hexdigest()[:12]


def fingerprinted_source(ctx, spec):
    """The source rows with their fingerprint, as column `source_fingerprint`."""
    signature = f"CAST({sql_literal(loader_signature(ctx, spec))} AS TEXT)"
    columns = [signature, *(f"s.{c}" for c in source_columns(ctx, spec))]
    return (f"SELECT s.*, {ctx.dialect.fingerprint(columns)} AS source_fingerprint "
            f"FROM ({spec.source(ctx.dialect)}) s")


def digest_sql(ctx, relation, key, fingerprint):
    d = ctx.dialect
    bucket = d.key_bucket(f"r.{key}")
    return (f"SELECT {bucket} AS bucket, COUNT(*) AS row_count, {d.bit_xor(f'r.{fingerprint}')} AS fingerprint, "
            f"MIN(r.{key}) AS first_key, MAX(r.{key}) AS last_key FROM {relation} r GROUP BY {bucket}")


def digest_loaded_fact(ctx, spec):
    """Full build: the digests of the facts just loaded (their fingerprints
    are those of the source rows, one fact row per source row)."""
    ctx.execute(f"DELETE FROM {DIGEST_TABLE} WHERE fact_table = %s", [spec.table])
    ctx.dialect.hash_aggregate(
        ctx,
        f"INSERT INTO {DIGEST_TABLE} (fact_table, bucket, row_count, fingerprint, first_key, last_key) "
        f"SELECT %s, g.* FROM ({digest_sql(ctx, spec.table, spec.natural_key, 'source_fingerprint')}) g",
        [spec.table],
    )


def changed_source_keys(ctx, spec):
    """Temp table (nk) of the natural keys whose source row is new, changed
    or gone since the last batch. Computed once per batch and fact (the
    member dimension asks for visits and membership periods first)."""
    changed = f"stg_changed_{spec.table}"
    if ("changed", spec.table) in ctx.memo:
        return changed
    d = ctx.dialect
    digest, dirty = f"stg_digest_{spec.table}", f"stg_dirty_{spec.table}"
    key = spec.natural_key
    with timed(ctx, spec.table) as counts:
        stage(ctx, digest, digest_sql(ctx, f"({fingerprinted_source(ctx, spec)})", "nk", "source_fingerprint"),
              hash_groups=True)
        counts.checked += int(ctx.scalar(f"SELECT COALESCE(SUM(row_count), 0) FROM {digest}"))
        stage(ctx, dirty, f"""
            SELECT n.bucket, n.first_key AS new_first, n.last_key AS new_last,
                   o.first_key AS old_first, o.last_key AS old_last
            FROM {digest} n LEFT JOIN {DIGEST_TABLE} o ON o.fact_table = %s AND o.bucket = n.bucket
            WHERE o.bucket IS NULL OR o.row_count <> n.row_count OR o.fingerprint <> n.fingerprint
            UNION ALL
            SELECT o.bucket, NULL, NULL, o.first_key, o.last_key FROM {DIGEST_TABLE} o
            WHERE o.fact_table = %s AND NOT EXISTS (SELECT 1 FROM {digest} n WHERE n.bucket = o.bucket)""",
              [spec.table, spec.table])
        if not ctx.scalar(f"SELECT COUNT(*) FROM {DIGEST_TABLE} WHERE fact_table = %s", [spec.table]):
            # Facts loaded before there were digests (migration 0006): every
            # loaded key is a candidate, so that none whose source is gone stays.
            ctx.execute(f"INSERT INTO {dirty} (bucket, new_first, new_last, old_first, old_last) "
                        f"SELECT NULL, NULL, NULL, k.lo, k.hi FROM (SELECT MIN({key}) AS lo, MAX({key}) AS hi "
                        f"FROM {spec.table}) k WHERE k.lo IS NOT NULL")
        # Row by row, in the dirty buckets' key ranges only: first the source
        # rows and the fact keys in those ranges (index range scans; a range
        # may hold a few keys of other buckets, which are just compared too),
        # staged so that the planner knows how few they are; then source rows
        # whose fingerprint the fact does not hold (new or changed) and fact
        # rows whose source row is gone.
        rows, loaded = f"stg_dirty_rows_{spec.table}", f"stg_dirty_facts_{spec.table}"
        stage(ctx, rows, f"""
            SELECT n.nk, n.source_fingerprint FROM {dirty} b
            JOIN ({fingerprinted_source(ctx, spec)}) n ON n.nk >= b.new_first AND n.nk <= b.new_last""")
        stage(ctx, loaded, f"""
            SELECT t.{key} AS nk FROM {dirty} b
            JOIN {spec.table} t ON t.{key} >= b.old_first AND t.{key} <= b.old_last""")
        stage(ctx, changed, f"""
            SELECT n.nk FROM {rows} n LEFT JOIN {spec.table} t ON t.{key} = n.nk
            WHERE t.source_fingerprint IS NULL OR t.source_fingerprint <> n.source_fingerprint
            UNION
            SELECT o.nk FROM {loaded} o WHERE NOT EXISTS (SELECT 1 FROM ({spec.source(d)}) s WHERE s.nk = o.nk)""")
    ctx.memo[("changed", spec.table)] = True
    return changed


def store_digests(ctx, spec):
    """Incremental batch: the dirty buckets' digests become those of the ODS
    rows just loaded."""
    dirty, digest = f"stg_dirty_{spec.table}", f"stg_digest_{spec.table}"
    ctx.execute(f"DELETE FROM {DIGEST_TABLE} WHERE fact_table = %s AND bucket IN (SELECT bucket FROM {dirty})",
                [spec.table])
    ctx.execute(
        f"INSERT INTO {DIGEST_TABLE} (fact_table, bucket, row_count, fingerprint, first_key, last_key) "
        f"SELECT %s, n.bucket, n.row_count, n.fingerprint, n.first_key, n.last_key FROM {digest} n "
        f"WHERE n.bucket IN (SELECT bucket FROM {dirty})",
        [spec.table],
    )


def changed_dimensions(ctx):
    """The dimensions with logged changes; complete once the dimensions are
    loaded, which is when facts first ask (the log is then analyzed once)."""
    if "logged" not in ctx.memo:
        ctx.dialect.analyze(ctx.cursor, [CHANGE_LOG])
        ctx.cursor.execute(f"SELECT DISTINCT dimension FROM {CHANGE_LOG}")
        ctx.memo["logged"] = {row[0] for row in ctx.cursor.fetchall()}
    return ctx.memo["logged"]


def lookup_candidates_sql(ctx, spec, lookup):
    """Source rows whose lookup of `lookup.dimension` may give another row
    now: the id has a logged change dated on or before the lookup's date."""
    d = ctx.dialect
    on = f"c.dimension = '{lookup.dimension}' AND c.natural_id = {lookup.id_column}"
    if lookup.date_column:
        # A local date D starts after UTC midnight of D - 1 in any zone, so a UTC timestamp column compares
        # with the day before.
        since = d.add_days("c.from_date", "-1") if lookup.timestamp else "c.from_date"
        on += f" AND {lookup.date_column} >= {since}"
    return f"SELECT s.nk FROM ({spec.source(d)}) s {lookup.joins} JOIN {CHANGE_LOG} c ON {on}"


def candidate_keys(ctx, spec):
    """Temp table (nk) of the keys this batch stages for the fact: changed
    source rows plus the rows dimension changes re-point."""
    parts = [f"SELECT nk FROM {changed_source_keys(ctx, spec)}"]
    changed = changed_dimensions(ctx)
    parts += [lookup_candidates_sql(ctx, spec, lookup) for lookup in spec.lookups if lookup.dimension in changed]
    name = f"stg_candidates_{spec.table}"
    stage(ctx, name, f"SELECT DISTINCT nk FROM ({' UNION ALL '.join(parts)}) c")
    return name


def drop_change_tables(ctx, spec):
    ctx.memo.pop(("changed", spec.table), None)
    for name in (f"stg_digest_{spec.table}", f"stg_dirty_{spec.table}", f"stg_dirty_rows_{spec.table}",
                 f"stg_dirty_facts_{spec.table}", f"stg_changed_{spec.table}", f"stg_candidates_{spec.table}"):
        if name in ctx.temp_tables:
            ctx.execute(f"DROP TABLE IF EXISTS {name}")
            ctx.temp_tables.remove(name)
