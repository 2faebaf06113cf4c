"""The import engine behind `import_ods` and the admin's import page: one contract (csvio's docstring),
one transaction, set-based checks.

For each table, parents before children:
1. *stage* the file: on PostgreSQL the CSV bytes go by COPY into an unlogged text table and every cell is
   parsed by SQL (`import_rules`); on SQLite Python parses each row and inserts the values into a
   temporary table. Either way the engine then sees a relation of typed rows with their row numbers.
2. *check* it set-based: the column rules, the foreign keys (against the tables loaded before it in this
   transaction), the check constraints and duplicate ids. On PostgreSQL a clean table costs one parallel
   scan that finds nothing; only a table with problems pays for writing them down.
3. *apply* it: `insert` (the tables must be empty, or emptied by `flush`), `upsert` (new ids inserted,
   changed rows updated, the same left alone) or `preview` (count new / changed / same, keep examples,
   write nothing).
Problems go to an error table in the database: the first `csvio.MAX_LISTED_ERRORS` in file order are read
back with a count per column and reason, so memory stays flat. A table with problems stops the import
(later tables would only fail on their missing parents) and the transaction rolls back: nothing is written.
"""
import datetime as dt
import queue
import re
import threading
import time
import uuid
from dataclasses import dataclass, field

from django.conf import settings
from django.db import DatabaseError, IntegrityError, connection, transaction

from fitness import csvio, import_rules
from fitness.core.dialect import Dialect, sql_literal

MODES = ("insert", "upsert", "preview")
SQLITE_BATCH_ROWS = 2000
PREVIEW_SAMPLES = 50
APOSTROPHE = "''''"  # SQL for the one-character string '


class ImportNotPossible(Exception):
    """The import cannot start (e.g. the target already holds data); nothing was read or written."""


@dataclass
class Change:
    """One row of a preview: `kind` "new" or "changed"; `cells` [(column, old, new)] (old "" for new rows)."""

    row: int
    id: str
    kind: str
    cells: list


@dataclass
class TableOutcome:
    table: str
    rows: int = 0
    new: int = 0
    changed: int = 0
    same: int = 0
    seconds: float = 0.0
    samples: list = field(default_factory=list)
    way: str = ""  # "copy": checked cheaply, COPYed in; "checked": every rule set-based; "rows": parsed in Python


