"""Importers that turn published sample data sets into a landing folder.

Each importer reads a source in its own published layout and writes the
landing tables of the data contract (``orchestration.contract``) plus a
``programs.yml`` that fits the data, so the whole pipeline can run on it.
"""

from orchestration.importers.adventureworks import ImportSummary, import_adventureworks

__all__ = ["ImportSummary", "import_adventureworks"]
