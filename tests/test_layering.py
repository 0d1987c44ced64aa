"""Imports only point down (STYLE: Layers): no Streamlit in the core, no SQL or data wrangling in pages."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name.split(".")[0] for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_core_never_imports_streamlit_or_pandas():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "retention_core").rglob("*.py")
                 if _imports(p) & {"streamlit", "pandas", "ui"}]
    assert offenders == []


def test_core_uses_no_default_duckdb_connection():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "retention_core").rglob("*.py")
                 if re.search(r"duckdb\.(sql|query|execute)\(", p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_pages_build_no_sql_and_do_no_data_wrangling():
    pattern = re.compile(r"\b(SELECT|GROUP BY)\b|\.group_by\(|(?<![\"'])\.join\(|\.agg\(|duckdb|\.sql\(")
    offenders = [str(p.relative_to(ROOT)) for p in [*(ROOT / "pages").glob("*.py"), ROOT / "app.py"]
                 if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


def test_pages_touch_session_state_only_through_ui_state():
    offenders = [str(p.relative_to(ROOT)) for p in [*(ROOT / "pages").glob("*.py"), ROOT / "app.py"]
                 if re.search(r"st\.(session_state|query_params)", p.read_text(encoding="utf-8"))]
    assert offenders == []
