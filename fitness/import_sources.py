"""What an import reads: one table's rows from a CSV file (the ODS CSV format of `csvio`) or from another
reader of typed rows (Parquet). The engine (`table_import`) only asks a source for its header and its rows.

A CSV source is read as bytes: on PostgreSQL the bytes after the header go to COPY unchanged, elsewhere
`text_rows` decodes them row by row and marks undecodable bytes, so a bad byte is an error of its row and
column rather than a traceback.
"""
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from fitness import csvio
from fitness.import_rules import MAX_CELL_CHARS

# Python's csv module refuses a cell longer than its field limit with an error that names no column; let
# cells up to this size through so that the contract's own limit (MAX_CELL_CHARS) names the row and column.
CSV_FIELD_LIMIT = 64 * MAX_CELL_CHARS
COPY_CHUNK_BYTES = 1 << 20


@dataclass
class CsvSource:
    """One table's CSV, open in binary. `name` is how messages name the file."""

    model: type
    file: object
    name: str = ""
    escaped_text = True
    kind = "csv"
    can_resend = True  # the bytes can be read again (COPY into staging, then into the table)
    _header: list | None = field(default=None, init=False)
    _data_start: int = field(default=0, init=False)

    def __post_init__(self):
        self.name = self.name or f"{self.model._meta.db_table}.csv"

    @classmethod
    def from_path(cls, model, path):
        return cls(model, open(path, "rb"), Path(path).name)

    def header(self):
        """The header cells (None for an empty file); reads the first line once."""
        if self._header is None:
            self._header = csvio.read_header(self.file) or []
            self._data_start = self.file.tell()
        return self._header

    def rewind(self):
        """Back to the first data row (after a refused COPY, to find the bad rows)."""
        self.file.seek(self._data_start)

    def copy_chunks(self):
        """The data rows' bytes, as read (for COPY), from where the file stands."""
        self.header()
        while chunk := self.file.read(COPY_CHUNK_BYTES):
            yield chunk

    def text_rows(self):
        """(row number, cells) per data row; cells holding bytes that are not UTF-8 carry them as lone
        surrogates (`has_bad_bytes` finds them). A cell past CSV_FIELD_LIMIT ends the file with
        (row number, None)."""
        self.header()
        csv.field_size_limit(max(csv.field_size_limit(), CSV_FIELD_LIMIT))
        text = io.TextIOWrapper(self.file, encoding="utf-8", errors="surrogateescape", newline="")
        reader = csv.reader(text)
        number = 0
        try:
            for number, cells in enumerate(reader, start=1):
                yield number, cells
        except csv.Error:
            yield number + 1, None
        finally:
            text.detach()

    def close(self):
        self.file.close()


@dataclass
class RowsSource:
    """One table's typed rows from another reader (Parquet): values in ERD column order, text as stored
    (not formula-escaped)."""

    model: type
    columns: list
    rows: object  # callable returning an iterator of tuples
    name: str = ""
    batches: object = None  # optional callable returning Arrow record batches of the same rows
    escaped_text = False
    kind = "rows"

    def __post_init__(self):
        self.name = self.name or self.model._meta.db_table

    def header(self):
        return list(self.columns)

    @property
    def can_resend(self):
        return self.batches is not None

    def rewind(self):
        pass  # copy_chunks reads the batches anew

    def copy_chunks(self):
        """The rows as CSV bytes for COPY, written by Arrow a batch at a time (no Python per value): strings
        always quoted, so an empty string is `""` and NULL the bare empty cell; timestamps in UTC with Z."""
        import pyarrow
        import pyarrow.csv

        options = pyarrow.csv.WriteOptions(include_header=False)
        for batch in self.batches():
            buffer = io.BytesIO()
            pyarrow.csv.write_csv(in_utc(batch), buffer, options)
            yield buffer.getvalue()

    def typed_rows(self):
        for number, values in enumerate(self.rows(), start=1):
            yield number, values

    def close(self):
        pass


def in_utc(batch):
    """The batch with its timestamps labelled UTC (the same instants), which Arrow writes with a Z (a
    "+00:00" label would be written "+0000", outside the contract)."""
    import pyarrow

    columns = [column.cast(pyarrow.timestamp(column.type.unit, tz="UTC"))
               if pyarrow.types.is_timestamp(column.type) else column for column in batch.columns]
    return pyarrow.RecordBatch.from_arrays(columns, names=batch.schema.names)


def has_bad_bytes(cell):
    """The undecodable bytes of a cell read with errors="surrogateescape", as shown in a message, or ""."""
    bad = [ord(ch) - 0xDC00 for ch in cell if "\udc80" <= ch <= "\udcff"]
    return " ".join(f"0x{byte:02X}" for byte in bad[:4])