def import_tables(sources, *, mode="insert", flush=False, progress=None):
    """Import the sources (parents before children) in one transaction; returns [TableOutcome].
    Raises csvio.ImportRefused (nothing written) for a bad header or bad rows, ImportNotPossible when
    `mode` is insert and a target table already has rows."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    refuse_bad_headers(sources)
    dialect = Dialect.current()
    # Only an import that owns its transaction may stage on a second connection: that connection's staging
    # tables can be dropped only once no transaction of ours reads them any more.
    engine = Engine(dialect, [s.model._meta.db_table for s in sources], mode,
                    alongside=dialect.is_postgres and not connection.in_atomic_block)
    try:
        with transaction.atomic():
            if flush:
                from fitness.seeding.run import flush_ods
                flush_ods()
            elif mode == "insert":
                refuse_populated_targets([source.model for source in sources])
            try:
                outcomes = engine.run(sources, progress)
            except BaseException:
                engine.drop_work_tables(failing=True)
                raise
            engine.drop_work_tables()
            if mode == "preview":
                transaction.set_rollback(True)
    finally:
        engine.close_helper()
    if mode != "preview" and not connection.in_atomic_block:
        with connection.cursor() as cursor:
            dialect.vacuum(cursor, [outcome.table for outcome in outcomes])
    return outcomes


def refuse_bad_headers(sources):
    errors = []
    for source in sources:
        header = source.header()
        if not header:
            errors.append(csvio.RowError(source.model._meta.db_table, 0, "", "file is empty (expected a header line)",
                                         source=source.name))
        else:
            errors += csvio.header_errors(source.model, header, source=source.name)
    if errors:
        raise csvio.ImportRefused(csvio.ErrorLog(errors, {(e.table, "", e.reason): 1 for e in errors}))


def refuse_populated_targets(models):
    populated = [model._meta.db_table for model in models if model._default_manager.exists()]
    if populated:
        raise ImportNotPossible(
            f"The database already holds rows in {', '.join(populated[:5])}{' ...' if len(populated) > 5 else ''}: "
            "nothing was imported. Use --flush to replace the data or --upsert to add new ids and update changed rows."
        )


class Engine:
    def __init__(self, dialect, tables, mode, alongside=False):
        self.dialect = dialect
        self.mode = mode
        self.alongside = alongside
        self.order = {table: index for index, table in enumerate(tables)}
        self.suffix = uuid.uuid4().hex[:16]
        self.errors_table = f"import_errors_{self.suffix}"
        self.work_tables = []
        self.bulk_rebuild = []
        self.names = {}  # table: the name messages give its file
        self._helper = None  # a second connection (PostgreSQL), for staging alongside the load
        self.helper_tables = []  # staging tables it committed: dropped when the import ends

    # -- the run ----------------------------------------------------------------------------------------
    def run(self, sources, progress):
        with connection.cursor() as cursor:
            self.create_errors_table(cursor)
            if self.dialect.is_postgres:
                # Room to hash parents' ids and sort new indexes (the seed's loader asks the same).
                cursor.execute("SET LOCAL work_mem = '256MB'")
                cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
            if self.mode == "insert" and self.dialect.is_postgres:
                # Empty targets: set indexes and foreign keys aside, build them once at the end (as the seed does).
                # Foreign-key checks still pending from deletes earlier in the transaction block ALTER TABLE.
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                self.bulk_rebuild = self.dialect.drop_secondary_structures(cursor, list(self.order))
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            outcomes = []
            for source in sources:
                started = time.perf_counter()
                stage = (PgStage if self.dialect.is_postgres else SqliteStage)(self, cursor, source)
                self.names[stage.table] = source.name
                outcome = TableOutcome(source.model._meta.db_table)
                outcome.rows = stage.fill()
                if self.mode == "insert" and stage.fast_insert(outcome.rows):
                    outcome.new, outcome.way = outcome.rows, "copy"
                    outcome.seconds = time.perf_counter() - started
                    outcomes.append(outcome)
                    if progress:
                        progress(outcome)
                    continue
                stage.prepare()
                outcome.way = "rows" if stage.values_checked else "checked"
                # The rows that parsed are checked even when others did not, so one report names all.
                stage.check()
                if self.has_errors(cursor, stage):
                    stage.check_duplicates()
                else:
                    self.apply(cursor, stage, outcome)
                if self.has_errors(cursor, stage):
                    raise csvio.ImportRefused(self.error_log(cursor))
                outcome.seconds = time.perf_counter() - started
                outcomes.append(outcome)
                if progress:
                    progress(outcome)
            for statement in self.bulk_rebuild:
                cursor.execute(statement)
            if self.mode != "preview":
                self.dialect.analyze(cursor, [outcome.table for outcome in outcomes])
            return outcomes

    # -- the second connection -------------------------------------------------------------------------
    def helper(self):
        if self._helper is None:
            self._helper = connection.get_new_connection(connection.get_connection_params())
            self._helper.autocommit = True
            drop_stale_staging(self._helper)
        return self._helper

    def close_helper(self):
        """After the import's transaction: drop the staging tables the second connection committed."""
        if self._helper is None:
            return
        try:
            for name in self.helper_tables:
                self._helper.execute(f"DROP TABLE IF EXISTS {name}")
        finally:
            self._helper.close()
            self._helper = None

    # -- errors -----------------------------------------------------------------------------------------
    def create_errors_table(self, cursor):
        kind = "UNLOGGED TABLE" if self.dialect.is_postgres else "TEMP TABLE"
        cursor.execute(f"CREATE {kind} {self.errors_table} (tbl_order integer, tbl text, rownum bigint, "
                       "col_order integer, col text, reason text, detail text)")
        self.work_tables.append(self.errors_table)

    def has_errors(self, cursor, stage):
        cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {self.errors_table} WHERE tbl_order = %s)", [stage.order])
        return bool(cursor.fetchone()[0])

    def add_errors(self, cursor, stage, errors):
        """Write Python-found errors [(row, column, reason, detail)] of `stage`'s table."""
        cursor.executemany(
            f"INSERT INTO {self.errors_table} VALUES (%s, %s, %s, %s, %s, %s, %s)",
            [(stage.order, stage.table, row, stage.column_order.get(column, -1), column, reason, detail)
             for row, column, reason, detail in errors],
        )

    def error_log(self, cursor):
        cursor.execute(f"SELECT tbl, rownum, col, reason, detail FROM {self.errors_table} "
                       "ORDER BY tbl_order, rownum, col_order, reason LIMIT %s", [csvio.MAX_LISTED_ERRORS])
        listed = [csvio.RowError(table, row, column, reason, detail or "", self.names.get(table))
                  for table, row, column, reason, detail in cursor.fetchall()]
        cursor.execute(f"SELECT tbl, col, reason, count(*) FROM {self.errors_table} GROUP BY tbl, col, reason")
        return csvio.ErrorLog(listed, {(t, c, r): n for t, c, r, n in cursor.fetchall()})

    def drop_work_tables(self, failing=False):
        """Drop the work tables. They are created inside the import's transaction, so a rollback (or a
        killed process) drops them too: while an error propagates, a failed transaction is left to that."""
        with connection.cursor() as cursor:
            for name in reversed(self.work_tables):
                kind = "VIEW" if name.endswith("_typed") else "TABLE"
                try:
                    cursor.execute(f"DROP {kind} IF EXISTS {name}")
                except DatabaseError:
                    if not failing:
                        raise
                    return
        self.work_tables = []

    # -- applying ---------------------------------------------------------------------------------------
    def apply(self, cursor, stage, outcome):
        if self.mode == "insert":
            self.insert(cursor, stage)
            outcome.new = outcome.rows
            return
        stage.check_duplicates()
        if self.has_errors(cursor, stage):
            return
        outcome.new, outcome.changed = stage.count_changes()
        outcome.same = outcome.rows - outcome.new - outcome.changed
        if self.mode == "preview":
            outcome.samples = stage.samples(PREVIEW_SAMPLES)
        else:
            stage.upsert()

    def insert(self, cursor, stage):
        """INSERT every staged row; a duplicate id (the targets were empty) is found after the fact."""
        try:
            with transaction.atomic():
                cursor.execute(f"INSERT INTO {stage.target} ({stage.columns_sql}) "
                               f"SELECT {stage.columns_sql} FROM {stage.typed}")
        except IntegrityError:
            stage.check_duplicates()
            if not self.has_errors(cursor, stage):
                raise


