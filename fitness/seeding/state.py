"""Id counters and the sink that batches generated rows into the loader."""
from fitness.core.ids import ID_FORMATS

from fitness.core.tables import LOAD_ORDER

FLUSH_ROWS = 200_000


class Counters:
    """Next id number per table; continues from stored numbers on --append."""

    def __init__(self, numbers=None):
        self.numbers = dict(numbers or {})
        self._formats = {table: f"{fmt.prefix}%0{fmt.width}d" for table, fmt in ID_FORMATS.items()}

    def format_of(self, table: str) -> str:
        """The %-format of the table's ids, for loops that number many rows themselves."""
        return self._formats[table]

    def next(self, table: str) -> str:
        number = self.numbers.get(table, 0) + 1
        self.numbers[table] = number
        return self._formats[table] % number


class Sink:
    """Buffers rows per table and hands them to the loader in load order."""

    def __init__(self, loader, on_flush=None):
        self.loader = loader
        self.buffers = {table: [] for table in LOAD_ORDER}
        self.pending = 0
        self.free_text = set()
        self.on_flush = on_flush
        self.generated = {table: 0 for table in LOAD_ORDER}

    def add(self, table, row):
        self.buffers[table].append(row)
        self.pending += 1

    def extend(self, table, rows, free_text=False):
        self.buffers[table].extend(rows)
        self.pending += len(rows)
        if free_text:
            self.free_text.add(table)

    def maybe_flush(self):
        if self.pending >= FLUSH_ROWS:
            self.flush()

    def flush(self):
        for table in LOAD_ORDER:
            rows = self.buffers[table]
            if rows:
                self.generated[table] += len(rows)
                self.loader.write(table, rows, free_text=table in self.free_text)
                self.buffers[table] = []
        self.pending = 0
        if self.on_flush:
            self.on_flush()
