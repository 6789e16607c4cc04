"""Ingestion: landing files into the append-only ``raw`` schema of the warehouse.

Each landing file is one batch, recorded in ``raw.ingest_batches`` with the
sha256 of its content. Valid rows go to ``raw.<table>`` typed as the data
contract says, with ``_batch_id``, ``_source_file``, ``_row_number`` (1 = the
first record after the header) and ``_extra_columns``; rejected rows go to
``raw.quarantine`` with a readable reason and their original text. A batch is
written in one transaction. ``programs.yml`` is validated and parsed into the
``raw.program_*`` tables.

See :mod:`.loader` for batches and duplicates, :mod:`.readers` for formats and
record numbers, :mod:`.validation` for the row rules and :mod:`.programs` for
the programs file.
"""

from orchestration.ingestion.discovery import discover_batches, ignored_landing_files
from orchestration.ingestion.loader import (
    BLOCKING_STATUSES,
    DUPLICATE,
    FAILED,
    LOADED,
    REJECTED,
    BatchResult,
    attainment_calendar,
    ingest_landing,
    ingest_table,
    prepare_connection,
)
from orchestration.ingestion.programs import (
    ProgramsDocument,
    ProgramsFileError,
    parse_programs,
    parse_programs_file,
)
from orchestration.ingestion.schema import ensure_raw_schema

__all__ = [
    "BLOCKING_STATUSES",
    "DUPLICATE",
    "FAILED",
    "LOADED",
    "REJECTED",
    "BatchResult",
    "ProgramsDocument",
    "ProgramsFileError",
    "attainment_calendar",
    "discover_batches",
    "ensure_raw_schema",
    "ignored_landing_files",
    "ingest_landing",
    "ingest_table",
    "parse_programs",
    "parse_programs_file",
    "prepare_connection",
]