class Stage:
    """One table's staged rows and the set-based checks on them (shared by both databases)."""

    def __init__(self, engine, cursor, source):
        self.engine, self.cursor, self.source = engine, cursor, source
        self.model = source.model
        self.table = self.model._meta.db_table
        self.target = self.table
        self.order = engine.order[self.table]
        self.fields = csvio.erd_fields(self.model)
        self.pk = self.model._meta.pk.column
        self.column_order = {f.column: i for i, f in enumerate(self.fields)}
        self.columns_sql = ", ".join(f.column for f in self.fields)
        self.name = f"import_stage_{self.table}_{engine.suffix}"
        self.typed = self.name  # the relation of typed rows (_row, ERD columns)
        self.savepoint = None  # open while the table holds rows COPYed before the checks
        self.target_loaded = self.target_refused = False
        self.rows_table = self.name  # where the row-by-row path puts parsed rows
        self.values_checked = False  # whether the column rules were applied while staging

    @property
    def dialect(self):
        return self.engine.dialect

    def checks(self):
        """[(column, condition SQL over `v` and the joined parents, reason, detail SQL)] and the joins."""
        checks, joins = [], []
        for index, fk in enumerate(f for f in self.fields if f.is_relation):
            parent = fk.related_model._meta
            alias = f"p{index}"
            joins.append(f"LEFT JOIN {parent.db_table} {alias} ON {alias}.{parent.pk.column} = v.{fk.column}")
            checks.append((fk.column, f"v.{fk.column} IS NOT NULL AND {alias}.{parent.pk.column} IS NULL",
                           f"no {parent.db_table} row with this id", import_rules.sql_detail(f"v.{fk.column}")))
        for constraint in csvio.check_constraints(self.model):
            condition = self.constraint_sql(constraint)
            checks.append((csvio.constraint_columns(self.model, constraint), f"NOT ({condition})",
                           csvio.constraint_reason(constraint), "''"))
        return checks, joins

    def constraint_sql(self, constraint):
        editor = connection.schema_editor(collect_sql=True)  # not entered: SQLite's refuses to inside a transaction
        sql = constraint._get_check_sql(self.model, editor)
        for f in self.fields:  # the check names bare columns; qualify them with the staged row
            sql = sql.replace(editor.quote_name(f.column), f"v.{f.column}")
        return sql

    def write_check_errors(self, checks, joins):
        """Record the rows breaking `checks` (one statement per check: portable; fine at the sizes that
        reach here, as PostgreSQL first asks one scan whether any row breaks anything)."""
        joined = " ".join(joins).replace("%", "%%")
        for column, condition, reason, detail_sql in checks:
            self.cursor.execute(
                f"INSERT INTO {self.engine.errors_table} "
                f"SELECT %s, %s, v._row, %s, %s, %s, {detail_sql} FROM {self.typed} v {joined} "
                f"WHERE {condition.replace('%', '%%')}",
                [self.order, self.table, self.column_order.get(column.split(",")[0], -1), column, reason],
            )

    def check(self):
        checks, joins = self.checks()
        self.write_check_errors(checks, joins)

    def fast_insert(self, rows):
        return False

    def prepare(self):
        pass

    def check_duplicates(self):
        errors = self.engine.errors_table
        self.cursor.execute(
            f"INSERT INTO {errors} SELECT %s, %s, v._row, 0, %s, 'duplicate id', "
            f"v.{self.pk} || ' is also on row ' || d.first_row FROM {self.typed} v JOIN "
            f"(SELECT {self.pk} AS id, min(_row) AS first_row FROM {self.typed} GROUP BY {self.pk} HAVING count(*) > 1) d "
            f"ON d.id = v.{self.pk} WHERE v._row > d.first_row",
            [self.order, self.table, self.pk],
        )

    def differs_sql(self):
        return " OR ".join(self.dialect.distinct(f"o.{f.column}", f"v.{f.column}") for f in self.fields[1:]) or "false"

    def count_changes(self):
        self.cursor.execute(
            f"SELECT count(*) - count(o.{self.pk}), "
            f"count(CASE WHEN o.{self.pk} IS NOT NULL AND ({self.differs_sql()}) THEN 1 END) "
            f"FROM {self.typed} v LEFT JOIN {self.target} o ON o.{self.pk} = v.{self.pk}")
        new, changed = self.cursor.fetchone()
        return int(new), int(changed)

    def samples(self, limit):
        """The first `limit` new or changed rows with their cells: (column, old, new) of changed cells."""
        cells = ", ".join(f"o.{f.column}, v.{f.column}" for f in self.fields)
        self.cursor.execute(
            f"SELECT v._row, o.{self.pk} IS NULL, {cells} FROM {self.typed} v "
            f"LEFT JOIN {self.target} o ON o.{self.pk} = v.{self.pk} "
            f"WHERE o.{self.pk} IS NULL OR {self.differs_sql()} ORDER BY v._row LIMIT %s", [limit])
        changes = []
        for row, is_new, *values in self.cursor.fetchall():
            pairs = [(cell_text(f, old), cell_text(f, new)) for f, old, new in zip(self.fields, values[0::2], values[1::2])]
            shown = [(f.column, "" if is_new else old, new)
                     for f, (old, new) in zip(self.fields, pairs) if is_new or old != new]
            changes.append(Change(row, pairs[0][1], "new" if is_new else "changed", shown))
        return changes

    def upsert(self):
        updates = ", ".join(f"{f.column} = excluded.{f.column}" for f in self.fields[1:])
        differs = " OR ".join(self.dialect.distinct(f"{self.target}.{f.column}", f"excluded.{f.column}")
                              for f in self.fields[1:])
        self.cursor.execute(
            f"INSERT INTO {self.target} ({self.columns_sql}) SELECT {self.columns_sql} FROM {self.typed} WHERE true "
            f"ON CONFLICT ({self.pk}) DO UPDATE SET {updates} WHERE {differs}")


