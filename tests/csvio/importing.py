"""Feeding CSV text to the import engine in tests."""
import io

from fitness.import_sources import CsvSource
from fitness.table_import import import_tables


def sources_of(pairs):
    """CsvSources for [(model, text or bytes)]."""
    return [CsvSource(model, io.BytesIO(data if isinstance(data, bytes) else data.encode("utf-8")))
            for model, data in pairs]


def import_texts(pairs, mode="insert", flush=False):
    """Import [(model, CSV text)]; returns {table: TableOutcome}."""
    return {outcome.table: outcome for outcome in import_tables(sources_of(pairs), mode=mode, flush=flush)}
