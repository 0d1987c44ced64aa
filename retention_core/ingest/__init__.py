"""Reading exports (the only part of the core that touches files and DuckDB).

``load_file`` reads and validates one export into a canonical frame (docs/data-model.md) plus a
report (``retention_core.workspace`` saves datasets); ``query`` applies the sidebar filters inside DuckDB.
"""

from retention_core.ingest.load import LoadResult, ValidationReport, load_file, validate
from retention_core.ingest.raw import connect, excel_sheets
from retention_core.ingest.roles import KINDS, Kind, detect_kind, detect_roles
from retention_core.ingest.settings import DatasetSettings
from retention_core.ingest.store import (
    Filters,
    date_bounds,
    query,
    segment_columns,
    segment_values,
)

__all__ = [
    "KINDS", "DatasetSettings", "connect", "excel_sheets", "Filters", "Kind", "LoadResult", "ValidationReport", "date_bounds",
    "detect_kind", "detect_roles", "load_file", "query", "segment_columns", "segment_values", "validate",
]