def cell_text(field, raw):
    """A value read by a raw cursor as the CSV cell that holds it. SQLite hands back its storage (text for
    dates and timestamps, in UTC; 0/1; floats for decimals), PostgreSQL Python values."""
    if raw is None:
        return ""
    if connection.vendor == "sqlite":
        kind = import_rules.field_kind(field)
        if kind == "datetime":
            raw = dt.datetime.fromisoformat(str(raw)).replace(tzinfo=dt.timezone.utc)
        elif kind in ("date", "time", "bool", "decimal"):
            raw = field.to_python(str(raw) if kind == "decimal" else raw)
    return csvio.format_cell(field, raw)


class PgStage(Stage):
    """PostgreSQL: COPY the CSV into an unlogged text table (unlogged, not temporary, so that checks can
    scan it with parallel workers), parse every cell in SQL, and read it typed through a view."""

    def fill(self):
        self.text = f"{self.name}_text"
        if self.engine.mode == "insert" and self.engine.alongside and self.source.can_resend:
            return self.fill_alongside_target()
        self.cursor.execute(self.create_text_sql())
        self.engine.work_tables.append(self.text)
        try:
            with transaction.atomic(), connection.wrap_database_errors:
                self.copy_in()
        except DatabaseError:
            # COPY stops at the first malformed line (wrong cell count, bad bytes, a NUL): stage the file the
            # row-by-row way instead, which names every bad row and checks the others.
            return self.fill_row_by_row()
        self.cursor.execute(f"SELECT count(*) FROM {self.text}")
        return self.cursor.fetchone()[0]

    def create_text_sql(self):
        # Ids compare byte by byte ("C", as the tables' IdFields do), so the key checks can hash-join.
        cells = ", ".join(f"{f.column} text" + (' COLLATE "C"' if f.db_parameters(connection).get("collation") == "C"
                                                else "") for f in self.fields)
        return f"CREATE UNLOGGED TABLE {self.text} (_row bigint GENERATED ALWAYS AS IDENTITY, {cells})"

    def fill_alongside_target(self):
        """Into empty tables, read the file once and COPY it twice at the same time, on two cores: into the
        table (inside a savepoint, kept only if the checks then pass) and, on a second connection, into the
        staging table the checks scan. The staging table is committed by that connection; the engine drops
        it when the import ends (and a later import drops one left by a killed process)."""
        helper = self.engine.helper()
        self.text = f"import_stage_{helper.info.backend_pid}_{self.engine.suffix[:8]}_{self.table}"
        helper.execute(self.create_text_sql())
        self.engine.helper_tables.append(self.text)
        self.savepoint = transaction.savepoint()
        self.cursor.execute("SELECT set_config('TimeZone', %s, true)", [settings.TIME_ZONE])
        staging = StagingCopy(helper, f"COPY {self.text} ({self.columns_sql}) FROM STDIN {self.copy_options()}")
        chunks = self.source.copy_chunks()
        self.target_loaded = True
        try:
            try:
                with self.cursor.copy(f"COPY {self.target} ({self.columns_sql}) FROM STDIN "
                                      f"{self.copy_options()}") as copy:
                    for chunk in chunks:
                        staging.put(chunk)
                        copy.write(chunk)
            except Exception:  # noqa: BLE001 - any refusal of the table's COPY sends the file the thorough way
                self.target_loaded, self.target_refused = False, True
            for chunk in chunks:  # what the failed COPY did not take, for the staging table
                staging.put(chunk)
        finally:
            # Always end the second COPY, even on Ctrl-C: its connection is then free for the cleanup.
            staged = staging.finish()
        if self.target_loaded:
            self.cursor.execute("SELECT set_config('TimeZone', 'UTC', true)")
        else:
            self.rollback_target()
        if not staged:
            self.rollback_target()
            self.source.rewind()
            return self.fill_row_by_row()
        if staging.rows is not None:
            return staging.rows
        self.cursor.execute(f"SELECT count(*) FROM {self.text}")
        return self.cursor.fetchone()[0]

    def rollback_target(self):
        if self.savepoint is not None:
            transaction.savepoint_rollback(self.savepoint)
            self.savepoint = None
            self.target_loaded = False

    def fast_insert(self, rows):
        """The way of a clean file into empty tables. One scan of the staged text checks every cell cheaply
        (shapes with LIKE, choices, decimal places: no regular expression on the common cells, which costs
        PostgreSQL microseconds each) and every foreign key against its parent's ids hashed in memory; the
        file's bytes go into the table by COPY, alongside the staging (`fill_alongside_target`) or after the
        scan (`load_target`): COPY writes rows in batches, several times faster than INSERT ... SELECT, and
        its casts and the table's constraints refuse what the scan lets through (a bad date, a duplicate id). Cells escaped with a
        leading apostrophe are unescaped after, where there are any. False, having changed nothing, on any
        doubt: the thorough way then names the problems."""
        if self.values_checked or self.target_refused or not self.source.can_resend:
            return False
        escaped = self.source.escaped_text
        texts = [f for f in self.fields if import_rules.field_kind(f) == "text"] if escaped else []
        conditions = " AND ".join(import_rules.sql_fast_conditions(f, f"s.{f.column}", escaped)
                                  for f in self.fields) or "true"
        # An escaped id, never written by an export, counts as missing here: the thorough way then decides.
        orphans = "".join(
            f" OR s.{fk.column} NOT IN (SELECT {fk.related_model._meta.pk.column} FROM {fk.related_model._meta.db_table})"
            for fk in self.fields if fk.is_relation)
        marks = "".join(f", bool_or(left(s.{f.column}, 1) = {APOSTROPHE})" for f in texts)
        self.cursor.execute(f"SELECT count(*) FILTER (WHERE NOT ({conditions}){orphans}){marks} FROM {self.text} s"
                            .replace("%", "%%"))
        bad, *marked = self.cursor.fetchone()
        if bad:
            self.rollback_target()
            return False
        if not self.target_loaded and not self.load_target():
            return False
        self.unescape([f for f, mark in zip(texts, marked) if mark])
        transaction.savepoint_commit(self.savepoint)
        self.savepoint = None
        return True

    def load_target(self):
        """COPY the checked file into the table now (one connection: the staging came first)."""
        self.savepoint = transaction.savepoint()
        try:
            with connection.wrap_database_errors:
                self.cursor.execute("SELECT set_config('TimeZone', %s, true)", [settings.TIME_ZONE])
                self.source.rewind()
                with self.cursor.copy(f"COPY {self.target} ({self.columns_sql}) FROM STDIN "
                                      f"{self.copy_options()}") as copy:
                    for chunk in self.source.copy_chunks():
                        copy.write(chunk)
                self.cursor.execute("SELECT set_config('TimeZone', 'UTC', true)")
        except DatabaseError:
            self.rollback_target()
            return False
        return True

    def copy_options(self):
        """CSV files: an empty cell is NULL, quoted or not (the contract). Arrow quotes every string, so
        there `""` is the empty string and only the bare empty cell NULL."""
        if self.source.kind == "csv":
            return f"(FORMAT csv, FORCE_NULL ({self.columns_sql}))"
        return "(FORMAT csv)"

    def unescape(self, columns):
        if not columns:
            return
        sets = ", ".join(f"{f.column} = {import_rules.sql_cast(f, f.column)}" for f in columns)
        marked = " OR ".join(f"left({f.column}, 1) = {APOSTROPHE}" for f in columns)
        self.cursor.execute(f"UPDATE {self.target} SET {sets} WHERE {marked}")

    def prepare(self):
        """Parse every cell in SQL (problems written down) and read the rows that parsed through a view."""
        if self.values_checked:
            return
        self.cursor.execute(f"ANALYZE {self.text}")
        parsed_all = self.parse_check()
        self.create_typed_view(parsed_all)

    def copy_in(self):
        columns = ", ".join(f.column for f in self.fields)
        if self.source.can_resend:
            with self.cursor.copy(f"COPY {self.text} ({columns}) FROM STDIN {self.copy_options()}") as copy:
                for chunk in self.source.copy_chunks():
                    copy.write(chunk)
        else:
            formatters = [typed_text(f) for f in self.fields]
            with self.cursor.copy(f"COPY {self.text} ({columns}) FROM STDIN") as copy:
                for _, values in self.source.typed_rows():
                    copy.write_row([None if v is None else fmt(v) for fmt, v in zip(formatters, values)])

    def fill_row_by_row(self):
        from fitness import row_import

        if self.source.kind == "csv":
            self.source.rewind()
        self.rows_table = self.typed = self.name + "_rows"
        self.cursor.execute(f"CREATE TEMP TABLE {self.rows_table} AS SELECT 0::bigint AS _row, * FROM {self.table} LIMIT 0")
        self.engine.work_tables.append(self.rows_table)
        self.values_checked = True
        return row_import.stage_rows(self, self.cursor)

    def cell(self, f):
        return f"s.{f.column}"

    def parse_check(self):
        reasons = [(f, import_rules.sql_parse_reason(f, self.cell(f))) for f in self.fields]
        anything = " OR ".join(f"({reason}) IS NOT NULL" for _, reason in reasons)
        self.cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {self.text} s WHERE {anything})".replace("%", "%%"))
        if not self.cursor.fetchone()[0]:
            return True
        values = ", ".join(f"({self.column_order[f.column]}, {sql_literal(f.column)}, {reason}, "
                           f"{self.cell(f)})" for f, reason in reasons)
        self.cursor.execute(
            f"INSERT INTO {self.engine.errors_table} SELECT %s, %s, s._row, x.o, x.c, x.r, "
            f"{import_rules.sql_detail('x.d')} "
            f"FROM {self.text} s CROSS JOIN LATERAL (VALUES {values.replace('%', '%%')}) x(o, c, r, d) "
            "WHERE x.r IS NOT NULL",
            [self.order, self.table])
        return False

    def create_typed_view(self, parsed_all):
        # No cast to the column types here: varchar(n) would cut long text and integer would overflow before
        # the length and range checks could say so. INSERT converts on assignment.
        casts = ", ".join(f"{import_rules.sql_cast(f, self.cell(f), self.source.escaped_text)} AS {f.column}"
                          for f in self.fields)
        self.typed = self.name + "_typed"
        unparsed = "" if parsed_all else (
            f" WHERE NOT EXISTS (SELECT 1 FROM {self.engine.errors_table} e "
            f"WHERE e.tbl_order = {self.order} AND e.rownum = s._row) OFFSET 0")  # OFFSET 0: no cast before the filter
        self.cursor.execute(f"CREATE VIEW {self.typed} AS SELECT s._row, {casts} FROM {self.text} s{unparsed}")
        self.engine.work_tables.append(self.typed)

    def check(self):
        checks, joins = self.checks()
        values = [(f.column, condition, reason, import_rules.sql_detail(f"v.{f.column}::text"))
                  for f in (self.fields if not self.values_checked else ())
                  for condition, reason in import_rules.sql_value_problems(f, f"v.{f.column}")]
        anything = " OR ".join(f"({condition})" for _, condition, _, _ in values + checks) or "false"
        self.cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {self.typed} v {' '.join(joins)} WHERE {anything})"
                            .replace("%", "%%"))
        if not self.cursor.fetchone()[0]:
            return
        self.write_check_errors(values, [])
        # As on SQLite, where such rows are never staged: keys and constraints only of rows whose values keep
        # the column rules (a bad choice would otherwise be named twice, once more by its check constraint).
        clean = (f"NOT EXISTS (SELECT 1 FROM {self.engine.errors_table} e "
                 f"WHERE e.tbl_order = {self.order} AND e.rownum = v._row)")
        self.write_check_errors([(c, f"({condition}) AND {clean}", r, d) for c, condition, r, d in checks], joins)


