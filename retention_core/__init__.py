"""retention_core: customer-retention analytics on polars frames (no Streamlit).

Canonical frames (see docs/data-model.md) come from ``retention_core.ingest``; every other module
takes and returns polars frames or frozen dataclasses.
"""

__version__ = "0.1.0"