def typed_text(field):
    """A typed value (Parquet) as the text the staged cell parser reads (text itself is not escaped)."""
    kind = import_rules.field_kind(field)
    if kind == "text":
        return str
    if kind == "bool":
        return lambda value: "true" if value else "false"
    if kind in ("date", "time", "datetime"):
        return lambda value: value.isoformat()
    return lambda value: format(value, "f") if kind == "decimal" else str(value)


STALE_STAGING = re.compile(r"^import_stage_(\d+)_[0-9a-f]{8}_")


def drop_stale_staging(helper):
    """Drop staging tables a killed import left behind: their name holds the process id of the connection
    that made them, and that connection is gone."""
    rows = helper.execute(
        "SELECT c.relname FROM pg_class c WHERE c.relkind = 'r' AND c.relname LIKE 'import\\_stage\\_%%' "
        "AND c.relnamespace = current_schema()::regnamespace").fetchall()
    alive = {pid for (pid,) in helper.execute("SELECT pid FROM pg_stat_activity").fetchall()}
    for (name,) in rows:
        match = STALE_STAGING.match(name)
        if match and int(match.group(1)) not in alive:
            helper.execute(f"DROP TABLE IF EXISTS {name}")


class StagingCopy:
    """A COPY on the engine's second connection fed from a queue by a thread: psycopg waits on the
    network without the GIL, so the two COPYs run on two cores. `finish()` says whether it all went in."""

    def __init__(self, helper, statement):
        self.queue = queue.Queue(maxsize=8)
        self.error = None
        self.rows = None
        self.thread = threading.Thread(target=self._run, args=(helper, statement), daemon=True)
        self.thread.start()

    def put(self, chunk):
        self.queue.put(chunk)

    def finish(self):
        self.queue.put(None)
        self.thread.join()
        return self.error is None

    def _run(self, helper, statement):
        try:
            with helper.cursor() as cursor:
                with cursor.copy(statement) as copy:
                    while (chunk := self.queue.get()) is not None:
                        copy.write(chunk)
                self.rows = cursor.rowcount
        except Exception as error:  # noqa: BLE001 - reported by finish(); the rest of the file is drained
            self.error = error
            while self.queue.get() is not None:
                pass


class SqliteStage(Stage):
    """SQLite: parse each row in Python (same rules, `import_rules`) into a temporary table."""

    def fill(self):
        from fitness import row_import

        self.values_checked = True
        self.cursor.execute(f"CREATE TEMP TABLE {self.name} AS SELECT 0 AS _row, * FROM {self.table} LIMIT 0")
        self.engine.work_tables.append(self.name)
        return row_import.stage_rows(self, self.cursor)

    def check(self):
        checks, joins = self.checks()
        self.write_check_errors(checks, joins)
